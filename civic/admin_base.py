"""Admin building blocks every app uses: a form that writes through a service, and the
read-only and scope-narrowed admins."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import people
from .querysets import RestrictedQuerySet


class ServiceWriteForm(forms.ModelForm):
    """An admin form that performs its write through a service as its last validation
    step, so the service's rules and errors apply. ``actor`` is set by the admin."""

    actor = None

    def _post_clean(self):
        super()._post_clean()  # type: ignore[misc]  # (ModelForm's, not in the stubs)
        if self.errors:
            return
        try:
            self.instance = self.write()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc.messages)

    def save(self, commit=True):
        return self.instance  # already written by the service

    def save_m2m(self) -> None:
        """Nothing: these models have no many-to-many fields."""

    def write(self):  # pragma: no cover - abstract
        raise NotImplementedError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown and searched, never written from the admin (services write these rows)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdmin(admin.ModelAdmin):
    """Rows narrowed to the user's scope (``restrict``); nothing deleted from the admin."""

    def get_queryset(self, request):
        return cast(RestrictedQuerySet, super().get_queryset(request)).restrict(request.user, "view")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedReadOnlyAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Read-only, and narrowed to the user's scope."""


class PeopleNamedAdmin(admin.ModelAdmin):
    """Columns that name users (``people_fields``, shown with ``civic.people.person_column``)
    read the names of a whole page at once, as the viewer may see them."""

    people_fields: tuple[str, ...] = ()

    def get_changelist(self, request, **kwargs):
        base: Any = super().get_changelist(request, **kwargs)
        fields = self.people_fields

        class NamedChangeList(base):
            def get_results(self, request):
                super().get_results(request)
                people.name_people(self.result_list, request.user, *fields)

        return NamedChangeList

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            people.name_people([obj], request.user, *self.people_fields)
        return obj
