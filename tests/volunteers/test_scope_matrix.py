"""Every role on volunteers, teams and memberships inside and outside its subtree, through the
API and the pages."""

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from civic.testing import DONE, FORBIDDEN, HIDDEN, LOGIN, ApiUrls, PageUrls, ScopeMatrix, form_data_from
from tests import factories
from volunteers import services
from volunteers.models import Membership, Team, Volunteer

pytestmark = pytest.mark.django_db


SITES = ["village", "village2", "township", "elsewhere_township", "county"]


@pytest.fixture
def volunteers(world) -> dict[str, Volunteer]:
    return {
        name: factories.volunteer(world.admin, getattr(world, name), real_name=f"志愿者{i}")
        for i, name in enumerate(SITES)
    }


@pytest.fixture
def teams(world):
    kinds = {"county": "corps", "township": "detachment", "elsewhere_township": "detachment"}
    return {
        name: services.team_create(
            actor=world.admin, site=getattr(world, name), name=f"{name}队", kind=kinds.get(name, "squad")
        )
        for name in SITES
    }


def test_every_role_on_volunteers_through_the_api(world, volunteers):
    ScopeMatrix(
        model=Volunteer,
        objects=volunteers,
        personas=world.matrix_personas(),
        # DELETE anonymises (the row stays): checked below, not by the matrix's "row gone".
        api=ApiUrls(detail="volunteer-detail", list="volunteer-list", delete=False),
        change_field="emergency_name",
        change_value="矩阵联系人",
    ).check()


def test_every_role_deleting_volunteers_anonymises_within_reach(world, volunteers):
    matrix = ScopeMatrix(
        model=Volunteer,
        objects=volunteers,
        personas=world.matrix_personas(),
        change_field="emergency_name",
        change_value="",
    )
    matrix.check()  # no pages, no API: nothing is sent, the oracle only learns where everyone is
    wrong = []
    for persona in matrix.personas:
        client = APIClient()
        if persona.user is not None:
            client.force_login(persona.user)
        for label, volunteer in volunteers.items():
            expected = matrix.expected(persona, volunteer, "delete")
            with transaction.atomic():
                response = client.delete(f"/api/volunteers/{volunteer.pk}/")
                anonymised = Volunteer.objects.filter(pk=volunteer.pk, anonymised_at__isnull=False).exists()
                transaction.set_rollback(True)
            got = {204: DONE, 403: FORBIDDEN, 404: HIDDEN}.get(response.status_code, str(response.status_code))
            if persona.user is None and response.status_code in (401, 403):
                got = LOGIN
            if got != expected or anonymised != (expected == DONE):
                wrong.append((persona.name, label, expected, got, anonymised))
    assert wrong == []


def test_every_role_on_teams_through_the_api(world, teams):
    ScopeMatrix(
        model=Team,
        objects=teams,
        personas=world.matrix_personas(),
        # A team is never deleted (it is marked inactive): the API offers no DELETE.
        api=ApiUrls(detail="team-detail", list="team-list", delete=False),
        change_field="description",
        change_value="矩阵说明",
    ).check()


def test_every_role_on_memberships_through_the_api(world, volunteers, teams):
    memberships = {
        name: services.membership_request(actor=world.admin, volunteer=volunteers[name], team=teams[name])
        for name in SITES
    }
    ScopeMatrix(
        model=Membership,
        objects=memberships,
        personas=world.matrix_personas(),
        # Memberships change through their actions (approve, decline, leave), tested apart.
        api=ApiUrls(detail="membership-detail", list="membership-list", patch=False, delete=False),
        change_field="status",
        change_value="active",
    ).check()


# The pages -------------------------------------------------------------------------------


def _volunteer_form(volunteer: Volunteer) -> dict:
    data = form_data_from(volunteer, ["real_name", "phone", "political_status", "emergency_name"])
    data["home_site"] = volunteer.home_site_id
    return data


def _status_page(volunteer: Volunteer) -> str:
    return reverse("volunteers:status", args=[volunteer.pk, "suspended"])


def test_every_role_on_the_volunteer_pages(world, volunteers):
    ScopeMatrix(
        model=Volunteer,
        objects=volunteers,
        personas=world.matrix_personas(),
        pages=PageUrls(
            view="volunteers:detail",
            change="volunteers:edit",
            list="volunteers:list",
            more={
                "status page": (_status_page, "manage"),
                "anonymise page": ("volunteers:anonymise", "manage"),
                "password page": ("volunteers:password", "manage"),
            },
        ),
        form_data=_volunteer_form,
        change_field="emergency_name",
        change_value="矩阵联系人",
    ).check()


def test_every_role_on_the_team_pages(world, teams):
    ScopeMatrix(
        model=Team,
        objects=teams,
        personas=world.matrix_personas(),
        pages=PageUrls(
            view="volunteers:team-detail",
            change="volunteers:team-edit",
            list="volunteers:teams",
            more={"leader page": ("volunteers:team-leader", "manage")},
        ),
        form_data=lambda team: {**form_data_from(team, ["name", "kind", "lead_department", "is_active"])},
        change_field="description",
        change_value="矩阵说明",
    ).check()
