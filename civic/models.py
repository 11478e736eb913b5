"""The core's own tables: the audit trail and one-time codes."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import RestrictedQuerySet
from .scope import ScopeRule


class AuditEntry(models.Model):
    """Who changed what, and when (等保). Written by services; never edited. An entry belongs
    to a site (where it happened): whoever may see that site reads it."""

    scope = ScopeRule(site="site")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    # No database constraint: the trail outlives the rows it speaks of.
    site = models.ForeignKey(
        settings.CIVIC_SITE_MODEL,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class OneTimeCode(models.Model):
    """A one-time code texted to a phone to prove that the person holds it (``civic.otp``).
    The code is kept only as a keyed digest, the phone and the sender's address too."""

    purpose = models.CharField(_("purpose"), max_length=30)
    phone_digest = models.CharField(_("phone (digest)"), max_length=64)
    address_digest = models.CharField(_("address (digest)"), max_length=64)
    code_digest = models.CharField(_("code (digest)"), max_length=64)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["purpose", "phone_digest", "created_at"], name="civic_otp_phone"),
            models.Index(fields=["address_digest", "created_at"], name="civic_otp_address"),
            models.Index(fields=["created_at"], name="civic_otp_created"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


EMBLEM_MAX_BYTES = 512 * 1024
EMBLEM_MAX_SIDE = 1024  # pixels
EMBLEM_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


def validate_emblem(image) -> None:
    """An emblem is a small picture: PNG, JPEG or WebP, at most 512 KB and 1024 pixels a side."""
    from pathlib import PurePath

    from django.core.exceptions import ValidationError

    if PurePath(image.name or "").suffix.lower() not in EMBLEM_TYPES:
        raise ValidationError(_("The emblem must be a PNG, JPEG or WebP picture."))
    if image.size > EMBLEM_MAX_BYTES:
        raise ValidationError(_("The emblem may be at most %(kb)s KB."), params={"kb": EMBLEM_MAX_BYTES // 1024})
    width, height = getattr(image, "width", None), getattr(image, "height", None)
    if width and height and max(width, height) > EMBLEM_MAX_SIDE:
        raise ValidationError(
            _("The emblem may be at most %(px)s pixels wide and high."), params={"px": EMBLEM_MAX_SIDE}
        )


class Branding(models.Model):
    """The county's emblem (one row): shown in every page's header and as the favicon. The
    county's name is a setting (``CIVIC_COUNTY_NAME``). Set through ``civic.branding``."""

    SINGLETON = 1

    emblem = models.ImageField(
        _("emblem"),
        upload_to="branding/",
        blank=True,
        validators=[validate_emblem],
        help_text=_("A square PNG, JPEG or WebP picture, at most 512 KB: shown small in the header and as the icon."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("emblem")
        verbose_name_plural = _("emblem")

    def __str__(self) -> str:
        return str(_("The county's emblem"))
