"""The main navigation, shown by what the person may do.

Each app names its entries in its AppConfig::

    nav_items = [
        ("volunteers:list", _("Volunteers"), "staff"),
        ("volunteers:teams", _("Teams"), ("staff", "leader")),
        ("volunteers:me", _("My volunteer profile"), "volunteer"),
    ]

``(url name, label, audience)``: the audience is one name of ``AUDIENCES`` or a tuple of
them (any of them sees the entry). Who belongs to which audience is decided once, at login,
in one query (``audiences_of``), and kept in the session (``AUDIENCE_KEY``): building the
navigation costs no query per request, and none per entry. The home page refreshes the
answer, so a role given since the login shows up there.

civic decides "staff" (any role on a site) and "manager" (a manager's role) from the grants;
an app that knows more about a user names, in its AppConfig, a function
``audience_rows = "volunteers.selectors.audience_rows"`` taking a user and returning
``{audience: queryset}``: the user belongs to the audience when the queryset has a row
(volunteers: "volunteer" — a volunteer record; "leader" — a team leader's grant). All of
them are asked in one query of EXISTS sub-selects.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Exists, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from .scope import Role, grant_model

ANYONE = "anyone"  # every logged-in person
STAFF = "staff"  # holds a role (manager or viewer) on some site
MANAGER = "manager"  # holds a manager's role on some site
VOLUNTEER = "volunteer"  # has a volunteer record
LEADER = "leader"  # leads a team
AUDIENCES = (ANYONE, STAFF, MANAGER, VOLUNTEER, LEADER)
_ALIASES = {"all": ANYONE}  # the first spelling of "anyone"

AUDIENCE_KEY = "civic_audiences"

AudienceRows = Callable[[Any], dict[str, QuerySet]]


def _normalise(audience) -> frozenset[str]:
    given = (audience,) if isinstance(audience, str) else tuple(audience)
    names = [_ALIASES.get(name, name) for name in given]
    unknown = set(names) - set(AUDIENCES)
    if unknown:
        raise ValueError(f"unknown audience {sorted(unknown)} (known: {', '.join(AUDIENCES)})")
    return frozenset(names)


@lru_cache(maxsize=1)
def _audience_providers() -> tuple[AudienceRows, ...]:
    return tuple(
        import_string(path) for config in apps.get_app_configs() if (path := getattr(config, "audience_rows", None))
    )


def audiences_of(user) -> frozenset[str]:
    """The audiences ``user`` belongs to, read in one query (superusers are staff and
    managers everywhere)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    grants = grant_model().objects.filter(user=user)
    rows: dict[str, QuerySet] = {
        STAFF: grants,
        MANAGER: grants.filter(permission__codename=Role.MANAGER.codename),
    }
    for provider in _audience_providers():
        rows.update(provider(user))
    found = (
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .annotate(**{f"civic_audience_{name}": Exists(queryset) for name, queryset in rows.items()})
        .values(*(f"civic_audience_{name}" for name in rows))
        .first()
    ) or {}
    names = {ANYONE} | {name for name in rows if found.get(f"civic_audience_{name}")}
    if user.is_superuser:
        names |= {STAFF, MANAGER}
    return frozenset(names)


def remember_audiences(request, user) -> frozenset[str]:
    """Decide ``user``'s audiences and keep them in the session (at login, on the home page)."""
    names = audiences_of(user)
    session = getattr(request, "session", None)
    if session is not None and sorted(names) != session.get(AUDIENCE_KEY):
        session[AUDIENCE_KEY] = sorted(names)
    return names


def audiences(request) -> frozenset[str]:
    """The audiences of the request's user, from the session (no query); a session from
    before this was kept is asked once (one query) and then remembers."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(request, "_civic_audiences", None)
    if cached is not None:
        return cached
    kept = request.session.get(AUDIENCE_KEY)
    names = frozenset(kept) if kept is not None else remember_audiences(request, user)
    request._civic_audiences = names
    return names


def refresh_audiences(request) -> frozenset[str]:
    """Read the user's audiences again (one query) and keep the answer."""
    names = remember_audiences(request, request.user)
    request._civic_audiences = names
    return names


@lru_cache(maxsize=1)
def _entries() -> tuple[tuple[str, str, object, frozenset[str]], ...]:
    entries = []
    for config in apps.get_app_configs():
        for url_name, label, audience in getattr(config, "nav_items", ()):
            try:
                entries.append((url_name, reverse(url_name), label, _normalise(audience)))
            except NoReverseMatch:
                continue
    return tuple(entries)


def nav_for(request, names: frozenset[str] | None = None) -> list[dict]:
    """The entries the request's user may follow (``names``: their audiences, read from the
    session unless given), each ``{"url", "label", "current"}``."""
    names = audiences(request) if names is None else names
    current = request.resolver_match.view_name if getattr(request, "resolver_match", None) else ""
    return [
        {"url": url, "label": label, "current": name == current}
        for name, url, label, audience in _entries()
        if audience & names
    ]
