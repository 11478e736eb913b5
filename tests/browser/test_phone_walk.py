"""Every page of every persona on a 390 × 844 phone, in Chinese, in a real Chromium.

Each persona logs in through the login page and opens every page its navigation and its
home page link to, and the detail, edit and new pages of the test world's objects it may
open. A page fails the walk when

- a table is crushed (a cell of text narrower than 2.5 characters): on a phone it is cards;
- the page scrolls sideways (``document.documentElement.scrollWidth > innerWidth``, the
  width read as ``clientWidth``: a phone's browser widens ``innerWidth`` to fit), or a
  part of it does (a table in a scrolling box: on a phone a table is cards);
- the header (everything above the page's content) is taller than a sixth of the screen;
- the browser reports an error: a console error, an uncaught exception, a refused
  Content-Security-Policy, a failed request; or the page does not answer 200.

All problems of the walk are gathered and reported together."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from points import services as points_services
from tests import factories
from volunteers import services as volunteer_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844
HEADER_LIMIT = HEIGHT / 6  # 140.7 px
PASSWORD = "long-enough-pass-42"

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""

MEASURE = """() => {
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  // A phone's browser widens innerWidth to fit a page that overflows; clientWidth stays the screen's.
  const width = Math.min(innerWidth, document.documentElement.clientWidth);
  const main = document.querySelector("main");
  const scrollers = [...document.querySelectorAll("body *")].filter((e) => {
    const style = getComputedStyle(e);
    return (style.overflowX === "auto" || style.overflowX === "scroll") && e.scrollWidth > e.clientWidth + 1
      && e.tagName !== "TEXTAREA" && e.tagName !== "SELECT";
  });
  const wide = [...document.querySelectorAll("main *, header *")]
    .filter((e) => e.getBoundingClientRect().right > width + 1 && getComputedStyle(e).position !== "absolute");
  const crushed = [...document.querySelectorAll("main td, main th")].filter((cell) => {
    const text = cell.textContent.trim();
    const box = cell.getBoundingClientRect();
    return text.length > 2 && box.width > 0 && box.width < 2.5 * parseFloat(getComputedStyle(cell).fontSize);
  });
  return {
    crushed: crushed.slice(0, 3).map((cell) => cell.textContent.trim().slice(0, 12)),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    header: main ? main.getBoundingClientRect().top + scrollY : -1,
    scrollers: scrollers.slice(0, 3).map(describe),
    wide: wide.slice(0, 3).map(describe),
    violations: window.__violations || [],
    lang: document.documentElement.lang,
  };
}"""

# Links the walk does not follow: files, not pages.
NOT_PAGES = ("/export/", "/template/", "/pdf/", "/photo/", "/image/", "/evidence/", "/emblem/", "/admin/", "/api/")


@dataclass
class Walk:
    """One persona's browser tab and what went wrong on it."""

    page: object
    base: str
    who: str
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    current: str = ""
    tallest: float = 0.0

    def __post_init__(self) -> None:
        self.page.add_init_script(WATCH)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self._problem(f"exception: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response",
            lambda r: self._problem(f"{r.status}: {r.url}") if r.status >= 400 and r.url != self._url else None,
        )
        self._url = ""

    def _problem(self, text: str) -> None:
        self.problems.append(f"{self.who} {self.current}: {text}")

    def _failed(self, request) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # cut short by the walk moving on
            self._problem(f"request failed: {request.url} ({request.failure})")

    def _console(self, message) -> None:
        if message.type == "error":
            self._problem(f"console: {message.text}")

    def visit(self, path: str) -> None:
        self.current, self._url = path, self.base + path
        self.seen.add(path)
        response = self.page.goto(self._url, wait_until="load")
        if response is None or response.status != 200:
            self._problem(f"answered {response.status if response else 'nothing'}")
            return
        self.check()

    def check(self) -> None:
        m = self.page.evaluate(MEASURE)
        self.tallest = max(self.tallest, m["header"])
        if m["scrollWidth"] > m["innerWidth"]:
            self._problem(f"scrolls sideways: {m['scrollWidth']} px > {m['innerWidth']} px ({', '.join(m['wide'])})")
        if m["scrollers"]:
            self._problem(f"a part scrolls sideways: {', '.join(m['scrollers'])}")
        if m["crushed"]:
            self._problem(f"a table is crushed to a few characters a line: {m['crushed']}")
        if m["header"] > HEADER_LIMIT:
            self._problem(f"header {m['header']:.0f} px > {HEADER_LIMIT:.0f} px")
        if m["violations"]:
            self._problem(f"CSP: {m['violations']}")
        if m["lang"] != "zh-hans":
            self._problem(f"speaks {m['lang']}")

    def links(self) -> list[str]:
        """Same-site page links of the navigation and of the page's content."""
        hrefs = self.page.eval_on_selector_all(
            "nav a[href], #site-menu a[href], main a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        paths = []
        for href in hrefs:
            parts = urlsplit(href)
            if (
                parts.scheme
                or parts.netloc
                or not parts.path.startswith("/")
                or any(n in parts.path for n in NOT_PAGES)
            ):
                continue
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return list(dict.fromkeys(paths))

    def log_in(self, username: str, password: str) -> None:
        self.visit("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_load_state("load")
        self.current = "/ (after login)"
        if urlsplit(self.page.url).path != "/":
            self._problem(f"landed on {self.page.url}")
        self.check()


@pytest.fixture
def phone_world(world):
    """The personas' world with something on every page: a volunteer with points, teams,
    a join request, a pending registration, goods and a redemption waiting."""
    admin = world.admin
    volunteer = factories.volunteer_with_login(admin, world.village, name="钱七")
    entry = points_services.points_credit(
        actor=admin,
        volunteer=volunteer,
        source_key="walk:1",
        hours=3,
        site=world.village,
        service_date=timezone.localdate(),
    )
    detachment = volunteer_services.team_create(actor=admin, site=world.township, name="甲镇支队", kind="detachment")
    squad = volunteer_services.team_create(
        actor=admin, site=world.village, name="东坪村小分队", kind="squad", parent=detachment
    )
    volunteer_services.membership_request(actor=volunteer.user, volunteer=volunteer, team=squad)
    volunteer_services.membership_decide(actor=admin, membership=volunteer.memberships.get(team=squad), approve=True)
    volunteer_services.membership_request(actor=volunteer.user, volunteer=volunteer, team=detachment)
    factories.self_register(world.village, real_name="孙八")
    goods = points_services.goods_create(actor=admin, site=world.township, name="保温杯", price=10)
    points_services.goods_stock_in(actor=admin, goods=goods, quantity=5)
    points_services.redeem(actor=volunteer.user, goods=goods)
    world.village.liaison_name, world.village.liaison_phone = "周九", "0917-1234567"
    world.village.save()
    return world, volunteer, {"entry": entry, "detachment": detachment, "squad": squad, "goods": goods}


def site_pages(site) -> list[str]:
    s = site.pk
    return [
        f"/sites/{s}/",
        f"/sites/{s}/edit/",
        f"/sites/{s}/move/",
        f"/sites/{s}/roles/",
        f"/sites/{s}/standards/",
        f"/sites/{s}/delete/",
        f"/sites/new/?parent={s}",
        f"/points/sites/{s}/goods/",
        f"/points/sites/{s}/goods/new/",
        f"/points/sites/{s}/pickup/",
        f"/points/sites/{s}/reconciliation/",
        f"/points/sites/{s}/rules/",
        f"/points/sites/{s}/opening/",
        f"/points/sites/{s}/seal/",
        f"/points/rankings/?site={s}&tab=sites",
    ]


def volunteer_pages(volunteer, things, *, team) -> list[str]:
    v = volunteer.pk
    return [
        f"/volunteers/{v}/",
        f"/volunteers/{v}/edit/",
        f"/volunteers/{v}/status/suspended/",
        f"/volunteers/{v}/password/",
        "/volunteers/new/",
        "/volunteers/teams/new/",
        f"/volunteers/teams/{team.pk}/",
        f"/volunteers/teams/{team.pk}/edit/",
        f"/volunteers/teams/{team.pk}/leader/",
        f"/points/volunteers/{v}/",
        f"/points/volunteers/{v}/adjust/",
        f"/points/volunteers/{v}/certificates/",
        f"/points/entries/{things['entry'].pk}/reverse/",
        "/volunteers/?q=钱",
    ]


def test_every_page_of_every_persona_fits_a_phone(live_server, phone_world, browser):
    world, volunteer, things = phone_world
    shop = things["goods"]
    goods_pages = [f"/points/goods/{shop.pk}/", f"/points/goods/{shop.pk}/edit/", f"/points/goods/{shop.pk}/stock/"]
    personas = {
        "county_manager": ("county_manager", "pw-county_manager", site_pages(world.county) + site_pages(world.township)
                           + volunteer_pages(volunteer, things, team=things["detachment"])
                           + goods_pages),
        "township_head": ("township_head", "pw-township_head", site_pages(world.township)
                          + volunteer_pages(volunteer, things, team=things["detachment"])),
        "village_head": ("village_head", "pw-village_head", site_pages(world.village)
                         + volunteer_pages(volunteer, things, team=things["squad"])),
        "volunteer": (volunteer.phone, PASSWORD, [
            "/volunteers/me/withdraw/", "/points/shop/redemptions/", f"/points/shop/goods/{shop.pk}/redeem/",
            f"/volunteers/teams/{things['squad'].pk}/", "/points/certificates/",
        ]),
        "no_role": ("volunteer", "pw-volunteer", ["/volunteers/me/", "/points/"]),
    }  # fmt: skip
    started = time.monotonic()
    problems: list[str] = []
    counts: dict[str, int] = {}
    tallest = 0.0

    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True)
    walk = Walk(context.new_page(), live_server.url, "visitor")
    try:
        for path in ("/accounts/login/", "/volunteers/register/", "/volunteers/claim/", "/verify/"):
            walk.visit(path)
        counts["visitor"] = len(walk.seen)
        problems += walk.problems
    finally:
        context.close()

    for who, (username, password, pages) in personas.items():
        context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True)
        walk = Walk(context.new_page(), live_server.url, who)
        try:
            walk.log_in(username, password)
            walk.seen.add("/")
            for path in walk.links() + pages:
                if path not in walk.seen:
                    walk.visit(path)
            # The menu opens from its button and lists the same links.
            walk.visit("/")
            walk.current = "/ (menu)"
            if not walk.page.is_visible("[data-menu]"):
                walk._problem("no menu button")
            else:
                walk.page.click("[data-menu]")
                if not walk.page.is_visible("#site-menu nav a"):
                    walk._problem("the menu button does not open the menu")
            if who == "volunteer":  # large text still fits
                walk.page.click("[data-large-font]")
                for path in ("/", "/points/", "/volunteers/me/"):
                    walk.visit(path)
                    walk.current = f"{path} (large text)"
                    if not walk.page.evaluate("document.documentElement.classList.contains('large-font')"):
                        walk._problem("large text is off")
            counts[who] = len(walk.seen)
            problems += walk.problems
            tallest = max(tallest, walk.tallest)
        finally:
            context.close()

    elapsed = time.monotonic() - started
    total = sum(counts.values())
    print(f"\nphone walk: {total} pages ({counts}) in {elapsed:.1f} s; the tallest header {tallest:.0f} px")
    assert not problems, f"{len(problems)} problems on {total} pages:\n" + "\n".join(problems)
    assert counts["county_manager"] >= 40 and counts["volunteer"] >= 10, counts


def test_without_script_the_menu_is_a_plain_list_after_the_page(live_server, world, browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "township_head")
        page.fill("input[name=password]", "pw-township_head")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("load")
        assert not page.is_visible("[data-menu]")  # no button that would do nothing
        menu, main = page.locator("#site-menu nav").bounding_box(), page.locator("main").bounding_box()
        assert menu and main and menu["y"] >= main["y"] + main["height"]  # after the content
        assert page.is_visible("#site-menu a[href='/volunteers/queue/']")
        assert main["y"] <= HEADER_LIMIT
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    finally:
        context.close()
