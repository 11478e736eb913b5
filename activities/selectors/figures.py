"""Figures: a site's statistics for a year, monthly quota progress, the extension-point
providers (sites and volunteers), plan against held, brand projects per township, and the
sites found short."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Kind as SiteKind
from centers.models import Level, Site
from civic import nested
from civic.figures import Figure
from volunteers.models import Volunteer

from ..models import (
    HELD_STATES,
    SCHEDULED_STATES,
    Activity,
    Attendance,
    BrandProject,
    Kind,
    QuotaShortfall,
    State,
)
from ..rules import month_span, with_quota, year_span

# A site's statistics -----------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    month: int
    activities: int
    participations: int
    hours: Decimal
    people_served: int


@dataclass
class SiteStats:
    """A site's (and its subtree's) held activities in a year, from the confirmed figures."""

    year: int
    activities: int = 0
    participations: int = 0
    volunteers: int = 0
    hours: Decimal = Decimal("0")
    people_served: int = 0
    months: list[MonthFigures] = field(default_factory=list)
    platforms: list[tuple[str, int, Decimal]] = field(default_factory=list)
    kinds: list[tuple[str, int]] = field(default_factory=list)


def _held_in(site: Site, year: int):
    start, end = year_span(year)
    return Activity.objects.in_subtree(site).filter(starts_at__gte=start, starts_at__lt=end, state__in=HELD_STATES)


def site_stats(site: Site, *, year: int) -> SiteStats:
    """The hours and statistics of ``site`` and everything under it for ``year`` (2 queries):
    by month (activities, participations, hours, people served), by platform and by kind —
    all from one grouping of the activities' stored, confirmed figures — and the distinct
    volunteers who served. Held activities only."""
    held = _held_in(site, year)
    rows = (
        held.order_by()
        .annotate(m=ExtractMonth("starts_at"))
        .values("m", "platform__name", "kind")
        .annotate(
            n=Count("pk"),
            participations=Coalesce(Sum("attended_count"), 0),
            hours=Coalesce(Sum("hours_total"), Decimal("0")),
            served=Coalesce(Sum("people_served"), 0),
        )
    )
    months: dict[int, list] = {m: [0, 0, Decimal("0"), 0] for m in range(1, 13)}
    platforms: dict[str, list] = {}
    kinds: dict[str, int] = {}
    for row in rows:
        month = months[row["m"]]
        month[0] += row["n"]
        month[1] += row["participations"]
        month[2] += row["hours"]
        month[3] += row["served"]
        platform = platforms.setdefault(row["platform__name"] or "", [0, Decimal("0")])
        platform[0] += row["n"]
        platform[1] += row["hours"]
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + row["n"]
    stats = SiteStats(year=year)
    stats.months = [MonthFigures(m, *months[m]) for m in range(1, 13)]
    stats.activities = sum(m.activities for m in stats.months)
    stats.participations = sum(m.participations for m in stats.months)
    stats.hours = sum((m.hours for m in stats.months), Decimal("0"))
    stats.people_served = sum(m.people_served for m in stats.months)
    stats.platforms = sorted(
        ((name or _("No platform"), n, hours) for name, (n, hours) in platforms.items()), key=lambda p: (-p[1], p[0])
    )
    labels = dict(Kind.choices)
    stats.kinds = sorted(((str(labels.get(k, k)), n) for k, n in kinds.items()), key=lambda k: (-k[1], k[0]))
    stats.volunteers = (
        Attendance.objects.filter(activity__in=held.values("pk"), confirmed_at__isnull=False, hours__gt=0)
        .order_by()
        .values("volunteer_id")
        .distinct()
        .count()
    )
    return stats


def site_top_volunteers(site: Site, *, year: int, limit: int = 10) -> list[tuple[int, str, Decimal, int]]:
    """The volunteers with the most confirmed hours at the held activities of ``site`` and
    everything under it in ``year``: (id, name, hours, times) (2 queries)."""
    top = list(
        Attendance.objects.filter(
            activity__in=_held_in(site, year).values("pk"), confirmed_at__isnull=False, hours__gt=0
        )
        .order_by()
        .values("volunteer_id")
        .annotate(hours=Sum("hours"), times=Count("pk"))
        .order_by("-hours", "volunteer_id")[:limit]
    )
    names = dict(Volunteer.objects.filter(pk__in=[r["volunteer_id"] for r in top]).values_list("pk", "real_name"))
    return [(r["volunteer_id"], names.get(r["volunteer_id"], ""), r["hours"], r["times"]) for r in top]


# Monthly quota -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaProgress:
    site_id: int
    quota: int
    held: int
    scheduled: int

    @property
    def met(self) -> bool:
        return self.held >= self.quota

    @property
    def short(self) -> bool:
        """Fewer held and scheduled than the quota: what the warning on the 20th lists."""
        return self.held + self.scheduled < self.quota


def _count_at_site(states, start, end):
    rows = (
        Activity.objects.filter(site=OuterRef("pk"), starts_at__gte=start, starts_at__lt=end, state__in=states)
        .exclude(kind=Kind.ORDER)
        .order_by()
        .values("site")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_quota_progress(queryset, month: date):
    """Annotate sites with ``quota``, ``held`` and ``scheduled`` for the month of ``month``:
    activities at the site itself (order services not counted), held = finished or archived,
    scheduled = approved, published or under way."""
    start, end = month_span(month.year, month.month)
    return with_quota(queryset, month.replace(day=1)).annotate(
        held=_count_at_site(HELD_STATES, start, end), scheduled=_count_at_site(SCHEDULED_STATES, start, end)
    )


def quota_progress(sites: list[Site], *, month: date | None = None) -> dict[int, QuotaProgress]:
    """This month's (or ``month``'s) activities against the quota for each site (1 query)."""
    month = month or timezone.localdate()
    ids = [s.pk for s in sites]
    if not ids:
        return {}
    rows = with_quota_progress(Site.objects.filter(pk__in=ids), month).values_list("pk", "quota", "held", "scheduled")
    return {pk: QuotaProgress(pk, quota, held, scheduled) for pk, quota, held, scheduled in rows}


def site_activity_figures(sites: list[Site]) -> dict[int, list[Figure]]:
    """Extension-point provider: this month's activities held at each site against its
    monthly quota (1 query)."""
    result: dict[int, list[Figure]] = {}
    for pk, progress in quota_progress(sites).items():
        if progress.quota:
            figure = Figure(
                key="activities_month",
                label=_("Activities this month"),
                value=progress.held,
                target=progress.quota,
                ok=progress.met,
            )
        elif progress.held:
            figure = Figure(key="activities_month", label=_("Activities this month"), value=progress.held)
        else:
            continue
        result[pk] = [figure]
    return result


def volunteer_activity_figures(volunteers: list) -> dict[int, list[Figure]]:
    """Extension-point provider: a volunteer's activities and confirmed hours this year (1 query)."""
    start, end = year_span(timezone.localdate().year)
    rows = (
        Attendance.objects.filter(
            volunteer__in=[v.pk for v in volunteers],
            signed_in_at__isnull=False,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .exclude(activity__state=State.CANCELLED)
        .order_by()
        .values("volunteer_id")
        .annotate(n=Count("pk"), hours=Coalesce(Sum("hours", filter=Q(confirmed_at__isnull=False)), Decimal("0")))
    )
    return {
        row["volunteer_id"]: [
            Figure(key="activities_year", label=_("Activities this year"), value=row["n"]),
            Figure(key="activity_hours_year", label=_("Hours this year"), value=row["hours"]),
        ]
        for row in rows
    }


def shortfalls_for(user, *, month: date | None = None):
    """The sites within the user's reach found short of their quota this month (1 query)."""
    month = (month or timezone.localdate()).replace(day=1)
    return (
        QuotaShortfall.objects.restrict(user, "view")
        .filter(month=month)
        .select_related("site")
        .order_by(*nested.tree_order("site"))
    )


# Plans and brand projects --------------------------------------------------------------


@dataclass(frozen=True)
class MonthPlan:
    month: int
    planned: int
    held: int
    planned_below: int
    held_below: int


def plan_progress(site: Site, *, year: int) -> list[MonthPlan]:
    """Planned against held, month by month, for ``site`` itself and for everything under it
    (1 query). Planned: the activities in a plan (cancelled ones too: they were planned);
    held: finished or archived."""
    start, end = year_span(year)
    rows = {
        row["m"]: row
        for row in Activity.objects.in_subtree(site)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by()
        .annotate(m=ExtractMonth("starts_at"))
        .values("m")
        .annotate(
            planned=Count("pk", filter=Q(site=site, plan__isnull=False)),
            held=Count("pk", filter=Q(site=site, state__in=HELD_STATES)),
            planned_below=Count("pk", filter=Q(plan__isnull=False) & ~Q(site=site)),
            held_below=Count("pk", filter=Q(state__in=HELD_STATES) & ~Q(site=site)),
        )
    }
    empty = {"planned": 0, "held": 0, "planned_below": 0, "held_below": 0}
    return [
        MonthPlan(
            m,
            rows.get(m, empty)["planned"],
            rows.get(m, empty)["held"],
            rows.get(m, empty)["planned_below"],
            rows.get(m, empty)["held_below"],
        )
        for m in range(1, 13)
    ]


def brand_projects_by_township(county: Site, *, year: int) -> list[tuple[Site, int]]:
    """How many brand projects each township under ``county`` runs in ``year`` (the documents
    ask 1–2): projects at the township or under it, established that year or with an activity
    in it (1 query)."""
    start, end = year_span(year)
    in_year = Activity.objects.filter(brand_project=OuterRef("pk"), starts_at__gte=start, starts_at__lt=end).exclude(
        state=State.CANCELLED
    )
    projects = (
        BrandProject.objects.filter(nested.under(nested.outer(), "site"), is_active=True)
        .filter(Q(established_on__year=year) | Q(Exists(in_year)))
        .order_by()
        .values("site__tree_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    townships = (
        Site.objects.filter(nested.under(county, strict=True), level=Level.TOWNSHIP, kind=SiteKind.PRACTICE)
        .annotate(projects=Coalesce(Subquery(projects, output_field=IntegerField()), Value(0)))
        .order_by(*nested.tree_order())
    )
    return [(township, township.projects) for township in townships]
