"""The main pages under the Content-Security-Policy in a real Chromium: no console error, no
policy violation, and their behaviours (large text, htmx, the chart, confirmations, the API
docs) still work."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from points import services as points_services
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LARGE_FONT = re.compile(r"\blarge-font\b")  # <html class="js large-font">

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " +
                           (e.sourceFile || document.location.pathname) + ":" + e.lineNumber);
});
"""


class Watch:
    """Collects console errors, uncaught exceptions and CSP violations of one page."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        page.on("response", lambda r: self.problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text} ({message.location['url']})")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        self.page.wait_for_load_state("networkidle")
        self.check(url)
        assert self.page.evaluate("!!document.querySelector('meta[name=htmx-config]')"), url

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations || []")
        problems = self.problems + [f"CSP: {v}" for v in violations]
        self.problems = []
        assert problems == [], f"{where}: {problems}"


def log_in(page, base: str, username: str, password: str, next_url: str = "/") -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


@pytest.fixture
def busy_world(world):
    """A volunteer with points, a waiting redemption and a goods shelf, for the pages to show."""
    volunteer = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, volunteer, "csp:1", 3)
    goods = factories.stocked_goods(world.admin, world.township, "保温杯", price=10, stock=3)
    points_services.redeem(actor=volunteer.user, goods=goods)
    return world, volunteer


def test_the_staff_pages_run_clean_under_the_policy(live_server, busy_world, browser):
    world, _volunteer = busy_world
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    watch = Watch(page)
    try:
        page.goto(f"{base}/accounts/login/")
        watch.check("login")
        log_in(page, base, "county_manager", "pw-county_manager", "/sites/")
        watch.check("after login")
        for path in (
            "/",
            f"/sites/{world.township.pk}/",
            f"/sites/{world.county.pk}/roles/",
            "/sites/platforms/",
            f"/sites/new/?parent={world.township.pk}",
            "/volunteers/",
            "/volunteers/teams/",
            "/volunteers/queue/",
            "/volunteers/import/",
            "/points/manage/",
            f"/points/sites/{world.township.pk}/goods/",
            f"/points/sites/{world.township.pk}/pickup/",
            "/points/certificates/",
            "/verify/",
        ):
            watch.visit(base + path)

        # htmx still swaps the tree's children in.
        watch.visit(f"{base}/sites/")
        page.locator(f"#site-{world.township.pk} button.expand").click()
        expect(page.locator(f"#children-{world.township.pk} li").first).to_be_visible()
        watch.check("tree expanded")

        # The large-text toggle is a behaviour from static/js.
        page.click("[data-large-font]")
        expect(page.locator("html")).to_have_class(LARGE_FONT)
        page.reload()
        expect(page.locator("html")).to_have_class(LARGE_FONT)
        watch.check("large text")

        # The ranking's chart is drawn from its data- attributes, tooltip included.
        watch.visit(f"{base}/points/rankings/?site={world.county.pk}&tab=volunteers")
        chart = page.locator("[data-chart=bar]")
        expect(chart.locator("canvas")).to_have_count(1)
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
        watch.check("chart tooltip")

        # A confirmation asked by a button's data-confirm (was an inline onclick).
        watch.visit(f"{base}/points/sites/{world.township.pk}/pickup/")
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.locator("button[data-confirm]").first.click()
        page.wait_for_timeout(200)
        assert asked and page.url.endswith("/pickup/")
        watch.check("confirmation")

        # The API docs (Swagger UI from the sidecar) render their operations.
        page.goto(f"{base}/api/docs/")
        expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
        watch.check("api docs")
    finally:
        context.close()


def test_the_public_and_volunteer_pages_run_clean_under_the_policy(live_server, busy_world, browser):
    _world, volunteer = busy_world
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    watch = Watch(page)
    try:
        for path in ("/accounts/login/", "/volunteers/register/", "/volunteers/claim/", "/verify/"):
            watch.visit(base + path)
        log_in(page, base, volunteer.phone, "long-enough-pass-42", "/points/")
        watch.check("volunteer login")
        for path in ("/volunteers/me/", "/points/", "/points/shop/", "/points/shop/redemptions/", "/points/rankings/"):
            watch.visit(base + path)
    finally:
        context.close()


def test_the_admin_runs_clean_under_its_policy(live_server, world, browser):
    base = live_server.url
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    watch = Watch(page)
    try:
        log_in(page, base, "admin", "pw-admin", "/admin/")
        for path in ("/admin/", "/admin/centers/site/", f"/admin/centers/site/{world.village.pk}/change/"):
            response = page.goto(base + path)
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.__violations || []")
            assert watch.problems == [] and violations == [], (path, watch.problems, violations)
    finally:
        context.close()
