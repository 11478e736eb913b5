"""Chinese resident ID numbers (GB 11643-1999) and mainland mobile numbers: checking and masking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from civic.people import mask_id, mask_phone  # noqa: F401  (the masking rule lives in civic)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    gender: str  # "male" | "female"


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def normalize_id(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def parse_id_number(raw: str, *, today: date | None = None) -> IdInfo:
    """Validate an 18-character resident ID number and read birth date and gender from it."""
    number = normalize_id(raw)
    if not _ID.match(number):
        raise ValidationError(_("An ID number has 18 characters: 17 digits and a digit or X."), code="id_format")
    if check_digit(number[:17]) != number[17]:
        raise ValidationError(_("This ID number's check digit is wrong; please check it."), code="id_check")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("This ID number holds an impossible birth date."), code="id_birth") from None
    today = today or date.today()
    if born > today or born.year < 1900:
        raise ValidationError(_("This ID number holds an impossible birth date."), code="id_birth")
    return IdInfo(number=number, birth_date=born, gender="male" if int(number[16]) % 2 else "female")


def normalize_phone(raw: str) -> str:
    digits = re.sub(r"[\s\-]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def validate_mobile(raw: str) -> str:
    phone = normalize_phone(raw)
    if not _MOBILE.match(phone):
        raise ValidationError(_("Enter an 11-digit mainland mobile number, e.g. 13812345678."), code="phone")
    return phone


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
