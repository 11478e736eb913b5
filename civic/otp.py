"""One-time codes by text message: a person proves they hold a phone.

    otp_send(purpose, phone, request_address)  # texts a fresh code (raises CodeRateLimited)
    otp_check(purpose, phone, code)            # uses the code up, or raises ValidationError

``purpose`` names what the code is for ("register", "order"...): a code proves the phone for
that purpose only. ``phone`` is a number the caller has already checked and normalised, the
same way for both calls. A code has 6 digits, lasts ``LIFETIME`` and allows ``TRIES`` wrong
tries; only the newest code of a phone and purpose counts. Codes are rate-limited per phone
and per address. The code, the phone and the address are stored only as keyed digests (HMAC
with the SECRET_KEY) and never logged.

Call ``otp_check`` before, not inside, the transaction of the write it guards: it counts a
wrong try in a transaction of its own, so that the try still counts when the write is
refused and rolled back.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from . import sms
from .models import OneTimeCode

LIFETIME = timedelta(minutes=10)
TRIES = 5
RESEND_AFTER = timedelta(seconds=60)  # one code a minute to the same phone
PER_PHONE_PER_HOUR = 5
PER_ADDRESS_PER_HOUR = 20
KEEP = timedelta(days=1)  # rows older than this are deleted (they only count for the limits)


class CodeRateLimited(ValidationError):
    """Too many codes asked for; ``wait`` says how many seconds to wait."""

    def __init__(self, message, *, wait: int):
        super().__init__(message, code="otp_rate_limited")
        self.wait = wait


def _digest(kind: str, value: str) -> str:
    return salted_hmac(f"civic.otp.{kind}", value, algorithm="sha256").hexdigest()


def _code_digest(purpose: str, phone: str, code: str) -> str:
    return _digest("code", f"{purpose}:{phone}:{code}")


def otp_send(purpose: str, phone: str, request_address: str | None) -> None:
    """Text a fresh code to ``phone`` for ``purpose`` (after the current transaction commits).
    Raises ``CodeRateLimited`` when this phone or this address asked too often."""
    phone = (phone or "").strip()
    if not phone:
        raise ValidationError(_("Enter the mobile phone number first."), code="otp_no_phone")
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    phone_digest = _digest("phone", phone)
    address_digest = _digest("address", request_address or "unknown")
    with transaction.atomic():
        OneTimeCode.objects.filter(created_at__lt=now - KEEP).delete()
        recent = OneTimeCode.objects.filter(purpose=purpose, phone_digest=phone_digest, created_at__gte=hour_ago)
        last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is not None and now - last < RESEND_AFTER:
            raise CodeRateLimited(
                _("A code was sent to this phone a moment ago; wait a minute before asking for another."),
                wait=int((RESEND_AFTER - (now - last)).total_seconds()) + 1,
            )
        if recent.count() >= PER_PHONE_PER_HOUR:
            raise CodeRateLimited(_("Too many codes were sent to this phone; try again in an hour."), wait=3600)
        if OneTimeCode.objects.filter(address_digest=address_digest, created_at__gte=hour_ago).count() >= (
            PER_ADDRESS_PER_HOUR
        ):
            raise CodeRateLimited(
                _("Too many codes were asked for from this network; try again in an hour."), wait=3600
            )
        code = f"{secrets.randbelow(10**6):06d}"
        OneTimeCode.objects.create(
            purpose=purpose,
            phone_digest=phone_digest,
            address_digest=address_digest,
            code_digest=_code_digest(purpose, phone, code),
            created_at=now,
            expires_at=now + LIFETIME,
        )
        with translation.override(settings.LANGUAGE_CODE):  # texts go out in the county's language
            text = _("%(code)s is your verification code. It expires in %(minutes)s minutes; never tell anyone.") % {
                "code": code,
                "minutes": int(LIFETIME.total_seconds() // 60),
            }
        sms.send_later(phone, text)


def otp_check(purpose: str, phone: str, code: str) -> None:
    """Use up the newest code texted to ``phone`` for ``purpose`` if ``code`` is it; otherwise
    count a wrong try and raise ``ValidationError`` (code ``otp_missing``, ``otp_expired``,
    ``otp_tries`` or ``otp_wrong``)."""
    phone = (phone or "").strip()
    code = (code or "").strip()
    if not code:
        raise ValidationError(_("Enter the code from the text message."), code="otp_missing")
    now = timezone.now()
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(purpose=purpose, phone_digest=_digest("phone", phone))
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.used_at is not None or row.expires_at <= now:
            error = ValidationError(
                _("This code has expired or was never sent; ask for a new one."), code="otp_expired"
            )
        elif row.attempts >= TRIES:
            error = ValidationError(_("Too many wrong codes; ask for a new one."), code="otp_tries")
        elif constant_time_compare(row.code_digest, _code_digest(purpose, phone, code)):
            updated = OneTimeCode.objects.filter(Q(pk=row.pk), used_at__isnull=True).update(used_at=now)
            if updated == 1:
                return
            error = ValidationError(_("This code has already been used; ask for a new one."), code="otp_expired")
        else:
            row.attempts += 1
            row.save(update_fields=["attempts"])
            error = ValidationError(_("The code is wrong; check the text message."), code="otp_wrong")
    raise error
