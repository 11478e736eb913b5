"""Base view classes: every page reads through ``restrict`` and re-checks scope after a write.

A view never filters by hand. ``ScopedMixin`` narrows ``get_queryset()`` to what the user
may do with the request's action (GET → view, anything else → change, or the view's
``scope_action``). ``ScopedWriteMixin.run_write()`` runs a service call in a transaction
and rolls it back if the object it leaves behind is out of the user's reach.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .ids import parse_id

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# The two answers of a refusal, for pages and the API alike.
NOT_FOUND = gettext_lazy("Not found, or outside your area.")
READ_ONLY = gettext_lazy("You may look at this, but not change it.")


def not_found() -> Http404:
    """404: the object does not exist, or lies outside the user's reach (never which)."""
    return Http404(str(NOT_FOUND))


def forbidden() -> PermissionDenied:
    """403: the user sees the object but may not do this to it."""
    return PermissionDenied(str(READ_ONLY))


class ScopedMixin(LoginRequiredMixin):
    """Narrow the view's queryset to the user's scope for the request's action."""

    model = None
    scope_action: str | None = None  # default: view for reads, change for writes

    def get_scope_action(self) -> str:
        if self.scope_action:
            return self.scope_action
        return "view" if self.request.method in SAFE_METHODS else "change"

    def get_base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        return self.get_base_queryset().restrict(self.request.user, self.get_scope_action())

    def get_object(self, queryset=None):
        """The object, or 404 if the user cannot see it, or 403 if they see but may not act."""
        pk = parse_id(self.kwargs.get("pk"))
        obj = None if pk is None else (queryset if queryset is not None else self.get_queryset()).filter(pk=pk).first()
        if obj is None:
            raise refusal(self.get_base_queryset(), self.request.user, pk, self.get_scope_action())
        return obj


def refusal(queryset, user, pk, action: str) -> Exception:
    """Why ``user`` may not ``action`` object ``pk`` of ``queryset`` (``pk`` as it came, a
    number or the raw text of a URL): 403 (``forbidden``) if they can see it, 404
    (``not_found``) otherwise, so that nothing reveals what lies outside a user's area. The
    one place pages and the API decide it."""
    pk = parse_id(pk)
    if pk is not None and action != "view" and queryset.restrict(user, "view").filter(pk=pk).exists():
        return forbidden()
    return not_found()


def get_scoped(queryset, user, pk, action: str = "view"):
    """One object of ``queryset`` that ``user`` may ``action`` (404 or 403 otherwise)."""
    number = parse_id(pk)
    obj = None if number is None else queryset.restrict(user, action).filter(pk=number).first()
    if obj is None:
        raise refusal(queryset, user, pk, action)
    return obj


def run_write(request, model, write: Callable[[], Any], *, action: str = "change") -> Any:
    """Run ``write`` (a service call) in one transaction; roll it back if its result left
    the user's reach. Returns what ``write`` returned."""
    with transaction.atomic():
        obj = write()
        if obj is not None and getattr(obj, "pk", None) is not None:
            still = model._default_manager.restrict(request.user, action).filter(pk=obj.pk).exists()
            if not still:
                transaction.set_rollback(True)
                raise PermissionDenied(_("That change would move it outside your area."))
        return obj


def form_errors_from(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto a form (field errors where they name a field)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_error(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def paginate(request, queryset, per_page: int = 50):
    """A page of ``queryset`` from ?page=; out-of-range pages give the last page."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
