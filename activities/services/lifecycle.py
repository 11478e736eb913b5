"""Creating and changing draft activities, and moving them through the transition table."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from centers.models import ServicePlatform, Site
from centers.selectors import platforms_for
from civic import audit, nested, sms
from volunteers.models import Team

from .. import qr
from ..lifecycle import APPROVER, MOVES, timing_problem
from ..models import Activity, AnnualPlan, BrandProject, Kind, Photo, SignUpStatus, State
from .common import may_approve, now_or, record_event, require

log = logging.getLogger(__name__)

MAX_LENGTH = timedelta(days=7)
MAX_CAPACITY = 100_000
MAX_HOURS_CAP = Decimal("24")


class Keep:
    """The value of an argument that was not given: the field keeps its value."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = Keep()
EDITABLE = [
    "title",
    "kind",
    "theme",
    "place",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "capacity",
    "description",
    "hours_cap",
    "team_id",
    "platform_id",
    "brand_project_id",
    "plan_id",
    "organizer_id",
]


def _decimal(value, field: str, message: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: message}) from None


def _inside(site: Site, root: Site) -> bool:
    return nested.contains(root, site)


def _clean(activity: Activity) -> None:
    """Check an activity's fields; raise one ValidationError naming every problem."""
    errors: dict[str, str] = {}
    activity.title = (activity.title or "").strip()
    activity.theme = (activity.theme or "").strip()
    activity.place = (activity.place or "").strip()
    if not activity.title or len(activity.title) > 200:
        errors["title"] = _("Give the activity a title (up to 200 characters).")
    if activity.kind not in Kind.values:
        errors["kind"] = _("Unknown kind of activity.")
    if len(activity.theme) > 100:
        errors["theme"] = _("The theme is at most 100 characters.")
    if len(activity.place) > 200:
        errors["place"] = _("The place is at most 200 characters.")
    if not isinstance(activity.starts_at, datetime) or not isinstance(activity.ends_at, datetime):
        errors["starts_at"] = _("Give the start and the end.")
    elif activity.ends_at <= activity.starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    elif activity.ends_at - activity.starts_at > MAX_LENGTH:
        errors["ends_at"] = _("An activity lasts at most seven days.")
    if activity.capacity is not None and not (
        isinstance(activity.capacity, int) and 1 <= activity.capacity <= MAX_CAPACITY
    ):
        errors["capacity"] = _("The number of volunteers needed is from 1 to 100,000 (or empty for no limit).")
    lat = _decimal(activity.latitude, "latitude", _("Enter the latitude as a number."))
    lon = _decimal(activity.longitude, "longitude", _("Enter the longitude as a number."))
    if (lat is None) != (lon is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    elif lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        errors["latitude"] = _("These coordinates are not on the earth.")
    else:
        activity.latitude = lat.quantize(Decimal("0.000001")) if lat is not None else None
        activity.longitude = lon.quantize(Decimal("0.000001")) if lon is not None else None
    cap = _decimal(activity.hours_cap, "hours_cap", _("Enter the hours cap as a number."))
    if cap is not None and not Decimal("0") < cap <= MAX_HOURS_CAP:
        errors["hours_cap"] = _("The hours cap is more than 0 and at most 24.")
    activity.hours_cap = cap
    site = activity.site
    if not site.is_active:
        errors["site"] = _("This site is not active.")
    if activity.team_id is not None:
        team = Team.objects.select_related("site").get(pk=activity.team_id)
        if not (_inside(site, team.site) or _inside(team.site, site)):
            errors["team"] = _("The team belongs to a site above or below this one.")
    if activity.platform_id is not None and not platforms_for(site).filter(pk=activity.platform_id).exists():
        errors["platform"] = _("This service platform is not offered here.")
    if activity.brand_project_id is not None:
        project = BrandProject.objects.select_related("site").get(pk=activity.brand_project_id)
        if not _inside(site, project.site):
            errors["brand_project"] = _("The brand project belongs to a site above or below this one.")
    if activity.plan_id is not None and "starts_at" not in errors:
        plan = AnnualPlan.objects.get(pk=activity.plan_id)
        if plan.site_id != site.pk or plan.year != timezone.localtime(activity.starts_at).year:
            errors["plan"] = _("The plan is this site's plan of the activity's year.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_create(
    *,
    actor,
    site: Site,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    kind: str = Kind.REGULAR,
    team: Team | None = None,
    platform: ServicePlatform | None = None,
    brand_project: BrandProject | None = None,
    plan: AnnualPlan | None = None,
    theme: str = "",
    place: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    capacity: int | None = None,
    description: str = "",
    hours_cap: Decimal | None = None,
    organizer=None,
    at: datetime | None = None,
) -> Activity:
    """A new draft activity at ``site`` (a manager of the site). The organizer is the actor
    unless another user is named."""
    require(actor, "add", site, _("You cannot plan activities at %(site)s.") % {"site": site})
    if kind == Kind.ORDER:
        raise ValidationError({"kind": _("Order services are recorded from their orders.")})
    at = now_or(at)
    activity = Activity(
        site=site,
        title=title,
        kind=kind,
        team=team,
        platform=platform,
        brand_project=brand_project,
        plan=plan,
        theme=theme,
        place=place,
        latitude=latitude,
        longitude=longitude,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        description=(description or "").strip(),
        hours_cap=hours_cap,
        organizer=organizer if organizer is not None else actor,
        state=State.DRAFT,
        state_changed_at=at,
        qr_secret=qr.new_secret(),
        created_by=actor,
    )
    _clean(activity)
    activity.save()
    record_event(activity=activity, move="create", from_state="", actor=actor, at=at)
    audit.record(actor=actor, action="activity.create", obj=activity, site_id=site.pk)
    return activity


@transaction.atomic
def activity_update(
    *,
    actor,
    activity: Activity,
    title: str = KEEP,
    kind: str = KEEP,
    theme: str = KEEP,
    place: str = KEEP,
    latitude: Decimal | None = KEEP,
    longitude: Decimal | None = KEEP,
    starts_at: datetime = KEEP,
    ends_at: datetime = KEEP,
    capacity: int | None = KEEP,
    description: str = KEEP,
    hours_cap: Decimal | None = KEEP,
    team: Team | None = KEEP,
    platform: ServicePlatform | None = KEEP,
    brand_project: BrandProject | None = KEEP,
    plan: AnnualPlan | None = KEEP,
) -> Activity:
    """Change a draft (a manager of its site). Once submitted, an activity changes only by
    being sent back to draft."""
    activity = Activity.objects.select_for_update(of=("self",)).select_related("site").get(pk=activity.pk)
    require(actor, "change", activity.site, _("You cannot change this activity."))
    if activity.state != State.DRAFT:
        raise ValidationError(
            _("Only a draft can be changed; this activity is “%(state)s”.") % {"state": State(activity.state).label}
        )
    if kind == Kind.ORDER and activity.kind != Kind.ORDER:
        raise ValidationError({"kind": _("Order services are recorded from their orders.")})
    before = audit.snapshot(activity, EDITABLE)
    plain = {
        "title": title,
        "kind": kind,
        "theme": theme,
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "description": description,
        "hours_cap": hours_cap,
    }
    for field, value in plain.items():
        if value is not KEEP:
            setattr(activity, field, value)
    related: dict[str, object] = {"team": team, "platform": platform, "brand_project": brand_project, "plan": plan}
    for name, target in related.items():
        if target is not KEEP:
            setattr(activity, name, target)
    activity.description = (activity.description or "").strip()
    _clean(activity)
    activity.save()
    changes = audit.diff(activity, EDITABLE, before)
    if changes:
        audit.record(actor=actor, action="activity.update", obj=activity, site_id=activity.site_id, changes=changes)
    return activity


def _check_finish(activity: Activity, summary: str, people_served) -> dict:
    errors = {}
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = _("Write a short summary of the activity.")
    if people_served is None or people_served == "":
        errors["people_served"] = _("Say how many people the activity served.")
    elif not isinstance(people_served, int) or not 0 <= people_served <= 10_000_000:
        errors["people_served"] = _("People served is a whole number from 0.")
    if activity.kind != Kind.ORDER and not Photo.objects.filter(activity=activity).exists():
        errors["photos"] = _("Add at least one photo before finishing.")
    if errors:
        raise ValidationError(errors)
    return {"summary": summary, "people_served": people_served}


@transaction.atomic
def activity_move(
    *,
    actor,
    activity: Activity,
    move: str,
    reason: str = "",
    summary: str = "",
    people_served: int | None = None,
    at: datetime | None = None,
) -> Activity:
    """Make one move of the transition table (``activities.lifecycle.MOVES``): checked for
    the state, who may make it, its timing and what it needs; recorded with who and when."""
    at = now_or(at)
    activity = Activity.objects.select_for_update(of=("self",)).select_related("site").get(pk=activity.pk)
    spec = MOVES.get(move)
    if spec is None:
        raise ValidationError({"move": _("There is no such move.")})
    if spec.by == APPROVER:
        if not may_approve(actor, activity):
            raise PermissionDenied(_("Only a manager of the site above approves this activity."))
    else:
        require(actor, "manage", activity.site, _("Only a manager of %(site)s can do this.") % {"site": activity.site})
    if activity.state not in spec.sources:
        raise ValidationError(
            _("An activity that is “%(state)s” cannot be moved to “%(move)s”.")
            % {"state": State(activity.state).label, "move": spec.label}
        )
    problem = timing_problem(spec, activity, at)
    if problem:
        raise ValidationError(problem)
    reason = (reason or "").strip()
    if spec.needs_reason and not reason:
        raise ValidationError({"reason": _("Say why.")})
    fields = ["state", "state_changed_at", "updated_at"]
    if spec.needs_summary:
        for key, value in _check_finish(activity, summary, people_served).items():
            setattr(activity, key, value)
        fields += ["summary", "people_served"]
    if move == "cancel":
        activity.cancel_reason = reason[:200]
        fields.append("cancel_reason")
    old = activity.state
    activity.state = spec.target
    activity.state_changed_at = at
    activity.save(update_fields=fields)
    record_event(activity=activity, move=move, from_state=old, actor=actor, at=at, note=reason)
    audit.record(
        actor=actor,
        action=f"activity.{move}",
        obj=activity,
        site_id=activity.site_id,
        changes={"state": (old, activity.state), **({"reason": ("", reason)} if reason else {})},
    )
    if move == "publish":
        _queue_publish_notice(activity)
    elif move == "cancel" and old in (State.PUBLISHED, State.UNDER_WAY):
        _tell_signed_up_of_cancel(activity, reason)
    return activity


def _queue_publish_notice(activity: Activity) -> None:
    from ..tasks import publish_notice  # tasks import the services

    def publish() -> None:
        try:
            publish_notice.apply_async((activity.pk,), retry=False)
        except Exception as exc:  # the broker is down: the reminder beat sends it later
            log.warning("could not queue the publish notice of activity %s: %s", activity.pk, exc)

    transaction.on_commit(publish)


def county_language():
    """Texts go out in the county's language, whatever the page's."""
    return translation.override(settings.LANGUAGE_CODE)


def when_text(activity: Activity) -> str:
    return timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")


def _tell_signed_up_of_cancel(activity: Activity, reason: str) -> None:
    phones = set(
        activity.signups.filter(status=SignUpStatus.SIGNED_UP)
        .exclude(volunteer__phone="")
        .values_list("volunteer__phone", flat=True)
    )
    with county_language():
        text = _("The activity “%(title)s” on %(when)s is cancelled: %(reason)s") % {
            "title": activity.title,
            "when": when_text(activity),
            "reason": reason,
        }
    for phone in sorted(phones):
        sms.send_later(phone, text)


# Named moves, for callers that prefer them to ``activity_move(move=...)``.


def activity_submit(*, actor, activity: Activity, at: datetime | None = None) -> Activity:
    return activity_move(actor=actor, activity=activity, move="submit", at=at)


def activity_approve(*, actor, activity: Activity, at: datetime | None = None) -> Activity:
    return activity_move(actor=actor, activity=activity, move="approve", at=at)


def activity_return(*, actor, activity: Activity, reason: str, at: datetime | None = None) -> Activity:
    return activity_move(actor=actor, activity=activity, move="return", reason=reason, at=at)


def activity_publish(*, actor, activity: Activity, at: datetime | None = None) -> Activity:
    return activity_move(actor=actor, activity=activity, move="publish", at=at)


def activity_start(*, actor, activity: Activity, at: datetime | None = None) -> Activity:
    return activity_move(actor=actor, activity=activity, move="start", at=at)


def activity_finish(
    *, actor, activity: Activity, summary: str, people_served: int, at: datetime | None = None
) -> Activity:
    return activity_move(
        actor=actor, activity=activity, move="finish", summary=summary, people_served=people_served, at=at
    )


def activity_cancel(*, actor, activity: Activity, reason: str, at: datetime | None = None) -> Activity:
    return activity_move(actor=actor, activity=activity, move="cancel", reason=reason, at=at)


def activity_archive(*, actor, activity: Activity, at: datetime | None = None) -> Activity:
    return activity_move(actor=actor, activity=activity, move="archive", at=at)


@transaction.atomic
def activity_renew_code(*, actor, activity: Activity) -> Activity:
    """Void every sign-in code of the activity printed or shown so far (a manager)."""
    activity = Activity.objects.select_for_update(of=("self",)).select_related("site").get(pk=activity.pk)
    require(actor, "manage", activity.site, _("Only a manager of %(site)s can do this.") % {"site": activity.site})
    activity.qr_secret = qr.new_secret()
    activity.save(update_fields=["qr_secret", "updated_at"])
    audit.record(actor=actor, action="activity.renew_code", obj=activity, site_id=activity.site_id)
    return activity
