"""Helpers the activity services share: permission checks and the log of moves."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from centers.models import Site
from civic.scope import can
from volunteers.models import Volunteer

from ..models import Activity, ActivityEvent
from ..rules import EffectiveSettings, settings_for


def require(user, action: str, site: Site, message: str) -> None:
    if not can(user, action, site):
        raise PermissionDenied(message)


def now_or(at: datetime | None) -> datetime:
    return at if at is not None else timezone.now()


def approver_site(activity: Activity, rules: EffectiveSettings) -> Site:
    """Whose managers approve ``activity``: the site above it, or the site itself where the
    county allows (or where it has nothing above it)."""
    site = activity.site
    if rules.approval_by_self or site.parent_id is None:
        return site
    return Site.objects.get(pk=site.parent_id)


def may_approve(user, activity: Activity, rules: EffectiveSettings | None = None) -> bool:
    """Whether ``user`` approves ``activity`` (2–3 queries)."""
    rules = rules or settings_for(activity.site, timezone.localtime(activity.starts_at).date())
    return can(user, "manage", approver_site(activity, rules))


def volunteer_of(user) -> Volunteer | None:
    """The user's own volunteer record (1 query), or None."""
    if user is None or not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user).select_related("home_site").first()


def is_family(user, volunteer: Volunteer) -> bool:
    """Whether ``volunteer`` is the user's own record or shares its phone (1 query)."""
    if user is None or not user.is_authenticated:
        return False
    if volunteer.user_id is not None and volunteer.user_id == user.pk:
        return True
    if not volunteer.phone:
        return False
    return Volunteer.objects.filter(user=user, phone=volunteer.phone).exists()


def record_event(*, activity: Activity, move: str, from_state: str, actor, at: datetime, note: str = "") -> None:
    ActivityEvent.objects.create(
        activity=activity,
        move=move,
        from_state=from_state,
        to_state=activity.state,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
        note=(note or "")[:200],
    )
