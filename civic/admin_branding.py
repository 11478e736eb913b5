"""Admin of the county's emblem: one row, changed through ``civic.branding.emblem_set``."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import redirect
from django.urls import reverse

from . import branding
from .admin_base import ServiceWriteForm
from .models import Branding


class BrandingForm(ServiceWriteForm):
    class Meta:
        model = Branding
        fields = ["emblem"]

    def write(self) -> Branding:
        emblem = self.cleaned_data.get("emblem")
        if emblem is False:  # "clear" ticked: back to the default icon
            return branding.emblem_set(actor=self.actor, image=None)
        if isinstance(emblem, UploadedFile):
            return branding.emblem_set(actor=self.actor, image=emblem)
        return branding.current() or self.instance  # unchanged


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    form = BrandingForm
    list_display = ("__str__", "updated_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_view_permission

    def has_add_permission(self, request) -> bool:
        return self.has_view_permission(request) and not Branding.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # clear the emblem instead

    def changelist_view(self, request, extra_context=None):
        """The one row's form straight away (or the form to make it)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = branding.current()
        if row is None:
            return redirect(reverse("admin:civic_branding_add"))
        return redirect(reverse("admin:civic_branding_change", args=[row.pk]))
