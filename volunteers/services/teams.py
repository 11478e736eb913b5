"""Writes to teams and memberships: create, change, choose the leader, join, decide, leave."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from centers.models import ServicePlatform, Site
from civic import audit, nested
from civic.locks import advisory_lock

from ..models import (
    MEMBERSHIP_OPEN,
    Membership,
    MembershipRole,
    MembershipStatus,
    Status,
    Team,
    TeamKind,
    Volunteer,
)
from ..selectors import may_decide_membership
from .common import TEAM_TREES, Actor, is_self, person, require


def _team_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("A team needs a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("A team's name has at most 100 characters.")})
    return name


def _team_kind(kind: str) -> str:
    if kind not in TeamKind.values:
        raise ValidationError({"kind": _("Unknown team kind.")})
    return kind


def _unique_name(site_id: int, name: str, *, exclude_pk: int | None = None) -> None:
    same = Team.objects.filter(site_id=site_id, name=name)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise ValidationError({"name": _("This site already has a team with this name.")})


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    site: Site,
    name: str,
    kind: str,
    parent: Team | None = None,
    lead_department: str = "",
    platform: ServicePlatform | None = None,
    description: str = "",
    is_active: bool = True,
) -> Team:
    """Create a team at ``site`` (optionally under a parent team of that site or a site above it)."""
    require(actor, "add", site, _("You cannot create teams at %(site)s.") % {"site": site})
    kind = _team_kind(kind)
    name = _team_name(name)
    _unique_name(site.pk, name)
    advisory_lock(TEAM_TREES)  # team trees are small: one lock serialises every team-tree write
    if parent is not None:
        parent = Team.objects.select_related("site").get(pk=parent.pk)
        if not nested.contains(parent.site, site):
            raise ValidationError({"parent": _("A team sits under a team of its own site or a site above it.")})
    team = Team(
        site=site,
        parent=parent,
        name=name,
        kind=kind,
        lead_department=(lead_department or "").strip()[:100],
        platform=platform,
        description=(description or "").strip()[:300],
        is_active=is_active,
    )
    team.save()
    audit.record(actor=actor, action="team.create", obj=team, site_id=site.pk)
    return team


class TeamChanges(TypedDict, total=False):
    """The fields ``team_update`` changes (those given; a team is never moved)."""

    name: str
    kind: str
    lead_department: str
    platform: ServicePlatform | None
    description: str
    is_active: bool


@transaction.atomic
def team_update(*, actor: Actor, team: Team, **changes: Unpack[TeamChanges]) -> Team:
    """Change a team's name, kind, lead department, platform, description or activity."""
    require(actor, "change", team.site, _("You cannot change this team."))
    data: dict[str, Any] = {}
    if "name" in changes:
        data["name"] = _team_name(changes["name"])
        _unique_name(team.site_id, data["name"], exclude_pk=team.pk)
    if "kind" in changes:
        data["kind"] = _team_kind(changes["kind"])
    if "lead_department" in changes:
        data["lead_department"] = (changes["lead_department"] or "").strip()[:100]
    if "platform" in changes:
        platform = changes["platform"]
        data["platform_id"] = platform.pk if platform is not None else None
    if "description" in changes:
        data["description"] = (changes["description"] or "").strip()[:300]
    if "is_active" in changes:
        data["is_active"] = bool(changes["is_active"])
    changed = audit.model_update(team, data=data)
    if changed:
        advisory_lock(TEAM_TREES)  # a new name may reorder the team among its siblings
        team.save()
        audit.record(actor=actor, action="team.update", obj=team, site_id=team.site_id, changes=changed)
    return team


@transaction.atomic
def team_set_leader(*, actor: Actor, team: Team, volunteer: Volunteer | None) -> Team:
    """Make ``volunteer`` the team's leader: a membership as leader and a grant on the team."""
    require(actor, "manage", team.site, _("Only a manager of the team's site can choose its leader."))
    previous = team.leader
    if previous is not None and previous.user_id:
        remove_perm("volunteers.lead_team", previous.user, team)
    if volunteer is not None:
        if volunteer.status != Status.ACTIVE:
            raise ValidationError({"leader": _("A team leader must be an active volunteer.")})
        membership = Membership.objects.filter(
            volunteer=volunteer, team=team, status__in=MEMBERSHIP_OPEN
        ).first() or Membership(volunteer=volunteer, team=team)
        membership.role = MembershipRole.LEADER
        membership.status = MembershipStatus.ACTIVE
        membership.decided_at = timezone.now()
        membership.decided_by = person(actor)
        membership.save()
        if volunteer.user_id:
            assign_perm("volunteers.lead_team", volunteer.user, team)
    team.leader = volunteer
    team.save(update_fields=["leader"])
    audit.record(
        actor=actor,
        action="team.leader",
        obj=team,
        site_id=team.site_id,
        changes={"leader": (str(previous) if previous else None, str(volunteer) if volunteer else None)},
    )
    return team


@transaction.atomic
def membership_request(*, actor: Actor, volunteer: Volunteer, team: Team) -> Membership:
    """Ask to join a team (the volunteer themself, or staff on their behalf)."""
    if not is_self(actor, volunteer):
        require(actor, "change", volunteer.home_site, _("You cannot sign this volunteer up for teams."))
    if volunteer.status != Status.ACTIVE:
        raise ValidationError(_("Only an active volunteer can join a team."))
    if not team.is_active:
        raise ValidationError(_("This team is not active."))
    if Membership.objects.filter(volunteer=volunteer, team=team, status__in=MEMBERSHIP_OPEN).exists():
        raise ValidationError(_("Already a member of this team, or the request is waiting."))
    membership = Membership.objects.create(volunteer=volunteer, team=team)
    audit.record(actor=actor, action="membership.request", obj=membership, site_id=team.site_id)
    return membership


@transaction.atomic
def membership_decide(*, actor: Actor, membership: Membership, approve: bool) -> Membership:
    """The team leader (or a manager of the team's site) accepts or declines a join request."""
    membership = Membership.objects.select_for_update(of=("self",)).select_related("team__site").get(pk=membership.pk)
    if not may_decide_membership(actor, membership.team):
        raise PermissionDenied(_("Only the team leader or a site manager can decide."))
    if membership.status != MembershipStatus.PENDING:
        raise ValidationError(_("This request was already decided."))
    membership.status = MembershipStatus.ACTIVE if approve else MembershipStatus.REJECTED
    membership.decided_at = timezone.now()
    membership.decided_by = person(actor)
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(actor=actor, action=f"membership.{membership.status}", obj=membership, site_id=membership.team.site_id)
    return membership


@transaction.atomic
def membership_leave(*, actor: Actor, membership: Membership) -> Membership:
    """A member leaves a team (the member, its leader or a manager of its site)."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("team__site", "volunteer")
        .get(pk=membership.pk)
    )
    if not (is_self(actor, membership.volunteer) or may_decide_membership(actor, membership.team)):
        raise PermissionDenied(_("You cannot change this membership."))
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("Only a current member can leave."))
    membership.status = MembershipStatus.LEFT
    membership.decided_at = timezone.now()
    membership.decided_by = person(actor)
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(actor=actor, action="membership.left", obj=membership, site_id=membership.team.site_id)
    return membership
