"""Roster Excel/CSV: template, reading in every encoding, checking every row, writing in
bulk, export with masking, and the import task on the real Celery worker."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from centers.models import ServicePlatform
from civic.models import AuditEntry
from tests import factories
from volunteers import roster, services
from volunteers.models import ImportMode, ImportStatus, RosterImport, SourceGroup, Status, Volunteer

HEADER = [c.header for c in roster.COLUMNS]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lists(db):
    """A platform and a source group of the test's own (seeded rows may have been flushed)."""
    platform, _ = ServicePlatform.objects.get_or_create(name="理论宣讲", owner=None)
    group, _ = SourceGroup.objects.get_or_create(name="五老")
    return platform, group


def person(name="张三", *, born=date(1990, 5, 17), site="990101101001", **extra) -> list[str]:
    values = {
        "real_name": name,
        "id_number": factories.id_number(born),
        "phone": factories.phone(),
        "site": site,
        "political_status": "中共党员",
        "source_group": "五老",
        "skills": "理论宣讲",
        "skill_tags": "摄影，驾驶",
    }
    values.update(extra)
    return [values.get(c.key, "") for c in roster.COLUMNS]


def xlsx(rows: list[list[str]], header=HEADER) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run(actor, site, data: bytes, name="roster.xlsx", mode=ImportMode.ALL_OR_NOTHING) -> RosterImport:
    job = services.roster_import_create(actor=actor, site=site, upload=ContentFile(data, name=name), mode=mode)
    return services.roster_import_run(import_id=job.pk)


# Template and reading ----------------------------------------------------------------


def test_the_template_round_trips(world, lists):
    data = roster.template_workbook(site=world.county)
    assert roster.read_rows(data, "template.xlsx") == []
    wb = load_workbook(io.BytesIO(data))
    assert [c.value for c in wb[roster.ROSTER_SHEET][1]] == HEADER
    allowed = [[c.value for c in col] for col in wb[roster.VALUES_SHEET].iter_cols()]
    assert allowed[0][:2] == ["政治面貌", "中共党员"]
    assert "五老" in allowed[1] and "理论宣讲" in allowed[2]
    wb[roster.ROSTER_SHEET].append(person("李四"))
    out = io.BytesIO()
    wb.save(out)
    (row,) = roster.read_rows(out.getvalue(), "filled.xlsx")
    assert row["row"] == 2 and row["real_name"] == "李四" and row["site"] == "990101101001"


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("roster.xlsx", lambda rows: xlsx(rows)),
        ("roster.csv", lambda rows: csv_bytes(rows, "utf-8")),
        ("roster.csv", lambda rows: csv_bytes(rows, "utf-8-sig")),
        ("roster.csv", lambda rows: csv_bytes(rows, "gbk")),
    ],
    ids=["xlsx", "utf8-csv", "utf8-bom-csv", "gbk-csv"],
)
def test_every_format_reads_the_same(name, encode):
    rows = [person("张三", site="东坪村"), ["", "", "", ""], person("欧阳娜娜", site="990101102001")]
    read = roster.read_rows(encode(rows), name)
    assert [(r["row"], r["real_name"], r["site"], r["skill_tags"]) for r in read] == [
        (2, "张三", "东坪村", "摄影，驾驶"),
        (4, "欧阳娜娜", "990101102001", "摄影，驾驶"),
    ]
    assert read[0]["id_number"] == rows[0][1]


def test_a_title_row_above_the_header_is_skipped():
    data = csv_bytes([["", "", ""], HEADER, person("王五")], "gbk", header=["东坪村志愿者花名册"])
    (row,) = roster.read_rows(data, "titled.csv")
    assert (row["row"], row["real_name"]) == (4, "王五")


def test_english_headers_and_a_missing_column():
    english = ["Name", "ID number", "Mobile phone", "Home site", "Political status"]
    (row,) = roster.read_rows(csv_bytes([person()[:5]], "utf-8", header=english), "en.csv")
    assert row["real_name"] == "张三" and row["political_status"] == "中共党员"
    with pytest.raises(ValidationError) as err:
        roster.read_rows(csv_bytes([["张三"]], "utf-8", header=["姓名", "手机号"]), "bad.csv")
    assert "身份证号" in err.value.messages[0]


# Checking and writing ----------------------------------------------------------------


def bad_file(world) -> tuple[bytes, dict[int, str]]:
    """Two good rows and one of each mistake; returns the file and the column each bad row names."""
    registered = factories.volunteer(world.county_manager, world.village2)
    wrong = factories.id_number()
    dup = factories.id_number()
    rows = [
        person("好人甲"),  # row 2
        person("校验错", id_number=wrong[:17] + ("0" if wrong[17] != "0" else "1")),  # 3
        person("电话错", phone="1380013"),  # 4
        person("无站点", site="不存在村"),  # 5
        person("外县人", site="990202101"),  # 6: 丁镇, outside the county
        person("重复甲", id_number=dup),  # 7
        person("重复乙", id_number=dup),  # 8
        person("已登记", id_number=registered.id_number),  # 9
        person("未成年", born=date(2015, 3, 1)),  # 10
        person("好人乙", site="西坪村"),  # 11
    ]
    expected = {3: "身份证号", 4: "手机号", 5: "所属站点", 6: "所属站点", 7: "身份证号", 8: "身份证号"}
    expected.update({9: "身份证号", 10: "监护人"})
    return xlsx(rows), expected


def test_every_bad_row_is_reported_and_nothing_is_written(world, lists, media):
    data, expected = bad_file(world)
    before = Volunteer.objects.count()
    job = run(world.county_manager, world.county, data)
    assert job.status == ImportStatus.FAILED and job.created_count == 0
    assert Volunteer.objects.count() == before
    reported = {e["row"]: e for e in job.error_rows}
    assert sorted(reported) == sorted(expected)
    for row, column in expected.items():
        assert any(message.startswith(column + "：") for message in reported[row]["errors"]), reported[row]
    assert reported[10]["name"] == "未成年"
    with translation.override("zh-hans"):
        in_file = translation.gettext("The same ID number is also in row %(rows)s.")
        assert reported[7]["errors"] == ["身份证号：" + in_file % {"rows": 8}]
        out_of_area = translation.gettext("The site “%(site)s” is outside the area of this import.")
        assert reported[6]["errors"] == ["所属站点：" + out_of_area % {"site": "990202101"}]
        # the county manager sees 西坪村, so the message names the site holding the person
        assert "西坪村" in reported[9]["errors"][0]


def test_good_rows_only_writes_the_good_ones_in_bulk(world, lists, media):
    platform, group = lists
    data, expected = bad_file(world)
    with CaptureQueriesContext(connection) as queries:
        job = run(world.county_manager, world.county, data, mode=ImportMode.GOOD_ONLY)
    assert job.status == ImportStatus.DONE
    assert job.total_rows == job.processed_rows == 10
    assert job.created_count == 2 and len(job.error_rows) == len(expected)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "volunteers_volunteer"')]
    assert len(inserts) == 1  # one bulk insert, not one save() per row
    made = {v.real_name: v for v in Volunteer.objects.filter(registered_by=world.county_manager, user=None)}
    a, b = made["好人甲"], made["好人乙"]
    assert (a.home_site, b.home_site) == (world.village, world.village2)
    for v in (a, b):
        assert v.status == Status.ACTIVE and v.user is None and v.registered_by == world.county_manager
        assert v.consent_at is not None and v.political_status == "party_member" and v.source_group == group
        assert list(v.skills.all()) == [platform] and v.skill_tags == ["摄影", "驾驶"]
    assert a.pinyin.startswith("haorenjia")
    entry = AuditEntry.objects.get(action="volunteer.import", object_id=str(job.pk))
    assert entry.changes["created"] == [None, 2] and entry.changes["rejected"] == [None, 8]
    assert entry.actor == world.county_manager and entry.site_id == world.county.pk


def test_a_site_outside_a_township_heads_area_is_an_error(world, lists, media):
    data = csv_bytes([person("甲", site="东坪村"), person("乙", site="西坪村")], "gbk")
    job = run(world.township_head, world.township, data, name="r.csv", mode=ImportMode.GOOD_ONLY)
    assert job.created_count == 1
    assert [(e["row"], e["errors"][0].split("：")[0]) for e in job.error_rows] == [(3, "所属站点")]


def test_a_phone_is_shared_by_at_most_three_counting_the_file(world, lists, media):
    shared = factories.phone()
    factories.volunteer(world.county_manager, world.village, phone=shared)
    rows = [person(f"家人{i}", phone=shared) for i in range(3)]
    job = run(world.county_manager, world.county, xlsx(rows), mode=ImportMode.GOOD_ONLY)
    assert job.created_count == 2
    assert [(e["row"], e["errors"][0].split("：")[0]) for e in job.error_rows] == [(4, "手机号")]


def test_only_a_manager_can_import(world, media):
    upload = ContentFile(xlsx([person()]), name="r.xlsx")
    with pytest.raises(PermissionDenied):
        services.roster_import_create(actor=world.county_viewer, site=world.county, upload=upload, mode="all")
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "problem"),
    [
        (b"PK\x03\x04 not really a workbook", "r.xlsx", "not a readable xlsx"),
        (b"", "r.csv", "The file is empty."),
        (b"\xef\xbb\xbf\r\n\r\n", "r.csv", "The file is empty."),
        ("姓名,手机号\n张三,13800000000\n".encode(), "r.csv", "身份证号"),
        (xlsx([]), "r.xlsx", "no rows under its header"),
        (b"\xd0\xcf\x11\xe0 an old workbook", "r.xls", "an xlsx workbook or a CSV file"),
    ],
    ids=["broken-xlsx", "empty", "only-blank-lines", "no-header", "header-only", "xls"],
)
def test_an_unreadable_upload_is_refused_before_anything_is_stored(world, media, data, name, problem):
    with pytest.raises(ValidationError) as err:
        services.roster_import_create(
            actor=world.county_manager, site=world.county, upload=ContentFile(data, name=name), mode="all"
        )
    assert problem in " ".join(err.value.message_dict["file"])
    assert not RosterImport.objects.exists()
    assert not any(media.rglob("*.*"))


def test_running_an_import_twice_gives_one_result(world, lists, media):
    job = services.roster_import_create(
        actor=world.county_manager,
        site=world.county,
        upload=ContentFile(xlsx([person("一次")]), name="r.xlsx"),
        mode=ImportMode.ALL_OR_NOTHING,
    )
    assert services.roster_import_run(import_id=job.pk).created_count == 1
    assert services.roster_import_run(import_id=job.pk).created_count == 1
    assert Volunteer.objects.filter(real_name="一次").count() == 1


def test_an_import_whose_worker_died_is_run_again_from_the_start(world, lists, media):
    job = services.roster_import_create(
        actor=world.county_manager,
        site=world.county,
        upload=ContentFile(xlsx([person("重来")]), name="r.xlsx"),
        mode=ImportMode.ALL_OR_NOTHING,
    )
    stuck = timezone.now() - timedelta(hours=2)
    RosterImport.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, claimed_at=stuck, processed_rows=1)
    fresh = services.roster_import_create(
        actor=world.county_manager,
        site=world.county,
        upload=ContentFile(xlsx([person("正在")]), name="r.xlsx"),
        mode=ImportMode.ALL_OR_NOTHING,
    )
    RosterImport.objects.filter(pk=fresh.pk).update(status=ImportStatus.VALIDATING, claimed_at=timezone.now())
    assert services.roster_import_requeue_stale() == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.claimed_at) == (ImportStatus.QUEUED, 0, None)
    assert services.roster_import_run(import_id=job.pk).status == ImportStatus.DONE
    assert Volunteer.objects.filter(real_name="重来").count() == 1


# Export ------------------------------------------------------------------------------


def export_rows(user, queryset=None) -> list[list]:
    data = roster.export_workbook(queryset or Volunteer.objects.all(), user)
    ws = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_export_masks_for_a_viewer_and_not_for_a_manager(world, lists):
    platform, _ = lists
    v = factories.volunteer(world.county_manager, world.village, real_name="王五")
    v.skills.set([platform])
    factories.volunteer(world.outsider, world.elsewhere_township, real_name="外人")
    header, row = export_rows(world.county_manager)
    assert header == HEADER + ["状态", "登记日期"]
    assert row[:4] == ["王五", v.id_number, v.phone, "东坪村"] and row[6] == "理论宣讲"
    _, masked = export_rows(world.county_viewer)
    assert masked[1] == v.id_number[:4] + "*" * 10 + v.id_number[-4:]
    assert masked[2] == v.phone[:3] + "****" + v.phone[-4:]
    # the township head sees only their own subtree's people
    assert [r[0] for r in export_rows(world.township_head)[1:]] == ["王五"]


def test_export_runs_a_fixed_number_of_queries(world, lists):
    platform, _ = lists
    for n in (5, 50):
        Volunteer.objects.all().delete()
        for _ in range(n):
            factories.volunteer(world.county_manager, world.village).skills.set([platform])
        with CaptureQueriesContext(connection) as queries:
            data = roster.export_workbook(Volunteer.objects.all(), world.county_viewer)
        assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]
        assert load_workbook(io.BytesIO(data)).active.max_row == n + 1


# The real worker ---------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_import_runs_on_the_worker_and_shows_its_progress(world, lists, celery_worker):
    rows = [
        person(f"志愿者{i}", born=date(1980, 1, 1) + timedelta(days=i), site="东坪村" if i % 2 else "990101102001")
        for i in range(1, 1201)
    ]
    job = services.roster_import_start(
        actor=world.county_manager,
        site=world.county,
        upload=ContentFile(xlsx(rows), name="worker.xlsx"),
        mode=ImportMode.ALL_OR_NOTHING,
    )
    try:
        seen = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            seen.add(job.processed_rows)
            if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
                break
            time.sleep(0.05)
        assert job.status == ImportStatus.DONE, (job.status, job.message, job.error_rows[:3])
        assert job.total_rows == job.processed_rows == job.created_count == 1200
        assert job.finished_at is not None and job.progress == 100
        assert seen <= {0, 500, 1000, 1200}  # progress moves in steps of 500 rows
        assert Volunteer.objects.filter(home_site__tree_id=world.county.tree_id).count() == 1200
        # a second delivery of the same task changes nothing
        from volunteers.tasks import roster_import

        assert roster_import.delay(job.pk).get(timeout=30)["status"] == ImportStatus.DONE
        assert Volunteer.objects.count() == 1200
    finally:
        job.file.delete(save=False)


@pytest.fixture
def dead_broker():
    """Point the Celery app at a port where no Redis listens (a real refusal, not a mock)."""
    from civic.celery import app

    def reset(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    reset("redis://127.0.0.1:1/15")
    yield
    reset(old)


def test_a_queue_that_is_down_refuses_the_import_and_keeps_nothing(
    world, media, dead_broker, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with pytest.raises(ValidationError) as err:
        with django_capture_on_commit_callbacks(execute=True):
            services.roster_import_start(
                actor=world.county_manager,
                site=world.county,
                upload=ContentFile(xlsx([person()]), name="r.xlsx"),
                mode=ImportMode.ALL_OR_NOTHING,
            )
    assert "queue" in err.value.messages[0]
    assert time.monotonic() - started < 10
    assert not RosterImport.objects.exists()
    assert not any(media.rglob("*.xlsx"))
