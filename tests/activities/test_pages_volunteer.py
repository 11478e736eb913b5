"""A volunteer's side: what is open near them, signing up (for themself or their family) and
cancelling before the start, their sign-ups and their history, with pinned query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, SignUp, SignUpStatus, State
from tests import factories
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"activities:{name}", args=args)


def test_a_volunteer_sees_what_is_open_near_them_and_signs_up(world, make_activity, person, as_user):
    v = person()
    near = make_activity(world.village, state=State.PUBLISHED, title="村里的活动")
    county = make_activity(world.county, state=State.PUBLISHED, title="县里的活动")
    make_activity(world.village2, state=State.PUBLISHED, title="别村的活动")
    client = as_user(v.user)
    page = client.get(url("open"))
    assert [a.pk for a in page.context["rows"]] == [near.pk, county.pk]
    response = client.post(url("signup", near.pk), {"next": url("open")})
    assert response["Location"] == url("open")
    assert SignUp.objects.get().volunteer_id == v.pk
    assert client.get(url("open")).context["rows"][0].mine


def test_signing_up_past_capacity_or_after_the_start_says_why_and_writes_nothing(world, make_activity, person, as_user):
    full = make_activity(world.village, state=State.PUBLISHED, capacity=1)
    services.signup_create(actor=world.admin, activity=full, volunteer=person(name="先到的"))
    v = person(name="后来的")
    response = as_user(v.user).post(url("signup", full.pk))
    assert response.status_code == 200
    assert "All 1 places are taken" in response.content.decode()
    begun = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(minutes=-5))
    assert "closed when the activity began" in as_user(v.user).post(url("signup", begun.pk)).content.decode()
    assert SignUp.objects.filter(volunteer=v).count() == 0


def test_a_family_signs_up_one_of_its_own_and_nobody_else(world, make_activity, person, as_user):
    parent = person(name="王大爷")
    child = volunteer_services.volunteer_register(
        actor=world.admin, home_site=world.village, real_name="王小", id_number=factories.id_number(),
        phone=parent.phone, consent=True,
    )  # fmt: skip
    stranger = person(name="陌生人")
    activity = make_activity(world.village, state=State.PUBLISHED)
    client = as_user(parent.user)
    page = client.get(url("detail", activity.pk))
    assert [v.pk for v, _s in page.context["family"]] == [parent.pk, child.pk]
    assert client.post(url("signup", activity.pk), {"volunteer": child.pk}).status_code == 302
    refused = client.post(url("signup", activity.pk), {"volunteer": stranger.pk})
    assert "only yourself or your family" in refused.content.decode()
    assert list(SignUp.objects.values_list("volunteer_id", flat=True)) == [child.pk]


def test_a_volunteer_cancels_before_the_start_and_not_after(world, make_activity, person, as_user):
    v = person()
    activity = make_activity(world.village, state=State.PUBLISHED)
    signup = services.signup_create(actor=v.user, activity=activity, volunteer=v)
    client = as_user(v.user)
    assert [s.pk for s in client.get(url("mine")).context["rows"]] == [signup.pk]
    assert client.get(url("signup-detail", signup.pk)).context["can_cancel"]
    assert client.post(url("signup-cancel", signup.pk))["Location"] == url("mine")
    signup.refresh_from_db()
    assert signup.status == SignUpStatus.CANCELLED
    again = client.post(url("signup-cancel", signup.pk))
    assert "already cancelled" in str(again.context["form"].non_field_errors())


def test_someone_elses_sign_up_cannot_be_cancelled(world, make_activity, person, as_user):
    activity = make_activity(world.village, state=State.PUBLISHED)
    owner, other = person(name="钱七"), person(name="孙八")
    signup = services.signup_create(actor=owner.user, activity=activity, volunteer=owner)
    assert as_user(other.user).post(url("signup-cancel", signup.pk)).status_code == 404
    assert as_user(world.county_viewer).post(url("signup-cancel", signup.pk)).status_code == 403
    signup.refresh_from_db()
    assert signup.status == SignUpStatus.SIGNED_UP


def test_the_history_shows_hours_and_someone_unregistered_is_told_to_register(world, held, person, as_user, client):
    v = person()
    activity = held([v])
    services.attendance_confirm(actor=world.admin, activity=activity)
    page = as_user(v.user).get(url("history"))
    row = page.context["page"].object_list[0]
    assert (row.activity_id, row.hours) == (activity.pk, 2)
    client.logout()
    for name in ("open", "mine", "history"):
        assert reverse("volunteers:register") in as_user(world.volunteer).get(url(name)).content.decode()


def test_the_volunteers_pages_take_a_fixed_number_of_queries(world, make_activity, held, person, as_user,
                                                             django_assert_num_queries):  # fmt: skip
    v = person()
    for i in range(3):
        services.signup_create(actor=v.user, activity=make_activity(world.village, state=State.PUBLISHED,
                               title=f"活动{i}"), volunteer=v)  # fmt: skip
    held([v])
    client = as_user(v.user)
    client.get(url("open"))
    with django_assert_num_queries(4):  # session, user, volunteer, the open activities
        client.get(url("open"))
    with django_assert_num_queries(4):  # session, user, volunteer, the sign-ups
        client.get(url("mine"))
    with django_assert_num_queries(5):  # session, user, volunteer, count, the page
        client.get(url("history"))


def test_a_sign_up_cannot_be_cancelled_once_the_activity_began(world, make_activity, person, as_user):
    v = person()
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(minutes=1))
    signup = services.signup_create(actor=v.user, activity=activity, volunteer=v)
    Activity.objects.filter(pk=activity.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    client = as_user(v.user)
    assert not client.get(url("signup-detail", signup.pk)).context["can_cancel"]
    response = client.post(url("signup-cancel", signup.pk))
    assert "can no longer be cancelled" in str(response.context["form"].non_field_errors())
    signup.refresh_from_db()
    assert signup.status == SignUpStatus.SIGNED_UP
