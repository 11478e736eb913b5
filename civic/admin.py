"""Admin for the core: the audit trail, read-only (it is written by services only)."""

from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "object_repr", "site_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor__username", "object_id")
    list_select_related = ("actor", "object_type")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "actor", "action", "object_type", "object_id", "object_repr", "site_id", "changes")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
