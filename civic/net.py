"""The client's address, for rate limits and the login lockout.

``X-Forwarded-For`` is trusted only as far as ``CIVIC_TRUSTED_PROXIES`` says: with the
default 0 it is ignored and the address is the connection's (``REMOTE_ADDR``); with N
proxies in front, each appending the address it saw, the client is the N-th address from
the right. Page throttles, API throttles and the lockout all ask this one function.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    address = (address or "").strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The address of the client behind the configured number of trusted proxies, or
    ``None`` when the request carries no valid address."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.CIVIC_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            # A client may send its own header; only the entries our proxies appended count.
            return _valid(forwarded[-min(proxies, len(forwarded))]) or remote
    return remote
