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


def volunteer_with_login(approver, site, *, name: str = "钱七"):
    """A volunteer who registered themself (so they have a login) and whom ``approver`` approved."""
    v = volunteer_services.volunteer_register(
        actor=None,
        home_site=site,
        real_name=name,
        id_number=id_number(),
        phone=phone(),
        consent=True,
        password="long-enough-pass-42",
    )
    volunteer_services.volunteer_decide(actor=approver, volunteer=v, approve=True)
    v.refresh_from_db()
    return v
