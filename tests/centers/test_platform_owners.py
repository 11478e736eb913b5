"""A service platform joins a county's list (or, by an administrator, the list offered
everywhere): one rule in the service, the same through the page and the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from centers import selectors, services
from centers.models import ServicePlatform


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("persona, site", [("township_head", "township"), ("village_head", "village")])
def test_township_and_village_managers_cannot_add_platforms_through_the_api(world, persona, site):
    user, owner = getattr(world, persona), getattr(world, site)
    response = api_as(user).post("/api/platforms/", {"owner": owner.pk, "name": "镇里的平台"}, format="json")
    assert response.status_code == 400 and "owner" in response.json()
    # The county above is out of their sight: "no such site".
    response = api_as(user).post("/api/platforms/", {"owner": world.county.pk, "name": "镇里的平台"}, format="json")
    assert response.status_code == 400 and "owner" in response.json()
    assert not ServicePlatform.objects.filter(name="镇里的平台").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona, site", [("township_head", "township"), ("village_head", "village")])
def test_township_and_village_managers_cannot_add_platforms_on_the_page(as_user, world, persona, site):
    client = as_user(getattr(world, persona))
    page = client.get(reverse("centers:platforms"))
    assert page.context["form"] is None and "Add a platform" not in page.content.decode()
    response = client.post(reverse("centers:platforms"), {"owner": getattr(world, site).pk, "name": "镇里的平台"})
    assert response.status_code == 200
    assert not ServicePlatform.objects.filter(name="镇里的平台").exists()


@pytest.mark.django_db
def test_a_county_manager_adds_to_their_county_through_both_doors(as_user, world):
    response = api_as(world.county_manager).post(
        "/api/platforms/", {"owner": world.county.pk, "name": "县里的平台"}, format="json"
    )
    assert response.status_code == 201
    page = as_user(world.county_manager).get(reverse("centers:platforms"))
    assert "Add a platform" in page.content.decode()
    assert list(page.context["form"].fields["owner"].queryset) == [world.county]


@pytest.mark.django_db
def test_the_service_keeps_platforms_on_county_lists_even_for_an_administrator(world):
    with pytest.raises(ValidationError) as refused:
        services.platform_save(actor=world.admin, owner=world.township, name="镇里的平台")
    assert "owner" in refused.value.message_dict
    assert services.platform_save(actor=world.admin, owner=world.county, name="县里的平台").owner == world.county
    assert selectors.platform_may_add(world.admin) and selectors.platform_may_add(world.county_manager)
    assert not selectors.platform_may_add(world.township_head) and not selectors.platform_may_add(world.county_viewer)
