"""The tree browser in a real browser: log in, expand a township through htmx, see its
villages, switch the page to English."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from centers import services
from centers.models import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LARGE_FONT = re.compile(r"\blarge-font\b")  # <html class="js large-font">


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/sites/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/sites/")


@pytest.fixture
def county(world):
    """The test world with a second village under the township."""
    services.site_create(actor=world.admin, parent=world.township, name="南坪村民委员会", level=Level.VILLAGE)
    return world


def test_a_county_manager_expands_a_township_and_switches_to_english(live_server, county, browser):
    world = county
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_server.url, "county_manager", "pw-county_manager")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

        with translation.override("zh-hans"):  # the browser asked for Chinese
            township_name, village_name = world.township.display_name, world.village.display_name
        assert township_name.endswith("新时代文明实践所")
        township_row = page.locator(f"#site-{world.township.pk}")
        expect(township_row.locator(".name").first).to_have_text(township_name)
        children = page.locator(f"#children-{world.township.pk}")
        expect(children).to_be_hidden()

        township_row.locator("button.expand").first.click()
        expect(children).to_be_visible()
        expect(children.get_by_text(village_name)).to_be_visible()
        expect(children.locator("li.node")).to_have_count(2)
        expect(township_row.locator("button.expand").first).to_have_attribute("aria-expanded", "true")

        township_row.locator("button.expand").first.click()  # collapse without a request
        expect(children).to_be_hidden()

        # On a phone the languages and the navigation are behind the menu button.
        expect(page.locator("button[name=language][value=en]")).to_be_hidden()
        page.click("[data-menu]")
        page.click("button[name=language][value=en]")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", name="Site tree")).to_be_visible()
        page.click("[data-menu]")
        expect(page.get_by_role("link", name="Service platforms")).to_be_visible()

        page.click("[data-large-font]")
        expect(page.locator("html")).to_have_class(LARGE_FONT)
        page.reload()
        expect(page.locator("html")).to_have_class(LARGE_FONT)  # kept in localStorage
    finally:
        context.close()
