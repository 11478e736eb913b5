"""The station head's home (its panel selector), the activity list with its filters, search
and pages, and the calendar: what each persona sees, bad filters, pinned query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import selectors
from activities.models import QuotaShortfall, State
from civic.middleware import STAFF_KEY

pytestmark = pytest.mark.django_db

HOME = reverse("activities:home")
LIST = reverse("activities:list")


def _request(user, staff=True):
    request = RequestFactory().get(HOME)
    request.user = user
    request.session = {STAFF_KEY: staff}
    return request


def test_the_home_panel_gathers_the_month_the_quota_and_what_needs_action(world, make_activity, held, person):
    submitted = make_activity(world.village, state=State.SUBMITTED, title="待审批的宣讲")
    done = held([person()], site=world.village, title="待确认的活动")
    late = make_activity(
        world.township, state=State.PUBLISHED, starts_in=timedelta(hours=-3), hours=1, title="该结束了"
    )
    QuotaShortfall.objects.create(
        site=world.village2, month=timezone.localdate().replace(day=1), quota=1, held=0, scheduled=0
    )
    panel = selectors.home_panel(_request(world.township_head))
    assert (panel.key, panel.template) == ("activities", "activities/_home_panel.html")
    context = panel.context
    assert [a.pk for a in context["actions"].to_approve] == [submitted.pk]
    assert [a.pk for a in context["actions"].to_confirm] == [done.pk]
    assert [a.pk for a in context["actions"].to_finish] == [late.pk]
    assert [s.pk for s in context["sites"]] == [world.township.pk, world.village.pk]
    township = context["sites"][0]
    assert (township.quota, township.progress.short) == (2, township.held + township.scheduled < 2)
    assert context["shortfalls"] == []  # 西坪村 lies outside 甲镇
    county = selectors.home_panel(_request(world.county_manager)).context
    assert [row.site_id for row in county["shortfalls"]] == [world.village2.pk]


def test_the_home_panel_is_none_for_someone_without_a_role(world):
    assert selectors.home_panel(_request(world.volunteer, staff=False)) is None


def test_the_home_page_shows_the_panel_and_sends_a_volunteer_to_what_is_open(world, make_activity, as_user, client):
    make_activity(world.village, state=State.SUBMITTED, title="待审批的宣讲")
    page = as_user(world.township_head).get(HOME)
    assert page.status_code == 200
    html = page.content.decode()
    assert "待审批的宣讲" in html and 'class="badge badge-submitted"' in html
    client.logout()
    assert as_user(world.volunteer).get(HOME)["Location"] == reverse("activities:open")


def test_the_home_page_takes_a_fixed_number_of_queries(world, make_activity, held, person, as_user,
                                                       django_assert_num_queries):  # fmt: skip
    client = as_user(world.township_head)

    def count() -> int:
        client.get(HOME)
        with CaptureQueriesContext(connection) as captured:
            client.get(HOME)
        return len(captured)

    make_activity(world.village, state=State.SUBMITTED)
    first = count()
    for i in range(4):
        make_activity(world.village, state=State.SUBMITTED, title=f"宣讲{i}")
        make_activity(world.township, state=State.PUBLISHED, starts_in=timedelta(days=1 + i), title=f"活动{i}")
    held([person(name="钱七"), person(name="孙八")], site=world.village)
    assert count() == first
    # session, user, the user's volunteer family (the list), this month's activities, the
    # grants and the user's sites with their quota, the sites under them, needs action (5),
    # the shortfalls
    with django_assert_num_queries(13):
        client.get(HOME)


# The list ----------------------------------------------------------------------------------


def _titles(response) -> list[str]:
    return [a.title for a in response.context["page"].object_list]


def test_the_list_filters_by_subtree_kind_state_month_and_search(world, make_activity, as_user):
    first = make_activity(world.village, title="东坪宣讲", kind="lecture")
    make_activity(world.village2, title="西坪义诊", state=State.PUBLISHED)
    make_activity(world.township, title="甲镇培训", kind="training", theme="防汛")
    client = as_user(world.county_manager)
    assert sorted(_titles(client.get(LIST))) == ["东坪宣讲", "甲镇培训", "西坪义诊"]
    assert sorted(_titles(client.get(LIST, {"site": world.township.pk}))) == ["东坪宣讲", "甲镇培训"]
    assert _titles(client.get(LIST, {"kind": "lecture"})) == ["东坪宣讲"]
    assert _titles(client.get(LIST, {"state": "published"})) == ["西坪义诊"]
    assert _titles(client.get(LIST, {"q": "防汛"})) == ["甲镇培训"]
    assert _titles(client.get(LIST, {"month": "2001-01"})) == []
    month = timezone.localtime(first.starts_at).strftime("%Y-%m")  # all three start at about the same time
    assert len(_titles(client.get(LIST, {"month": month}))) == 3


@pytest.mark.parametrize("bad", [{"month": "2026-13"}, {"month": "２０２６-０１"}, {"site": "abc"}, {"site": "①"},
                                 {"kind": "zz"}, {"state": "nope"}, {"platform": "12x"}, {"page": "٣"}])  # fmt: skip
def test_a_bad_filter_is_said_on_the_form_and_lists_unfiltered(world, make_activity, as_user, bad):
    make_activity(world.village, title="东坪宣讲")
    response = as_user(world.county_manager).get(LIST, bad)
    assert response.status_code == 200
    assert _titles(response) == ["东坪宣讲"]
    if "page" not in bad:
        assert response.context["form"].errors


def test_a_volunteer_lists_only_what_is_open_to_them(world, make_activity, person, as_user):
    v = person()
    make_activity(world.village, title="草稿")
    make_activity(world.village, title="开放的", state=State.PUBLISHED)
    make_activity(world.village2, title="别村的", state=State.PUBLISHED)
    response = as_user(v.user).get(LIST)
    assert _titles(response) == ["开放的"]
    assert "site" not in response.context["form"].fields


def test_the_list_pages_and_takes_a_fixed_number_of_queries(world, make_activity, as_user, django_assert_num_queries):
    for i in range(31):
        make_activity(world.village, title=f"活动{i:02d}", starts_in=timedelta(days=2, hours=i))
    client = as_user(world.county_manager)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 30 and first.context["page"].has_next()
    assert _titles(client.get(LIST, {"page": 2})) == ["活动00"]
    # session, user, the sites of the filter (count, rows), the platforms, the user's volunteer
    # family, the count, the page
    with django_assert_num_queries(8):
        client.get(LIST, {"q": "活动", "page": 2})


def test_the_calendar_shows_a_months_days_and_reads_bad_numbers_as_this_month(world, make_activity, as_user):
    activity = make_activity(world.village, title="日历上的活动")
    day = timezone.localtime(activity.starts_at)
    client = as_user(world.township_head)
    response = client.get(reverse("activities:calendar"), {"year": day.year, "month": day.month})
    assert response.status_code == 200
    assert "日历上的活动" in response.content.decode()
    assert f'href="#day-{day:%Y-%m-%d}"' in response.content.decode()
    for bad in ({"year": "abc", "month": "13"}, {"month": "٣"}, {"site": "x"}):
        assert client.get(reverse("activities:calendar"), bad).status_code == 200
    assert "日历上的活动" not in client.get(reverse("activities:calendar"), {"year": 2001, "month": 1}).content.decode()


def test_the_calendar_takes_a_fixed_number_of_queries(world, make_activity, as_user, django_assert_num_queries):
    for i in range(6):
        make_activity(world.village, title=f"活动{i}", starts_in=timedelta(days=2, hours=i))
    client = as_user(world.county_manager)
    client.get(reverse("activities:calendar"))
    # session, user, the user's volunteer family, the month's activities
    with django_assert_num_queries(4):
        client.get(reverse("activities:calendar"))
