"""Ids that are no ids on the site pages are absent or not found, never a server error; an
official code is ASCII digits only; API writes to an id that is no number answer 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from centers import services
from centers.models import Level

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "²"


def test_a_new_site_under_a_bad_parent_is_not_found(as_user, world):
    client = as_user(world.county_manager)
    response = client.get("/sites/new/", {"parent": SUPERSCRIPT_TWO})
    assert response.status_code == 404
    assert client.get("/sites/new/", {"parent": world.township.pk}).status_code == 200


def test_the_platforms_page_finds_no_bad_platform(as_user, world):
    client = as_user(world.county_manager)
    assert client.get("/sites/platforms/", {"edit": SUPERSCRIPT_TWO}).status_code == 404
    assert client.post("/sites/platforms/", {"platform": SUPERSCRIPT_TWO}).status_code == 404


def test_revoking_a_bad_grant_is_not_found(as_user, world):
    client = as_user(world.county_manager)
    response = client.post(f"/sites/{world.township.pk}/roles/revoke/", {"grant": SUPERSCRIPT_TWO})
    assert response.status_code == 404


def test_the_children_fragment_drops_a_bad_page(as_user, world):
    response = as_user(world.county_manager).get(f"/sites/{world.county.pk}/children/", {"page": SUPERSCRIPT_TWO})
    assert response.status_code == 302 and response["Location"] == f"/sites/{world.county.pk}/"


def test_an_official_code_in_other_digits_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        services.site_create(actor=world.admin, parent=None, name="某县", level=Level.COUNTY, code="99030²")
    assert "code" in refused.value.message_dict


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", "/api/sites/AAA/"),
        ("patch", "/api/sites/²/"),
        ("delete", "/api/grants/AAA/"),
        ("patch", "/api/platforms/AAA/"),
        ("delete", "/api/volunteers/AAA/"),
        ("post", "/api/memberships/AAA/approve/"),
        ("post", "/api/teams/AAA/set-leader/"),
        ("post", "/api/points/goods/AAA/stock/"),
        ("patch", "/api/sites/0.5/"),
    ],
)
def test_api_writes_to_an_id_that_is_no_number_answer_not_found(world, method, url):
    client = APIClient()
    client.force_login(world.county_manager)
    response = getattr(client, method)(url, {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json()["detail"]
