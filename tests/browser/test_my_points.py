"""A volunteer on a phone (390×844): opens my points, redeems goods with a confirmation,
and sees the pickup code."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect

from points import selectors
from points.models import Redemption
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_thread(read):
    """Run an ORM read outside Playwright's event loop (a thread of its own, own connection)."""

    def run():
        try:
            return read()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def shop_world(world):
    volunteer = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, volunteer, "b:1", 3)  # 30 points
    goods = factories.stocked_goods(world.admin, world.township, "保温杯", price=20, stock=2)
    return volunteer, goods


def test_a_volunteer_redeems_goods_on_a_phone_and_sees_the_pickup_code(live_server, shop_world, browser):
    volunteer, goods = shop_world
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/points/")
        page.fill("input[name=username]", volunteer.phone)
        page.fill("input[name=password]", "long-enough-pass-42")
        page.click("form.form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/points/")
        expect(page.locator("[data-key=lifetime]")).to_have_text("30")
        expect(page.locator("[data-key=balance]")).to_have_text("30")
        expect(page.locator("[data-key=hours]")).to_have_text("3.00")
        expect(page.locator("li.entry")).to_have_count(1)
        # Nothing overflows the phone's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.locator(".points-summary a[href='/points/shop/']").click()
        page.wait_for_url(re.compile(r".*/points/shop/$"))
        card = page.locator("li.goods-card", has_text="保温杯")
        expect(card).to_be_visible()
        card.locator("a.button").click()
        page.wait_for_url(re.compile(rf".*/points/shop/goods/{goods.pk}/redeem/$"))
        assert in_thread(lambda: Redemption.objects.count()) == 0  # only after the confirmation
        page.click("button[name=confirm]")
        page.wait_for_url(re.compile(r".*/points/shop/redemptions/\?new=\d+$"))

        redemption = in_thread(lambda: Redemption.objects.get())
        code = page.locator("li.redemption.new .pickup-code")
        expect(code).to_have_text(redemption.pickup_code)
        expect(page.locator(".messages")).to_contain_text(redemption.pickup_code)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.goto(f"{live_server.url}/points/")
        expect(page.locator("[data-key=balance]")).to_have_text("10")
        expect(page.locator("[data-key=lifetime]")).to_have_text("30")  # spending never lowers it
    finally:
        context.close()
    assert in_thread(selectors.reconcile) == []
