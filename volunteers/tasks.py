"""Background work for volunteers. Tasks are thin: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="volunteers.tasks.roster_import",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def roster_import(import_id: int) -> dict:
    """Check and write one uploaded roster (see ``services.roster_import_run``). Running it
    twice for one import gives one result: the second run finds the import already claimed."""
    result = services.roster_import_run(import_id=import_id)
    if result is None:
        return {"import": import_id, "status": "missing"}
    return {"import": import_id, "status": result.status, "created": result.created_count}


@shared_task(name="volunteers.tasks.roster_import_requeue_stale")
def roster_import_requeue_stale() -> dict:
    """Beat: re-run imports whose worker died half way (see ``services.roster_import_requeue_stale``)."""
    return {"requeued": services.roster_import_requeue_stale()}
