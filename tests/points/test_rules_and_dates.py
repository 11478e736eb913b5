"""Date inputs carry ISO dates in every language, and the rules are edited as rows (a bonus
per star, named deductions as name and points, five star thresholds), never as JSON."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from points import demo, selectors, services
from points.models import Rule
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def date_values(html: str) -> dict[str, str]:
    """The value of every date input, by name."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="date"' in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag)
            found[name] = value.group(1) if value else ""
    return found


def test_the_certificate_form_sends_iso_dates_in_chinese(as_user, world, chinese):
    """A date input reads only 2026-01-01; in Chinese the form used to send 2026/01/01, so the
    fields showed empty and 开具 could not be submitted as shown."""
    vol = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, vol, "d:1", 2)
    client = as_user(vol.user)
    page = client.get(reverse("points:certificates"))
    assert 'lang="zh-hans"' in page.content.decode()
    shown = date_values(page.content.decode())
    assert shown == {"period_start": f"{TODAY.year}-01-01", "period_end": TODAY.isoformat()}
    issued = client.post(reverse("points:certificates"), shown)  # submitted as shown
    assert issued.status_code == 302
    manager = as_user(world.township_head).get(reverse("points:volunteer-certificates", args=[vol.pk]))
    assert date_values(manager.content.decode())["period_start"] == f"{TODAY.year}-01-01"


def test_the_rule_form_sends_iso_dates_in_chinese(as_user, world):
    from django.utils import translation

    from points.forms import RuleForm

    with translation.override("zh-hans"):
        shown = date_values(str(RuleForm(initial={"valid_from": date(2026, 3, 1)})))
    assert shown == {"valid_from": "2026-03-01"}
    client = as_user(world.county_manager)
    bad = client.post(reverse("points:rules", args=[world.county.pk]), {"valid_from": "2026-03-01"})
    assert bad.status_code == 200
    assert date_values(bad.content.decode())["valid_from"] == "2026-03-01"


def rule_rows(**extra) -> dict:
    return {"valid_from": "2026-01-01", "points_per_hour": "10", "theme_bonus": 0, **extra}


def test_the_rules_page_edits_bonuses_deductions_and_stars_as_rows(as_user, world):
    client = as_user(world.county_manager)
    page = client.get(reverse("points:rules", args=[world.county.pk])).content.decode()
    for name in ["rating_bonus_5", "rating_bonus_1", "deduction_name_0", "deduction_points_4", "star_hours_5"]:
        assert f'name="{name}"' in page
    form = page[page.index('id="rule-form"') :]
    assert "{" not in form and "<textarea" not in form  # no JSON to type
    response = client.post(
        reverse("points:rules", args=[world.county.pk]),
        rule_rows(
            rating_bonus_5=5,
            rating_bonus_4=2,
            deduction_name_0="无故缺席",
            deduction_points_0=5,
            deduction_name_1="迟到早退",
            deduction_points_1=2,
            **{f"star_hours_{n}": hours for n, hours in enumerate([50, 150, 300, 600, 1000], start=1)},
        ),
    )
    assert response.status_code == 302
    rule = Rule.objects.get(site=world.county)
    assert rule.rating_bonus == {"5": 5, "4": 2}
    assert rule.deductions == {"无故缺席": 5, "迟到早退": 2}
    assert rule.star_hours == [50, 150, 300, 600, 1000]
    # The next rule starts from the one in force, row by row.
    again = client.get(reverse("points:rules", args=[world.county.pk]))
    form = again.context["form"]
    assert form["deduction_name_1"].value() == "迟到早退" and form["star_hours_5"].value() == 1000


@pytest.mark.parametrize(
    "rows, field",
    [
        ({"deduction_name_0": "无故缺席"}, "deduction_points_0"),
        ({"deduction_points_0": 5}, "deduction_name_0"),
        ({"deduction_name_0": "缺席", "deduction_points_0": 5, "deduction_name_1": "缺席", "deduction_points_1": 3},
         "deduction_name_1"),
        ({"star_hours_1": 100, "star_hours_2": 300}, "__all__"),
        ({"rating_bonus_5": -1}, "rating_bonus_5"),
    ],
)  # fmt: skip
def test_a_row_that_is_half_filled_or_twice_named_is_refused_where_it_is(as_user, world, rows, field):
    response = as_user(world.county_manager).post(reverse("points:rules", args=[world.county.pk]), rule_rows(**rows))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Rule.objects.exists()


def test_the_service_checks_each_row(world):
    def save(**rows):
        return services.rule_save(
            actor=world.county_manager, site=world.county, valid_from=date(2026, 1, 1), points_per_hour="10", **rows
        )

    for rows, field in [
        ({"star_hours": [300, 100, 600, 1000, 1500]}, "star_hours"),
        ({"star_hours": [100, 100, 600, 1000, 1500]}, "star_hours"),
        ({"rating_bonus": {"6": 5}}, "rating_bonus"),
        ({"deductions": {" ": 5}}, "deductions"),
        ({"deductions": {"无故缺席": 0}}, "deductions"),
        ({"deductions": {"很长" * 30: 5}}, "deductions"),
    ]:
        with pytest.raises(services.ValidationError) as refused:
            save(**rows)
        assert field in refused.value.message_dict, rows
    rule = save(rating_bonus={"5": 5, "3": 0}, deductions={" 无故缺席 ": 5})
    assert rule.rating_bonus == {"5": 5} and rule.deductions == {"无故缺席": 5}


def test_the_rules_page_speaks_chinese_and_the_demo_names_its_deductions_in_chinese(as_user, world, chinese):
    services.rule_save(
        actor=world.admin,
        site=world.county,
        valid_from=date(2025, 1, 1),
        points_per_hour=10,
        rating_bonus={"5": 5},
        deductions={"无故缺席": 5},
    )
    html = as_user(world.county_manager).get(reverse("points:rules", args=[world.county.pk])).content.decode()
    assert "no-show" not in html and "无故缺席 −5" in html
    assert selectors.rule_for(world.county, TODAY).deductions == {"无故缺席": 5}
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", name) for name in demo.DEDUCTIONS)
