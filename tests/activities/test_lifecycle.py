"""The lifecycle of an activity: drafts, the one transition table, who approves, every move
recorded with who and when, illegal moves refused with a message and nothing written;
recurring templates, annual plans, brand projects and the county's settings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import selectors, services
from activities.lifecycle import MOVES
from activities.models import Activity, ActivityEvent, AnnualPlan, Kind, Stage, State
from civic.models import AuditEntry
from volunteers import services as volunteer_services

from .conftest import image_bytes, upload

pytestmark = pytest.mark.django_db

ZONE = timezone.get_current_timezone()


def written(activity: Activity) -> tuple:
    """What a refused move must leave unchanged."""
    row = Activity.objects.get(pk=activity.pk)
    return (
        row.state,
        row.state_changed_at,
        row.cancel_reason,
        row.summary,
        ActivityEvent.objects.filter(activity=activity).count(),
        AuditEntry.objects.count(),
    )


# Drafts ------------------------------------------------------------------------------------


def test_a_manager_plans_a_draft_and_it_is_logged(world, make_activity):
    activity = make_activity(world.village, capacity=10, place="村委会广场", theme="学雷锋")
    assert activity.state == State.DRAFT and activity.organizer == world.admin and activity.qr_secret
    event = ActivityEvent.objects.get(activity=activity)
    assert (event.move, event.from_state, event.to_state, event.actor) == ("create", "", State.DRAFT, world.admin)


def test_only_managers_of_the_site_plan_there(world):
    starts = timezone.now() + timedelta(days=3)
    for user in (world.county_viewer, world.outsider, world.volunteer, world.village_head):
        with pytest.raises(PermissionDenied):
            services.activity_create(
                actor=user, site=world.township, title="x", starts_at=starts, ends_at=starts + timedelta(hours=1)
            )
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": "  "}, "title"),
        ({"ends_at": "before"}, "ends_at"),
        ({"ends_at": "week"}, "ends_at"),
        ({"capacity": 0}, "capacity"),
        ({"latitude": "31.1"}, "latitude"),
        ({"latitude": "91", "longitude": "10"}, "latitude"),
        ({"hours_cap": "25"}, "hours_cap"),
        ({"kind": Kind.ORDER}, "kind"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_a_bad_draft_is_refused_field_by_field_and_nothing_is_written(world, fields, field):
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    values = {"title": "宣讲", "starts_at": starts, "ends_at": starts + timedelta(hours=2)}
    values.update(fields)
    if values["ends_at"] == "before":
        values["ends_at"] = starts - timedelta(minutes=1)
    if values["ends_at"] == "week":
        values["ends_at"] = starts + timedelta(days=8)
    with pytest.raises(ValidationError) as refused:
        services.activity_create(actor=world.township_head, site=world.township, **values)
    assert field in refused.value.message_dict
    assert not Activity.objects.exists() and not AuditEntry.objects.filter(action="activity.create").exists()


def test_a_team_and_a_platform_must_fit_the_site(world):
    from centers.models import ServicePlatform

    elsewhere_team = volunteer_services.team_create(
        actor=world.admin, site=world.elsewhere_township, name="另队", kind="detachment"
    )
    foreign = ServicePlatform.objects.create(owner=world.elsewhere, name="另县平台")
    starts = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        services.activity_create(
            actor=world.admin,
            site=world.village,
            title="x",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            team=elsewhere_team,
            platform=foreign,
        )
    assert {"team", "platform"} <= set(refused.value.message_dict)


def test_only_a_draft_changes(world, make_activity):
    activity = make_activity(world.village, capacity=5)
    activity = services.activity_update(actor=world.village_head, activity=activity, title="新标题", capacity=8)
    assert (activity.title, activity.capacity) == ("新标题", 8)
    assert AuditEntry.objects.filter(action="activity.update", object_id=str(activity.pk)).exists()
    services.activity_submit(actor=world.village_head, activity=activity)
    with pytest.raises(ValidationError, match="Only a draft can be changed"):
        services.activity_update(actor=world.village_head, activity=activity, title="再改")
    with pytest.raises(PermissionDenied):
        services.activity_update(actor=world.county_viewer, activity=activity, title="再改")
    assert Activity.objects.get(pk=activity.pk).title == "新标题"


# The transition table ----------------------------------------------------------------------


def test_the_whole_path_from_draft_to_archived_records_who_and_when(world, make_activity, person, media):
    activity = make_activity(world.village, starts_in=timedelta(minutes=30))
    head, township = world.village_head, world.township_head
    services.activity_submit(actor=head, activity=activity)
    services.activity_approve(actor=township, activity=activity)
    services.activity_publish(actor=head, activity=activity)
    services.activity_start(actor=head, activity=activity)
    services.photo_add(actor=head, activity=activity, image=upload(image_bytes()))
    later = activity.starts_at + timedelta(hours=2)
    services.activity_finish(actor=head, activity=activity, summary="讲了两个小时", people_served=35, at=later)
    services.activity_archive(actor=head, activity=activity, at=later + timedelta(minutes=5))
    activity.refresh_from_db()
    assert activity.state == State.ARCHIVED and (activity.summary, activity.people_served) == ("讲了两个小时", 35)
    events = list(
        ActivityEvent.objects.filter(activity=activity).values_list("move", "from_state", "to_state", "actor")
    )
    assert events == [
        ("create", "", State.DRAFT, world.admin.pk),
        ("submit", State.DRAFT, State.SUBMITTED, head.pk),
        ("approve", State.SUBMITTED, State.APPROVED, township.pk),
        ("publish", State.APPROVED, State.PUBLISHED, head.pk),
        ("start", State.PUBLISHED, State.UNDER_WAY, head.pk),
        ("finish", State.UNDER_WAY, State.FINISHED, head.pk),
        ("archive", State.FINISHED, State.ARCHIVED, head.pk),
    ]
    times = list(ActivityEvent.objects.filter(activity=activity).values_list("at", flat=True))
    assert times == sorted(times) and all(t is not None for t in times)


def every_state_and_move():
    for state in State.values:
        for name in MOVES:
            yield state, name


@pytest.mark.parametrize("state, move", list(every_state_and_move()))
def test_the_table_alone_decides_which_moves_exist(world, state, move):
    """Every state × every move: the moves the table lists from a state are made; every other
    is refused with a message naming the state, and writes nothing."""
    starts = timezone.now() - timedelta(minutes=10)
    activity = services.activity_create(
        actor=world.admin, site=world.village, title="x", starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    Activity.objects.filter(pk=activity.pk).update(state=state)
    if MOVES[move].needs_summary:
        Activity.objects.filter(pk=activity.pk).update(state=State.DRAFT)
        services.activity_move(actor=world.admin, activity=activity, move="submit")
        services.activity_move(actor=world.admin, activity=activity, move="approve")
        services.photo_add(actor=world.admin, activity=activity, image=upload(image_bytes()))
        Activity.objects.filter(pk=activity.pk).update(state=state)
    before = written(activity)
    arguments = {"reason": "原因", "summary": "总结", "people_served": 3}
    if state in MOVES[move].sources:
        moved = services.activity_move(actor=world.admin, activity=activity, move=move, **arguments)
        assert moved.state == MOVES[move].target
    else:
        with pytest.raises(ValidationError) as refused:
            services.activity_move(actor=world.admin, activity=activity, move=move, **arguments)
        assert str(State(state).label) in refused.value.messages[0]
        assert written(activity) == before


def test_an_unknown_move_is_refused(world, make_activity):
    activity = make_activity()
    with pytest.raises(ValidationError, match="no such move"):
        services.activity_move(actor=world.admin, activity=activity, move="teleport")


def test_a_village_activity_is_approved_by_the_township_not_the_village(world, make_activity):
    activity = make_activity(world.village, state=State.SUBMITTED)
    before = written(activity)
    with pytest.raises(PermissionDenied, match="site above"):
        services.activity_approve(actor=world.village_head, activity=activity)
    assert written(activity) == before
    services.activity_approve(actor=world.township_head, activity=activity)
    assert Activity.objects.get(pk=activity.pk).state == State.APPROVED


def test_where_the_county_allows_a_site_approves_its_own(world, make_activity):
    services.activity_settings_save(
        actor=world.county_manager, site=world.county, valid_from=date(2000, 1, 1), approval_by_self=True
    )
    activity = make_activity(world.village, state=State.SUBMITTED)
    services.activity_approve(actor=world.village_head, activity=activity)
    assert Activity.objects.get(pk=activity.pk).state == State.APPROVED


def test_the_county_center_without_a_site_above_approves_itself(world, make_activity):
    activity = make_activity(world.county, state=State.SUBMITTED)
    services.activity_approve(actor=world.county_manager, activity=activity)
    assert Activity.objects.get(pk=activity.pk).state == State.APPROVED


def test_sending_back_and_cancelling_need_a_reason(world, make_activity):
    activity = make_activity(world.village, state=State.SUBMITTED)
    for move in ("return", "cancel"):
        before = written(activity)
        with pytest.raises(ValidationError) as refused:
            services.activity_move(actor=world.township_head, activity=activity, move=move, reason="  ")
        assert "reason" in refused.value.message_dict and written(activity) == before
    services.activity_return(actor=world.township_head, activity=activity, reason="时间冲突")
    assert Activity.objects.get(pk=activity.pk).state == State.DRAFT
    assert ActivityEvent.objects.filter(activity=activity, move="return", note="时间冲突").exists()
    services.activity_cancel(actor=world.village_head, activity=activity, reason="下雨")
    activity.refresh_from_db()
    assert (activity.state, activity.cancel_reason) == (State.CANCELLED, "下雨")


def test_finishing_asks_for_summary_people_served_and_a_photo(world, make_activity, media):
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=-1))
    before = written(activity)
    with pytest.raises(ValidationError) as refused:
        services.activity_finish(actor=world.village_head, activity=activity, summary=" ", people_served=None)
    assert set(refused.value.message_dict) == {"summary", "people_served", "photos"}
    assert written(activity) == before
    services.photo_add(actor=world.village_head, activity=activity, image=upload(image_bytes()))
    services.activity_finish(actor=world.village_head, activity=activity, summary="好", people_served=0)
    assert Activity.objects.get(pk=activity.pk).state == State.FINISHED


def test_moves_wait_for_their_time(world, make_activity, media):
    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=3))
    services.photo_add(actor=world.admin, activity=activity, image=upload(image_bytes()))
    with pytest.raises(ValidationError, match="an hour before"):
        services.activity_start(actor=world.village_head, activity=activity)
    with pytest.raises(ValidationError, match="not begun"):
        services.activity_finish(actor=world.village_head, activity=activity, summary="x", people_served=1)
    options = {o.name: o for o in selectors.allowed_moves(world.village_head, activity)}
    assert options["start"].blocked and options["finish"].blocked and options["cancel"].blocked is None
    later = activity.starts_at - timedelta(minutes=30)
    services.activity_start(actor=world.village_head, activity=activity, at=later)
    assert Activity.objects.get(pk=activity.pk).state == State.UNDER_WAY


def test_cancelling_a_published_activity_tells_those_signed_up(
    world, make_activity, person, settings, django_capture_on_commit_callbacks
):
    from civic.sms import MemorySender

    settings.CIVIC_SMS_BACKEND = "civic.sms.MemorySender"
    MemorySender.outbox.clear()
    activity = make_activity(world.village, state=State.PUBLISHED)
    volunteer, other = person(), person(name="孙八")
    services.signup_create(actor=volunteer.user, activity=activity, volunteer=volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_cancel(actor=world.village_head, activity=activity, reason="暴雨预警")
    assert [phone for phone, _text in MemorySender.outbox] == [volunteer.phone]
    assert "暴雨预警" in MemorySender.outbox[0][1] and other.phone not in dict(MemorySender.outbox)


# Who sees which buttons ----------------------------------------------------------------------


def test_allowed_moves_follow_the_table_and_the_roles(world, make_activity, django_assert_max_num_queries):
    draft = make_activity(world.village)
    submitted = make_activity(world.village, state=State.SUBMITTED)
    names = lambda user, a: [o.name for o in selectors.allowed_moves(user, a)]  # noqa: E731
    assert names(world.village_head, draft) == ["submit", "cancel"]
    assert names(world.village_head, submitted) == ["cancel"]  # the village does not approve itself
    assert names(world.township_head, submitted) == ["approve", "return", "cancel"]
    assert names(world.county_viewer, submitted) == [] and names(world.outsider, submitted) == []
    assert names(world.volunteer, draft) == []
    with django_assert_max_num_queries(3):
        selectors.allowed_moves(world.township_head, submitted)


# Recurring activities, plans and brand projects ---------------------------------------------


def test_a_recurring_template_fills_the_rest_of_the_year_once(world):
    template = services.template_save(
        actor=world.township_head,
        site=world.township,
        title="每月理论宣讲",
        kind=Kind.LECTURE,
        day_of_month=15,
        start_time=time(9, 30),
        duration_minutes=90,
    )
    at = datetime(2027, 3, 20, 12, 0, tzinfo=ZONE)
    made = services.recurring_fill(actor=world.township_head, template=template, year=2027, at=at)
    assert [timezone.localtime(a.starts_at).month for a in made] == list(range(4, 13))
    first = timezone.localtime(made[0].starts_at)
    assert (first.day, first.hour, first.minute) == (15, 9, 30)
    assert made[0].ends_at - made[0].starts_at == timedelta(minutes=90)
    plan = AnnualPlan.objects.get(site=world.township, year=2027)
    assert {a.state for a in made} == {State.DRAFT} and {a.plan_id for a in made} == {plan.pk}
    assert services.recurring_fill(actor=world.township_head, template=template, year=2027, at=at) == []
    earlier = datetime(2027, 1, 2, tzinfo=ZONE)
    again = services.recurring_fill(actor=world.township_head, template=template, year=2027, at=earlier)
    assert [timezone.localtime(a.starts_at).month for a in again] == [1, 2, 3]
    assert Activity.objects.filter(template=template).count() == 12
    with pytest.raises(PermissionDenied):
        services.recurring_fill(actor=world.village_head, template=template, year=2027, at=at)


def test_a_template_rejects_a_day_not_in_every_month(world):
    with pytest.raises(ValidationError) as refused:
        services.template_save(actor=world.admin, site=world.township, title="x", day_of_month=31)
    assert "day_of_month" in refused.value.message_dict


def test_the_plan_is_handed_in_and_shows_planned_against_held(world, make_activity, media, django_assert_num_queries):
    year = 2027
    plan = services.plan_open(actor=world.township_head, site=world.township, year=year)
    with pytest.raises(ValidationError, match="at least one activity"):
        services.plan_submit(actor=world.township_head, plan=plan)
    march = datetime(year, 3, 10, 9, 0, tzinfo=ZONE)
    for site in (world.township, world.township, world.village):
        services.activity_create(
            actor=world.admin,
            site=site,
            title="计划",
            starts_at=march,
            ends_at=march + timedelta(hours=2),
            plan=plan if site == world.township else None,
        )
    held = Activity.objects.filter(site=world.village).get()
    Activity.objects.filter(pk=held.pk).update(state=State.FINISHED)
    services.plan_submit(actor=world.township_head, plan=plan, at=datetime(year, 1, 20, tzinfo=ZONE))
    plan.refresh_from_db()
    assert not selectors.plan_is_late(plan)
    with django_assert_num_queries(1):
        months = selectors.plan_progress(world.township, year=year)
    assert len(months) == 12
    assert (months[2].planned, months[2].held, months[2].planned_below, months[2].held_below) == (2, 0, 0, 1)
    assert all(m.planned == m.held == 0 for m in months if m.month != 3)


def test_a_plan_belongs_to_its_site_and_year(world):
    plan = services.plan_open(actor=world.admin, site=world.township, year=2027)
    starts = datetime(2028, 3, 1, 9, tzinfo=ZONE)
    with pytest.raises(ValidationError) as refused:
        services.activity_create(
            actor=world.admin, site=world.village, title="x", starts_at=starts, ends_at=starts + timedelta(hours=1),
            plan=plan,
        )  # fmt: skip
    assert "plan" in refused.value.message_dict


def test_brand_projects_go_through_their_stages_and_are_counted_per_township(world, django_assert_num_queries):
    project = services.brand_project_create(
        actor=world.township_head, site=world.township, name="银龄讲堂", established_on=date(2027, 2, 1)
    )
    services.brand_project_create(actor=world.admin, site=world.village, name="村晚", established_on=date(2027, 5, 1))
    services.brand_project_create(
        actor=world.admin, site=world.village2, name="旧项目", established_on=date(2025, 5, 1)
    )
    for stage in (Stage.RECRUIT, Stage.IMPLEMENT, Stage.EVALUATE, Stage.OPTIMISE, Stage.IMPLEMENT):
        project = services.brand_project_advance(actor=world.township_head, project=project, stage=stage)
    with pytest.raises(ValidationError, match="goes on to"):
        services.brand_project_advance(actor=world.township_head, project=project, stage=Stage.ESTABLISH)
    with django_assert_num_queries(1):
        counts = {t.pk: n for t, n in selectors.brand_projects_by_township(world.county, year=2027)}
    assert counts == {world.township.pk: 2, world.township2.pk: 0}


# The county's settings ------------------------------------------------------------------------


def test_settings_are_a_countys_and_are_checked(world):
    with pytest.raises(ValidationError) as refused:
        services.activity_settings_save(actor=world.admin, site=world.township, valid_from=date(2027, 1, 1))
    assert "site" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.activity_settings_save(actor=world.township_head, site=world.county, valid_from=date(2027, 1, 1))
    for bad in ({"geo_radius": 5}, {"hours_steps": [[45, "1"], [15, "0.5"]]}, {"hours_steps": [[15, "2"]]},
                {"quota_point": 40}, {"hours_steps": "x"}):  # fmt: skip
        with pytest.raises(ValidationError):
            services.activity_settings_save(actor=world.county_manager, site=world.county,
                                            valid_from=date(2027, 1, 1), **bad)  # fmt: skip
    row = services.activity_settings_save(
        actor=world.county_manager, site=world.county, valid_from=date(2027, 1, 1), hours_steps=[[20, 0.5], [40, 1]]
    )
    assert row.hours_steps == [[20, "0.50"], [40, "1.00"]]
