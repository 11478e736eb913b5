"""The entry point for service orders (点单): a finished order is recorded as an activity of
kind "order service" with the volunteers' attendance and hours, and confirmed through the
same path as any activity, so hours and points are counted once and in one place."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import ServicePlatform, Site
from civic import audit
from volunteers.models import Volunteer

from .. import qr
from ..models import Activity, Attendance, Kind, Method, State
from .attendance import _clean_hours, _rules, _save, confirm_rows
from .common import record_event, require
from .lifecycle import _clean

MAX_VOLUNTEERS = 200


@transaction.atomic
def activity_record_order_service(
    *,
    actor,
    site: Site,
    title: str,
    platform: ServicePlatform | None,
    started_at: datetime,
    ended_at: datetime,
    hours_by_volunteer: dict[Volunteer, Decimal],
    note: str = "",
    source: str,
) -> Activity:
    """Record a done service order as a finished activity of kind "order service" at ``site``
    (a manager of it), with each volunteer's attendance from ``started_at`` to ``ended_at``
    and the hours given, and confirm it at once: the points service credits each volunteer
    under the attendance's source key. ``source`` names the order (e.g. ``order:123``):
    recording the same source again returns the first activity and writes nothing."""
    require(actor, "manage", site, _("Only a manager of %(site)s can record its services.") % {"site": site})
    source = (source or "").strip()
    if not source or len(source) > 80:
        raise ValidationError({"source": _("Name the order this service record belongs to.")})
    existing = Activity.objects.filter(source_key=source).first()
    if existing is not None:
        return existing
    if not hours_by_volunteer:
        raise ValidationError({"hours_by_volunteer": _("Name at least one volunteer who served.")})
    if len(hours_by_volunteer) > MAX_VOLUNTEERS:
        raise ValidationError({"hours_by_volunteer": _("At most 200 volunteers in one service record.")})
    hours = {}
    for volunteer, value in hours_by_volunteer.items():
        cleaned = _clean_hours(value)
        if cleaned is None or cleaned <= 0:
            raise ValidationError({"hours_by_volunteer": _("Each volunteer's hours are more than 0 and at most 24.")})
        hours[volunteer.pk] = cleaned
    volunteers = {v.pk: v for v in Volunteer.objects.filter(pk__in=list(hours)).select_related("home_site")}
    now = timezone.now()
    activity = Activity(
        site=site,
        kind=Kind.ORDER,
        title=title,
        platform=platform,
        starts_at=started_at,
        ends_at=ended_at,
        summary=(note or "").strip(),
        description=(note or "").strip(),
        state=State.FINISHED,
        state_changed_at=now,
        source_key=source,
        organizer=actor,
        created_by=actor,
        qr_secret=qr.new_secret(),
    )
    _clean(activity)
    if ended_at > now:
        raise ValidationError({"ended_at": _("A service is recorded once it has ended.")})
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:  # the same order recorded at the same moment by someone else
        return Activity.objects.get(source_key=source)
    record_event(activity=activity, move="record", from_state="", actor=actor, at=now, note=source)
    steps = _rules(activity).hours_steps
    rows = []
    for pk in sorted(hours):
        attendance = Attendance(
            activity=activity,
            volunteer=volunteers[pk],
            signed_in_at=started_at,
            signed_out_at=ended_at,
            sign_in_method=Method.ORDER,
            sign_out_method=Method.ORDER,
            hours=hours[pk],
            hours_by_hand=True,
            marked_by=actor,
        )
        rows.append(_save(attendance, activity, steps))
    confirm_rows(actor=actor, activity=activity, rows=rows, at=now)
    audit.record(actor=actor, action="activity.record_order", obj=activity, site_id=site.pk)
    return activity
