"""The activities API: drafts and moves as actions, sign-ups, the sign-in endpoint a WeChat
mini-program calls with token auth and JSON, a volunteer's own side, photos, the export,
bad input answered 400/404 (never 500), pinned query counts, and a schema without warnings."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from activities import qr, services
from activities.models import Activity, Attendance, SignUp, State
from tests import factories
from volunteers import services as volunteer_services

from .conftest import image_bytes

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def draft_payload(world, **extra) -> dict:
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    body = {
        "site": world.village.pk,
        "title": "垃圾分类宣传",
        "kind": "theme",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": 5,
        "place": "村委会",
    }
    body.update(extra)
    return body


def test_a_head_plans_submits_and_the_township_approves_through_the_api(world):
    head = api(world.village_head)
    response = head.post("/api/activities/", draft_payload(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and [m["name"] for m in body["moves"]] == ["submit", "cancel"]
    pk = body["id"]
    assert head.patch(f"/api/activities/{pk}/", {"capacity": 8}, format="json").json()["capacity"] == 8
    assert head.post(f"/api/activities/{pk}/submit/").json()["state"] == "submitted"
    refused = head.post(f"/api/activities/{pk}/approve/")
    assert refused.status_code == 403 and "site above" in refused.json()["detail"]
    approved = api(world.township_head).post(f"/api/activities/{pk}/approve/")
    assert approved.json()["state"] == "approved"
    again = head.post(f"/api/activities/{pk}/submit/")
    assert again.status_code == 400 and "cannot be moved" in again.json()["detail"][0]
    assert head.post(f"/api/activities/{pk}/cancel/", {"reason": ""}, format="json").status_code == 400
    published = head.post(f"/api/activities/{pk}/publish/").json()
    assert published["state"] == "published" and "publish" not in [m["name"] for m in published["moves"]]
    assert head.patch(f"/api/activities/{pk}/", {"title": "改"}, format="json").status_code == 400


@pytest.mark.parametrize(
    "extra",
    [
        {"ends_at": "yesterday"},
        {"capacity": 10**12},
        {"capacity": -1},
        {"latitude": "91"},
        {"site": 10**15},
        {"site": "abc"},
        {"kind": "order"},
        {"team": 10**9},
        {"hours_cap": "1e9"},
        {"title": ""},
    ],
)
def test_bad_drafts_are_answered_400_and_write_nothing(world, extra):
    response = api(world.village_head).post("/api/activities/", draft_payload(world, **extra), format="json")
    assert response.status_code == 400, response.content
    assert not Activity.objects.exists()


@pytest.mark.parametrize("path", ["/api/activities/abc/", "/api/activities/²/submit/", "/api/activity-photos/x/"])
def test_ids_that_are_not_numbers_are_not_found(world, path):
    client = api(world.county_manager)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_filters_by_month_and_search(world, make_activity):
    make_activity(world.village, title="义诊进村")
    client = api(world.county_manager)
    assert client.get("/api/activities/?q=义诊").json()["count"] == 1
    assert client.get("/api/activities/?month=2027-13").status_code == 400
    assert client.get("/api/activities/?month=2001-01").json()["count"] == 0
    assert client.get(f"/api/activities/?subtree={world.township2.pk}").json()["count"] == 0
    assert client.get(f"/api/activities/?subtree={world.township.pk}&state=draft").json()["count"] == 1


# A volunteer's side -----------------------------------------------------------------------------


def test_a_volunteer_sees_what_is_open_to_them_signs_up_and_cancels(world, make_activity, person):
    v = person()
    near = make_activity(world.village, state=State.PUBLISHED, capacity=1)
    make_activity(world.village, title="草稿")
    make_activity(world.village2, state=State.PUBLISHED, title="别村")
    client = api(v.user)
    listed = client.get("/api/activities/").json()
    assert [row["id"] for row in listed["results"]] == [near.pk]
    assert [row["id"] for row in client.get("/api/me/activities/open/").json()] == [near.pk]
    response = client.post("/api/activity-signups/", {"activity": near.pk}, format="json")
    assert response.status_code == 201 and response.json()["volunteer"] == v.pk
    other = person(name="孙八")
    full = api(other.user).post("/api/activity-signups/", {"activity": near.pk}, format="json")
    assert full.status_code == 400 and "places are taken" in full.json()["detail"][0]
    mine = client.get("/api/activity-signups/").json()
    assert [row["id"] for row in mine["results"]] == [response.json()["id"]]
    assert api(other.user).get("/api/activity-signups/").json()["count"] == 0
    assert [r["activity"] for r in client.get("/api/me/activities/signups/").json()["results"]] == [near.pk]
    signup = response.json()["id"]
    assert api(other.user).post(f"/api/activity-signups/{signup}/cancel/").status_code == 404
    assert client.post(f"/api/activity-signups/{signup}/cancel/").json()["status"] == "cancelled"
    assert client.get("/api/me/activities/open/").json()[0]["signed_up_by_me"] is False


def test_staff_without_a_volunteer_record_have_no_volunteer_side(world):
    client = api(world.county_manager)
    for path in ("/api/me/activities/open/", "/api/me/activities/signups/", "/api/me/activities/history/"):
        assert client.get(path).status_code == 404
    assert client.get("/api/me/family/").json() == []


# Signing in from a phone or a mini-program --------------------------------------------------------


@pytest.fixture
def running(world, make_activity):
    return make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(minutes=10))


def token_client(user, password="long-enough-pass-42") -> APIClient:
    """A client as a mini-program is: an API token, JSON bodies, no session."""
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": user.username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_a_mini_program_signs_in_and_out_with_token_auth_and_json(world, running, person):
    v = person()
    client = token_client(v.user)
    code = api(world.village_head).get(f"/api/activities/{running.pk}/code/").json()
    assert code["window_seconds"] == 30 and code["static_token"] is None
    body = {"token": code["token"], "latitude": "32.987", "longitude": "107.765"}
    response = client.post("/api/activities/sign-in/", body, format="json")
    assert response.status_code == 200, response.content
    row = response.json()
    assert (row["volunteer"], row["sign_in_method"], row["activity_title"]) == (v.pk, "qr_rotating", running.title)
    assert client.post("/api/activities/sign-in/", body, format="json").json()["id"] == row["id"]
    out = client.post("/api/activities/sign-out/", {"token": code["token"]}, format="json")
    assert out.status_code == 200 and out.json()["signed_out_at"]
    history = client.get("/api/me/activities/history/").json()
    assert [r["id"] for r in history["results"]] == [row["id"]]
    assert [r["id"] for r in client.get("/api/activity-attendance/").json()["results"]] == [row["id"]]


@pytest.mark.parametrize(
    "token, status",
    [("not a code", 400), ("r.999999.1:" + "A" * 43, 400), ("", 400), ("x" * 500, 400)],
)
def test_bad_codes_are_answered_400(world, running, person, token, status):
    v = person()
    response = api(v.user).post("/api/activities/sign-in/", {"token": token}, format="json")
    assert response.status_code == status and response.json()
    assert not Attendance.objects.exists()


def test_an_expired_code_says_so(world, running, person):
    v = person()
    old = qr.rotating_token(running, timezone.now() - timedelta(minutes=2))
    response = api(v.user).post("/api/activities/sign-in/", {"token": old}, format="json")
    assert response.status_code == 400 and "expired" in response.json()["token"][0]


def test_a_family_phone_signs_in_the_member_it_picks(world, running, person):
    parent = person(name="王大爷")
    child = volunteer_services.volunteer_register(
        actor=world.admin, home_site=world.village, real_name="王小", id_number=factories.id_number(),
        phone=parent.phone, consent=True,
    )  # fmt: skip
    client = api(parent.user)
    family = client.get("/api/me/family/").json()
    assert [(m["id"], m["is_me"]) for m in family] == [(parent.pk, True), (child.pk, False)]
    token = qr.rotating_token(running, timezone.now())
    response = client.post("/api/activities/sign-in/", {"token": token, "volunteer": child.pk}, format="json")
    assert response.status_code == 200 and response.json()["volunteer"] == child.pk
    stranger = person(name="陌生人")
    refused = api(stranger.user).post("/api/activities/sign-in/", {"token": token, "volunteer": child.pk})
    assert refused.status_code == 403


def test_anonymous_visitors_cannot_sign_in(world, running):
    token = qr.rotating_token(running, timezone.now())
    assert api().post("/api/activities/sign-in/", {"token": token}, format="json").status_code in (401, 403)


# Attendance, confirmation, photos, export ------------------------------------------------------


def test_staff_mark_confirm_and_unconfirm_through_the_api(world, make_activity, person, media):
    v = person()
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=-3))
    head = api(world.village_head)
    marked = head.post(
        "/api/activity-attendance/",
        {"activity": activity.pk, "volunteer": v.pk, "signed_in_at": activity.starts_at.isoformat(),
         "signed_out_at": activity.ends_at.isoformat()},
        format="json",
    )  # fmt: skip
    assert marked.status_code == 201 and marked.json()["hours"] == "2.00"
    fixed = head.patch(f"/api/activity-attendance/{marked.json()['id']}/", {"hours": "1.5"}, format="json")
    assert fixed.json()["hours"] == "1.50" and fixed.json()["hours_by_hand"] is True
    photo = head.post(
        "/api/activity-photos/",
        {"activity": activity.pk, "image": io.BytesIO(image_bytes()), "caption": "合影"},
        format="multipart",
    )
    assert photo.status_code == 201, photo.content
    assert photo.json()["thumbnail_url"] is None and photo.json()["image_url"].endswith("/image/")
    assert head.get(photo.json()["image_url"]).status_code == 200
    assert api(world.outsider).get(photo.json()["image_url"]).status_code == 404
    assert head.get(f"/api/activity-photos/{photo.json()['id']}/thumbnail/").status_code == 404
    finished = head.post(
        f"/api/activities/{activity.pk}/finish/", {"summary": "好", "people_served": 12}, format="json"
    )
    assert finished.json()["state"] == "finished"
    assert api(world.county_viewer).post(f"/api/activities/{activity.pk}/confirm/").status_code == 403
    confirmed = head.post(f"/api/activities/{activity.pk}/confirm/").json()
    assert confirmed == {"confirmed": 1, "credited": 1, "hours": "1.50"}
    assert head.post(f"/api/activities/{activity.pk}/confirm/").json()["confirmed"] == 0
    assert head.post(f"/api/activities/{activity.pk}/unconfirm/", {"reason": "复核"}).json() == {"unconfirmed": 1}


def test_a_bad_photo_is_answered_400(world, make_activity, media):
    activity = make_activity(world.village, state=State.APPROVED)
    for data in (b"not an image", image_bytes("GIF")):
        response = api(world.admin).post(
            "/api/activity-photos/", {"activity": activity.pk, "image": io.BytesIO(data)}, format="multipart"
        )
        assert response.status_code == 400 and "not a photo" in response.json()["image"][0]


def test_the_export_is_an_xlsx_of_what_the_user_sees(world, make_activity, person):
    activity = make_activity(world.village, state=State.PUBLISHED)
    for name in ("甲", "乙"):
        services.attendance_mark(
            actor=world.admin, activity=activity, volunteer=person(name=name), signed_in_at=activity.starts_at
        )
    response = api(world.township_head).get(f"/api/activity-attendance/export/?activity={activity.pk}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 3
    elsewhere = api(world.outsider).get("/api/activity-attendance/export/")
    assert load_workbook(io.BytesIO(elsewhere.content)).active.max_row == 1


def test_an_archive_is_requested_and_shows_its_progress(world):
    client = api(world.township_head)
    response = client.post("/api/activity-archives/", {"site": world.township.pk, "year": 2026}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued" and response.json()["ledger_url"] is None
    again = client.post("/api/activity-archives/", {"site": world.township.pk, "year": 2026}, format="json")
    assert again.status_code == 400
    assert api(world.county_viewer).post(
        "/api/activity-archives/", {"site": world.township.pk, "year": 2026}, format="json"
    ).status_code in (400, 403)
    assert client.post("/api/activity-archives/", {"site": world.township.pk, "year": 2300}).status_code == 400


# Query counts and the schema -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/activities/", "/api/activity-signups/", "/api/activity-attendance/"])
def test_the_lists_take_the_same_queries_for_3_and_25_rows(world, make_activity, path):
    client = api(world.county_manager)
    client.get(path)  # warm the caches of the first request (content types and the like)
    counts = []
    for n in (3, 25):
        while Activity.objects.count() < n:
            activity = make_activity(world.village, state=State.PUBLISHED)
            v = factories.volunteer(world.admin, world.village, real_name="名单")
            services.signup_create(actor=world.admin, activity=activity, volunteer=v)
            services.attendance_mark(actor=world.admin, activity=activity, volunteer=v, signed_in_at=activity.starts_at)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 5, counts  # session, user, count, page (and nothing per row)
    assert SignUp.objects.count() >= 25


def test_the_schema_has_every_endpoint_and_no_warning(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    paths = [
        "/api/activities/{id}/approve/",
        "/api/activities/sign-in/",
        "/api/activity-signups/",
        "/api/activity-attendance/export/",
        "/api/activity-photos/{id}/image/",
        "/api/me/family/",
    ]
    for path in paths:
        assert f"  {path}:" in text, path
