"""Scoped permissions: roles granted on a site cover its whole subtree, and each model
declares how far its rows reach beyond that.

A grant is a django-guardian object permission on a site (the grant model is
``settings.CIVIC_GRANT_MODEL``, a direct-foreign-key guardian table). A model declares its
scope once, as ``scope = ScopeRule(...)``: the path to its site, the path to the user whose
own rows they are, any further reach (``Reach``), rows anyone may read, and who sees its
personal data whole. ``Model.objects.restrict(user, action)`` (``civic.querysets``) turns
that into one query with EXISTS sub-selects over the nested sets; nothing else widens or
narrows scope by hand.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import reduce
from typing import Literal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import nested


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


NOTHING = Q(pk__in=[])  # the condition no row meets (Django runs no query for it)


@dataclass(frozen=True)
class Anchor:
    """Tree nodes a user is tied to without a grant: the node at ``node`` of the rows of
    ``model`` (an ``"app_label.Model"`` label) whose ``user`` is the user and that match
    ``where`` — a volunteer's home site, the teams a user leads."""

    model: str
    node: str
    user: str = "user"
    where: Q | None = None

    def rows(self, user):
        rows = apps.get_model(self.model)._default_manager.filter(**{self.user: user})
        return rows if self.where is None else rows.filter(self.where)


@dataclass(frozen=True)
class Reach:
    """Rows a user reaches beyond their grants: those whose node at ``path`` lies ``how``
    ("under", "over" or "around", i.e. either) one of the user's ``anchor`` nodes, for
    ``actions`` (reading, unless said otherwise)."""

    path: str
    how: Literal["under", "over", "around"]
    anchor: Anchor
    actions: frozenset[str] = READ_ACTIONS

    def condition(self, user) -> Q:
        rows, node = self.anchor.rows(user), self.anchor.node
        parts = []
        if self.how in ("under", "around"):
            parts.append(Q(nested.exists_under(rows, self.path, node_path=node)))
        if self.how in ("over", "around"):
            parts.append(Q(nested.exists_over(rows, self.path, node_path=node)))
        return reduce(operator.or_, parts)


@dataclass(frozen=True)
class Also:
    """Further rows a user reaches that no tree relation states, named by a function of the
    user declared beside the model (``rows(user) -> Q``): a volunteer's own rows and their
    family's on a shared phone, activities of the teams they belong to. Applied by
    ``restrict`` like any ``Reach``, for ``actions`` (reading, unless said otherwise)."""

    rows: Callable[[object], Q]
    actions: frozenset[str] = READ_ACTIONS

    def condition(self, user) -> Q:
        return self.rows(user)


@dataclass(frozen=True)
class ScopeRule:
    """How far a model's rows reach, declared on the model as ``scope = ScopeRule(...)``.

    - ``site``: the path to the row's site (``""`` for a site itself). A role on a site
      covers every row whose site lies under it.
    - ``owner``: the path to the user whose own rows these are (``"user"``,
      ``"account__volunteer__user"``); the owner may ``owner_actions`` them.
    - ``reach``: further rows a user reaches without a grant (``Reach`` along a tree, or
      ``Also`` for what a function of the user names).
    - ``public``: rows anyone may read, anonymous visitors too.
    - ``unmask``: the action whose scope sees the row's personal data whole (``with_unmask``);
      the owner always does.

    Superusers reach every row; anonymous and inactive users only the public ones.
    """

    site: str
    owner: str | None = None
    owner_actions: frozenset[str] = READ_ACTIONS
    reach: tuple[Reach | Also, ...] = ()
    public: Q | None = None
    unmask: str | None = None

    def __post_init__(self) -> None:
        named = set(self.owner_actions).union(*(r.actions for r in self.reach), [self.unmask or "view"])
        if named - ACTIONS:
            raise ImproperlyConfigured(f"unknown actions {sorted(named - ACTIONS)} in {self!r}")

    def condition(self, user, action: str) -> Q | None:
        """The rows ``user`` may ``action``: ``None`` means every row."""
        roles_for(action)  # refuses an unknown action
        active = user is not None and user.is_authenticated and user.is_active
        if active and user.is_superuser:
            return None
        parts = []
        if self.public is not None and action in READ_ACTIONS:
            parts.append(self.public)
        if active:
            parts.append(_granted(user, action, self.site))
            if self.owner is not None and action in self.owner_actions:
                parts.append(Q(**{self.owner: user}))
            parts.extend(reach.condition(user) for reach in self.reach if action in reach.actions)
        return reduce(operator.or_, parts) if parts else NOTHING

    def unmasked(self, user) -> Q | None:
        """The rows whose personal data ``user`` sees whole: ``None`` means every row."""
        if self.unmask is None:
            raise ImproperlyConfigured(f"{self!r} names no unmask action")
        condition = self.condition(user, self.unmask)
        active = user is not None and user.is_authenticated and user.is_active
        if condition is None or self.owner is None or not active:
            return condition
        own = Q(**{self.owner: user})
        return own if condition is NOTHING else condition | own


def _granted(user, action: str, site_path: str) -> Q:
    """Rows whose site (at ``site_path``) lies under a site where ``user`` holds a role that
    allows ``action``: one EXISTS over the grants."""
    codenames = [role.codename for role in roles_for(action)]
    grants = grant_model().objects.filter(user=user, permission__codename__in=codenames)
    return Q(nested.exists_under(grants, site_path, node_path="content_object"))


def rule_of(model) -> ScopeRule:
    """The scope ``model`` declares (``scope = ScopeRule(...)``; a bare ``scope_site_path``
    reads as a rule with that site path and nothing more)."""
    rule = getattr(model, "scope", None)
    if isinstance(rule, ScopeRule):
        return rule
    path = getattr(model, "scope_site_path", None)
    if isinstance(path, str):
        return ScopeRule(site=path)
    raise ImproperlyConfigured(f"{model.__name__} declares no scope: add scope = ScopeRule(site=...)")


def can(user, action: str, obj) -> bool:
    """Whether ``user`` may ``action`` this one object (one query)."""
    if user is not None and user.is_active and user.is_superuser:
        return True
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()
