"""The entry point for service orders: a done order becomes a finished "order service"
activity with the volunteers' attendance, confirmed through the activities path, so hours
and points are credited once and in one place."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import services
from activities.models import Activity, Attendance, Kind, Method, State
from points import selectors as points_selectors
from points.models import Account, Entry

pytestmark = pytest.mark.django_db


def record(world, people, **extra):
    ended = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    values = {
        "actor": world.township_head,
        "site": world.township,
        "title": "为独居老人修理电器",
        "platform": None,
        "started_at": ended - timedelta(hours=2),
        "ended_at": ended,
        "hours_by_volunteer": {v: Decimal("2") for v in people},
        "note": "已修好洗衣机",
        "source": "order:42",
    }
    values.update(extra)
    return services.activity_record_order_service(**values)


def test_a_done_order_is_recorded_and_credited_once(world, person):
    a, b = person(), person(name="孙八")
    activity = record(world, [a, b], hours_by_volunteer={a: Decimal("2"), b: Decimal("1.5")})
    assert (activity.kind, activity.state, activity.source_key) == (Kind.ORDER, State.FINISHED, "order:42")
    assert (activity.attended_count, activity.hours_total) == (2, Decimal("3.50"))
    rows = {r.volunteer_id: r for r in Attendance.objects.filter(activity=activity)}
    assert rows[b.pk].hours == Decimal("1.50") and rows[b.pk].sign_in_method == Method.ORDER
    assert all(r.confirmed_at and r.source_key == f"activity-attendance:{r.pk}" for r in rows.values())
    assert Account.objects.get(volunteer=a).lifetime_hours == Decimal("2.00")
    again = record(world, [a, b])
    assert again == activity and Entry.objects.count() == 2 and Activity.objects.count() == 1
    assert points_selectors.reconcile() == []


def test_the_record_is_undone_through_the_same_path(world, person):
    a = person()
    activity = record(world, [a])
    assert services.attendance_unconfirm(actor=world.township_head, activity=activity, reason="订单退回") == 1
    assert Account.objects.get(volunteer=a).lifetime_hours == Decimal("0")


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"hours_by_volunteer": {}}, "hours_by_volunteer"),
        ({"source": ""}, "source"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_record_is_refused_and_writes_nothing(world, person, extra, field):
    with pytest.raises(ValidationError) as refused:
        record(world, [person()], **extra)
    assert field in refused.value.message_dict
    assert not Activity.objects.exists() and not Entry.objects.exists()


def test_hours_and_times_are_checked(world, person):
    v = person()
    for hours in (Decimal("0"), Decimal("30"), "x"):
        with pytest.raises(ValidationError):
            record(world, [v], hours_by_volunteer={v: hours})
    with pytest.raises(ValidationError):
        record(world, [v], ended_at=timezone.now() + timedelta(hours=1))
    assert not Activity.objects.exists() and not Attendance.objects.exists()


def test_only_a_manager_of_the_site_records_it(world, person):
    with pytest.raises(PermissionDenied):
        record(world, [person()], actor=world.village_head)
    assert not Activity.objects.exists()
