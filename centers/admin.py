"""Django admin for the site tree, platforms, standards and grants.

The admin writes through ``centers.services`` like every other door: the site form calls
``site_create`` / ``site_move`` / ``site_update`` while it validates, so a service's
ValidationError lands on the form; deleting calls ``site_delete``. There is no
drag-and-drop and no bulk delete that would bypass the tree locks. Non-superusers see
only the sites in their scope.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from civic.admin_base import PeopleNamedAdmin, ReadOnlyAdmin, ServiceWriteForm
from civic.people import person_column

from . import services
from .models import ServicePlatform, Site, SiteGrant, StandardCheck, StandardItem, StandardSet

SITE_ADMIN_FIELDS = ["parent", *services.SITE_FIELDS]


class SiteAdminForm(ServiceWriteForm):
    class Meta:
        model = Site
        fields = SITE_ADMIN_FIELDS

    def write(self) -> Site:
        data = {k: v for k, v in self.cleaned_data.items() if k in SITE_ADMIN_FIELDS}
        parent = data.pop("parent")
        if self.instance.pk is None:
            return services.site_create(actor=self.actor, parent=parent, **data)
        site = Site.objects.get(pk=self.instance.pk)
        if site.parent_id != (parent.pk if parent else None):
            site = services.site_move(actor=self.actor, site=site, new_parent=parent)
        return services.site_update(actor=self.actor, site=site, **data)


@admin.register(Site)
class SiteAdmin(MPTTModelAdmin):
    form = SiteAdminForm
    fields = SITE_ADMIN_FIELDS
    list_display = ("display_name", "tier_label", "level", "kind", "code", "population", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("name", "short_name", "code", "pinyin")
    list_per_page = 100
    show_full_result_count = False
    raw_id_fields = ("parent",)
    mptt_level_indent = 20

    @admin.display(description=_("name"))
    def display_name(self, obj: Site) -> str:
        return obj.display_name

    @admin.display(description=_("tier"))
    def tier_label(self, obj: Site) -> str:
        return obj.tier_label

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name in ("delete_selected", "delete_selected_tree"):
            actions.pop(name, None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_leaf_node():
            return False  # a site with sites under it is moved or emptied first
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Nothing left to do: the form wrote through the services."""

    def delete_model(self, request, obj):
        services.site_delete(actor=request.user, site=obj)

    def delete_queryset(self, request, queryset):
        for site in queryset.order_by("-depth"):
            try:
                services.site_delete(actor=request.user, site=site)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)


class PlatformAdminForm(ServiceWriteForm):
    class Meta:
        model = ServicePlatform
        fields = ["owner", "name", "name_en", "sort_order", "is_active"]

    def write(self) -> ServicePlatform:
        data = dict(self.cleaned_data)
        owner = data.pop("owner")
        platform = ServicePlatform.objects.get(pk=self.instance.pk) if self.instance.pk else None
        if platform is not None and platform.owner_id != (owner.pk if owner else None):
            raise ValidationError({"owner": _("A platform stays with the county that made it.")})
        return services.platform_save(actor=self.actor, platform=platform, owner=owner, **data)


@admin.register(ServicePlatform)
class ServicePlatformAdmin(admin.ModelAdmin):
    form = PlatformAdminForm
    list_display = ("name", "name_en", "owner", "sort_order", "is_active")
    list_filter = ("is_active", ("owner", admin.EmptyFieldListFilter))
    search_fields = ("name", "name_en")
    raw_id_fields = ("owner",)
    list_select_related = ("owner",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        """Written by the form through ``platform_save``."""

    def has_delete_permission(self, request, obj=None):
        return False  # retire a platform by marking it inactive; past records point to it


class StandardItemInline(admin.TabularInline):
    model = StandardItem
    fields = ("name", "name_en", "description", "sort_order")
    extra = 0


@admin.register(StandardSet)
class StandardSetAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)
    inlines = [StandardItemInline]


@admin.register(StandardCheck)
class StandardCheckAdmin(PeopleNamedAdmin, ReadOnlyAdmin):
    """Checks are recorded on the site's standards page; here they are only listed."""

    list_display = ("site", "item", "passed", "checked_by_name", "checked_at")
    people_fields = ("checked_by",)
    checked_by_name = person_column("checked_by", _("checked by"))
    list_filter = ("passed", "item__standard_set")
    search_fields = ("site__name", "site__code", "item__name")
    list_select_related = ("site", "item", "item__standard_set", "checked_by")
    date_hierarchy = "checked_at"


@admin.register(SiteGrant)
class SiteGrantAdmin(PeopleNamedAdmin, ReadOnlyAdmin):
    """Roles are given and taken on the site's roles page (it checks the giver's scope)."""

    list_display = ("user_name", "permission", "content_object", "created_at")
    list_filter = ("permission",)
    search_fields = ("user__username", "user__first_name", "content_object__name", "content_object__code")
    people_fields = ("user",)
    user_name = person_column("user", _("user"))
    list_select_related = ("user", "permission", "content_object")
