"""Rate limits shared by a public page and its API twin, counted per client address.

A limited action is one ``Throttle`` subclass naming its ``scope`` (its rate is
``settings.CIVIC_THROTTLE_RATES[scope]``) and, if only some methods count, ``methods``.
The API lists the class in ``throttle_classes``; the page wraps its view in
``@throttled(TheClass)``. Both count in the same cache entry
(``throttle:<scope>:<address>``), so a visitor cannot double their tries by switching doors.
The address is ``civic.net.client_address`` (proxy headers only as configured). If the
cache is unreachable the action stays open (the cache tolerates errors).
"""

from __future__ import annotations

import math
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework.throttling import SimpleRateThrottle

from .net import client_address

__all__ = ["Throttle", "client_address", "limit_posts", "throttled"]


class Throttle(SimpleRateThrottle):
    """Requests per client address under ``scope``; ``methods`` (if set) are the only
    HTTP methods that count, the others pass untouched."""

    scope: str = ""
    methods: tuple[str, ...] | None = None
    cache_format = "throttle:%(scope)s:%(ident)s"

    def get_rate(self) -> str:
        return settings.CIVIC_THROTTLE_RATES[self.scope]

    def get_ident(self, request) -> str:
        return client_address(request) or "unknown"

    def get_cache_key(self, request, view) -> str | None:
        if self.methods is not None and request.method not in self.methods:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def too_many(request, wait: float | None):
    """The 429 page of a throttled page view."""
    minutes = max(1, math.ceil((wait or 60) / 60))
    message = ngettext(
        "Too many attempts from this network. Please try again in %(minutes)s minute.",
        "Too many attempts from this network. Please try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(math.ceil(wait or 60))
    return response


def throttled(throttle_class: type[Throttle]):
    """Count the wrapped page view's requests against ``throttle_class`` (the same class
    its API uses); over the limit it answers the 429 page."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            throttle = throttle_class()
            if not throttle.allow_request(request, None):  # type: ignore[arg-type]  # (a page: no API view)
                return too_many(request, throttle.wait())
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def limit_posts(scope: str, *, per_hour: int):
    """A limit for a page that has no API twin: at most ``per_hour`` POSTs an hour from one
    address. (A page with an API twin declares a ``Throttle`` class and uses ``throttled``.)"""
    limit = type(f"PostLimit_{scope}", (Throttle,), {"scope": scope, "rate": f"{per_hour}/hour", "methods": ("POST",)})
    return throttled(limit)
