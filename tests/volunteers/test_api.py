"""The volunteers API: masking per persona, duplicates, self-registration and login claims,
approval and status, filters and search, pinned query counts, teams and memberships (a team
leader deciding join requests), and clear 400s for bad input."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from centers import services as center_services
from centers.models import Kind, Level
from points import services as points_services
from tests import factories
from volunteers import services
from volunteers.identity import mask_id, mask_phone
from volunteers.models import Membership, MembershipStatus, SourceGroup, Team, Volunteer

pytestmark = pytest.mark.django_db
PASSWORD = "long-enough-pass-42"


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """A cache of this test's own, so the registration throttle starts from zero."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_login(user)
    return api


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def register_self(api, site, **extra):
    """POST /api/register/ as anyone; returns the response."""
    payload = {
        "real_name": "李四",
        "id_number": factories.id_number(),
        "phone": factories.phone(),
        "home_site": site.pk,
        "consent": True,
        "password": PASSWORD,
    }
    payload.update(extra)
    if "phone_code" not in payload:
        payload["phone_code"] = factories.phone_code(payload["phone"])
    return api.post("/api/register/", payload, format="json")


def with_login(world, site, name="王五"):
    """An active volunteer with a login of their own (self-registered, then approved)."""
    v = services.volunteer_register(
        actor=None,
        home_site=site,
        real_name=name,
        id_number=factories.id_number(),
        **factories.proven_phone(),
        consent=True,
        password=PASSWORD,
    )
    return services.volunteer_decide(actor=world.admin, volunteer=v, approve=True)


# Masking -----------------------------------------------------------------------------


def test_id_and_phone_are_masked_for_viewers_and_whole_for_managers_and_the_volunteer(api, world):
    v = with_login(world, world.village)
    v.refresh_from_db()
    url = f"/api/volunteers/{v.pk}/"
    for user in (world.county_viewer,):
        body = as_user(api, user).get(url).json()
        assert body["id_number"] == mask_id(v.id_number) and "*" in body["id_number"]
        assert body["phone"] == mask_phone(v.phone) and body["phone"].startswith(v.phone[:3])
        assert body["birth_date"] is None and body["masked"] is True
    for user in (world.admin, world.county_manager, world.township_head, world.village_head, v.user):
        body = as_user(api, user).get(url).json()
        assert (body["id_number"], body["phone"], body["masked"]) == (v.id_number, v.phone, False), user
        assert body["birth_date"] == v.birth_date.isoformat()
    # The list masks per row, too: the viewer sees every row masked, the manager sees them whole.
    other = factories.volunteer(world.admin, world.village2)
    rows = {r["id"]: r for r in as_user(api, world.county_viewer).get("/api/volunteers/").json()["results"]}
    assert {rows[v.pk]["phone"], rows[other.pk]["phone"]} == {mask_phone(v.phone), mask_phone(other.phone)}
    rows = {r["id"]: r for r in as_user(api, world.township_head).get("/api/volunteers/").json()["results"]}
    assert set(rows) == {v.pk} and rows[v.pk]["phone"] == v.phone
    # The volunteer sees only themself, whole.
    rows = as_user(api, v.user).get("/api/volunteers/").json()["results"]
    assert [(r["id"], r["id_number"]) for r in rows] == [(v.pk, v.id_number)]


def test_my_profile_shows_my_whole_numbers_and_where_my_application_stands(api, world):
    response = register_self(api, world.village)
    assert response.status_code == 201, response.content
    v = Volunteer.objects.get(pk=response.json()["id"])
    assert api.login(username=v.phone, password=PASSWORD)  # a unique phone logs in
    body = api.get("/api/me/volunteer/").json()
    assert (body["id_number"], body["phone"], body["status"]) == (v.id_number, v.phone, "pending")
    services.volunteer_decide(actor=world.village_head, volunteer=v, approve=False, reason="材料不全")
    body = api.get("/api/me/volunteer/").json()
    assert (body["status"], body["status_reason"]) == ("rejected", "材料不全")
    assert as_user(APIClient(), world.volunteer).get("/api/me/volunteer/").status_code == 404


def test_i_change_my_own_profile_but_not_my_name_or_site(api, world):
    v = with_login(world, world.village)
    as_user(api, v.user)
    platform = center_services.platform_save(actor=world.admin, name="测试平台甲")
    new_phone = factories.phone()
    response = api.patch(
        "/api/me/volunteer/",
        {
            "phone": new_phone,
            "emergency_name": "李母",
            "skills": [platform.pk],
            "skill_tags": ["摄影"],
            "real_name": "改名",
            "home_site": world.village2.pk,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    v.refresh_from_db()
    assert (v.phone, v.emergency_name, v.skill_tags, v.real_name) == (new_phone, "李母", ["摄影"], "王五")
    assert v.home_site_id == world.village.pk and list(v.skills.all()) == [platform]
    assert api.patch("/api/me/volunteer/", {"phone": "123"}, format="json").status_code == 400


def test_i_withdraw_and_leave_the_lists(api, world):
    v = with_login(world, world.village)
    response = as_user(api, v.user).post("/api/me/volunteer/withdraw/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    as_user(api, world.village_head)
    assert v.pk not in ids(api.get("/api/volunteers/"))
    assert v.pk in ids(api.get("/api/volunteers/", {"status": "withdrawn"}))


# Registration by staff, duplicates, phones ----------------------------------------------


def test_staff_register_someone_at_a_site_they_manage(api, world):
    group = SourceGroup.objects.get_or_create(name="乡贤")[0]
    platform = center_services.platform_save(actor=world.admin, name="测试平台乙")
    number = factories.id_number(date(1961, 2, 3), female=True)
    response = as_user(api, world.village_head).post(
        "/api/volunteers/",
        {
            "real_name": "赵六",
            "id_number": number.lower(),
            "phone": "+86 139-0000-1111",
            "home_site": world.village.pk,
            "consent": True,
            "source_group": group.pk,
            "skills": [platform.pk],
            "skill_tags": ["剪纸", "唱歌"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["gender"], body["birth_date"]) == ("active", "female", "1961-02-03")
    assert (body["phone"], body["source_group"], body["skills"]) == ("13900001111", group.pk, [platform.pk])
    assert body["has_login"] is False
    # A site out of reach reads as "no such site".
    response = api.post(
        "/api/volunteers/",
        {
            "real_name": "某",
            "id_number": factories.id_number(),
            "phone": factories.phone(),
            "home_site": world.village2.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["home_site"]
    # A viewer registers no one.
    response = as_user(api, world.county_viewer).post(
        "/api/volunteers/",
        {
            "real_name": "某",
            "id_number": factories.id_number(),
            "phone": factories.phone(),
            "home_site": world.village.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["home_site"]


def test_a_duplicate_id_names_the_site_only_to_those_who_can_see_it(api, world):
    number = factories.id_number()
    factories.volunteer(world.admin, world.village2, id_number=number)
    payload = {"real_name": "重复", "id_number": number, "phone": factories.phone(), "consent": True}
    response = as_user(api, world.county_manager).post(
        "/api/volunteers/", {**payload, "home_site": world.village.pk}, format="json"
    )
    assert response.status_code == 400
    assert "西坪村" in response.json()["id_number"][0]
    response = as_user(api, world.township_head).post(
        "/api/volunteers/", {**payload, "home_site": world.village.pk}, format="json"
    )
    assert response.status_code == 400
    message = response.json()["id_number"][0]
    assert "西坪村" not in message and message == services.duplicate_message(None, Volunteer(home_site=world.village2))
    response = register_self(APIClient(), world.village, id_number=number)
    assert response.status_code == 400
    assert response.json()["id_number"] == [message]


def test_a_phone_serves_at_most_three_volunteers(api, world):
    shared = factories.phone()
    as_user(api, world.village_head)
    for n in range(3):
        factories.volunteer(world.admin, world.village, real_name=f"家人{n}", phone=shared)
    response = api.post(
        "/api/volunteers/",
        {
            "real_name": "第四",
            "id_number": factories.id_number(),
            "phone": shared,
            "home_site": world.village.pk,
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["phone"]
    assert not Volunteer.objects.filter(real_name="第四").exists()


# Self-registration and login claims ---------------------------------------------------


def test_self_registration_creates_a_login_and_waits(api, world):
    response = register_self(api, world.village, skill_tags=["修电器"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["detail"]
    v = Volunteer.objects.get(pk=body["id"])
    assert v.user is not None and v.user.is_active and v.consent_at is not None
    assert v.registered_by is None and v.skill_tags == ["修电器"]


def test_self_registration_needs_consent_a_guardian_for_minors_and_a_good_password(api, world):
    response = register_self(api, world.village, consent=False)
    assert response.status_code == 400 and response.json()["consent"]
    minor = factories.id_number(date.today().replace(year=date.today().year - 12, month=1, day=1))
    response = register_self(api, world.village, id_number=minor)
    assert response.status_code == 400 and response.json()["guardian_name"]
    response = register_self(api, world.village, id_number=minor, guardian_name="父亲", guardian_consent=True)
    assert response.status_code == 201, response.content
    assert Volunteer.objects.get(pk=response.json()["id"]).guardian_consent_at is not None
    response = register_self(api, world.village, password="123")
    assert response.status_code == 400 and response.json()["password"]
    base = center_services.site_create(
        actor=world.admin, parent=world.township, name="红色基地", level=Level.VILLAGE, kind=Kind.BASE
    )
    response = register_self(api, world.village, home_site=base.pk)
    assert response.status_code == 400 and response.json()["home_site"]
    assert Volunteer.objects.count() == 1


def test_self_registration_is_throttled(api, world):
    for _n in range(20):
        assert register_self(api, world.village, consent=False).status_code == 400
    response = register_self(api, world.village)
    assert response.status_code == 429
    assert not Volunteer.objects.exists()


def test_a_person_registered_by_staff_claims_a_login_the_station_confirms(api, world):
    v = factories.volunteer(world.village_head, world.village)
    response = api.post("/api/claim-login/", {"id_number": v.id_number, "phone": "13999999999", "password": PASSWORD})
    assert response.status_code == 400 and response.json()["detail"]
    response = api.post("/api/claim-login/", {"id_number": v.id_number, "phone": v.phone, "password": PASSWORD})
    assert response.status_code == 202, response.content
    v.refresh_from_db()
    assert v.user is not None and not v.user.is_active
    assert not api.login(username=v.id_number, password=PASSWORD)
    as_user(api, world.village_head)
    assert api.get(f"/api/volunteers/{v.pk}/").json()["claim_pending"] is True
    assert ids(api.get("/api/volunteers/", {"claim_pending": "true"})) == {v.pk}
    assert as_user(APIClient(), world.county_viewer).post(f"/api/volunteers/{v.pk}/claim-confirm/").status_code == 403
    assert as_user(APIClient(), world.outsider).post(f"/api/volunteers/{v.pk}/claim-confirm/").status_code == 404
    response = api.post(f"/api/volunteers/{v.pk}/claim-confirm/", {"approve": True}, format="json")
    assert response.status_code == 200 and response.json()["claim_pending"] is False
    assert ids(api.get("/api/volunteers/", {"claim_pending": "true"})) == set()
    client = APIClient()
    assert client.login(username=v.id_number, password=PASSWORD)
    assert client.get("/api/me/volunteer/").json()["id"] == v.pk
    # Once claimed, a second claim finds no one.
    response = APIClient().post("/api/claim-login/", {"id_number": v.id_number, "phone": v.phone, "password": PASSWORD})
    assert response.status_code == 400


# Approval and status ----------------------------------------------------------------------


def test_a_station_manager_approves_or_rejects_with_a_reason(api, world):
    first = Volunteer.objects.get(pk=register_self(APIClient(), world.village).json()["id"])
    second = Volunteer.objects.get(pk=register_self(APIClient(), world.village).json()["id"])
    as_user(api, world.village_head)
    assert ids(api.get("/api/volunteers/", {"status": "pending"})) == {first.pk, second.pk}
    assert as_user(APIClient(), world.county_viewer).post(f"/api/volunteers/{first.pk}/approve/").status_code == 403
    assert as_user(APIClient(), world.outsider).post(f"/api/volunteers/{first.pk}/approve/").status_code == 404
    response = api.post(f"/api/volunteers/{first.pk}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "active"
    first.refresh_from_db()
    assert first.decided_by == world.village_head
    response = api.post(f"/api/volunteers/{first.pk}/approve/")
    assert response.status_code == 400 and response.json()["detail"]
    response = api.post(f"/api/volunteers/{second.pk}/reject/", {}, format="json")
    assert response.status_code == 400 and response.json()["reason"]
    response = api.post(f"/api/volunteers/{second.pk}/reject/", {"reason": "不在本村居住"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_reason"]) == ("rejected", "不在本村居住")
    assert ids(api.get("/api/volunteers/", {"status": "pending"})) == set()


def test_suspend_reinstate_and_withdraw(api, world):
    v = factories.volunteer(world.village_head, world.village)
    as_user(api, world.township_head)
    url = f"/api/volunteers/{v.pk}/set-status/"
    assert api.post(url, {"status": "suspended"}, format="json").status_code == 400
    response = api.post(url, {"status": "suspended", "reason": "多次缺席"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    assert api.post(url, {"status": "active"}, format="json").json()["status"] == "active"
    assert api.post(url, {"status": "pending"}, format="json").status_code == 400
    assert api.post(url, {"status": "withdrawn"}, format="json").json()["status"] == "withdrawn"
    assert api.post(url, {"status": "withdrawn"}, format="json").status_code == 400  # already
    assert v.pk not in ids(api.get("/api/volunteers/"))
    assert v.pk in ids(api.get("/api/volunteers/", {"status": "withdrawn"}))
    assert api.get(f"/api/volunteers/{v.pk}/").status_code == 200  # the record stays
    # A viewer asking for the withdrawn gets none.
    assert ids(as_user(APIClient(), world.county_viewer).get("/api/volunteers/", {"status": "withdrawn"})) == set()


def test_deletion_on_request_anonymises(api, world):
    v = with_login(world, world.village)
    user_id = v.user_id
    as_user(api, world.village_head)
    assert api.delete(f"/api/volunteers/{v.pk}/").status_code == 204
    v.refresh_from_db()
    assert v.anonymised_at is not None and v.id_number is None and v.phone == "" and v.user is None
    assert not get_user_model().objects.get(pk=user_id).is_active
    assert v.pk not in ids(api.get("/api/volunteers/"))
    row = next(r for r in api.get("/api/volunteers/", {"status": "withdrawn"}).json()["results"] if r["id"] == v.pk)
    assert row["anonymised"] is True and row["id_number"] is None
    other = factories.volunteer(world.admin, world.village)
    response = api.post(f"/api/volunteers/{other.pk}/anonymise/")
    assert response.status_code == 200 and response.json()["anonymised"] is True


# Filters and search -------------------------------------------------------------------


def _valid_id(first17: str) -> str:
    from volunteers.identity import check_digit

    return first17 + check_digit(first17)


def test_filters_by_site_subtree_status_group_skill_and_team(api, world):
    group = SourceGroup.objects.get_or_create(name="退役军人")[0]
    platform = center_services.platform_save(actor=world.admin, name="测试平台丙")
    a = factories.volunteer(world.admin, world.village, real_name="甲", source_group=group, skills=[platform])
    b = factories.volunteer(world.admin, world.village2, real_name="乙")
    c = factories.volunteer(world.admin, world.township, real_name="丙", skills=[platform])
    pending = services.volunteer_register(
        actor=None,
        home_site=world.village2,
        real_name="丁",
        id_number=factories.id_number(),
        **factories.proven_phone(),
        consent=True,
        password=PASSWORD,
    )
    team = services.team_create(actor=world.admin, site=world.township, name="甲镇支队", kind="detachment")
    services.membership_decide(
        actor=world.admin,
        membership=services.membership_request(actor=world.admin, volunteer=c, team=team),
        approve=True,
    )
    services.membership_request(actor=world.admin, volunteer=a, team=team)  # pending: not a member yet
    as_user(api, world.county_manager)
    assert ids(api.get("/api/volunteers/")) == {a.pk, b.pk, c.pk, pending.pk}
    assert ids(api.get("/api/volunteers/", {"site": world.township.pk})) == {a.pk, c.pk}
    assert ids(api.get("/api/volunteers/", {"site": world.village2.pk})) == {b.pk, pending.pk}
    assert ids(api.get("/api/volunteers/", {"status": "active", "site": world.township2.pk})) == {b.pk}
    assert ids(api.get("/api/volunteers/", {"source_group": group.pk})) == {a.pk}
    assert ids(api.get("/api/volunteers/", {"skill": platform.pk})) == {a.pk, c.pk}
    assert ids(api.get("/api/volunteers/", {"team": team.pk})) == {c.pk}
    # A site outside one's reach filters to nothing, never to someone else's people.
    assert ids(as_user(APIClient(), world.township_head).get("/api/volunteers/", {"site": world.county.pk})) == {
        a.pk,
        c.pk,
    }
    for bad in ({"site": "x"}, {"status": "sleeping"}, {"skill": "1.5"}):
        assert api.get("/api/volunteers/", bad).status_code == 400


def test_search_by_name_pinyin_phone_tail_and_id_tail(api, world):
    zhang = factories.volunteer(
        world.admin, world.village, real_name="张三丰", phone="13712345678", id_number=_valid_id("61072419900517123")
    )
    li = factories.volunteer(
        world.admin, world.village2, real_name="李四", phone="13898765432", id_number=_valid_id("61072419851203456")
    )

    def search(user, q):
        return ids(as_user(APIClient(), user).get("/api/volunteers/", {"q": q}))

    m, viewer = world.county_manager, world.county_viewer
    assert search(m, "张三") == {zhang.pk}
    assert search(m, "zhangsanfeng") == {zhang.pk}
    assert search(m, "ZSF") == {zhang.pk}  # initials
    assert search(m, "5678") == {zhang.pk}  # phone tail
    assert search(viewer, "5678") == {zhang.pk}  # the tail shows in the mask anyway
    tail4 = li.id_number[-4:]
    assert search(viewer, tail4) == {li.pk}
    tail6 = zhang.id_number[-6:].lower()
    assert search(m, tail6) == {zhang.pk}
    assert search(viewer, tail6) == set()  # six characters reveal more than the mask shows
    assert search(m, li.phone) == {li.pk} and search(viewer, li.phone) == set()
    assert search(m, li.id_number) == {li.pk} and search(viewer, li.id_number) == set()
    assert search(m, "王") == set()


# Query counts -------------------------------------------------------------------------


def test_the_volunteer_list_runs_a_fixed_number_of_queries(api, world):
    platforms = [center_services.platform_save(actor=world.admin, name=f"测试平台{n}") for n in range(3)]
    group = SourceGroup.objects.get_or_create(name="大学生")[0]
    for n in range(50):
        factories.volunteer(world.admin, world.village, real_name=f"人{n:02d}", source_group=group, skills=platforms)
    as_user(api, world.township_head)
    api.get("/api/volunteers/")  # warm the per-process caches (content types)
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/volunteers/", {"page_size": size, "site": world.township.pk, "q": "人"})
        rows = response.json()["results"]
        assert len(rows) == size and all(len(r["skills"]) == 3 and r["phone"].isdigit() for r in rows)
        counts[size] = len(queries)
    # session, user, count, page (scope, masking and filters in the same query), skills
    assert counts == {5: 5, 50: 5}


def test_the_team_and_membership_lists_run_a_fixed_number_of_queries(api, world):
    parent = services.team_create(actor=world.admin, site=world.county, name="总队", kind="corps")
    leader = with_login(world, world.village, name="队长")
    for n in range(50):
        team = services.team_create(
            actor=world.admin, site=world.village, name=f"小分队{n:02d}", kind="squad", parent=parent
        )
        if n % 2:
            services.team_set_leader(actor=world.admin, team=team, volunteer=leader)
    volunteers = [factories.volunteer(world.admin, world.village, real_name=f"队员{n}") for n in range(50)]
    teams = list(Team.objects.filter(parent=parent))
    for v, team in zip(volunteers, teams, strict=True):
        services.membership_request(actor=world.admin, volunteer=v, team=team)
    as_user(api, world.county_manager)
    for url in ("/api/teams/", "/api/memberships/"):
        api.get(url)
        counts = {}
        for size in (5, 50):
            with CaptureQueriesContext(connection) as queries:
                response = api.get(url, {"page_size": size})
            assert len(response.json()["results"]) == size
            counts[size] = len(queries)
        assert counts == {5: 4, 50: 4}, url  # session, user, count, page


# Teams and memberships ------------------------------------------------------------------


def test_a_township_head_creates_and_changes_teams_of_their_station(api, world):
    platform = center_services.platform_save(actor=world.admin, name="测试平台丁")
    as_user(api, world.township_head)
    response = api.post(
        "/api/teams/",
        {"site": world.township.pk, "name": "甲镇支队", "kind": "detachment", "platform": platform.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    detachment = response.json()
    assert (detachment["depth"], detachment["member_count"], detachment["leader"]) == (0, 0, None)
    response = api.post(
        "/api/teams/",
        {"site": world.village.pk, "name": "东坪小分队", "kind": "squad", "parent": detachment["id"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    squad = response.json()
    assert squad["parent"] == detachment["id"] and squad["depth"] == 1
    response = api.patch(f"/api/teams/{squad['id']}/", {"description": "村里的队伍", "is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["description"] == "村里的队伍"
    assert api.patch(f"/api/teams/{squad['id']}/", {"site": world.township.pk}, format="json").status_code == 400
    assert api.patch(f"/api/teams/{squad['id']}/", {"name": "甲镇支队"}, format="json").status_code == 200  # other site
    response = api.post("/api/teams/", {"site": world.township.pk, "name": "甲镇支队", "kind": "squad"}, format="json")
    assert response.status_code == 400 and response.json()["name"]
    response = api.post("/api/teams/", {"site": world.county.pk, "name": "总队", "kind": "corps"}, format="json")
    assert response.status_code == 400 and response.json()["site"]
    response = api.post("/api/teams/", {"site": world.township.pk, "name": "怪队", "kind": "legion"}, format="json")
    assert response.status_code == 400 and response.json()["kind"]
    assert api.delete(f"/api/teams/{squad['id']}/").status_code == 405
    # Filters.
    assert ids(api.get("/api/teams/", {"site": world.village.pk})) == {squad["id"]}
    assert ids(api.get("/api/teams/", {"kind": "detachment"})) == {detachment["id"]}
    assert ids(api.get("/api/teams/", {"platform": platform.pk})) == {detachment["id"]}
    assert ids(api.get("/api/teams/", {"parent": detachment["id"]})) == {squad["id"]}


def test_a_team_leader_decides_join_requests_without_a_site_grant(api, world):
    team = services.team_create(actor=world.admin, site=world.village, name="东坪小分队", kind="squad")
    other_team = services.team_create(actor=world.admin, site=world.village, name="东坪二队", kind="squad")
    leader = with_login(world, world.village2, name="队长")  # lives in another township
    as_user(api, world.county_viewer)
    assert api.post(f"/api/teams/{team.pk}/set-leader/", {"volunteer": leader.pk}, format="json").status_code == 403
    as_user(api, world.village_head)
    # The leader lives outside the village head's reach: "no such volunteer".
    response = api.post(f"/api/teams/{team.pk}/set-leader/", {"volunteer": leader.pk}, format="json")
    assert response.status_code == 400
    response = as_user(api, world.county_manager).post(
        f"/api/teams/{team.pk}/set-leader/", {"volunteer": leader.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["leader"] == leader.pk
    assert response.json()["member_count"] == 1
    # A villager asks to join, for themself.
    joiner = with_login(world, world.village, name="新人")
    as_user(api, joiner.user)
    assert team.pk in ids(api.get("/api/teams/"))  # the teams of one's own village are in sight
    response = api.post("/api/memberships/", {"volunteer": joiner.pk, "team": team.pk}, format="json")
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    assert api.post("/api/memberships/", {"volunteer": joiner.pk, "team": team.pk}, format="json").status_code == 400
    assert api.post(f"/api/memberships/{request_id}/approve/").status_code == 403  # not their own to decide
    other_request = services.membership_request(actor=world.admin, volunteer=joiner, team=other_team)
    # The leader sees the requests of the team they lead, and only those.
    as_user(api, leader.user)
    listed = ids(api.get("/api/memberships/"))
    assert request_id in listed and other_request.pk not in listed
    assert api.post(f"/api/memberships/{other_request.pk}/approve/").status_code == 404
    response = api.post(f"/api/memberships/{request_id}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert api.post(f"/api/memberships/{request_id}/approve/").status_code == 400  # already decided
    # The leader is a member too, but lives beyond the village head's reach.
    assert ids(as_user(APIClient(), world.village_head).get("/api/volunteers/", {"team": team.pk})) == {joiner.pk}
    # The member leaves; a viewer sees memberships but decides nothing.
    assert (
        as_user(APIClient(), world.county_viewer).post(f"/api/memberships/{other_request.pk}/decline/").status_code
        == 403
    )
    response = as_user(APIClient(), joiner.user).post(f"/api/memberships/{request_id}/leave/")
    assert response.status_code == 200 and response.json()["status"] == "left"
    assert Membership.objects.get(pk=request_id).status == MembershipStatus.LEFT


def test_figures_come_with_one_volunteer_only(api, world):
    v = factories.volunteer(world.admin, world.village)
    points_services.points_credit(
        actor=world.admin, volunteer=v, source_key="api-1", hours=3, site=world.village, service_date=date(2026, 3, 1)
    )
    as_user(api, world.village_head)
    figures = {f["key"]: f["value"] for f in api.get(f"/api/volunteers/{v.pk}/").json()["figures"]}
    assert figures["hours"] == "3.00" and figures["lifetime_points"] == "30"
    assert "figures" not in api.get("/api/volunteers/").json()["results"][0]


# Bad input is a 400, never a 500 -----------------------------------------------------------


def test_bad_input_is_a_400_with_a_message(api, world):
    v = factories.volunteer(world.admin, world.village)
    api.raise_request_exception = True
    as_user(api, world.county_manager)
    good = {"real_name": "某", "id_number": factories.id_number(), "phone": factories.phone(), "consent": True}
    wrong_digit = "1" if good["id_number"][-1] == "0" else "0"  # never the number's own check digit
    bad_creates = [
        ({**good, "home_site": world.village.pk, "id_number": "12345"}, "id_number"),
        ({**good, "home_site": world.village.pk, "id_number": good["id_number"][:17] + wrong_digit}, "id_number"),
        ({**good, "home_site": world.village.pk, "phone": "02912345678"}, "phone"),
        ({**good, "home_site": "county"}, "home_site"),
        ({**good, "home_site": 999999}, "home_site"),
        ({**good, "home_site": world.village.pk, "skills": [999999]}, "skills"),
        ({**good, "home_site": world.village.pk, "skill_tags": "not-a-list"}, "skill_tags"),
        ({**good, "home_site": world.village.pk, "political_status": "king"}, "political_status"),
        ({**good, "home_site": world.village.pk, "real_name": ""}, "real_name"),
        ({**good, "home_site": world.village.pk, "real_name": "   "}, "real_name"),
        ({**good, "home_site": world.village.pk, "source_group": "x"}, "source_group"),
        ({k: v for k, v in good.items() if k != "phone"} | {"home_site": world.village.pk}, "phone"),
    ]
    for payload, field in bad_creates:
        response = api.post("/api/volunteers/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), (payload, response.json())
    base = center_services.site_create(
        actor=world.admin, parent=world.township, name="服务岗", level=Level.VILLAGE, kind=Kind.POST
    )
    response = api.post("/api/volunteers/", {**good, "home_site": base.pk}, format="json")
    assert response.status_code == 400 and response.json()["home_site"]
    url = f"/api/volunteers/{v.pk}/"
    for payload, field in [
        ({"phone": "12"}, "phone"),
        ({"home_site": base.pk}, "home_site"),
        ({"home_site": world.elsewhere_township.pk}, "home_site"),
        ({"real_name": " "}, "real_name"),
        ({"skills": "1"}, "skills"),
    ]:
        response = api.patch(url, payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json()
    assert api.post(f"{url}set-status/", {"status": "asleep"}, format="json").status_code == 400
    assert api.post(f"{url}claim-confirm/", {"approve": True}, format="json").status_code == 400
    response = api.post("/api/volunteers/", "{not json", content_type="application/json")
    assert response.status_code == 400
    response = APIClient().post("/api/register/", {"home_site": world.village.pk}, format="json")
    assert response.status_code == 400 and {"real_name", "id_number", "phone", "password"} <= set(response.json())
    response = APIClient().post("/api/claim-login/", {"id_number": "x"}, format="json")
    assert response.status_code == 400
    response = api.post("/api/memberships/", {"volunteer": v.pk, "team": 999999}, format="json")
    assert response.status_code == 400 and response.json()["team"]
    v.refresh_from_db()
    assert v.real_name == "张三"


def test_moving_a_volunteer_needs_the_new_sites_manager(api, world):
    v = factories.volunteer(world.admin, world.village)
    as_user(api, world.township_head)
    response = api.patch(f"/api/volunteers/{v.pk}/", {"home_site": world.village2.pk}, format="json")
    assert response.status_code == 400
    as_user(api, world.county_manager)
    response = api.patch(f"/api/volunteers/{v.pk}/", {"home_site": world.village2.pk}, format="json")
    assert response.status_code == 200 and response.json()["home_site"] == world.village2.pk
    assert response.json()["masked"] is False


def test_the_schema_lists_the_volunteer_endpoints(api, world):
    schema = as_user(api, world.admin).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {
        "/api/volunteers/",
        "/api/volunteers/{id}/approve/",
        "/api/volunteers/{id}/set-status/",
        "/api/me/volunteer/",
        "/api/register/",
        "/api/claim-login/",
        "/api/teams/",
        "/api/teams/{id}/set-leader/",
        "/api/memberships/{id}/approve/",
    } <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/volunteers/"]["get"]["parameters"]}
    assert {"site", "status", "source_group", "skill", "team", "q", "page_size"} <= parameters
