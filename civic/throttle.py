"""A small rate limit for public forms (self-registration, login claims), kept in the cache."""

from __future__ import annotations

import time
from functools import wraps

from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def limit_posts(scope: str, *, per_hour: int):
    """Allow at most ``per_hour`` POSTs an hour from one address to the wrapped view; more get
    a 429 page. If the cache is unreachable the form stays open (the cache tolerates errors)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                key = f"throttle:{scope}:{client_address(request)}:{int(time.time() // 3600)}"
                cache.add(key, 0, 3600)
                try:
                    count = cache.incr(key)
                except ValueError:  # evicted between add and incr
                    count = 1
                if count and count > per_hour:
                    return render(
                        request,
                        "429.html",
                        {"message": _("Too many attempts from this network. Please try again in an hour.")},
                        status=429,
                    )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
