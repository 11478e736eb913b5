"""Reads of points, each in a fixed number of queries: the rule in force, rankings and who may
read them, "my points", the shop a volunteer may buy from, the shop's books, certificates by
their code, the decisions pages ask before offering a move, and the check of the ledger."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.models import Level, Site
from centers.selectors import top_sites_for
from civic import nested
from civic.figures import Figure
from civic.home import Panel, is_in
from civic.nav import MANAGER, VOLUNTEER
from civic.scope import can
from volunteers.models import MembershipStatus, Team, Volunteer

from .models import (
    DEFAULT_STAR_HOURS,
    RANKINGS_SCOPE,
    Account,
    Certificate,
    Entry,
    EntryKind,
    Goods,
    Redemption,
    RedemptionStatus,
    Rule,
    StockKind,
)
from .ranking import misranked_accounts

DEFAULT_POINTS_PER_HOUR = Decimal("10")


# Whose records ------------------------------------------------------------------------


def volunteer_of(user: Any) -> Volunteer | None:
    """The user's own volunteer record with its home site (1 query), or None."""
    if user is None or not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user).select_related("home_site").first()


# Rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveRule:
    """The rule in force at a site on a day (``rule`` is None for the defaults)."""

    points_per_hour: Decimal
    theme_bonus: int
    rating_bonus: dict[str, int]
    deductions: dict[str, int]
    star_hours: list[int]
    rule: Rule | None


def rule_for(site: Site, day: date) -> EffectiveRule:
    """The rule in force at ``site`` on ``day``: the deepest site's (itself or an ancestor)
    latest rule dated on or before ``day``; the defaults if there is none (1 query)."""
    rule = (
        Rule.objects.filter(nested.over(site, "site"), valid_from__lte=day)
        .select_related("site")
        .order_by(*nested.tree_order("site", reverse=True), "-valid_from")
        .first()
    )
    if rule is None:
        return EffectiveRule(DEFAULT_POINTS_PER_HOUR, 0, {}, {}, list(DEFAULT_STAR_HOURS), None)
    return EffectiveRule(
        rule.points_per_hour,
        rule.theme_bonus,
        dict(rule.rating_bonus or {}),
        dict(rule.deductions or {}),
        list(rule.star_hours or DEFAULT_STAR_HOURS),
        rule,
    )


def star_level_for(hours: Decimal, thresholds: Sequence[int]) -> int:
    """How many of the star thresholds (hours) ``hours`` reaches: 0 to 5."""
    return sum(1 for limit in thresholds if hours >= Decimal(str(limit)))


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


def _ranked(rows: Iterable[tuple[int, str, str, int, Decimal]], *, by: str) -> list[Ranked]:
    """Rows in score order, ranked the way a sports table is: equal scores share a rank and
    the next rank skips as many places (1, 2, 2, 4)."""
    ranked: list[Ranked] = []
    previous: object = None
    for place, (pk, name, where, points, hours) in enumerate(rows, start=1):
        score = hours if by == "hours" else points
        rank = ranked[-1].rank if ranked and score == previous else place
        ranked.append(Ranked(rank, pk, name, where, points, hours))
        previous = score
    return ranked


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
        return _ranked(rows, by=by)
    in_period = (
        Entry.objects.filter(nested.under(site, "account__volunteer__home_site"))
        .filter(service_date__range=bounds)
        .order_by()
        .values("account__volunteer_id", "account__volunteer__real_name", "account__volunteer__home_site__short_name")
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
    return _ranked(in_period, by=by)


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
    return _ranked(((pk, name, where, *_split(score, by)) for pk, name, where, score in teams), by=by)


def _split(score, by: str) -> tuple[int, Decimal]:
    """(points, hours) of a score that is one or the other."""
    return (0, score) if by == "hours" else (int(score), Decimal(0))


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
    return _ranked(((pk, short or name, "", *_split(score, by)) for pk, short, name, score in children), by=by)


RANKINGS: dict[str, Callable[..., list[Ranked]]] = {
    "volunteers": volunteer_ranking,
    "teams": team_ranking,
    "sites": site_ranking,
}


def ranking_sites(user: Any) -> QuerySet[Site]:
    """The sites whose rankings ``user`` may read (``points.models.RANKINGS_SCOPE``: a role
    at, above or below the site, or a home site below it), as one filter of the same query."""
    condition = RANKINGS_SCOPE.condition(user, "view")
    sites = Site.objects.all()
    return sites if condition is None else sites.filter(condition)


def rankings_site_for(user: Any, pk: int | None, volunteer: Volunteer | None = None) -> Site | None:
    """The site whose rankings ``user`` reads: site ``pk`` if they may read its rankings (else
    None: a 404), or by default the township of their home site, or their top site (1 query,
    2 for a volunteer's default). The one rule of the rankings page and the API."""
    if pk is not None:
        return ranking_sites(user).filter(pk=pk).first()
    if volunteer is not None:
        account = Account.objects.filter(volunteer=volunteer).select_related("rank_site").first()
        return account.rank_site if account and account.rank_site else _township_of(volunteer.home_site)
    return top_sites_for(user).first()


def _township_of(home: Site) -> Site:
    """The township ``home`` lies in (``home`` itself above any township): 1 query."""
    township = (
        Site.objects.filter(nested.over(home), level=Level.TOWNSHIP).order_by(*nested.tree_order(reverse=True)).first()
    )
    return township or home


def ranking_choices(user: Any, site: Site) -> list[Site]:
    """The areas to offer beside ``site``'s rankings: the sites above it and the ones right
    under it whose rankings ``user`` may read (1 query for a top site, else 2)."""
    tree = nested.tree_order()
    above = list(site.get_ancestors().order_by(*tree))  # readable: each lies over ``site``
    below = list(ranking_sites(user).filter(parent=site).order_by(*tree)[:200])
    return [*above, site, *below]


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
    if isinstance(updated, str):  # SQLite gives text
        updated = parse_datetime(updated)
    account = Account(
        pk=account_id,
        volunteer_id=volunteer_id,
        lifetime_points=lifetime,
        balance=balance,
        lifetime_hours=Decimal(str(hours)).quantize(Decimal("0.01")),
        star_level=stars,
        updated_at=updated,
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


def marked_history(volunteer):
    """``history``, each entry marked ``was_reversed`` (inside the same query)."""
    return history(volunteer).annotate(was_reversed=Exists(Entry.objects.filter(reverses=OuterRef("pk"))))


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


# The shop -----------------------------------------------------------------------------


def shop_goods(volunteer: Volunteer) -> QuerySet[Goods]:
    """The goods a volunteer may buy: those of the shops at or above their home site (where
    ``services.redeem`` lets them redeem), in tree order of the shops."""
    return (
        Goods.objects.filter(nested.over(volunteer.home_site, "site"))
        .select_related("site")
        .order_by(*nested.tree_order("site"), "price", "name")
    )


def balance_of(volunteer: Volunteer) -> int:
    """What the volunteer may spend now (0 without an account): 1 query."""
    return Account.objects.filter(volunteer=volunteer).values_list("balance", flat=True).first() or 0


def account_of(volunteer: Volunteer) -> Account | None:
    """The volunteer's account, or None before their first entry (1 query)."""
    return Account.objects.filter(volunteer=volunteer).first()


@dataclass(frozen=True)
class ShelfRow:
    """One goods item of a shop's books (账物相符): what came in and went out, all counted as
    positive numbers, what the books say is left, and what is on the shelves."""

    pk: int
    name: str
    goods_in: int
    redeemed: int
    returned: int
    written_off: int
    shelves: int

    @property
    def books(self) -> int:
        return self.goods_in - self.redeemed + self.returned - self.written_off

    @property
    def balanced(self) -> bool:
        return self.books == self.shelves


def reconciliation_rows(site: Site) -> list[ShelfRow]:
    """Each goods item of ``site``'s shop with its stock movements summed by kind (1 query)."""

    def total(kind: str):
        return Coalesce(Sum("movements__quantity", filter=Q(movements__kind=kind)), 0, output_field=IntegerField())

    rows = (
        Goods.objects.filter(site=site)
        .annotate(
            came=total(StockKind.IN),
            redeemed=total(StockKind.REDEEMED),
            returned=total(StockKind.RETURNED),
            written_off=total(StockKind.WRITE_OFF),
        )
        .order_by("name")
        .values_list("pk", "name", "came", "redeemed", "returned", "written_off", "stock")
    )
    # Movements are signed (in +, out −); the books show every count as a positive number.
    return [
        ShelfRow(pk, name, came, -redeemed, returned, -written_off, stock)
        for pk, name, came, redeemed, returned, written_off, stock in rows
    ]


def goods_with_waiting(site: Site) -> QuerySet[Goods]:
    """A shop's goods, on sale first, each marked ``has_waiting`` (a redemption waits for
    pickup) inside the same query."""
    waiting = Redemption.objects.filter(goods=OuterRef("pk"), status=RedemptionStatus.WAITING)
    return Goods.objects.filter(site=site).annotate(has_waiting=Exists(waiting)).order_by("-is_active", "price", "name")


# Certificates ---------------------------------------------------------------------------


def certificate_by_code(text: object) -> Certificate | None:
    """The certificate whose verification code someone typed (any case, spaces or dashes
    anywhere: ``Certificate.normal_code``), with its volunteer and site; None if there is
    none (1 query, none for text that cannot be a code). Every door that checks a code asks
    this."""
    code = Certificate.normal_code(text)
    if code is None:
        return None
    return Certificate.objects.filter(code=code).select_related("volunteer", "site").first()


def issuing_site(volunteer: Volunteer) -> Site | None:
    """The county center above the volunteer's home site (else the top of their tree): 1 query."""
    ancestors = Site.objects.filter(nested.over(volunteer.home_site)).order_by(*nested.tree_order())
    return ancestors.filter(level=Level.COUNTY).first() or ancestors.first()


CERTIFIED_KINDS = (
    EntryKind.SERVICE,
    EntryKind.OPENING,
    EntryKind.ADJUSTMENT,
    EntryKind.REVERSAL,
    EntryKind.BONUS,
    EntryKind.DEDUCTION,
)


def served_in(volunteer: Volunteer, start: date, end: date) -> tuple[Decimal, int]:
    """The hours served and points earned by ``volunteer`` from ``start`` to ``end`` (1 query)."""
    sums = Entry.objects.filter(
        account__volunteer=volunteer, service_date__range=(start, end), kind__in=CERTIFIED_KINDS
    ).aggregate(hours=Coalesce(Sum("hours"), Decimal("0")), points=Coalesce(Sum("lifetime_delta"), 0))
    return sums["hours"], sums["points"]


# Decisions the pages ask before offering a move -----------------------------------------


def may_manage(user: Any, site: Site) -> bool:
    """Whether ``user`` may manage the points of ``site`` (its shop, rules, seal): 1 query."""
    return can(user, "manage", site)


def may_reverse(user: Any, entry: Entry) -> bool:
    """Whether ``user`` may reverse entries like ``entry``: a manager where it was made
    (1 query). Which kinds are reversed at all is the service's rule."""
    return can(user, "manage", entry.site)


def may_issue_certificate(user: Any, volunteer: Volunteer) -> bool:
    """Whether ``user`` may issue ``volunteer`` a certificate: the volunteer, or a manager of
    their home site (1 query, none for the volunteer)."""
    if user is not None and user.is_authenticated and volunteer.user_id == user.pk:
        return True
    return can(user, "manage", volunteer.home_site)


# Checking the ledger ---------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    account_id: int
    volunteer: str
    field: str
    stored: object
    ledger: object


def reconcile() -> list[Drift]:
    """Recompute every account from the ledger (and its rank site from the tree) and list every
    difference (3 queries)."""
    sums = {
        row["account"]: row
        for row in Entry.objects.order_by()
        .values("account")
        .annotate(
            lifetime=Coalesce(Sum("lifetime_delta"), 0),
            balance=Coalesce(Sum("points"), 0),
            hours=Coalesce(Sum("hours"), Decimal("0")),
        )
    }
    drifts = []
    for account in Account.objects.select_related("volunteer").iterator(chunk_size=5000):
        row = sums.get(account.pk, {"lifetime": 0, "balance": 0, "hours": Decimal("0")})
        for field, stored, ledger in (
            ("lifetime_points", account.lifetime_points, row["lifetime"]),
            ("balance", account.balance, row["balance"]),
            ("lifetime_hours", account.lifetime_hours, row["hours"]),
        ):
            if stored != ledger:
                drifts.append(Drift(account.pk, str(account.volunteer), field, stored, ledger))
    for account_id, stored_site, expected in misranked_accounts():
        drifts.append(Drift(account_id, "", "rank_site", stored_site, expected))
    return drifts


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
