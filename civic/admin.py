"""Admin for the core: the audit trail, read-only (it is written by services only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import admin_branding  # noqa: F401  (the county's emblem)
from .admin_base import PeopleNamedAdmin, ReadOnlyAdmin
from .models import AuditEntry
from .people import person_column


@admin.register(AuditEntry)
class AuditEntryAdmin(PeopleNamedAdmin, ReadOnlyAdmin):
    list_display = ("created_at", "actor_name", "action", "object_repr", "site_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor__first_name", "actor__last_name", "object_id")
    list_select_related = ("actor", "object_type")
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "site_id",
        "changes",
    )
    exclude = ("actor",)
    show_full_result_count = False
    people_fields = ("actor",)
    actor_name = person_column("actor", _("by"))
