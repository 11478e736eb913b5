"""Test data builders shared by the suites."""

from __future__ import annotations

import itertools
from datetime import date

from volunteers import services as volunteer_services
from volunteers.identity import check_digit

_serial = itertools.count(100)


def id_number(born: date = date(1990, 5, 17), *, female: bool = False, area: str = "610724") -> str:
    """A valid, unique resident ID number."""
    while True:
        seq = next(_serial) % 1000
        if (seq % 2 == 0) == female:
            break
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


_phones = itertools.count(13800000000)


def phone() -> str:
    return str(next(_phones))


def volunteer(actor, site, **extra):
    """An active volunteer registered by station staff."""
    values = {
        "real_name": "张三",
        "id_number": id_number(),
        "phone": phone(),
        "consent": True,
    }
    values.update(extra)
    return volunteer_services.volunteer_register(actor=actor, home_site=site, **values)


def phone_code(phone: str, *, address: str | None = None) -> str:
    """Ask for the registration code of ``phone`` and read it from the test outbox (the
    sender is ``civic.sms.MemorySender`` in the tests). Each phone asks from an address of its
    own unless ``address`` is given, so that only tests of the limits meet them."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        volunteer_services.registration_code_send(phone=phone, request_address=address or f"test:{phone}")
    return sent_code(phone)


def time_passes(delta=None) -> None:
    """Move every one-time code back in time (by a little more than the wait between two
    codes to one phone, unless ``delta`` says otherwise), as if that much time had passed."""
    from datetime import timedelta

    from django.db.models import F

    from civic import otp
    from civic.models import OneTimeCode

    delta = delta or otp.RESEND_AFTER + timedelta(seconds=1)
    OneTimeCode.objects.update(created_at=F("created_at") - delta, expires_at=F("expires_at") - delta)


def proven_phone(number: str | None = None) -> dict:
    """``phone`` and its ``phone_code`` for a self-registration: ``**factories.proven_phone()``."""
    number = number or phone()
    return {"phone": number, "phone_code": phone_code(number)}


def sent_code(phone: str) -> str:
    """The code in the last text message to ``phone``."""
    import re

    from civic.sms import MemorySender

    texts = [text for to, text in MemorySender.outbox if to == phone]
    assert texts, f"no text message went to {phone}"
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def self_register(site, **extra):
    """A pending volunteer who registered themself (the phone proven by its code)."""
    values = {
        "real_name": "李四",
        "id_number": id_number(),
        "phone": phone(),
        "consent": True,
        "password": "long-enough-pass-42",
    }
    values.update(extra)
    if "phone_code" not in values:
        values["phone_code"] = phone_code(values["phone"])
    return volunteer_services.volunteer_register(actor=None, home_site=site, **values)


def volunteer_with_login(approver, site, *, name: str = "钱七"):
    """A volunteer who registered themself (so they have a login) and whom ``approver`` approved."""
    v = volunteer_services.volunteer_register(
        actor=None,
        home_site=site,
        real_name=name,
        id_number=id_number(),
        **proven_phone(),
        consent=True,
        password="long-enough-pass-42",
    )
    volunteer_services.volunteer_decide(actor=approver, volunteer=v, approve=True)
    v.refresh_from_db()
    return v
