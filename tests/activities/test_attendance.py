"""Attendance: QR codes (rotating and printed), the sign-in window, the location check, the
flags (in their cases and only there), hours by the county's rule, and confirmation that
credits hours and points exactly once (twice → one credit; un-confirm → one reversal)."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from activities import qr, services
from activities.models import Activity, Attendance, Flag, Kind, Method, State
from activities.rules import round_hours
from points import selectors as points_selectors
from points import services as points_services
from points.models import Account, Entry, EntryKind
from tests import factories
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db

ZONE = timezone.get_current_timezone()
START = datetime(2026, 6, 10, 9, 0, tzinfo=ZONE)


@pytest.fixture
def running(world):
    """``running(site, start, hours, **fields)``: a published activity at a fixed time."""

    def make(site=None, start=START, hours=2, **fields):
        activity = services.activity_create(
            actor=world.admin,
            site=site or world.village,
            title=fields.pop("title", "植树"),
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            **fields,
        )
        for move in ("submit", "approve", "publish"):
            activity = services.activity_move(actor=world.admin, activity=activity, move=move)
        return activity

    return make


def sign_in(activity, volunteer, at, **extra):
    token = extra.pop("token", None) or qr.rotating_token(activity, at)
    return services.attendance_sign_in(
        actor=volunteer.user, activity=activity, volunteer=volunteer, token=token, at=at, **extra
    )


def sign_out(activity, volunteer, at):
    return services.attendance_sign_out(
        actor=volunteer.user, activity=activity, volunteer=volunteer, token=qr.rotating_token(activity, at), at=at
    )


def finish(world, activity, media_image=True):
    from .conftest import image_bytes, upload

    if media_image:
        services.photo_add(actor=world.admin, activity=activity, image=upload(image_bytes()))
    return services.activity_finish(
        actor=world.admin, activity=activity, summary="总结", people_served=10, at=activity.ends_at
    )


# Hours ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "minutes, hours",
    [(0, "0"), (14, "0"), (15, "0.5"), (44, "0.5"), (45, "1"), (59, "1"), (60, "1"), (74, "1"), (75, "1.5"),
     (105, "2"), (134, "2"), (135, "2.5")],
)  # fmt: skip
def test_minutes_become_hours_by_the_default_rule(minutes, hours):
    assert round_hours(minutes, [[15, "0.5"], [45, "1"]]) == Decimal(hours)


def test_the_cap_and_a_countys_own_rule_apply():
    assert round_hours(300, [[15, "0.5"], [45, "1"]], Decimal("3")) == Decimal("3")
    assert round_hours(80, [[20, "0.25"], [40, "0.5"], [50, "1"]]) == Decimal("1.25")


def test_hours_follow_the_sign_in_and_out_with_the_activitys_cap(world, running, person):
    v = person()
    activity = running(hours=4, hours_cap=Decimal("2.5"))
    sign_in(activity, v, START - timedelta(minutes=10))
    attendance = sign_out(activity, v, START + timedelta(hours=3, minutes=50))
    assert attendance.hours == Decimal("2.50") and attendance.flags == []


def test_a_countys_dated_rule_decides_by_the_activitys_day(world, running, person):
    services.activity_settings_save(
        actor=world.admin, site=world.county, valid_from=date(2026, 7, 1), hours_steps=[[1, "1"]]
    )
    v = person()
    june = running()
    sign_in(june, v, START)
    assert sign_out(june, v, START + timedelta(minutes=70)).hours == Decimal("1.00")
    july = running(start=START + timedelta(days=30))
    sign_in(july, v, july.starts_at)
    assert sign_out(july, v, july.starts_at + timedelta(minutes=70)).hours == Decimal("2.00")


# Codes -----------------------------------------------------------------------------------------


def test_the_rotating_code_works_in_its_window_and_the_one_before(world, running, person):
    activity = running()
    v = person()
    at = START + timedelta(minutes=5)
    earlier = qr.rotating_token(activity, at - timedelta(seconds=30))
    attendance = sign_in(activity, v, at, token=earlier)
    assert attendance.signed_in_at == at and attendance.sign_in_method == Method.QR_ROTATING
    assert sign_in(activity, v, at + timedelta(minutes=1)) == attendance  # signing in again changes nothing


@pytest.mark.parametrize("case", ["expired", "forged", "other activity", "garbage", "empty", "static"])
def test_a_bad_code_is_refused_with_a_message_and_nothing_is_written(world, running, person, case):
    activity, other = running(), running(title="另一个")
    v = person()
    at = START + timedelta(minutes=5)
    token = {
        "expired": qr.rotating_token(activity, at - timedelta(seconds=61)),
        "forged": qr.rotating_token(activity, at)[:-4] + "AAAA",
        "other activity": qr.rotating_token(other, at),
        "garbage": "https://example.org/?t=1",
        "empty": "",
        "static": qr.static_token(activity),
    }[case]
    with pytest.raises(ValidationError) as refused:
        services.attendance_sign_in(actor=v.user, activity=activity, volunteer=v, token=token, at=at)
    assert refused.value.message_dict["token"][0]
    assert not Attendance.objects.exists()


def test_a_code_signed_with_another_key_is_not_genuine(world, running, person):
    activity = running()
    v = person()
    at = START
    value = f"r.{activity.pk}.{qr.window_of(at)}"
    forged = signing.Signer(key="not-the-secret-key", salt=f"activities.qr.{activity.qr_secret}").sign(value)
    with pytest.raises(ValidationError, match="not genuine"):
        services.attendance_sign_in(actor=v.user, activity=activity, volunteer=v, token=forged, at=at)
    services.activity_renew_code(actor=world.admin, activity=activity)
    with pytest.raises(ValidationError, match="not genuine"):
        sign_in(activity, v, at, token=qr.rotating_token(activity, at))  # the old secret's code
    assert not Attendance.objects.exists()


def test_a_printed_code_works_where_allowed_and_only_inside_the_window(world, running, person):
    services.activity_settings_save(
        actor=world.admin, site=world.county, valid_from=date(2000, 1, 1), static_qr_allowed=True
    )
    activity = running()
    v, w = person(), person(name="孙八")
    token = qr.static_token(activity)
    with pytest.raises(ValidationError, match="open from"):
        services.attendance_sign_in(
            actor=v.user, activity=activity, volunteer=v, token=token, at=START - timedelta(hours=1, minutes=1)
        )
    attendance = services.attendance_sign_in(
        actor=v.user, activity=activity, volunteer=v, token=token, at=START - timedelta(minutes=30)
    )
    assert attendance.sign_in_method == Method.QR_STATIC
    with pytest.raises(ValidationError, match="open from"):
        services.attendance_sign_in(
            actor=w.user,
            activity=activity,
            volunteer=w,
            token=token,
            at=activity.ends_at + timedelta(hours=2, seconds=1),
        )
    assert Attendance.objects.count() == 1


def test_a_sign_in_outside_the_window_is_refused(world, running, person):
    activity = running()
    v = person()
    for at in (START - timedelta(hours=1, seconds=1), activity.ends_at + timedelta(hours=2, seconds=1)):
        with pytest.raises(ValidationError, match="open from"):
            sign_in(activity, v, at)
    assert not Attendance.objects.exists()


def test_sign_in_needs_a_published_or_running_activity(world, running, person, make_activity):
    v = person()
    draft = make_activity(world.village)
    with pytest.raises(ValidationError, match="published or under way"):
        sign_in(draft, v, timezone.now())
    activity = running()
    services.activity_cancel(actor=world.admin, activity=activity, reason="取消")
    with pytest.raises(ValidationError, match="published or under way"):
        sign_in(activity, v, START)


def test_a_family_phone_picks_who_signs_in_and_nobody_else(world, running, person):
    parent = person(name="王大爷")
    child = volunteer_services.volunteer_register(
        actor=world.admin, home_site=world.village, real_name="王小", id_number=factories.id_number(),
        phone=parent.phone, consent=True,
    )  # fmt: skip
    stranger = person(name="陌生人")
    activity = running()
    token = qr.rotating_token(activity, START)
    attendance = services.attendance_sign_in(
        actor=parent.user, activity=activity, volunteer=child, token=token, at=START
    )
    assert attendance.volunteer == child
    with pytest.raises(PermissionDenied):
        services.attendance_sign_in(actor=stranger.user, activity=activity, volunteer=parent, token=token, at=START)
    from activities import selectors

    assert [v.pk for v in selectors.family_volunteers(parent.user)] == [parent.pk, child.pk]
    assert [v.pk for v in selectors.family_volunteers(stranger.user)] == [stranger.pk]


def test_sign_out_needs_a_sign_in(world, running, person):
    v = person()
    activity = running()
    with pytest.raises(ValidationError, match="Sign in first"):
        sign_out(activity, v, START + timedelta(hours=1))


# Location ---------------------------------------------------------------------------------------

PLACE = {"latitude": Decimal("32.987000"), "longitude": Decimal("107.765000")}


@pytest.fixture
def geo(world):
    return services.activity_settings_save(
        actor=world.admin, site=world.county, valid_from=date(2000, 1, 1), geo_check=True, geo_radius=500
    )


@pytest.mark.parametrize(
    "location, flags",
    [
        ((Decimal("32.988000"), Decimal("107.766000")), []),  # about 145 m away
        ((Decimal("33.000000"), Decimal("107.765000")), [Flag.PLACE_FAR]),  # about 1.4 km away
        (None, [Flag.PLACE_UNKNOWN]),
    ],
)
def test_the_location_is_checked_against_the_radius_and_flagged_not_refused(
    world, running, person, geo, location, flags
):
    activity = running(**PLACE)
    v = person()
    where = services.Location(*location) if location else None
    attendance = sign_in(activity, v, START, location=where)
    assert attendance.flags == flags and attendance.signed_in_at == START
    if location:
        assert attendance.distance is not None and (attendance.distance > 500) == bool(flags)


def test_no_place_flags_without_the_countys_check_or_the_activitys_coordinates(world, running, person, geo):
    v, w = person(), person(name="孙八")
    far = services.Location(Decimal("35"), Decimal("110"))
    nowhere = sign_in(running(), v, START, location=far)  # the activity has no coordinates
    assert nowhere.flags == [] and nowhere.latitude is None  # and the position is not kept
    services.activity_settings_save(actor=world.admin, site=world.county, valid_from=date(2000, 1, 2), geo_check=False)
    unchecked = sign_in(running(**PLACE), w, START, location=far)
    assert unchecked.flags == [] and unchecked.latitude is None and unchecked.distance is None


# Flags -----------------------------------------------------------------------------------------


def test_an_ordinary_attendance_raises_no_flag(world, running, person):
    v = person()
    activity = running()
    sign_in(activity, v, START - timedelta(minutes=10))
    assert sign_out(activity, v, activity.ends_at + timedelta(minutes=15)).flags == []


def test_signing_in_after_the_end_is_flagged_as_far_outside_the_time(world, running, person):
    v, w = person(), person(name="孙八")
    activity = running()
    assert sign_in(activity, v, activity.ends_at + timedelta(minutes=1)).flags == [Flag.TIME]
    assert sign_in(activity, w, activity.ends_at).flags == []


def test_staff_marks_far_outside_the_time_are_flagged(world, running, person):
    v, w = person(), person(name="孙八")
    activity = running()
    early = services.attendance_mark(
        actor=world.admin, activity=activity, volunteer=v, signed_in_at=START - timedelta(hours=1, minutes=1)
    )
    assert early.flags == [Flag.TIME]
    late_out = services.attendance_mark(
        actor=world.admin, activity=activity, volunteer=w, signed_in_at=START,
        signed_out_at=activity.ends_at + timedelta(hours=2, minutes=1),
    )  # fmt: skip
    assert Flag.TIME in late_out.flags


def test_a_duration_beyond_the_activitys_span_is_flagged(world, running, person):
    v, w = person(), person(name="孙八")
    activity = running(hours=2)
    exactly = services.attendance_mark(
        actor=world.admin, activity=activity, volunteer=v, signed_in_at=START - timedelta(minutes=30),
        signed_out_at=activity.ends_at,
    )  # fmt: skip
    assert exactly.flags == []  # 2 h 30 min: the span and the 30 minutes allowed
    longer = services.attendance_mark(
        actor=world.admin, activity=activity, volunteer=w, signed_in_at=START - timedelta(minutes=31),
        signed_out_at=activity.ends_at,
    )  # fmt: skip
    assert longer.flags == [Flag.LONG]


def test_two_overlapping_activities_flag_both_and_only_them(world, running, person):
    v = person()
    morning = running(start=START, hours=2)
    overlapping = running(start=START + timedelta(hours=1), hours=2, title="重叠")
    afterwards = running(start=START + timedelta(hours=3), hours=1, title="之后")
    sign_in(morning, v, START)
    sign_out(morning, v, START + timedelta(hours=1, minutes=30))
    sign_in(overlapping, v, START + timedelta(hours=1, minutes=10))
    sign_in(afterwards, v, START + timedelta(hours=3))
    flags = dict(Attendance.objects.values_list("activity_id", "flags"))
    assert flags == {morning.pk: [Flag.OVERLAP], overlapping.pk: [Flag.OVERLAP], afterwards.pk: []}
    # staff correct the first sign-out: the overlap goes, from both
    services.attendance_mark(
        actor=world.admin, activity=morning, volunteer=v, signed_in_at=START, signed_out_at=START + timedelta(hours=1)
    )
    flags = dict(Attendance.objects.values_list("activity_id", "flags"))
    assert flags == {morning.pk: [], overlapping.pk: [], afterwards.pk: []}


def test_another_volunteer_at_the_same_time_is_no_overlap(world, running, person):
    v, w = person(), person(name="孙八")
    a, b = running(), running(title="同时")
    assert sign_in(a, v, START).flags == [] and sign_in(b, w, START).flags == []


# Marking by hand --------------------------------------------------------------------------------


def test_only_managers_mark_attendance_by_hand(world, running, person):
    v = person()
    activity = running()
    for user in (world.county_viewer, world.outsider, v.user):
        with pytest.raises(PermissionDenied):
            services.attendance_mark(actor=user, activity=activity, volunteer=v, signed_in_at=START)
    attendance = services.attendance_mark(
        actor=world.village_head, activity=activity, volunteer=v, signed_in_at=START, hours=Decimal("1.5"),
        note="老人无手机",
    )  # fmt: skip
    assert (attendance.sign_in_method, attendance.hours, attendance.hours_by_hand) == (
        Method.STAFF,
        Decimal("1.5"),
        True,
    )
    with pytest.raises(ValidationError):
        services.attendance_mark(actor=world.admin, activity=activity, volunteer=v, signed_in_at=START, hours="30")


# Confirmation ---------------------------------------------------------------------------------


def credits_of(attendance) -> list:
    key = f"activity-attendance:{attendance.pk}"
    return list(
        Entry.objects.filter(Q(source_key__startswith=key) | Q(reverses__source_key__startswith=key))
        .order_by("pk")
        .values_list("kind", "hours", "points")
    )


def test_confirming_credits_hours_and_points_once(world, running, person, media):
    points_services.rule_save(actor=world.admin, site=world.county, valid_from=date(2000, 1, 1), points_per_hour=10,
                              theme_bonus=5)  # fmt: skip
    v, w = person(), person(name="孙八")
    activity = running(kind=Kind.THEME)
    sign_in(activity, v, START)
    sign_out(activity, v, START + timedelta(hours=1, minutes=50))
    sign_in(activity, w, START + timedelta(minutes=20))  # never signs out: counted to the end
    finish(world, activity)
    result = services.attendance_confirm(actor=world.village_head, activity=activity)
    assert (result.confirmed, result.credited, result.hours) == (2, 2, Decimal("3.50"))
    first = Attendance.objects.get(volunteer=v)
    assert first.source_key == f"activity-attendance:{first.pk}" and first.entry.hours == Decimal("2.00")
    assert credits_of(first) == [(EntryKind.SERVICE, Decimal("2.00"), 20), (EntryKind.BONUS, Decimal("0.00"), 5)]
    second = Attendance.objects.get(volunteer=w)
    assert second.sign_out_method == Method.CLOSING and second.signed_out_at == activity.ends_at
    assert second.hours == Decimal("1.50")  # 1 h 40 min
    again = services.attendance_confirm(actor=world.village_head, activity=activity)
    assert again.confirmed == 0 and Entry.objects.count() == 4
    activity.refresh_from_db()
    assert (activity.attended_count, activity.hours_total) == (2, Decimal("3.50"))
    account = Account.objects.get(volunteer=v)
    assert (account.lifetime_hours, account.lifetime_points) == (Decimal("2.00"), 25)


def test_unconfirming_reverses_each_credit_once_and_confirming_again_pays_again(world, running, person, media):
    v = person()
    activity = running()
    sign_in(activity, v, START)
    sign_out(activity, v, activity.ends_at)
    finish(world, activity)
    services.attendance_confirm(actor=world.admin, activity=activity)
    with pytest.raises(ValidationError):
        services.attendance_unconfirm(actor=world.admin, activity=activity, reason=" ")
    assert services.attendance_unconfirm(actor=world.admin, activity=activity, reason="时长有误") == 1
    assert services.attendance_unconfirm(actor=world.admin, activity=activity, reason="再来") == 0
    attendance = Attendance.objects.get()
    assert attendance.confirmed_at is None and attendance.entry is None
    assert [k for k, _h, _p in credits_of(attendance)] == [EntryKind.SERVICE, EntryKind.REVERSAL]
    assert Account.objects.get(volunteer=v).lifetime_hours == Decimal("0")
    services.attendance_mark(
        actor=world.admin, activity=activity, volunteer=v, signed_in_at=START, signed_out_at=START + timedelta(hours=1)
    )
    services.attendance_confirm(actor=world.admin, activity=activity)
    attendance.refresh_from_db()
    assert attendance.source_key == f"activity-attendance:{attendance.pk}:2"
    assert Account.objects.get(volunteer=v).lifetime_hours == Decimal("1.00")
    assert points_selectors.reconcile() == []
    with pytest.raises(ValidationError, match="un-confirm it"):
        services.attendance_mark(actor=world.admin, activity=activity, volunteer=v, signed_in_at=START)


def test_confirming_a_cancelled_or_unfinished_activity_is_refused_and_writes_nothing(world, running, person):
    v = person()
    activity = running()
    sign_in(activity, v, START)
    with pytest.raises(ValidationError, match="once the activity is finished"):
        services.attendance_confirm(actor=world.admin, activity=activity)
    services.activity_cancel(actor=world.admin, activity=activity, reason="暴雨")
    with pytest.raises(ValidationError, match="was cancelled"):
        services.attendance_confirm(actor=world.admin, activity=activity)
    assert not Entry.objects.exists() and Attendance.objects.get().confirmed_at is None
    with pytest.raises(PermissionDenied):
        services.attendance_confirm(actor=world.county_viewer, activity=activity)


def test_an_attendance_under_fifteen_minutes_is_confirmed_without_a_credit(world, running, person, media):
    v = person()
    activity = running()
    sign_in(activity, v, START)
    sign_out(activity, v, START + timedelta(minutes=14))
    finish(world, activity)
    result = services.attendance_confirm(actor=world.admin, activity=activity)
    assert (result.confirmed, result.credited) == (1, 0) and not Entry.objects.exists()
    assert services.attendance_unconfirm(actor=world.admin, activity=activity, reason="重新核对") == 1


@pytest.mark.django_db(transaction=True)
def test_confirming_twice_at_once_credits_once(world, running, person, media):
    people = [person(name=f"志愿者{i}") for i in range(6)]
    activity = running()
    for v in people:
        sign_in(activity, v, START)
    finish(world, activity)

    def confirm(_n):
        close_old_connections()
        try:
            return services.attendance_confirm(actor=world.admin, activity=activity).confirmed
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(confirm, range(8)))
    assert sorted(results) == [0] * 7 + [6]
    assert Entry.objects.filter(kind=EntryKind.SERVICE).count() == 6
    assert points_selectors.reconcile() == []


def test_a_randomized_run_keeps_the_ledger_in_step(world, running, person, media):
    rng = random.Random(9)
    people = [person(name=f"志愿者{i}") for i in range(8)]
    activities = [running(start=START + timedelta(days=d), hours=rng.choice([1, 2, 3])) for d in range(5)]
    for activity in activities:
        for v in rng.sample(people, 5):
            at = activity.starts_at + timedelta(minutes=rng.randrange(-50, 30))
            sign_in(activity, v, at)
            if rng.random() < 0.7:
                sign_out(activity, v, activity.ends_at + timedelta(minutes=rng.randrange(-40, 40)))
        finish(world, activity)
    for _step in range(30):
        activity = rng.choice(activities)
        if rng.random() < 0.6:
            services.attendance_confirm(actor=world.admin, activity=activity)
        else:
            services.attendance_unconfirm(actor=world.admin, activity=activity, reason="复核")
    assert points_selectors.reconcile() == []
    for attendance in Attendance.objects.all():
        paid = sum(h for _k, h, _p in credits_of(attendance))
        assert paid == (attendance.hours if attendance.confirmed_at else Decimal("0"))
    assert Activity.objects.filter(state=State.FINISHED).count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_sign_ins_at_once_at_overlapping_activities_still_flag_both(world, running, person):
    import threading

    v = person()
    first, second = running(), running(title="同时的另一个")
    barrier = threading.Barrier(2)

    def go(activity):
        close_old_connections()
        try:
            barrier.wait()
            sign_in(activity, v, START)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(Attendance.objects.values_list("flags", flat=True)) == [[Flag.OVERLAP], [Flag.OVERLAP]]
