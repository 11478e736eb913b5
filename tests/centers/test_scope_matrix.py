"""Every role on sites, service platforms, role grants and standard checks inside and outside
its subtree, through the pages and the API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from centers import services
from centers.forms import SITE_FORM_FIELDS
from centers.models import ServicePlatform, Site, SiteGrant, StandardCheck, StandardSet
from civic.testing import ApiUrls, PageUrls, ScopeMatrix, form_data_from
from tests.factories import make_user

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


# Service platforms: those offered everywhere are read by everyone; a county's own by anyone
# holding a role at, above or below that county; changed by its managers. ----------------


def _ancestors(site) -> list:
    """The site and the sites above it, by parent links (not the nested sets)."""
    chain = []
    while site is not None:
        chain.append(site.pk)
        site = site.parent
    return chain


def _related(a, b) -> bool:
    """One site lies above (or is) the other, by parent links."""
    return a.pk in _ancestors(b) or b.pk in _ancestors(a)


@pytest.fixture
def platforms(world):
    return {
        "everywhere": services.platform_save(actor=world.admin, owner=None, name="矩阵平台"),
        "county": services.platform_save(actor=world.admin, owner=world.county, name="本县平台"),
        "elsewhere": services.platform_save(actor=world.admin, owner=world.elsewhere, name="另县平台"),
    }


def platform_reach(persona, platform, action: str) -> bool:
    if action != "view":
        return False
    if platform.owner is None:
        return True
    return any(_related(site, platform.owner) for site, _role in persona.grants)


def platform_matrix(world, platforms, *, pages: bool, api: bool) -> ScopeMatrix:
    edit = reverse("centers:platforms")
    return ScopeMatrix(
        model=ServicePlatform,
        objects=platforms,
        personas=world.matrix_personas(),
        reach=platform_reach,
        pages=PageUrls(
            change=lambda p: f"{edit}?edit={p.pk}",
            list="centers:platforms",
            list_marker=lambda p: f"<td>{p.name}</td>",
        )
        if pages
        else None,
        # A platform is never deleted (activities keep pointing at it): the API offers no DELETE.
        api=ApiUrls(detail="platform-detail", list="platform-list", delete=False) if api else None,
        form_data=lambda p: form_data_from(p, ["name", "name_en", "sort_order", "is_active"]),
        change_field="name_en",
        change_value="Matrix",
    )


def test_every_role_on_service_platforms_through_the_api(world, platforms):
    platform_matrix(world, platforms, pages=False, api=True).check()


def test_every_role_on_service_platforms_through_the_pages(world, platforms):
    platform_matrix(world, platforms, pages=True, api=False).check()


# Role grants: seen with their site, given and taken away by its managers. ---------------


def test_every_role_on_role_grants_through_the_api(world):
    holders = {}
    for name in ("county", "township", "village", "township2", "elsewhere_township"):
        user = make_user(f"holder_{name}")
        services.role_grant(actor=world.admin, user=user, site=getattr(world, name), role="viewer")
        holders[name] = SiteGrant.objects.get(user=user)
    ScopeMatrix(
        model=SiteGrant,
        objects=holders,
        personas=world.matrix_personas(),
        # Grants are given and taken away, never edited: the API offers no PATCH.
        api=ApiUrls(detail="grant-detail", list="grant-list", patch=False),
        change_field="user_id",
        change_value=0,
    ).check()


# Standard checks: their evidence photos are served within the site's scope. --------------


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("evidence.png", buffer.getvalue(), content_type="image/png")


def test_every_role_on_standard_checks_through_the_pages(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    five = StandardSet.objects.get(name="五有")
    item = five.items.first()
    checks = {}
    for name in ("county", "elsewhere"):
        services.standard_set_choose(actor=world.admin, site=getattr(world, name), standard_set=five)
    for name in ("township", "village", "village2", "elsewhere_township"):
        checks[name] = services.standard_check_record(
            actor=world.admin, site=getattr(world, name), item=item, passed=True, evidence=photo()
        )
    ScopeMatrix(
        model=StandardCheck,
        objects=checks,
        personas=world.matrix_personas(),
        pages=PageUrls(view="centers:evidence"),
        change_field="note",
        change_value="",
    ).check()
