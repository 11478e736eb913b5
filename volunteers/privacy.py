"""The rules of a volunteer's personal data (DESIGN.md, Decisions: personal data).

- ID number and phone are shown whole only to managers of the volunteer's home-site subtree
  and to the volunteer (``Volunteer.objects.with_unmask``); everyone else reads them masked
  (``mask_id``, ``mask_phone``).
- A login's username is an opaque handle (``new_login_handle``), never an ID number or a
  phone: usernames show up in places (admin, trails, exports) that are not scoped. People log
  in with their phone or ID number (``volunteers.backends``).
- People are named by their real name to those who may see their record, and by a masked
  name (张*) to anyone else (``volunteer_person_names``, the provider behind
  ``civic.people.person_names``).
"""

from __future__ import annotations

import base64
import re
import secrets

from django.db.models import Exists, OuterRef

from civic.people import mask_id, mask_name, mask_phone

__all__ = [
    "looks_personal",
    "mask_audit_changes",
    "mask_id",
    "mask_name",
    "mask_phone",
    "new_login_handle",
    "volunteer_person_names",
]

HANDLE_PREFIX = "v"
PHONE_FIELDS = frozenset({"phone", "emergency_phone", "guardian_phone"})
_ID_LIKE = re.compile(r"\d{15}|\d{17}[\dXx]")
_PHONE_LIKE = re.compile(r"(?:\+?86|0086)?1[3-9]\d{9}")


def new_login_handle() -> str:
    """A fresh login username: ``v`` and 16 random base32 characters (80 bits), e.g.
    ``vk3q7m2x5c4wz6a2b``. It says nothing about the person."""
    return HANDLE_PREFIX + base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()


def looks_personal(username: str) -> bool:
    """Whether a username holds an ID number or a mobile phone number."""
    compact = re.sub(r"[\s\-]", "", username or "")
    return bool(_ID_LIKE.search(compact) or _PHONE_LIKE.search(compact))


def mask_audit_changes(changes: dict) -> dict:
    """Audit changes with the phones masked: the trail is read by anyone who sees the site."""
    return {
        key: tuple(mask_phone(v) if isinstance(v, str) else v for v in pair) if key in PHONE_FIELDS else pair
        for key, pair in changes.items()
    }


def volunteer_person_names(users: list, viewer) -> dict[int, str]:
    """``civic.people`` provider: the users with a volunteer record, named by their real name
    if ``viewer`` may see that record, else by the masked name (1 query)."""
    from .models import Volunteer

    if not users:
        return {}
    rows = Volunteer.objects.filter(user__in=[u.pk for u in users], anonymised_at__isnull=True).order_by()
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        visible = Volunteer.objects.restrict(viewer, "view").filter(pk=OuterRef("pk"))
        rows = rows.annotate(visible=Exists(visible))
        values = rows.values_list("user_id", "real_name", "visible")
    else:
        values = ((user_id, name, False) for user_id, name in rows.values_list("user_id", "real_name"))
    return {user_id: name if visible else mask_name(name) for user_id, name, visible in values}
