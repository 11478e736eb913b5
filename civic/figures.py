"""The extension point through which lower pages show higher apps' figures.

An app names, in its AppConfig, a selector for sites (``site_figures``) and/or for
volunteers (``volunteer_figures``) as a dotted path. Each selector takes a list of objects
and returns ``{object_id: [Figure, ...]}`` in a fixed number of queries. Pages ask this
module, never the higher app, so no import runs upward.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

Provider = Callable[[list[Any]], dict[int, list["Figure"]]]

KINDS = ("site_figures", "volunteer_figures")
_providers: dict[str, list[Provider]] = {kind: [] for kind in KINDS}


@dataclass(frozen=True)
class Figure:
    """One number shown on a page: a key, a label, the value, and optional target/unit."""

    key: str
    label: str
    value: Any
    unit: str = ""
    target: Any = None
    ok: bool | None = None


def collect_providers() -> None:
    """Read every installed app's declared selectors (called once, at start-up)."""
    for kind in KINDS:
        _providers[kind] = [
            import_string(path) for config in apps.get_app_configs() if (path := getattr(config, kind, None))
        ]


def _gather(kind: str, objects: Iterable[Any]) -> dict[int, list[Figure]]:
    objects = list(objects)
    result: dict[int, list[Figure]] = defaultdict(list)
    if not objects:
        return result
    for provider in _providers[kind]:
        for pk, figures in provider(objects).items():
            result[pk].extend(figures)
    return result


def site_figures(sites: Iterable[Any]) -> dict[int, list[Figure]]:
    """Figures every installed app offers for these sites."""
    return _gather("site_figures", sites)


def volunteer_figures(volunteers: Iterable[Any]) -> dict[int, list[Figure]]:
    """Figures every installed app offers for these volunteers."""
    return _gather("volunteer_figures", volunteers)
