"""One pure function builds a volunteer's record from a registration's fields: no database,
no clock, every problem at once; the staff form, self-registration and a roster row all read
its words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from centers.models import Kind, Level, Site
from tests import factories
from volunteers import roster, services
from volunteers.models import Status
from volunteers.records import clean_tags, volunteer_record

TODAY = date(2026, 3, 1)
VILLAGE = Site(pk=7, name="东坪村", level=Level.VILLAGE, kind=Kind.PRACTICE, is_active=True)


def fields(**extra) -> dict:
    values = {
        "home_site": VILLAGE,
        "real_name": " 王建华 ",
        "id_number": factories.id_number().lower(),
        "phone": "+86 138-0013-8000",
        "consent": True,
        "today": TODAY,
    }
    values.update(extra)
    return values


@pytest.mark.django_db
def test_a_good_registration_becomes_its_record_without_a_query():
    with CaptureQueriesContext(connection) as queries:
        record = volunteer_record(
            **fields(skill_tags="摄影，驾驶、摄影", national_number=" 61000012 ", source_group_id=3)
        )
    assert len(queries) == 0
    assert (record.real_name, record.phone, record.birth_date, record.gender) == (
        "王建华",
        "13800138000",
        date(1990, 5, 17),
        "male",
    )
    assert record.id_number == record.id_number.upper() and len(record.id_number) == 18
    assert record.skill_tags == ("摄影", "驾驶") and record.national_number == "61000012"
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    volunteer = record.volunteer(now=now, status=Status.ACTIVE)
    assert volunteer.pk is None and volunteer.home_site is VILLAGE and volunteer.source_group_id == 3
    assert volunteer.consent_at == volunteer.status_changed_at == now and volunteer.guardian_consent_at is None
    assert volunteer.pinyin.startswith("wangjianhua")


def test_every_problem_is_named_at_once():
    inactive = Site(name="旧村", level=Level.VILLAGE, kind=Kind.PRACTICE, is_active=False)
    with pytest.raises(ValidationError) as err:
        volunteer_record(
            **fields(home_site=inactive, real_name=" ", id_number="123", phone="12", consent=False),
            political_status="nobody",
        )
    assert set(err.value.message_dict) == {
        "home_site",
        "real_name",
        "id_number",
        "phone",
        "consent",
        "political_status",
    }
    with pytest.raises(ValidationError) as err:
        volunteer_record(**fields(home_site=None))
    assert set(err.value.message_dict) == {"home_site"}


def test_a_minor_registers_with_a_guardian():
    minor = factories.id_number(date(2015, 3, 1))
    with pytest.raises(ValidationError) as err:
        volunteer_record(**fields(id_number=minor, guardian_name="王父"))
    assert set(err.value.message_dict) == {"guardian_name"}
    with pytest.raises(ValidationError) as err:
        volunteer_record(**fields(id_number=minor, guardian_name="王父", guardian_consent=True, guardian_phone="1"))
    assert set(err.value.message_dict) == {"guardian_phone"}
    record = volunteer_record(
        **fields(id_number=minor, guardian_name=" 王父 ", guardian_consent=True, guardian_phone="13900000000")
    )
    assert (record.guardian_name, record.guardian_phone, record.guardian_consent) == ("王父", "13900000000", True)
    # the same person is of age on their eighteenth birthday
    assert not volunteer_record(**fields(id_number=minor, today=date(2033, 3, 1))).guardian_consent


def test_other_skills_are_cleaned_alike_from_a_text_or_a_list():
    assert clean_tags("摄影，驾驶、 ,摄影") == clean_tags(["摄影", " 驾驶", "", "摄影"]) == ["摄影", "驾驶"]
    assert len(clean_tags([f"技能{i}" for i in range(30)])) == 20


@pytest.mark.django_db
def test_the_staff_form_and_a_roster_row_say_the_same(world):
    bad = {"real_name": "周立新", "id_number": "610724199005171230", "phone": "12345"}
    with pytest.raises(ValidationError) as err:
        services.volunteer_register(actor=world.county_manager, home_site=world.village, consent=True, **bad)
    staff = err.value.message_dict
    (row,) = roster.check_rows(
        actor=world.county_manager,
        scope=world.county,
        rows=[{**{c.key: "" for c in roster.COLUMNS}, **bad, "site": "东坪村", "row": 2}],
    )
    with pytest.raises(ValidationError) as err:
        volunteer_record(home_site=world.village, consent=True, today=TODAY, **bad)
    record = err.value.message_dict
    assert staff == record
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as err:
            volunteer_record(home_site=world.village, consent=True, today=TODAY, **bad)
        words = err.value.message_dict
    assert row.errors == [f"身份证号：{words['id_number'][0]}", f"手机号：{words['phone'][0]}"]
