"""The sites API: filters, pagination, token auth, clear 400s, a pinned query count,
platforms and roles, and the schema and docs served without any CDN."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from centers import services
from centers.models import Level, ServicePlatform, Site
from centers.tree import check_tree
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_login(user)
    return api


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# Reading and filtering ---------------------------------------------------------------


def test_it_lists_the_sites_in_tree_order_with_their_counts(api, world):
    response = as_user(api, world.county_manager).get("/api/sites/")
    body = response.json()
    assert body["count"] == 5
    assert [row["name"] for row in body["results"]] == ["测试县", "甲镇", "东坪村民委员会", "乙镇", "西坪村民委员会"]
    county = body["results"][0]
    assert county["child_count"] == 2
    assert county["descendant_total"] == 4
    assert county["depth"] == 0
    assert county["parent"] is None
    assert county["display_name"] == Site.objects.get(pk=world.county.pk).display_name
    assert county["tier_label"] == str(Site.objects.get(pk=world.county.pk).tier_label)
    village = body["results"][2]
    assert village["short_name"] == "东坪村"
    assert village["parent"] == world.township.pk
    assert village["child_count"] == 0


def test_it_filters_by_level_and_parent(api, world):
    as_user(api, world.admin)
    assert names(api.get("/api/sites/", {"level": "township"})) == ["甲镇", "乙镇", "丁镇"]
    assert names(api.get("/api/sites/", {"level": ["county", "village"], "parent": world.county.pk})) == []
    assert names(api.get("/api/sites/", {"parent": world.county.pk})) == ["甲镇", "乙镇"]
    assert names(api.get("/api/sites/", {"kind": "base"})) == []
    assert api.get("/api/sites/", {"level": "planet"}).status_code == 400


def test_it_filters_a_subtree_within_the_users_reach(api, world):
    as_user(api, world.admin)
    assert names(api.get("/api/sites/", {"subtree": world.township.pk})) == ["甲镇", "东坪村民委员会"]
    assert names(api.get("/api/sites/", {"subtree": world.elsewhere.pk})) == ["另县", "丁镇"]
    as_user(api, world.township_head)
    assert names(api.get("/api/sites/", {"subtree": world.county.pk})) == ["甲镇", "东坪村民委员会"]
    assert api.get("/api/sites/", {"subtree": "x"}).status_code == 400


def test_it_searches_by_name_code_and_pinyin(api, world):
    as_user(api, world.admin)
    assert names(api.get("/api/sites/", {"q": "东坪"})) == ["东坪村民委员会"]
    assert names(api.get("/api/sites/", {"q": "东坪村"})) == ["东坪村民委员会"]  # the short name
    assert names(api.get("/api/sites/", {"q": "990101102"})) == ["乙镇", "西坪村民委员会"]  # code prefix
    assert names(api.get("/api/sites/", {"q": "dongping"})) == ["东坪村民委员会"]  # pinyin
    assert names(api.get("/api/sites/", {"q": "DPC"})) == ["东坪村民委员会"]  # initials
    assert names(api.get("/api/sites/", {"q": "lingxian"})) == ["另县"]


def test_it_orders_on_request(api, world):
    as_user(api, world.county_manager)
    assert names(api.get("/api/sites/", {"ordering": "-code", "level": "township"})) == ["乙镇", "甲镇"]


def test_it_paginates(api, world):
    as_user(api, world.admin)
    first = api.get("/api/sites/", {"page_size": 3}).json()
    assert first["count"] == 7
    assert len(first["results"]) == 3
    assert first["next"] and first["previous"] is None
    last = api.get("/api/sites/", {"page_size": 3, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    assert api.get("/api/sites/", {"page": 99}).status_code == 404


def test_the_list_runs_a_fixed_number_of_queries(api, world):
    for n in range(50):
        services.site_create(actor=world.admin, parent=world.township2, name=f"新村{n:02d}", level=Level.VILLAGE)
    as_user(api, world.county_manager)
    api.get("/api/sites/")  # warm the per-process caches (content types)
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/sites/", {"page_size": size, "subtree": world.county.pk, "q": "村"})
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    # session, user, count, page of sites (child counts and scope in the same query)
    assert counts == {5: 4, 50: 4}


# Token auth --------------------------------------------------------------------------


def test_a_token_opens_the_api(api, world):
    response = api.post("/api/auth/token/", {"username": "township_head", "password": "pw-township_head"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=world.township_head).key == token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert names(client.get("/api/sites/")) == ["甲镇", "东坪村民委员会"]


def test_a_wrong_password_gets_no_token(api, world):
    response = api.post("/api/auth/token/", {"username": "township_head", "password": "nope"})
    assert response.status_code == 400
    assert not Token.objects.filter(user=world.township_head).exists()


def test_without_credentials_the_api_refuses(api, world):
    assert api.get("/api/sites/").status_code in (401, 403)
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = bad.get("/api/sites/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


# Writes and their errors -------------------------------------------------------------


def test_a_township_head_adds_a_village_to_their_station(api, world):
    as_user(api, world.township_head)
    response = api.post(
        "/api/sites/",
        {"parent": world.township.pk, "name": "北坪村民委员会", "level": "village", "code": "990101101002"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["short_name"] == "北坪村"
    assert body["child_count"] == 0 and body["depth"] == 2
    assert Site.objects.get(pk=body["id"]).parent_id == world.township.pk
    assert check_tree() == []


def test_a_township_head_cannot_add_under_the_county(api, world):
    as_user(api, world.township_head)
    response = api.post("/api/sites/", {"parent": world.county.pk, "name": "丙镇", "level": "township"})
    assert response.status_code == 400  # the county is out of sight: "no such site"
    assert not Site.objects.filter(name="丙镇").exists()
    as_user(api, world.county_manager)
    response = api.post("/api/sites/", {"name": "新县", "level": "county"})
    assert response.status_code == 403  # only an administrator creates a top-level site


def test_a_bad_level_is_a_400_with_a_message(api, world):
    as_user(api, world.county_manager)
    response = api.post("/api/sites/", {"parent": world.county.pk, "name": "丙镇", "level": "planet"})
    assert response.status_code == 400
    assert response.json()["level"]
    response = api.patch(f"/api/sites/{world.township.pk}/", {"level": "province"}, format="json")
    assert response.status_code == 400
    assert response.json()["level"]


def test_a_duplicate_name_is_a_400_with_a_message(api, world):
    as_user(api, world.county_manager)
    response = api.post("/api/sites/", {"parent": world.county.pk, "name": "甲镇", "level": "township"})
    assert response.status_code == 400
    assert response.json()["name"]
    response = api.patch(f"/api/sites/{world.township2.pk}/", {"name": "甲镇"}, format="json")
    assert response.status_code == 400
    assert Site.objects.get(pk=world.township2.pk).name == "乙镇"


def test_a_code_of_the_wrong_length_is_a_400(api, world):
    as_user(api, world.county_manager)
    response = api.patch(f"/api/sites/{world.township.pk}/", {"code": "12"}, format="json")
    assert response.status_code == 400
    assert "9" in response.json()["code"][0]


def test_moving_under_its_own_descendant_is_a_400(api, world):
    as_user(api, world.admin)
    response = api.patch(f"/api/sites/{world.township.pk}/", {"parent": world.village.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["parent"]
    assert check_tree() == []


def test_a_patch_of_the_parent_moves_the_subtree(api, world):
    as_user(api, world.county_manager)
    response = api.patch(f"/api/sites/{world.village2.pk}/", {"parent": world.township.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == world.township.pk
    township = api.get(f"/api/sites/{world.township.pk}/").json()
    assert (township["child_count"], township["descendant_total"]) == (2, 2)
    assert check_tree() == []


def test_a_put_with_the_same_parent_does_not_move(api, world):
    as_user(api, world.township_head)
    current = api.get(f"/api/sites/{world.township.pk}/").json()
    current.update(address="甲镇政府院内", standard_set=None)
    response = api.put(f"/api/sites/{world.township.pk}/", current, format="json")
    assert response.status_code == 200, response.content
    assert Site.objects.get(pk=world.township.pk).address == "甲镇政府院内"


def test_deleting_a_site_with_sites_under_it_is_a_400(api, world):
    as_user(api, world.county_manager)
    response = api.delete(f"/api/sites/{world.township.pk}/")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert api.delete(f"/api/sites/{world.village.pk}/").status_code == 204
    assert not Site.objects.filter(pk=world.village.pk).exists()
    assert check_tree() == []


# Platforms and roles -----------------------------------------------------------------


def test_platforms_global_and_owned(api, world):
    global_one = services.platform_save(actor=world.admin, name="矩阵宣讲")
    as_user(api, world.county_manager)
    response = api.post("/api/platforms/", {"owner": world.county.pk, "name": "县里的平台"}, format="json")
    assert response.status_code == 201, response.content
    own = response.json()["id"]
    as_user(api, world.township_head)
    ids = {row["id"] for row in api.get("/api/platforms/", {"page_size": 500}).json()["results"]}
    assert {global_one.pk, own} <= ids  # the county's own platforms reach its stations
    assert api.patch(f"/api/platforms/{own}/", {"name": "改名"}, format="json").status_code == 403
    assert api.patch(f"/api/platforms/{global_one.pk}/", {"name": "改名"}, format="json").status_code == 403
    as_user(api, world.outsider)
    ids = {row["id"] for row in api.get("/api/platforms/", {"page_size": 500}).json()["results"]}
    assert global_one.pk in ids and own not in ids
    assert api.patch(f"/api/platforms/{own}/", {"name": "改名"}, format="json").status_code == 404
    as_user(api, world.county_manager)
    response = api.patch(f"/api/platforms/{own}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    assert not ServicePlatform.objects.get(pk=own).is_active
    assert api.delete(f"/api/platforms/{own}/").status_code == 405


def test_roles_are_granted_and_revoked_within_ones_subtree(api, world):
    clerk = make_user("clerk")
    as_user(api, world.township_head)
    response = api.post("/api/grants/", {"site": world.village.pk, "user": "clerk", "role": "viewer"}, format="json")
    assert response.status_code == 201, response.content
    grant = response.json()
    assert (grant["site"], grant["user"], grant["role"]) == (world.village.pk, "clerk", "viewer")
    again = api.post("/api/grants/", {"site": world.village.pk, "user": "clerk", "role": "viewer"}, format="json")
    assert again.status_code == 200
    assert Site.objects.restrict(clerk, "view").get() == world.village
    listed = api.get("/api/grants/", {"subtree": world.township.pk}).json()["results"]
    assert {(row["user"], row["role"]) for row in listed} == {
        ("township_head", "manager"),
        ("village_head", "manager"),
        ("clerk", "viewer"),
    }
    # Out of reach: the county and its grants.
    response = api.post("/api/grants/", {"site": world.county.pk, "user": "clerk", "role": "manager"}, format="json")
    assert response.status_code == 400
    county_grant = world.county.grants.get(user=world.county_manager)
    assert api.delete(f"/api/grants/{county_grant.pk}/").status_code == 404
    # A viewer of the county sees the grant but may not revoke it.
    as_user(api, world.county_viewer)
    assert api.get(f"/api/grants/{county_grant.pk}/").status_code == 200
    assert api.delete(f"/api/grants/{county_grant.pk}/").status_code == 403
    as_user(api, world.township_head)
    assert api.delete(f"/api/grants/{grant['id']}/").status_code == 204
    assert not Site.objects.restrict(clerk, "view").exists()
    own = world.township.grants.get(user=world.township_head)
    response = api.delete(f"/api/grants/{own.pk}/")
    assert response.status_code == 400
    assert response.json()["detail"]


# Schema and docs ---------------------------------------------------------------------


def test_the_schema_is_served(api, world):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/sites/", "/api/sites/{id}/", "/api/platforms/", "/api/grants/", "/api/auth/token/"} <= set(
        schema["paths"]
    )
    parameters = {p["name"] for p in schema["paths"]["/api/sites/"]["get"]["parameters"]}
    assert {"level", "kind", "parent", "subtree", "q", "is_active", "ordering", "page", "page_size"} <= parameters


def test_the_docs_load_nothing_from_another_host(api, world):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    sources = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html)
    assert sources, "the docs page should load its scripts and styles"
    assert [s for s in sources if s.startswith(("http://", "https://", "//"))] == []
    assert any("swagger-ui" in s for s in sources)
    static = [s for s in sources if s.startswith(settings.STATIC_URL)]
    assert static
    for source in static:  # every asset ships with the installed packages
        assert finders.find(source.removeprefix(settings.STATIC_URL).split("?")[0]), source
