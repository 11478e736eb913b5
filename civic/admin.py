"""Admin for the core: the audit trail, read-only (it is written by services only)."""

from django.contrib import admin

from .admin_base import ReadOnlyAdmin
from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "object_repr", "site_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor__username", "object_id")
    list_select_related = ("actor", "object_type")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "actor", "action", "object_type", "object_id", "object_repr", "site_id", "changes")
    show_full_result_count = False
