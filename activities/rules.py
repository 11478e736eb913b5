"""The county's rules for activities, resolved in one place: which settings apply at a site
on a day (dated, inherited down the tree like the points rules), how minutes become service
hours, a site's monthly quota, the sign-in window and the distance check."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, IntegerField, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from centers.models import Kind, Level, Site
from civic import nested

from .models import DEFAULT_HOURS_STEPS, DEFAULT_RADIUS, ActivitySettings

# The sign-in window: from an hour before the start to two hours after the end.
SIGN_IN_OPENS = timedelta(hours=1)
SIGN_IN_CLOSES = timedelta(hours=2)
# Flags: an attendance longer than the activity by more than this is flagged for review.
LONG_TOLERANCE = timedelta(minutes=30)
# Levels whose sites hold settings: a county and the levels above it.
SETTINGS_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)


@dataclass(frozen=True)
class EffectiveSettings:
    approval_by_self: bool = False
    static_qr_allowed: bool = False
    geo_check: bool = False
    geo_radius: int = DEFAULT_RADIUS
    hours_steps: tuple = tuple(tuple(step) for step in DEFAULT_HOURS_STEPS)
    quota_center: int = 2
    quota_station: int = 2
    quota_point: int = 1
    quota_base: int = 1
    quota_post: int = 0
    row: ActivitySettings | None = None


DEFAULTS = EffectiveSettings()


def _effective(row: ActivitySettings | None) -> EffectiveSettings:
    if row is None:
        return DEFAULTS
    return EffectiveSettings(
        approval_by_self=row.approval_by_self,
        static_qr_allowed=row.static_qr_allowed,
        geo_check=row.geo_check,
        geo_radius=row.geo_radius,
        hours_steps=tuple(tuple(step) for step in (row.hours_steps or DEFAULT_HOURS_STEPS)),
        quota_center=row.quota_center,
        quota_station=row.quota_station,
        quota_point=row.quota_point,
        quota_base=row.quota_base,
        quota_post=row.quota_post,
        row=row,
    )


def settings_for(site: Site, day: date | None = None) -> EffectiveSettings:
    """The settings in force at ``site`` on ``day``: the deepest site's (itself or above)
    latest settings dated on or before ``day``; the defaults if none (1 query)."""
    day = day or timezone.localdate()
    row = (
        ActivitySettings.objects.filter(nested.over(site, "site"), valid_from__lte=day)
        .order_by(*nested.tree_order("site", reverse=True), "-valid_from")
        .first()
    )
    return _effective(row)


def settings_for_sites(sites: Iterable[Site], day: date | None = None) -> dict[int, EffectiveSettings]:
    """The settings in force at each of ``sites`` on ``day`` (1 query: settings rows are few,
    one or two per county, and are matched to the sites here)."""
    day = day or timezone.localdate()
    sites = list(sites)
    trees = {s.tree_id for s in sites}
    if not trees:
        return {}
    rows = list(
        ActivitySettings.objects.filter(site__tree_id__in=trees, valid_from__lte=day)
        .select_related("site")
        .order_by(*nested.tree_order("site", reverse=True), "-valid_from")
    )
    result = {}
    for site in sites:
        row = next((r for r in rows if nested.contains(r.site, site)), None)
        result[site.pk] = _effective(row)
    return result


def round_hours(minutes: int, steps: Iterable, cap: Decimal | None = None) -> Decimal:
    """Service hours for ``minutes`` of service: whole hours, and for the started hour the
    value of the last step reached (default: under 15 minutes → 0, 15–45 → 0.5, 45–60 → 1),
    at most ``cap``."""
    whole, rest = divmod(max(0, int(minutes)), 60)
    extra = Decimal("0")
    for threshold, value in sorted((int(t), Decimal(str(v))) for t, v in steps):
        if rest >= threshold:
            extra = value
    hours = Decimal(whole) + extra
    if cap is not None:
        hours = min(hours, Decimal(cap))
    return hours.quantize(Decimal("0.01"))


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def with_quota(queryset, day: date):
    """Annotate sites with ``quota``, their monthly minimum of activities (月月有活动): the
    site's own override, else its county's figure (the settings in force on ``day``) for its
    kind and level: center and station 2, point and base 1, service post 0 by default. The
    one place that resolves a quota; it adds no query."""

    def setting(field: str):
        rows = (
            ActivitySettings.objects.filter(nested.over(nested.outer(), "site"), valid_from__lte=day)
            .order_by(*nested.tree_order("site", reverse=True), "-valid_from")
            .values(field)[:1]
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(getattr(DEFAULTS, field)))

    by_level = Case(
        When(kind=Kind.BASE, then=setting("quota_base")),
        When(kind=Kind.POST, then=setting("quota_post")),
        When(level__in=[Level.VILLAGE, Level.GROUP], then=setting("quota_point")),
        When(level=Level.TOWNSHIP, then=setting("quota_station")),
        default=setting("quota_center"),
        output_field=IntegerField(),
    )
    return queryset.annotate(quota=Coalesce("activity_quota", by_level, output_field=IntegerField()))


def quotas_for(sites: Iterable[Site], day: date | None = None) -> dict[int, int]:
    """Each site's monthly quota (1 query)."""
    ids = [site.pk for site in sites]
    if not ids:
        return {}
    rows = with_quota(Site.objects.filter(pk__in=ids), day or timezone.localdate()).values_list("pk", "quota")
    return dict(rows)


def sign_in_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """When sign-in and sign-out codes work: an hour before the start to two hours after the end."""
    return starts_at - SIGN_IN_OPENS, ends_at + SIGN_IN_CLOSES


def distance_m(lat1, lon1, lat2, lon2) -> int:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return int(round(2 * 6_371_000 * math.asin(math.sqrt(min(1.0, a)))))


def month_span(year: int, month: int) -> tuple[datetime, datetime]:
    """[first moment, first moment of the next month) of a calendar month in the local zone."""
    zone = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start, end


def year_span(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
