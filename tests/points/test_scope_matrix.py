"""Every role on goods inside and outside its subtree, through the pages and the API."""

import pytest
from django.urls import reverse

from civic.testing import ApiUrls, PageUrls, ScopeMatrix, form_data_from
from points import services

pytestmark = pytest.mark.django_db

SITES = ["county", "township", "township2", "village", "village2", "elsewhere", "elsewhere_township"]


@pytest.fixture
def goods(world):
    return {
        name: services.goods_save(actor=world.admin, site=getattr(world, name), name=f"{name}的毛巾", price=10)
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
