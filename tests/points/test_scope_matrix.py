"""Every role on goods, ledger entries, redemptions, rules and certificates inside and
outside its subtree, and a volunteer on their own rows and the shops above their home,
through the pages and the API."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from civic.testing import ApiUrls, PageUrls, Persona, ScopeMatrix, form_data_from
from points import services
from points.models import Certificate, Entry, Redemption, Rule
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SITES = ["county", "township", "township2", "village", "village2", "elsewhere", "elsewhere_township"]


@pytest.fixture
def goods(world):
    return {
        name: services.goods_create(actor=world.admin, site=getattr(world, name), name=f"{name}的毛巾", price=10)
        for name in SITES
    }


def goods_matrix(world, goods, *, pages: bool, api: bool) -> ScopeMatrix:
    return ScopeMatrix(
        model=goods[SITES[0]].__class__,
        objects=goods,
        personas=world.matrix_personas(),
        pages=PageUrls(
            view="points:goods-detail",
            change="points:goods-edit",
            more={"stock form": ("points:goods-stock", "change")},
        )
        if pages
        else None,
        # Goods are never deleted (they are taken off sale): the API offers no DELETE.
        api=ApiUrls(detail="points-goods-detail", list="points-goods-list", delete=False) if api else None,
        form_data=lambda g: {**form_data_from(g, ["name", "price", "is_active"])},
        change_field="name",
        change_value="矩阵商品",
    )


def test_every_role_on_goods_through_the_pages(world, goods):
    goods_matrix(world, goods, pages=True, api=False).check()


def test_every_role_on_goods_through_the_api(world, goods):
    goods_matrix(world, goods, pages=False, api=True).check()


def test_every_role_on_shop_lists_through_the_pages(world, goods, client):
    """The shop list of a site: shown to whoever may view the site, a 404 otherwise."""
    matrix = goods_matrix(world, goods, pages=False, api=False)
    matrix.check()  # nothing is sent: the oracle only learns where everything is
    wrong = []
    for persona in world.matrix_personas():
        if persona.user is None:
            continue
        client.force_login(persona.user)
        for name in SITES:
            site = getattr(world, name)
            expected = 200 if matrix.allows(persona, site.pk, "view") else 404
            got = client.get(reverse("points:goods-list", args=[site.pk])).status_code
            if got != expected:
                wrong.append((persona.name, name, expected, got))
    assert wrong == []


# A volunteer reads the goods of the shops at or above their home site; their own entries,
# redemptions and certificates. ------------------------------------------------------------


def _ancestors(site) -> list:
    """The site and the sites above it, by parent links (not the nested sets)."""
    chain = []
    while site is not None:
        chain.append(site.pk)
        site = site.parent
    return chain


@pytest.fixture
def people(world):
    """A volunteer with a login at four sites, each with 3 hours credited at home."""
    found = {}
    for name in ("village", "village2", "township", "elsewhere_township"):
        v = factories.volunteer_with_login(world.admin, getattr(world, name), name=f"{name}志愿者")
        services.points_credit(
            actor=world.admin, volunteer=v, source_key=f"m:{name}", hours=3, site=v.home_site, service_date=TODAY
        )
        found[name] = v
    return found


def personas_with(world, people) -> list[Persona]:
    """Every persona, and the village's volunteer (no role: their own rows only)."""
    return [*world.matrix_personas(), Persona("village volunteer", people["village"].user)]


def home_reach(people):
    """Goods (at ``path`` of the object) at or above the persona's home site, for reading."""
    homes = {v.user_id: v.home_site for v in people.values()}

    def reach(persona, obj, action: str) -> bool:
        home = homes.get(getattr(persona.user, "pk", None))
        return action == "view" and home is not None and obj.site_id in _ancestors(home)

    return reach


def test_every_role_and_a_volunteer_on_goods_through_the_pages_and_the_api(world, goods, people):
    for pages, api in ((True, False), (False, True)):
        matrix = goods_matrix(world, goods, pages=pages, api=api)
        matrix.personas = personas_with(world, people)
        matrix.reach = home_reach(people)
        matrix.check()


def test_every_role_and_a_volunteer_on_ledger_entries(world, people):
    entries = {name: Entry.objects.get(source_key=f"m:{name}") for name in people}
    ScopeMatrix(
        model=Entry,
        objects=entries,
        personas=personas_with(world, people),
        owner=lambda entry: entry.account.volunteer.user_id,
        # The ledger is append-only: read, and reversed by a new entry (a manager's page).
        pages=PageUrls(more={"reverse form": ("points:reverse", "manage")}),
        api=ApiUrls(detail="points-entry-detail", list="points-entry-list", patch=False, delete=False),
        change_field="note",
        change_value="",
    ).check()


def test_every_role_and_a_volunteer_on_redemptions_through_the_api(world, people):
    shops = {"village": world.village, "village2": world.township2, "township": world.county}
    shops["elsewhere_township"] = world.elsewhere
    redemptions = {}
    for name, shop in shops.items():
        goods = services.goods_create(actor=world.admin, site=shop, name=f"{name}的肥皂", price=10)
        services.goods_stock_in(actor=world.admin, goods=goods, quantity=5)
        redemptions[name] = services.redeem(actor=people[name].user, goods=goods)
    ScopeMatrix(
        model=Redemption,
        objects=redemptions,
        personas=personas_with(world, people),
        owner=lambda redemption: redemption.account.volunteer.user_id,
        # Redemptions change through their actions (fulfil, cancel), tested apart.
        api=ApiUrls(detail="points-redemption-detail", list="points-redemption-list", patch=False, delete=False),
        change_field="status",
        change_value="cancelled",
    ).check()


def test_every_role_on_points_rules_through_the_api(world):
    rules = {
        name: services.rule_save(
            actor=world.admin, site=getattr(world, name), valid_from=date(2024, 1, 1), points_per_hour="12"
        )
        for name in ("county", "township", "village2", "elsewhere")
    }
    ScopeMatrix(
        model=Rule,
        objects=rules,
        personas=world.matrix_personas(),
        # Rules are dated and never edited: a new rule from a later date replaces one.
        api=ApiUrls(detail="points-rule-detail", list="points-rule-list", patch=False, delete=False),
        change_field="points_per_hour",
        change_value="13",
    ).check()


def test_every_role_and_a_volunteer_on_certificates_through_the_pages(world, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issued = {
        name: services.certificate_issue(
            actor=world.admin, volunteer=v, period_start=date(TODAY.year, 1, 1), period_end=TODAY
        )
        for name, v in people.items()
    }
    ScopeMatrix(
        model=Certificate,
        objects=issued,
        personas=personas_with(world, people),
        owner=lambda certificate: certificate.volunteer.user_id,
        pages=PageUrls(view="points:certificate-pdf"),
        change_field="hours",
        change_value=0,
    ).check()


def test_a_volunteer_sees_goods_they_may_buy_but_not_the_shops_books(world, people, client):
    goods = services.goods_create(actor=world.admin, site=world.township, name="账本毛巾", price=10)
    services.goods_stock_in(actor=world.township_head, goods=goods, quantity=3, note="矩阵入库")
    page = reverse("points:goods-detail", args=[goods.pk])
    client.force_login(people["village"].user)
    shown = client.get(page)
    assert shown.status_code == 200 and "账本毛巾" in shown.content.decode()
    assert "矩阵入库" not in shown.content.decode() and "township_head" not in shown.content.decode()
    client.force_login(world.county_viewer)
    assert "矩阵入库" in client.get(page).content.decode()
    client.force_login(people["village2"].user)
    assert client.get(page).status_code == 404
