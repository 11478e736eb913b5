"""Reads of the site tree that are more than a filter, and the reads that decide what a
user may do there (which sites they may add a platform to, where a site may move), each in
a fixed number of queries. The services enforce the same rules; pages ask these which
choices and buttons to show."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civic import nested
from civic.figures import Figure, site_figures
from civic.home import Panel, is_in
from civic.ids import is_digits
from civic.nav import LEADER, STAFF, VOLUNTEER
from civic.scope import can
from civic.types import Viewer

from .models import LEVEL_RANK, Kind, Level, ServicePlatform, Site, StandardCheck, StandardItem, StandardSet

PLATFORM_OWNER_LEVELS = (Level.COUNTY,)  # a county keeps its own list of platforms


def subtree(site: Site, include_self: bool = True) -> QuerySet[Site]:
    """Every site under ``site`` (one indexed range condition)."""
    return Site.objects.filter(nested.under(site, strict=not include_self))


def top_sites_for(user: Viewer) -> QuerySet[Site]:
    """The highest sites a user can see: the roots for an administrator, otherwise the
    sites of their grants that do not lie under another of their grants (2 queries)."""
    if user is None or not user.is_authenticated:
        return Site.objects.none()
    if user.is_superuser:
        return Site.objects.filter(parent__isnull=True).order_by("tree_id")
    granted = list(Site.objects.filter(grants__user=user).distinct().order_by())
    tops = [site.pk for site in granted if not any(nested.contains(top, site, strict=True) for top in granted)]
    return Site.objects.filter(pk__in=tops).order_by(*nested.tree_order())


def with_child_counts(queryset: QuerySet[Site]) -> QuerySet[Site]:
    """Annotate direct children (``child_count``); the whole subtree's size is free
    (``descendant_total``) from the nested sets."""
    children = Site.objects.filter(parent=OuterRef("pk")).order_by().values("parent").annotate(n=Count("*")).values("n")
    return queryset.annotate(child_count=Coalesce(Subquery(children, output_field=IntegerField()), Value(0)))


def children_of(site: Site) -> QuerySet[Site]:
    """A site's direct children with their counts, in tree order (1 query)."""
    return with_child_counts(site.get_children()).order_by(*nested.tree_order())


def site_search(user: Viewer, q: str) -> QuerySet[Site]:
    """Sites ``user`` may view whose name, short name, pinyin or code matches ``q``, with
    their parents and child counts, in tree order (1 query)."""
    condition = Q(name__icontains=q) | Q(short_name__icontains=q)
    compact = q.replace(" ", "").lower()
    if compact.isascii() and compact.isalpha():
        condition |= Q(pinyin__icontains=compact)
    if is_digits(q):
        condition |= Q(code__startswith=q)
    found = Site.objects.restrict(user, "view").filter(condition).select_related("parent")
    return with_child_counts(found).order_by(*nested.tree_order())


def level_below(parent: Site | None) -> str:
    """The level a new practice site under ``parent`` most likely has (no query)."""
    if parent is None:
        return Level.COUNTY
    levels = Level.values
    return levels[min(LEVEL_RANK[parent.level] + 1, len(levels) - 1)]


def move_candidates(site: Site, user: Viewer) -> QuerySet[Site]:
    """Sites ``site`` could move under: practice sites above its level (a base or post: at
    its level too), outside its own subtree, that ``user`` may add sites under, in tree
    order (no query until read)."""
    rank = LEVEL_RANK[site.level]
    if site.kind == Kind.PRACTICE:
        above = [level for level in Level.values if LEVEL_RANK[level] < rank]
    else:
        above = [level for level in Level.values if LEVEL_RANK[level] <= rank]
    allowed = Site.objects.restrict(user, "add")
    return (
        allowed.filter(kind=Kind.PRACTICE, level__in=above).exclude(nested.under(site)).order_by(*nested.tree_order())
    )


@dataclass(frozen=True)
class SiteActions:
    """What ``user`` may do to a site from its page: ``change`` (edit, roles, standards), and
    for adding under it, moving and deleting it, why not ("" when they may)."""

    change: bool
    add: str
    move: str
    delete: str


def site_actions(user: Viewer, site: Site) -> SiteActions:
    """The buttons of a site's page, each with the reason it cannot be used (2 queries, none
    for an administrator)."""
    if user is None or not can(user, "change", site):
        return SiteActions(change=False, add="", move="", delete="")
    add = "" if site.kind == Kind.PRACTICE else _("Nothing can be placed under a base or a service post.")
    move = ""
    if not user.is_superuser and not move_candidates(site, user).exists():
        move = _("It cannot move: no site within your area could take it.")
    under = site.descendant_total
    delete = (
        ngettext(
            "It cannot be deleted while %(n)s site is under it: move or delete it first, or mark this one inactive.",
            "It cannot be deleted while %(n)s sites are under it: move or delete them first, or mark this one "
            "inactive.",
            under,
        )
        % {"n": under}
        if under
        else ""
    )
    return SiteActions(change=True, add=add, move=move, delete=delete)


def platform_owners(user: Viewer) -> QuerySet[Site]:
    """The sites to whose list ``user`` may add a platform: the counties they manage. The
    rule ``platform_save`` enforces; pages ask it which choices (and buttons) to show."""
    return Site.objects.restrict(user, "manage").filter(level__in=PLATFORM_OWNER_LEVELS)


def platform_may_add(user: Viewer) -> bool:
    """Whether ``user`` may add a platform anywhere (an administrator: also everywhere)."""
    return bool(user and user.is_superuser) or platform_owners(user).exists()


@dataclass(frozen=True)
class TierCount:
    level: str
    label: str
    practice: int
    other: int


def tier_counts(site: Site) -> list[TierCount]:
    """How many practice sites (and bases/posts) of each level lie under ``site`` (1 query)."""
    rows = (
        subtree(site, include_self=False)
        .order_by()
        .values("level")
        .annotate(
            practice=Count("pk", filter=Q(kind=Kind.PRACTICE)),
            other=Count("pk", filter=~Q(kind=Kind.PRACTICE)),
        )
    )
    by_level = {row["level"]: row for row in rows}
    return [
        TierCount(level, str(label), by_level[level]["practice"], by_level[level]["other"])
        for level, label in Level.choices
        if level in by_level
    ]


def _effective_set() -> QuerySet[Site]:
    """Subquery: the checklist a site is held to (its own, else its nearest ancestor's)."""
    return (
        Site.objects.filter(nested.over(nested.outer()), standard_set__isnull=False)
        .order_by(*nested.tree_order(reverse=True))
        .values("standard_set_id")[:1]
    )


def _with_compliance(queryset: QuerySet[Site]) -> QuerySet[Site]:
    items = (
        StandardItem.objects.filter(standard_set=OuterRef("effective_set"))
        .order_by()
        .values("standard_set")
        .annotate(n=Count("*"))
        .values("n")
    )
    passed = (
        StandardCheck.objects.filter(site=OuterRef("pk"), passed=True, item__standard_set=OuterRef("effective_set"))
        .order_by()
        .values("site")
        .annotate(n=Count("*"))
        .values("n")
    )
    return queryset.annotate(effective_set=Subquery(_effective_set())).annotate(
        items_required=Coalesce(Subquery(items, output_field=IntegerField()), Value(0)),
        items_passed=Coalesce(Subquery(passed, output_field=IntegerField()), Value(0)),
    )


@dataclass(frozen=True)
class Compliance:
    sites: int
    compliant: int
    items_required: int
    items_passed: int

    @property
    def site_rate(self) -> float | None:
        return self.compliant / self.sites if self.sites else None

    @property
    def item_rate(self) -> float | None:
        return self.items_passed / self.items_required if self.items_required else None


def standards_rollup(site: Site) -> Compliance:
    """Standards compliance of the active practice sites under ``site`` (itself included),
    each held to its own effective checklist (1 query)."""
    rows = _with_compliance(subtree(site).filter(kind=Kind.PRACTICE, is_active=True)).values_list(
        "items_required", "items_passed"
    )
    sites = compliant = required = passed = 0
    for items_required, items_passed in rows:
        sites += 1
        required += items_required
        passed += min(items_passed, items_required)
        compliant += bool(items_required and items_passed >= items_required)
    return Compliance(sites=sites, compliant=compliant, items_required=required, items_passed=passed)


def standards_items_for(site: Site) -> tuple[StandardSet | None, list[tuple[StandardItem, StandardCheck | None]]]:
    """The checklist ``site`` is held to, each item with this site's check (2 queries)."""
    effective = Site.objects.filter(nested.over(site), standard_set__isnull=False).order_by(
        *nested.tree_order(reverse=True)
    )
    owner = effective.select_related("standard_set").first()
    if owner is None or owner.standard_set is None:
        return None, []
    items = list(owner.standard_set.items.all())
    checks = {c.item_id: c for c in StandardCheck.objects.filter(site=site).select_related("checked_by")}
    return owner.standard_set, [(item, checks.get(item.pk)) for item in items]


def platforms_for(site: Site | None) -> QuerySet[ServicePlatform]:
    """Service platforms offered at ``site``: those offered everywhere plus its county's
    (or any ancestor's) own (1 query)."""
    qs = ServicePlatform.objects.filter(is_active=True)
    if site is None:
        return qs.filter(owner__isnull=True)
    return qs.filter(Q(owner__isnull=True) | nested.over(site, "owner"))


def site_standard_figures(sites: list[Site]) -> dict[int, list[Figure]]:
    """The extension-point provider: each site's own standards compliance (1 query)."""
    rows = _with_compliance(Site.objects.filter(pk__in=[s.pk for s in sites])).values(
        "pk", "items_required", "items_passed"
    )
    result: dict[int, list[Figure]] = {}
    for row in rows:
        if row["items_required"]:
            result[row["pk"]] = [
                Figure(
                    key="standards",
                    label=_("Standards met"),
                    value=f"{row['items_passed']}/{row['items_required']}",
                    ok=row["items_passed"] >= row["items_required"],
                )
            ]
    return result


# Home panels (civic.home) ------------------------------------------------------------

HOME_SITES_LIMIT = 10


def home_sites_panel(request) -> Panel | None:
    """Staff: the sites they hold a role on, each with every app's figures, what they may do
    there, and — for one site — how many sites of each level lie under it (4 queries, plus
    one per app offering site figures)."""
    if not is_in(request, STAFF):
        return None
    user = request.user
    tops = list(with_child_counts(top_sites_for(user))[: HOME_SITES_LIMIT + 1])  # 2 queries
    more = len(tops) > HOME_SITES_LIMIT
    tops = tops[:HOME_SITES_LIMIT]
    if not tops:
        return None
    changeable = set(
        Site.objects.restrict(user, "change").filter(pk__in=[s.pk for s in tops]).values_list("pk", flat=True)
    )
    figures = site_figures(tops)
    for site in tops:
        site.figures = figures.get(site.pk, [])
        site.may_change = site.pk in changeable
    one = tops[0] if len(tops) == 1 else None
    return Panel(
        key="sites",
        title=one.display_name if one else _("My sites"),
        template="home/_sites.html",
        context={"sites": tops, "more": more, "one": one, "tiers": tier_counts(one) if one else []},
        order=40,
    )


def home_ask_panel(request) -> Panel | None:
    """Someone with no role and no volunteer record: whom to ask for a role — the liaison of
    the center at the top of the tree, when there is one (1 query)."""
    if is_in(request, STAFF, VOLUNTEER, LEADER):
        return None
    roots = list(Site.objects.filter(parent__isnull=True, is_active=True).order_by(*nested.tree_order())[:2])
    center = roots[0] if len(roots) == 1 else None
    return Panel(
        key="ask", title=_("Working at a station?"), template="home/_ask.html", context={"center": center}, order=85
    )
