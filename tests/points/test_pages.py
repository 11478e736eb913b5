"""The points pages for every persona: my points, rankings, the shop (volunteer and keeper),
reconciliation, rules, adjustments, reversals, certificates, seals and the public check;
scope (404/403) and pinned query counts on every list."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civic.people import mask_name
from points import services
from points.models import Account, Certificate, Entry, EntryKind, Goods, Redemption, RedemptionStatus, Rule, Seal
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def vol(world):
    v = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, v, "a:1", 3)
    factories.credit(world.admin, v, "a:2", "2.5")
    return v


def url(name: str, *args) -> str:
    return reverse(f"points:{name}", args=args)


# Who sees what ----------------------------------------------------------------------


def test_every_page_sends_anonymous_visitors_to_login(client, world):
    for name, args in [
        ("mine", ()),
        ("rankings", ()),
        ("shop", ()),
        ("my-redemptions", ()),
        ("manage", ()),
        ("certificates", ()),
        ("goods-list", (world.township.pk,)),
        ("pickup", (world.township.pk,)),
        ("reconciliation", (world.township.pk,)),
        ("rules", (world.township.pk,)),
        ("opening", (world.township.pk,)),
        ("seal", (world.township.pk,)),
    ]:
        response = client.get(url(name, *args))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_the_navigation_offers_points_to_everyone_and_management_to_staff(as_user, world, vol):
    client = as_user(vol.user)
    html = client.get(url("mine")).content.decode()
    assert url("mine") in html and url("shop") in html and url("rankings") in html
    assert url("manage") not in html
    staff = Client()
    staff.login(username="county_manager", password="pw-county_manager")
    assert url("manage") in staff.get(url("mine")).content.decode()


# My points --------------------------------------------------------------------------


def test_my_points_shows_the_figures_rank_and_history(as_user, world, vol):
    other = factories.volunteer_with_login(world.admin, world.village, name="赵六")
    factories.credit(world.admin, other, "b:1", 10)
    response = as_user(vol.user).get(url("mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-key="lifetime">55<' in html
    assert 'data-key="balance">55<' in html
    assert 'data-key="hours">5.50<' in html
    assert "2 / 2" in html or "2" in html  # rank 2 of 2 (赵六 has more)
    assert response.context["me"].rank == 2 and response.context["me"].ranked_among == 2
    assert len(response.context["entries"]) == 2


def test_my_points_shows_reversals_as_such(as_user, world, vol):
    entry = Entry.objects.filter(source_key="a:1").get()
    services.points_reverse(actor=world.admin, entry=entry, reason="录错了")
    response = as_user(vol.user).get(url("mine"))
    entries = response.context["entries"]
    assert entries[0].kind == EntryKind.REVERSAL
    assert [e.was_reversed for e in entries] == [False, False, True]
    html = response.content.decode()
    assert "录错了" in html
    assert 'class="entry kind-service reversed"' in html


def test_my_points_without_a_volunteer_record_says_so(as_user, world):
    response = as_user(world.volunteer).get(url("mine"))
    assert response.status_code == 200
    assert response.context["volunteer"] is None


def test_my_points_takes_a_fixed_number_of_queries(as_user, world, vol, django_assert_num_queries):
    client = as_user(vol.user)
    with django_assert_num_queries(4):  # session, user, account with rank site and rank, entries
        client.get(url("mine"))
    with django_assert_num_queries(3):  # the same page again: its history comes from the cache
        client.get(url("mine"))
    for i in range(30):
        factories.credit(world.admin, vol, f"more:{i}", 1, day=TODAY - timedelta(days=i))
    with django_assert_num_queries(4):
        response = client.get(url("mine") + "?page=2")
    assert response.context["page"].number == 2 and response.context["page"].has_previous
    assert len(response.context["entries"]) == 12


def test_a_new_entry_shows_at_once_despite_the_cached_history(as_user, world, vol):
    client = as_user(vol.user)
    assert "刚刚记入" not in client.get(url("mine")).content.decode()
    services.points_credit(
        actor=world.admin, volunteer=vol, source_key="fresh:1", hours=1, site=world.village, service_date=TODAY,
        note="刚刚记入",
    )  # fmt: skip
    assert "刚刚记入" in client.get(url("mine")).content.decode()


# Rankings ---------------------------------------------------------------------------


def test_rankings_default_to_the_volunteers_township(as_user, world, vol):
    far = factories.volunteer_with_login(world.admin, world.village2, name="孙八")
    factories.credit(world.admin, far, "f:1", 9)
    response = as_user(vol.user).get(url("rankings"))
    assert response.status_code == 200
    assert response.context["site"] == world.township
    assert [r.name for r in response.context["rows"]] == ["钱七"]
    county = as_user(vol.user).get(url("rankings") + f"?site={world.county.pk}&by=points&period=all")
    assert [r.name for r in county.context["rows"]] == ["孙八", "钱七"]


def test_rankings_outside_the_users_reach_are_a_404(as_user, world, vol):
    assert as_user(vol.user).get(url("rankings") + f"?site={world.township2.pk}").status_code == 404
    assert as_user(world.outsider).get(url("rankings") + f"?site={world.county.pk}").status_code == 404


@pytest.mark.parametrize("tab", ["volunteers", "teams", "sites"])
def test_rankings_take_a_fixed_number_of_queries(as_user, world, vol, tab, django_assert_num_queries):
    for i in range(5):
        factories.credit(
            world.admin, factories.volunteer_with_login(world.admin, world.village2, name=f"甲{i}"), f"r:{i}", i + 1
        )
    client = as_user(world.county_manager)
    address = url("rankings") + f"?site={world.county.pk}&tab={tab}&period=year"
    client.get(address)
    with django_assert_num_queries(6):  # session, user, volunteer?, site, ranking, ancestors, children
        response = client.get(address)
    assert response.status_code == 200
    if tab == "sites":
        assert [r.name for r in response.context["rows"]][:1] == ["乙镇"]


# The shop ---------------------------------------------------------------------------


def test_the_shop_lists_goods_of_the_shops_above_the_home_site(as_user, world, vol):
    here = factories.stocked_goods(world.admin, world.township, "毛巾")
    county = factories.stocked_goods(world.admin, world.county, "雨伞", price=40)
    factories.stocked_goods(world.admin, world.township2, "别处的米")
    response = as_user(vol.user).get(url("shop"))
    names = [g.name for g in response.context["page"]]
    assert names == ["雨伞", "毛巾"] or set(names) == {here.name, county.name}
    assert "别处的米" not in response.content.decode()


def test_the_shop_takes_a_fixed_number_of_queries(as_user, world, vol, django_assert_num_queries):
    for i in range(12):
        factories.stocked_goods(world.admin, world.township, f"商品{i}", price=5 + i)
    client = as_user(vol.user)
    client.get(url("shop"))
    with django_assert_num_queries(6):  # session, user, volunteer, count, goods, account
        client.get(url("shop"))


def test_a_volunteer_redeems_after_confirming_and_sees_the_pickup_code(as_user, world, vol):
    goods = factories.stocked_goods(world.admin, world.township, price=20, stock=3)
    client = as_user(vol.user)
    confirm = client.get(url("redeem", goods.pk))
    assert confirm.status_code == 200
    assert not Redemption.objects.exists()  # nothing happens before the confirmation
    response = client.post(url("redeem", goods.pk), {"quantity": 2, "confirm": "yes"})
    assert response.status_code == 302
    redemption = Redemption.objects.get()
    assert redemption.points == 40
    mine = client.get(response["Location"])
    assert redemption.pickup_code in mine.content.decode()
    assert Account.objects.get(volunteer=vol).balance == 15
    goods.refresh_from_db()
    assert goods.stock == 1


def test_a_redemption_beyond_the_balance_is_refused_on_the_page(as_user, world, vol):
    goods = factories.stocked_goods(world.admin, world.township, price=50, stock=3)
    response = as_user(vol.user).post(url("redeem", goods.pk), {"quantity": 2})
    assert response.status_code == 200
    assert "Not enough points" in response.content.decode() or response.context["form"].errors
    assert not Redemption.objects.exists()


def test_goods_of_another_township_cannot_be_redeemed(as_user, world, vol):
    goods = factories.stocked_goods(world.admin, world.township2)
    assert as_user(vol.user).get(url("redeem", goods.pk)).status_code == 404


def test_a_volunteer_cancels_a_waiting_redemption(as_user, world, vol):
    goods = factories.stocked_goods(world.admin, world.township, price=20, stock=3)
    redemption = services.redeem(actor=vol.user, goods=goods)
    response = as_user(vol.user).post(url("my-redemption-cancel", redemption.pk))
    assert response.status_code == 302 and response["Location"] == url("my-redemptions")
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.CANCELLED
    assert Account.objects.get(volunteer=vol).balance == 55
    again = as_user(vol.user).post(url("my-redemption-cancel", redemption.pk), follow=True)
    assert "Only a redemption waiting for pickup can be cancelled." in again.content.decode()


def test_someone_else_cannot_cancel_a_redemption(as_user, world, vol):
    goods = factories.stocked_goods(world.admin, world.township, price=20, stock=3)
    redemption = services.redeem(actor=vol.user, goods=goods)
    other = factories.volunteer_with_login(world.admin, world.village, name="路人")
    assert as_user(other.user).post(url("my-redemption-cancel", redemption.pk)).status_code == 404
    assert as_user(other.user).post(url("redemption-cancel", redemption.pk)).status_code == 404
    assert as_user(world.county_viewer).post(url("redemption-cancel", redemption.pk)).status_code == 403
    assert as_user(world.county_viewer).post(url("my-redemption-cancel", redemption.pk)).status_code == 404
    # The keeper's door is not the volunteer's: they see their redemption there, but may not manage it.
    assert as_user(vol.user).post(url("redemption-cancel", redemption.pk)).status_code == 403
    assert as_user(vol.user).get(url("my-redemption-cancel", redemption.pk)).status_code == 405
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.WAITING


def test_my_redemptions_take_a_fixed_number_of_queries(as_user, world, vol, django_assert_num_queries):
    goods = factories.stocked_goods(world.admin, world.township, price=1, stock=20)
    for _ in range(8):
        services.redeem(actor=vol.user, goods=goods)
    client = as_user(vol.user)
    client.get(url("my-redemptions"))
    with django_assert_num_queries(4):  # session, user, count, rows
        response = client.get(url("my-redemptions"))
    assert len(response.context["page"].object_list) == 8


# Keepers ----------------------------------------------------------------------------


def test_a_keeper_adds_goods_with_a_photo_and_stocks_them(as_user, world, vol, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_user(world.township_head)
    response = client.post(
        url("goods-new", world.township.pk),
        {"name": "保温杯", "price": 30, "is_active": "on", "photo": factories.png()},
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    goods = Goods.objects.get(name="保温杯")
    assert goods.site == world.township and goods.photo
    client.post(url("goods-stock", goods.pk), {"direction": "in", "quantity": 10, "note": ""})
    client.post(url("goods-stock", goods.pk), {"direction": "off", "quantity": 2, "note": "破损"})
    goods.refresh_from_db()
    assert goods.stock == 8
    refused = client.post(url("goods-stock", goods.pk), {"direction": "off", "quantity": 1, "note": ""})
    assert refused.status_code == 200 and refused.context["form"].errors
    # The photo is served through a view that checks scope.
    assert client.get(url("goods-photo", goods.pk)).status_code == 200
    assert as_user(vol.user).get(url("goods-photo", goods.pk)).status_code == 200
    assert as_user(world.outsider).get(url("goods-photo", goods.pk)).status_code == 404
    assert "/media/" not in client.get(url("goods-detail", goods.pk)).content.decode()


def test_a_keeper_edits_goods(as_user, world):
    goods = factories.stocked_goods(world.admin, world.township)
    response = as_user(world.township_head).post(url("goods-edit", goods.pk), {"name": "新毛巾", "price": 25})
    assert response.status_code == 302
    goods.refresh_from_db()
    assert (goods.name, goods.price, goods.is_active) == ("新毛巾", 25, False)


def test_goods_pages_keep_their_scope(as_user, world):
    goods = factories.stocked_goods(world.admin, world.township)
    assert as_user(world.village_head).get(url("goods-edit", goods.pk)).status_code == 404
    assert as_user(world.county_viewer).get(url("goods-edit", goods.pk)).status_code == 403
    assert as_user(world.county_viewer).get(url("goods-detail", goods.pk)).status_code == 200
    assert as_user(world.outsider).get(url("goods-list", world.township.pk)).status_code == 404
    assert as_user(world.county_viewer).get(url("goods-new", world.township.pk)).status_code == 403


def test_the_goods_list_takes_a_fixed_number_of_queries(as_user, world, django_assert_num_queries):
    for i in range(7):
        factories.stocked_goods(world.admin, world.township, f"商品{i}")
    client = as_user(world.township_head)
    client.get(url("goods-list", world.township.pk))
    with django_assert_num_queries(6):  # session, user, site, count, goods, can-manage
        response = client.get(url("goods-list", world.township.pk))
    assert len(response.context["page"].object_list) == 7


def test_a_keeper_fulfils_by_pickup_code(as_user, world, vol):
    goods = factories.stocked_goods(world.admin, world.township, price=20, stock=3)
    redemption = services.redeem(actor=vol.user, goods=goods)
    client = as_user(world.township_head)
    page = client.get(url("pickup", world.township.pk))
    assert vol.real_name in page.content.decode()
    wrong = client.post(url("pickup", world.township.pk), {"pickup_code": "00000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    done = client.post(url("pickup", world.township.pk), {"pickup_code": redemption.pickup_code})
    assert done.status_code == 302
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.FULFILLED
    again = client.post(url("pickup", world.township.pk), {"pickup_code": redemption.pickup_code})
    assert again.context["form"].errors


def test_the_pickup_page_is_for_managers_and_pinned(as_user, world, vol, django_assert_num_queries):
    goods = factories.stocked_goods(world.admin, world.township, price=1, stock=20)
    for _ in range(5):
        services.redeem(actor=vol.user, goods=goods)
    assert as_user(world.county_viewer).get(url("pickup", world.township.pk)).status_code == 403
    client = as_user(world.township_head)
    client.get(url("pickup", world.township.pk))
    with django_assert_num_queries(5):  # session, user, site, count, rows
        client.get(url("pickup", world.township.pk))


def test_a_keeper_cancels_a_waiting_redemption(as_user, world, vol):
    goods = factories.stocked_goods(world.admin, world.township, price=20, stock=3)
    redemption = services.redeem(actor=vol.user, goods=goods)
    pickup = url("pickup", world.township.pk)
    response = as_user(world.township_head).post(url("redemption-cancel", redemption.pk), {"next": pickup})
    assert response["Location"] == pickup
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.CANCELLED


def test_reconciliation_adds_up_every_movement(as_user, world, vol, django_assert_num_queries):
    goods = factories.stocked_goods(world.admin, world.township, price=10, stock=6)
    services.goods_stock_in(actor=world.admin, goods=goods, quantity=-1, note="过期")
    first = services.redeem(actor=vol.user, goods=goods)
    services.redeem(actor=vol.user, goods=goods, quantity=2)
    services.redemption_cancel(actor=vol.user, redemption=first)
    factories.stocked_goods(world.admin, world.township, "雨伞", stock=2)
    client = as_user(world.county_viewer)
    client.get(url("reconciliation", world.township.pk))
    with django_assert_num_queries(5):  # session, user, site, goods with sums, can-manage
        response = client.get(url("reconciliation", world.township.pk))
    row = next(r for r in response.context["rows"] if r.name == "毛巾")
    # Everything that went out is counted as a positive number: 6 in, 3 redeemed, 1 back, 1 written off.
    assert (row.goods_in, row.redeemed, row.returned, row.written_off) == (6, 3, 1, 1)
    assert (row.books, row.shelves) == (3, 3)
    assert row.balanced and response.context["all_balanced"]
    html = response.content.decode()
    assert 'data-label="Redeemed">3<' in html and 'data-label="Written off">1<' in html
    assert 'data-label="Books">3<' in html and 'data-label="On the shelves">3<' in html
    assert ">-" not in html and ">−" not in html


# Rules, adjustments, reversals ------------------------------------------------------


def test_a_manager_adds_a_dated_rule_and_is_told_past_entries_stay(as_user, world, vol):
    client = as_user(world.county_manager)
    page = client.get(url("rules", world.county.pk))
    assert "never rewritten" in page.content.decode() or "从不" in page.content.decode() or page.context["form"]
    response = client.post(
        url("rules", world.county.pk),
        {
            "valid_from": "2026-01-01",
            "points_per_hour": "12",
            "theme_bonus": 5,
            "rating_bonus_5": 5,
            "rating_bonus_4": 2,
            "deduction_name_0": "无故缺席",
            "deduction_points_0": 5,
        },
    )
    assert response.status_code == 302
    rule = Rule.objects.get(site=world.county)
    assert rule.rating_bonus == {"5": 5, "4": 2} and rule.points_per_hour == Decimal("12.00")
    assert rule.deductions == {"无故缺席": 5} and rule.star_hours == []
    assert Entry.objects.get(source_key="a:1").points == 30  # untouched


def test_a_bad_rule_is_refused_on_the_form(as_user, world):
    response = as_user(world.county_manager).post(
        url("rules", world.county.pk),
        {"valid_from": "2026-01-01", "points_per_hour": "10", "theme_bonus": 0, "rating_bonus_5": "nope"},
    )
    assert response.status_code == 200 and response.context["form"].errors["rating_bonus_5"]
    assert not Rule.objects.exists()


def test_a_viewer_reads_the_rules_but_cannot_add_one(as_user, world, django_assert_num_queries):
    services.rule_save(actor=world.admin, site=world.county, valid_from=date(2025, 1, 1), points_per_hour=10)
    services.rule_save(actor=world.admin, site=world.township, valid_from=date(2025, 6, 1), points_per_hour=8)
    client = as_user(world.county_viewer)
    client.get(url("rules", world.township.pk))
    # session, user, site, can-manage, rule in force with its site, count, rows, who made them
    with django_assert_num_queries(8):
        response = client.get(url("rules", world.township.pk))
    assert response.context["form"] is None
    assert len(response.context["page"].object_list) == 2
    assert client.post(url("rules", world.township.pk), {}).status_code == 403


def test_an_adjustment_needs_a_confirmation(as_user, world, vol):
    client = as_user(world.village_head)
    data = {"points": 7, "hours": "1.5", "note": "补录纸质台账"}
    first = client.post(url("adjust", vol.pk), data)
    assert first.status_code == 200 and first.context["confirming"]
    assert not Entry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()
    done = client.post(url("adjust", vol.pk), {**data, "confirm": "yes"})
    assert done.status_code == 302
    account = Account.objects.get(volunteer=vol)
    assert (account.lifetime_points, account.lifetime_hours) == (62, Decimal("7.00"))


def test_adjusting_is_for_managers_of_the_home_site(as_user, world, vol):
    assert as_user(world.county_viewer).get(url("adjust", vol.pk)).status_code == 403
    assert as_user(world.outsider).get(url("adjust", vol.pk)).status_code == 404


def test_a_manager_reverses_an_entry_with_a_reason(as_user, world, vol):
    entry = Entry.objects.get(source_key="a:1")
    client = as_user(world.village_head)
    missing = client.post(url("reverse", entry.pk), {"reason": ""})
    assert missing.status_code == 200 and missing.context["form"].errors
    done = client.post(url("reverse", entry.pk), {"reason": "重复录入"})
    assert done.status_code == 302
    assert Account.objects.get(volunteer=vol).lifetime_points == 25
    assert client.post(url("reverse", entry.pk), {"reason": "again"}).context["form"].errors
    assert as_user(world.county_viewer).get(url("reverse", entry.pk)).status_code == 403


def test_the_ledger_page_for_managers_is_pinned(as_user, world, vol, django_assert_num_queries):
    for i in range(25):
        factories.credit(world.admin, vol, f"l:{i}", 1)
    client = as_user(world.county_manager)
    client.get(url("ledger", vol.pk))
    with django_assert_num_queries(6):  # session, user, volunteer, account, entries, can-manage
        response = client.get(url("ledger", vol.pk))
    assert len(response.context["entries"]) == 20
    assert as_user(world.outsider).get(url("ledger", vol.pk)).status_code == 404


def test_the_management_hub_finds_a_volunteer(as_user, world, vol):
    response = as_user(world.county_manager).get(url("manage") + f"?site={world.county.pk}&q=钱七")
    assert response.status_code == 200
    assert [v.pk for v in response.context["found"]] == [vol.pk]
    assert url("ledger", vol.pk) in response.content.decode()
    assert as_user(world.volunteer).get(url("manage")).context["site"] is None


# Certificates, seals and the public check --------------------------------------------


def test_a_volunteer_issues_and_downloads_a_certificate(as_user, world, vol, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_user(vol.user)
    start = date(TODAY.year, 1, 1)
    response = client.post(url("certificates"), {"period_start": start.isoformat(), "period_end": TODAY.isoformat()})
    assert response.status_code == 302
    cert = Certificate.objects.get(volunteer=vol)
    assert cert.hours == Decimal("5.50")
    pdf = client.get(url("certificate-pdf", cert.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert as_user(world.outsider).get(url("certificate-pdf", cert.pk)).status_code == 404
    assert as_user(world.county_viewer).get(url("certificate-pdf", cert.pk)).status_code == 200


def test_a_certificates_qr_code_opens_the_public_address_whatever_host_it_was_downloaded_on(
    world, vol, monkeypatch, settings
):
    """A real decoder read http://127.0.0.1:8101/verify/... off a printed certificate: the
    request's host went onto paper. The QR code now carries the configured public address."""
    from points import certificates

    settings.CIVIC_PUBLIC_URL = "https://civic.example.org/"
    settings.ALLOWED_HOSTS = ["*"]
    encoded = []
    real_qr = certificates._qr_png
    monkeypatch.setattr(certificates, "_qr_png", lambda text: encoded.append(text) or real_qr(text))
    cert = services.certificate_issue(actor=world.admin, volunteer=vol, period_start=TODAY, period_end=TODAY)
    client = Client()
    client.force_login(vol.user)
    pdf = client.get(url("certificate-pdf", cert.pk), HTTP_HOST="127.0.0.1:8101")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert encoded == [f"https://civic.example.org/verify/{cert.code}/"]


def test_a_manager_issues_a_certificate_for_a_volunteer(as_user, world, vol):
    client = as_user(world.township_head)
    response = client.post(
        url("volunteer-certificates", vol.pk), {"period_start": TODAY.isoformat(), "period_end": TODAY.isoformat()}
    )
    assert response.status_code == 302
    assert Certificate.objects.filter(volunteer=vol, issued_by=world.township_head).exists()
    future = client.post(
        url("volunteer-certificates", vol.pk),
        {"period_start": TODAY.isoformat(), "period_end": (TODAY + timedelta(days=3)).isoformat()},
    )
    assert future.status_code == 200 and future.context["form"].errors


def test_the_public_check_shows_only_the_masked_name_and_figures(client, world, vol):
    cert = services.certificate_issue(actor=world.admin, volunteer=vol, period_start=TODAY, period_end=TODAY)
    response = client.get(reverse("verify:code", args=[cert.code.lower()]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "钱*" in html and "钱七" not in html
    assert vol.id_number not in html and vol.phone not in html
    assert "5.50" in html and world.county.display_name in html


def test_the_public_check_says_clearly_when_a_code_is_unknown(client, world):
    response = client.get(reverse("verify:code", args=["NOSUCHCODE12"]))
    assert response.status_code == 404
    assert "NOSUCHCODE12" in response.content.decode()
    form = client.get(reverse("verify:form") + "?code=abcd")
    assert form.status_code == 302 and form["Location"] == reverse("verify:code", args=["ABCD"])


def test_the_public_check_masks_names_by_the_one_rule():
    assert (mask_name("张三"), mask_name("欧阳娜娜"), mask_name("李")) == ("张*", "欧***", "李*")


def test_a_manager_uploads_the_seal_and_a_viewer_cannot(as_user, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_user(world.county_manager)
    assert client.post(url("seal", world.county.pk), {"image": factories.png("seal.png")}).status_code == 302
    assert Seal.objects.get(site=world.county).image
    assert client.get(url("seal-image", world.county.pk)).status_code == 200
    assert (
        as_user(world.county_viewer).post(url("seal", world.county.pk), {"image": factories.png()}).status_code == 403
    )
    assert as_user(world.outsider).get(url("seal-image", world.county.pk)).status_code == 404
