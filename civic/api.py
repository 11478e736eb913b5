"""Base API classes: the same scope as the pages, applied in one place."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from .ids import parse_id
from .views import SAFE_METHODS, run_write


def exception_handler(exc, context):
    """Service errors (Django's ValidationError/PermissionDenied) become 400/403, not 500."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class ScopedViewSet(viewsets.ModelViewSet):
    """A model viewset whose queryset is ``restrict``-ed by the request's action, whose
    writes go through services (``perform_*`` hooks), and whose writes are rolled back if
    the object ends outside the user's reach."""

    scope_action_map = {"destroy": "delete"}

    def get_scope_action(self) -> str:
        if self.request.method in SAFE_METHODS:
            return "view"
        return self.scope_action_map.get(self.action, "change")

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.get_scope_action())

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            pk = parse_id(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
            if self.get_scope_action() != "view" and pk is not None:
                visible = self.queryset.model._default_manager.restrict(self.request.user, "view")
                if visible.filter(**{self.lookup_field: pk}).exists():
                    raise exceptions.PermissionDenied() from None
            raise

    def _checked(self, write):
        return run_write(self.request, self.queryset.model, write)

    def perform_create(self, serializer):
        serializer.instance = self._checked(lambda: self.create_object(serializer))

    def perform_update(self, serializer):
        serializer.instance = self._checked(lambda: self.update_object(serializer))

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.delete_object(instance)

    # Subclasses call their app's services here.
    def create_object(self, serializer):  # pragma: no cover - abstract
        raise exceptions.MethodNotAllowed(self.request.method)

    def update_object(self, serializer):  # pragma: no cover - abstract
        raise exceptions.MethodNotAllowed(self.request.method)

    def delete_object(self, instance):  # pragma: no cover - abstract
        raise exceptions.MethodNotAllowed(self.request.method)
