"""Thumbnails and the yearly archive, built by the real Celery worker (queued on commit,
claimed once, with progress), and the beat entries that drive the rest."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from activities import services
from activities.models import Activity, ActivityArchive, ArchiveStatus, Photo, State
from activities.tasks import archive_build
from civic.celery import app as celery_app

from .conftest import image_bytes, upload

ZONE = timezone.get_current_timezone()


def wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the worker did not finish in time")


def test_the_beat_schedule_names_the_activity_tasks():
    tasks = {entry["task"]: entry for entry in celery_app.conf.beat_schedule.values()}
    assert tasks["activities.tasks.quota_warnings"]["schedule"].day_of_month == {20}
    assert tasks["activities.tasks.reminders"]["schedule"].hour == {8}
    assert {"activities.tasks.thumbnails_sweep", "activities.tasks.archive_requeue_stale"} <= set(tasks)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_thumbnails_and_builds_the_archive(world, person, celery_worker):
    made = []
    try:
        people = [person(name=f"志愿者{i}") for i in range(3)]
        activities = []
        for month in (3, 4, 5):
            start = datetime(2026, month, 12, 9, tzinfo=ZONE)
            activity = services.activity_create(
                actor=world.admin, site=world.village, title=f"{month}月主题活动", starts_at=start,
                ends_at=start + timedelta(hours=2),
            )  # fmt: skip
            for move in ("submit", "approve", "publish"):
                services.activity_move(actor=world.admin, activity=activity, move=move)
            for v in people:
                services.attendance_mark(
                    actor=world.admin,
                    activity=activity,
                    volunteer=v,
                    signed_in_at=start,
                    signed_out_at=activity.ends_at,
                )
            for n in range(2):
                photo = services.photo_add(
                    actor=world.admin, activity=activity, image=upload(image_bytes("JPEG", size=(900, 600))),
                    caption=f"第{n + 1}张",
                )  # fmt: skip
                made += [photo.image.name]
            services.activity_finish(actor=world.admin, activity=activity, summary="顺利", people_served=30)
            activities.append(activity)
        for activity in activities[:2]:
            services.attendance_confirm(actor=world.admin, activity=activity)

        # thumbnails: queued on commit, made by the worker
        wait_for(lambda: not Photo.objects.filter(thumbnail="").exists())
        made += list(Photo.objects.values_list("thumbnail", flat=True))

        archive = services.archive_start(actor=world.township_head, site=world.township, year=2026)
        seen = set()

        def done():
            archive.refresh_from_db()
            seen.add(archive.processed)
            return archive.status in (ArchiveStatus.DONE, ArchiveStatus.FAILED)

        wait_for(done)
        made += [archive.ledger.name, archive.photos.name]
        assert archive.status == ArchiveStatus.DONE, archive.message
        assert (archive.total, archive.processed, archive.progress) == (3, 3, 100)
        with archive.ledger.open("rb") as handle:
            sheet = load_workbook(io.BytesIO(handle.read())).active
        assert sheet.max_row == 4 and sheet.cell(row=2, column=6).value == "3月主题活动"
        with archive.photos.open("rb") as handle:
            bundle = zipfile.ZipFile(io.BytesIO(handle.read()))
        names = bundle.namelist()
        assert sum(name.endswith(".jpg") for name in names) == 6
        assert sum(name.endswith(".xlsx") for name in names) == 2
        states = dict(Activity.objects.values_list("pk", "state"))
        assert [states[a.pk] for a in activities] == [State.ARCHIVED, State.ARCHIVED, State.FINISHED]
        assert "1" in archive.message  # one still has attendance to confirm
        # a second delivery of the same task changes nothing
        assert archive_build.delay(archive.pk).get(timeout=30)["status"] == ArchiveStatus.DONE
        assert ActivityArchive.objects.get(pk=archive.pk).finished_at == archive.finished_at
    finally:
        from django.core.files.storage import default_storage

        for name in made:
            if name:
                default_storage.delete(name)
