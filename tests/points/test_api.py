"""The points API: my points, entries (scoped; a volunteer sees their own), rankings, goods,
redemptions (redeem, fulfil, cancel), rules and the public check; pinned query counts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from points import services
from points.models import Account, Goods, Redemption, RedemptionStatus, Rule
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def vol(world):
    v = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, v, "a:1", 3)
    factories.credit(world.admin, v, "a:2", "2.5")
    return v


def test_me_gives_my_account_and_rank(world, vol):
    other = factories.volunteer_with_login(world.admin, world.village, name="赵六")
    factories.credit(world.admin, other, "o:1", 1)
    body = factories.api_client(vol.user).get("/api/points/me/").json()
    assert body["account"]["lifetime_points"] == 55 and body["account"]["balance"] == 55
    assert body["account"]["lifetime_hours"] == "5.50"
    assert (body["rank"], body["ranked_among"]) == (1, 2)
    assert factories.api_client(world.county_manager).get("/api/points/me/").status_code == 404
    assert factories.api_client().get("/api/points/me/").status_code in (401, 403)


def test_a_volunteer_sees_only_their_own_entries(world, vol):
    other = factories.volunteer_with_login(world.admin, world.village, name="赵六")
    factories.credit(world.admin, other, "o:1", 1)
    mine = factories.api_client(vol.user).get("/api/points/entries/").json()
    assert {row["source_key"] for row in mine["results"]} == {"a:1", "a:2"}
    manager = factories.api_client(world.village_head).get("/api/points/entries/").json()
    assert manager["count"] == 3
    assert factories.api_client(world.outsider).get("/api/points/entries/").json()["count"] == 0
    filtered = factories.api_client(world.village_head).get(f"/api/points/entries/?volunteer={other.pk}").json()
    assert [row["source_key"] for row in filtered["results"]] == ["o:1"]


def test_the_entries_list_takes_a_fixed_number_of_queries(world, vol, django_assert_num_queries):
    for i in range(20):
        factories.credit(world.admin, vol, f"m:{i}", 1)
    client = factories.api_client(world.county_manager)
    client.get("/api/points/entries/")
    with django_assert_num_queries(4):  # session, user, count, page
        body = client.get("/api/points/entries/").json()
    assert body["count"] == 22
    own = factories.api_client(vol.user)
    own.get("/api/points/entries/")
    with django_assert_num_queries(4):
        own.get("/api/points/entries/?page_size=5")


def test_entries_are_read_only(world, vol):
    entry_id = factories.api_client(vol.user).get("/api/points/entries/").json()["results"][0]["id"]
    assert factories.api_client(world.admin).delete(f"/api/points/entries/{entry_id}/").status_code == 405
    assert factories.api_client(world.admin).patch(f"/api/points/entries/{entry_id}/", {"points": 1}).status_code == 405


def test_rankings_by_site_and_period(world, vol, django_assert_num_queries):
    far = factories.volunteer_with_login(world.admin, world.village2, name="孙八")
    factories.credit(world.admin, far, "f:1", 9)
    mine = factories.api_client(vol.user).get("/api/points/rankings/").json()
    assert [r["name"] for r in mine] == ["钱七"]
    client = factories.api_client(world.county_viewer)
    client.get("/api/points/rankings/")
    with django_assert_num_queries(5):  # session, user, volunteer (none), site, ranking
        county = client.get(f"/api/points/rankings/?site={world.county.pk}&by=points&period=all").json()
    assert [(r["name"], r["points"]) for r in county] == [("孙八", 90), ("钱七", 55)]
    sites = client.get(f"/api/points/rankings/?site={world.county.pk}&kind=sites").json()
    assert [r["name"] for r in sites] == ["乙镇", "甲镇"]
    assert factories.api_client(world.outsider).get(f"/api/points/rankings/?site={world.county.pk}").status_code == 404
    assert client.get("/api/points/rankings/?period=decade").status_code == 400


def test_a_keeper_creates_changes_and_stocks_goods(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = factories.api_client(world.township_head)
    payload = {"site": world.township.pk, "name": "肥皂", "price": 8, "photo": factories.png()}
    created = client.post("/api/points/goods/", payload, format="multipart")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["stock"] == 0 and body["photo_url"].endswith(f"/points/goods/{body['id']}/photo/")
    changed = client.patch(f"/api/points/goods/{body['id']}/", {"price": 9}, format="json")
    assert changed.status_code == 200 and changed.json()["price"] == 9
    stocked = client.post(f"/api/points/goods/{body['id']}/stock/", {"quantity": 12}, format="json")
    assert stocked.json()["stock"] == 12
    refused = client.post(f"/api/points/goods/{body['id']}/stock/", {"quantity": -1}, format="json")
    assert refused.status_code == 400
    duplicate = client.post("/api/points/goods/", {"site": world.township.pk, "name": "肥皂", "price": 8})
    assert duplicate.status_code == 400
    elsewhere = client.post("/api/points/goods/", {"site": world.county.pk, "name": "伞", "price": 8})
    assert elsewhere.status_code in (400, 403)
    assert not Goods.objects.filter(name="伞").exists()


def test_a_volunteer_sees_the_goods_of_the_shops_above_but_cannot_change_them(world, vol):
    here = factories.stocked_goods(world.admin, world.township)
    factories.stocked_goods(world.admin, world.township2, "别处")
    client = factories.api_client(vol.user)
    assert [g["name"] for g in client.get("/api/points/goods/").json()["results"]] == [here.name]
    assert client.patch(f"/api/points/goods/{here.pk}/", {"price": 1}, format="json").status_code == 403


def test_the_goods_list_takes_a_fixed_number_of_queries(world, vol, django_assert_num_queries):
    for i in range(10):
        factories.stocked_goods(world.admin, world.township, f"g{i}")
    client = factories.api_client(vol.user)
    client.get("/api/points/goods/")
    # session, user, count, page: the shops above the home site are an EXISTS of the same query
    with django_assert_num_queries(4):
        body = client.get("/api/points/goods/").json()
    assert body["count"] == 10


def test_redeem_fulfil_and_cancel_through_the_api(world, vol):
    goods = factories.stocked_goods(world.admin, world.township, price=20, stock=3)
    client = factories.api_client(vol.user)
    created = client.post("/api/points/redemptions/", {"goods": goods.pk, "quantity": 1}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "waiting" and len(body["pickup_code"]) == 8
    keeper = factories.api_client(world.township_head)
    seen = keeper.get(f"/api/points/redemptions/{body['id']}/").json()
    assert seen["pickup_code"] is None  # the code belongs to the volunteer
    wrong = keeper.post("/api/points/redemptions/fulfil/", {"site": world.township.pk, "pickup_code": "1"})
    assert wrong.status_code == 400
    done = keeper.post(
        "/api/points/redemptions/fulfil/", {"site": world.township.pk, "pickup_code": body["pickup_code"]}
    )
    assert done.status_code == 200 and done.json()["status"] == "fulfilled"
    second = client.post("/api/points/redemptions/", {"goods": goods.pk, "quantity": 1}, format="json").json()
    cancelled = client.post(f"/api/points/redemptions/{second['id']}/cancel/", {"reason": "不要了"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Account.objects.get(volunteer=vol).balance == 35
    too_much = client.post("/api/points/redemptions/", {"goods": goods.pk, "quantity": 2}, format="json")
    assert too_much.status_code == 400
    far = factories.stocked_goods(world.admin, world.township2, "远方")
    assert client.post("/api/points/redemptions/", {"goods": far.pk}, format="json").status_code == 404
    assert (
        factories.api_client(world.township_head).post("/api/points/redemptions/", {"goods": goods.pk}).status_code
        == 403
    )


def test_the_redemptions_list_is_scoped_and_pinned(world, vol, django_assert_num_queries):
    goods = factories.stocked_goods(world.admin, world.township, price=1, stock=20)
    for _ in range(6):
        services.redeem(actor=vol.user, goods=goods)
    client = factories.api_client(world.county_viewer)
    client.get("/api/points/redemptions/")
    with django_assert_num_queries(4):  # session, user, count, page
        body = client.get("/api/points/redemptions/?status=waiting").json()
    assert body["count"] == 6
    assert factories.api_client(world.outsider).get("/api/points/redemptions/").json()["count"] == 0
    assert factories.api_client(vol.user).get("/api/points/redemptions/").json()["count"] == 6
    assert Redemption.objects.filter(status=RedemptionStatus.WAITING).count() == 6


def test_rules_are_created_through_the_service_and_scoped(world):
    body = {"site": world.county.pk, "valid_from": "2026-01-01", "points_per_hour": "10", "deductions": {"no-show": 5}}
    assert factories.api_client(world.county_viewer).post("/api/points/rules/", body, format="json").status_code == 403
    created = factories.api_client(world.county_manager).post("/api/points/rules/", body, format="json")
    assert created.status_code == 201, created.json()
    assert Rule.objects.get().deductions == {"no-show": 5}
    assert factories.api_client(world.township_head).get("/api/points/rules/").json()["count"] == 0
    assert factories.api_client(world.county_viewer).get("/api/points/rules/").json()["count"] == 1
    bad = dict(body, valid_from="2026-02-01", star_hours=[1, 2])
    assert factories.api_client(world.county_manager).post("/api/points/rules/", bad, format="json").status_code == 400


def test_the_public_check_of_a_certificate(world, vol):
    cert = services.certificate_issue(actor=world.admin, volunteer=vol, period_start=TODAY, period_end=TODAY)
    body = factories.api_client().get(f"/api/points/certificates/verify/{cert.code}/").json()
    assert body["genuine"] is True and body["name"] == "钱*" and body["hours"] == "5.50"
    assert "id_number" not in body
    assert factories.api_client().get("/api/points/certificates/verify/NOPE/").status_code == 404
