"""Links that leave the screen: addresses printed on paper (a certificate's QR code, and
posters and sign-in codes to come) or sent in a text message.

Such a link must not carry whatever host a request happened to come in on (an internal
address, a test port): it is built on the configured public address, ``CIVIC_PUBLIC_URL``
(``https://civic.example.org``; ``http://127.0.0.1:8000`` by default in development).
``manage.py check --deploy`` warns when it is unset in production.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

DEVELOPMENT_URL = "http://127.0.0.1:8000"


def public_base() -> str:
    """The configured public address without a trailing slash (the development address when
    it is unset)."""
    return (getattr(settings, "CIVIC_PUBLIC_URL", "") or DEVELOPMENT_URL).rstrip("/")


def public_url(path: str) -> str:
    """``path`` (``/verify/ABC/``, as ``reverse`` gives it) on the public address."""
    return public_base() + "/" + path.lstrip("/")


@checks.register(checks.Tags.security, deploy=True)
def check_public_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production the public address is set, and is an absolute http(s) address."""
    value = getattr(settings, "CIVIC_PUBLIC_URL", "")
    if not value:
        return [
            checks.Warning(
                "CIVIC_PUBLIC_URL is not set: links printed on certificates would point at the "
                f"development address {DEVELOPMENT_URL}.",
                hint="Set CIVIC_PUBLIC_URL to the address people reach the site at, e.g. https://civic.example.org.",
                id="civic.W010",
            )
        ]
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        return [
            checks.Warning(
                f"CIVIC_PUBLIC_URL ({value}) is not an address like https://civic.example.org.",
                hint="Give the scheme and the host only, without a path.",
                id="civic.W011",
            )
        ]
    return []
