"""Sign-ups and attendance (签到/签退) with the hours they earn."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civic.querysets import RestrictedQuerySet
from civic.scope import Also, ScopeRule
from volunteers.models import Volunteer

from .activity import Activity, family_rows_of


class SignUpStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    CANCELLED = "cancelled", _("Cancelled")


class SignUp(models.Model):
    """A volunteer's place in an activity. One row per volunteer and activity: cancelling and
    signing up again changes its status. The activity counts its sign-ups (``signed_up``)."""

    scope = ScopeRule(site="activity__site", reach=(Also(family_rows_of),))

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="activity_signups"
    )
    status = models.CharField(_("status"), max_length=10, choices=SignUpStatus.choices, default=SignUpStatus.SIGNED_UP)
    signed_up_at = models.DateTimeField(_("signed up at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity", "signed_up_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="activities_signup_unique")]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.activity}"


class Method(models.TextChoices):
    QR_ROTATING = "qr_rotating", _("Code on the organizer's phone")
    QR_STATIC = "qr_static", _("Printed code")
    STAFF = "staff", _("Marked by staff")
    ORDER = "order", _("Order service record")
    CLOSING = "closing", _("Counted to the end")


class Flag(models.TextChoices):
    OVERLAP = "overlap", _("Signed in at two activities at once")
    LONG = "long", _("Longer than the activity")
    TIME = "time", _("Far outside the activity's time")
    PLACE_FAR = "place_far", _("Far from the activity's place")
    PLACE_UNKNOWN = "place_unknown", _("Location unknown")


class Attendance(models.Model):
    """A volunteer at an activity: when and how they signed in and out, where, the flags for
    review, the hours by the county's rule, and the confirmation that credits them."""

    scope = ScopeRule(site="activity__site", reach=(Also(family_rows_of),))

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="attendance"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="activity_attendance"
    )
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    sign_in_method = models.CharField(_("sign-in by"), max_length=12, choices=Method.choices, blank=True, default="")
    signed_out_at = models.DateTimeField(_("signed out"), null=True, blank=True)
    sign_out_method = models.CharField(_("sign-out by"), max_length=12, choices=Method.choices, blank=True, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    distance = models.PositiveIntegerField(_("distance (m)"), null=True, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    hours = models.DecimalField(_("service hours"), max_digits=5, decimal_places=2, default=0)
    hours_by_hand = models.BooleanField(_("hours set by hand"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    credit_round = models.PositiveSmallIntegerField(_("times confirmed"), default=0, editable=False)
    source_key = models.CharField(_("ledger source"), max_length=80, blank=True, default="", editable=False)
    entry = models.ForeignKey(
        "points.Entry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["activity", "signed_in_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="activities_attendance_unique")]
        indexes = [
            models.Index(fields=["volunteer", "signed_in_at"]),
            # "attendance still to confirm" is asked of every finished activity in a list
            models.Index(fields=["activity"], condition=Q(confirmed_at__isnull=True), name="activities_unconfirmed"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.activity}"
