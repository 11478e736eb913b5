"""Reads of the site tree that are more than a filter, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from civic import nested
from civic.figures import Figure, site_figures
from civic.home import Panel, is_in
from civic.nav import LEADER, STAFF, VOLUNTEER

from .models import Kind, Level, ServicePlatform, Site, StandardCheck, StandardItem


def subtree(site: Site, include_self: bool = True):
    """Every site under ``site`` (one indexed range condition)."""
    return Site.objects.filter(nested.under(site, strict=not include_self))


def top_sites_for(user):
    """The highest sites a user can see: the roots for an administrator, otherwise the
    sites of their grants that do not lie under another of their grants (2 queries)."""
    if user.is_superuser:
        return Site.objects.filter(parent__isnull=True).order_by("tree_id")
    granted = list(Site.objects.filter(grants__user=user).distinct().order_by())
    tops = [site.pk for site in granted if not any(nested.contains(top, site, strict=True) for top in granted)]
    return Site.objects.filter(pk__in=tops).order_by(*nested.tree_order())


def with_child_counts(queryset):
    """Annotate direct children (``child_count``); the whole subtree's size is free
    (``descendant_total``) from the nested sets."""
    children = Site.objects.filter(parent=OuterRef("pk")).order_by().values("parent").annotate(n=Count("*")).values("n")
    return queryset.annotate(child_count=Coalesce(Subquery(children, output_field=IntegerField()), Value(0)))


def children_of(site: Site):
    """A site's direct children with their counts, in tree order (1 query)."""
    return with_child_counts(site.get_children()).order_by(*nested.tree_order())


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


def _effective_set():
    """Subquery: the checklist a site is held to (its own, else its nearest ancestor's)."""
    return (
        Site.objects.filter(nested.over(nested.outer()), standard_set__isnull=False)
        .order_by(*nested.tree_order(reverse=True))
        .values("standard_set_id")[:1]
    )


def _with_compliance(queryset):
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


def standards_items_for(site: Site):
    """The checklist ``site`` is held to, each item with this site's check (2 queries)."""
    effective = Site.objects.filter(nested.over(site), standard_set__isnull=False).order_by(
        *nested.tree_order(reverse=True)
    )
    owner = effective.select_related("standard_set").first()
    if owner is None:
        return None, []
    items = list(owner.standard_set.items.all())
    checks = {c.item_id: c for c in StandardCheck.objects.filter(site=site).select_related("checked_by")}
    return owner.standard_set, [(item, checks.get(item.pk)) for item in items]


def platforms_for(site: Site | None):
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
