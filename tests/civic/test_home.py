"""Each person's home: the panels the apps offer them, the navigation by what they may do,
and each home's query count pinned per persona."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from centers import services as center_services
from centers.models import Site
from civic import figures, home, nav
from civic.home import Panel
from points import services as points_services
from tests import factories
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    """The world's personas, a volunteer with points and a team, a pending registration and a
    join request for the township head, and a goods redemption waiting for pickup."""
    volunteer = factories.volunteer_with_login(world.admin, world.village, name="钱七")
    points_services.points_credit(
        actor=world.admin,
        volunteer=volunteer,
        source_key="home:1",
        hours=3,
        site=world.village,
        service_date=timezone.localdate(),
    )
    team = volunteer_services.team_create(actor=world.admin, site=world.township, name="甲镇支队", kind="detachment")
    volunteer_services.membership_request(actor=volunteer.user, volunteer=volunteer, team=team)
    factories.self_register(world.village, real_name="孙八")
    goods = points_services.goods_create(actor=world.admin, site=world.township, name="保温杯", price=10)
    points_services.goods_stock_in(actor=world.admin, goods=goods, quantity=3)
    points_services.redeem(actor=volunteer.user, goods=goods)
    world.village.liaison_name = "周九"
    world.village.liaison_phone = "0917-1234567"
    world.village.save()
    return world, volunteer, team


def logged_in(user) -> Client:
    """A client logged in as ``user`` (through the login signal, as a real login is) after
    a first request, which stamps the session for the idle timeout."""
    client = Client()
    client.force_login(user)
    client.get(reverse("home"))
    return client


def href(name: str, args=None) -> str:
    return f'href="{reverse(name, args=args)}"'


def panels_of(response) -> list[str]:
    return [panel.key for panel in response.context["panels"]]


def test_a_volunteer_lands_on_their_record_points_and_teams(people):
    world, volunteer, team = people
    response = logged_in(volunteer.user).get(reverse("home"))
    assert response.status_code == 200
    assert panels_of(response) == ["volunteer", "points", "activities_volunteer"]
    html = response.content.decode()
    assert "钱七" in html
    assert 'data-key="lifetime">30<' in html  # 3 hours at the default rate of 10 points
    assert "1 request to join is waiting for a team leader." in html
    assert href("points:shop") in html and href("volunteers:me") in html
    assert href("centers:tree") not in html  # no staff links for a volunteer
    assert href("volunteers:list") not in html


def test_a_township_head_lands_on_what_needs_action_and_their_station(people):
    world, _volunteer, team = people
    response = logged_in(world.township_head).get(reverse("home"))
    assert panels_of(response) == ["approvals", "activities", "pickups", "sites"]
    html = response.content.decode()
    assert world.township.display_name in html
    assert href("volunteers:queue") in html  # 孙八's registration waits
    assert href("volunteers:team-detail", args=[team.pk]) in html  # 钱七 asks to join
    assert href("points:pickup", args=[world.township.pk]) in html
    assert href("volunteers:me") not in html  # no volunteer record: no volunteer links
    assert href("points:mine") not in html


def test_county_staff_land_on_the_county(people):
    world, _volunteer, _team = people
    response = logged_in(world.county_manager).get(reverse("home"))
    assert panels_of(response) == ["approvals", "activities", "pickups", "sites"]
    html = response.content.decode()
    assert world.county.display_name in html
    assert "<caption>Sites under it, by level</caption>" in html


def test_a_viewer_sees_the_county_but_no_managers_links(people):
    world, _volunteer, _team = people
    response = logged_in(world.county_viewer).get(reverse("home"))
    assert panels_of(response) == ["activities", "sites"]
    html = response.content.decode()
    for name in ("volunteers:queue", "volunteers:import", "points:manage"):
        assert href(name) not in html, name
    assert href("centers:site-standards", args=[world.county.pk]) not in html
    assert href("volunteers:list") in html


def test_someone_with_no_role_is_told_what_they_can_do(people):
    world, _volunteer, _team = people
    world.county.liaison_name = "吴十"
    world.county.liaison_phone = "0917-7654321"
    world.county.save()
    response = logged_in(world.volunteer).get(reverse("home"))
    assert panels_of(response) == ["join", "ask"]
    html = response.content.decode()
    assert f'value="{reverse("volunteers:register")}"' in html  # log out, then register
    assert f'value="{reverse("volunteers:claim")}"' in html
    assert "permission" not in html.lower()
    # Two counties stand alone in this world: no one center to name.
    assert "吴十" not in html


def test_someone_with_no_role_is_given_the_centers_liaison_when_there_is_one_center(people):
    world, _volunteer, _team = people
    world.county.liaison_name = "吴十"
    world.county.save()
    Site.objects.filter(pk=world.elsewhere.pk).update(is_active=False)  # one center stands alone now
    html = logged_in(world.volunteer).get(reverse("home")).content.decode()
    assert "吴十" in html


def test_a_pending_volunteer_is_given_their_stations_liaison(people):
    world, _volunteer, _team = people
    pending = factories.self_register(world.village, real_name="郑一")
    response = logged_in(pending.user).get(reverse("home"))
    html = response.content.decode()
    assert "周九" in html and "0917-1234567" in html


def test_a_role_given_after_login_shows_on_the_home_page(people):
    world, volunteer, _team = people
    client = logged_in(volunteer.user)
    assert href("centers:tree") not in client.get(reverse("points:mine")).content.decode()
    center_services.role_grant(actor=world.admin, user=volunteer.user, site=world.village2, role="viewer")
    assert href("centers:tree") not in client.get(reverse("points:mine")).content.decode()  # kept in the session
    html = client.get(reverse("home")).content.decode()
    assert href("centers:tree") in html
    assert href("centers:tree") in client.get(reverse("points:mine")).content.decode()


# The navigation -----------------------------------------------------------------------


def nav_urls(client) -> list[str]:
    return [item["url"] for item in client.get(reverse("home")).context["civic_nav"]]


def test_no_one_is_shown_a_link_that_refuses_them(people):
    world, volunteer, _team = people
    for user in (world.county_manager, world.county_viewer, world.township_head, world.village_head, volunteer.user,
                 world.volunteer):  # fmt: skip
        client = logged_in(user)
        for url in nav_urls(client):
            response = client.get(url)
            assert response.status_code == 200, (user.username, url, response.status_code)


def test_the_navigation_follows_the_audiences(people):
    world, volunteer, _team = people
    staff = nav_urls(logged_in(world.county_viewer))
    assert reverse("volunteers:list") in staff and reverse("volunteers:queue") not in staff
    assert reverse("volunteers:me") not in staff and reverse("points:shop") not in staff
    managers = nav_urls(logged_in(world.township_head))
    assert reverse("volunteers:queue") in managers and reverse("points:manage") in managers
    mine = nav_urls(logged_in(volunteer.user))
    assert mine[:2] == [reverse("home"), reverse("volunteers:me")]
    assert reverse("volunteers:list") not in mine and reverse("centers:tree") not in mine
    assert nav_urls(logged_in(world.volunteer)) == [reverse("home")]


def test_audiences_are_decided_in_one_query(people, django_assert_num_queries):
    world, volunteer, _team = people
    center_services.role_grant(actor=world.admin, user=volunteer.user, site=world.village, role="manager")
    with django_assert_num_queries(1):
        assert nav.audiences_of(volunteer.user) == {"anyone", "staff", "manager", "volunteer"}
    with django_assert_num_queries(1):
        assert nav.audiences_of(world.county_viewer) == {"anyone", "staff"}
    assert nav.audiences_of(world.admin) == {"anyone", "staff", "manager"}


def test_audiences_are_kept_in_the_session_at_login(people):
    world, _volunteer, _team = people
    client = Client()
    assert client.login(username="township_head", password="pw-township_head")
    assert client.session[nav.AUDIENCE_KEY] == ["anyone", "manager", "staff"]


def test_a_team_leader_sees_the_teams_and_the_join_requests(people):
    world, volunteer, team = people
    leader = factories.volunteer_with_login(world.admin, world.township, name="冯二")
    volunteer_services.team_set_leader(actor=world.admin, team=team, volunteer=leader)
    client = logged_in(leader.user)
    response = client.get(reverse("home"))
    assert "approvals" in panels_of(response)
    assert reverse("volunteers:team-detail", args=[team.pk]) in response.content.decode()
    assert reverse("volunteers:teams") in [item["url"] for item in response.context["civic_nav"]]


def test_an_unknown_audience_is_refused():
    with pytest.raises(ValueError):
        nav._normalise(("staff", "everyone"))
    assert nav._normalise("all") == {"anyone"}


def test_panels_are_shown_in_their_order(rf, world, monkeypatch):
    request = rf.get("/")
    request.user = world.volunteer
    request.session = {}
    late = Panel(key="late", title="late", template="home/_join.html", order=90)
    early = Panel(key="early", title="early", template="home/_join.html", order=5)
    monkeypatch.setattr(home, "_makers", [lambda r: late, lambda r: None, lambda r: early])
    assert [p.key for p in home.panels_for(request)] == ["early", "late"]


# Query counts -------------------------------------------------------------------------

# Every home: the session and the user (2), the audiences read again (1), then the panels.
BASE = 3
SITE_FIGURES = len(figures._providers["site_figures"])
# activities' panels: for staff the month's list, the quota of their sites and those under
# them, what needs their action and the sites short of quota (9); for a volunteer their
# record, what is open near them and their sign-ups (3)
ACTIVITIES_STAFF = 9
ACTIVITIES_VOLUNTEER = 3
HOME_QUERIES = {
    # sites panel: grants and tops (2), where they may change (1), tier counts (1), figures;
    # approvals: registrations and claims (1), join requests (1); pickups (1)
    "county_manager": BASE + 2 + 1 + 4 + SITE_FIGURES + ACTIVITIES_STAFF,
    "township_head": BASE + 2 + 1 + 4 + SITE_FIGURES + ACTIVITIES_STAFF,
    "village_head": BASE + 2 + 1 + 4 + SITE_FIGURES + ACTIVITIES_STAFF,
    # sites panel and activities
    "county_viewer": BASE + 4 + SITE_FIGURES + ACTIVITIES_STAFF,
    # record and teams (2), points (1), activities
    "volunteer": BASE + 2 + 1 + ACTIVITIES_VOLUNTEER,
    # the one center (1)
    "no_role": BASE + 1,
}


@pytest.mark.parametrize("persona", sorted(HOME_QUERIES))
def test_each_home_runs_a_pinned_number_of_queries(people, persona, django_assert_num_queries):
    world, volunteer, _team = people
    user = {"volunteer": volunteer.user, "no_role": world.volunteer}.get(persona) or getattr(world, persona)
    client = logged_in(user)
    for n in range(5):  # more of everything changes nothing
        factories.self_register(world.village, real_name=f"多{n}")
    with django_assert_num_queries(HOME_QUERIES[persona]):
        response = client.get(reverse("home"))
    assert response.status_code == 200


# Words ---------------------------------------------------------------------------------

ENGLISH = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"English", "PNG", "JPEG", "WebP"}  # the language's own name; picture formats


def shown_text(html: str, *parts: str) -> str:
    """The text a person reads in the page's header, menu, footer and main (tags and their
    attributes left out, except labels people read: alt, title, placeholder)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    words = re.findall(r'(?:alt|title|placeholder|aria-label)="([^"]*)"', text)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join([text, *words])


@pytest.mark.parametrize("persona", ["login", "county_manager", "volunteer", "no_role"])
def test_the_login_page_and_the_shell_speak_chinese(people, settings, persona):
    settings.LANGUAGE_CODE = "zh-hans"
    world, volunteer, _team = people
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if persona == "login":
        html = client.get(reverse("login")).content.decode()
        assert "手机号或身份证号：" in html  # a full-width colon after a Chinese label
    else:
        user = {"volunteer": volunteer.user, "no_role": world.volunteer}.get(persona) or getattr(world, persona)
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
    names = {word for user in world.personas.values() for word in ENGLISH.findall(user.get_username())}
    english = set(ENGLISH.findall(shown_text(html))) - ALLOWED - names
    assert not english, english
    for ascii_mark in ("):", "（如", "。."):
        assert ascii_mark not in shown_text(html), ascii_mark


def test_log_out_and_register_leads_to_the_registration_form(people):
    world, _volunteer, _team = people
    client = logged_in(world.volunteer)
    response = client.post(reverse("logout"), {"next": reverse("volunteers:register")})
    assert response.status_code == 302 and response["Location"] == reverse("volunteers:register")
    assert client.get(reverse("volunteers:register")).status_code == 200  # logged out: the form itself
