"""Attendance: sign-in and sign-out by QR code, marking by hand, the flags for review, hours
by the county's rule, and the confirmation that credits hours and points exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civic import audit
from points import services as points
from points.models import Entry
from volunteers.models import Status, Volunteer

from .. import qr
from ..models import Activity, Attendance, Flag, Kind, Method, State
from ..rules import (
    LONG_TOLERANCE,
    SIGN_IN_CLOSES,
    SIGN_IN_OPENS,
    distance_m,
    minutes_between,
    round_hours,
    settings_for,
)
from .common import is_family, now_or, require

SIGN_IN_STATES = (State.PUBLISHED, State.UNDER_WAY)
MARK_STATES = (State.PUBLISHED, State.UNDER_WAY, State.FINISHED)
MAX_HOURS = Decimal("24")  # the ledger's limit for one entry
OVERLAP_REACH = timedelta(days=8)  # activities last at most seven days
SOURCE_PREFIX = "activity-attendance"


@dataclass(frozen=True)
class Location:
    """Where the phone was (browser geolocation), in degrees."""

    latitude: Decimal
    longitude: Decimal


def source_key(attendance: Attendance, round_: int) -> str:
    """The ledger's source key of an attendance's credit: one per confirmation round, so a
    credit reversed by un-confirming can be paid again by confirming again."""
    key = f"{SOURCE_PREFIX}:{attendance.pk}"
    return key if round_ <= 1 else f"{key}:{round_}"


def _rules(activity: Activity):
    return settings_for(activity.site, timezone.localtime(activity.starts_at).date())


def _local(at: datetime) -> str:
    return date_format(timezone.localtime(at), "Y-m-d H:i")


def _check_window(activity: Activity, at: datetime) -> None:
    opens, closes = activity.starts_at - SIGN_IN_OPENS, activity.ends_at + SIGN_IN_CLOSES
    if not opens <= at <= closes:
        raise ValidationError(
            {
                "token": _("Sign-in for this activity is open from %(opens)s to %(closes)s.")
                % {"opens": _local(opens), "closes": _local(closes)}
            }
        )


def _end_of(attendance: Attendance, activity: Activity) -> datetime:
    """Where an attendance ends: its sign-out, else the activity's end (never before its start)."""
    end = attendance.signed_out_at or activity.ends_at
    return max(end, attendance.signed_in_at or end)


def _own_flags(attendance: Attendance, activity: Activity) -> set[str]:
    """The flags an attendance raises by itself: sign-in far outside the activity's time
    (more than an hour before its start or after its end, or sign-out more than two hours
    after its end), and a duration beyond the activity's span by more than 30 minutes. The
    place flags are set at sign-in; the overlap flag by ``_refresh_overlaps``."""
    flags = {f for f in attendance.flags if f in (Flag.PLACE_FAR, Flag.PLACE_UNKNOWN, Flag.OVERLAP)}
    start, end = attendance.signed_in_at or activity.starts_at, attendance.signed_out_at
    if start < activity.starts_at - SIGN_IN_OPENS or start > activity.ends_at:
        flags.add(Flag.TIME)
    if end is not None and end > activity.ends_at + SIGN_IN_CLOSES:
        flags.add(Flag.TIME)
    if end is not None and end - start > (activity.ends_at - activity.starts_at) + LONG_TOLERANCE:
        flags.add(Flag.LONG)
    return flags


def _refresh_overlaps(volunteer_id: int, around: datetime) -> None:
    """Set the overlap flag on exactly those of a volunteer's attendances (near ``around``)
    whose time overlaps another of their attendances at a different activity (2 queries)."""
    rows = list(
        Attendance.objects.filter(
            volunteer_id=volunteer_id,
            signed_in_at__isnull=False,
            signed_in_at__gte=around - OVERLAP_REACH,
            signed_in_at__lte=around + OVERLAP_REACH,
        )
        .exclude(activity__state=State.CANCELLED)
        .select_related("activity")
    )
    spans = [(row, row.signed_in_at or row.activity.starts_at, _end_of(row, row.activity)) for row in rows]
    changed = []
    for row, start, end in spans:
        overlaps = any(o is not row and o_start < end and start < o_end for o, o_start, o_end in spans)
        flags = set(row.flags)
        flags.discard(Flag.OVERLAP)
        if overlaps:
            flags.add(Flag.OVERLAP)
        if sorted(flags) != sorted(row.flags):
            row.flags = sorted(flags)
            changed.append(row)
    if changed:
        Attendance.objects.bulk_update(changed, ["flags"])


def _hours(attendance: Attendance, activity: Activity, steps) -> Decimal:
    if attendance.signed_in_at is None or attendance.signed_out_at is None:
        return Decimal("0.00")
    cap = activity.hours_cap if activity.hours_cap is not None else MAX_HOURS
    return round_hours(minutes_between(attendance.signed_in_at, attendance.signed_out_at), steps, min(cap, MAX_HOURS))


def _save(attendance: Attendance, activity: Activity, steps) -> Attendance:
    # One volunteer's attendances are written one at a time, so that two sign-ins at once at
    # two activities still see each other's overlap.
    list(Volunteer.objects.select_for_update().filter(pk=attendance.volunteer_id).values_list("pk", flat=True))
    attendance.flags = sorted(_own_flags(attendance, activity))
    if not attendance.hours_by_hand:
        attendance.hours = _hours(attendance, activity, steps)
    attendance.save()
    _refresh_overlaps(attendance.volunteer_id, attendance.signed_in_at or activity.starts_at)
    attendance.refresh_from_db(fields=["flags"])
    return attendance


def _locked(activity: Activity) -> Activity:
    return Activity.objects.select_for_update(of=("self",)).select_related("site").get(pk=activity.pk)


def _position(location: Location | None) -> tuple[Decimal, Decimal] | None:
    if location is None:
        return None
    try:
        lat, lon = Decimal(str(location.latitude)), Decimal(str(location.longitude))
    except InvalidOperation:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))


def _check_volunteer(actor, volunteer: Volunteer) -> Volunteer:
    volunteer = Volunteer.objects.select_related("home_site").get(pk=volunteer.pk)
    if not is_family(actor, volunteer):
        raise PermissionDenied(_("You can sign in only yourself or your family on this phone."))
    if volunteer.status != Status.ACTIVE:
        raise ValidationError(_("Only an active volunteer can sign in."))
    return volunteer


@transaction.atomic
def attendance_sign_in(
    *,
    actor,
    activity: Activity,
    volunteer: Volunteer,
    token: str,
    at: datetime | None = None,
    location: Location | None = None,
) -> Attendance:
    """A volunteer (or one of the family on this phone) signs in with the activity's code.
    The time is recorded; where the activity has coordinates and the county checks, the
    phone's location is compared with the radius: outside or unknown is recorded and
    flagged, never refused. Signing in again changes nothing."""
    at = now_or(at)
    activity = _locked(activity)
    rules = _rules(activity)
    kind = qr.check(activity, token, at, static_allowed=rules.static_qr_allowed)
    volunteer = _check_volunteer(actor, volunteer)
    if activity.state not in SIGN_IN_STATES:
        raise ValidationError(_("Sign-in is open while the activity is published or under way."))
    _check_window(activity, at)
    attendance = Attendance.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if attendance is not None and attendance.signed_in_at is not None:
        return attendance
    attendance = attendance or Attendance(activity=activity, volunteer=volunteer)
    attendance.signed_in_at = at
    attendance.sign_in_method = Method.QR_STATIC if kind == qr.STATIC else Method.QR_ROTATING
    flags = set()
    # The phone's position is kept only where it is checked (a county's choice, an activity
    # with coordinates): personal data is not collected for nothing.
    if rules.geo_check and activity.latitude is not None:
        where = _position(location)
        if where is None:
            flags.add(Flag.PLACE_UNKNOWN)
        else:
            attendance.latitude, attendance.longitude = where
            attendance.distance = distance_m(activity.latitude, activity.longitude, *where)
            if attendance.distance > rules.geo_radius:
                flags.add(Flag.PLACE_FAR)
    attendance.flags = sorted(flags)
    attendance = _save(attendance, activity, rules.hours_steps)
    audit.record(actor=actor, action="activity.sign_in", obj=attendance, site_id=activity.site_id)
    return attendance


@transaction.atomic
def attendance_sign_out(
    *, actor, activity: Activity, volunteer: Volunteer, token: str, at: datetime | None = None
) -> Attendance:
    """Sign out with the activity's code; the hours follow from the county's rule."""
    at = now_or(at)
    activity = _locked(activity)
    rules = _rules(activity)
    qr.check(activity, token, at, static_allowed=rules.static_qr_allowed)
    volunteer = _check_volunteer(actor, volunteer)
    if activity.state not in SIGN_IN_STATES:
        raise ValidationError(_("Sign-out is open while the activity is published or under way."))
    _check_window(activity, at)
    attendance = Attendance.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if attendance is None or attendance.signed_in_at is None:
        raise ValidationError(_("Sign in first."))
    if attendance.confirmed_at is not None:
        raise ValidationError(_("This attendance is already confirmed."))
    if attendance.signed_out_at is not None:
        return attendance
    attendance.signed_out_at = max(at, attendance.signed_in_at)
    attendance.sign_out_method = Method.QR_STATIC if token.startswith(f"{qr.STATIC}.") else Method.QR_ROTATING
    attendance = _save(attendance, activity, rules.hours_steps)
    audit.record(actor=actor, action="activity.sign_out", obj=attendance, site_id=activity.site_id)
    return attendance


def _clean_hours(hours) -> Decimal | None:
    if hours is None or hours == "":
        return None
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({"hours": _("Enter the hours as a number, e.g. 2.5.")}) from None
    if not Decimal("0") <= value <= MAX_HOURS:
        raise ValidationError({"hours": _("Service hours are from 0 to 24.")})
    return value


@transaction.atomic
def attendance_mark(
    *,
    actor,
    activity: Activity,
    volunteer: Volunteer,
    signed_in_at: datetime,
    signed_out_at: datetime | None = None,
    hours: Decimal | None = None,
    note: str = "",
) -> Attendance:
    """Staff mark (or correct) a volunteer's attendance by hand — for the elderly without a
    phone. Hours follow from the times unless given; a confirmed attendance is un-confirmed
    before it changes."""
    activity = _locked(activity)
    require(
        actor, "manage", activity.site, _("Only a manager of %(site)s can mark attendance.") % {"site": activity.site}
    )
    if activity.state not in MARK_STATES:
        raise ValidationError(_("Attendance is marked while the activity is published, under way or just finished."))
    volunteer = Volunteer.objects.select_related("home_site").get(pk=volunteer.pk)
    if volunteer.status != Status.ACTIVE:
        raise ValidationError({"volunteer": _("Only an active volunteer can be marked present.")})
    if not isinstance(signed_in_at, datetime):
        raise ValidationError({"signed_in_at": _("Give the time of sign-in.")})
    if signed_out_at is not None and signed_out_at < signed_in_at:
        raise ValidationError({"signed_out_at": _("Sign-out cannot come before sign-in.")})
    value = _clean_hours(hours)
    attendance = Attendance.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if attendance is not None and attendance.confirmed_at is not None:
        raise ValidationError(_("This attendance is confirmed; un-confirm it before changing it."))
    attendance = attendance or Attendance(activity=activity, volunteer=volunteer)
    attendance.signed_in_at = signed_in_at
    attendance.signed_out_at = signed_out_at
    attendance.sign_in_method = Method.STAFF
    attendance.sign_out_method = Method.STAFF if signed_out_at else ""
    attendance.hours_by_hand = value is not None
    if value is not None:
        attendance.hours = value
    attendance.note = (note or "").strip()[:200]
    attendance.marked_by = actor
    attendance = _save(attendance, activity, _rules(activity).hours_steps)
    audit.record(actor=actor, action="activity.attendance_mark", obj=attendance, site_id=activity.site_id)
    return attendance


@dataclass(frozen=True)
class Confirmed:
    confirmed: int
    credited: int
    hours: Decimal


def _refresh_totals(activity: Activity) -> None:
    totals = Attendance.objects.filter(activity=activity, confirmed_at__isnull=False).aggregate(
        n=Count("pk"), hours=Coalesce(Sum("hours"), Decimal("0"))
    )
    Activity.objects.filter(pk=activity.pk).update(attended_count=totals["n"], hours_total=totals["hours"])
    activity.attended_count, activity.hours_total = totals["n"], totals["hours"]


def confirm_rows(*, actor, activity: Activity, rows: list[Attendance], at: datetime) -> Confirmed:
    """Confirm the given (locked, unconfirmed) attendance of a locked activity and credit their
    hours and points through the points service, each under its own source key."""
    steps = _rules(activity).hours_steps
    service_date = timezone.localtime(activity.starts_at).date()
    credited, hours_total = 0, Decimal("0")
    for attendance in rows:
        if attendance.signed_out_at is None:
            attendance.signed_out_at = max(attendance.signed_in_at or activity.ends_at, activity.ends_at)
            attendance.sign_out_method = Method.CLOSING
            attendance.flags = sorted(_own_flags(attendance, activity))
        if not attendance.hours_by_hand:
            attendance.hours = _hours(attendance, activity, steps)
        attendance.credit_round += 1
        key = source_key(attendance, attendance.credit_round)
        entry = None
        if attendance.hours > 0:
            entry = points.points_credit(
                actor=actor,
                volunteer=attendance.volunteer,
                source_key=key,
                hours=attendance.hours,
                site=activity.site,
                service_date=service_date,
                theme=activity.kind == Kind.THEME,
                note=activity.title[:200],
            )
            credited += 1
            hours_total += attendance.hours
        attendance.entry = entry
        attendance.source_key = key if entry is not None else ""
        attendance.confirmed_at = at
        attendance.confirmed_by = actor
        attendance.save()
    _refresh_totals(activity)
    return Confirmed(len(rows), credited, hours_total)


@transaction.atomic
def attendance_confirm(*, actor, activity: Activity, at: datetime | None = None) -> Confirmed:
    """Confirm the whole list of a finished activity in one action: every attendance not yet
    confirmed is counted (to the activity's end if nobody signed it out) and its hours and
    points are credited once. Confirming again confirms nothing twice."""
    at = now_or(at)
    activity = _locked(activity)
    require(
        actor,
        "manage",
        activity.site,
        _("Only a manager of %(site)s can confirm attendance.") % {"site": activity.site},
    )
    if activity.state == State.CANCELLED:
        raise ValidationError(_("This activity was cancelled; there is no attendance to confirm."))
    if activity.state != State.FINISHED:
        raise ValidationError(_("Attendance is confirmed once the activity is finished."))
    rows = list(
        Attendance.objects.select_for_update(of=("self",))
        .filter(activity=activity, confirmed_at__isnull=True, signed_in_at__isnull=False)
        .select_related("volunteer__home_site")
        .order_by("pk")
    )
    result = confirm_rows(actor=actor, activity=activity, rows=rows, at=at)
    if rows:
        audit.record(
            actor=actor,
            action="activity.confirm",
            obj=activity,
            site_id=activity.site_id,
            changes={"confirmed": (0, result.confirmed), "hours": ("0", str(result.hours))},
        )
    return result


@transaction.atomic
def attendance_unconfirm(*, actor, activity: Activity, reason: str, attendances: list[Attendance] | None = None) -> int:
    """Take back the confirmation of a finished activity's attendance (all, or the given
    ones): each credit is reversed in the ledger by a new entry. Returns how many."""
    activity = _locked(activity)
    require(
        actor,
        "manage",
        activity.site,
        _("Only a manager of %(site)s can confirm attendance.") % {"site": activity.site},
    )
    if activity.state != State.FINISHED:
        raise ValidationError(_("Only a finished (not yet archived) activity's attendance can be un-confirmed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    confirmed = Attendance.objects.select_for_update(of=("self",)).filter(activity=activity, confirmed_at__isnull=False)
    if attendances is not None:
        confirmed = confirmed.filter(pk__in=[a.pk for a in attendances])
    rows = list(confirmed.order_by("pk"))
    for attendance in rows:
        if attendance.source_key:
            key = attendance.source_key
            for entry in Entry.objects.filter(
                Q(source_key=key) | Q(source_key__in=[f"{key}:theme", f"{key}:rating"]),
                reversed_by__isnull=True,
            ).order_by("pk"):
                points.points_reverse(actor=actor, entry=entry, reason=reason)
        attendance.confirmed_at = None
        attendance.confirmed_by = None
        attendance.entry = None
        attendance.save(update_fields=["confirmed_at", "confirmed_by", "entry"])
    _refresh_totals(activity)
    if rows:
        audit.record(
            actor=actor,
            action="activity.unconfirm",
            obj=activity,
            site_id=activity.site_id,
            changes={"unconfirmed": (0, len(rows)), "reason": ("", reason)},
        )
    return len(rows)
