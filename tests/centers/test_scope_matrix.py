"""Every role on sites inside and outside its subtree, through the pages and the API."""

import pytest
from django.urls import reverse

from centers.forms import SITE_FORM_FIELDS
from centers.models import Site
from civic.testing import ApiUrls, PageUrls, ScopeMatrix, form_data_from

pytestmark = pytest.mark.django_db


def site_matrix(world, *, pages: bool, api: bool) -> ScopeMatrix:
    return ScopeMatrix(
        model=Site,
        objects={
            "county": world.county,
            "township": world.township,
            "township2": world.township2,
            "village": world.village,
            "village2": world.village2,
            "elsewhere": world.elsewhere,
            "elsewhere_township": world.elsewhere_township,
        },
        personas=world.matrix_personas(),
        pages=PageUrls(
            view="centers:site-detail",
            change="centers:site-edit",
            delete="centers:site-delete",
            # The tree's search lists every site it finds; all codes of the world start with 99.
            list=lambda: reverse("centers:tree") + "?q=99",
            more={"move form": ("centers:site-move", "change"), "roles page": ("centers:site-roles", "manage")},
            list_marker=lambda site: f'href="{reverse("centers:site-detail", args=[site.pk])}"',
        )
        if pages
        else None,
        api=ApiUrls(detail="site-detail", list="site-list") if api else None,
        form_data=lambda site: form_data_from(site, SITE_FORM_FIELDS),
        change_field="address",
        change_value="矩阵路 1 号",
        # A site with sites under it is never deleted: the service refuses it.
        refused=lambda site, action: action == "delete" and not site.is_leaf_node(),
    )


def test_every_role_on_sites_through_the_api(world):
    site_matrix(world, pages=False, api=True).check()


def test_every_role_on_sites_through_the_pages(world):
    site_matrix(world, pages=True, api=False).check()
