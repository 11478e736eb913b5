"""Rankings and "my points": right answers in a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest

from civic.figures import volunteer_figures
from points import selectors, services
from tests import factories
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


@pytest.fixture
def scored(world):
    """Three volunteers with hours in March and June; one in a team."""
    a = factories.volunteer(world.village_head, world.village, real_name="甲")
    b = factories.volunteer(world.village_head, world.village, real_name="乙")
    c = factories.volunteer(world.county_manager, world.village2, real_name="丙")
    for v, hours, day, key in [
        (a, 2, date(2026, 3, 1), "x1"),
        (a, 1, date(2026, 6, 1), "x2"),
        (b, 5, date(2026, 6, 2), "x3"),
        (c, 4, date(2026, 6, 3), "x4"),
    ]:
        services.points_credit(
            actor=world.admin, volunteer=v, source_key=key, hours=hours, site=v.home_site, service_date=day
        )
    team = volunteer_services.team_create(actor=world.admin, site=world.village, name="甲队", kind="squad")
    m = volunteer_services.membership_request(actor=world.admin, volunteer=a, team=team)
    volunteer_services.membership_decide(actor=world.admin, membership=m, approve=True)
    return a, b, c, team


def test_volunteers_rank_by_period_and_subtree(world, scored, django_assert_num_queries):
    a, b, c, _team = scored
    with django_assert_num_queries(1):
        county_all = selectors.volunteer_ranking(world.county, by="hours", period="all", today=TODAY)
    assert [r.name for r in county_all] == ["乙", "丙", "甲"]
    month = selectors.volunteer_ranking(world.township, by="points", period="month", today=TODAY)
    assert [(r.name, r.points) for r in month] == [("乙", 50), ("甲", 10)]
    quarter = selectors.volunteer_ranking(world.county, by="hours", period="quarter", today=TODAY)
    assert quarter[0].hours == Decimal("5.00") and len(quarter) == 3


def test_teams_and_sites_rank(world, scored, django_assert_num_queries):
    _a, _b, _c, team = scored
    with django_assert_num_queries(1):
        teams = selectors.team_ranking(world.county, by="hours", period="year", today=TODAY)
    assert [(t.name, t.hours) for t in teams] == [("甲队", Decimal("3.00"))]
    with django_assert_num_queries(1):
        sites = selectors.site_ranking(world.county, by="hours", period="all", today=TODAY)
    assert [(s.name, s.hours) for s in sites] == [("甲镇", Decimal("8.00")), ("乙镇", Decimal("4.00"))]


def test_my_points_rank_in_the_township(world, scored, django_assert_max_num_queries):
    a, b, _c, _team = scored
    with django_assert_max_num_queries(3):
        mine = selectors.my_points(a)
    assert (mine.account.lifetime_points, mine.rank, mine.ranked_among, mine.township) == (30, 2, 2, world.township)


def test_volunteer_pages_get_points_through_the_extension_point(world, scored):
    a, *_ = scored
    figures = {f.key: f.value for f in volunteer_figures([a])[a.pk]}
    assert figures["hours"] == Decimal("3.00") and figures["lifetime_points"] == 30
