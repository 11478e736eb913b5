"""Logging in: one spelling of a login and one lockout counter for every spelling and every
door (page, token endpoint), shared phones, waiting claims, long names, the 429 answers."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from rest_framework.test import APIClient

from tests import factories
from volunteers import services
from volunteers.identity import check_digit
from volunteers.logins import lockout_message, login_identifier

PASSWORD = "long-enough-pass-42"
TOKEN = "/api/auth/token/"


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    return settings.AXES_FAILURE_LIMIT


def id_with_x() -> str:
    while True:
        number = factories.id_number()
        if check_digit(number[:17]) == "X":
            return number


def self_registered(world, *, phone=None, id_number=None, password=PASSWORD, name="王五"):
    """A volunteer who registered themself, the phone proven by its texted code."""
    factories.time_passes()  # a family registers one after the other, past the wait between codes
    return factories.self_register(
        world.village,
        real_name=name,
        id_number=id_number or factories.id_number(),
        phone=phone or factories.phone(),
        password=password,
    )


def spellings(phone: str) -> list[str]:
    a, b, c = phone[:3], phone[3:7], phone[7:]
    return [
        phone,
        f"{a} {b} {c}",
        f"{a}-{b}-{c}",
        f"+86{phone}",
        f"+86 {a} {b} {c}",
        f"0086{phone}",
        f"0086-{a}-{b}-{c}",
        f" {phone} ",
        f"+86-{phone}",
        "".join(chr(ord(d) + 0xFEE0) for d in phone),  # full-width digits
    ]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# One spelling --------------------------------------------------------------------------


def test_a_login_has_one_spelling():
    assert {login_identifier(s) for s in spellings("13812345678")} == {"13812345678"}
    assert login_identifier("61010119900101123x") == "61010119900101123X"
    assert login_identifier(" 610101 19900101 123x ") == "61010119900101123X"
    assert login_identifier(" county_manager ") == "county_manager"


@pytest.mark.django_db
def test_every_spelling_of_a_phone_logs_in(client, world):
    v = self_registered(world)
    for spelling in spellings(v.phone):
        client.logout()
        client.post(reverse("login"), {"username": spelling, "password": PASSWORD})
        assert logged_in(client), spelling


# One counter ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_spelling_a_phone_differently_gives_no_fresh_tries(client, world, lockout):
    v = self_registered(world)
    for n, spelling in enumerate(spellings(v.phone)[:lockout]):
        response = client.post(reverse("login"), {"username": spelling, "password": f"wrong-{n}"})
    assert response.status_code == 429
    for spelling in spellings(v.phone):
        response = client.post(reverse("login"), {"username": spelling, "password": PASSWORD})
        assert response.status_code == 429, spelling
        assert not logged_in(client)


@pytest.mark.django_db
def test_a_lower_case_x_gives_no_fresh_tries(client, world, lockout):
    number = id_with_x()
    self_registered(world, id_number=number)
    for n in range(lockout):
        spelling = number if n % 2 else number.lower()
        client.post(reverse("login"), {"username": spelling, "password": f"wrong-{n}"})
    for spelling in (number, number.lower(), f" {number[:6]} {number[6:].lower()} "):
        assert client.post(reverse("login"), {"username": spelling, "password": PASSWORD}).status_code == 429
    assert not logged_in(client)


@pytest.mark.django_db
def test_the_page_and_the_token_endpoint_share_the_counter(client, world, lockout):
    v = self_registered(world)
    for n in range(lockout - 1):
        client.post(reverse("login"), {"username": f"+86 {v.phone}", "password": f"wrong-{n}"})
    api = APIClient()
    assert api.post(TOKEN, {"username": f"{v.phone[:3]}-{v.phone[3:]}", "password": "wrong"}).status_code == 429
    assert api.post(TOKEN, {"username": v.phone, "password": PASSWORD}).status_code == 429


@pytest.mark.django_db
def test_a_successful_login_resets_the_counter_of_what_was_typed(client, world, lockout):
    v = self_registered(world)
    spelt = f"0086 {v.phone}"
    for n in range(lockout - 1):
        client.post(reverse("login"), {"username": spelt, "password": f"wrong-{n}"})
    client.post(reverse("login"), {"username": spelt, "password": PASSWORD})
    assert logged_in(client)
    client.logout()
    for n in range(lockout - 1):
        client.post(reverse("login"), {"username": v.phone, "password": f"wrong-{n}"})
    client.post(reverse("login"), {"username": v.phone, "password": PASSWORD})
    assert logged_in(client)


@pytest.mark.django_db
def test_the_lockout_keeps_no_phone_or_id_number(client, world, lockout):
    v = self_registered(world)
    client.post(reverse("login"), {"username": v.phone, "password": "wrong"})
    client.post(reverse("login"), {"username": v.id_number, "password": "wrong"})
    client.post(reverse("login"), {"username": "county_manager", "password": "wrong"})
    names = list(AccessAttempt.objects.values_list("username", flat=True))
    assert len(names) == 3 and "county_manager" in names
    rows = " ".join(str(row) for row in AccessAttempt.objects.values_list())
    assert v.phone not in rows and v.id_number not in rows


@pytest.mark.django_db
def test_a_changing_forwarded_header_gives_no_fresh_tries(client, world, lockout, settings):
    settings.CIVIC_TRUSTED_PROXIES = 0
    for n in range(lockout):
        client.post(
            reverse("login"), {"username": "county_manager", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        )
    response = client.post(
        reverse("login"),
        {"username": "county_manager", "password": "pw-county_manager"},
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_the_lockout_counts_the_client_before_it(client, world, lockout, settings):
    settings.CIVIC_TRUSTED_PROXIES = 1
    for _n in range(lockout):
        client.post(
            reverse("login"), {"username": "county_manager", "password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.9"
        )
    data = {"username": "county_manager", "password": "pw-county_manager"}
    assert client.post(reverse("login"), data, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9").status_code == 429
    assert client.post(reverse("login"), data, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 302


# The token endpoint answers like the page ------------------------------------------------


@pytest.mark.django_db
def test_a_locked_out_token_request_answers_429_with_the_page_message(client, world, lockout):
    api = APIClient()
    for _n in range(lockout):
        api.post(TOKEN, {"username": "township_head", "password": "wrong"})
    response = api.post(TOKEN, {"username": "township_head", "password": "pw-township_head"}, format="json")
    assert response.status_code == 429
    assert response.json() == {"detail": lockout_message()}
    assert "15 minutes" in lockout_message()
    page = client.post(reverse("login"), {"username": "township_head", "password": "pw-township_head"})
    assert page.status_code == 429 and escape(lockout_message()) in page.content.decode()


@pytest.mark.django_db
def test_the_lockout_message_speaks_chinese(world, lockout):
    with translation.override("zh-hans"):
        message = lockout_message()
    assert "15" in message and "分钟" in message


@pytest.mark.django_db
def test_a_wrong_password_is_a_400_with_a_message(world):
    response = APIClient().post(TOKEN, {"username": "township_head", "password": "nope"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


@pytest.mark.django_db
def test_a_token_opens_for_a_phone_spelt_any_way(world):
    v = self_registered(world)
    response = APIClient().post(TOKEN, {"username": f"+86 {v.phone}", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["token"]


@pytest.mark.django_db
@pytest.mark.parametrize("length", [151, 256, 5000])
def test_a_very_long_login_name_is_a_form_error_not_a_server_error(client, world, lockout, length):
    page = client.post(reverse("login"), {"username": "1" * length, "password": "x"})
    assert page.status_code == 200 and "at most 150 characters" in page.content.decode()
    api = APIClient(raise_request_exception=False)
    response = api.post(TOKEN, {"username": "1" * length, "password": "x"}, format="json")
    assert response.status_code == 400 and "username" in response.json()


@pytest.mark.django_db
def test_the_admin_login_survives_a_very_long_name(client, world, lockout):
    response = client.post(reverse("admin:login"), {"username": "x" * 300, "password": "x"})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("body", [[1, 2], "text", {"username": ["a"], "password": {"b": 1}}])
def test_a_token_request_of_the_wrong_shape_is_a_400(world, body):
    response = APIClient(raise_request_exception=False).post(TOKEN, body, format="json")
    assert response.status_code == 400


# Shared phones ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_shared_phone_opens_the_login_whose_password_matches(client, world):
    shared = factories.phone()
    first = self_registered(world, phone=shared, password="first-family-pass-1")
    assert client.post(reverse("login"), {"username": shared, "password": "first-family-pass-1"}).status_code == 302
    client.logout()
    second = self_registered(world, phone=shared, password="second-family-pass-2", name="王六")
    third = self_registered(world, phone=shared, password="third-family-pass-3", name="王七")
    for volunteer, password in (
        (first, "first-family-pass-1"),
        (second, "second-family-pass-2"),
        (third, "third-family-pass-3"),
    ):
        client.logout()
        assert client.post(reverse("login"), {"username": shared, "password": password}).status_code == 302
        assert int(client.session["_auth_user_id"]) == volunteer.user_id
        token = APIClient().post(TOKEN, {"username": shared, "password": password}).json()["token"]
        assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/me/volunteer/").json()["id"] == volunteer.pk
    client.logout()
    assert client.post(reverse("login"), {"username": shared, "password": "nobody-has-this-1"}).status_code == 200


@pytest.mark.django_db
def test_an_inactive_login_on_a_shared_phone_does_not_open(client, world):
    shared = factories.phone()
    first = self_registered(world, phone=shared)
    first.user.is_active = False
    first.user.save()
    self_registered(world, phone=shared, password="another-family-pass-9")
    assert client.post(reverse("login"), {"username": shared, "password": PASSWORD}).status_code == 200
    assert client.post(reverse("login"), {"username": shared, "password": "another-family-pass-9"}).status_code == 302


# Waiting claims ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_waiting_claim_says_so_only_to_its_password(client, world):
    v = factories.volunteer(world.village_head, world.village)
    services.login_claim_request(id_number=v.id_number, phone=v.phone, password=PASSWORD)
    waiting = "Your login claim is waiting for your station"
    for login in (v.id_number, v.phone):
        html = client.post(reverse("login"), {"username": login, "password": PASSWORD}).content.decode()
        assert waiting in html and not logged_in(client)
        html = client.post(reverse("login"), {"username": login, "password": "a-wrong-password"}).content.decode()
        assert waiting not in html and "do not match" in html
    response = APIClient().post(TOKEN, {"username": v.id_number, "password": PASSWORD})
    assert response.status_code == 400 and waiting in response.json()["non_field_errors"][0]
    services.login_claim_confirm(actor=world.village_head, volunteer=v)
    client.post(reverse("login"), {"username": v.id_number, "password": PASSWORD})
    assert logged_in(client)


@pytest.mark.django_db
def test_an_unknown_login_reads_like_a_wrong_password(client, world):
    html = client.post(reverse("login"), {"username": "13999999999", "password": PASSWORD}).content.decode()
    assert "do not match" in html and "waiting" not in html


# The page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_field_asks_for_a_phone_or_id_number(client, settings):
    html = client.get(reverse("login")).content.decode()
    assert "Phone or ID number" in html
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "手机号或身份证号" in html


@pytest.mark.django_db
def test_the_browsable_api_logs_in_with_the_same_form(client, world):
    html = client.get(reverse("rest_framework:login")).content.decode()
    assert "Phone or ID number" in html
    v = self_registered(world)
    client.post(reverse("rest_framework:login"), {"username": f"+86 {v.phone}", "password": PASSWORD})
    assert logged_in(client)
