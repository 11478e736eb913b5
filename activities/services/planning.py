"""Annual plans, recurring templates that fill them, brand projects, and the county's settings."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import ServicePlatform, Site
from centers.selectors import platforms_for
from civic import audit
from volunteers.models import Team

from .. import qr
from ..models import (
    DEFAULT_HOURS_STEPS,
    DEFAULT_RADIUS,
    Activity,
    ActivitySettings,
    AnnualPlan,
    BrandProject,
    Kind,
    RecurringTemplate,
    Stage,
    State,
)
from ..rules import SETTINGS_LEVELS
from .common import now_or, record_event, require
from .lifecycle import _clean

# Plans ---------------------------------------------------------------------------------


@transaction.atomic
def plan_open(*, actor, site: Site, year: int) -> AnnualPlan:
    """A site's plan for ``year``, opened if it has none yet (a manager of the site)."""
    require(actor, "add", site, _("You cannot plan activities at %(site)s.") % {"site": site})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Choose a year between 2000 and 2100.")})
    plan, created = AnnualPlan.objects.get_or_create(site=site, year=year)
    if created:
        audit.record(actor=actor, action="activity_plan.open", obj=plan, site_id=site.pk)
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: AnnualPlan, note: str = "", at: datetime | None = None) -> AnnualPlan:
    """Hand in the year's plan (due before February); it needs at least one planned activity."""
    plan = AnnualPlan.objects.select_for_update(of=("self",)).select_related("site").get(pk=plan.pk)
    require(actor, "change", plan.site, _("You cannot hand in the plan of %(site)s.") % {"site": plan.site})
    if not plan.activities.exclude(state=State.CANCELLED).exists():
        raise ValidationError(_("Put at least one activity in the plan before handing it in."))
    plan.submitted_at = now_or(at)
    plan.submitted_by = actor
    plan.note = (note or plan.note or "").strip()
    plan.save(update_fields=["submitted_at", "submitted_by", "note"])
    audit.record(actor=actor, action="activity_plan.submit", obj=plan, site_id=plan.site_id)
    return plan


# Recurring templates -------------------------------------------------------------------


@transaction.atomic
def template_save(
    *,
    actor,
    site: Site,
    title: str,
    template: RecurringTemplate | None = None,
    kind: str = Kind.THEME,
    day_of_month: int = 15,
    start_time: time = time(9, 0),
    duration_minutes: int = 120,
    team: Team | None = None,
    platform: ServicePlatform | None = None,
    theme: str = "",
    place: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    capacity: int | None = None,
    description: str = "",
    hours_cap: Decimal | None = None,
    is_active: bool = True,
) -> RecurringTemplate:
    """Create or change a recurring activity ("every month, mid-month") of ``site``."""
    require(actor, "change", site, _("You cannot plan activities at %(site)s.") % {"site": site})
    if template is not None and template.site_id != site.pk:
        raise ValidationError({"site": _("A recurring activity stays at its site.")})
    if not isinstance(day_of_month, int) or not 1 <= day_of_month <= 28:
        raise ValidationError({"day_of_month": _("Choose a day from 1 to 28 (every month has it).")})
    if not isinstance(duration_minutes, int) or not 15 <= duration_minutes <= 24 * 60:
        raise ValidationError({"duration_minutes": _("An activity lasts from 15 minutes to a day.")})
    template = template or RecurringTemplate(site=site, created_by=actor)
    values = {
        "title": title,
        "kind": kind,
        "day_of_month": day_of_month,
        "start_time": start_time,
        "duration_minutes": duration_minutes,
        "team": team,
        "platform": platform,
        "theme": theme,
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "capacity": capacity,
        "description": (description or "").strip(),
        "hours_cap": hours_cap,
        "is_active": is_active,
    }
    for key, value in values.items():
        setattr(template, key, value)
    if kind == Kind.ORDER:
        raise ValidationError({"kind": _("Order services are recorded from their orders.")})
    probe = _draft_from(template, datetime(2000, 1, 3, tzinfo=timezone.get_current_timezone()), actor)
    _clean(probe)
    template.title, template.theme, template.place = probe.title, probe.theme, probe.place
    template.latitude, template.longitude, template.hours_cap = probe.latitude, probe.longitude, probe.hours_cap
    created = template.pk is None
    template.save()
    audit.record(
        actor=actor, action="activity_template.create" if created else "activity_template.update", obj=template,
        site_id=site.pk,
    )  # fmt: skip
    return template


def _draft_from(template: RecurringTemplate, starts_at: datetime, actor, plan: AnnualPlan | None = None) -> Activity:
    return Activity(
        site=template.site,
        team_id=template.team_id,
        platform_id=template.platform_id,
        plan=plan,
        template=template if template.pk else None,
        title=template.title,
        kind=template.kind,
        theme=template.theme,
        place=template.place,
        latitude=template.latitude,
        longitude=template.longitude,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=template.duration_minutes),
        capacity=template.capacity,
        description=template.description,
        hours_cap=template.hours_cap,
        organizer=actor,
        state=State.DRAFT,
        qr_secret=qr.new_secret(),
        created_by=actor,
    )


@transaction.atomic
def recurring_fill(*, actor, template: RecurringTemplate, year: int, at: datetime | None = None) -> list[Activity]:
    """Fill ``year``'s plan with one draft a month from the template, for the months still
    ahead. Filling again adds only what is missing (one draft per template and month)."""
    template = RecurringTemplate.objects.select_related("site").get(pk=template.pk)
    require(actor, "add", template.site, _("You cannot plan activities at %(site)s.") % {"site": template.site})
    if not template.is_active:
        raise ValidationError(_("This recurring activity is switched off."))
    at = now_or(at)
    plan = plan_open(actor=actor, site=template.site, year=year)
    zone = timezone.get_current_timezone()
    existing = set(
        Activity.objects.filter(template=template, recurrence_key__startswith=f"t{template.pk}:{year}-").values_list(
            "recurrence_key", flat=True
        )
    )
    made = []
    for month in range(1, 13):
        key = f"t{template.pk}:{year}-{month:02d}"
        day = min(template.day_of_month, calendar.monthrange(year, month)[1])
        starts_at = datetime.combine(date(year, month, day), template.start_time, tzinfo=zone)
        if key in existing or starts_at <= at:
            continue
        activity = _draft_from(template, starts_at, actor, plan)
        activity.recurrence_key = key
        activity.state_changed_at = at
        _clean(activity)
        try:
            with transaction.atomic():
                activity.save()
        except IntegrityError:  # filled at the same moment by someone else
            continue
        record_event(activity=activity, move="create", from_state="", actor=actor, at=at, note=_("recurring"))
        made.append(activity)
    audit.record(
        actor=actor,
        action="activity_template.fill",
        obj=template,
        site_id=template.site_id,
        changes={"drafts": (0, len(made))},
    )
    return made


# Brand projects ------------------------------------------------------------------------

STAGE_ORDER = [Stage.ESTABLISH, Stage.RECRUIT, Stage.IMPLEMENT, Stage.EVALUATE, Stage.OPTIMISE]
# Each stage leads to the next; improving a project starts a new round of carrying it out.
STAGE_NEXT = {a: b for a, b in zip(STAGE_ORDER, STAGE_ORDER[1:])} | {Stage.OPTIMISE: Stage.IMPLEMENT}


@transaction.atomic
def brand_project_create(
    *,
    actor,
    site: Site,
    name: str,
    established_on: date | None = None,
    platform: ServicePlatform | None = None,
    description: str = "",
) -> BrandProject:
    """A brand project (品牌项目) of ``site``, optionally under a service platform."""
    require(actor, "add", site, _("You cannot start brand projects at %(site)s.") % {"site": site})
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Give the project a name (up to 100 characters).")})
    if BrandProject.objects.filter(site=site, name=name).exists():
        raise ValidationError({"name": _("This site already has a project with this name.")})
    if platform is not None and not platforms_for(site).filter(pk=platform.pk).exists():
        raise ValidationError({"platform": _("This service platform is not offered here.")})
    project = BrandProject.objects.create(
        site=site,
        name=name,
        platform=platform,
        description=(description or "").strip(),
        established_on=established_on or timezone.localdate(),
        stage=Stage.ESTABLISH,
        stage_changed_at=timezone.now(),
        created_by=actor,
    )
    audit.record(actor=actor, action="brand_project.create", obj=project, site_id=site.pk)
    return project


@transaction.atomic
def brand_project_advance(*, actor, project: BrandProject, stage: str) -> BrandProject:
    """Move a project to its next stage (确立 → 招募 → 实施 → 评估 → 优化, then 实施 again)."""
    project = BrandProject.objects.select_for_update(of=("self",)).select_related("site").get(pk=project.pk)
    require(actor, "change", project.site, _("You cannot change this project."))
    current = Stage(project.stage)
    if stage not in Stage.values or STAGE_NEXT.get(current) != stage:
        raise ValidationError(
            _("A project at “%(old)s” goes on to “%(new)s”.") % {"old": current.label, "new": STAGE_NEXT[current].label}
        )
    old = project.stage
    project.stage = stage
    project.stage_changed_at = timezone.now()
    project.save(update_fields=["stage", "stage_changed_at"])
    audit.record(
        actor=actor, action="brand_project.stage", obj=project, site_id=project.site_id, changes={"stage": (old, stage)}
    )
    return project


# The county's settings -----------------------------------------------------------------


def _clean_steps(steps) -> list:
    message = _("Give the rounding as rising minutes (1–59) with rising hours (0 to 1), e.g. 15 → 0.5, 45 → 1.")
    try:
        cleaned: list[list[Any]] = [
            [int(minutes), str(Decimal(str(hours)).quantize(Decimal("0.01")))] for minutes, hours in steps
        ]
    except (TypeError, ValueError, ArithmeticError):
        raise ValidationError({"hours_steps": message}) from None
    minutes = [m for m, _h in cleaned]
    hours = [Decimal(h) for _m, h in cleaned]
    if (
        not 1 <= len(cleaned) <= 12
        or minutes != sorted(set(minutes))
        or not all(1 <= m <= 59 for m in minutes)
        or hours != sorted(hours)
        or not all(Decimal("0") < h <= 1 for h in hours)
    ):
        raise ValidationError({"hours_steps": message})
    return cleaned


@transaction.atomic
def activity_settings_save(
    *,
    actor,
    site: Site,
    valid_from: date,
    approval_by_self: bool = False,
    static_qr_allowed: bool = False,
    geo_check: bool = False,
    geo_radius: int = DEFAULT_RADIUS,
    hours_steps: list | None = None,
    quota_center: int = 2,
    quota_station: int = 2,
    quota_point: int = 1,
    quota_base: int = 1,
    quota_post: int = 0,
) -> ActivitySettings:
    """Set a county's activity settings from ``valid_from`` on (a manager of the county; a
    city or province may set them for all its counties). What happened before is never
    recomputed."""
    require(actor, "manage", site, _("You cannot set the activity rules of %(site)s.") % {"site": site})
    if site.level not in SETTINGS_LEVELS:
        raise ValidationError({"site": _("Activity rules are set by a county (or a city or province above it).")})
    if not isinstance(geo_radius, int) or not 50 <= geo_radius <= 50_000:
        raise ValidationError({"geo_radius": _("The radius is from 50 to 50,000 metres.")})
    quotas = {
        "quota_center": quota_center,
        "quota_station": quota_station,
        "quota_point": quota_point,
        "quota_base": quota_base,
        "quota_post": quota_post,
    }
    for field, value in quotas.items():
        if not isinstance(value, int) or not 0 <= value <= 31:
            raise ValidationError({field: _("A monthly quota is a whole number from 0 to 31.")})
    steps = _clean_steps(hours_steps if hours_steps is not None else DEFAULT_HOURS_STEPS)
    row, _created = ActivitySettings.objects.update_or_create(
        site=site,
        valid_from=valid_from,
        defaults={
            "approval_by_self": bool(approval_by_self),
            "static_qr_allowed": bool(static_qr_allowed),
            "geo_check": bool(geo_check),
            "geo_radius": geo_radius,
            "hours_steps": steps,
            "created_by": actor,
            **quotas,
        },
    )
    audit.record(actor=actor, action="activity.settings", obj=row, site_id=site.pk)
    return row
