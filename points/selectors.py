"""Reads of points: rankings, "my points", volunteer figures — each in a fixed number of queries."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.models import Site
from civic import nested
from civic.figures import Figure
from civic.home import Panel, is_in
from civic.nav import MANAGER, VOLUNTEER
from volunteers.models import MembershipStatus, Team

from .models import Account, Entry, Redemption, RedemptionStatus

PERIODS = {
    "month": gettext_lazy("This month"),
    "quarter": gettext_lazy("This quarter"),
    "year": gettext_lazy("This year"),
    "all": gettext_lazy("All time"),
}


def period_bounds(period: str, today: date) -> tuple[date, date] | None:
    """[start, end] of the calendar period containing ``today`` (None for all time)."""
    if period == "month":
        return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if period == "quarter":
        first = 3 * ((today.month - 1) // 3) + 1
        last = first + 2
        return date(today.year, first, 1), date(today.year, last, calendar.monthrange(today.year, last)[1])
    if period == "year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if period == "all":
        return None
    raise ValueError(f"unknown period {period!r}")


@dataclass(frozen=True)
class Ranked:
    rank: int
    pk: int
    name: str
    site: str
    points: int
    hours: Decimal


def volunteer_ranking(site: Site, *, by: str = "hours", period: str = "all", today: date, limit: int = 50):
    """Volunteers whose home site lies under ``site``, ranked by hours or points (1 query)."""
    bounds = period_bounds(period, today)
    if bounds is None:
        rows = (
            Account.objects.filter(nested.under(site, "volunteer__home_site"))
            .filter(Q(lifetime_points__gt=0) | Q(lifetime_hours__gt=0))
            .order_by("-lifetime_hours" if by == "hours" else "-lifetime_points", "pk")
            .values_list(
                "volunteer_id",
                "volunteer__real_name",
                "volunteer__home_site__short_name",
                "lifetime_points",
                "lifetime_hours",
            )[:limit]
        )
    else:
        rows = (
            Entry.objects.filter(nested.under(site, "account__volunteer__home_site"))
            .filter(service_date__range=bounds)
            .order_by()
            .values(
                "account__volunteer_id", "account__volunteer__real_name", "account__volunteer__home_site__short_name"
            )
            .annotate(points=Sum("lifetime_delta"), hours=Sum("hours"))
            .filter(Q(points__gt=0) | Q(hours__gt=0))
            .order_by("-hours" if by == "hours" else "-points", "account__volunteer_id")
            .values_list(
                "account__volunteer_id",
                "account__volunteer__real_name",
                "account__volunteer__home_site__short_name",
                "points",
                "hours",
            )[:limit]
        )
    return [Ranked(i, *row) for i, row in enumerate(rows, start=1)]


def team_ranking(site: Site, *, by: str = "hours", period: str = "all", today: date, limit: int = 50):
    """Teams at sites under ``site``, ranked by their current members' hours or points (1 query)."""
    bounds = period_bounds(period, today)
    entries = Entry.objects.filter(
        account__volunteer__memberships__team=OuterRef("pk"),
        account__volunteer__memberships__status=MembershipStatus.ACTIVE,
    )
    if bounds is not None:
        entries = entries.filter(service_date__range=bounds)
    field = "hours" if by == "hours" else "lifetime_delta"
    total = entries.order_by().values("account__volunteer__memberships__team").annotate(s=Sum(field)).values("s")
    output = DecimalField(max_digits=14, decimal_places=2) if by == "hours" else IntegerField()
    teams = (
        Team.objects.filter(nested.under(site, "site"), is_active=True)
        .annotate(score=Coalesce(Subquery(total, output_field=output), Value(0), output_field=output))
        .filter(score__gt=0)
        .order_by("-score", "pk")
        .values_list("pk", "name", "site__short_name", "score")[:limit]
    )
    return [
        Ranked(i, pk, name, where, int(score) if by != "hours" else 0, score if by == "hours" else Decimal(0))
        for i, (pk, name, where, score) in enumerate(teams, start=1)
    ]


def site_ranking(site: Site, *, by: str = "hours", period: str = "all", today: date):
    """The sites directly under ``site``, ranked by the hours or points of the volunteers
    whose home site lies under each (1 query)."""
    bounds = period_bounds(period, today)
    entries = Entry.objects.filter(nested.under(nested.outer(), "account__volunteer__home_site"))
    if bounds is not None:
        entries = entries.filter(service_date__range=bounds)
    field = "hours" if by == "hours" else "lifetime_delta"
    total = entries.order_by().values("account__volunteer__home_site__tree_id").annotate(s=Sum(field)).values("s")
    output = DecimalField(max_digits=14, decimal_places=2) if by == "hours" else IntegerField()
    children = (
        site.get_children()
        .annotate(score=Coalesce(Subquery(total, output_field=output), Value(0), output_field=output))
        .order_by("-score", *nested.tree_order())
        .values_list("pk", "short_name", "name", "score")
    )
    return [
        Ranked(i, pk, short or name, "", int(score) if by != "hours" else 0, score if by == "hours" else Decimal(0))
        for i, (pk, short, name, score) in enumerate(children, start=1)
    ]


@dataclass(frozen=True)
class MyPoints:
    account: Account | None
    township: Site | None
    rank: int | None
    ranked_among: int | None


def my_points(volunteer, account: Account | None = None) -> MyPoints:
    """A volunteer's account and rank by lifetime points among the volunteers ranked in the
    same township (``Account.rank_site``): one indexed count (plus the account if not given).
    The count is plain SQL: this runs on the page volunteers open most."""
    if account is None:
        account = Account.objects.select_related("rank_site").filter(volunteer=volunteer).first()
    if account is None or account.rank_site_id is None:
        return MyPoints(account, None, None, None)
    with connection.cursor() as cursor:
        cursor.execute(_RANK_SQL, [account.lifetime_points, account.rank_site_id])
        above, total = cursor.fetchone()
    return MyPoints(account, account.rank_site, above + 1, total)


_RANK_SQL = (
    "SELECT COALESCE(SUM(CASE WHEN lifetime_points > %s THEN 1 ELSE 0 END), 0), COUNT(*) "
    "FROM points_account WHERE rank_site_id = %s"
)


@dataclass(frozen=True)
class MinePage:
    """What "my points" shows, read in one query (see ``mine_for``)."""

    volunteer_id: int
    account: Account | None
    me: MyPoints


_MINE_SQL = """
SELECT v.id, a.id, a.lifetime_points, a.balance, a.lifetime_hours, a.star_level, a.updated_at,
       r.id, r.name, r.short_name, r.level, r.kind,
       (SELECT COUNT(*) FROM points_account x
         WHERE x.rank_site_id = a.rank_site_id AND x.lifetime_points > a.lifetime_points),
       (SELECT COUNT(*) FROM points_account x WHERE x.rank_site_id = a.rank_site_id)
  FROM volunteers_volunteer v
  LEFT JOIN points_account a ON a.volunteer_id = v.id
  LEFT JOIN centers_site r ON r.id = a.rank_site_id
 WHERE v.user_id = %s
"""


def mine_for(user) -> MinePage | None:
    """The logged-in volunteer's account, rank site and rank, in one plain-SQL query: this
    is the page volunteers open most, and the ORM's query building would cost more than
    the query itself. None if the login has no volunteer record."""
    with connection.cursor() as cursor:
        cursor.execute(_MINE_SQL, [user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    (volunteer_id, account_id, lifetime, balance, hours, stars, updated, site_id, name, short, level, kind,
     above, total) = row  # fmt: skip
    if account_id is None:
        return MinePage(volunteer_id, None, MyPoints(None, None, None, None))
    account = Account(
        pk=account_id,
        volunteer_id=volunteer_id,
        lifetime_points=lifetime,
        balance=balance,
        lifetime_hours=Decimal(str(hours)).quantize(Decimal("0.01")),
        star_level=stars,
        updated_at=parse_datetime(updated) if isinstance(updated, str) else updated,  # SQLite gives text
        rank_site_id=site_id,
    )
    if site_id is None:
        return MinePage(volunteer_id, account, MyPoints(account, None, None, None))
    site = Site(pk=site_id, name=name, short_name=short, level=level, kind=kind)
    return MinePage(volunteer_id, account, MyPoints(account, site, above + 1, total))


def history(volunteer):
    """A volunteer's ledger, newest first (paginate it)."""
    return (
        Entry.objects.filter(account__volunteer=volunteer)
        .select_related("site")
        .only("pk", "kind", "points", "lifetime_delta", "hours", "service_date", "note", "created_at", "site__name",
              "site__short_name", "site__level", "site__kind", "reverses_id")
        .order_by("-id")
    )  # fmt: skip


def volunteer_points_figures(volunteers: list) -> dict[int, list[Figure]]:
    """Extension-point provider: hours, lifetime points, balance and star level (1 query)."""
    rows = Account.objects.filter(volunteer__in=[v.pk for v in volunteers]).values_list(
        "volunteer_id", "lifetime_hours", "lifetime_points", "balance", "star_level"
    )
    result = {}
    for volunteer_id, hours, lifetime, balance, stars in rows:
        result[volunteer_id] = [
            Figure(key="hours", label=_("Service hours"), value=hours),
            Figure(key="lifetime_points", label=_("Lifetime points"), value=lifetime),
            Figure(key="balance", label=_("Balance"), value=balance),
            Figure(key="stars", label=_("Star level"), value="★" * stars if stars else _("none yet")),
        ]
    return result


# Home panels (civic.home) ------------------------------------------------------------

HOME_SHOPS_LIMIT = 10


def home_points_panel(request) -> Panel | None:
    """A volunteer: lifetime points, balance, hours, star level and rank in the township, read
    as "my points" reads them (1 query)."""
    if not is_in(request, VOLUNTEER):
        return None
    page = mine_for(request.user)
    if page is None:
        return None
    return Panel(
        key="points",
        title=_("My points"),
        template="home/_points.html",
        context={"account": page.account, "me": page.me},
        order=15,
    )


def home_pickups_panel(request) -> Panel | None:
    """Managers: the shops in their area with goods redeemed and waiting to be picked up
    (1 query; nothing shown when none wait)."""
    if not is_in(request, MANAGER):
        return None
    shops = list(
        Redemption.objects.restrict(request.user, "manage")
        .filter(status=RedemptionStatus.WAITING)
        .order_by()
        .values("goods__site_id", "goods__site__name", "goods__site__short_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "goods__site__name")[: HOME_SHOPS_LIMIT + 1]
    )
    if not shops:
        return None
    rows = [
        {
            "site_id": row["goods__site_id"],
            "name": row["goods__site__short_name"] or row["goods__site__name"],
            "n": row["n"],
        }
        for row in shops[:HOME_SHOPS_LIMIT]
    ]
    return Panel(
        key="pickups",
        title=_("Pickups waiting"),
        template="home/_pickups.html",
        context={"shops": rows, "more": len(shops) > HOME_SHOPS_LIMIT},
        order=30,
    )
