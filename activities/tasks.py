"""Background work for activities. Tasks are thin: they take ids and call a service; each is
idempotent (running it twice gives one result)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import services
from .models import Activity, Photo, State


@shared_task(
    name="activities.tasks.photo_thumbnail",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def photo_thumbnail(photo_id: int) -> dict:
    """Make one photo's thumbnail (nothing if it has one)."""
    return {"photo": photo_id, "made": services.photo_make_thumbnail(photo_id=photo_id)}


@shared_task(name="activities.tasks.thumbnails_sweep")
def thumbnails_sweep() -> dict:
    """Beat: make the thumbnails whose task never ran (the queue was down when they came)."""
    stale = timezone.now() - timedelta(minutes=10)
    ids = list(
        Photo.objects.filter(thumbnail="", uploaded_at__lt=stale).order_by("pk").values_list("pk", flat=True)[:500]
    )
    return {"made": sum(services.photo_make_thumbnail(photo_id=pk) for pk in ids)}


@shared_task(
    name="activities.tasks.archive_build",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def archive_build(archive_id: int) -> dict:
    """Build one yearly archive; a second run finds it already claimed."""
    archive = services.archive_run(archive_id=archive_id)
    if archive is None:
        return {"archive": archive_id, "status": "missing"}
    return {"archive": archive_id, "status": archive.status}


@shared_task(name="activities.tasks.archive_requeue_stale")
def archive_requeue_stale() -> dict:
    """Beat: re-run archives whose worker died half way."""
    return {"requeued": services.archive_requeue_stale()}


@shared_task(name="activities.tasks.publish_notice", autoretry_for=(OperationalError,), max_retries=3)
def publish_notice(activity_id: int) -> dict:
    """Text the team's members that the activity is open for sign-up (once)."""
    return {"activity": activity_id, "texts": services.publish_notice_send(activity_id=activity_id)}


@shared_task(name="activities.tasks.reminders")
def reminders() -> dict:
    """Beat, daily: remind the volunteers signed up for tomorrow's activities, and send the
    publish notices whose task never ran."""
    pending = list(
        Activity.objects.filter(state=State.PUBLISHED, notified_at__isnull=True, starts_at__gt=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    notices = sum(services.publish_notice_send(activity_id=pk) for pk in pending)
    return {"reminders": services.reminders_send(), "notices": notices}


@shared_task(name="activities.tasks.quota_warnings")
def quota_warnings() -> dict:
    """Beat, on the 20th: list the sites still short of their monthly quota and text them."""
    return {"short": len(services.quota_warnings_run())}
