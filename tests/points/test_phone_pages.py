"""Every points page, as every kind of person, in Chinese: it answers (never a server error),
its tables fold into stacked cards on a phone (``class="cards"``, a ``data-label`` on every
cell), states are badges, an empty list says so with a next step, and no English is left."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from points import services
from points.models import Entry
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# Words that are not English to a Chinese reader: file formats on buttons and in help.
ALLOWED_WORDS = {"PDF", "CSV", "xlsx", "PNG"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SHOWN_ATTRIBUTES = ("placeholder", "aria-label", "title", "alt", "data-label", "data-confirm")


class Page(HTMLParser):
    """What a reader sees inside ``<main>``, and the tables and cells there."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <main> while > 0
        self.skip = 0  # inside <script> or <style>, or a code (verification codes are data)
        self.stack: list[bool] = []
        self.text: list[str] = []
        self.tables: list[str] = []
        self.cells_without_label = 0
        self.empty_rows = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.depth += 1
        if not self.depth:
            return
        skipped = tag in ("script", "style") or "code" in (attrs.get("class") or "").split()
        if tag not in VOID:
            self.stack.append(skipped)
            self.skip += skipped
        if tag == "table":
            self.tables.append(attrs.get("class") or "")
        if tag == "td":
            self.cells_without_label += "data-label" not in attrs
            self.empty_rows += "empty" in (attrs.get("class") or "").split()
        if tag == "li" and "empty" in (attrs.get("class") or "").split():
            self.empty_rows += 1
        for name in SHOWN_ATTRIBUTES:
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.text.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if self.depth and tag not in VOID and self.stack:
            self.skip -= self.stack.pop()

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.text.append(data)


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.fixture
def busy(world, settings, tmp_path):
    """A village volunteer with points, a redemption waiting and a certificate; a shop with
    goods (one out of stock); a rule with named deductions."""
    settings.MEDIA_ROOT = tmp_path
    vol = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, vol, "w:1", 3)
    factories.credit(world.admin, vol, "w:2", 2)
    services.points_reverse(actor=world.admin, entry=Entry.objects.get(source_key="w:2"), reason="重复")
    goods = factories.stocked_goods(world.admin, world.township, "毛巾", price=5, stock=3, photo=factories.png())
    factories.stocked_goods(world.admin, world.township, "雨伞", price=5, stock=0)
    services.redeem(actor=vol.user, goods=goods)
    services.rule_save(
        actor=world.admin,
        site=world.county,
        valid_from=TODAY.replace(day=1),
        points_per_hour=10,
        rating_bonus={"5": 5},
        deductions={"无故缺席": 5},
    )
    services.certificate_issue(actor=world.admin, volunteer=vol, period_start=TODAY, period_end=TODAY)
    return vol, goods


def pages(world, vol, goods) -> list[str]:
    entry = Entry.objects.filter(account__volunteer=vol, source_key="w:1").get()
    site = world.township.pk
    return [
        reverse("points:mine"),
        reverse("points:rankings"),
        reverse("points:rankings") + f"?site={world.county.pk}&tab=sites&period=all",
        reverse("points:rankings") + f"?site={world.county.pk}&tab=teams&period=all",
        reverse("points:shop"),
        reverse("points:redeem", args=[goods.pk]),
        reverse("points:my-redemptions"),
        reverse("points:certificates"),
        reverse("points:manage"),
        reverse("points:goods-list", args=[site]),
        reverse("points:goods-new", args=[site]),
        reverse("points:goods-detail", args=[goods.pk]),
        reverse("points:goods-edit", args=[goods.pk]),
        reverse("points:goods-stock", args=[goods.pk]),
        reverse("points:pickup", args=[site]),
        reverse("points:reconciliation", args=[site]),
        reverse("points:rules", args=[site]),
        reverse("points:opening", args=[site]),
        reverse("points:seal", args=[site]),
        reverse("points:ledger", args=[vol.pk]),
        reverse("points:adjust", args=[vol.pk]),
        reverse("points:volunteer-certificates", args=[vol.pk]),
        reverse("points:reverse", args=[entry.pk]),
        reverse("verify:form"),
    ]


def english(page: Page, names: set[str]) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'’-]{2,}", " ".join(page.text))
    return sorted({w for w in words if w not in ALLOWED_WORDS and w not in names})


def test_every_points_page_is_stacked_cards_and_chinese_for_everyone(client, world, busy, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    vol, goods = busy
    people = {
        "volunteer": vol.user,
        "no volunteer record": world.volunteer,
        "township head": world.township_head,
        "county viewer": world.county_viewer,
        "outsider": world.outsider,
    }
    logins = {user.username for user in world.personas.values()}
    problems = []
    shown = 0
    for who, user in people.items():
        client.force_login(user)
        for address in pages(world, vol, goods):
            response = client.get(address)
            if response.status_code in (403, 404):
                continue
            if response.status_code != 200:
                problems.append((who, address, response.status_code))
                continue
            shown += 1
            page = read(response.content.decode())
            if any("cards" not in classes.split() for classes in page.tables):
                problems.append((who, address, "a table without cards"))
            if page.cells_without_label:
                problems.append((who, address, f"{page.cells_without_label} cells without data-label"))
            if page.empty_rows:
                problems.append((who, address, "an empty state inside a table or list"))
            if words := english(page, logins):
                problems.append((who, address, words))
    assert problems == [], "\n".join(map(str, problems))
    assert shown > 50


def test_an_empty_list_says_what_to_do_next(as_user, world):
    """A shop with no goods offers its keeper the first step; a volunteer with no redemptions
    is sent to the shop."""
    keeper = as_user(world.township_head).get(reverse("points:goods-list", args=[world.township.pk]))
    html = keeper.content.decode()
    assert re.search(r'<p class="empty">[^<]*<a href="' + reverse("points:goods-new", args=[world.township.pk]), html)
    vol = factories.volunteer_with_login(world.admin, world.village)
    mine = as_user(vol.user).get(reverse("points:my-redemptions")).content.decode()
    assert re.search(r'<p class="empty">[^<]*<a href="' + reverse("points:shop"), mine)


def test_states_are_badges(as_user, world, busy):
    vol, goods = busy
    html = as_user(vol.user).get(reverse("points:my-redemptions")).content.decode()
    assert '<span class="badge badge-waiting">' in html
    keeper = as_user(world.township_head).get(reverse("points:goods-list", args=[world.township.pk]))
    assert '<span class="badge badge-ok">' in keeper.content.decode()


def test_viewers_are_offered_no_page_they_would_be_refused(as_user, world):
    """The shop's tabs show the keeper's pages (pickup, past hours) to managers only."""
    viewer = as_user(world.county_viewer).get(reverse("points:goods-list", args=[world.township.pk]))
    html = viewer.content.decode()
    assert reverse("points:pickup", args=[world.township.pk]) not in html
    assert reverse("points:opening", args=[world.township.pk]) not in html
    assert as_user(world.county_viewer).get(reverse("points:pickup", args=[world.township.pk])).status_code == 403
    head = as_user(world.township_head).get(reverse("points:goods-list", args=[world.township.pk]))
    assert reverse("points:pickup", args=[world.township.pk]) in head.content.decode()
