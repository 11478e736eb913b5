"""Reads of volunteers that are more than a filter, each in a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.models import Level, Site
from civic import nested
from civic.figures import Figure
from civic.home import Panel, is_in
from civic.nav import LEADER, MANAGER, STAFF, VOLUNTEER
from civic.scope import can

from .identity import normalize_id, normalize_phone
from .models import (
    LEAD_TEAM,
    MEMBERSHIP_OPEN,
    Membership,
    MembershipStatus,
    Status,
    Team,
    TeamGrant,
    TeamKind,
    Volunteer,
)

VILLAGE_TEAMS_TARGET = 7  # a village is asked for at least seven teams (DOMAIN.md)


def coverage_target() -> Decimal:
    return Decimal(str(getattr(settings, "CIVIC_COVERAGE_TARGET", "0.13")))


def _active_in_subtree():
    return (
        Volunteer.objects.filter(nested.under(nested.outer(), "home_site"), status=Status.ACTIVE)
        .order_by()
        .values("home_site__tree_id")
        .annotate(n=Count("pk"))
        .values("n")
    )


def _village_population():
    return (
        Site.objects.filter(nested.under(nested.outer()), level=Level.VILLAGE, population__isnull=False)
        .order_by()
        .values("tree_id")
        .annotate(n=Sum("population"))
        .values("n")
    )


def with_coverage(queryset):
    """Annotate sites with ``active_volunteers`` (home site in the subtree) and
    ``coverage_population`` (its own population, else its villages' together)."""
    return queryset.annotate(
        active_volunteers=Coalesce(Subquery(_active_in_subtree(), output_field=IntegerField()), Value(0)),
        coverage_population=Coalesce(
            "population", Subquery(_village_population(), output_field=IntegerField()), output_field=IntegerField()
        ),
    )


def coverage_rate(active: int, population: int | None) -> Decimal | None:
    if not population:
        return None
    return Decimal(active) / Decimal(population)


def site_volunteer_figures(sites: list[Site]) -> dict[int, list[Figure]]:
    """Extension-point provider: active volunteers and coverage for each site's subtree, and
    for a village its own teams against the seven the rules ask for (1 query)."""
    target = coverage_target()
    teams = (
        Team.objects.filter(site=OuterRef("pk"), is_active=True)
        .order_by()
        .values("site")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        with_coverage(Site.objects.filter(pk__in=[s.pk for s in sites]))
        .annotate(own_teams=Coalesce(Subquery(teams, output_field=IntegerField()), Value(0)))
        .values("pk", "level", "active_volunteers", "coverage_population", "own_teams")
    )
    result: dict[int, list[Figure]] = {}
    for row in rows:
        figures = [Figure(key="volunteers", label=_("Active volunteers"), value=row["active_volunteers"])]
        if row["level"] == Level.VILLAGE:
            figures.append(
                Figure(
                    key="teams",
                    label=_("Teams"),
                    value=row["own_teams"],
                    target=VILLAGE_TEAMS_TARGET,
                    ok=row["own_teams"] >= VILLAGE_TEAMS_TARGET,
                )
            )
        rate = coverage_rate(row["active_volunteers"], row["coverage_population"])
        if rate is not None:
            figures.append(
                Figure(
                    key="coverage",
                    label=_("Coverage"),
                    value=f"{rate * 100:.1f}%",
                    target=f"{target * 100:.0f}%",
                    ok=rate >= target,
                )
            )
        result[row["pk"]] = figures
    return result


def status_counts(site: Site) -> dict[str, int]:
    """Volunteers of each status whose home site lies under ``site`` (1 query)."""
    rows = Volunteer.objects.filter(nested.under(site, "home_site")).order_by().values("status").annotate(n=Count("pk"))
    counts = {status: 0 for status in Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def pending_for(user) -> QuerySet[Volunteer]:
    """Registrations and login claims waiting for this manager (1 query each when evaluated)."""
    scoped = Volunteer.objects.restrict(user, "manage").select_related("home_site")
    return scoped.filter(Q(status=Status.PENDING) | Q(claim_requested_at__isnull=False)).order_by("registered_at")


# The roll and the lifecycle ------------------------------------------------------------

# On the roll (在册): registered and approved, including the suspended (a suspension is a
# pause, not an end). Waiting, rejected and withdrawn people are not on it.
ON_THE_ROLL = (Status.ACTIVE, Status.SUSPENDED)

# A volunteer's lifecycle as a table: each status, and the statuses it may be reached from.
# Approval and rejection of a pending registration are ``volunteer_decide``'s.
_TRANSITIONS: dict[str, set[str]] = {
    Status.SUSPENDED: {Status.ACTIVE},
    Status.ACTIVE: {Status.SUSPENDED, Status.REJECTED, Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.ACTIVE, Status.SUSPENDED, Status.PENDING},
}

# The moves a page offers, by the status they lead to.
STATUS_MOVES: dict[str, Promise] = {
    Status.SUSPENDED: gettext_lazy("Suspend"),
    Status.ACTIVE: gettext_lazy("Reinstate"),
    Status.WITHDRAWN: gettext_lazy("Withdraw"),
}

# Why a move is impossible, where the volunteer's status does not already say it.
_WHY_NOT: dict[str, Promise] = {
    Status.SUSPENDED: gettext_lazy("Only an active volunteer can be suspended."),
    Status.ACTIVE: gettext_lazy("A pending registration becomes active when it is approved."),
    Status.WITHDRAWN: gettext_lazy("A rejected registration cannot be withdrawn; reinstate it first."),
}


def allowed_statuses(status: str) -> set[str]:
    """The statuses a volunteer may be moved to from ``status``."""
    return {to for to, sources in _TRANSITIONS.items() if status in sources}


@dataclass(frozen=True)
class StatusMoves:
    """The status moves a page offers for one volunteer (status, button label), and why the
    others are impossible (none is said for the status the volunteer already has)."""

    possible: list[tuple[str, str]]
    why_not: list[str]


def status_moves_for(volunteer: Volunteer) -> StatusMoves:
    """Which of suspend, reinstate and withdraw ``volunteer`` allows (no query)."""
    if volunteer.anonymised_at:
        return StatusMoves([], [str(_("The personal data was erased; the record no longer changes."))])
    allowed = allowed_statuses(volunteer.status)
    possible = [(to, str(label)) for to, label in STATUS_MOVES.items() if to in allowed]
    why_not = [str(_WHY_NOT[to]) for to in STATUS_MOVES if to not in allowed and to != volunteer.status]
    return StatusMoves(possible, why_not)


def may_withdraw(volunteer: Volunteer) -> bool:
    """Whether ``volunteer`` may withdraw (themself, or by their station)."""
    return not volunteer.anonymised_at and Status.WITHDRAWN in allowed_statuses(volunteer.status)


def duplicate_message(viewer, existing: Volunteer, *, site_visible: bool | None = None) -> str:
    """What a registration with the ID number of ``existing`` is told: the site that holds the
    person only for a ``viewer`` who can see that site (``site_visible``, when the caller has
    decided it for many at once; else one check)."""
    if site_visible is None:
        site_visible = viewer is not None and can(viewer, "view", existing.home_site)
    if site_visible:
        return _("This ID number is already registered at %(site)s.") % {"site": existing.home_site}
    return _("This ID number is already registered — please ask your station.")


# Teams ----------------------------------------------------------------------------------


def is_team_leader(user, team: Team) -> bool:
    """Whether ``user`` leads ``team`` or a team above it (one query)."""
    if user is None or not user.is_authenticated:
        return False
    return Team.objects.filter(nested.over(team), grants__user=user, grants__permission__codename=LEAD_TEAM).exists()


def may_decide_membership(user, team: Team) -> bool:
    """Whether ``user`` may accept or decline join requests of ``team``: its leader (or a
    leader above it) or a manager of its site (one or two queries)."""
    return is_team_leader(user, team) or can(user, "manage", team.site)


def why_no_subteams(team: Team) -> str | None:
    """Why no team can be added under ``team`` (None if one can)."""
    if team.kind == TeamKind.SQUAD:
        return str(_("A village squad has no teams under it."))
    if not team.is_active:
        return str(_("An inactive team takes no teams under it."))
    return None


def joinable_teams(volunteer: Volunteer) -> QuerySet[Team]:
    """Active teams at the volunteer's home site and the sites above it, without an open
    request or membership of theirs (1 query)."""
    site = volunteer.home_site
    open_teams = Membership.objects.filter(volunteer=volunteer, status__in=MEMBERSHIP_OPEN).values("team_id")
    return (
        Team.objects.filter(nested.over(site, "site"), is_active=True)
        .exclude(pk__in=open_teams)
        .select_related("site", "platform")
        .annotate(member_count=team_member_count())
        .order_by(*nested.tree_order("site", reverse=True), *nested.tree_order())
    )


def _team_membership_count(status: str):
    counted = (
        Membership.objects.filter(team=OuterRef("pk"), status=status)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def team_member_count():
    """Annotation: a team's active members (a subquery, no extra query)."""
    return _team_membership_count(MembershipStatus.ACTIVE)


def team_pending_count():
    """Annotation: a team's join requests waiting for a decision."""
    return _team_membership_count(MembershipStatus.PENDING)


_DIGITS = re.compile(r"^\d+$")
_ID_PART = re.compile(r"^\d*[\dX]$")


def volunteer_search(queryset, user, q: str):
    """The one search for people, used by every page and endpoint that finds volunteers: name,
    pinyin or initials, the phone's last 4 digits, the ID number's last 4 characters; the ID
    number's last 6, a whole ID number or a whole phone only among the people whose numbers
    ``user`` may see whole (``can_unmask``: anything beyond 4 characters says more than the
    masked values show, and a 6-character ID tail holds the birth day).

    ``queryset`` keeps its own scope (the caller restricts it); it is annotated with
    ``with_unmask(user)`` unless it already is. Adds conditions only: no extra query."""
    text = " ".join((q or "").split())[:50]
    if not text:
        return queryset
    if "can_unmask" not in queryset.query.annotations:
        queryset = queryset.with_unmask(user)
    condition = Q(real_name__icontains=text)
    compact = text.replace(" ", "").lower()
    if compact.isascii() and compact.isalpha():
        condition |= Q(pinyin__contains=compact)
    tail = normalize_id(text)
    if len(tail) == 4 and _DIGITS.match(tail):
        condition |= Q(phone__endswith=tail)
    if tail.isascii() and _ID_PART.match(tail):
        if len(tail) == 4:
            condition |= Q(id_number__endswith=tail)
        elif len(tail) == 6:
            condition |= Q(id_number__endswith=tail, can_unmask=True)
        elif len(tail) == 18:
            condition |= Q(id_number=tail, can_unmask=True)
    phone = normalize_phone(text)
    if len(phone) == 11 and phone.isascii() and _DIGITS.match(phone):
        condition |= Q(phone=phone, can_unmask=True)
    return queryset.filter(condition)


# The shell: who a user is, and their home panels ------------------------------------


def audience_rows(user) -> dict:
    """``civic.nav``'s audiences this app decides: "volunteer" (a volunteer record that was
    not anonymised) and "leader" (a team leader's grant). Querysets only: civic asks them all
    in one query."""
    return {
        VOLUNTEER: Volunteer.objects.filter(user=user, anonymised_at__isnull=True),
        LEADER: TeamGrant.objects.filter(user=user, permission__codename=LEAD_TEAM),
    }


HOME_TEAMS_LIMIT = 10


def home_volunteer_panel(request) -> Panel | None:
    """A volunteer: where their record stands (with their station's liaison while it waits
    or is held), their teams and their open requests to join one (2 queries)."""
    if not is_in(request, VOLUNTEER):
        return None
    volunteer = (
        Volunteer.objects.filter(user=request.user, anonymised_at__isnull=True).select_related("home_site").first()
    )
    if volunteer is None:
        return None
    memberships = list(
        Membership.objects.filter(volunteer=volunteer, status__in=(MembershipStatus.ACTIVE, MembershipStatus.PENDING))
        .select_related("team__site")
        .order_by("status", "-requested_at")[:HOME_TEAMS_LIMIT]
    )
    return Panel(
        key="volunteer",
        title=_("My volunteer record"),
        template="home/_volunteer.html",
        context={
            "v": volunteer,
            "teams": [m for m in memberships if m.status == MembershipStatus.ACTIVE],
            "requests": [m for m in memberships if m.status == MembershipStatus.PENDING],
            "station": volunteer.home_site,
        },
        order=10,
    )


def home_approvals_panel(request) -> Panel | None:
    """Managers and team leaders: registrations and login claims waiting for them, and the
    teams with join requests they may decide (2 queries)."""
    if not is_in(request, MANAGER, LEADER):
        return None
    user = request.user
    waiting = {"pending": 0, "claims": 0}
    if is_in(request, MANAGER):
        waiting = Volunteer.objects.restrict(user, "manage").aggregate(
            pending=Count("pk", filter=Q(status=Status.PENDING)),
            claims=Count("pk", filter=Q(claim_requested_at__isnull=False)),
        )
    led = TeamGrant.objects.filter(user=user, permission__codename=LEAD_TEAM)
    decidable = Q(team__in=Team.objects.restrict(user, "manage").values("pk")) | Q(
        nested.exists_under(led, "team", node_path="content_object")
    )
    teams = list(
        Membership.objects.filter(decidable, status=MembershipStatus.PENDING)
        .order_by()
        .values("team_id", "team__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "team__name")[: HOME_TEAMS_LIMIT + 1]
    )
    return Panel(
        key="approvals",
        title=_("Needs action"),
        template="home/_approvals.html",
        context={
            "pending": waiting["pending"],
            "claims": waiting["claims"],
            "teams": teams[:HOME_TEAMS_LIMIT],
            "more_teams": len(teams) > HOME_TEAMS_LIMIT,
            "manager": is_in(request, MANAGER),
            "nothing": not (waiting["pending"] or waiting["claims"] or teams),
        },
        order=20,
    )


def home_join_panel(request) -> Panel | None:
    """Someone with no role and no volunteer record: how to become a volunteer, or claim the
    login of a record their station made (no query)."""
    if is_in(request, STAFF, VOLUNTEER, LEADER):
        return None
    return Panel(key="join", title=_("Become a volunteer"), template="home/_join.html", order=80)
