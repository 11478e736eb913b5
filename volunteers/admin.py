"""Django admin for volunteers, source groups, teams, memberships and roster imports.

Writes go through ``volunteers.services`` as on every other door: a volunteer's record is
read-only here (register, edit and decide on the pages), a team's form calls ``team_create``
/ ``team_update`` while it validates, memberships and imports are read-only. ID numbers
and phones are masked in the list unless the admin user may see them whole. Non-superusers
see only their scope.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from civic.admin_base import PeopleNamedAdmin, ReadOnlyAdmin, ScopedReadOnlyAdmin, ServiceWriteForm
from civic.people import person_column

from . import services
from .identity import mask_id, mask_phone
from .models import Membership, RosterImport, SourceGroup, Team, Volunteer
from .selectors import volunteer_search
from .services import TeamChanges


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ("real_name", "shown_id", "shown_phone", "home_site", "status", "source_group", "registered_at")
    list_filter = ("status", "source_group", "political_status")
    search_fields = ("real_name",)  # searched by ``volunteer_search``, as everywhere else
    list_select_related = ("home_site", "source_group")
    list_per_page = 100
    show_full_result_count = False
    exclude = ("id_number", "phone", "emergency_phone", "guardian_phone", "birth_date")
    readonly_fields = ("shown_id", "shown_phone")

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view").with_unmask(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_search_results(self, request, queryset, search_term):
        return volunteer_search(queryset, request.user, search_term), False

    @admin.display(description=_("ID number"))
    def shown_id(self, obj: Volunteer) -> str:
        number = obj.id_number or ""
        return number if getattr(obj, "can_unmask", False) else mask_id(number)

    @admin.display(description=_("mobile phone"))
    def shown_phone(self, obj: Volunteer) -> str:
        return obj.phone if getattr(obj, "can_unmask", False) else mask_phone(obj.phone)


@admin.register(SourceGroup)
class SourceGroupAdmin(admin.ModelAdmin):
    """The editable list of source groups (no rule beyond a unique name)."""

    list_display = ("name", "name_en", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("name", "name_en")

    def has_delete_permission(self, request, obj=None):
        return False  # volunteers point at them: mark one inactive instead


TEAM_ADMIN_FIELDS = ["site", "parent", "name", "kind", "lead_department", "platform", "description", "is_active"]


class TeamAdminForm(ServiceWriteForm):
    class Meta:
        model = Team
        fields = TEAM_ADMIN_FIELDS

    def write(self) -> Team:
        data = self.cleaned_data
        site, parent = data["site"], data["parent"]
        changes: TeamChanges = {
            "name": data["name"],
            "kind": data["kind"],
            "lead_department": data["lead_department"],
            "platform": data["platform"],
            "description": data["description"],
            "is_active": data["is_active"],
        }
        if self.instance.pk is None:
            return services.team_create(actor=self.actor, site=site, parent=parent, **changes)
        team = Team.objects.select_related("site").get(pk=self.instance.pk)
        if team.site_id != site.pk or team.parent_id != (parent.pk if parent else None):
            self.add_error("parent", _("A team cannot be moved; create a new one instead."))
            return self.instance
        return services.team_update(actor=self.actor, team=team, **changes)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """No drag and drop: every write goes through the team services."""

    form = TeamAdminForm
    fields = TEAM_ADMIN_FIELDS
    list_display = ("name", "kind", "site", "lead_department", "leader", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "lead_department")
    list_select_related = ("site", "leader")
    raw_id_fields = ("site", "parent")
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_delete_permission(self, request, obj=None):
        return False  # a team is never deleted: mark it inactive


@admin.register(Membership)
class MembershipAdmin(ScopedReadOnlyAdmin):
    list_display = ("volunteer", "team", "role", "status", "requested_at", "decided_at")
    list_filter = ("status", "role")
    search_fields = ("volunteer__real_name", "team__name")
    list_select_related = ("volunteer", "team")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(RosterImport)
class RosterImportAdmin(PeopleNamedAdmin, ScopedReadOnlyAdmin):
    list_display = ("original_name", "site", "status", "total_rows", "created_count", "created_by_name", "created_at")
    list_filter = ("status", "mode")
    list_select_related = ("site", "created_by")
    exclude = ("file", "created_by")
    readonly_fields = ("created_by_name",)
    people_fields = ("created_by",)
    created_by_name = person_column("created_by", _("uploaded by"))

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff
