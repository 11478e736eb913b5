"""Scoped permissions: roles granted on a site cover its whole subtree.

A grant is a django-guardian object permission on a site (the grant model is
``settings.CIVIC_GRANT_MODEL``, a direct-foreign-key guardian table). ``scope_filter``
turns a user's grants into nested-set range conditions, so that "every object under the
sites this user may touch" is one query with an EXISTS sub-select.
"""

from __future__ import annotations

from enum import StrEnum

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    MANAGER = "manager"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @property
    def codename(self) -> str:
        return ROLE_CODENAMES[self]


ROLE_LABELS = {Role.MANAGER: _("Manager"), Role.VIEWER: _("Viewer")}
ROLE_CODENAMES = {Role.MANAGER: "manage_subtree", Role.VIEWER: "view_subtree"}

# Which roles allow which action. Anything that is not a read needs a manager.
READ_ACTIONS = frozenset({"view"})
ACTIONS = frozenset({"view", "add", "change", "delete", "manage"})


def roles_for(action: str) -> tuple[Role, ...]:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return (Role.MANAGER, Role.VIEWER) if action in READ_ACTIONS else (Role.MANAGER,)


def grant_model():
    return apps.get_model(settings.CIVIC_GRANT_MODEL)


def site_model():
    return apps.get_model(settings.CIVIC_SITE_MODEL)


def scope_filter(user, action: str, site_path: str) -> Q | Exists | None:
    """The condition for rows ``user`` may ``action``; ``None`` means every row.

    ``site_path`` is the lookup from the model to its site ("" for the site itself,
    "home_site" for a volunteer...).
    """
    codenames = [role.codename for role in roles_for(action)]
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    prefix = f"{site_path}__" if site_path else ""
    grants = grant_model().objects.filter(
        user=user,
        permission__codename__in=codenames,
        content_object__tree_id=OuterRef(f"{prefix}tree_id"),
        content_object__lft__lte=OuterRef(f"{prefix}lft"),
        content_object__rght__gte=OuterRef(f"{prefix}rght"),
    )
    return Exists(grants)


def can(user, action: str, obj) -> bool:
    """Whether ``user`` may ``action`` this one object (one query)."""
    if user is not None and user.is_active and user.is_superuser:
        return True
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()
