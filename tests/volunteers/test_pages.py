"""The volunteer and team pages: each page for each persona, masking in HTML and export,
search and filters, every write through its page (confirmations, errors on the form), the
phone pages (self-registration, login claim, my profile), roster import with progress, the
admin, coverage on the site page, and pinned query counts (the same for 5 and 30 rows)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from centers.models import ServicePlatform
from civic import figures
from civic.models import AuditEntry
from tests import factories
from volunteers import roster, services
from volunteers.identity import mask_id, mask_phone
from volunteers.models import (
    ImportStatus,
    Membership,
    MembershipStatus,
    RosterImport,
    SourceGroup,
    Status,
    Team,
    Volunteer,
)

pytestmark = pytest.mark.django_db
PASSWORD = "long-enough-pass-42"
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(f"volunteers:{name}", args=args)


@pytest.fixture
def people(world):
    """Two volunteers in the county (one per township) and one elsewhere."""
    return {
        "east": factories.volunteer(world.admin, world.village, real_name="王建华"),
        "west": factories.volunteer(world.admin, world.village2, real_name="李秀英"),
        "far": factories.volunteer(world.admin, world.elsewhere_township, real_name="赵远方"),
    }


def self_registered(site, name="陈小红", **extra):
    """A pending volunteer with a login, as the registration page makes them."""
    values = {
        "real_name": name,
        "id_number": factories.id_number(),
        "phone": factories.phone(),
        "consent": True,
        "password": PASSWORD,
    }
    values.update(extra)
    values.setdefault("phone_code", factories.phone_code(values["phone"]))
    return services.volunteer_register(actor=None, home_site=site, **values)


# Who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "export", "create", "queue", "me", "teams", "team-create", "import"])
def test_it_sends_anonymous_visitors_to_login(client, world, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["register", "claim"])
def test_the_phone_pages_open_to_anyone(client, world, name):
    response = client.get(url(name))
    assert response.status_code == 200
    assert 'name="viewport"' in response.content.decode()


@pytest.mark.parametrize("name", ["create", "team-create", "import"])
def test_a_viewer_may_not_open_the_staff_forms(as_user, world, name):
    assert as_user(world.county_viewer).get(url(name)).status_code == 403


def test_the_navigation_lists_the_volunteer_pages_by_what_each_person_may_do(client, world):
    client.post(reverse("login"), {"username": "county_manager", "password": "pw-county_manager"})
    html = client.get(url("list")).content.decode()
    for name in ("list", "teams", "queue", "import"):
        assert f'href="{url(name)}"' in html, name
    assert f'href="{url("me")}"' not in html  # staff without a volunteer record
    client.logout()
    client.post(reverse("login"), {"username": "county_viewer", "password": "pw-county_viewer"})
    shown = [item["url"] for item in client.get(url("list")).context["civic_nav"]]
    assert url("list") in shown and url("queue") not in shown  # a viewer approves nobody
    client.logout()
    volunteer = factories.volunteer_with_login(world.admin, world.village)
    client.post(reverse("login"), {"username": volunteer.phone, "password": "long-enough-pass-42"})
    html = client.get(url("me")).content.decode()
    assert f'href="{url("me")}"' in html and f'href="{url("list")}"' not in html


def test_the_login_page_explains_volunteer_logins(client, world):
    html = client.get(reverse("login")).content.decode()
    assert "phone number or ID number" in html
    assert url("register") in html and url("claim") in html


# The list: masking, search, filters, export -------------------------------------------


def test_a_manager_sees_whole_numbers_and_a_viewer_masked_ones(as_user, world, people):
    east = people["east"]
    html = as_user(world.county_manager).get(url("list")).content.decode()
    assert east.id_number in html and east.phone in html
    assert "赵远方" not in html
    html = as_user(world.county_viewer).get(url("list")).content.decode()
    assert east.id_number not in html and east.phone not in html
    assert mask_id(east.id_number) in html and mask_phone(east.phone) in html


def test_a_village_head_sees_only_their_village(as_user, world, people):
    html = as_user(world.village_head).get(url("list")).content.decode()
    assert "王建华" in html and "李秀英" not in html and "赵远方" not in html


@pytest.mark.parametrize("q", ["王建", "wangjianhua", "wjh"])
def test_search_finds_by_name_pinyin_or_initials(as_user, world, people, q):
    html = as_user(world.county_manager).get(url("list"), {"q": q}).content.decode()
    assert "王建华" in html and "李秀英" not in html


def test_search_finds_by_phone_and_id_tails(as_user, world, people):
    client = as_user(world.county_viewer)
    east = people["east"]
    assert "王建华" in client.get(url("list"), {"q": east.phone[-4:]}).content.decode()
    assert "王建华" in client.get(url("list"), {"q": east.id_number[-4:]}).content.decode()
    # a 6-character tail reveals the birth day: only for those who may see the number whole
    assert "王建华" not in client.get(url("list"), {"q": east.id_number[-6:]}).content.decode()
    assert "王建华" in as_user(world.county_manager).get(url("list"), {"q": east.id_number[-6:]}).content.decode()


def test_the_filters_narrow_the_list(as_user, world, people):
    platform = ServicePlatform.objects.filter(owner=None).first()
    group = SourceGroup.objects.first()
    services.volunteer_update(actor=world.admin, volunteer=people["east"], skills=[platform], source_group=group)
    services.volunteer_set_status(actor=world.admin, volunteer=people["west"], status=Status.SUSPENDED, reason="外出")
    team = services.team_create(actor=world.admin, site=world.village, name="东坪小分队", kind="squad")
    services.team_set_leader(actor=world.admin, team=team, volunteer=people["east"])
    client = as_user(world.county_manager)

    def names(**params):
        html = client.get(url("list"), params).content.decode()
        return {name for name in ("王建华", "李秀英") if name in html}

    assert names(site=world.township.pk) == {"王建华"}
    assert names(status="suspended") == {"李秀英"}
    assert names(source_group=group.pk) == {"王建华"}
    assert names(skill=platform.pk) == {"王建华"}
    assert names(team=team.pk) == {"王建华"}
    assert names() == {"王建华", "李秀英"}


def test_the_list_is_paginated_keeping_the_filters(as_user, world):
    for n in range(55):
        factories.volunteer(world.admin, world.village, real_name=f"翻页{n:02d}")
    html = as_user(world.county_manager).get(url("list"), {"q": "翻页"}).content.decode()
    assert "55 volunteers." in html
    assert "?q=%E7%BF%BB%E9%A1%B5&amp;page=2" in html


def export_rows(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def test_the_export_holds_the_filtered_list_masked_as_the_page(as_user, world, people):
    east = people["east"]
    rows = export_rows(as_user(world.county_viewer).get(url("export"), {"q": "王建"}))
    assert [r[0] for r in rows] == ["王建华"]
    assert rows[0][1] == mask_id(east.id_number) and rows[0][2] == mask_phone(east.phone)
    rows = export_rows(as_user(world.county_manager).get(url("export")))
    assert {r[0] for r in rows} == {"王建华", "李秀英"}
    assert east.id_number in {r[1] for r in rows}


# One volunteer ------------------------------------------------------------------------


def test_the_detail_page_masks_for_a_viewer_and_shows_the_history(as_user, world, people):
    east = people["east"]
    services.volunteer_set_status(actor=world.county_manager, volunteer=east, status=Status.SUSPENDED, reason="外出")
    html = as_user(world.county_viewer).get(url("detail", east.pk)).content.decode()
    assert mask_id(east.id_number) in html and east.id_number not in html
    assert "suspended" in html and "外出" in html  # the history with its reason
    assert url("edit", east.pk) not in html
    html = as_user(world.township_head).get(url("detail", east.pk)).content.decode()
    assert east.id_number in html and east.phone in html
    for name in ("edit", "password", "anonymise"):
        if name == "password":
            continue  # no login, no password to reset
        assert url(name, east.pk) in html
    assert url("status", east.pk, "active") in html  # reinstate a suspended volunteer


def test_the_detail_page_shows_the_figures_other_apps_offer(as_user, world, people):
    from datetime import date

    from points import services as points_services

    points_services.points_credit(
        actor=world.admin,
        volunteer=people["east"],
        source_key="test:1",
        hours="12.5",
        site=world.village,
        service_date=date(2026, 1, 5),
    )
    html = as_user(world.county_manager).get(url("detail", people["east"].pk)).content.decode()
    assert 'data-key="hours"' in html and "12.5" in html and 'data-key="stars"' in html


@pytest.mark.parametrize("persona", ["outsider", "volunteer", "village_head"])
def test_the_detail_page_is_a_404_outside_the_area(as_user, world, people, persona):
    assert as_user(world.personas[persona]).get(url("detail", people["west"].pk)).status_code == 404


def test_staff_register_a_volunteer_active_at_once(as_user, world):
    client = as_user(world.village_head)
    form = client.get(url("create"))
    assert form.status_code == 200
    number = factories.id_number()
    data = {
        "home_site": world.village.pk,
        "real_name": "周立新",
        "id_number": number,
        "phone": factories.phone(),
        "political_status": "masses",
        "consent": "on",
    }
    response = client.post(url("create"), data)
    volunteer = Volunteer.objects.get(id_number=number)
    assert response.status_code == 302 and response["Location"] == url("detail", volunteer.pk)
    assert volunteer.status == Status.ACTIVE and volunteer.user is None
    assert AuditEntry.objects.filter(action="volunteer.register", actor=world.village_head).exists()
    again = client.post(url("create"), {**data, "phone": factories.phone()})
    assert again.status_code == 200
    assert "This ID number is already registered at" in again.content.decode()


def test_registration_needs_consent_and_a_valid_id(as_user, world):
    data = {"home_site": world.village.pk, "real_name": "周立新", "id_number": "610724199005171230"}
    html = as_user(world.village_head).post(url("create"), {**data, "phone": "123"}).content.decode()
    assert "check digit is wrong" in html or "18 characters" in html
    assert not Volunteer.objects.exists()


def test_a_manager_edits_a_volunteer_and_a_viewer_may_not(as_user, world, people):
    east = people["east"]
    data = {
        "real_name": "王建华",
        "phone": east.phone,
        "home_site": world.village.pk,
        "political_status": "party_member",
        "skill_tags": "摄影，驾驶",
        "emergency_name": "王大",
    }
    assert as_user(world.county_viewer).post(url("edit", east.pk), data).status_code == 403
    client = as_user(world.township_head)
    assert client.get(url("edit", east.pk)).status_code == 200
    response = client.post(url("edit", east.pk), data)
    assert response.status_code == 302
    east.refresh_from_db()
    assert (east.political_status, east.skill_tags, east.emergency_name) == ("party_member", ["摄影", "驾驶"], "王大")
    html = client.post(url("edit", east.pk), {**data, "phone": "12"}).content.decode()
    assert "11-digit" in html


def test_suspend_reinstate_and_withdraw_through_confirmation_pages(as_user, world, people):
    east = people["east"]
    client = as_user(world.village_head)
    page = client.get(url("status", east.pk, "suspended"))
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    refused = client.post(url("status", east.pk, "suspended"), {"reason": ""})
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    assert client.post(url("status", east.pk, "suspended"), {"reason": "外出务工"}).status_code == 302
    east.refresh_from_db()
    assert (east.status, east.status_reason) == (Status.SUSPENDED, "外出务工")
    assert client.post(url("status", east.pk, "active"), {}).status_code == 302
    assert client.post(url("status", east.pk, "withdrawn"), {"reason": "搬家"}).status_code == 302
    east.refresh_from_db()
    assert east.status == Status.WITHDRAWN
    link = f'href="{url("detail", east.pk)}"'
    assert link not in client.get(url("list")).content.decode()  # withdrawn people leave the list
    assert link in client.get(url("list"), {"status": "withdrawn"}).content.decode()
    assert client.get(url("status", east.pk, "rejected")).status_code == 404
    assert as_user(world.county_viewer).get(url("status", east.pk, "active")).status_code == 403


def test_delete_on_request_says_what_is_erased_then_erases_it(as_user, world, people):
    east = people["east"]
    client = as_user(world.township_head)
    html = client.get(url("anonymise", east.pk)).content.decode()
    assert "ID number and birth date" in html and "service hours" in html
    assert client.post(url("anonymise", east.pk)).status_code == 302
    east.refresh_from_db()
    assert east.anonymised_at is not None and east.id_number is None and east.phone == ""


def test_a_manager_resets_a_volunteers_password(as_user, world):
    volunteer = self_registered(world.village)
    client = as_user(world.village_head)
    mismatch = client.post(url("password", volunteer.pk), {"password": "new-pass-8080x", "password2": "other"})
    assert "The two passwords differ." in mismatch.content.decode()
    response = client.post(url("password", volunteer.pk), {"password": "new-pass-8080x", "password2": "new-pass-8080x"})
    assert response.status_code == 302
    volunteer.user.refresh_from_db()
    assert volunteer.user.check_password("new-pass-8080x")


# The approval queue --------------------------------------------------------------------


def test_the_queue_approves_rejects_and_confirms_claims(as_user, world, people):
    pending = self_registered(world.village, name="陈小红")
    other = self_registered(world.village, name="刘海燕")
    services.login_claim_request(id_number=people["east"].id_number, phone=people["east"].phone, password=PASSWORD)
    far = self_registered(world.village2, name="孙晓东")
    client = as_user(world.village_head)
    html = client.get(url("queue")).content.decode()
    assert "陈小红" in html and "刘海燕" in html and "王建华" in html and "孙晓东" not in html
    assert pending.id_number in html  # a manager of the home site sees the number whole
    assert client.post(url("decide", pending.pk), {"decision": "approve", "next": url("queue")})["Location"] == url(
        "queue"
    )
    client.post(url("decide", other.pk), {"decision": "reject", "reason": ""})
    other.refresh_from_db()
    assert other.status == Status.PENDING  # a rejection needs a reason
    client.post(url("decide", other.pk), {"decision": "reject", "reason": "不在本村居住"})
    client.post(url("claim-confirm", people["east"].pk), {"approve": "1"})
    pending.refresh_from_db()
    other.refresh_from_db()
    people["east"].refresh_from_db()
    assert pending.status == Status.ACTIVE
    assert (other.status, other.status_reason) == (Status.REJECTED, "不在本村居住")
    assert people["east"].user.is_active and people["east"].claim_requested_at is None
    assert as_user(world.county_viewer).post(url("decide", far.pk), {"decision": "approve"}).status_code == 403
    assert as_user(world.outsider).post(url("decide", far.pk), {"decision": "approve"}).status_code == 404


# The phone pages ------------------------------------------------------------------------


def registration_data(world, **extra) -> dict:
    data = {
        "real_name": "陈小红",
        "id_number": factories.id_number(female=True),
        "phone": factories.phone(),
        "township": world.township.pk,
        "village": world.village.pk,
        "political_status": "masses",
        "password": PASSWORD,
        "password2": PASSWORD,
        "consent": "on",
    }
    data.update(extra)
    data.setdefault("phone_code", factories.phone_code(data["phone"]))
    return data


def test_self_registration_logs_in_and_shows_the_application_pending(client, world):
    page = client.get(url("register")).content.decode()
    assert "Personal Information Protection Law" in page and 'name="consent"' in page
    assert 'name="county"' in page  # two counties in the test world: choose one first
    data = registration_data(world, county=world.county.pk)
    response = client.post(url("register"), data)
    assert response.status_code == 302 and response["Location"] == url("me")
    volunteer = Volunteer.objects.get(id_number=data["id_number"])
    assert volunteer.status == Status.PENDING and volunteer.home_site == world.village and volunteer.consent_at
    html = client.get(url("me")).content.decode()
    assert "Pending approval" in html and volunteer.id_number in html and volunteer.phone in html


def test_the_places_fragment_lists_the_villages_of_a_township(client, world):
    html = client.get(url("places"), {"township": world.township.pk}, **HTMX).content.decode()
    assert f'value="{world.village.pk}"' in html and f'value="{world.village2.pk}"' not in html
    html = client.get(url("places"), {"county": world.county.pk}, **HTMX).content.decode()
    assert f'value="{world.township.pk}"' in html and f'value="{world.elsewhere_township.pk}"' not in html


def test_self_registration_refuses_a_minor_without_a_guardian_and_a_missing_consent(client, world):
    from datetime import date

    minor = factories.id_number(date(2014, 3, 1))
    html = client.post(url("register"), registration_data(world, county=world.county.pk, id_number=minor)).content
    assert "guardian" in html.decode()
    html = client.post(url("register"), registration_data(world, county=world.county.pk, consent="")).content
    assert "consent to the privacy notice" in html.decode()
    ok = registration_data(
        world, county=world.county.pk, id_number=minor, guardian_name="陈父", guardian_consent="on", village=""
    )
    assert client.post(url("register"), ok).status_code == 302
    assert Volunteer.objects.get(id_number=minor).home_site == world.township  # no village: the township


def test_a_duplicate_id_on_self_registration_names_no_site(client, world, people):
    data = registration_data(world, county=world.county.pk, id_number=people["east"].id_number)
    html = client.post(url("register"), data).content.decode()
    assert "already registered — please ask your station" in html
    assert world.village.label not in html.split("already registered")[1][:80]


def test_claiming_a_login_then_the_station_confirms(client, world, people):
    east = people["east"]
    data = {"id_number": east.id_number, "phone": east.phone, "password": PASSWORD, "password2": PASSWORD}
    wrong = client.post(url("claim"), {**data, "phone": factories.phone()})
    assert "No volunteer without a login matches" in wrong.content.decode()
    assert "Your station will confirm" in client.post(url("claim"), data, follow=True).content.decode()
    east.refresh_from_db()
    assert east.user is not None and not east.user.is_active and east.claim_requested_at


def test_my_profile_joins_a_team_and_withdraws(as_user, world):
    volunteer = self_registered(world.village)
    services.volunteer_decide(actor=world.admin, volunteer=volunteer, approve=True)
    squad = services.team_create(actor=world.admin, site=world.village, name="东坪文艺小分队", kind="squad")
    corps = services.team_create(actor=world.admin, site=world.county, name="测试县总队", kind="corps")
    other = services.team_create(actor=world.admin, site=world.village2, name="西坪小分队", kind="squad")
    client = as_user(volunteer.user)
    html = client.get(url("me")).content.decode()
    assert "东坪文艺小分队" in html and "测试县总队" in html and "西坪小分队" not in html
    assert client.post(url("me-join"), {"team": squad.pk}).status_code == 302
    assert Membership.objects.filter(volunteer=volunteer, team=squad, status=MembershipStatus.PENDING).exists()
    assert client.post(url("me-join"), {"team": other.pk}).status_code == 404
    html = client.get(url("me")).content.decode()
    assert "Waiting for the team leader" in html
    assert corps.name in html
    assert client.get(url("me-withdraw")).status_code == 200
    assert client.post(url("me-withdraw"), {"reason": "搬家"}).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == Status.WITHDRAWN


def test_my_profile_without_a_volunteer_record_says_so(as_user, world):
    assert "not registered as a volunteer" in as_user(world.county_manager).get(url("me")).content.decode()


# Teams --------------------------------------------------------------------------------


@pytest.fixture
def teams(world):
    corps = services.team_create(actor=world.admin, site=world.county, name="测试县总队", kind="corps")
    brigade = services.team_create(
        actor=world.admin, site=world.county, parent=corps, name="司法局法律服务大队", kind="brigade",
        lead_department="司法局",
    )  # fmt: skip
    detachment = services.team_create(
        actor=world.admin, site=world.township, parent=corps, name="甲镇支队", kind="detachment"
    )
    squad = services.team_create(
        actor=world.admin, site=world.village, parent=detachment, name="东坪小分队", kind="squad"
    )
    far = services.team_create(actor=world.admin, site=world.elsewhere_township, name="丁镇支队", kind="detachment")
    return {"corps": corps, "brigade": brigade, "detachment": detachment, "squad": squad, "far": far}


def test_the_team_list_is_a_tree_with_counts(as_user, world, teams, people):
    services.team_set_leader(actor=world.admin, team=teams["squad"], volunteer=people["east"])
    html = as_user(world.county_manager).get(url("teams")).content.decode()
    assert html.index("测试县总队") < html.index("甲镇支队") < html.index("东坪小分队")
    assert "司法局" in html and "丁镇支队" not in html and "王建华" in html
    html = as_user(world.county_manager).get(url("teams"), {"site": world.township.pk}).content.decode()
    assert "甲镇支队" in html and "测试县总队" not in html


def test_a_team_leader_decides_join_requests_without_a_site_grant(as_user, world, teams):
    leader = services.volunteer_decide(
        actor=world.admin, volunteer=self_registered(world.village, name="队长甲"), approve=True
    )
    services.team_set_leader(actor=world.admin, team=teams["squad"], volunteer=leader)
    asker = factories.volunteer(world.admin, world.village, real_name="申请人")
    request_ = services.membership_request(actor=world.admin, volunteer=asker, team=teams["squad"])
    client = as_user(leader.user)
    html = client.get(url("team-detail", teams["squad"].pk)).content.decode()
    assert "申请人" in html and url("membership-decide", request_.pk) in html
    assert url("team-edit", teams["squad"].pk) not in html
    assert client.post(url("membership-decide", request_.pk), {"approve": "1"}).status_code == 302
    request_.refresh_from_db()
    assert request_.status == MembershipStatus.ACTIVE
    html = client.get(url("team-detail", teams["squad"].pk)).content.decode()
    assert html.count('class="member-row"') == 2


def test_a_viewer_sees_a_team_but_cannot_decide_or_change(as_user, world, teams):
    asker = factories.volunteer(world.admin, world.village, real_name="申请人")
    request_ = services.membership_request(actor=world.admin, volunteer=asker, team=teams["squad"])
    client = as_user(world.county_viewer)
    html = client.get(url("team-detail", teams["squad"].pk)).content.decode()
    assert "申请人" not in html
    assert client.post(url("membership-decide", request_.pk), {"approve": "1"}).status_code == 403
    assert client.get(url("team-edit", teams["squad"].pk)).status_code == 403
    assert as_user(world.outsider).get(url("team-detail", teams["squad"].pk)).status_code == 404


def test_a_manager_creates_edits_and_chooses_a_leader(as_user, world, teams, people):
    client = as_user(world.township_head)
    assert client.get(url("team-create"), {"site": world.village.pk}).status_code == 200
    response = client.post(
        url("team-create"),
        {"site": world.village.pk, "parent": teams["detachment"].pk, "name": "东坪理论宣讲小分队", "kind": "squad"},
    )
    team = Team.objects.get(name="东坪理论宣讲小分队")
    assert response.status_code == 302 and team.parent == teams["detachment"]
    duplicate = client.post(
        url("team-create"), {"site": world.village.pk, "name": "东坪理论宣讲小分队", "kind": "squad"}
    )
    assert "already has a team with this name" in duplicate.content.decode()
    data = {"name": "东坪宣讲队", "kind": "squad", "description": "每月一讲", "is_active": "on"}
    assert client.post(url("team-edit", team.pk), data).status_code == 302
    team.refresh_from_db()
    assert (team.name, team.description) == ("东坪宣讲队", "每月一讲")
    services.membership_decide(
        actor=world.admin,
        membership=services.membership_request(actor=world.admin, volunteer=people["east"], team=team),
        approve=True,
    )
    assert "王建华" in client.get(url("team-leader", team.pk)).content.decode()
    assert client.post(url("team-leader", team.pk), {"volunteer": people["east"].pk}).status_code == 302
    team.refresh_from_db()
    assert team.leader == people["east"]
    assert as_user(world.village_head).get(url("team-edit", teams["detachment"].pk)).status_code == 404


# Roster import -------------------------------------------------------------------------


def roster_file(rows: list[dict]) -> SimpleUploadedFile:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in roster.COLUMNS])
    for row in rows:
        ws.append([row.get(c.key, "") for c in roster.COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("名册.xlsx", out.getvalue())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def eager():
    """Run the import task in the test's process (the worker's own test is in test_roster.py)."""
    from civic.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def test_an_import_runs_and_its_page_shows_the_bad_rows(
    as_user, world, media, eager, django_capture_on_commit_callbacks
):
    client = as_user(world.county_manager)
    page = client.get(url("import")).content.decode()
    assert url("import-template") in page and 'name="mode"' in page
    good = {"real_name": "导入甲", "id_number": factories.id_number(), "phone": factories.phone(), "site": "东坪村"}
    bad = {"real_name": "导入乙", "id_number": "123", "phone": factories.phone(), "site": "东坪村"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("import"), {"site": world.county.pk, "mode": "good", "file": roster_file([good, bad])}
        )
    job = RosterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == url("import-status", job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 1
    html = client.get(url("import-status", job.pk)).content.decode()
    assert "导入乙" in html and 'class="table bad-rows cards"' in html and "every 1s" not in html
    assert Volunteer.objects.filter(real_name="导入甲").exists()
    assert as_user(world.outsider).get(url("import-status", job.pk)).status_code == 404


def test_a_running_import_polls_itself(as_user, world, media):
    upload = roster_file([{"real_name": "导入丙"}])
    job = services.roster_import_create(actor=world.county_manager, site=world.county, upload=upload, mode="all")
    html = as_user(world.county_manager).get(url("import-status", job.pk), **HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in html and "<html" not in html


@pytest.fixture
def dead_broker():
    from civic.celery import app

    def reset(url_, eager):
        app.conf.broker_url = url_
        app.conf.task_always_eager = eager
        app._pool = None
        app.amqp._producer_pool = None

    old = (app.conf.broker_url, app.conf.task_always_eager)
    reset("redis://127.0.0.1:1/15", False)
    yield
    reset(*old)


@pytest.mark.django_db(transaction=True)
def test_a_queue_that_is_down_shows_on_the_import_form(as_user, world, media, dead_broker):
    """Transactional: the task is published when the upload's transaction commits, in the request."""
    client = as_user(world.county_manager)
    upload = roster_file([{"real_name": "导入丁"}])
    response = client.post(url("import"), {"site": world.county.pk, "mode": "all", "file": upload})
    assert response.status_code == 200
    assert "task queue is not reachable" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_the_template_downloads(as_user, world):
    response = as_user(world.county_manager).get(url("import-template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert roster.ROSTER_SHEET in load_workbook(io.BytesIO(response.content)).sheetnames


# Coverage on the site pages ------------------------------------------------------------


def test_the_site_page_and_tree_show_active_volunteers_and_coverage(as_user, world, people):
    html = as_user(world.county_manager).get(reverse("centers:site-detail", args=[world.village.pk])).content.decode()
    assert 'data-key="volunteers"' in html and 'data-key="coverage"' in html
    assert "0.1%" in html and "/13%" in html  # 1 of 900
    html = as_user(world.county_manager).get(reverse("centers:tree")).content.decode()
    assert 'data-key="coverage"' in html


# Admin -------------------------------------------------------------------------------


def test_the_admin_masks_for_staff_who_may_not_unmask(client, world, people):
    east = people["east"]
    client.force_login(world.admin)
    html = client.get(reverse("admin:volunteers_volunteer_changelist")).content.decode()
    assert east.id_number in html
    staff = get_user_model().objects.create_user("desk", password="pw-desk", is_staff=True)
    from centers import services as center_services

    center_services.role_grant(actor=world.admin, user=staff, site=world.county, role="viewer")
    client.force_login(staff)
    html = client.get(reverse("admin:volunteers_volunteer_changelist")).content.decode()
    assert mask_id(east.id_number) in html and east.id_number not in html and "赵远方" not in html
    assert client.get(reverse("admin:volunteers_volunteer_change", args=[east.pk])).status_code == 200


def test_the_admin_writes_teams_through_the_services(client, world):
    client.force_login(world.admin)
    data = {"site": world.village.pk, "parent": "", "name": "后台小分队", "kind": "squad", "is_active": "on"}
    response = client.post(reverse("admin:volunteers_team_add"), data)
    assert response.status_code == 302
    team = Team.objects.get(name="后台小分队")
    assert AuditEntry.objects.filter(action="team.create", object_id=str(team.pk)).exists()
    for name in ("membership", "rosterimport"):
        assert client.get(reverse(f"admin:volunteers_{name}_changelist")).status_code == 200


# Query counts ------------------------------------------------------------------------


@pytest.fixture
def warm(as_user, world):
    def client_for(user):
        client = as_user(user)
        client.get(url("me"))  # the session's first request stamps it (once a minute)
        return client

    return client_for


def grow(world, start: int, stop: int, team=None):
    group = SourceGroup.objects.first()
    platform = ServicePlatform.objects.filter(owner=None).first()
    made = []
    for i in range(start, stop):
        v = factories.volunteer(world.admin, world.village, real_name=f"批量{i}", source_group=group, skills=[platform])
        made.append(v)
        self_registered(world.village, name=f"待批{i}")
        claimant = factories.volunteer(world.admin, world.village, real_name=f"认领{i}")
        services.login_claim_request(id_number=claimant.id_number, phone=claimant.phone, password=PASSWORD)
        if team is not None:
            membership = services.membership_request(actor=world.admin, volunteer=v, team=team)
            services.membership_decide(actor=world.admin, membership=membership, approve=True)
            services.team_create(actor=world.admin, site=world.village, parent=team, name=f"子队{i}", kind="squad")
    return made


def counted(client, django_assert_num_queries, path, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "page",
    ["list", "queue", "teams", "team-detail", "me"],
)
def test_the_lists_run_the_same_number_of_queries_for_5_and_30_rows(world, warm, page, django_assert_num_queries):
    team = services.team_create(actor=world.admin, site=world.village, name="计数小分队", kind="squad")
    me = self_registered(world.village, name="本人")
    services.volunteer_decide(actor=world.admin, volunteer=me, approve=True)
    users = {"me": me.user}
    path = url("team-detail", team.pk) if page == "team-detail" else url(page)
    client = warm(users.get(page, world.village_head))
    counts = []
    for start, stop in ((0, 5), (5, 30)):
        grow(world, start, stop, team=team)
        counts.append(counted(client, django_assert_num_queries, path))
    assert counts[0] == counts[1], counts
    print(f"{page}: {counts[0]} queries")
    assert counts[0] <= PINS[page] + (len(figures._providers["volunteer_figures"]) if page == "me" else 0)


# "me" also asks one query of each app offering volunteer figures (points, activities).
PINS = {"list": 10, "queue": 4, "teams": 7, "team-detail": 10, "me": 6}
