"""Self-registration on a phone-sized screen: the phone proven by a texted code, register, see
"pending"; a manager approves in another browser; the volunteer reloads and sees "active"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
PASSWORD = "long-enough-pass-42"


def test_a_volunteer_registers_on_a_phone_and_a_manager_approves(live_server, world, browser):
    base = live_server.url
    number, phone = factories.id_number(female=True), factories.phone()
    volunteer = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    manager = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        page = volunteer.new_page()
        page.goto(f"{base}/accounts/login/")
        page.click("a[href='/volunteers/register/']")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.fill("input[name=real_name]", "陈小红")
        page.fill("input[name=id_number]", number)
        page.fill("input[name=phone]", phone)
        page.click("button[formaction='/volunteers/register/code/']")  # htmx: the status line, no reload
        expect(page.locator("#phone-code-status")).to_contain_text(phone[-4:])
        assert page.url == f"{base}/volunteers/register/"  # the page stayed: htmx sent the code
        page.fill("input[name=phone_code]", factories.sent_code(phone))
        page.select_option("select[name=county]", str(world.county.pk))
        township = page.locator("select[name=township]")
        expect(township.locator(f"option[value='{world.township.pk}']")).to_have_count(1)  # loaded by htmx
        township.select_option(str(world.township.pk))
        village = page.locator("select[name=village]")
        expect(village.locator(f"option[value='{world.village.pk}']")).to_have_count(1)
        village.select_option(str(world.village.pk))
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        page.check("input[name=consent]")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
        page.click("form.form .form-actions button[type=submit]")
        page.wait_for_url(f"{base}/volunteers/me/")
        status = page.locator("#application .badge")
        expect(status).to_have_class("badge badge-pending")
        expect(page.locator("body")).to_contain_text(number)  # the volunteer sees their whole ID number

        desk = manager.new_page()
        desk.goto(f"{base}/accounts/login/?next=/volunteers/queue/")
        desk.fill("input[name=username]", "village_head")
        desk.fill("input[name=password]", "pw-village_head")
        desk.click("form.form button[type=submit]")
        desk.wait_for_url(f"{base}/volunteers/queue/")
        item = desk.locator(".queue-item", has_text="陈小红")
        expect(item).to_have_count(1)
        item.locator("button[type=submit]").first.click()
        desk.wait_for_url(f"{base}/volunteers/queue/")
        expect(desk.locator(".queue-item", has_text="陈小红")).to_have_count(0)

        page.reload()
        expect(page.locator("#application .badge")).to_have_class("badge badge-active")
    finally:
        volunteer.close()
        manager.close()
