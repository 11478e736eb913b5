"""Every role on volunteers, teams, memberships and roster imports inside and outside its
subtree, a volunteer on their own rows and the teams they may join, and a team leader on
their teams, through the API and the pages."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from civic.testing import DONE, FORBIDDEN, HIDDEN, LOGIN, ApiUrls, PageUrls, Persona, ScopeMatrix, form_data_from
from tests import factories
from volunteers import services
from volunteers.models import ImportMode, Membership, RosterImport, Team, Volunteer

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


# A volunteer reads their own record and memberships, the teams at or above their home site
# (those they may ask to join); a team leader reads the teams they lead, with the teams and
# memberships under them, without any site role. ------------------------------------------


def _ancestors(node) -> list:
    """The node and the nodes above it, by parent links (not the nested sets)."""
    chain = []
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    return chain


@pytest.fixture
def team_tree(world):
    """县总队 → 甲镇支队 → 东坪小分队, 县总队 → 乙镇支队 → 西坪小分队, and 丁镇支队 elsewhere."""

    def team(site, name, kind, parent=None):
        return services.team_create(actor=world.admin, site=site, name=name, kind=kind, parent=parent)

    corps = team(world.county, "县总队", "corps")
    township = team(world.township, "甲镇支队", "detachment", corps)
    township2 = team(world.township2, "乙镇支队", "detachment", corps)
    teams = {
        "county": corps,
        "township": township,
        "village": team(world.village, "东坪小分队", "squad", township),
        "township2": township2,
        "village2": team(world.village2, "西坪小分队", "squad", township2),
        "elsewhere_township": team(world.elsewhere_township, "丁镇支队", "detachment"),
    }
    for t in teams.values():
        t.refresh_from_db()
    return teams


@pytest.fixture
def wider(world, team_tree):
    """A volunteer at the village (no role), and a volunteer of the other county who leads
    乙镇支队 (no site role either)."""
    own = factories.volunteer_with_login(world.admin, world.village, name="本村志愿者")
    leader = factories.volunteer_with_login(world.admin, world.elsewhere_township, name="乙镇队长")
    services.team_set_leader(actor=world.admin, team=team_tree["township2"], volunteer=leader)
    personas = [
        *world.matrix_personas(),
        Persona("village volunteer", own.user),
        Persona("team leader", leader.user),
    ]
    return own, leader, personas


def team_reach(team_tree, own, leader):
    homes = {own.user_id: own.home_site, leader.user_id: leader.home_site}
    led = {leader.user_id: team_tree["township2"].pk}

    def reach(persona, obj, action: str) -> bool:
        team = obj if isinstance(obj, Team) else obj.team
        user_id = getattr(persona.user, "pk", None)
        if action != "view":
            return False
        if user_id in led and led[user_id] in _ancestors(team):
            return True
        return isinstance(obj, Team) and user_id in homes and team.site_id in _ancestors(homes[user_id])

    return reach


def test_every_role_a_volunteer_and_a_team_leader_on_teams(world, team_tree, wider):
    own, leader, personas = wider
    for pages, api in ((True, False), (False, True)):
        ScopeMatrix(
            model=Team,
            objects=team_tree,
            personas=personas,
            reach=team_reach(team_tree, own, leader),
            pages=PageUrls(
                view="volunteers:team-detail",
                change="volunteers:team-edit",
                list="volunteers:teams",
                more={"leader page": ("volunteers:team-leader", "manage")},
            )
            if pages
            else None,
            api=ApiUrls(detail="team-detail", list="team-list", delete=False) if api else None,
            form_data=lambda team: {**form_data_from(team, ["name", "kind", "lead_department", "is_active"])},
            change_field="description",
            change_value="矩阵说明",
        ).check()


def test_every_role_a_volunteer_and_a_team_leader_on_memberships(world, team_tree, wider):
    own, leader, personas = wider
    members = {
        name: factories.volunteer(world.admin, team.site, real_name=f"{name}队员") for name, team in team_tree.items()
    }
    memberships = {
        name: services.membership_request(actor=world.admin, volunteer=members[name], team=team)
        for name, team in team_tree.items()
    }
    memberships["own"] = services.membership_request(actor=own.user, volunteer=own, team=team_tree["village"])
    ScopeMatrix(
        model=Membership,
        objects=memberships,
        personas=personas,
        owner=lambda membership: membership.volunteer.user_id,
        reach=team_reach(team_tree, own, leader),
        api=ApiUrls(detail="membership-detail", list="membership-list", patch=False, delete=False),
        change_field="status",
        change_value="active",
    ).check()


def test_every_role_and_the_volunteer_themself_on_volunteers(world, volunteers, wider):
    own, _leader, personas = wider
    objects = {**volunteers, "own record": own}
    for pages, api in ((True, False), (False, True)):
        ScopeMatrix(
            model=Volunteer,
            objects=objects,
            personas=personas,
            owner=lambda v: v.user_id,
            pages=PageUrls(
                view="volunteers:detail",
                change="volunteers:edit",
                list="volunteers:list",
                more={"status page": (_status_page, "manage"), "password page": ("volunteers:password", "manage")},
            )
            if pages
            else None,
            api=ApiUrls(detail="volunteer-detail", list="volunteer-list", delete=False) if api else None,
            form_data=_volunteer_form,
            change_field="emergency_name",
            change_value="矩阵联系人",
        ).check()


def test_every_role_on_roster_imports_through_the_pages(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    imports = {
        name: services.roster_import_create(
            actor=world.admin,
            site=getattr(world, name),
            upload=ContentFile("姓名,身份证号,手机号,所属站点\n张三,,,\n".encode(), name=f"{name}.csv"),
            mode=ImportMode.ALL_OR_NOTHING,
        )
        for name in SITES
    }
    ScopeMatrix(
        model=RosterImport,
        objects=imports,
        personas=world.matrix_personas(),
        pages=PageUrls(view="volunteers:import-status"),
        change_field="message",
        change_value="",
    ).check()
