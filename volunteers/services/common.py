"""What the volunteer services share: who acts, the permission check, the phone rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from centers.models import Site
from civic.scope import can

from ..models import Volunteer
from ..records import MAX_PER_PHONE

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# Who calls a service: a logged-in person, an anonymous visitor (self-registration), or
# nobody (a task or a command).
Actor: TypeAlias = "User | AnonymousUser | None"

TEAM_TREES = "volunteers.teams"  # the advisory-lock namespace of every team-tree write


def person(actor: Actor) -> User | None:
    """The logged-in user behind ``actor`` (None for an anonymous visitor or a task), as a
    record's ``decided_by`` or ``registered_by`` holds it."""
    if actor is None or not actor.is_authenticated:
        return None
    return actor


def require(actor: Actor, action: str, site: Site, message: str) -> None:
    """PermissionDenied with ``message`` unless ``actor`` may ``action`` at ``site``."""
    if not can(actor, action, site):
        raise PermissionDenied(message)


def is_self(actor: Actor, volunteer: Volunteer) -> bool:
    """Whether ``actor`` is the person of ``volunteer`` (acting on their own record)."""
    return actor is not None and actor.is_authenticated and volunteer.user_id == actor.pk


def check_phone(phone: str, *, exclude_pk: int | None = None) -> None:
    """A phone may be shared by at most ``MAX_PER_PHONE`` volunteers of one family (1 query)."""
    sharing = Volunteer.objects.filter(phone=phone, anonymised_at__isnull=True)
    if exclude_pk:
        sharing = sharing.exclude(pk=exclude_pk)
    if sharing.count() >= MAX_PER_PHONE:
        raise ValidationError(
            {"phone": _("This phone number is already used by %(n)s volunteers.") % {"n": MAX_PER_PHONE}}
        )
