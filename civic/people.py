"""How people are shown: by their name, never by their login handle, with ID numbers, phones
and names masked for whoever may not read them whole.

Every page, list, trail, admin column and message that names a user asks ``person_names``
(or ``name_people`` for a list of rows). An app that knows more about its users names a
provider in its AppConfig as ``person_names`` (a dotted path to a callable taking a list of
users and the viewer, returning ``{user_id: name}`` in a fixed number of queries); the
volunteers app names volunteers by their real name, masked for viewers outside their scope.
A user no provider knows (staff without a volunteer record) is named by their full name, or
else their username.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.utils.module_loading import import_string

Provider = Callable[[list[Any], Any], dict[int, str]]
_providers: list[Provider] | None = None


def mask_id(number: str) -> str:
    """6101**********123X"""
    if not number:
        return ""
    return number[:4] + "*" * max(len(number) - 8, 0) + number[-4:] if len(number) > 8 else "*" * len(number)


def mask_phone(phone: str) -> str:
    """138****5678"""
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "*" * len(phone)


_ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_numbers(text: str) -> str:
    """``text`` with any ID number or mobile number in it masked (a last guard for text that
    anyone in a site's scope reads, such as the audit trail)."""
    text = _ID_NUMBER.sub(lambda match: mask_id(match.group()), text)
    return _MOBILE.sub(lambda match: mask_phone(match.group()), text)


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else "*"


def _all_providers() -> list[Provider]:
    global _providers
    if _providers is None:
        _providers = [
            import_string(path) for config in apps.get_app_configs() if (path := getattr(config, "person_names", None))
        ]
    return _providers


def person_names(users: Iterable[Any], viewer=None) -> dict[int, str]:
    """The name each user is shown by to ``viewer`` (``None``: to anyone at all), keyed by
    user id. One query per provider, whatever the number of users."""
    unique = {user.pk: user for user in users if user is not None}
    names: dict[int, str] = {}
    if not unique:
        return names
    for provider in _all_providers():
        names.update(provider([u for pk, u in unique.items() if pk not in names], viewer))
    for pk, user in unique.items():
        if pk not in names:
            names[pk] = user.get_full_name() or user.get_username()
    return names


def person_name(user, viewer=None) -> str:
    """The name one user is shown by to ``viewer`` ("" for no user)."""
    if user is None:
        return ""
    return person_names([user], viewer)[user.pk]


def name_people(rows: Iterable[Any], viewer, *fields: str) -> list[Any]:
    """Set ``<field>_name`` on each row for each user field (``actor``, ``created_by``...), in
    one call of ``person_names``; a row without a user there gets "". Returns the rows."""
    rows = list(rows)
    names = person_names((getattr(row, field) for row in rows for field in fields), viewer)
    for row in rows:
        for field in fields:
            user_id = getattr(row, f"{field}_id", None)
            setattr(row, f"{field}_name", names.get(user_id, "") if user_id is not None else "")
    return rows


def person_column(field: str, description) -> Callable:
    """An admin ``list_display`` column naming the user at ``field`` (see
    ``civic.admin_base.PeopleNamedAdmin``, which names a page of rows at once)."""

    def column(admin_self, obj) -> str:
        if not hasattr(obj, f"{field}_name"):
            name_people([obj], None, field)
        return getattr(obj, f"{field}_name") or "—"

    column.__name__ = f"{field}_name_column"
    return admin.display(description=description, ordering=field)(column)
