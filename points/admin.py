"""Django admin for points. The ledger, accounts and redemptions are read-only (they change
only through the services); rules and goods are written through ``rule_save``,
``goods_create`` and ``goods_update``; seals through ``seal_save``. Non-superusers see only their scope."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from civic.admin_base import PeopleNamedAdmin, ScopedAdmin, ScopedReadOnlyAdmin, ServiceWriteForm
from civic.people import person_column

from . import services
from .models import Account, Certificate, Entry, Goods, Redemption, Rule, Seal


@admin.register(Entry)
class EntryAdmin(ScopedReadOnlyAdmin):
    list_display = ("id", "account", "kind", "points", "lifetime_delta", "hours", "site", "service_date", "created_at")
    list_filter = ("kind",)
    search_fields = ("source_key", "account__volunteer__real_name", "note")
    list_select_related = ("account__volunteer", "site")
    raw_id_fields = ("account", "site", "reverses", "created_by")
    show_full_result_count = False
    list_per_page = 100


@admin.register(Account)
class AccountAdmin(ScopedReadOnlyAdmin):
    list_display = ("volunteer", "lifetime_points", "balance", "lifetime_hours", "star_level", "updated_at")
    search_fields = ("volunteer__real_name",)
    list_select_related = ("volunteer",)
    show_full_result_count = False


@admin.register(Redemption)
class RedemptionAdmin(ScopedReadOnlyAdmin):
    list_display = ("id", "goods", "account", "quantity", "points", "status", "created_at", "closed_at")
    list_filter = ("status",)
    list_select_related = ("goods", "account__volunteer")


@admin.register(Certificate)
class CertificateAdmin(ScopedReadOnlyAdmin):
    list_display = ("code", "volunteer", "site", "period_start", "period_end", "hours", "issued_at")
    search_fields = ("code", "volunteer__real_name")
    list_select_related = ("volunteer", "site")


class RuleAdminForm(ServiceWriteForm):
    class Meta:
        model = Rule
        fields = ["site", "valid_from", "points_per_hour", "theme_bonus", "rating_bonus", "deductions", "star_hours"]

    def write(self) -> Rule:
        data = self.cleaned_data
        return services.rule_save(
            actor=self.actor,
            site=data["site"],
            valid_from=data["valid_from"],
            points_per_hour=data["points_per_hour"],
            theme_bonus=data["theme_bonus"],
            rating_bonus=data["rating_bonus"],
            deductions=data["deductions"],
            star_hours=data["star_hours"],
        )


@admin.register(Rule)
class RuleAdmin(PeopleNamedAdmin, ScopedAdmin):
    form = RuleAdminForm
    list_display = ("site", "valid_from", "points_per_hour", "theme_bonus", "created_by_name")
    people_fields = ("created_by",)
    created_by_name = person_column("created_by", _("by"))
    list_select_related = ("site", "created_by")
    raw_id_fields = ("site",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_change_permission(self, request, obj=None):
        return obj is None  # a rule is replaced by a newer dated one, not edited


class GoodsAdminForm(ServiceWriteForm):
    class Meta:
        model = Goods
        fields = ["site", "name", "price", "is_active", "photo"]

    def write(self) -> Goods:
        data = self.cleaned_data
        photo = data.get("photo")
        new_photo = photo if photo and photo is not getattr(self.instance, "photo", None) else None
        if self.instance.pk is None:
            return services.goods_create(
                actor=self.actor,
                site=data["site"],
                name=data["name"],
                price=data["price"],
                is_active=data["is_active"],
                photo=new_photo,
            )
        return services.goods_update(
            actor=self.actor,
            goods=self.instance,
            name=data["name"],
            price=data["price"],
            is_active=data["is_active"],
            photo=new_photo,
        )


@admin.register(Goods)
class GoodsAdmin(ScopedAdmin):
    form = GoodsAdminForm
    list_display = ("name", "site", "price", "stock", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    list_select_related = ("site",)
    raw_id_fields = ("site",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request, obj=None):
        return ("site",) if obj is not None else ()


class SealAdminForm(forms.ModelForm):
    actor = None

    class Meta:
        model = Seal
        fields = ["site", "image"]

    def save(self, commit=True):
        return services.seal_save(actor=self.actor, site=self.cleaned_data["site"], image=self.cleaned_data["image"])

    def save_m2m(self) -> None:
        """Nothing: seals have no many-to-many fields."""


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    form = SealAdminForm
    list_display = ("site", "updated_at")
    raw_id_fields = ("site",)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("site").restrict(request.user, "view")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})
