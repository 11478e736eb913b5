"""Planning pages: the annual plan (planned against held by month, for a site and its subtree),
recurring activities filling the year, handing the plan in; brand projects per township and
one project through its stages; yearly archives (started, followed with htmx, downloaded by
the real worker's files); the poster as an A4 page and a PNG."""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities import services
from activities.models import (
    Activity,
    ActivityArchive,
    ArchiveStatus,
    BrandProject,
    Photo,
    RecurringTemplate,
    Stage,
    State,
)

from .conftest import image_bytes, upload

pytestmark = pytest.mark.django_db
ZONE = timezone.get_current_timezone()


def url(name, *args):
    return reverse(f"activities:{name}", args=args)


def test_the_plan_shows_planned_against_held_for_the_site_and_below(world, make_activity, held, person, as_user):
    year = timezone.localdate().year
    plan = services.plan_open(actor=world.admin, site=world.village, year=year)
    make_activity(world.village, plan=plan, starts_in=timedelta(days=2))
    held([person()], site=world.village)
    client = as_user(world.township_head)
    page = client.get(url("plan", world.township.pk))
    assert page.status_code == 200
    totals = page.context["totals"]
    assert (totals["planned"], totals["held"], totals["planned_below"], totals["held_below"]) == (0, 0, 1, 1)
    village = client.get(url("plan", world.village.pk), {"year": year}).context["totals"]
    assert (village["planned"], village["held"]) == (1, 1)
    assert client.get(url("plan", world.village.pk), {"year": "二〇二六"}).status_code == 200
    assert client.get(url("plan-home"))["Location"] == url("plan", world.township.pk)
    assert client.get(url("plan-home"), {"site": world.village.pk, "year": 2027})["Location"] == (
        url("plan", world.village.pk) + "?year=2027"
    )


def test_the_plan_page_takes_a_fixed_number_of_queries(world, make_activity, as_user, django_assert_num_queries):
    template = services.template_save(actor=world.admin, site=world.township, title="每月理论宣讲")
    services.recurring_fill(actor=world.admin, template=template, year=timezone.localdate().year + 1)
    client = as_user(world.township_head)
    client.get(url("plan", world.township.pk))
    # session, user, the site, planned and held by month, the plan, the templates, the manager
    # role, the sites of the chooser (count, rows)
    with django_assert_num_queries(9):
        client.get(url("plan", world.township.pk))


def test_a_recurring_activity_fills_the_year_with_drafts(world, as_user):
    client = as_user(world.township_head)
    data = {"title": "每月理论宣讲", "kind": "theme", "day_of_month": "15", "start_time": "09:00",
            "duration_minutes": "120", "is_active": "on"}  # fmt: skip
    assert client.post(url("template-new", world.township.pk), data).status_code == 302
    template = RecurringTemplate.objects.get()
    year = timezone.localdate().year + 1
    response = client.post(url("template-fill", template.pk), {"year": year}, follow=True)
    assert "Added 12 drafts" in response.content.decode()
    assert Activity.objects.filter(template=template, state=State.DRAFT).count() == 12
    again = client.post(url("template-fill", template.pk), {"year": year}, follow=True)
    assert "already has its draft" in again.content.decode()
    assert client.post(url("template-edit", template.pk), {**data, "title": "改名"}).status_code == 302
    template.refresh_from_db()
    assert template.title == "改名"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"day_of_month": "31"}, "day_of_month"),
        ({"day_of_month": "十五"}, "day_of_month"),
        ({"duration_minutes": "5"}, "duration_minutes"),
        ({"start_time": "25:00"}, "start_time"),
        ({"title": ""}, "title"),
        ({"kind": "order"}, "kind"),
    ],
)
def test_a_bad_recurring_activity_is_a_message_and_writes_nothing(world, as_user, change, field):
    data = {"title": "每月理论宣讲", "kind": "theme", "day_of_month": "15", "start_time": "09:00",
            "duration_minutes": "120", **change}  # fmt: skip
    response = as_user(world.township_head).post(url("template-new", world.township.pk), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not RecurringTemplate.objects.exists()


def test_filling_a_bad_year_and_handing_in_an_empty_plan_are_refused(world, as_user):
    template = services.template_save(actor=world.admin, site=world.township, title="每月理论宣讲")
    client = as_user(world.township_head)
    assert "year" in client.post(url("template-fill", template.pk), {"year": "1999"}).context["form"].errors
    assert not Activity.objects.exists()
    year = timezone.localdate().year
    empty = client.post(url("plan-submit", world.township.pk) + f"?year={year}", {"note": ""})
    assert "at least one activity" in str(empty.context["form"].non_field_errors())
    services.recurring_fill(actor=world.admin, template=template, year=year + 1)
    handed = client.post(url("plan-submit", world.township.pk) + f"?year={year + 1}", {"note": "按计划"})
    assert handed.status_code == 302
    page = client.get(url("plan", world.township.pk), {"year": year + 1})
    assert page.context["plan"].submitted_at is not None and page.context["late"] is False


def test_a_viewer_reads_the_plan_but_is_refused_its_writes(world, as_user):
    client = as_user(world.county_viewer)
    assert client.get(url("plan", world.township.pk)).status_code == 200
    assert client.get(url("template-new", world.township.pk)).status_code == 403
    assert client.post(url("plan-submit", world.township.pk)).status_code == 403
    assert as_user(world.outsider).get(url("plan", world.township.pk)).status_code == 404


# Brand projects ----------------------------------------------------------------------------


def test_brand_projects_per_township_and_one_through_its_stages(world, make_activity, as_user):
    client = as_user(world.township_head)
    response = client.post(url("project-new", world.township.pk), {"name": "银龄讲堂", "description": "老党员宣讲"})
    project = BrandProject.objects.get()
    assert response["Location"] == url("project", project.pk)
    duplicate = client.post(url("project-new", world.township.pk), {"name": "银龄讲堂"})
    assert "already has a project" in str(duplicate.context["form"].errors["name"])
    assert BrandProject.objects.count() == 1
    make_activity(world.village, brand_project=project, title="银龄讲堂第一讲")
    page = client.get(url("project", project.pk))
    assert [a.title for a in page.context["page"].object_list] == ["银龄讲堂第一讲"]
    assert page.context["next_stage"] == Stage.RECRUIT
    assert client.post(url("project-advance", project.pk), {"stage": Stage.RECRUIT}).status_code == 302
    wrong = client.post(url("project-advance", project.pk), {"stage": Stage.OPTIMISE}, follow=True)
    assert "goes on to" in wrong.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.RECRUIT
    county = as_user(world.county_manager).get(url("projects", world.county.pk))
    assert [(t.pk, n) for t, n in county.context["by_township"]] == [(world.township.pk, 1), (world.township2.pk, 0)]


def test_the_projects_page_takes_a_fixed_number_of_queries(world, as_user, django_assert_num_queries):
    for name in ("银龄讲堂", "小板凳宣讲团", "邻里守望"):
        services.brand_project_create(actor=world.admin, site=world.township, name=name)
    client = as_user(world.county_manager)
    client.get(url("projects", world.county.pk))
    # session, user, the site, per township, count, the projects, the add role, the chooser's
    # sites (count, rows)
    with django_assert_num_queries(9):
        client.get(url("projects", world.county.pk))


# Archives ----------------------------------------------------------------------------------


def test_a_year_that_is_not_past_or_current_is_refused_and_nothing_starts(world, as_user):
    client = as_user(world.township_head)
    response = client.post(url("archives"), {"site": world.township.pk, "year": timezone.localdate().year + 1})
    assert "past or the current year" in str(response.context["form"].errors)
    assert client.post(url("archives"), {"site": world.elsewhere.pk, "year": 2025}).context["form"].errors["site"]
    assert not ActivityArchive.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_archive_is_started_followed_and_downloaded(world, person, as_user, celery_worker):
    from django.core.files.storage import default_storage

    made: list[str] = []
    try:
        start = datetime(timezone.localdate().year - 1, 3, 12, 9, tzinfo=ZONE)
        activity = services.activity_create(
            actor=world.admin,
            site=world.village,
            title="三月主题活动",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        for move in ("submit", "approve", "publish"):
            services.activity_move(actor=world.admin, activity=activity, move=move)
        photo = services.photo_add(actor=world.admin, activity=activity, image=upload(image_bytes()))
        made.append(photo.image.name)
        services.activity_finish(actor=world.admin, activity=activity, summary="顺利", people_served=30)
        client = as_user(world.township_head)
        response = client.post(url("archives"), {"site": world.township.pk, "year": start.year})
        archive = ActivityArchive.objects.get()
        assert response["Location"] == url("archive", archive.pk)
        deadline = time.monotonic() + 60
        while True:
            fragment = client.get(url("archive", archive.pk), headers={"HX-Request": "true"})
            html = fragment.content.decode()
            assert "<html" not in html  # the fragment alone
            if "every 2s" not in html:
                break
            assert time.monotonic() < deadline, "the archive did not finish in time"
            time.sleep(0.2)
        archive.refresh_from_db()
        made += [archive.ledger.name, archive.photos.name, thumbnail_of(photo)]
        assert archive.status == ArchiveStatus.DONE
        ledger = client.get(url("archive-ledger", archive.pk))
        assert ledger.status_code == 200 and b"".join(ledger.streaming_content)[:2] == b"PK"
        assert client.get(url("archive-photos", archive.pk))["Content-Type"] == "application/zip"
        assert as_user(world.outsider).get(url("archive-ledger", archive.pk)).status_code == 404
    finally:
        for name in made:
            if name:
                default_storage.delete(name)


def thumbnail_of(photo) -> str:
    """The thumbnail the worker made of ``photo`` (to clean up), if it made one yet."""
    return Photo.objects.get(pk=photo.pk).thumbnail.name


# The poster ---------------------------------------------------------------------------------


def test_the_poster_is_a_printable_page_and_a_png_with_the_sign_up_qr(world, make_activity, person, as_user):
    activity = make_activity(world.village, state=State.PUBLISHED, title="理论宣讲进村", place="村委会广场")
    v = person()
    for user in (world.village_head, v.user):
        page = as_user(user).get(url("poster", activity.pk))
        assert page.status_code == 200
        assert page.context["link"] == f"http://testserver{url('detail', activity.pk)}"
        assert page.context["qr"].startswith("data:image/svg+xml;base64,")
    picture = as_user(v.user).get(url("poster-png", activity.pk))
    assert picture["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(picture.content)) as image:
        assert image.size == (1080, 1440)
    draft = make_activity(world.village2, title="别村草稿")
    assert as_user(v.user).get(url("poster", draft.pk)).status_code == 404


def test_the_archives_and_a_projects_page_take_a_fixed_number_of_queries(world, make_activity, as_user,
                                                                        django_assert_num_queries):  # fmt: skip
    for year in (2023, 2024, 2025):
        ActivityArchive.objects.create(site=world.township, year=year, status=ArchiveStatus.DONE)
    project = services.brand_project_create(actor=world.admin, site=world.township, name="银龄讲堂")
    for i in range(3):
        make_activity(world.village, brand_project=project, title=f"第{i}讲")
    client = as_user(world.township_head)
    client.get(url("archives"))
    # session, user, the sites of the form (how many; whether any; its choices, read twice by
    # the select), the archives (count, page)
    with django_assert_num_queries(8):
        response = client.get(url("archives"))
    assert len(response.context["page"].object_list) == 3
    # session, user, the project, the user's volunteer family, its activities (count, page), the change role
    with django_assert_num_queries(7):
        client.get(url("project", project.pk))
