"""Django admin for activities. Every write goes through ``activities.services``: drafts
through ``activity_create``/``activity_update``, moves through ``activity_move`` (as admin
actions), settings through ``activity_settings_save``, recurring templates through
``template_save``/``recurring_fill``, brand projects through their services. Sign-ups,
attendance, photos, events, shortfalls and archives are read-only here. Non-superusers see
only their scope."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic.admin_base import ScopedAdmin, ScopedReadOnlyAdmin, ServiceWriteForm

from . import services
from .models import (
    Activity,
    ActivityArchive,
    ActivityEvent,
    ActivitySettings,
    AnnualPlan,
    Attendance,
    BrandProject,
    Photo,
    QuotaShortfall,
    RecurringTemplate,
    SignUp,
)
from .services.planning import STAGE_NEXT

DRAFT_FIELDS = [
    "site",
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
    "team",
    "platform",
    "brand_project",
    "plan",
]


class _ActorAdmin(ScopedAdmin):
    """Hands the request's user to the service-writing form."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


class ActivityAdminForm(ServiceWriteForm):
    class Meta:
        model = Activity
        fields = DRAFT_FIELDS

    def write(self) -> Activity:
        data = dict(self.cleaned_data)
        site = data.pop("site")
        if self.instance.pk is None:
            return services.activity_create(actor=self.actor, site=site, **data)
        activity = Activity.objects.get(pk=self.instance.pk)
        if site.pk != activity.site_id:
            self.add_error("site", _("An activity stays at its site."))
            return self.instance
        return services.activity_update(actor=self.actor, activity=activity, **data)


def _move_action(move: str, label):
    def run(modeladmin, request, queryset):
        done = 0
        for activity in queryset:
            try:
                services.activity_move(actor=request.user, activity=activity, move=move)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                modeladmin.message_user(request, f"{activity}: {text}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(n)s activities moved.") % {"n": done}, messages.SUCCESS)

    run.__name__ = f"move_{move}"
    run.short_description = label
    return run


@admin.register(Activity)
class ActivityAdmin(_ActorAdmin):
    form = ActivityAdminForm
    fields = DRAFT_FIELDS
    list_display = ("title", "site", "kind", "state", "starts_at", "signed_up", "capacity", "attended_count")
    list_filter = ("state", "kind")
    search_fields = ("title", "theme", "place")
    list_select_related = ("site",)
    raw_id_fields = ("site", "team", "brand_project", "plan")
    date_hierarchy = "starts_at"
    list_per_page = 100
    show_full_result_count = False
    actions = [
        _move_action("submit", _("Submit for approval")),
        _move_action("approve", _("Approve")),
        _move_action("publish", _("Publish for sign-up")),
        _move_action("start", _("Start")),
        _move_action("archive", _("Archive")),
    ]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.state == "draft"


@admin.register(ActivityEvent)
class ActivityEventAdmin(ScopedReadOnlyAdmin):
    list_display = ("activity", "move", "from_state", "to_state", "actor", "at")
    list_filter = ("move",)
    list_select_related = ("activity", "actor")


@admin.register(SignUp)
class SignUpAdmin(ScopedReadOnlyAdmin):
    list_display = ("activity", "volunteer", "status", "signed_up_at", "cancelled_at")
    list_filter = ("status",)
    search_fields = ("volunteer__real_name", "activity__title")
    list_select_related = ("activity", "volunteer")
    show_full_result_count = False


@admin.register(Attendance)
class AttendanceAdmin(ScopedReadOnlyAdmin):
    list_display = ("activity", "volunteer", "signed_in_at", "signed_out_at", "hours", "flags", "confirmed_at")
    search_fields = ("volunteer__real_name", "activity__title", "source_key")
    list_select_related = ("activity", "volunteer")
    exclude = ("latitude", "longitude")
    show_full_result_count = False


@admin.register(Photo)
class PhotoAdmin(ScopedReadOnlyAdmin):
    list_display = ("activity", "caption", "width", "height", "size", "uploaded_at")
    list_select_related = ("activity",)
    exclude = ("image", "thumbnail")


@admin.register(QuotaShortfall)
class QuotaShortfallAdmin(ScopedReadOnlyAdmin):
    list_display = ("site", "month", "quota", "held", "scheduled", "notified_at")
    list_select_related = ("site",)


@admin.register(ActivityArchive)
class ActivityArchiveAdmin(ScopedReadOnlyAdmin):
    list_display = ("site", "year", "status", "processed", "total", "created_at", "finished_at")
    list_select_related = ("site",)
    exclude = ("ledger", "photos")


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ScopedReadOnlyAdmin):
    list_display = ("site", "year", "submitted_at")
    list_select_related = ("site",)


SETTINGS_FIELDS = [
    "site",
    "valid_from",
    "approval_by_self",
    "static_qr_allowed",
    "geo_check",
    "geo_radius",
    "hours_steps",
    "quota_center",
    "quota_station",
    "quota_point",
    "quota_base",
    "quota_post",
]


class SettingsAdminForm(ServiceWriteForm):
    class Meta:
        model = ActivitySettings
        fields = SETTINGS_FIELDS

    def write(self) -> ActivitySettings:
        return services.activity_settings_save(actor=self.actor, **self.cleaned_data)


@admin.register(ActivitySettings)
class ActivitySettingsAdmin(_ActorAdmin):
    form = SettingsAdminForm
    list_display = ("site", "valid_from", "approval_by_self", "static_qr_allowed", "geo_check", "geo_radius")
    list_select_related = ("site",)
    raw_id_fields = ("site",)

    def has_change_permission(self, request, obj=None):
        return obj is None  # replaced by newer dated settings, never edited


TEMPLATE_FIELDS = [
    "site",
    "title",
    "kind",
    "day_of_month",
    "start_time",
    "duration_minutes",
    "team",
    "platform",
    "theme",
    "place",
    "latitude",
    "longitude",
    "capacity",
    "description",
    "hours_cap",
    "is_active",
]


class TemplateAdminForm(ServiceWriteForm):
    class Meta:
        model = RecurringTemplate
        fields = TEMPLATE_FIELDS

    def write(self) -> RecurringTemplate:
        data = dict(self.cleaned_data)
        template = RecurringTemplate.objects.get(pk=self.instance.pk) if self.instance.pk else None
        return services.template_save(actor=self.actor, template=template, **data)


@admin.register(RecurringTemplate)
class RecurringTemplateAdmin(_ActorAdmin):
    form = TemplateAdminForm
    fields = TEMPLATE_FIELDS
    list_display = ("title", "site", "kind", "day_of_month", "start_time", "is_active")
    list_select_related = ("site",)
    raw_id_fields = ("site", "team")
    actions = ["fill_this_year"]

    @admin.action(description=_("Fill this year's plan with drafts"))
    def fill_this_year(self, request, queryset):
        year = timezone.localdate().year
        for template in queryset:
            try:
                made = services.recurring_fill(actor=request.user, template=template, year=year)
                self.message_user(request, _("%(n)s drafts made.") % {"n": len(made)}, messages.SUCCESS)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{template}: {text}", messages.ERROR)


class BrandProjectAdminForm(ServiceWriteForm):
    class Meta:
        model = BrandProject
        fields = ["site", "name", "platform", "description", "established_on"]

    def write(self) -> BrandProject:
        return services.brand_project_create(actor=self.actor, **self.cleaned_data)


@admin.register(BrandProject)
class BrandProjectAdmin(_ActorAdmin):
    form = BrandProjectAdminForm
    list_display = ("name", "site", "platform", "stage", "established_on", "is_active")
    list_filter = ("stage",)
    list_select_related = ("site", "platform")
    raw_id_fields = ("site",)
    actions = ["advance"]

    def has_change_permission(self, request, obj=None):
        return obj is None

    @admin.action(description=_("Move on to the next stage"))
    def advance(self, request, queryset):
        for project in queryset:
            try:
                services.brand_project_advance(actor=request.user, project=project, stage=STAGE_NEXT[project.stage])
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{project}: {text}", messages.ERROR)
