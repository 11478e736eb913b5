"""The monthly quota (月月有活动): one place resolves it (the county's figure per level, a
site's own override), the progress of a batch of sites in one query, the figures on the
tree browser, and the warning on the 20th (stored once, texted once)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from activities import selectors, services
from activities.models import Activity, Kind, QuotaShortfall, State
from activities.rules import quotas_for
from centers import services as site_services
from centers.models import Kind as SiteKind
from civic.figures import site_figures
from civic.sms import MemorySender

pytestmark = pytest.mark.django_db

ZONE = timezone.get_current_timezone()
MONTH = date(2026, 5, 1)


@pytest.fixture
def extras(world):
    base = site_services.site_create(
        actor=world.admin, parent=world.county, name="红色教育", level="county", kind=SiteKind.BASE
    )
    post = site_services.site_create(
        actor=world.admin, parent=world.township, name="便民服务", level="township", kind=SiteKind.POST
    )
    for site in (world.county, world.township, world.township2, world.village, world.village2):
        site.refresh_from_db()
    return base, post


def at_site(world, site, state, day=10, kind=Kind.REGULAR):
    starts = datetime(MONTH.year, MONTH.month, day, 9, 0, tzinfo=ZONE)
    activity = services.activity_create(
        actor=world.admin, site=site, title="活动", starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    Activity.objects.filter(pk=activity.pk).update(state=state, kind=kind)  # an order service's shape
    return activity


def test_the_documents_defaults_and_a_sites_own_override(world, extras, django_assert_num_queries):
    base, post = extras
    sites = [world.county, world.township, world.village, base, post]
    with django_assert_num_queries(1):
        quotas = quotas_for(sites, MONTH)
    assert [quotas[s.pk] for s in sites] == [2, 2, 1, 1, 0]
    site_services.site_update(actor=world.admin, site=world.village, activity_quota=3)
    world.village.refresh_from_db()
    assert quotas_for([world.village], MONTH)[world.village.pk] == 3


def test_a_countys_dated_quotas_apply_from_their_day_and_only_there(world, extras):
    services.activity_settings_save(
        actor=world.admin, site=world.county, valid_from=date(2026, 5, 1), quota_point=2, quota_station=4
    )
    before, after = (
        quotas_for([world.village, world.township], date(2026, 4, 30)),
        quotas_for([world.village, world.township, world.elsewhere_township], MONTH),
    )
    assert (before[world.village.pk], before[world.township.pk]) == (1, 2)
    assert (after[world.village.pk], after[world.township.pk], after[world.elsewhere_township.pk]) == (2, 4, 2)


def test_progress_counts_the_sites_own_activities_of_the_month(world, extras, django_assert_num_queries):
    at_site(world, world.township, State.FINISHED)
    at_site(world, world.township, State.PUBLISHED, day=25)
    at_site(world, world.township, State.CANCELLED)
    at_site(world, world.township, State.DRAFT)
    at_site(world, world.township, State.FINISHED, kind=Kind.ORDER)
    at_site(world, world.village, State.ARCHIVED)  # below the township: the village's, not the township's
    with django_assert_num_queries(1):
        progress = selectors.quota_progress([world.township, world.village, world.village2], month=MONTH)
    township = progress[world.township.pk]
    assert (township.quota, township.held, township.scheduled, township.met, township.short) == (2, 1, 1, False, False)
    assert progress[world.village.pk].met and progress[world.village2.pk].short


def test_the_tree_browser_shows_this_months_progress_in_one_query(world, django_assert_num_queries):
    today = timezone.localdate()
    starts = timezone.make_aware(datetime(today.year, today.month, 1, 9, 0))
    activity = services.activity_create(
        actor=world.admin, site=world.village, title="本月", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    Activity.objects.filter(pk=activity.pk).update(state=State.FINISHED)
    with django_assert_num_queries(1):
        figures = selectors.site_activity_figures([world.county, world.village])
    mine = figures[world.village.pk][0]
    assert (mine.key, mine.value, mine.target, mine.ok) == ("activities_month", 1, 1, True)
    county = figures[world.county.pk][0]
    assert (county.value, county.target, county.ok) == (0, 2, False)
    assert "activities_month" in {f.key for f in site_figures([world.village])[world.village.pk]}


def test_the_warning_on_the_20th_lists_the_short_sites_once_and_texts_them_once(
    world, extras, settings, django_capture_on_commit_callbacks
):
    settings.CIVIC_SMS_BACKEND = "civic.sms.MemorySender"
    MemorySender.outbox.clear()
    base, post = extras
    site_services.site_update(actor=world.admin, site=world.village, liaison_phone="13900000001")
    at_site(world, world.county, State.FINISHED)
    at_site(world, world.county, State.APPROVED, day=28)
    at_site(world, world.township, State.FINISHED)
    at_site(world, world.village2, State.PUBLISHED, day=26)
    at_site(world, base, State.FINISHED)
    with django_capture_on_commit_callbacks(execute=True):
        found = services.quota_warnings_run(today=date(2026, 5, 20))
    short = {row.site_id for row in found}
    assert short == {world.township.pk, world.township2.pk, world.village.pk, world.elsewhere.pk,
                     world.elsewhere_township.pk}  # fmt: skip
    assert post.pk not in short  # a service post has no quota by default
    assert MemorySender.outbox == [("13900000001", MemorySender.outbox[0][1])]
    assert "0" in MemorySender.outbox[0][1] and "1" in MemorySender.outbox[0][1]
    with django_capture_on_commit_callbacks(execute=True):
        again = services.quota_warnings_run(today=date(2026, 5, 21))
    assert {row.site_id for row in again} == short and len(MemorySender.outbox) == 1
    assert QuotaShortfall.objects.filter(month=MONTH).count() == len(short)


def test_managers_see_the_shortfalls_of_their_own_area(world, extras, django_assert_num_queries):
    services.quota_warnings_run(today=date(2026, 5, 20))
    with django_assert_num_queries(1):
        mine = {row.site_id for row in selectors.shortfalls_for(world.township_head, month=MONTH)}
    assert mine == {world.township.pk, world.village.pk}
    county = {row.site_id for row in selectors.shortfalls_for(world.county_viewer, month=MONTH)}
    assert county >= mine | {world.township2.pk, world.village2.pk, world.county.pk}
    assert not list(selectors.shortfalls_for(world.volunteer, month=MONTH))
    assert world.elsewhere.pk not in county
