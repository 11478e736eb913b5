"""Pages offer only the moves that are possible and say why the others are not; the default
volunteer list is the roll (在册: active and suspended); an unreadable upload is refused before
anything is stored; a profile links to the person's points and certificates; list tables
become labelled cards on a phone."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests import factories
from volunteers import services
from volunteers.models import RosterImport, Status

pytestmark = pytest.mark.django_db
PASSWORD = "long-enough-pass-42"


def url(name: str, *args) -> str:
    return reverse(f"volunteers:{name}", args=args)


def self_registered(site, name):
    return factories.self_register(site, real_name=name, password=PASSWORD)


@pytest.fixture
def people(world):
    """One volunteer in each state, all in 东坪村."""
    admin = world.admin
    active = factories.volunteer(admin, world.village, real_name="正常甲")
    suspended = factories.volunteer(admin, world.village, real_name="暂停乙")
    services.volunteer_set_status(actor=admin, volunteer=suspended, status=Status.SUSPENDED, reason="外出")
    pending = self_registered(world.village, "待审丙")
    rejected = services.volunteer_decide(
        actor=admin, volunteer=self_registered(world.village, "驳回丁"), approve=False, reason="不在本村"
    )
    withdrawn = factories.volunteer(admin, world.village, real_name="退出戊")
    services.volunteer_set_status(actor=admin, volunteer=withdrawn, status=Status.WITHDRAWN)
    return {"active": active, "suspended": suspended, "pending": pending, "rejected": rejected, "withdrawn": withdrawn}


def main(html: str) -> str:
    """The page's own content (the navigation around it is the shell's)."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def listed(client, **params) -> set[str]:
    html = client.get(url("list"), params).content.decode()
    return {name for name in ("正常甲", "暂停乙", "待审丙", "驳回丁", "退出戊") if name in html}


# The roll -------------------------------------------------------------------------------


def test_the_default_list_is_the_roll_and_everyone_is_one_choice_away(as_user, world, people):
    client = as_user(world.village_head)
    assert listed(client) == {"正常甲", "暂停乙"}
    assert listed(client, status="all") == {"正常甲", "暂停乙", "待审丙", "驳回丁"}
    assert listed(client, status="pending") == {"待审丙"}
    assert listed(client, status="rejected") == {"驳回丁"}
    assert listed(client, status="withdrawn") == {"退出戊"}
    html = client.get(url("list")).content.decode()
    assert "2 volunteers." in html
    options = re.findall(r'<option value="([a-z]*)"[^>]*>([^<]+)</option>', html.split('name="status"')[1])
    assert options[:2] == [("", "On the roll: active and suspended"), ("all", "Everyone but the withdrawn")]


def test_the_roll_is_named_in_chinese_apart_from_the_active_state(as_user, world, people, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        html = as_user(world.village_head).get(url("list")).content.decode()
    assert ">在册（正常和已暂停）</option>" in html and ">全部（已退出的除外）</option>" in html
    assert ">正常</option>" in html and ">已暂停</option>" in html
    assert main(html).count("在册") == 1  # the roll; the state of an active volunteer reads 正常


# Possible moves ---------------------------------------------------------------------------


def status_links(html: str, volunteer) -> set[str]:
    return {to for to in ("suspended", "active", "withdrawn") if f'href="{url("status", volunteer.pk, to)}"' in html}


def test_the_detail_page_offers_only_possible_status_moves_and_says_why_not(as_user, world, people):
    client = as_user(world.village_head)
    pages = {name: client.get(url("detail", v.pk)).content.decode() for name, v in people.items()}
    assert status_links(pages["active"], people["active"]) == {"suspended", "withdrawn"}
    assert status_links(pages["suspended"], people["suspended"]) == {"active", "withdrawn"}
    assert status_links(pages["pending"], people["pending"]) == {"withdrawn"}
    assert status_links(pages["rejected"], people["rejected"]) == {"active"}
    assert status_links(pages["withdrawn"], people["withdrawn"]) == {"active"}
    assert "Only an active volunteer can be suspended." in pages["pending"]
    assert "A pending registration becomes active when it is approved." in pages["pending"]
    assert "A rejected registration cannot be withdrawn" in pages["rejected"]
    assert "Only an active volunteer can be suspended." not in pages["active"]  # the state says it
    # no login, no password to reset: said instead of offered
    assert url("password", people["active"].pk) not in pages["active"] and "No login yet" in pages["active"]
    assert url("password", people["pending"].pk) in pages["pending"] and "No login yet" not in pages["pending"]


def test_an_impossible_move_page_says_why_and_offers_no_button(as_user, world, people):
    client = as_user(world.village_head)
    suspended = people["suspended"]
    html = client.get(url("status", suspended.pk, "suspended")).content.decode()
    assert 'name="reason"' not in html and "this is not possible now" in html
    assert f'href="{url("detail", suspended.pk)}"' in html
    refused = client.post(url("status", suspended.pk, "suspended"), {"reason": "再次"})
    assert refused.status_code == 200 and "cannot go from" in refused.content.decode()
    assert 'name="reason"' in client.get(url("status", suspended.pk, "active")).content.decode()


def test_an_erased_record_offers_no_moves(as_user, world, people):
    services.volunteer_anonymise(actor=world.admin, volunteer=people["active"])
    html = as_user(world.village_head).get(url("detail", people["active"].pk)).content.decode()
    assert status_links(html, people["active"]) == set() and url("edit", people["active"].pk) not in html
    assert "the record no longer changes" in html


def test_the_team_page_offers_a_leader_and_subteams_only_where_possible(as_user, world, people):
    admin = world.admin
    corps = services.team_create(actor=admin, site=world.county, name="测试县总队", kind="corps")
    squad = services.team_create(actor=admin, site=world.village, parent=corps, name="东坪小分队", kind="squad")
    client = as_user(world.county_manager)
    html = client.get(url("team-detail", squad.pk)).content.decode()
    assert url("team-leader", squad.pk) not in html and "accept a join request before choosing its leader" in html
    assert f"parent={squad.pk}" not in html and "A village squad has no teams under it." in html
    services.team_set_leader(actor=admin, team=corps, volunteer=people["active"])
    html = client.get(url("team-detail", corps.pk)).content.decode()
    assert url("team-leader", corps.pk) in html and f"parent={corps.pk}" in html
    services.team_update(actor=admin, team=corps, is_active=False)
    html = client.get(url("team-detail", corps.pk)).content.decode()
    assert f"parent={corps.pk}" not in html and "An inactive team takes no teams under it." in html


def test_my_page_offers_withdrawal_only_where_possible(as_user, world, people):
    assert url("me-withdraw") in as_user(people["pending"].user).get(url("me")).content.decode()
    assert url("me-withdraw") not in as_user(people["rejected"].user).get(url("me")).content.decode()


# Uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The submitted file is empty."),
        (b"\r\n\r\n", "blank.csv", "The file is empty."),
        (b"PK\x03\x04 broken", "broken.xlsx", "not a readable xlsx workbook"),
        ("姓名,身份证号,手机号,所属站点\n".encode(), "header.csv", "no rows under its header"),
        (b"%PDF-1.4", "roster.pdf", "xlsx workbook or a CSV file"),
    ],
    ids=["empty", "blank", "broken", "header-only", "pdf"],
)
def test_an_unreadable_upload_is_refused_on_the_form_and_nothing_is_stored(
    as_user, world, settings, tmp_path, content, name, message
):
    settings.MEDIA_ROOT = tmp_path
    response = as_user(world.county_manager).post(
        url("import"), {"site": world.county.pk, "mode": "all", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not RosterImport.objects.exists() and not any(tmp_path.rglob("*.*"))


# Links to points and certificates -------------------------------------------------------------


def test_a_profile_links_to_the_points_and_certificates(as_user, world, people):
    v = people["active"]
    html = as_user(world.village_head).get(url("detail", v.pk)).content.decode()
    assert f'href="{reverse("points:ledger", args=[v.pk])}"' in html
    assert f'href="{reverse("points:volunteer-certificates", args=[v.pk])}"' in html
    mine = as_user(people["pending"].user).get(url("me")).content.decode()
    assert f'href="{reverse("points:mine")}"' in mine and f'href="{reverse("points:certificates")}"' in mine


def test_a_profile_works_without_the_points_pages(as_user, world, people, settings):
    settings.ROOT_URLCONF = "tests.volunteers.urls_without_points"
    from django.urls import clear_url_caches

    clear_url_caches()
    try:
        html = as_user(world.village_head).get(url("detail", people["active"].pk)).content.decode()
        assert "正常甲" in html and "/points/" not in main(html)
        assert "/points/" not in main(as_user(people["pending"].user).get(url("me")).content.decode())
    finally:
        clear_url_caches()


# Cards ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "detail", "team", "import"])
def test_every_cell_of_a_list_table_is_labelled_for_cards(as_user, world, people, settings, tmp_path, page):
    settings.MEDIA_ROOT = tmp_path
    squad = services.team_create(actor=world.admin, site=world.village, name="东坪小分队", kind="squad")
    services.team_set_leader(actor=world.admin, team=squad, volunteer=people["active"])
    header = "姓名,身份证号,手机号,所属站点\n坏行,123,1,东坪村\n"
    job = services.roster_import_create(
        actor=world.county_manager, site=world.county, upload=SimpleUploadedFile("r.csv", header.encode()), mode="all"
    )
    services.roster_import_run(import_id=job.pk)
    path = {
        "list": url("list"),
        "detail": url("detail", people["suspended"].pk),
        "team": url("team-detail", squad.pk),
        "import": url("import-status", job.pk),
    }[page]
    html = as_user(world.county_manager).get(path).content.decode()
    tables = re.findall(r"<table class=\"([^\"]*)\".*?</table>", html, re.S)
    # (a volunteer's page holds no table of its own: its history is the trail's list)
    assert (tables or page == "detail") and all("cards" in classes.split() for classes in tables)
    body = "".join(re.findall(r"<tbody>(.*?)</tbody>", html, re.S))
    cells = re.findall(r"<t[dh]\b[^>]*>", body)
    assert (cells or page == "detail") and all("data-label=" in cell for cell in cells), [
        c for c in cells if "data-label" not in c
    ]
    if page != "team":
        assert 'class="badge badge-' in html  # states are badges


# My password ---------------------------------------------------------------------------------


def test_a_volunteer_changes_their_own_password_and_stays_logged_in(client, world, people):
    from django.contrib.auth import authenticate

    from civic.models import AuditEntry

    v = people["pending"]
    client.force_login(v.user)
    assert f'href="{url("me-password")}"' in client.get(url("me")).content.decode()
    wrong = client.post(url("me-password"), {"old_password": "nope", "password": "x", "password2": "x"})
    assert "This is not your current password." in wrong.content.decode()
    like_id = client.post(
        url("me-password"), {"old_password": PASSWORD, "password": v.id_number, "password2": v.id_number}
    )
    assert like_id.status_code == 200 and authenticate(username=v.phone, password=PASSWORD) == v.user
    new = "another-long-pass-77"
    done = client.post(url("me-password"), {"old_password": PASSWORD, "password": new, "password2": new})
    assert done.status_code == 302 and done["Location"] == url("me")
    assert client.get(url("me")).status_code == 200  # still logged in
    assert authenticate(username=v.phone, password=new) == v.user
    assert AuditEntry.objects.filter(action="volunteer.password_changed", object_id=str(v.pk)).exists()
    client.logout()
    assert client.get(url("me-password"))["Location"].startswith(reverse("login"))
