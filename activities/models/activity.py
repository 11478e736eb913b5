"""Activities (活动), the log of their moves, and their photos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centers.models import ServicePlatform, Site
from civic import nested
from civic.querysets import RestrictedQuerySet
from civic.scope import Also, ScopeRule
from volunteers.models import Membership, MembershipStatus, Volunteer


class Kind(models.TextChoices):
    REGULAR = "regular", _("Regular activity")
    THEME = "theme", _("Monthly theme activity")
    LECTURE = "lecture", _("Lecture")
    TRAINING = "training", _("Training")
    FESTIVAL = "festival", _("Our festivals")
    BRAND = "brand", _("Brand project event")
    ORDER = "order", _("Order service")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Open for sign-up")
    UNDER_WAY = "under_way", _("Under way")
    FINISHED = "finished", pgettext_lazy("activity state", "Finished")
    ARCHIVED = "archived", _("Archived")
    CANCELLED = "cancelled", _("Cancelled")


# States a volunteer may see an activity in (sign-up open and after).
PUBLIC_STATES = (State.PUBLISHED, State.UNDER_WAY, State.FINISHED, State.ARCHIVED)
# States in which an activity counts as held, and as scheduled, for the monthly quota.
HELD_STATES = (State.FINISHED, State.ARCHIVED)
SCHEDULED_STATES = (State.APPROVED, State.PUBLISHED, State.UNDER_WAY)


def family_of(user) -> list[dict]:
    """The user's own volunteer record and the volunteers sharing its phone (a family of up
    to three on one phone), with their home sites' bounds (1 query)."""
    phones = Volunteer.objects.filter(user=user).exclude(phone="").values("phone")
    return list(
        Volunteer.objects.filter(Q(user=user) | Q(phone__in=phones)).values(
            "pk", "user_id", "home_site__tree_id", "home_site__lft", "home_site__rght"
        )
    )


def family_rows(user, path: str, family: list[dict] | None = None) -> Q:
    """Rows whose volunteer (at ``path``) is the user's own volunteer record or one of the
    family on its phone. The family is looked up first (1 query), so that the condition is a
    short list of ids the database finds by index."""
    family = family_of(user) if family is None else family
    return Q(**{f"{path}__in": [row["pk"] for row in family]})


def activity_rows_of(user) -> Q:
    """The activities a volunteer reads without a grant: those open to them — published or
    later, at their home site or a site above it (own village, township, county) or run by a
    team they belong to — and any they (or their family) signed up for or attended (1 query
    to find the family; the rest are indexed conditions of the same query)."""
    from .attendance import Attendance, SignUp

    family = family_of(user)
    ids = [row["pk"] for row in family]
    condition = Q(pk__in=SignUp.objects.filter(volunteer_id__in=ids).values("activity_id")) | Q(
        pk__in=Attendance.objects.filter(volunteer_id__in=ids).values("activity_id")
    )
    own = next((row for row in family if row["user_id"] == user.pk), None)
    if own is not None:
        home = nested.Bounds(own["home_site__tree_id"], own["home_site__lft"], own["home_site__rght"])
        teams = Membership.objects.filter(volunteer_id=own["pk"], status=MembershipStatus.ACTIVE)
        condition |= Q(state__in=PUBLIC_STATES) & (nested.over(home, "site") | Q(team__in=teams.values("team_id")))
    return condition


def family_rows_of(user) -> Q:
    """Sign-ups or attendance of the user's own volunteer record and of the family on its phone."""
    return family_rows(user, "volunteer")


class ActivityQuerySet(RestrictedQuerySet):
    def in_subtree(self, site: Site):
        """Activities at ``site`` or anywhere under it (one range condition)."""
        return self.filter(nested.under(site, "site"))


class Activity(models.Model):
    """One activity of a site: planned, approved, published for sign-up, held with sign-in
    and sign-out, closed with a summary and photos, archived by year. Moves between states
    go through ``activities.services`` (one transition table) and are logged as events."""

    scope = ScopeRule(site="site", reach=(Also(activity_rows_of),))

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="activities")
    team = models.ForeignKey(
        "volunteers.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    platform = models.ForeignKey(
        ServicePlatform,
        verbose_name=_("service platform"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    brand_project = models.ForeignKey(
        "activities.BrandProject",
        verbose_name=_("brand project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    plan = models.ForeignKey(
        "activities.AnnualPlan",
        verbose_name=_("annual plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    template = models.ForeignKey(
        "activities.RecurringTemplate",
        verbose_name=_("recurring template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    recurrence_key = models.CharField(_("recurrence"), max_length=40, null=True, blank=True, editable=False)
    source_key = models.CharField(
        _("source"),
        max_length=80,
        null=True,
        blank=True,
        editable=False,
        help_text=_("For a recorded order service: the order it records."),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    theme = models.CharField(_("theme"), max_length=100, blank=True, default="")
    place = models.CharField(_("place"), max_length=200, blank=True, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(
        _("volunteers needed"), null=True, blank=True, help_text=_("Empty: no limit on sign-ups.")
    )
    signed_up = models.PositiveIntegerField(_("signed up"), default=0, editable=False)
    description = models.TextField(_("description"), blank=True, default="")
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organizer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hours_cap = models.DecimalField(
        _("hours cap"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("At most this many service hours per volunteer (empty: no cap)."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    summary = models.TextField(_("summary"), blank=True, default="")
    people_served = models.PositiveIntegerField(_("people served"), null=True, blank=True)
    attended_count = models.PositiveIntegerField(_("participants confirmed"), default=0, editable=False)
    hours_total = models.DecimalField(_("hours confirmed"), max_digits=9, decimal_places=2, default=0, editable=False)
    qr_secret = models.CharField(_("code secret"), max_length=16, editable=False)
    notified_at = models.DateTimeField(_("team told"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["site", "starts_at"]),
            models.Index(fields=["state", "starts_at"]),
            models.Index(fields=["-starts_at", "-id"], name="activities_newest_first"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recurrence_key"], name="activities_recurrence_unique"),
            models.UniqueConstraint(fields=["source_key"], name="activities_source_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activities_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.signed_up)


class ActivityEvent(models.Model):
    """One move of an activity: from which state to which, by whom, when, and why."""

    scope = ScopeRule(site="activity__site")

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="events")
    move = models.CharField(_("move"), max_length=20)
    from_state = models.CharField(_("from"), max_length=10, blank=True, default="")
    to_state = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.move} {self.at:%Y-%m-%d %H:%M}"


class Photo(models.Model):
    """A photo of an activity: checked by content, stored without EXIF (and its GPS), with a
    thumbnail made in the background."""

    scope = ScopeRule(site="activity__site")

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="activities/%Y/%m/", max_length=200)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="activities/thumbs/%Y/%m/", max_length=200, blank=True)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    size = models.PositiveIntegerField(_("bytes"), default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name
