"""QR sign-in through the pages: the organizer's code (new every 30 seconds, its JSON for the
page script, the printed code where allowed), and the volunteer's scan page — held while they
log in, a family's phone picking who signs in, the position where the place is checked, and
the service's refusals shown as messages."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from activities import qr, services
from activities.models import Attendance, Flag, State
from activities.views.signin import SCAN_KEY
from tests import factories
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db
SCAN = reverse("activities:scan")
PLACE = {"latitude": "32.987000", "longitude": "107.765000"}


def url(name, *args):
    return reverse(f"activities:{name}", args=args)


@pytest.fixture
def running(make_activity, world):
    return make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(minutes=-30))


def token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["t"][0]


def test_the_organizers_page_shows_the_code_and_its_json_the_next(world, running, as_user):
    client = as_user(world.village_head)
    page = client.get(url("code", running.pk))
    assert page.status_code == 200
    code = page.context["code"]
    assert code["image"].startswith("data:image/svg+xml;base64,")
    assert code["link"].startswith("http://testserver/activities/s/?t=r.")
    assert 1 <= code["refresh_in"] <= 30
    qr.check(running, token_of(code["link"]), timezone.now(), static_allowed=False)
    data = client.get(url("code-json", running.pk)).json()
    assert data["open"] and data["window"] == qr.window_of(timezone.now()) and data["link"] == code["link"]
    assert client.get(url("code-json", running.pk))["Cache-Control"] == "no-store"


def test_a_draft_has_no_code_and_a_viewer_no_code_page(world, make_activity, as_user, client):
    draft = make_activity(world.village)
    head = as_user(world.village_head)
    assert "code" not in head.get(url("code", draft.pk)).context
    assert head.get(url("code-json", draft.pk)).json() == {
        "open": False,
        "message": "Sign-in is closed for this activity.",
    }
    client.logout()
    assert as_user(world.county_viewer).get(url("code", draft.pk)).status_code == 403


def test_the_printed_code_only_where_the_county_allows_it(world, running, as_user):
    client = as_user(world.village_head)
    assert client.get(url("code-print", running.pk)).context["allowed"] is False
    services.activity_settings_save(
        actor=world.admin, site=world.county, valid_from=date(2000, 1, 1), static_qr_allowed=True
    )
    page = client.get(url("code-print", running.pk))
    assert page.context["allowed"] and token_of(page.context["link"]) == qr.static_token(running)


def test_voiding_the_codes_makes_the_old_one_stop(world, running, as_user, person):
    old = qr.rotating_token(running, timezone.now())
    assert as_user(world.village_head).post(url("code-renew", running.pk)).status_code == 302
    v = person()
    client = as_user(v.user)
    response = client.get(SCAN, {"t": old})
    assert response.status_code == 400 and "not genuine" in response.content.decode()


def test_a_visitor_scans_logs_in_and_signs_in(world, running, person, client):
    v = person()
    link = f"{SCAN}?t={qr.rotating_token(running, timezone.now())}"
    first = client.get(link)
    login = reverse("login")
    assert first["Location"] == f"{login}?next={SCAN}"
    response = client.post(
        login + f"?next={SCAN}", {"username": v.phone, "password": "long-enough-pass-42", "next": SCAN}
    )
    assert response["Location"] == SCAN
    assert client.session.get(SESSION_KEY) and client.session.get(SCAN_KEY)  # the scan outlived the login
    page = client.get(SCAN)
    assert page.context["activity"] == running and [p[0].pk for p in page.context["people"]] == [v.pk]
    done = client.post(SCAN, {"volunteer": v.pk, "action": "in"}, follow=True)
    attendance = Attendance.objects.get()
    assert (attendance.volunteer_id, attendance.sign_in_method) == (v.pk, "qr_rotating")
    assert attendance.signed_in_at <= timezone.now()
    assert "signed in at" in done.content.decode()
    assert not done.context["can_sign_out"]
    # the scan that signed them in does not sign them out: they scan again when they leave
    same = client.post(SCAN, {"volunteer": v.pk, "action": "out"})
    assert "Scan the code again when you leave" in str(same.context["form"].non_field_errors())
    client.get(SCAN, {"t": qr.rotating_token(running, timezone.now())})
    assert client.get(SCAN).context["can_sign_out"]
    out = client.post(SCAN, {"volunteer": v.pk, "action": "out"}, follow=True)
    attendance.refresh_from_db()
    assert attendance.signed_out_at is not None and "signed out at" in out.content.decode()


def test_the_scan_is_held_ten_minutes_and_then_asks_again(world, running, person, as_user):
    v = person()
    client = as_user(v.user)
    client.get(SCAN, {"t": qr.rotating_token(running, timezone.now())})
    session = client.session
    session[SCAN_KEY] = {**session[SCAN_KEY], "at": (timezone.now() - timedelta(minutes=11)).isoformat()}
    session.save()
    assert client.get(SCAN).context["expired"]
    response = client.post(SCAN, {"volunteer": v.pk})
    assert "Scan the code" in str(response.context["form"].non_field_errors())
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "token, message",
    [
        ("nonsense", "not a sign-in code"),
        ("r.999999.1:" + "A" * 43, "not a sign-in code"),
        ("r.{pk}.1:" + "A" * 43, "not genuine"),
        ("expired", "has expired"),
        ("static", "Printed codes are not accepted"),
    ],
)
def test_a_bad_code_is_refused_with_the_services_message(world, running, person, as_user, token, message):
    if token == "expired":
        token = qr.rotating_token(running, timezone.now() - timedelta(minutes=2))
    elif token == "static":
        token = qr.static_token(running)
    token = token.replace("{pk}", str(running.pk))
    client = as_user(person().user)
    response = client.get(SCAN, {"t": token})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SCAN_KEY not in client.session
    assert not Attendance.objects.exists()


def test_a_shared_phone_picks_who_of_the_family_signs_in(world, running, person, as_user):
    parent = person(name="王大爷")
    child = volunteer_services.volunteer_register(
        actor=world.admin, home_site=world.village, real_name="王小", id_number=factories.id_number(),
        phone=parent.phone, consent=True,
    )  # fmt: skip
    stranger = person(name="陌生人")
    client = as_user(parent.user)
    client.get(SCAN, {"t": qr.rotating_token(running, timezone.now())})
    page = client.get(SCAN)
    assert [p[0].pk for p in page.context["people"]] == [parent.pk, child.pk]
    assert f'name="volunteer" value="{child.pk}"' in page.content.decode()
    refused = client.post(SCAN, {"volunteer": stranger.pk})
    assert "only yourself or your family" in str(refused.context["form"].non_field_errors())
    client.post(SCAN, {"volunteer": child.pk})
    assert list(Attendance.objects.values_list("volunteer_id", flat=True)) == [child.pk]


@pytest.mark.parametrize(
    "position, flags",
    [
        ({"latitude": "32.988000", "longitude": "107.766000"}, []),
        ({"latitude": "33.000000", "longitude": "107.765000"}, [Flag.PLACE_FAR]),
        ({"latitude": "", "longitude": ""}, [Flag.PLACE_UNKNOWN]),
        ({"latitude": "NaN", "longitude": "东经"}, [Flag.PLACE_UNKNOWN]),
    ],
)
def test_where_the_place_is_checked_the_phones_position_is_sent_and_flagged(
    world, make_activity, person, as_user, position, flags
):
    services.activity_settings_save(actor=world.admin, site=world.county, valid_from=date(2000, 1, 1), geo_check=True)
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(minutes=-30), **PLACE)
    v = person()
    client = as_user(v.user)
    client.get(SCAN, {"t": qr.rotating_token(activity, timezone.now())})
    page = client.get(SCAN)
    assert page.context["geo"] and "data-geolocation" in page.content.decode()
    done = client.post(SCAN, {"volunteer": v.pk, **position}, follow=True)
    assert Attendance.objects.get().flags == flags
    assert ("Recorded, and flagged for review" in done.content.decode()) == bool(flags)


def test_the_scan_page_asks_for_the_camera_and_the_location(world, running, person, as_user):
    client = as_user(person().user)
    response = client.get(SCAN)
    assert "camera=(self)" in response["Permissions-Policy"] and "geolocation=(self)" in response["Permissions-Policy"]


def test_someone_without_a_volunteer_record_is_told_to_register(world, running, as_user):
    client = as_user(world.volunteer)
    client.get(SCAN, {"t": qr.rotating_token(running, timezone.now())})
    assert reverse("volunteers:register") in client.get(SCAN).content.decode()
    response = client.post(SCAN, {})
    assert "not registered" in str(response.context["form"].non_field_errors())


def test_a_volunteer_that_is_no_id_is_said_on_the_scan_page(world, running, person, as_user):
    v = person()
    client = as_user(v.user)
    client.get(SCAN, {"t": qr.rotating_token(running, timezone.now())})
    response = client.post(SCAN, {"volunteer": "①"})
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    assert not Attendance.objects.exists()
