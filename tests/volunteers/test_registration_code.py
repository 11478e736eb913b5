"""Self-registration proves the phone with the code texted to it, on the page (htmx or a plain
form) and in the API; a wrong code counts as a try even though the registration is refused;
staff-entered phones are trusted as before."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from civic import otp
from civic.sms import MemorySender
from tests import factories
from volunteers import services
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db
PASSWORD = "long-enough-pass-42"
HTMX = {"HTTP_HX_REQUEST": "true"}


def payload(world, **extra) -> dict:
    data = {
        "real_name": "李四",
        "id_number": factories.id_number(),
        "phone": factories.phone(),
        "home_site": world.village.pk,
        "consent": True,
        "password": PASSWORD,
    }
    data.update(extra)
    return data


def ask_code(client, phone, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/register/code/", {"phone": phone}, format="json")
    return response


def test_the_api_texts_a_code_and_registers_only_with_it(world, django_capture_on_commit_callbacks):
    api = APIClient()
    data = payload(world)
    response = api.post("/api/register/", data, format="json")
    assert response.status_code == 400 and response.json()["phone_code"]
    response = ask_code(api, data["phone"], django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert data["phone"] not in response.json()["detail"] and data["phone"][-4:] in response.json()["detail"]
    code = factories.sent_code(data["phone"])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = api.post("/api/register/", {**data, "phone_code": wrong}, format="json")
    assert response.status_code == 400 and "wrong" in response.json()["phone_code"][0]
    assert not Volunteer.objects.exists()
    response = api.post("/api/register/", {**data, "phone_code": code}, format="json")
    assert response.status_code == 201, response.content
    again = payload(world, phone=data["phone"], phone_code=code)
    response = api.post("/api/register/", again, format="json")
    assert response.status_code == 400 and response.json()["phone_code"]  # used up


def test_registering_with_another_volunteers_phone_needs_its_code(world, django_capture_on_commit_callbacks):
    owner = factories.volunteer(world.village_head, world.village, real_name="机主")
    api = APIClient()
    stranger = payload(world, phone=owner.phone)
    assert api.post("/api/register/", {**stranger, "phone_code": "000000"}, format="json").status_code == 400
    assert ask_code(api, owner.phone, django_capture_on_commit_callbacks).status_code == 202
    assert MemorySender.outbox[-1][0] == owner.phone  # the code goes to the phone's holder only
    assert Volunteer.objects.filter(phone=owner.phone).count() == 1


def test_the_code_endpoint_refuses_bad_phones_and_answers_429_when_asked_too_often(
    world, django_capture_on_commit_callbacks
):
    api = APIClient()
    response = api.post("/api/register/code/", {"phone": "12"}, format="json")
    assert response.status_code == 400 and response.json()["phone"]
    phone = factories.phone()
    assert ask_code(api, phone, django_capture_on_commit_callbacks).status_code == 202
    response = api.post("/api/register/code/", {"phone": phone}, format="json")
    assert response.status_code == 429 and "wait a minute" in response.json()["detail"]
    assert int(response["Retry-After"]) <= 60
    shared = factories.phone()
    for n in range(3):
        factories.volunteer(world.admin, world.village, real_name=f"家人{n}", phone=shared)
    response = api.post("/api/register/code/", {"phone": shared}, format="json")
    assert response.status_code == 400 and response.json()["phone"]


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_count_although_the_registration_is_rolled_back(world):
    """As in production (no surrounding transaction): five wrong codes end the code."""
    api = APIClient()
    data = payload(world)
    assert api.post("/api/register/code/", {"phone": data["phone"]}, format="json").status_code == 202
    code = factories.sent_code(data["phone"])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _n in range(otp.TRIES):
        assert api.post("/api/register/", {**data, "phone_code": wrong}, format="json").status_code == 400
    response = api.post("/api/register/", {**data, "phone_code": code}, format="json")
    assert response.status_code == 400 and "Too many wrong codes" in response.json()["phone_code"][0]
    assert not Volunteer.objects.exists()


def test_other_errors_do_not_use_up_the_code(world):
    data = payload(world)
    code = factories.phone_code(data["phone"])
    response = APIClient().post("/api/register/", {**data, "phone_code": code, "password": "123"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"password"}
    response = APIClient().post("/api/register/", {**data, "phone_code": code}, format="json")
    assert response.status_code == 201, response.content


def test_staff_entered_phones_need_no_code(world):
    v = services.volunteer_register(
        actor=world.village_head,
        home_site=world.village,
        real_name="站录",
        id_number=factories.id_number(),
        phone=factories.phone(),
        consent=True,
    )
    assert v.status == "active" and MemorySender.outbox == []


# The page ------------------------------------------------------------------------------


def page_data(world, **extra) -> dict:
    data = {
        "real_name": "陈小红",
        "id_number": factories.id_number(female=True),
        "phone": factories.phone(),
        "county": world.county.pk,
        "township": world.township.pk,
        "village": world.village.pk,
        "political_status": "masses",
        "password": PASSWORD,
        "password2": PASSWORD,
        "consent": "on",
    }
    data.update(extra)
    return data


def test_the_page_sends_the_code_with_htmx_then_registers_with_it(client, world, django_capture_on_commit_callbacks):
    page = client.get(reverse("volunteers:register")).content.decode()
    assert 'name="phone_code"' in page and reverse("volunteers:register-code") in page
    data = page_data(world)
    with django_capture_on_commit_callbacks(execute=True):
        fragment = client.post(reverse("volunteers:register-code"), {"phone": data["phone"]}, **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and 'id="phone-code-status"' in html and "<form" not in html
    assert data["phone"][-4:] in html and data["phone"] not in html
    response = client.post(reverse("volunteers:register"), data)
    assert response.status_code == 200 and list(response.context["form"].errors) == ["phone_code"]
    response = client.post(reverse("volunteers:register"), {**data, "phone_code": "x"})
    assert "The code is wrong" in response.context["form"].errors["phone_code"][0]
    response = client.post(reverse("volunteers:register"), {**data, "phone_code": factories.sent_code(data["phone"])})
    assert response.status_code == 302 and response["Location"] == reverse("volunteers:me")


def test_without_script_the_code_button_keeps_what_was_filled_in(client, world, django_capture_on_commit_callbacks):
    data = page_data(world, skill_tags="修电器")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("volunteers:register-code"), data)
    html = response.content.decode()
    assert response.status_code == 200 and "<form" in html and 'id="phone-code-status"' in html
    assert 'value="陈小红"' in html and 'value="修电器"' in html and PASSWORD not in html
    assert f'value="{world.village.pk}" selected' in html
    assert "errorlist" not in html  # nothing is checked yet but the phone
    factories.time_passes()
    html = client.post(reverse("volunteers:register-code"), {"phone": "12"}, **HTMX).content.decode()
    assert "11-digit" in html and "error" in html
    assert client.get(reverse("volunteers:register-code")).status_code == 405
