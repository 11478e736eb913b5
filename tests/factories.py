"""Test data builders shared by the suites: people (a user, a volunteer with or without a
login), points (a credit, goods in stock), files (a PNG image) and API clients. A test module
imports its helpers from here, never from another test module."""

from __future__ import annotations

import io
import itertools
from datetime import date

from volunteers import services as volunteer_services
from volunteers.identity import check_digit

PASSWORD = "long-enough-pass-42"  # the password of every volunteer login built here


def make_user(username: str, **extra):
    """A login with no role and the password ``pw-<username>``."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=username, password="pw-" + username, **extra)


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
        "password": PASSWORD,
    }
    values.update(extra)
    if "phone_code" not in values:
        values["phone_code"] = phone_code(values["phone"])
    return volunteer_services.volunteer_register(actor=None, home_site=site, **values)


def volunteer_with_login(approver, site, *, name: str = "钱七", password: str = PASSWORD):
    """A volunteer who registered themself (so they have a login, ``password``) and whom
    ``approver`` approved."""
    v = volunteer_services.volunteer_register(
        actor=None,
        home_site=site,
        real_name=name,
        id_number=id_number(),
        **proven_phone(),
        consent=True,
        password=password,
    )
    volunteer_services.volunteer_decide(actor=approver, volunteer=v, approve=True)
    v.refresh_from_db()
    return v


def credit(actor, volunteer, key: str, hours, *, day: date | None = None, site=None):
    """Points for ``hours`` of service credited by ``actor`` (source ``key``), at the
    volunteer's home site today unless ``site`` and ``day`` say otherwise."""
    from django.utils import timezone

    from points import services as points_services

    return points_services.points_credit(
        actor=actor,
        volunteer=volunteer,
        source_key=key,
        hours=hours,
        site=site or volunteer.home_site,
        service_date=day or timezone.localdate(),
    )


def stocked_goods(actor, site, name: str = "毛巾", *, price: int = 20, stock: int = 5, photo=None):
    """Goods of ``site``'s shop with ``stock`` of them in (``actor`` manages the shop)."""
    from points import services as points_services

    goods = points_services.goods_create(actor=actor, site=site, name=name, price=price, photo=photo)
    if stock:
        points_services.goods_stock_in(actor=actor, goods=goods, quantity=stock)
    goods.refresh_from_db()
    return goods


def png(name: str = "photo.png", *, size: int = 16, color=(200, 30, 30, 255)):
    """A small PNG image as an upload (a goods photo, a seal)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (size, size), color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def api_client(user=None, *, token: bool = False):
    """An API client: anonymous, logged in as ``user`` (a session), or with ``user``'s token
    in the Authorization header (``token=True``)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None and token:
        key = Token.objects.get_or_create(user=user)[0].key
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    elif user is not None:
        client.force_login(user)
    return client
