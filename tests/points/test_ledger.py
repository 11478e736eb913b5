"""The ledger: exact, idempotent, append-only, and impossible to overdraw."""

import random
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.utils import InternalError

from points import selectors, services
from points.models import Account, Entry, EntryKind, Goods, Redemption, StockMovement
from tests import factories
from volunteers import services as volunteer_services

DAY = date(2026, 3, 5)


@pytest.mark.django_db
def test_the_same_credit_twice_makes_one_entry(world):
    v = factories.volunteer(world.village_head, world.village)
    first = services.points_credit(
        actor=world.village_head,
        volunteer=v,
        source_key="attendance:1",
        hours="2.5",
        site=world.village,
        service_date=DAY,
    )
    again = services.points_credit(
        actor=world.village_head,
        volunteer=v,
        source_key="attendance:1",
        hours="2.5",
        site=world.village,
        service_date=DAY,
    )
    assert first.pk == again.pk
    account = Account.objects.get(volunteer=v)
    assert (account.lifetime_points, account.balance, account.lifetime_hours) == (25, 25, Decimal("2.50"))
    assert Entry.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_the_rule_of_the_service_date_applies_and_lower_sites_override(world):
    v = factories.volunteer(world.village_head, world.village)
    services.rule_save(actor=world.county_manager, site=world.county, valid_from=date(2026, 1, 1), points_per_hour=10)
    services.rule_save(actor=world.county_manager, site=world.county, valid_from=date(2026, 4, 1), points_per_hour=20)
    march = services.points_credit(
        actor=world.admin, volunteer=v, source_key="a:1", hours=1, site=world.village, service_date=date(2026, 3, 31)
    )
    april = services.points_credit(
        actor=world.admin, volunteer=v, source_key="a:2", hours=1, site=world.village, service_date=date(2026, 4, 1)
    )
    assert (march.points, april.points) == (10, 20)
    services.rule_save(actor=world.township_head, site=world.township, valid_from=date(2026, 1, 1), points_per_hour=5)
    override = services.points_credit(
        actor=world.admin, volunteer=v, source_key="a:3", hours=1, site=world.village, service_date=date(2026, 5, 1)
    )
    assert override.points == 5
    march.refresh_from_db()
    assert march.points == 10  # a rule change never rewrites past entries


@pytest.mark.django_db
def test_spending_never_lowers_lifetime_points_but_a_reversal_does(world):
    v = factories.volunteer_with_login(world.admin, world.village)
    credit = services.points_credit(
        actor=world.admin, volunteer=v, source_key="a:1", hours=3, site=world.village, service_date=DAY
    )
    goods = services.goods_create(actor=world.village_head, site=world.village, name="毛巾", price=20)
    services.goods_stock_in(actor=world.village_head, goods=goods, quantity=5)
    services.redeem(actor=v.user, goods=goods)
    account = Account.objects.get(volunteer=v)
    assert (account.lifetime_points, account.balance) == (30, 10)
    services.points_reverse(actor=world.village_head, entry=credit, reason="录错了")
    account.refresh_from_db()
    assert (account.lifetime_points, account.balance, account.lifetime_hours) == (0, -20, Decimal("0"))
    with pytest.raises(ValidationError):
        services.redeem(actor=v.user, goods=goods)  # waits until the balance is positive again
    with pytest.raises(ValidationError):
        services.points_reverse(actor=world.village_head, entry=credit, reason="again")


@pytest.mark.django_db
def test_cancelling_a_redemption_refunds_points_and_stock(world):
    v = factories.volunteer_with_login(world.admin, world.village)
    services.points_credit(
        actor=world.admin, volunteer=v, source_key="a:1", hours=5, site=world.village, service_date=DAY
    )
    goods = services.goods_create(actor=world.township_head, site=world.township, name="大米", price=30)
    services.goods_stock_in(actor=world.township_head, goods=goods, quantity=2)
    redemption = services.redeem(actor=v.user, goods=goods)
    assert len(redemption.pickup_code) == 8
    services.redemption_cancel(actor=v.user, redemption=redemption, reason="不要了")
    goods.refresh_from_db()
    account = Account.objects.get(volunteer=v)
    assert (goods.stock, account.balance, account.lifetime_points) == (2, 50, 50)
    second = services.redeem(actor=v.user, goods=goods)
    services.redemption_fulfil(actor=world.township_head, goods_site=world.township, pickup_code=second.pickup_code)
    with pytest.raises(ValidationError):
        services.redemption_fulfil(actor=world.township_head, goods_site=world.township, pickup_code=second.pickup_code)


@pytest.mark.django_db
def test_a_shop_outside_the_volunteers_area_refuses(world):
    v = factories.volunteer_with_login(world.admin, world.village)
    services.points_credit(
        actor=world.admin, volunteer=v, source_key="a:1", hours=5, site=world.village, service_date=DAY
    )
    goods = services.goods_create(actor=world.admin, site=world.township2, name="油", price=10)
    services.goods_stock_in(actor=world.admin, goods=goods, quantity=1)
    with pytest.raises(ValidationError):
        services.redeem(actor=v.user, goods=goods)


@pytest.mark.django_db
def test_entries_are_never_updated_or_deleted(world):
    v = factories.volunteer(world.village_head, world.village)
    entry = services.points_credit(
        actor=world.admin, volunteer=v, source_key="a:1", hours=1, site=world.village, service_date=DAY
    )
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        Entry.objects.filter(pk=entry.pk).update(points=1000)
    for sql in ("UPDATE points_entry SET points = 1000", "DELETE FROM points_entry"):
        with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Entry.objects.get(pk=entry.pk).points == 10


@pytest.mark.django_db
def test_stars_follow_lifetime_hours(world):
    v = factories.volunteer(world.village_head, world.village)
    services.points_opening(actor=world.village_head, volunteer=v, hours="299.5", points=None, as_of=date(2025, 12, 31))
    assert Account.objects.get(volunteer=v).star_level == 1
    services.points_credit(
        actor=world.admin, volunteer=v, source_key="a:1", hours="0.5", site=world.village, service_date=DAY
    )
    assert Account.objects.get(volunteer=v).star_level == 2
    with pytest.raises(ValidationError):
        services.points_opening(actor=world.village_head, volunteer=v, hours=1, points=None, as_of=date(2025, 12, 31))


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_redemptions_never_overdraw(world):
    """200 attempts from 32 threads against a balance of exactly 10 × the price."""
    v = factories.volunteer_with_login(world.admin, world.village)
    goods = services.goods_create(actor=world.village_head, site=world.village, name="洗衣液", price=7)
    services.goods_stock_in(actor=world.village_head, goods=goods, quantity=50)
    services.points_adjust(actor=world.village_head, volunteer=v, points=70, note="测试余额")
    attempts = iter(range(200))
    lock = threading.Lock()
    outcomes = {"ok": 0, "refused": 0, "error": []}

    def worker():
        try:
            while True:
                with lock:
                    if next(attempts, None) is None:
                        return
                try:
                    services.redeem(actor=v.user, goods=goods)
                    result = "ok"
                except ValidationError:
                    result = "refused"
                with lock:
                    outcomes[result] += 1
        except Exception as exc:  # reported below, not swallowed
            with lock:
                outcomes["error"].append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcomes["error"] == []
    assert (outcomes["ok"], outcomes["refused"]) == (10, 190)
    account = Account.objects.get(volunteer=v)
    goods.refresh_from_db()
    assert (account.balance, account.lifetime_points) == (0, 70)
    assert goods.stock == 40
    assert Redemption.objects.filter(goods=goods).count() == 10
    assert sum(m.quantity for m in StockMovement.objects.filter(goods=goods)) == 40
    assert selectors.reconcile() == []


@pytest.mark.django_db
def test_reconcile_finds_no_drift_after_a_random_run(world):
    rng = random.Random(20261122)
    people = [factories.volunteer_with_login(world.admin, world.village) for _ in range(6)]
    goods = services.goods_create(actor=world.township_head, site=world.township, name="书包", price=15)
    services.goods_stock_in(actor=world.township_head, goods=goods, quantity=1000)
    credits = []
    for _step in range(300):
        v = rng.choice(people)
        action = rng.random()
        try:
            if action < 0.5:
                credits.append(
                    services.points_credit(
                        actor=world.admin,
                        volunteer=v,
                        source_key=f"random:{rng.randrange(200)}",
                        hours=Decimal(rng.randrange(25, 400)) / 100,
                        site=world.village,
                        service_date=DAY,
                        theme=rng.random() < 0.3,
                    )
                )
            elif action < 0.65 and credits:
                services.points_reverse(actor=world.admin, entry=rng.choice(credits), reason="随机撤销")
            elif action < 0.9:
                services.redeem(actor=v.user, goods=goods, quantity=rng.randint(1, 2))
            else:
                waiting = Redemption.objects.filter(account__volunteer=v, status="waiting").first()
                if waiting:
                    services.redemption_cancel(actor=v.user, redemption=waiting)
        except ValidationError:
            pass
    assert Entry.objects.filter(kind=EntryKind.REDEMPTION).exists()
    assert Entry.objects.filter(kind=EntryKind.REVERSAL).exists()
    assert selectors.reconcile() == []
    goods.refresh_from_db()
    assert goods.stock == sum(m.quantity for m in Goods.objects.get(pk=goods.pk).movements.all())


@pytest.mark.django_db
def test_accounts_are_ranked_in_their_township_and_follow_moves(world):
    v = factories.volunteer(world.village_head, world.village)
    services.points_credit(
        actor=world.admin, volunteer=v, source_key="r:1", hours=1, site=world.village, service_date=DAY
    )
    account = Account.objects.get(volunteer=v)
    assert account.rank_site == world.township
    volunteer_services.volunteer_update(actor=world.county_manager, volunteer=v, home_site=world.village2)
    account.refresh_from_db()
    assert account.rank_site == world.township2
    from centers import services as site_services

    site_services.site_move(actor=world.admin, site=world.village2, new_parent=world.township)
    account.refresh_from_db()
    assert account.rank_site == world.township
    assert selectors.reconcile() == []
    Account.objects.filter(pk=account.pk).update(rank_site=world.county)
    assert [d.field for d in selectors.reconcile()] == ["rank_site"]
