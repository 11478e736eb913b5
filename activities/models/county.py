"""What a county sets for activities (dated, inherited down the tree), the sites found short
of their monthly quota, and the yearly archives."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from centers.models import Site
from civic.querysets import RestrictedQuerySet
from civic.scope import ScopeRule

# The county documents' rounding: under 15 minutes → 0, 15–45 → 0.5, 45–60 → 1, per started hour.
DEFAULT_HOURS_STEPS = [[15, "0.5"], [45, "1"]]
DEFAULT_RADIUS = 500


def default_hours_steps() -> list:
    return [list(step) for step in DEFAULT_HOURS_STEPS]


class ActivitySettings(models.Model):
    """A county's (or a city's, a province's) settings for activities from a date on. The
    deepest site above an activity with settings dated on or before its day decides; with
    none, the defaults below apply."""

    scope = ScopeRule(site="site")

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"))
    approval_by_self = models.BooleanField(
        _("a site approves its own activities"),
        default=False,
        help_text=_("Otherwise a manager of the site above approves them."),
    )
    static_qr_allowed = models.BooleanField(
        _("printed sign-in codes allowed"),
        default=False,
        help_text=_("A printed code is valid only inside the activity's sign-in window."),
    )
    geo_check = models.BooleanField(_("check the location at sign-in"), default=False)
    geo_radius = models.PositiveIntegerField(_("sign-in radius (m)"), default=DEFAULT_RADIUS)
    hours_steps = models.JSONField(
        _("hours rounding"),
        default=default_hours_steps,
        help_text=_('Minutes into a started hour and the hours they count for, e.g. [[15, "0.5"], [45, "1"]].'),
    )
    quota_center = models.PositiveSmallIntegerField(_("monthly quota of a center"), default=2)
    quota_station = models.PositiveSmallIntegerField(_("monthly quota of a station"), default=2)
    quota_point = models.PositiveSmallIntegerField(_("monthly quota of a point"), default=1)
    quota_base = models.PositiveSmallIntegerField(_("monthly quota of a base"), default=1)
    quota_post = models.PositiveSmallIntegerField(_("monthly quota of a service post"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity settings")
        verbose_name_plural = _("activity settings")
        ordering = ["site", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["site", "valid_from"], name="activities_settings_unique_date")]

    def __str__(self) -> str:
        return f"{self.site} {self.valid_from}"


class QuotaShortfall(models.Model):
    """A site found short of its monthly quota on the 20th: shown on its managers' and the
    county's home pages, and texted to its liaison once."""

    scope = ScopeRule(site="site")

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    quota = models.PositiveSmallIntegerField(_("quota"))
    held = models.PositiveSmallIntegerField(_("held"))
    scheduled = models.PositiveSmallIntegerField(_("scheduled"))
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    notified_at = models.DateTimeField(_("texted"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota shortfall")
        verbose_name_plural = _("quota shortfalls")
        ordering = ["-month", "site"]
        constraints = [models.UniqueConstraint(fields=["site", "month"], name="activities_shortfall_unique")]

    def __str__(self) -> str:
        return f"{self.site} {self.month:%Y-%m}: {self.held + self.scheduled}/{self.quota}"


class ArchiveStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ActivityArchive(models.Model):
    """A site's year archived (按年度归档): an xlsx ledger (台账) of its activities and those
    under it, and a zip of their photos and sign-in records, built by a Celery task."""

    scope = ScopeRule(site="site")

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=8, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED)
    total = models.PositiveIntegerField(_("activities"), default=0)
    processed = models.PositiveIntegerField(_("done"), default=0)
    ledger = models.FileField(_("ledger"), upload_to="archives/%Y/", max_length=200, blank=True)
    photos = models.FileField(_("photos"), upload_to="archives/%Y/", max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity archive")
        verbose_name_plural = _("activity archives")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.site} {self.year}"

    @property
    def progress(self) -> int:
        """Percentage of activities done (0–100)."""
        if self.status == ArchiveStatus.DONE:
            return 100
        return 0 if not self.total else min(100, self.processed * 100 // self.total)
