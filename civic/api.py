"""Base API classes: the same scope as the pages, applied in one place."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import exceptions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from .ids import parse_id
from .querysets import RestrictedQuerySet
from .views import SAFE_METHODS, refusal, run_write


def exception_handler(exc, context):
    """Service errors (Django's ValidationError/PermissionDenied) become 400/403, not 500."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def scoped_object(view, action: str):
    """The object a DRF view's URL names, through its (restricted) queryset and filters; if
    it is not there, ``refusal`` decides between 404 and 403. The id is parsed once: a
    non-numeric id is a 404 like any other."""
    lookup = view.lookup_url_kwarg or view.lookup_field
    pk = parse_id(view.kwargs[lookup])
    model = view.get_queryset().model
    obj = None if pk is None else view.filter_queryset(view.get_queryset()).filter(pk=pk).first()
    if obj is None:
        raise refusal(model._default_manager.all(), view.request.user, pk, action)
    view.check_object_permissions(view.request, obj)
    return obj


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
        return cast(RestrictedQuerySet, super().get_queryset()).restrict(self.request.user, self.get_scope_action())

    def get_object(self):
        """The object of the URL, or the refusal (404 or 403, ``civic.views.refusal``)."""
        return scoped_object(self, self.get_scope_action())

    def _checked(self, write):
        return run_write(self.request, self.get_queryset().model, write)

    def perform_create(self, serializer):
        serializer.instance = self._checked(lambda: self.create_object(serializer))

    def perform_update(self, serializer):
        serializer.instance = self._checked(lambda: self.update_object(serializer))

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.delete_object(instance)

    # Subclasses call their app's services here.
    def create_object(self, serializer):  # pragma: no cover - abstract
        raise exceptions.MethodNotAllowed(self.request.method or "")

    def update_object(self, serializer):  # pragma: no cover - abstract
        raise exceptions.MethodNotAllowed(self.request.method or "")

    def delete_object(self, instance):  # pragma: no cover - abstract
        raise exceptions.MethodNotAllowed(self.request.method or "")
