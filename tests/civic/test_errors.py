"""Refused input is answered once, in one place (civic.errors): a NUL byte anywhere in the
path, the query or a posted form is a 400 with a message before any view runs (PostgreSQL
cannot take it); under /api/ the 400 and 404 answers are JSON. The schema documents the
error answers of every operation (civic.schema)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "The request contains a NUL character, which no field accepts."


@pytest.mark.parametrize(
    "url",
    [
        "/verify/%00/",
        "/verify/A%00B/",
        "/verify/?code=%00",
        "/volunteers/register/places/?county=%00",
        "/sites/?q=%00",
        "/points/manage/?q=a%00",
        "/volunteers/1/status/%00/",
    ],
)
def test_a_nul_byte_in_a_page_address_is_a_bad_request(as_user, world, url):
    response = as_user(world.county_manager).get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_a_nul_byte_in_a_posted_form_is_a_bad_request(as_user, world):
    client = as_user(world.county_manager)
    response = client.post(f"/points/sites/{world.township.pk}/pickup/", {"pickup_code": "12\x0034"})
    assert response.status_code == 400 and NUL_MESSAGE in response.content.decode()
    assert client.post("/accounts/login/", {"username": "a\x00", "password": "x"}).status_code == 400


def test_a_nul_byte_in_an_api_address_is_a_json_bad_request(client, world):
    for url in ("/api/points/certificates/verify/%00/", "/api/sites/?q=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json() == {"detail": NUL_MESSAGE}


def test_unknown_api_addresses_answer_json(as_user, world):
    response = as_user(world.county_manager).get("/api/sites/0.5/")
    assert response.status_code == 404 and response.json()["detail"]
    page = as_user(world.county_manager).get("/sites/0.5/")
    assert page.status_code == 404 and "text/html" in page["Content-Type"]


def test_every_operation_documents_its_error_answers():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "Error" in schema["components"]["schemas"]
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) > 50
    for path, method, operation in operations:
        for code in ("400", "403", "404", "429"):
            answer = operation["responses"].get(code)
            assert answer, f"{method.upper()} {path} does not document {code}"
            assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_schema_says_what_goods_and_rankings_answer():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    photo_url = schema["components"]["schemas"]["Goods"]["properties"]["photo_url"]
    assert photo_url["nullable"] is True and photo_url["readOnly"] is True
    rankings = schema["paths"]["/api/points/rankings/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert rankings["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/Ranked"}}
