"""Signing up: capacity (also when 50 volunteers sign up for 10 places at once), before the
start only, who may sign whom up, cancelling, the team's text on publishing and the
reminder the day before."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from activities import services
from activities.models import Activity, SignUp, SignUpStatus, State
from civic.sms import MemorySender
from tests import factories
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.CIVIC_SMS_BACKEND = "civic.sms.MemorySender"
    MemorySender.outbox.clear()
    return MemorySender.outbox


def test_a_volunteer_signs_up_and_the_places_are_counted(world, make_activity, person):
    activity = make_activity(world.village, state=State.PUBLISHED, capacity=2)
    v = person()
    signup = services.signup_create(actor=v.user, activity=activity, volunteer=v)
    assert signup.status == SignUpStatus.SIGNED_UP and signup.by == v.user
    assert services.signup_create(actor=v.user, activity=activity, volunteer=v) == signup  # again: nothing new
    activity.refresh_from_db()
    assert (activity.signed_up, activity.places_left) == (1, 1)


def test_a_sign_up_past_capacity_is_refused_and_writes_nothing(world, make_activity, person):
    activity = make_activity(world.village, state=State.PUBLISHED, capacity=1)
    first, second = person(), person(name="孙八")
    services.signup_create(actor=first.user, activity=activity, volunteer=first)
    with pytest.raises(ValidationError, match="All 1 places are taken"):
        services.signup_create(actor=second.user, activity=activity, volunteer=second)
    assert SignUp.objects.filter(activity=activity).count() == 1
    assert Activity.objects.get(pk=activity.pk).signed_up == 1


def test_a_sign_up_after_the_start_or_before_publishing_is_refused(world, make_activity, person):
    v = person()
    published = make_activity(world.village, state=State.PUBLISHED)
    with pytest.raises(ValidationError, match="closed when the activity began"):
        services.signup_create(
            actor=v.user, activity=published, volunteer=v, at=published.starts_at + timedelta(seconds=1)
        )
    approved = make_activity(world.village, state=State.APPROVED)
    with pytest.raises(ValidationError, match="only while the activity is published"):
        services.signup_create(actor=v.user, activity=approved, volunteer=v)
    assert not SignUp.objects.exists()


def test_an_activity_is_open_to_its_own_area_and_team(world, make_activity, person):
    v = person(world.village)
    for site in (world.village, world.township, world.county):
        activity = make_activity(site, state=State.PUBLISHED)
        services.signup_create(actor=v.user, activity=activity, volunteer=v)
    elsewhere = make_activity(world.village2, state=State.PUBLISHED)
    with pytest.raises(ValidationError, match="its own area and team"):
        services.signup_create(actor=v.user, activity=elsewhere, volunteer=v)
    team = volunteer_services.team_create(actor=world.admin, site=world.village2, name="西坪文艺队", kind="squad")
    volunteer_services.membership_request(actor=v.user, volunteer=v, team=team)
    membership = team.memberships.get()
    volunteer_services.membership_decide(actor=world.admin, membership=membership, approve=True)
    team_activity = make_activity(world.village2, state=State.PUBLISHED, team=team)
    services.signup_create(actor=v.user, activity=team_activity, volunteer=v)
    # staff of the activity's site may sign up anyone
    services.signup_create(actor=world.admin, activity=elsewhere, volunteer=v)


def test_a_family_on_one_phone_signs_each_other_up_and_nobody_else(world, make_activity, person):
    parent = person(name="王大爷")
    child = volunteer_services.volunteer_register(
        actor=world.admin,
        home_site=world.village,
        real_name="王小",
        id_number=factories.id_number(),
        phone=parent.phone,
        consent=True,
    )
    stranger = person(name="陌生人")
    activity = make_activity(world.village, state=State.PUBLISHED)
    services.signup_create(actor=parent.user, activity=activity, volunteer=child)
    with pytest.raises(PermissionDenied):
        services.signup_create(actor=stranger.user, activity=activity, volunteer=child)
    with pytest.raises(PermissionDenied):
        services.signup_create(actor=world.outsider, activity=activity, volunteer=parent)
    assert list(SignUp.objects.values_list("volunteer", flat=True)) == [child.pk]


def test_cancelling_gives_the_place_back_before_the_start_only(world, make_activity, person):
    activity = make_activity(world.village, state=State.PUBLISHED, capacity=1)
    v, w = person(), person(name="孙八")
    signup = services.signup_create(actor=v.user, activity=activity, volunteer=v)
    with pytest.raises(PermissionDenied):
        services.signup_cancel(actor=w.user, signup=signup)
    services.signup_cancel(actor=v.user, signup=signup)
    assert Activity.objects.get(pk=activity.pk).signed_up == 0
    with pytest.raises(ValidationError, match="already cancelled"):
        services.signup_cancel(actor=v.user, signup=signup)
    services.signup_create(actor=w.user, activity=activity, volunteer=w)
    again = services.signup_create(actor=world.admin, activity=make_activity(world.village, state=State.PUBLISHED),
                                   volunteer=v)  # fmt: skip
    with pytest.raises(ValidationError, match="can no longer be cancelled"):
        services.signup_cancel(actor=v.user, signup=again, at=again.activity.starts_at)
    signup.refresh_from_db()
    assert signup.status == SignUpStatus.CANCELLED


def test_only_active_volunteers_sign_up(world, make_activity, person):
    v = person()
    volunteer_services.volunteer_set_status(actor=world.admin, volunteer=v, status="suspended", reason="外出")
    with pytest.raises(ValidationError, match="active volunteer"):
        services.signup_create(
            actor=world.admin, activity=make_activity(world.village, state=State.PUBLISHED), volunteer=v
        )


@pytest.mark.django_db(transaction=True)
def test_fifty_volunteers_signing_up_for_ten_places_at_once_get_exactly_ten(world, make_activity, person):
    activity = make_activity(world.village, state=State.PUBLISHED, capacity=10)
    people = [person(name=f"志愿者{i}") for i in range(50)]

    def sign_up(volunteer):
        close_old_connections()
        try:
            services.signup_create(actor=volunteer.user, activity=activity, volunteer=volunteer)
            return "in"
        except ValidationError:
            return "full"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=32) as pool:
        outcomes = list(pool.map(sign_up, people))
    assert outcomes.count("in") == 10 and outcomes.count("full") == 40
    assert SignUp.objects.filter(activity=activity, status=SignUpStatus.SIGNED_UP).count() == 10
    assert Activity.objects.get(pk=activity.pk).signed_up == 10


# Texts ------------------------------------------------------------------------------------------


def test_publishing_texts_the_teams_members_once(
    world, make_activity, person, outbox, django_capture_on_commit_callbacks
):
    team = volunteer_services.team_create(actor=world.admin, site=world.village, name="东坪宣讲队", kind="squad")
    members = [person(name=f"队员{i}") for i in range(3)]
    for member in members:
        volunteer_services.membership_request(actor=member.user, volunteer=member, team=team)
    for membership in team.memberships.all():
        volunteer_services.membership_decide(actor=world.admin, membership=membership, approve=True)
    person(name="非队员")
    activity = make_activity(world.village, state=State.APPROVED, team=team, place="村委会")
    services.activity_publish(actor=world.village_head, activity=activity)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_notice_send(activity_id=activity.pk) == 3
    assert sorted(phone for phone, _t in outbox) == sorted(m.phone for m in members)
    assert all("理论宣讲进村" in text and "村委会" in text for _p, text in outbox)
    assert services.publish_notice_send(activity_id=activity.pk) == 0  # once


def test_the_day_before_everyone_signed_up_is_reminded_once(
    world, make_activity, person, outbox, django_capture_on_commit_callbacks
):
    tomorrow = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(days=1))
    later = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(days=3))
    v, w = person(), person(name="孙八")
    for activity in (tomorrow, later):
        services.signup_create(actor=v.user, activity=activity, volunteer=v)
    cancelled = services.signup_create(actor=w.user, activity=tomorrow, volunteer=w)
    services.signup_cancel(actor=w.user, signup=cancelled)
    day = timezone.localtime(tomorrow.starts_at).date() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=day) == 1
        assert services.reminders_send(today=day) == 0
        assert services.reminders_send(today=date(2000, 1, 1)) == 0
    assert [phone for phone, _text in outbox] == [v.phone]
    assert "理论宣讲进村" in outbox[0][1]
