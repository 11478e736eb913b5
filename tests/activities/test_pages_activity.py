"""One activity's pages: the draft's form (new and edit) and its bad input, the moves the table
allows each user (and the refusals), finishing with photos, the photo pages, and the page
itself with its pinned query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, ActivityEvent, Photo, State

from .conftest import image_bytes, upload

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def url(name, *args):
    return reverse(f"activities:{name}", args=args)


def form_data(site=None, **extra):
    start = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    data = {
        "title": "理论宣讲进村",
        "kind": "lecture",
        "starts_at": start.strftime(FMT),
        "ends_at": (start + timedelta(hours=2)).strftime(FMT),
        "place": "村委会广场",
        "capacity": "20",
    }
    if site is not None:
        data["site"] = site.pk
    data.update(extra)
    return data


def test_a_village_head_plans_a_draft_at_their_own_site(world, as_user):
    client = as_user(world.village_head)
    form = client.get(url("create"))
    assert form.status_code == 200
    assert [s.pk for s in form.context["form"].fields["site"].queryset] == [world.village.pk]
    response = client.post(url("create"), form_data(world.village, in_plan="on"))
    activity = Activity.objects.get()
    assert response["Location"] == url("detail", activity.pk)
    assert (activity.state, activity.site_id, activity.capacity, activity.organizer_id) == (
        State.DRAFT, world.village.pk, 20, world.village_head.pk
    )  # fmt: skip
    assert activity.plan is not None and activity.plan.site_id == world.village.pk


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"ends_at": "2020-01-01T08:00"}, "ends_at"),
        ({"starts_at": "明天"}, "starts_at"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "①"}, "capacity"),
        ({"latitude": "34.5"}, "latitude"),
        ({"latitude": "91", "longitude": "100"}, "latitude"),
        ({"hours_cap": "30"}, "hours_cap"),
        ({"kind": "order"}, "kind"),
        ({"site": "99999999"}, "site"),
        ({"platform": "abc"}, "platform"),
    ],
)
def test_bad_input_on_the_draft_form_is_a_message_and_writes_nothing(world, as_user, change, field):
    response = as_user(world.township_head).post(url("create"), {**form_data(world.village), **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Activity.objects.exists()


def test_a_user_who_plans_nowhere_is_refused_the_form(world, as_user):
    assert as_user(world.county_viewer).get(url("create")).status_code == 403
    assert as_user(world.volunteer).post(url("create"), form_data(world.village)).status_code == 403
    assert not Activity.objects.exists()


def test_a_draft_is_edited_and_a_submitted_one_is_refused_with_its_message(world, make_activity, as_user):
    draft = make_activity(world.village)
    client = as_user(world.village_head)
    assert client.get(url("edit", draft.pk)).status_code == 200
    response = client.post(url("edit", draft.pk), form_data(title="改过的标题"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "改过的标题"
    services.activity_submit(actor=world.admin, activity=draft)
    refused = client.post(url("edit", draft.pk), form_data(title="再改"))
    assert refused.status_code == 200
    assert "Only a draft can be changed" in str(refused.context["form"].non_field_errors())
    draft.refresh_from_db()
    assert draft.title == "改过的标题"


def test_submit_approve_publish_through_the_pages(world, make_activity, as_user, client):
    activity = make_activity(world.village)
    village = as_user(world.village_head)
    page = village.get(url("detail", activity.pk))
    assert [m.name for m in page.context["moves"]] == ["submit", "cancel"]
    assert village.post(url("move", activity.pk, "submit"))["Location"] == url("detail", activity.pk)
    page = village.get(url("detail", activity.pk))
    # the village head cannot approve their own activity: the page says who does
    assert [m.name for m in page.context["moves"]] == ["cancel"]
    assert "甲镇" in page.content.decode() and page.context["approver"].pk == world.township.pk
    assert village.post(url("move", activity.pk, "approve")).status_code == 403
    client.logout()
    township = as_user(world.township_head)
    assert township.post(url("move", activity.pk, "approve")).status_code == 302
    client.logout()
    assert as_user(world.village_head).post(url("move", activity.pk, "publish")).status_code == 302
    activity.refresh_from_db()
    assert activity.state == State.PUBLISHED
    assert list(ActivityEvent.objects.filter(activity=activity).values_list("move", flat=True)) == [
        "create", "submit", "approve", "publish"
    ]  # fmt: skip


def test_a_move_the_table_refuses_comes_back_with_its_message(world, make_activity, as_user):
    activity = make_activity(world.village)
    client = as_user(world.village_head)
    response = client.post(url("move", activity.pk, "publish"))
    assert response.status_code == 200
    assert "cannot be moved" in str(response.context["form"].non_field_errors())
    assert client.get(url("move", activity.pk, "publish")).context["option"] is None
    assert client.post(url("move", activity.pk, "nonsense")).status_code == 404
    assert client.post(url("move", activity.pk, "finish")).status_code == 404  # finishing has its own page
    activity.refresh_from_db()
    assert activity.state == State.DRAFT


def test_cancelling_asks_for_a_reason_and_then_cancels(world, make_activity, as_user):
    activity = make_activity(world.village, state=State.PUBLISHED)
    client = as_user(world.village_head)
    ask = client.get(url("move", activity.pk, "cancel"))
    assert ask.status_code == 200 and "data-confirm" in ask.content.decode()
    refused = client.post(url("move", activity.pk, "cancel"), {"reason": "  "})
    assert "reason" in refused.context["form"].errors
    activity.refresh_from_db()
    assert activity.state == State.PUBLISHED
    assert client.post(url("move", activity.pk, "cancel"), {"reason": "暴雨"}).status_code == 302
    activity.refresh_from_db()
    assert (activity.state, activity.cancel_reason) == (State.CANCELLED, "暴雨")


def test_a_viewer_sees_the_page_without_moves_and_is_refused_them(world, make_activity, as_user):
    activity = make_activity(world.village)
    client = as_user(world.county_viewer)
    page = client.get(url("detail", activity.pk))
    assert page.status_code == 200 and page.context["moves"] == []
    assert client.post(url("move", activity.pk, "submit")).status_code == 403
    assert client.get(url("edit", activity.pk)).status_code == 403


# Finishing ---------------------------------------------------------------------------------


def test_finishing_takes_the_summary_people_served_and_photos_in_one_write(world, make_activity, as_user, media):
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=-2))
    client = as_user(world.village_head)
    assert client.get(url("finish", activity.pk)).status_code == 200
    photos = [upload(image_bytes(), "a.jpg"), upload(image_bytes("PNG"), "b.png", "image/png")]
    response = client.post(url("finish", activity.pk), {"summary": "宣讲顺利", "people_served": "35", "photos": photos})
    assert response["Location"] == url("detail", activity.pk)
    activity.refresh_from_db()
    assert (activity.state, activity.summary, activity.people_served) == (State.FINISHED, "宣讲顺利", 35)
    assert Photo.objects.filter(activity=activity).count() == 2


@pytest.mark.parametrize(
    "data, field",
    [
        ({"summary": "", "people_served": "3"}, "summary"),
        ({"summary": "好", "people_served": "-1"}, "people_served"),
        ({"summary": "好", "people_served": "三十"}, "people_served"),
        ({"summary": "好", "people_served": "3"}, "photos"),  # no photo at all
        ({"summary": "好", "people_served": "3", "photos": "not a photo"}, "photos"),
    ],
)
def test_finishing_with_bad_input_keeps_nothing(world, make_activity, as_user, media, data, field):
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=-2))
    if data.get("photos") == "not a photo":
        data = {**data, "photos": [upload(image_bytes(), "good.jpg"), upload(b"%PDF-1.4 nope", "bad.jpg")]}
    response = as_user(world.village_head).post(url("finish", activity.pk), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    activity.refresh_from_db()
    assert activity.state == State.PUBLISHED
    assert not Photo.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))  # the good photo's file went with its row


def test_a_photo_over_ten_megabytes_is_refused_by_the_service(world, make_activity, as_user, media):
    activity = make_activity(world.village, state=State.APPROVED)
    big = upload(b"\xff\xd8" + b"0" * (10 * 1024 * 1024), "big.jpg")
    response = as_user(world.village_head).post(url("photo-add", activity.pk), {"image": [big]})
    assert "10 MB" in str(response.context["form"].errors["image"])
    assert not Photo.objects.exists()


def test_finishing_before_the_start_says_so(world, make_activity, as_user):
    activity = make_activity(world.village, state=State.PUBLISHED)
    page = as_user(world.village_head).get(url("finish", activity.pk))
    assert "has not begun" in page.content.decode()


# Photos ------------------------------------------------------------------------------------


def test_photos_are_added_served_through_scope_captioned_and_removed(world, make_activity, as_user, client, media):
    activity = make_activity(world.village, state=State.APPROVED)
    head = as_user(world.village_head)
    response = head.post(url("photo-add", activity.pk), {"image": [upload(image_bytes())], "caption": "合影"})
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.caption == "合影"
    served = head.get(url("photo", photo.pk))
    assert served.status_code == 200 and served["Cache-Control"] == "private, max-age=3600"
    assert head.get(url("photo-thumbnail", photo.pk)).status_code == 200  # the photo until the thumbnail exists
    assert "/media/" not in head.get(url("detail", activity.pk)).content.decode()
    assert head.post(url("photo-edit", photo.pk), {"caption": "新说明"}).status_code == 302
    photo.refresh_from_db()
    assert photo.caption == "新说明"
    client.logout()
    assert as_user(world.outsider).get(url("photo", photo.pk)).status_code == 404
    client.logout()
    assert as_user(world.county_viewer).post(url("photo-remove", photo.pk)).status_code == 403
    client.logout()
    assert as_user(world.village_head).post(url("photo-remove", photo.pk)).status_code == 302
    assert not Photo.objects.exists()


def test_a_finished_activitys_photo_stays(world, held, person, as_user):
    activity = held([person()])
    photo = activity.photos.get()
    response = as_user(world.village_head).post(url("photo-remove", photo.pk))
    assert response.status_code == 200
    assert "they stay" in str(response.context["form"].non_field_errors())
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_photos_are_refused_on_a_draft_with_the_services_message(world, make_activity, as_user, media):
    activity = make_activity(world.village)
    response = as_user(world.village_head).post(url("photo-add", activity.pk), {"image": [upload(image_bytes())]})
    assert "approved" in str(response.context["form"].errors)
    assert not Photo.objects.exists()


# The page itself ---------------------------------------------------------------------------


def test_the_activity_page_takes_a_fixed_number_of_queries(world, held, person, as_user, django_assert_num_queries):
    activity = held([person(name="钱七"), person(name="孙八")])
    client = as_user(world.township_head)
    client.get(url("detail", activity.pk))
    # session, user, the user's volunteer family (for what they read as a volunteer), the
    # activity, the roles on its site (view; the moves' managed sites; manage), the organizer's
    # name, photos, attendance count, events, their actors' names, the family on the phone
    with django_assert_num_queries(13):
        response = client.get(url("detail", activity.pk))
    assert response.status_code == 200


def test_a_caption_over_200_characters_is_a_message(world, make_activity, as_user, media):
    activity = make_activity(world.village, state=State.APPROVED)
    photo = services.photo_add(actor=world.admin, activity=activity, image=upload(image_bytes()), caption="原说明")
    response = as_user(world.village_head).post(url("photo-edit", photo.pk), {"caption": "长" * 201})
    assert "caption" in response.context["form"].errors
    photo.refresh_from_db()
    assert photo.caption == "原说明"


def test_a_draft_names_its_team_platform_and_brand_project_from_the_choices(world, as_user):
    from centers.selectors import platforms_for
    from volunteers import services as volunteer_services

    team = volunteer_services.team_create(actor=world.admin, site=world.village, name="东坪小分队", kind="squad")
    project = services.brand_project_create(actor=world.admin, site=world.township, name="银龄讲堂")
    platform = platforms_for(world.village).first()
    client = as_user(world.township_head)
    data = form_data(world.village, team=team.pk, brand_project=project.pk, platform=platform.pk)
    assert client.post(url("create"), data).status_code == 302
    activity = Activity.objects.get()
    assert (activity.team_id, activity.brand_project_id, activity.platform_id) == (team.pk, project.pk, platform.pk)
    elsewhere = volunteer_services.team_create(actor=world.admin, site=world.elsewhere, name="别县队伍", kind="squad")
    refused = client.post(url("create"), {**data, "team": elsewhere.pk, "title": "另一个"})
    assert "team" in refused.context["form"].errors
    assert Activity.objects.count() == 1
