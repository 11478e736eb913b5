"""Archiving a site's year (按年度归档): an xlsx ledger (台账) of its activities and those
under it, and a zip of their photos and sign-in records, built by a Celery task with
progress, like a roster import: queued on commit, claimed by a conditional update, written
with its final status in one transaction, re-queued by beat if its worker died."""

from __future__ import annotations

import logging
import re
import tempfile
import zipfile
from datetime import timedelta
from functools import partial
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from centers.models import Site
from civic import audit
from civic.scope import can
from civic.xlsx import XlsxSheet

from ..models import (
    HELD_STATES,
    Activity,
    ActivityArchive,
    ActivityEvent,
    ArchiveStatus,
    Attendance,
    Kind,
    Photo,
    State,
)
from ..rules import year_span
from ..selectors.lists import attendance_export

log = logging.getLogger(__name__)

PROGRESS_EVERY = 20
STALE_AFTER = timedelta(minutes=30)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def archive_create(*, actor, site: Site, year: int) -> ActivityArchive:
    """Check who archives what and record a queued archive."""
    if actor is None or not actor.is_authenticated or not can(actor, "manage", site):
        raise PermissionDenied(_("Only a manager of %(site)s can archive its year.") % {"site": site})
    if not isinstance(year, int) or not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": _("Choose a past or the current year.")})
    busy = ActivityArchive.objects.filter(
        site=site, year=year, status__in=[ArchiveStatus.QUEUED, ArchiveStatus.RUNNING]
    )
    if busy.exists():
        raise ValidationError(_("This year's archive is being built already."))
    return ActivityArchive.objects.create(site=site, year=year, created_by=actor)


def archive_start(*, actor, site: Site, year: int) -> ActivityArchive:
    """Record the archive and queue its task once the transaction commits. If the queue is
    unreachable, the record goes again and a ValidationError says so."""
    from ..tasks import archive_build  # tasks import this module

    with transaction.atomic():
        archive = archive_create(actor=actor, site=site, year=year)
        audit.record(actor=actor, action="activity.archive_year", obj=archive, site_id=site.pk)

        def publish() -> None:
            try:
                archive_build.apply_async((archive.pk,), retry=False)
            except Exception as exc:  # kombu raises OperationalError and friends, depending on the transport
                log.warning("could not queue archive %s: %s", archive.pk, exc)
                ActivityArchive.objects.filter(pk=archive.pk, status=ArchiveStatus.QUEUED).delete()
                raise ValidationError(
                    _("The task queue is not reachable, so the archive was not started. Try again in a few minutes.")
                ) from exc

        transaction.on_commit(publish)
    return archive


def _set(archive: ActivityArchive, **fields) -> None:
    ActivityArchive.objects.filter(pk=archive.pk).update(**fields)
    for key, value in fields.items():
        setattr(archive, key, value)


def _safe(text: str) -> str:
    return _UNSAFE.sub(" ", text).strip()[:60] or "-"


def _ledger(activities: list[Activity], photo_counts: dict[int, int]) -> bytes:
    kinds = dict(Kind.choices)
    states = dict(State.choices)
    sheet = XlsxSheet(_("Activity ledger"), widths=(6, 12, 8, 8, 20, 30, 14, 12, 16, 20, 10, 10, 10, 10, 50, 8))
    sheet.append(
        [
            _("No."),
            _("Date"),
            _("Starts"),
            _("Ends"),
            _("Site"),
            _("Activity"),
            _("Kind"),
            _("Service platform"),
            _("Theme"),
            _("Place"),
            _("State"),
            _("Participants"),
            _("Hours"),
            _("People served"),
            _("Summary"),
            _("Photos"),
        ],
        style=XlsxSheet.BOLD,
    )
    for number, activity in enumerate(activities, start=1):
        start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
        sheet.append(
            [
                number,
                start.date(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
                activity.site.label,
                activity.title,
                str(kinds.get(activity.kind, activity.kind)),
                activity.platform.name if activity.platform else "",
                activity.theme,
                activity.place,
                str(states.get(activity.state, activity.state)),
                activity.attended_count,
                str(activity.hours_total),
                activity.people_served if activity.people_served is not None else "",
                activity.summary,
                photo_counts.get(activity.pk, 0),
            ]
        )
    return sheet.getvalue()


def archive_run(*, archive_id: int) -> ActivityArchive | None:
    """Build one queued archive. Claimed with a conditional update, so a second run of the
    same archive does nothing. Finished activities of the year whose attendance is all
    confirmed move to "archived" with the files, in one transaction."""
    claimed = ActivityArchive.objects.filter(pk=archive_id, status=ArchiveStatus.QUEUED).update(
        status=ArchiveStatus.RUNNING, claimed_at=timezone.now(), processed=0
    )
    archive = ActivityArchive.objects.select_related("site", "created_by").filter(pk=archive_id).first()
    if not claimed or archive is None:
        return archive
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _build(archive)
    except Exception:
        log.exception("activity archive %s failed", archive_id)
        with translation.override(settings.LANGUAGE_CODE):
            _set(
                archive,
                status=ArchiveStatus.FAILED,
                message=_("The archive stopped on an unexpected error; try again."),
                finished_at=timezone.now(),
            )
        raise
    return archive


def _build(archive: ActivityArchive) -> None:
    site = Site.objects.get(pk=archive.site_id)
    start, end = year_span(archive.year)
    activities = list(
        Activity.objects.in_subtree(site)
        .filter(starts_at__gte=start, starts_at__lt=end, state__in=HELD_STATES)
        .select_related("site", "platform")
        .order_by("starts_at", "pk")
    )
    _set(archive, total=len(activities))
    photos_by_activity: dict[int, list[Photo]] = {}
    for photo in Photo.objects.filter(activity__in=[a.pk for a in activities]).order_by("activity_id", "pk"):
        photos_by_activity.setdefault(photo.activity_id, []).append(photo)
    counts = {pk: len(items) for pk, items in photos_by_activity.items()}
    ledger = _ledger(activities, counts)
    stem = f"{_safe(site.label)}-{archive.year}"
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr(f"{stem}-{_('ledger')}.xlsx", ledger)
            records = Attendance.objects.filter(activity__in=[a.pk for a in activities])
            bundle.writestr(f"{stem}-{_('attendance')}.xlsx", attendance_export(records))
            for done, activity in enumerate(activities, start=1):
                folder = f"{timezone.localtime(activity.starts_at):%Y-%m-%d} {_safe(activity.title)} ({activity.pk})"
                for number, photo in enumerate(photos_by_activity.get(activity.pk, ()), start=1):
                    suffix = PurePosixPath(photo.image.name or "").suffix or ".jpg"
                    try:
                        with photo.image.open("rb") as handle:
                            bundle.writestr(f"{folder}/{number:02d}{suffix}", handle.read(), zipfile.ZIP_STORED)
                    except FileNotFoundError:
                        log.warning("photo %s of activity %s is missing its file", photo.pk, activity.pk)
                if done % PROGRESS_EVERY == 0:
                    _set(archive, processed=done)
        spool.seek(0)
        with transaction.atomic():
            archive.ledger.save(f"{stem}.xlsx", ContentFile(ledger), save=False)
            archive.photos.save(f"{stem}.zip", File(spool), save=False)
            now = timezone.now()
            unconfirmed = Attendance.objects.filter(activity__in=[a.pk for a in activities], confirmed_at__isnull=True)
            waiting = set(unconfirmed.values_list("activity_id", flat=True))
            to_archive = [a for a in activities if a.state == State.FINISHED and a.pk not in waiting]
            moved = Activity.objects.filter(pk__in=[a.pk for a in to_archive], state=State.FINISHED).update(
                state=State.ARCHIVED, state_changed_at=now
            )
            ActivityEvent.objects.bulk_create(
                ActivityEvent(
                    activity=a,
                    move="archive",
                    from_state=State.FINISHED,
                    to_state=State.ARCHIVED,
                    actor=archive.created_by,
                    at=now,
                    note=_("yearly archive"),
                )
                for a in to_archive
            )
            message = _("%(n)s activities in the ledger; %(moved)s archived.") % {"n": len(activities), "moved": moved}
            if waiting:
                message += " " + _("%(n)s still have attendance to confirm and stay open.") % {"n": len(waiting)}
            _set(
                archive,
                status=ArchiveStatus.DONE,
                processed=len(activities),
                ledger=archive.ledger.name,
                photos=archive.photos.name,
                message=message,
                finished_at=now,
            )


def archive_requeue_stale(*, now=None) -> list[int]:
    """Put back in the queue the archives whose worker died while building them (they wrote
    nothing: files and states are written at the end, in one transaction)."""
    from ..tasks import archive_build  # tasks import this module

    limit = (now or timezone.now()) - STALE_AFTER
    requeued = []
    for pk in list(
        ActivityArchive.objects.filter(status=ArchiveStatus.RUNNING, claimed_at__lt=limit).values_list("pk", flat=True)
    ):
        if ActivityArchive.objects.filter(pk=pk, status=ArchiveStatus.RUNNING, claimed_at__lt=limit).update(
            status=ArchiveStatus.QUEUED, processed=0, claimed_at=None
        ):
            requeued.append(pk)
            transaction.on_commit(partial(archive_build.apply_async, (pk,), retry=False))
    return requeued
