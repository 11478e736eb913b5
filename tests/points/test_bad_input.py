"""Bad input on the points pages and API answers 400/404 with a message, never 500: ids
that are no ids, certificate codes with a slash, stock beyond the bounds the page and the API
share, rules and past points of the wrong shape."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from points import opening, services
from points.forms import RuleForm, StockForm
from points.models import MAX_STOCK_MOVE, Certificate, Goods, Redemption
from points.serializers import StockSerializer
from tests import factories

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "²"


def test_rankings_and_management_refuse_a_bad_site(as_user, world):
    client = as_user(world.county_manager)
    assert client.get("/points/rankings/", {"site": SUPERSCRIPT_TWO}).status_code == 404
    assert client.get("/points/manage/", {"site": SUPERSCRIPT_TWO}).status_code == 200
    assert client.get("/points/", {"page": SUPERSCRIPT_TWO}).status_code == 200
    assert client.get("/points/", {"page": "9" * 30}).status_code == 200
    assert client.get("/points/shop/redemptions/", {"new": SUPERSCRIPT_TWO}).status_code == 200


def test_a_verification_code_with_a_slash_is_refused_with_a_message(client, world):
    response = client.get("/verify/", {"code": "../.."})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "Type the code as printed on the certificate: letters and digits only."
    ]
    typed = client.get("/verify/", {"code": " abcd2345 "})
    assert typed.status_code == 302 and typed["Location"] == "/verify/ABCD2345/"


def test_codes_are_read_one_way():
    assert Certificate.normal_code(" ab12 ") == "AB12"
    assert Certificate.normal_code("ab12 cd34-ef56") == "AB12CD34EF56"
    assert Certificate.normal_code("ａｂ１２\u3000ＣＤ") == "AB12CD"  # typed in full width
    for bad in ("", "../..", "A.B", "A" * 17, "A\x00", "中文", None):
        assert Certificate.normal_code(bad) is None
    assert Redemption.normal_pickup_code(" 1234 5678 ") == "12345678"
    assert Redemption.normal_pickup_code("１２３４-５６７８") == "12345678"
    for bad in ("", "1234abcd", "1" * 13, None, "١٢٣٤"):
        assert Redemption.normal_pickup_code(bad) is None


def test_the_stock_api_keeps_the_bounds_of_the_page(world):
    goods = factories.stocked_goods(world.admin, world.township)
    client = APIClient()
    client.force_login(world.township_head)
    for quantity in (2**31, -(2**31), MAX_STOCK_MOVE + 1):
        response = client.post(f"/api/points/goods/{goods.pk}/stock/", {"quantity": quantity}, format="json")
        assert response.status_code == 400 and response.json()["quantity"], quantity
    done = client.post(f"/api/points/goods/{goods.pk}/stock/", {"quantity": MAX_STOCK_MOVE}, format="json")
    assert done.status_code == 200 and done.json()["stock"] == 5 + MAX_STOCK_MOVE
    page = StockForm({"direction": StockForm.IN, "quantity": MAX_STOCK_MOVE + 1})
    body = StockSerializer(data={"quantity": MAX_STOCK_MOVE + 1})
    assert not page.is_valid() and not body.is_valid()


def test_the_service_refuses_stock_beyond_the_bounds(world):
    goods = factories.stocked_goods(world.admin, world.township)
    with pytest.raises(ValidationError):
        services.goods_stock_in(actor=world.admin, goods=goods, quantity=MAX_STOCK_MOVE + 1)
    Goods.objects.filter(pk=goods.pk).update(stock=2**31 - 10)
    with pytest.raises(ValidationError):
        services.goods_stock_in(actor=world.admin, goods=goods, quantity=10)


@pytest.mark.parametrize(
    "bad",
    [
        {"star_hours": ["a", "b", "c", "d", "e"]},
        {"star_hours": {"1": 100}},
        {"star_hours": 5},
        {"star_hours": [100, 300, 600, 1000, 10**12]},
        {"rating_bonus": [5, 4]},
        {"rating_bonus": {"5": 10**12}},
        {"deductions": {"no-show": "5"}},
        {"theme_bonus": 10**9},
    ],
)
def test_a_rule_of_the_wrong_shape_is_refused_with_a_message(world, bad):
    body = {"site": world.county.pk, "valid_from": "2026-03-01", "points_per_hour": "10", **bad}
    client = APIClient()
    client.force_login(world.county_manager)
    response = client.post("/api/points/rules/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(bad)


def test_a_nul_byte_in_an_api_body_is_refused(world):
    client = APIClient()
    client.force_login(world.county_manager)
    body = {"site": world.county.pk, "valid_from": "2026-03-01", "points_per_hour": "10", "deductions": {"a\x00": 1}}
    response = client.post("/api/points/rules/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request contains a NUL character, which no field accepts."}
    assert client.patch(f"/api/sites/{world.township.pk}/", {"name": "甲\x00"}).status_code == 400


def test_past_points_beyond_any_ledger_are_a_row_error(world):
    sheet = "身份证号,时长,积分,截至日期\n" + "".join(
        f"{factories.volunteer(world.village_head, world.village).id_number},3,{points},2024-01-01\n"
        for points in ("Infinity", "1e30", "NaN", "12")
    )
    rows = opening.read_opening_rows(sheet.encode(), "past.csv")
    checked = opening.check_opening_rows(actor=world.county_manager, scope=world.county, rows=rows, today=date.today())
    assert [len(row.errors) for row in checked] == [1, 1, 1, 0]
    assert checked[3].points == 12


def test_star_hours_in_other_digits_are_refused_on_the_page():
    hours = {f"star_hours_{n}": value for n, value in enumerate(["١٠٠", "٣٠٠", "٦٠٠", "١٠٠٠", "١٥٠٠"], start=1)}
    form = RuleForm({"valid_from": "2026-01-01", "points_per_hour": "10", "theme_bonus": 0, **hours})
    assert not form.is_valid() and set(form.errors) == set(hours)
