"""Roster imports: store an upload and queue it, run it (check every row, write in bulk, report),
and re-queue an import whose worker died. The file format lives in ``volunteers.roster``."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from centers.models import Site
from civic import audit
from civic.scope import can
from civic.sheets import SUFFIXES

from ..models import ImportMode, ImportStatus, RosterImport, Volunteer
from ..roster import CheckedRow, check_rows, check_upload, error_report, read_rows
from ..roster.checking import ERROR_LANGUAGE
from .common import Actor

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
STALE_AFTER = timedelta(minutes=30)


def roster_import_create(*, actor: Actor, site: Site, upload: Any, mode: str) -> RosterImport:
    """Check who imports where and that the upload is a readable roster with rows, then store
    it under ``rosters/`` and record a queued import. Nothing is stored for a refused file."""
    if actor is None or not actor.is_authenticated or not can(actor, "add", site):
        raise PermissionDenied(_("Only a manager of %(site)s can import volunteers there.") % {"site": site})
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Choose how to treat rows with errors.")})
    name = Path(getattr(upload, "name", "") or "roster").name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise ValidationError({"file": _("Upload the roster as an xlsx workbook or a CSV file.")})
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    if isinstance(upload, (bytes, bytearray)):
        upload = ContentFile(bytes(upload), name=name)
    check_upload(upload, name)
    roster = RosterImport(created_by=actor, site=site, mode=mode, original_name=name[:200])
    roster.file.save(name, upload, save=False)
    roster.save()
    return roster


def roster_import_start(*, actor: Actor, site: Site, upload: Any, mode: str) -> RosterImport:
    """Store the upload and queue the import task once the transaction commits.

    If the task cannot be published (Redis down), the import record and its file are
    removed again and a ValidationError says so."""
    from ..tasks import roster_import  # tasks import this module

    with transaction.atomic():
        roster = roster_import_create(actor=actor, site=site, upload=upload, mode=mode)

        def publish() -> None:
            try:
                roster_import.apply_async((roster.pk,), retry=False)
            except Exception as exc:  # kombu raises OperationalError and friends, depending on the transport
                log.warning("could not queue roster import %s: %s", roster.pk, exc)
                roster.file.delete(save=False)
                RosterImport.objects.filter(pk=roster.pk, status=ImportStatus.QUEUED).delete()
                raise ValidationError(
                    _("The task queue is not reachable, so the import was not started. Try again in a few minutes.")
                ) from exc

        transaction.on_commit(publish)
    return roster


def _set(roster: RosterImport, **fields: Any) -> None:
    RosterImport.objects.filter(pk=roster.pk).update(**fields)
    for key, value in fields.items():
        setattr(roster, key, value)


def _write_volunteers(*, actor: Actor, roster: RosterImport, checked: list[CheckedRow]) -> int:
    """Write the good rows in bulk (volunteers, then their skills) inside the caller's
    transaction, with one audit entry. Returns how many volunteers were created."""
    good = [c for c in checked if c.volunteer is not None]
    try:
        with transaction.atomic():
            Volunteer.objects.bulk_create([c.volunteer for c in good if c.volunteer is not None], batch_size=2000)
    except IntegrityError:
        raise ValidationError(
            _("Some of these ID numbers were registered while the import ran; upload the file again.")
        ) from None
    Through = Volunteer.skills.through
    Through.objects.bulk_create(
        [
            Through(volunteer_id=c.volunteer.pk, serviceplatform_id=p)
            for c in good
            if c.volunteer is not None
            for p in c.skill_ids
        ],
        batch_size=5000,
    )
    bad = len(checked) - len(good)
    audit.record(
        actor=actor,
        action="volunteer.import",
        obj=roster,
        site_id=roster.site_id,
        changes={"rows": (None, len(checked)), "created": (None, len(good)), "rejected": (None, bad)},
    )
    return len(good)


def roster_import_run(*, import_id: int) -> RosterImport | None:
    """Run one queued import: read, check every row, write (or not), report.

    Claims the import with an optimistic update, so a second run of the same import does nothing."""
    claimed = RosterImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, claimed_at=timezone.now()
    )
    roster = RosterImport.objects.select_related("site", "created_by").filter(pk=import_id).first()
    if not claimed or roster is None:
        return roster
    actor = roster.created_by
    try:
        with translation.override(ERROR_LANGUAGE):
            with roster.file.open("rb") as handle:
                rows = read_rows(handle, roster.original_name or roster.file.name or "")
            _set(roster, total_rows=len(rows))
            checked = check_rows(
                actor=actor, scope=roster.site, rows=rows, progress=lambda n: _set(roster, processed_rows=n)
            )
            errors = error_report(checked)
            if errors and roster.mode == ImportMode.ALL_OR_NOTHING:
                _set(
                    roster,
                    status=ImportStatus.FAILED,
                    error_rows=errors,
                    finished_at=timezone.now(),
                    message=_("%(n)s rows have errors, so nothing was written. Correct them and upload again.")
                    % {"n": len(errors)},
                )
                return roster
            _set(roster, status=ImportStatus.WRITING)
            with transaction.atomic():
                created = _write_volunteers(actor=actor, roster=roster, checked=checked)
                message = _("%(created)s volunteers imported.") % {"created": created}
                if errors:
                    message += " " + _("%(n)s rows with errors were skipped.") % {"n": len(errors)}
                _set(
                    roster,
                    status=ImportStatus.DONE,
                    created_count=created,
                    error_rows=errors,
                    message=message,
                    finished_at=timezone.now(),
                )
    except ValidationError as exc:
        with translation.override(ERROR_LANGUAGE):
            _set(roster, status=ImportStatus.FAILED, message=" ".join(exc.messages), finished_at=timezone.now())
    except Exception:
        log.exception("roster import %s failed", import_id)
        with translation.override(ERROR_LANGUAGE):
            _set(
                roster,
                status=ImportStatus.FAILED,
                message=_("The import stopped on an unexpected error; nothing was written."),
                finished_at=timezone.now(),
            )
        raise
    return roster


def roster_import_requeue_stale(*, now: datetime | None = None) -> list[int]:
    """Put back in the queue the imports whose worker died while checking or writing them.

    Writing happens in one transaction together with the final status, so an import still
    marked as checking or writing long after it started has written nothing: running it
    again from the start loses nothing and duplicates nothing."""
    from ..tasks import roster_import  # tasks import this module

    limit = (now or timezone.now()) - STALE_AFTER
    running = [ImportStatus.VALIDATING, ImportStatus.WRITING]
    stale = list(RosterImport.objects.filter(status__in=running, claimed_at__lt=limit).values_list("pk", flat=True))
    requeued = []
    for pk in stale:
        if RosterImport.objects.filter(pk=pk, status__in=running, claimed_at__lt=limit).update(
            status=ImportStatus.QUEUED, processed_rows=0, claimed_at=None
        ):
            requeued.append(pk)
            transaction.on_commit(partial(roster_import.apply_async, (pk,), retry=False))
    return requeued
