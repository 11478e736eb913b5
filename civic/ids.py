"""One reading of ids and small whole numbers that come from a request.

``str.isdigit()`` is true for "²" or "①", which ``int()`` then refuses (a server error),
and ``int()`` reads other scripts' digits ("١٢") as numbers. Here only ASCII digits count,
an id is 1 … 2⁶³−1 (a PostgreSQL bigint), and anything else is no id at all: the caller
treats it as absent or answers 404/400, never 500.
"""

from __future__ import annotations

from typing import TypeGuard

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MAX_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_ID))


def is_digits(value: object) -> TypeGuard[str]:
    """True for a non-empty string of ASCII digits only (codes, phone numbers, ids)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


def parse_id(value: object) -> int | None:
    """The id ``value`` names (a str of ASCII digits or an int, 1 … 2⁶³−1), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if not is_digits(value) or len(value.lstrip("0")) > _MAX_DIGITS:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def query_id(request, name: str) -> int | None:
    """The id in the query parameter ``name`` (``?site=12``), or None if absent or not an id."""
    return parse_id(request.GET.get(name))


def post_id(request, name: str) -> int | None:
    """The id in the posted form field ``name``, or None if absent or not an id."""
    return parse_id(request.POST.get(name))


def query_int(request, name: str, *, default: int, lo: int, hi: int) -> int:
    """A whole number from the query parameter ``name`` (``?page=3``), kept within
    ``lo`` … ``hi``; ``default`` when absent or not ASCII digits."""
    raw = request.GET.get(name)
    if not is_digits(raw) or len(raw.lstrip("0")) > _MAX_DIGITS:
        return default
    return min(max(int(raw), lo), hi)


class IdField(forms.IntegerField):
    """A form (and filter) field for an id, read by ``parse_id``."""

    default_error_messages = {"invalid": _("Enter a valid id.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(value.strip() if isinstance(value, str) else value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdSerializerField(serializers.IntegerField):
    """An API field for an id, read by ``parse_id`` (the schema says integer, 1 … 2⁶³−1)."""

    default_error_messages = {"invalid": _("Enter a valid id.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        number = parse_id(data.strip() if isinstance(data, str) else data)
        if number is None:
            self.fail("invalid")
        return number
