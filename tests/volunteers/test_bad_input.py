"""Ids that are no ids (a superscript two passes str.isdigit() but not int()) on the volunteers
pages are treated as absent, never a server error; NUL bytes in a roster file are dropped."""

from __future__ import annotations

import pytest

from volunteers import roster

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "²"


def test_the_places_of_the_registration_form_ignore_a_bad_county(client, world):
    for name in ("county", "township"):
        response = client.get("/volunteers/register/places/", {name: SUPERSCRIPT_TWO})
        assert response.status_code == 200 and response.context["parent"] is None
    good = client.get("/volunteers/register/places/", {"county": world.county.pk})
    assert [s.pk for s in good.context["places"]] == [world.township.pk, world.township2.pk]


def test_the_registration_form_ignores_a_bad_county(client, world):
    response = client.post("/volunteers/register/", {"county": SUPERSCRIPT_TWO, "township": SUPERSCRIPT_TWO})
    assert response.status_code == 200
    assert response.context["form"].errors["township"]


def test_staff_pages_ignore_a_bad_site_or_team(as_user, world):
    client = as_user(world.county_manager)
    for url in ("/volunteers/new/", "/volunteers/import/template/", "/volunteers/teams/new/"):
        assert client.get(url, {"site": SUPERSCRIPT_TWO}).status_code == 200, url
    assert client.get("/volunteers/", {"team": SUPERSCRIPT_TWO}).status_code == 200


def test_a_volunteer_joining_or_leaving_a_bad_team_reads_not_found(as_user, world):
    client = as_user(world.volunteer)
    assert client.post("/volunteers/me/join/", {"team": SUPERSCRIPT_TWO}).status_code == 404
    assert client.post("/volunteers/me/leave/", {"membership": SUPERSCRIPT_TWO}).status_code == 404


def test_a_nul_byte_in_a_roster_cell_is_dropped_before_any_lookup(world):
    sheet = "姓名,身份证号,手机号,所属站点\n张三,11010\x0019900101001X,1380000\x000000,东坪\x00村\n".encode()
    rows = roster.read_rows(sheet, "roster.csv")
    assert rows[0]["id_number"] == "1101019900101001X" and rows[0]["site"] == "东坪村"
    checked = roster.check_rows(actor=world.county_manager, scope=world.county, rows=rows)
    assert checked[0].errors  # a 17-character ID number: refused with a message
