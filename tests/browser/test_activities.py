"""Activities in Chinese on a phone (390×844), in a real Chromium against the live server.

The month's work end to end: a village head (站长) plans an activity, submits it, the township
head approves it, the village head publishes it and shows the sign-in code; a volunteer opens
the code's link, logs in on the way, shares the phone's position and signs in; the head
finishes with a photo and confirms the attendance; the volunteer's lifetime points and hours
rise on their points page. And every activity page, at 390 px, neither scrolls sideways nor
logs a console error or a policy violation."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from activities import services
from activities.models import Activity, ActivityArchive, ArchiveStatus, Attendance, State
from points import selectors as points_selectors
from tests import factories

from .test_content_security import Watch, log_in
from .test_my_points import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"locale": "zh-CN", "viewport": {"width": 390, "height": 844}, "is_mobile": True}
PLACE = {"latitude": 32.987, "longitude": 107.765}
PASSWORD = "long-enough-pass-42"


def fits(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{where} scrolls sideways: {width} px"


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (180, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def photo_file(tmp_path) -> str:
    path = tmp_path / "合影.jpg"
    path.write_bytes(photo_bytes())
    return str(path)


@pytest.fixture
def county(world):
    """The county checks the place at sign-in; a volunteer with a login in the village."""
    services.activity_settings_save(actor=world.admin, site=world.county, valid_from=date(2000, 1, 1), geo_check=True)
    volunteer = factories.volunteer_with_login(world.admin, world.village)
    return world, volunteer


def test_an_activity_from_plan_to_points_on_phones(live_server, county, browser, tmp_path, settings):
    world, volunteer = county
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    head_context = browser.new_context(**PHONE)
    town_context = browser.new_context(**PHONE)
    volunteer_context = browser.new_context(**PHONE, permissions=["geolocation"], geolocation=PLACE)
    head, town, phone = head_context.new_page(), town_context.new_page(), volunteer_context.new_page()
    watches = [Watch(head), Watch(town), Watch(phone)]
    try:
        # The village head plans it: it began five minutes ago and lasts two hours.
        log_in(head, base, "village_head", "pw-village_head", "/activities/")
        expect(head.locator("h1")).to_contain_text("本月活动")
        head.click("a[href='/activities/new/']")
        start = (timezone.localtime() - timedelta(minutes=5)).replace(second=0, microsecond=0)
        head.fill("input[name=title]", "理论宣讲进村")
        head.select_option("select[name=kind]", "lecture")
        head.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
        head.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        head.fill("input[name=place]", "东坪村文化活动室")
        head.fill("input[name=latitude]", "32.987000")
        head.fill("input[name=longitude]", "107.765000")
        fits(head, "the draft form")
        head.click("form.form button[type=submit]")
        head.wait_for_url(re.compile(r".*/activities/\d+/$"))
        activity = in_thread(lambda: Activity.objects.get())
        detail = f"{base}/activities/{activity.pk}/"
        expect(head.locator(".page-head .badge")).to_have_text("草稿")
        fits(head, "the activity page")
        head.click(f"form[action='/activities/{activity.pk}/move/submit/'] button")
        expect(head.locator(".messages")).to_contain_text("已提交审核")
        expect(head.locator(".page-head .badge")).to_have_text("待审核")
        # ... the township head approves it ...
        log_in(town, base, "township_head", "pw-township_head", "/activities/")
        expect(town.locator(".act-actions")).to_contain_text("理论宣讲进村")
        town.goto(detail)
        town.click(f"form[action='/activities/{activity.pk}/move/approve/'] button")
        expect(town.locator(".page-head .badge")).to_have_text("已审核")
        # ... the village head publishes it and shows the sign-in code.
        head.goto(detail)
        head.click(f"form[action='/activities/{activity.pk}/move/publish/'] button")
        expect(head.locator(".page-head .badge")).to_have_text("报名中")
        head.click(f"a[href='/activities/{activity.pk}/code/']")
        expect(head.locator("[data-code-image]")).to_be_visible()
        fits(head, "the sign-in code")
        link = head.locator("[data-code-link]").text_content().strip()
        assert link.startswith(f"{base}/activities/s/?t=r.")

        # The volunteer's phone opens the code's link, logs in on the way, and signs in from the place.
        phone.goto(link)
        phone.wait_for_url(re.compile(r".*/accounts/login/\?next=/activities/s/$"))
        phone.fill("input[name=username]", volunteer.phone)
        phone.fill("input[name=password]", PASSWORD)
        phone.click("form.form button[type=submit]")
        phone.wait_for_url(f"{base}/activities/s/")
        expect(phone.locator("h1")).to_have_text("理论宣讲进村")
        expect(phone.locator("form[data-geolocation]")).to_have_attribute("data-geo", "found")
        fits(phone, "the scan page")
        phone.click("button[name=action][value=in]")
        expect(phone.locator(".messages .success")).to_contain_text("签到")
        expect(phone.locator("[data-scan-state=in]")).to_be_visible()
        attendance = in_thread(lambda: Attendance.objects.get())
        assert attendance.volunteer_id == volunteer.pk and attendance.flags == [] and attendance.distance == 0
        phone.goto(f"{base}/points/")
        expect(phone.locator("[data-key=lifetime]")).to_have_text("0")

        # The head finishes with a photo and confirms the attendance.
        head.goto(detail)
        head.click(f"a[href='/activities/{activity.pk}/finish/']")
        head.fill("textarea[name=summary]", "宣讲党的二十大精神，群众反响热烈。")
        head.fill("input[name=people_served]", "45")
        head.set_input_files("input[name=photos]", photo_file(tmp_path))
        fits(head, "the finish form")
        head.click("form.form button[type=submit]")
        expect(head.locator(".page-head .badge")).to_have_text("已结束")
        expect(head.locator(".gallery img")).to_have_count(1)
        head.click(f"a[href='/activities/{activity.pk}/attendance/confirm/']")
        head.click("form.form button[type=submit]")
        expect(head.locator(".messages .success")).to_contain_text("已确认 1")
        fits(head, "the attendance list")

        # The volunteer's lifetime points and hours rose.
        phone.goto(f"{base}/points/")
        expect(phone.locator("[data-key=hours]")).to_have_text("2.00")
        expect(phone.locator("[data-key=lifetime]")).to_have_text("20")
        for watch in watches:
            watch.check("the whole way")
    finally:
        for context in (head_context, town_context, volunteer_context):
            context.close()
    assert in_thread(points_selectors.reconcile) == []


def activity_in(world, state: str, *, starts_in=timedelta(days=2), hours=2, **fields) -> Activity:
    """An activity at the village, created by the admin and moved to ``state``."""
    starts = (timezone.now() + starts_in).replace(microsecond=0)
    activity = services.activity_create(
        actor=world.admin, site=world.village, title=fields.pop("title", "理论宣讲进村"), starts_at=starts,
        ends_at=starts + timedelta(hours=hours), **fields,
    )  # fmt: skip
    moves = {State.DRAFT: [], State.PUBLISHED: ["submit", "approve", "publish"]}[state]
    for move in moves:
        activity = services.activity_move(actor=world.admin, activity=activity, move=move)
    return activity


@pytest.fixture
def soon(world):
    return activity_in(world, State.PUBLISHED, starts_in=timedelta(minutes=10))


def test_the_sign_in_code_changes_by_itself(live_server, world, soon, browser):
    activity = soon
    context = browser.new_context(**PHONE)
    page = context.new_page()
    watch = Watch(page)
    try:
        log_in(page, live_server.url, "village_head", "pw-village_head", f"/activities/{activity.pk}/code/")
        first = page.locator("[data-code-image]").get_attribute("src")
        # the page's script asks for the next code when the window turns (at most 30 s)
        expect(page.locator("[data-code]")).to_have_attribute("data-window", re.compile(r"^\d+$"), timeout=35_000)
        expect(page.locator("[data-code-image]")).not_to_have_attribute("src", first)
        watch.check("the code page after it changed")
    finally:
        context.close()


@pytest.fixture
def busy(world, settings, tmp_path):
    """One activity in each state a page shows, with sign-ups, attendance and a photo."""
    settings.MEDIA_ROOT = tmp_path / "media"
    volunteer = factories.volunteer_with_login(world.admin, world.village)
    draft = activity_in(world, State.DRAFT, title="还在草稿里的一个名字很长很长很长的活动，看看手机上会不会撑破页面")
    published = activity_in(world, State.PUBLISHED, title="开放报名的活动", capacity=10)
    signup = services.signup_create(actor=volunteer.user, activity=published, volunteer=volunteer)
    running = activity_in(world, State.PUBLISHED, starts_in=timedelta(hours=-1), title="进行中的活动")
    attendance = services.attendance_mark(
        actor=world.admin, activity=running, volunteer=volunteer, signed_in_at=running.starts_at
    )
    photo = services.photo_add(actor=world.admin, activity=running, image=io.BytesIO(photo_bytes()))
    template = services.template_save(actor=world.admin, site=world.village, title="每月理论宣讲")
    project = services.brand_project_create(actor=world.admin, site=world.village, name="银龄讲堂")
    archive = ActivityArchive.objects.create(site=world.village, year=2025, status=ArchiveStatus.RUNNING, total=4)
    return {
        "volunteer": volunteer, "draft": draft, "published": published, "running": running, "template": template,
        "photo": photo, "attendance": attendance, "signup": signup, "project": project, "archive": archive,
    }  # fmt: skip


def test_every_activity_page_fits_a_phone_and_runs_clean(live_server, world, busy, browser):
    base = live_server.url
    draft, published, running = busy["draft"], busy["published"], busy["running"]
    photo, attendance = busy["photo"], busy["attendance"]
    staff_pages = [
        "/activities/",
        "/activities/list/",
        "/activities/calendar/",
        "/activities/new/",
        f"/activities/{draft.pk}/",
        f"/activities/{draft.pk}/edit/",
        f"/activities/{published.pk}/",
        f"/activities/{published.pk}/move/cancel/",
        f"/activities/{published.pk}/signups/",
        f"/activities/{published.pk}/code/",
        f"/activities/{published.pk}/code/print/",
        f"/activities/{published.pk}/poster/",
        f"/activities/{running.pk}/",
        f"/activities/{running.pk}/finish/",
        f"/activities/{running.pk}/photos/add/",
        f"/activities/photos/{photo.pk}/edit/",
        f"/activities/{running.pk}/attendance/",
        f"/activities/{running.pk}/attendance/mark/?q=钱",
        f"/activities/attendance/{attendance.pk}/",
        f"/activities/attendance/{attendance.pk}/edit/",
        f"/activities/{running.pk}/attendance/confirm/",
        f"/activities/{running.pk}/attendance/unconfirm/",
        f"/activities/{draft.pk}/move/submit/",
        f"/activities/photos/{photo.pk}/remove/",
        f"/activities/plan/{world.village.pk}/",
        f"/activities/plan/{world.village.pk}/hand-in/",
        f"/activities/plan/{world.village.pk}/templates/new/",
        f"/activities/templates/{busy['template'].pk}/edit/",
        f"/activities/templates/{busy['template'].pk}/fill/",
        f"/activities/projects/site/{world.village.pk}/",
        f"/activities/projects/site/{world.village.pk}/new/",
        f"/activities/projects/{busy['project'].pk}/",
        "/activities/archives/",
        f"/activities/archives/{busy['archive'].pk}/",
    ]
    volunteer_pages = [
        "/activities/open/",
        "/activities/mine/",
        "/activities/history/",
        f"/activities/{published.pk}/signup/",
        f"/activities/signups/{busy['signup'].pk}/",
        f"/activities/signups/{busy['signup'].pk}/cancel/",
        f"/activities/attendance/{attendance.pk}/",
        f"/activities/{published.pk}/",
    ]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    watch = Watch(page)
    try:
        log_in(page, base, "village_head", "pw-village_head", "/activities/")
        for path in staff_pages:
            watch.visit(base + path)
            fits(page, path)
        page.goto(f"{base}/activities/{published.pk}/poster/")
        assert page.evaluate("getComputedStyle(document.querySelector('.top')).display") != "none"
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('.top')).display") == "none"
        page.emulate_media(media="screen")
    finally:
        context.close()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    watch = Watch(page)
    try:
        log_in(page, base, busy["volunteer"].phone, PASSWORD, "/activities/open/")
        for path in volunteer_pages:
            watch.visit(base + path)
            fits(page, path)
        expect(page.locator("#signup .badge")).to_have_text("已报名")
    finally:
        context.close()


def test_the_poster_png_is_an_image(live_server, world, soon, browser):
    activity = soon
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        log_in(page, live_server.url, "village_head", "pw-village_head", f"/activities/{activity.pk}/poster/")
        response = page.request.get(f"{live_server.url}/activities/{activity.pk}/poster.png")
        assert response.status == 200 and response.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(response.body())) as image:
            assert image.size == (1080, 1440)
    finally:
        context.close()
