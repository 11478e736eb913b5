"""Sign-in codes (签到码): signed tokens that a QR code carries.

- A **rotating** code, shown on the organizer's phone, changes every 30 seconds:
  ``r.<activity id>.<window>:<signature>`` where ``window`` is the Unix time divided by 30.
  The current and the previous window are accepted, so a photo of the code forwarded to a
  WeChat group stops working within a minute.
- A **static** code, printed on paper where the county allows it: ``s.<activity id>:<signature>``;
  it works only inside the activity's sign-in window.

The signature is an HMAC (SHA-256) under the project's SECRET_KEY, salted with the
activity's own secret, so a code of one activity never opens another, and renewing the
secret voids every code printed before.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WINDOW_SECONDS = 30
ROTATING, STATIC = "r", "s"
_SHAPE = re.compile(r"^(?P<kind>[rs])\.(?P<pk>[1-9][0-9]{0,17})(?:\.(?P<window>[0-9]{1,12}))?:[A-Za-z0-9_-]{20,100}$")


def new_secret() -> str:
    return secrets.token_urlsafe(12)[:16]


def _signer(secret: str) -> signing.Signer:
    return signing.Signer(salt=f"activities.qr.{secret}", algorithm="sha256")


def window_of(at: datetime) -> int:
    return int(at.timestamp()) // WINDOW_SECONDS


def rotating_token(activity, at: datetime) -> str:
    return _signer(activity.qr_secret).sign(f"{ROTATING}.{activity.pk}.{window_of(at)}")


def static_token(activity) -> str:
    return _signer(activity.qr_secret).sign(f"{STATIC}.{activity.pk}")


@dataclass(frozen=True)
class Parsed:
    kind: str
    activity_id: int
    window: int | None


def parse(token: str) -> Parsed:
    """The shape of a token (not yet its signature): which activity it names. Anything else
    is refused with one message, whatever was sent."""
    match = _SHAPE.match((token or "").strip()) if isinstance(token, str) and len(token) <= 200 else None
    if match is None or (match["kind"] == ROTATING) != (match["window"] is not None):
        raise ValidationError({"token": _("This is not a sign-in code of an activity.")})
    window = int(match["window"]) if match["window"] else None
    return Parsed(match["kind"], int(match["pk"]), window)


def check(activity, token: str, at: datetime, *, static_allowed: bool) -> str:
    """Check ``token`` for ``activity`` at ``at``; return its kind (rotating or static) or
    raise ValidationError saying why it does not work."""
    parsed = parse(token)
    if parsed.activity_id != activity.pk:
        raise ValidationError({"token": _("This code belongs to another activity.")})
    try:
        _signer(activity.qr_secret).unsign(token.strip())
    except signing.BadSignature:
        raise ValidationError({"token": _("This sign-in code is not genuine.")}) from None
    if parsed.kind == STATIC:
        if not static_allowed:
            raise ValidationError(
                {"token": _("Printed codes are not accepted here: scan the code on the organizer's phone.")}
            )
        return STATIC
    if parsed.window not in (window_of(at), window_of(at) - 1):
        raise ValidationError({"token": _("This code has expired: scan the code on the organizer's phone again.")})
    return ROTATING
