"""Planning: a site's annual plan, recurring templates that fill it, and brand projects."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from centers.models import ServicePlatform, Site
from civic.querysets import RestrictedQuerySet
from civic.scope import ScopeRule

from .activity import Kind


class AnnualPlan(models.Model):
    """A site's plan of activities for one year (due before February); its activities are
    the planned ones, counted by month against those held."""

    scope = ScopeRule(site="site")
    DUE_MONTH = 2  # the plan is due before the first of this month

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="activity_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.TextField(_("note"), blank=True, default="")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["-year", "site"]
        constraints = [models.UniqueConstraint(fields=["site", "year"], name="activities_plan_unique")]

    def __str__(self) -> str:
        return f"{self.site} {self.year}"


class RecurringTemplate(models.Model):
    """ "Every month, mid-month": one template that fills a year's plan with drafts."""

    scope = ScopeRule(site="site")

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="activity_templates")
    team = models.ForeignKey(
        "volunteers.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    platform = models.ForeignKey(
        ServicePlatform,
        verbose_name=_("service platform"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.THEME)
    theme = models.CharField(_("theme"), max_length=100, blank=True, default="")
    place = models.CharField(_("place"), max_length=200, blank=True, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), default=15)
    start_time = models.TimeField(_("start time"), default=time(9, 0))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=120)
    capacity = models.PositiveIntegerField(_("volunteers needed"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, default="")
    hours_cap = models.DecimalField(_("hours cap"), max_digits=4, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recurring activity")
        verbose_name_plural = _("recurring activities")
        ordering = ["site", "title"]

    def __str__(self) -> str:
        return self.title


class Stage(models.TextChoices):
    ESTABLISH = "establish", _("Project established")
    RECRUIT = "recruit", _("Recruiting volunteers")
    IMPLEMENT = "implement", _("Carrying out")
    EVALUATE = "evaluate", _("Evaluating results")
    OPTIMISE = "optimise", _("Improving the project")


class BrandProject(models.Model):
    """A brand project (品牌项目) of a site, optionally under a service platform: 确立项目 →
    招募志愿者 → 实施项目 → 评估效果 → 优化项目, with its activities linked."""

    scope = ScopeRule(site="site")

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="brand_projects")
    platform = models.ForeignKey(
        ServicePlatform,
        verbose_name=_("service platform"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, default="")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.ESTABLISH)
    stage_changed_at = models.DateTimeField(_("stage changed"), null=True, blank=True)
    established_on = models.DateField(_("established"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("brand project")
        verbose_name_plural = _("brand projects")
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="activities_brand_unique")]

    def __str__(self) -> str:
        return self.name
