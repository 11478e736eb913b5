"""Lists and decisions: which moves a user may make, what needs a station head's action, the
activity list and calendar, a volunteer's open activities, sign-ups and history, the family
on one phone, and the xlsx export of attendance."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Site, SiteGrant
from civic import nested
from civic.people import mask_name
from civic.xlsx import XlsxSheet
from volunteers.models import Membership, MembershipStatus, Status, Volunteer

from ..lifecycle import APPROVER, moves_from, timing_problem
from ..models import Activity, AnnualPlan, Attendance, Flag, Kind, Method, Photo, SignUp, SignUpStatus, State
from ..rules import month_span, settings_for, settings_for_sites

# Moves ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveOption:
    """A move a user may make: a page shows its button, or, if ``blocked``, says why not yet."""

    name: str
    label: str
    needs_reason: bool
    needs_summary: bool
    blocked: str | None = None


def allowed_moves(user, activity: Activity, *, now: datetime | None = None) -> list[MoveOption]:
    """The moves of the transition table that ``user`` may make on ``activity`` now (at most
    3 queries: the sites the user manages among the activity's and the one above it, the
    county's settings when an approval is possible, whether a photo exists when finishing is)."""
    now = now or timezone.now()
    candidates = moves_from(activity.state)
    if not candidates or user is None or not user.is_authenticated:
        return []
    site = activity.site
    managed = set(
        Site.objects.restrict(user, "manage")
        .filter(pk__in=[pk for pk in (site.pk, site.parent_id) if pk])
        .values_list("pk", flat=True)
    )
    approver = None
    if any(move.by == APPROVER for move in candidates):
        rules = settings_for(site, timezone.localtime(activity.starts_at).date())
        approver = site.pk if rules.approval_by_self or site.parent_id is None else site.parent_id
    options = []
    for move in candidates:
        if (approver if move.by == APPROVER else site.pk) not in managed:
            continue
        blocked = timing_problem(move, activity, now)
        if blocked is None and move.needs_summary and activity.kind != Kind.ORDER:
            if not Photo.objects.filter(activity=activity).exists():
                blocked = _("Add at least one photo before finishing.")
        options.append(MoveOption(move.name, str(move.label), move.needs_reason, move.needs_summary, blocked))
    return options


# A station head's "needs action" ----------------------------------------------------------

ACTION_LIMIT = 50


@dataclass
class NeedsAction:
    to_approve: list[Activity] = field(default_factory=list)
    to_confirm: list[Activity] = field(default_factory=list)
    to_finish: list[Activity] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.to_approve) + len(self.to_confirm) + len(self.to_finish)


def _listed(queryset):
    return queryset.select_related("site", "platform", "team")


def needs_action(user, *, now: datetime | None = None) -> NeedsAction:
    """What waits for this manager (5 queries): activities to approve (submitted where the
    user manages the approving site), finished ones with attendance to confirm, and those
    past their end still to be finished with a summary. At most 50 of each, oldest first."""
    now = now or timezone.now()
    result = NeedsAction()
    if user is None or not user.is_authenticated:
        return result
    managed = Activity.objects.restrict(user, "manage")
    submitted = list(_listed(managed.filter(state=State.SUBMITTED)).order_by("starts_at", "pk")[: ACTION_LIMIT * 4])
    if submitted:
        rules = settings_for_sites([a.site for a in submitted])
        grants = (
            []
            if user.is_superuser
            else list(
                SiteGrant.objects.filter(user=user, permission__codename="manage_subtree").values_list(
                    "content_object__tree_id", "content_object__lft", "content_object__rght"
                )
            )
        )

        def approves(activity: Activity) -> bool:
            site = activity.site
            if user.is_superuser or rules[site.pk].approval_by_self or site.parent_id is None:
                return True  # a manager of the site (or above) approves it
            return any(nested.contains(nested.Bounds(*bounds), site, strict=True) for bounds in grants)

        result.to_approve = [a for a in submitted if approves(a)][:ACTION_LIMIT]
    unconfirmed = Attendance.objects.filter(activity=OuterRef("pk"), confirmed_at__isnull=True)
    result.to_confirm = list(
        _listed(managed.filter(Exists(unconfirmed), state=State.FINISHED)).order_by("starts_at", "pk")[:ACTION_LIMIT]
    )
    result.to_finish = list(
        _listed(managed.filter(state__in=[State.PUBLISHED, State.UNDER_WAY], ends_at__lt=now)).order_by(
            "ends_at", "pk"
        )[:ACTION_LIMIT]
    )
    return result


# The activity list and the calendar ----------------------------------------------------


def activity_list(
    user,
    *,
    site: Site | None = None,
    platform_id: int | None = None,
    kind: str | None = None,
    state: str | None = None,
    month: date | None = None,
    q: str = "",
):
    """Activities ``user`` can see, filtered by subtree, platform, kind, state and month, and
    searched by title, theme or place; newest first (2 queries for a page — the user's
    volunteer family, for what they read as a volunteer, and the rows — plus its count)."""
    queryset = Activity.objects.restrict(user, "view")
    if site is not None:
        queryset = queryset.in_subtree(site)
    if platform_id:
        queryset = queryset.filter(platform_id=platform_id)
    if kind:
        queryset = queryset.filter(kind=kind)
    if state:
        queryset = queryset.filter(state=state)
    if month is not None:
        start, end = month_span(month.year, month.month)
        queryset = queryset.filter(starts_at__gte=start, starts_at__lt=end)
    text = " ".join((q or "").split())[:100]
    if text:
        queryset = queryset.filter(Q(title__icontains=text) | Q(theme__icontains=text) | Q(place__icontains=text))
    return _listed(queryset).order_by("-starts_at", "-pk")


def activity_calendar(user, *, year: int, month: int, site: Site | None = None) -> dict[date, list[Activity]]:
    """A month's activities that ``user`` can see (under ``site``), by local day (2 queries:
    the user's volunteer family, and the rows)."""
    start, end = month_span(year, month)
    queryset = Activity.objects.restrict(user, "view").filter(starts_at__gte=start, starts_at__lt=end)
    if site is not None:
        queryset = queryset.in_subtree(site)
    days: dict[date, list[Activity]] = defaultdict(list)
    for activity in _listed(queryset.exclude(state=State.CANCELLED)).order_by("starts_at", "pk"):
        days[timezone.localtime(activity.starts_at).date()].append(activity)
    return dict(days)


# A volunteer's side ----------------------------------------------------------------------


def open_near(volunteer: Volunteer, *, now: datetime | None = None, limit: int = 50) -> list[Activity]:
    """Activities open for sign-up that have not begun, at the volunteer's own village, its
    township and county (nearest first), or run by a team they belong to; each with
    ``signed_up`` (whether this volunteer is) (1 query)."""
    now = now or timezone.now()
    home = Site.objects.filter(nested.under(nested.outer("site")), pk=volunteer.home_site_id)
    teams = Membership.objects.filter(volunteer=volunteer, status=MembershipStatus.ACTIVE, team=OuterRef("team"))
    mine = SignUp.objects.filter(activity=OuterRef("pk"), volunteer=volunteer, status=SignUpStatus.SIGNED_UP)
    open_ = Activity.objects.filter(state=State.PUBLISHED, starts_at__gt=now)
    return list(
        _listed(open_.filter(Q(Exists(home)) | Q(Exists(teams))))
        .annotate(mine=Exists(mine))
        .order_by(*nested.tree_order("site", reverse=True), "starts_at", "pk")[:limit]
    )


def my_signups(volunteer: Volunteer, *, now: datetime | None = None):
    """The volunteer's sign-ups for activities not yet over, soonest first (1 query)."""
    now = now or timezone.now()
    return (
        SignUp.objects.filter(
            volunteer=volunteer,
            status=SignUpStatus.SIGNED_UP,
            activity__ends_at__gt=now,
            activity__state__in=[State.PUBLISHED, State.UNDER_WAY],
        )
        .select_related("activity__site")
        .order_by("activity__starts_at", "pk")
    )


def my_history(volunteer: Volunteer):
    """The volunteer's attendance with hours, newest first (1 query a page, plus its count)."""
    return (
        Attendance.objects.filter(volunteer=volunteer, signed_in_at__isnull=False)
        .exclude(activity__state=State.CANCELLED)
        .select_related("activity__site")
        .order_by("-signed_in_at", "-pk")
    )


def family_volunteers(user) -> list[Volunteer]:
    """The active volunteers who share the user's phone (the user's own record first), for
    a family's phone to pick who signs in (1 query)."""
    if user is None or not user.is_authenticated:
        return []
    mine = Volunteer.objects.filter(user=user).exclude(phone="")
    rows = (
        Volunteer.objects.filter(Q(user=user) | Q(Exists(mine.filter(phone=OuterRef("phone")))))
        .filter(status=Status.ACTIVE, anonymised_at__isnull=True)
        .select_related("home_site")
    )
    return sorted(rows, key=lambda v: (v.user_id != user.pk, v.real_name, v.pk))


def plan_is_late(plan: AnnualPlan, *, today: date | None = None) -> bool:
    """Whether the plan was (or, still unsubmitted, now is) handed in after its due date (no query)."""
    due = date(plan.year, AnnualPlan.DUE_MONTH, 1)
    handed = timezone.localtime(plan.submitted_at).date() if plan.submitted_at else (today or timezone.localdate())
    return handed >= due


# Export ----------------------------------------------------------------------------------

_EXPORT_FIELDS = (
    "activity__starts_at activity__title activity__site__name activity__site__short_name activity__kind "
    "activity__platform__name volunteer__real_name volunteer__home_site__short_name volunteer__home_site__name "
    "signed_in_at sign_in_method signed_out_at sign_out_method hours flags confirmed_at distance"
).split()
_EXPORT_WIDTHS = (12, 30, 18, 14, 12, 12, 16, 17, 14, 17, 14, 10, 17, 24, 10)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def attendance_export(queryset, viewer=None) -> bytes:
    """An xlsx of the attendance rows in ``queryset`` (already scoped by the caller), one row
    each, in the user's language (1 query whatever the size). With ``viewer``, the names of
    volunteers outside the viewer's reach are masked (an EXISTS in the same query)."""
    kinds = {code: str(label) for code, label in Kind.choices}
    methods = {code: str(label) for code, label in Method.choices}
    flags = {code: str(label) for code, label in Flag.choices}
    yes = _("yes")
    sheet = XlsxSheet(_("Attendance"), widths=_EXPORT_WIDTHS)
    sheet.append(
        [
            _("Date"),
            _("Activity"),
            _("Site"),
            _("Kind"),
            _("Service platform"),
            _("Volunteer"),
            _("Home site"),
            _("Signed in"),
            _("Sign-in by"),
            _("Signed out"),
            _("Sign-out by"),
            _("Hours"),
            _("Confirmed"),
            _("Flags"),
            _("Distance (m)"),
        ],
        style=XlsxSheet.BOLD,
    )
    fields = list(_EXPORT_FIELDS)
    if viewer is not None:
        visible = Volunteer.objects.restrict(viewer, "view").filter(pk=OuterRef("volunteer_id"))
        queryset = queryset.annotate(name_visible=Exists(visible))
        fields.append("name_visible")
    rows = queryset.order_by("activity__starts_at", "activity_id", "pk").values_list(*fields)
    for row in rows.iterator(chunk_size=5000):
        if viewer is not None and not row[-1]:
            row = (*row[:6], mask_name(row[6]), *row[7:])
        (
            starts,
            title,
            site_name,
            site_short,
            kind,
            platform,
            name,
            home_short,
            home_name,
            signed_in,
            in_by,
            signed_out,
            out_by,
            hours,
            row_flags,
            confirmed,
            distance,
        ) = row[:17]
        sheet.append(
            [
                timezone.localtime(starts).date(),
                title,
                site_short or site_name,
                kinds.get(kind, kind),
                platform or "",
                name,
                home_short or home_name,
                _when(signed_in),
                methods.get(in_by, ""),
                _when(signed_out),
                methods.get(out_by, ""),
                str(hours),
                yes if confirmed else "",
                "、".join(flags.get(f, f) for f in row_flags or ()),
                distance if distance is not None else "",
            ]
        )
    return sheet.getvalue()


# An activity's own lists, for the people running it ------------------------------------


def _named(queryset, viewer):
    """Rows with ``name_visible``: whether ``viewer`` may read the volunteer's name whole
    (their record lies within the viewer's reach); an EXISTS in the same query."""
    visible = Volunteer.objects.restrict(viewer, "view").filter(pk=OuterRef("volunteer_id"))
    return queryset.annotate(name_visible=Exists(visible)).select_related("volunteer__home_site")


def activity_signups(activity: Activity, viewer):
    """The activity's sign-ups, the signed up first then the cancelled, each with the volunteer
    and ``name_visible`` (1 query a page, plus its count)."""
    return _named(SignUp.objects.filter(activity=activity), viewer).order_by("status", "signed_up_at", "pk")


def activity_attendance(activity: Activity, viewer):
    """The activity's attendance in sign-in order, each with the volunteer and ``name_visible``
    (1 query a page, plus its count)."""
    return _named(Attendance.objects.filter(activity=activity), viewer).order_by("signed_in_at", "pk")


def unmarked_signups(activity: Activity, viewer, *, limit: int = 200) -> list[SignUp]:
    """The volunteers signed up for the activity who have no attendance yet (1 query)."""
    present = Attendance.objects.filter(activity=activity, volunteer=OuterRef("volunteer_id"))
    rows = _named(SignUp.objects.filter(activity=activity, status=SignUpStatus.SIGNED_UP), viewer)
    return list(rows.exclude(Exists(present)).order_by("signed_up_at", "pk")[:limit])


def family_attendance(activity: Activity, family: list[Volunteer]) -> dict[int, Attendance]:
    """The attendance at ``activity`` of each volunteer of the family, by volunteer id (1 query)."""
    rows = Attendance.objects.filter(activity=activity, volunteer__in=[v.pk for v in family])
    return {row.volunteer_id: row for row in rows}
