"""The main navigation, gathered from the apps (each names its entries in its AppConfig as
``nav_items = [(url_name, label, audience), ...]``; audience "all" or "staff"). Built once;
costs no query per request."""

from __future__ import annotations

from functools import lru_cache

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@lru_cache(maxsize=1)
def _entries() -> tuple[tuple[str, str, object, str], ...]:
    entries = []
    for config in apps.get_app_configs():
        for url_name, label, audience in getattr(config, "nav_items", ()):
            try:
                entries.append((url_name, reverse(url_name), label, audience))
            except NoReverseMatch:
                continue
    return tuple(entries)


def nav_for(request, staff: bool) -> list[dict]:
    current = request.resolver_match.view_name if getattr(request, "resolver_match", None) else ""
    return [
        {"url": url, "label": label, "current": name == current}
        for name, url, label, audience in _entries()
        if audience == "all" or (audience == "staff" and staff)
    ]
