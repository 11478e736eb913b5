"""The people running an activity: its sign-ups and attendance lists (names masked outside the
reader's reach, pinned query counts), marking by hand and correcting, confirming the whole
list once and taking it back, and the xlsx export."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse

from activities import services
from activities.models import Attendance, State
from points.models import Account, Entry

pytestmark = pytest.mark.django_db
FMT = "%Y-%m-%dT%H:%M"


def url(name, *args):
    return reverse(f"activities:{name}", args=args)


def test_the_sign_ups_list_masks_names_outside_the_readers_reach(world, make_activity, person, as_user):
    activity = make_activity(world.village, state=State.PUBLISHED)
    near, far = person(name="钱七"), person(world.village2, name="孙八")
    services.signup_create(actor=world.admin, activity=activity, volunteer=near)
    services.signup_create(actor=world.admin, activity=activity, volunteer=far)  # staff may sign anyone up
    html = as_user(world.village_head).get(url("signups", activity.pk)).content.decode()
    assert "钱七" in html and "孙*" in html and "孙八" not in html
    assert "孙八" in as_user(world.county_manager).get(url("signups", activity.pk)).content.decode()


def test_a_volunteer_reads_the_activity_but_not_who_else_signed_up(world, make_activity, person, as_user):
    v = person()
    activity = make_activity(world.village, state=State.PUBLISHED)
    services.signup_create(actor=v.user, activity=activity, volunteer=v)
    client = as_user(v.user)
    assert client.get(url("detail", activity.pk)).status_code == 200
    for name in ("signups", "attendance", "attendance-export"):
        assert client.get(url(name, activity.pk)).status_code == 403


def test_the_lists_take_a_fixed_number_of_queries(world, make_activity, person, as_user, django_assert_num_queries):
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(minutes=30))
    for i in range(5):
        v = person(name=f"志愿者{i}")
        services.signup_create(actor=world.admin, activity=activity, volunteer=v)
        services.attendance_mark(actor=world.admin, activity=activity, volunteer=v, signed_in_at=activity.starts_at)
    client = as_user(world.township_head)
    client.get(url("signups", activity.pk))
    # session, user, the user's volunteer family, the activity, the role on its site, the count,
    # the rows with their names' visibility
    with django_assert_num_queries(7):
        client.get(url("signups", activity.pk))
    # ... and the manager's role for the attendance list's buttons
    with django_assert_num_queries(8):
        response = client.get(url("attendance", activity.pk))
    assert len(response.context["rows"]) == 5


def test_staff_mark_a_signed_up_volunteer_and_find_another_by_the_one_search(world, make_activity, person, as_user):
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(minutes=30))
    signed, walk_in = person(name="钱七"), person(name="孙八")
    services.signup_create(actor=world.admin, activity=activity, volunteer=signed)
    client = as_user(world.village_head)
    page = client.get(url("attendance-mark", activity.pk))
    assert [v.pk for v, _name, _form in page.context["signed"]] == [signed.pk]
    found = client.get(url("attendance-mark", activity.pk), {"q": "孙八"})
    assert [v.pk for v, _name, _form in found.context["found"]] == [walk_in.pk]
    start = activity.starts_at.astimezone().strftime(FMT)
    for volunteer in (signed, walk_in):
        response = client.post(url("attendance-mark", activity.pk), {"volunteer": volunteer.pk, "signed_in_at": start})
        assert response["Location"] == url("attendance", activity.pk)
    assert set(Attendance.objects.values_list("volunteer_id", flat=True)) == {signed.pk, walk_in.pk}


@pytest.mark.parametrize(
    "data",
    [
        {"signed_in_at": ""},
        {"signed_in_at": "昨天"},
        {"hours": "25"},
        {"hours": "abc"},
        {"volunteer": "①"},
        {"volunteer": "999999"},  # nobody the user can see or who signed up
        {"signed_out_at": "2000-01-01T08:00"},  # before the sign-in: the service's message
    ],
)
def test_marking_with_bad_input_is_a_message_and_writes_nothing(world, make_activity, person, as_user, data):
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=-1))
    v = person()
    post = {"volunteer": v.pk, "signed_in_at": activity.starts_at.astimezone().strftime(FMT), **data}
    response = as_user(world.village_head).post(url("attendance-mark", activity.pk), post)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "form-errors" in response.content.decode()
    assert not Attendance.objects.exists()


def test_an_outsider_cannot_mark_someone_from_another_county(world, make_activity, as_user):
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=-1))
    assert as_user(world.outsider).get(url("attendance-mark", activity.pk)).status_code == 404
    assert as_user(world.county_viewer).get(url("attendance-mark", activity.pk)).status_code == 403


def test_confirming_credits_once_and_taking_it_back_reverses(world, held, person, as_user):
    v = person()
    activity = held([v])
    client = as_user(world.village_head)
    assert client.get(url("confirm", activity.pk)).context["waiting"] == 1
    response = client.post(url("confirm", activity.pk), follow=True)
    assert "Confirmed 1 attendances" in response.content.decode()
    account = Account.objects.get(volunteer=v)
    assert (account.lifetime_hours, account.lifetime_points) == (2, 20)
    again = client.post(url("confirm", activity.pk), follow=True)
    assert "Nothing was waiting" in again.content.decode()
    assert Entry.objects.filter(account__volunteer=v).count() == 1
    refused = client.post(url("unconfirm", activity.pk), {"reason": ""})
    assert "reason" in refused.context["form"].errors
    assert client.post(url("unconfirm", activity.pk), {"reason": "记错了人"}).status_code == 302
    account.refresh_from_db()
    assert (account.lifetime_hours, account.lifetime_points) == (0, 0)


def test_confirming_a_cancelled_activity_is_refused_with_the_services_message(world, make_activity, as_user):
    activity = make_activity(world.village, state=State.PUBLISHED)
    services.activity_cancel(actor=world.admin, activity=activity, reason="暴雨")
    response = as_user(world.village_head).post(url("confirm", activity.pk))
    assert response.status_code == 200
    assert "cancelled" in str(response.context["form"].non_field_errors())


def test_one_attendance_is_shown_and_corrected_until_confirmed(world, held, person, as_user):
    v = person()
    activity = held([v])
    attendance = Attendance.objects.get()
    client = as_user(world.village_head)
    assert client.get(url("attendance-detail", attendance.pk)).context["can_edit"]
    start = activity.starts_at.astimezone()
    an_hour = (start + timedelta(hours=1)).strftime(FMT)
    response = client.post(
        url("attendance-edit", attendance.pk),
        {"signed_in_at": start.strftime(FMT), "signed_out_at": an_hour, "note": "早退"},
    )
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert (attendance.hours, attendance.note) == (1, "早退")
    services.attendance_confirm(actor=world.admin, activity=activity)
    refused = client.post(url("attendance-edit", attendance.pk), {"signed_in_at": start.strftime(FMT)})
    assert "un-confirm it" in str(refused.context["form"].non_field_errors())
    # the volunteer reads their own record
    mine = as_user(v.user).get(url("attendance-detail", attendance.pk))
    assert mine.status_code == 200 and mine.context["shown_name"] == v.real_name


def test_the_export_is_an_xlsx_of_the_activitys_attendance(world, held, person, as_user):
    activity = held([person(name="钱七"), person(world.village2, name="孙八")])
    response = as_user(world.village_head).get(url("attendance-export", activity.pk))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        text = " ".join(book.read(name).decode() for name in book.namelist())
    assert "钱七" in text and "孙*" in text and "孙八" not in text
