"""The selectors: what needs a station head's action, the list with its filters and search,
the calendar, a volunteer's open activities, sign-ups and history, a site's statistics, the
volunteer figures and the xlsx export — each with its query count pinned, whatever the
number of rows."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from activities import qr, selectors, services
from activities.models import Activity, Attendance, Kind, State
from centers.models import ServicePlatform
from civic.figures import volunteer_figures

pytestmark = pytest.mark.django_db

ZONE = timezone.get_current_timezone()


def queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def test_needs_action_lists_what_waits_for_each_manager(world, make_activity, held, person, django_assert_num_queries):
    village_draft = make_activity(world.village, state=State.SUBMITTED, title="待审")
    township_own = make_activity(world.township, state=State.SUBMITTED, title="乡镇自己的")
    overdue = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=-5), title="该结束了")
    to_confirm = held([person()], world.village, title="待确认")
    done = held([person(name="孙八")], world.village, title="已确认")
    services.attendance_confirm(actor=world.admin, activity=done)
    with django_assert_num_queries(5):
        township = selectors.needs_action(world.township_head)
    assert [a.pk for a in township.to_approve] == [village_draft.pk]  # not its own: the county approves that
    assert [a.pk for a in township.to_confirm] == [to_confirm.pk]
    assert [a.pk for a in township.to_finish] == [overdue.pk]
    county = selectors.needs_action(world.county_manager)
    assert {a.pk for a in county.to_approve} == {village_draft.pk, township_own.pk}
    village = selectors.needs_action(world.village_head)
    assert village.to_approve == [] and village.total == 2
    assert selectors.needs_action(world.outsider).total == 0
    assert selectors.needs_action(world.county_viewer).total == 0


def test_needs_action_takes_the_same_queries_for_1_and_20_activities(world, make_activity):
    counts = []
    for n in (1, 20):
        for _ in range(n):
            make_activity(world.village, state=State.SUBMITTED)
        counts.append(queries(lambda: selectors.needs_action(world.township_head)))
    assert counts[0] == counts[1] == 5


def test_the_list_filters_and_searches_in_two_queries(world, make_activity):
    platform = ServicePlatform.objects.create(name="测试平台")
    march = datetime(2027, 3, 5, 9, tzinfo=ZONE)
    lecture = services.activity_create(
        actor=world.admin, site=world.village, title="党史宣讲", kind=Kind.LECTURE, starts_at=march,
        ends_at=march + timedelta(hours=1), platform=platform, place="文化广场",
    )  # fmt: skip
    make_activity(world.village2, title="义诊")
    make_activity(world.elsewhere_township, title="另县宣讲")

    def ids(user, **filters):
        return [a.pk for a in selectors.activity_list(user, **filters)]

    assert ids(world.township_head) == [lecture.pk]
    assert len(ids(world.county_viewer)) == 2
    assert ids(world.county_manager, q="广场") == [lecture.pk] == ids(world.county_manager, q="宣讲")
    assert ids(world.county_manager, kind=Kind.LECTURE, platform_id=platform.pk, month=date(2027, 3, 1)) == [lecture.pk]
    assert ids(world.county_manager, month=date(2027, 4, 1)) == []
    assert ids(world.county_manager, site=world.township2, state=State.DRAFT) != []
    with CaptureQueriesContext(connection) as captured:
        rows = list(selectors.activity_list(world.county_manager))
        [(a.site.label, a.platform and a.platform.label, a.team) for a in rows]
    assert len(captured) == 2  # the user's volunteer family (what they read as a volunteer), the rows


def test_the_calendar_groups_a_month_by_day_in_two_queries(world):
    for day in (3, 3, 17):
        start = datetime(2027, 5, day, 9, tzinfo=ZONE)
        services.activity_create(
            actor=world.admin, site=world.village, title=f"{day}", starts_at=start, ends_at=start + timedelta(hours=1)
        )
    with CaptureQueriesContext(connection) as captured:
        days = selectors.activity_calendar(world.township_head, year=2027, month=5)
    assert len(captured) == 2
    assert {d.day: len(items) for d, items in days.items()} == {3: 2, 17: 1}
    assert selectors.activity_calendar(world.outsider, year=2027, month=5) == {}


def test_a_volunteer_sees_what_is_open_near_them_in_one_query(world, make_activity, person):
    v = person(world.village)
    near = [make_activity(site, state=State.PUBLISHED, title=site.label) for site in
            (world.county, world.township, world.village)]  # fmt: skip
    make_activity(world.village2, state=State.PUBLISHED, title="别村")
    make_activity(world.village, state=State.APPROVED, title="未发布")
    make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=-1), title="已开始")
    services.signup_create(actor=v.user, activity=near[0], volunteer=v)
    with CaptureQueriesContext(connection) as captured:
        rows = selectors.open_near(v)
        [(a.site.label, a.mine) for a in rows]
    assert len(captured) == 1
    assert [a.pk for a in rows] == [near[2].pk, near[1].pk, near[0].pk]  # own village first
    assert [a.mine for a in rows] == [False, False, True]


def test_my_sign_ups_and_history_take_one_query_each(world, make_activity, held, person):
    v = person()
    upcoming = make_activity(world.village, state=State.PUBLISHED)
    services.signup_create(actor=v.user, activity=upcoming, volunteer=v)
    past = held([v], world.village)
    services.attendance_confirm(actor=world.admin, activity=past)
    with CaptureQueriesContext(connection) as captured:
        signups = [(s.activity.title, s.activity.site.label) for s in selectors.my_signups(v)]
        history = [(a.activity.title, a.hours, a.activity.site.label) for a in selectors.my_history(v)]
    assert len(captured) == 2
    assert len(signups) == 1 and history == [(past.title, Decimal("2.00"), world.village.label)]


def test_a_sites_statistics_take_two_queries(world, person, held, django_assert_num_queries):
    platform = ServicePlatform.objects.create(name="统计平台")
    people = [person(name=f"志愿者{i}") for i in range(3)]
    first = held(people, world.village, platform=platform)
    second = held(people[:2], world.township, kind=Kind.THEME)
    for activity in (first, second):
        services.attendance_confirm(actor=world.admin, activity=activity)
    year = timezone.localtime(first.starts_at).year
    with django_assert_num_queries(2):
        stats = selectors.site_stats(world.county, year=year)
    assert (stats.activities, stats.participations, stats.volunteers) == (2, 5, 3)
    assert (stats.hours, stats.people_served) == (Decimal("10.00"), 80)
    assert sum(m.activities for m in stats.months) == 2
    assert dict((name, n) for name, n, _h in stats.platforms) == {"统计平台": 1, "No platform": 1}
    with django_assert_num_queries(2):
        top = selectors.site_top_volunteers(world.county, year=year)
    assert [(name, hours, times) for _pk, name, hours, times in top][:2] == [
        ("志愿者0", Decimal("4.00"), 2),
        ("志愿者1", Decimal("4.00"), 2),
    ]
    assert len(top) == 3
    village = selectors.site_stats(world.village, year=year)
    assert (village.activities, village.participations) == (1, 3)


def test_volunteer_figures_come_in_one_query(world, person, held, django_assert_num_queries):
    v, w = person(), person(name="孙八")
    activity = held([v, w], world.village)
    services.attendance_confirm(actor=world.admin, activity=activity)
    with django_assert_num_queries(1):
        figures = selectors.volunteer_activity_figures([v, w])
    values = {f.key: f.value for f in figures[v.pk]}
    if timezone.localtime(activity.starts_at).year == timezone.localdate().year:
        assert values == {"activities_year": 1, "activity_hours_year": Decimal("2.00")}
    assert "activities_year" in {f.key for f in volunteer_figures([v])[v.pk]}


def test_the_export_is_one_query_whatever_its_size(world, running_many):
    sizes = {}
    for n in (5, 60):
        running_many(n)
        rows = Attendance.objects.restrict(world.county_manager, "view")
        with CaptureQueriesContext(connection) as captured:
            data = selectors.attendance_export(rows)
        sizes[n] = len(captured)
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet.max_row == 1 + Attendance.objects.count()
    assert sizes[5] == sizes[60] == 1
    header = [c.value for c in next(load_workbook(io.BytesIO(data)).active.iter_rows(max_row=1))]
    assert header[:3] == ["Date", "Activity", "Site"]


@pytest.fixture
def running_many(world, person):
    """``running_many(n)``: n volunteers signed in at one published activity."""

    def make(n):
        start = datetime(2026, 6, 10, 9, tzinfo=ZONE)
        activity = services.activity_create(
            actor=world.admin, site=world.village, title="大型活动", starts_at=start, ends_at=start + timedelta(hours=2)
        )
        for move in ("submit", "approve", "publish"):
            services.activity_move(actor=world.admin, activity=activity, move=move)
        for i in range(n):
            v = person(name=f"批量{i}")
            services.attendance_sign_in(
                actor=v.user, activity=activity, volunteer=v, token=qr.rotating_token(activity, start), at=start
            )
        return activity

    return make


def test_the_plan_progress_of_a_station_stays_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(selectors.plan_progress(world.township, year=2027)) == 12
    assert Activity.objects.count() == 0


def test_the_family_on_one_phone_comes_in_one_query(world, person, django_assert_num_queries):
    from tests import factories
    from volunteers import services as volunteer_services

    parent = person(name="王大爷")
    child = volunteer_services.volunteer_register(
        actor=world.admin, home_site=world.village, real_name="王小", id_number=factories.id_number(),
        phone=parent.phone, consent=True,
    )  # fmt: skip
    person(name="邻居")
    user = parent.user
    with django_assert_num_queries(1):
        family = selectors.family_volunteers(user)
    assert [v.pk for v in family] == [parent.pk, child.pk] and family[1].home_site == world.village
