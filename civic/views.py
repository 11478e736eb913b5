"""Base view classes: every page reads through ``restrict`` and re-checks scope after a write.

A view never filters by hand. Three classes write a page:

- ``ScopedObjectView`` loads the one object of the URL that the user may ``scope_action``
  (GET → view, anything else → change), or refuses with ``refusal`` (404/403);
- ``ServiceFormView`` (a ``ScopedObjectView``) shows a form and, when it is valid, calls
  ``write(form)`` (a service) in one transaction: a service's ``ValidationError`` goes back
  onto the form, and a result that left the user's reach is rolled back. A person acting on
  their own records (``own_records = True``) is the one named opt-out of that re-check;
- ``ServiceActionView`` (a ``ServiceFormView``) is a button: POST only, and a refusal is
  flashed as a message on the page it returns to.

An edit page is a declaration: model, action, form, template, ``write`` and where to go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

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
    """Narrow the view's queryset to the user's scope for the request's action (older
    pages; new ones are ``ScopedObjectView``)."""

    model: Any = None
    scope_action: str | None = None  # default: view for reads, change for writes
    request: HttpRequest
    kwargs: dict[str, Any]

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


def ensure_in_reach(user, obj: Any, action: str = "change") -> None:
    """Inside a write's transaction: roll it back (PermissionDenied) if ``obj`` — a saved row
    of a scoped model — is no longer within what ``user`` may ``action``."""
    if not isinstance(obj, models.Model) or obj.pk is None:
        return
    queryset = type(obj)._default_manager.all()
    if not hasattr(queryset, "restrict"):
        return
    if not queryset.restrict(user, action).filter(pk=obj.pk).exists():
        transaction.set_rollback(True)
        raise PermissionDenied(_("That change would move it outside your area."))


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


class ScopedObjectView(LoginRequiredMixin, View):
    """A page about one object: ``self.object`` is the object of the URL (``pk_url_kwarg``)
    that the user may ``scope_action``, loaded once before ``get``/``post``; anything else is
    the refusal (404, or 403 for what the user sees but may not act on). ``model = None`` is a
    page with no object of its own (a person's own page, a list).

    The id may come from elsewhere than the URL (``get_object_id``: ``?parent=`` of a form
    that adds under a site); ``object_optional = True`` lets it be absent (``self.object`` is
    then None: a page that edits an object or adds one)."""

    model: ClassVar[type[models.Model] | None] = None
    scope_action: ClassVar[str | None] = None  # default: view for reads, change for writes
    pk_url_kwarg: ClassVar[str] = "pk"
    object_optional: ClassVar[bool] = False
    template_name: ClassVar[str] = ""
    context_object_name: ClassVar[str] = "object"

    request: HttpRequest
    object: Any

    def get_scope_action(self) -> str:
        if self.scope_action:
            return self.scope_action
        return "view" if self.request.method in SAFE_METHODS else "change"

    def get_base_queryset(self) -> models.QuerySet:
        assert self.model is not None, f"{type(self).__name__} names no model"
        return self.model._default_manager.all()

    def get_object_id(self) -> Any:
        """The id of the object, as it came (the URL's ``pk_url_kwarg`` by default)."""
        return self.kwargs.get(self.pk_url_kwarg)

    def get_object(self) -> Any:
        if self.model is None:
            return None
        raw = self.get_object_id()
        if self.object_optional and raw in (None, ""):
            return None
        return get_scoped(self.get_base_queryset(), self.request.user, raw, self.get_scope_action())

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **context: Any) -> dict[str, Any]:
        if self.object is not None:
            context.setdefault(self.context_object_name, self.object)
        return context

    def render(self, status: int = 200, **context: Any) -> HttpResponse:
        return render(self.request, self.template_name, self.get_context_data(**context), status=status)


class ServiceFormView(ScopedObjectView):
    """A form page whose write is a service call.

    GET shows ``form_class``; a valid POST calls ``write(form)`` in one transaction, rolled
    back if its result — or ``self.object`` — is left outside the user's reach for
    ``result_action`` (None for a delete); a service's ``ValidationError`` goes back onto the
    form (fields it names, else the form's top) and the write is rolled back; success flashes
    ``success_message`` (``%(object)s`` names the result, or ``self.object``) and redirects to
    ``get_success_url(result)``. ``own_records = True`` is for a person acting on their own
    records (a volunteer's profile, sign-up or redemption): the write still runs in one
    transaction, but its result is not checked against a staff scope. Extra context for the
    template comes from ``get_context_data``."""

    form_class: ClassVar[type[forms.BaseForm]] = forms.Form
    success_message: ClassVar[str | Promise] = ""
    result_action: ClassVar[str | None] = "change"
    own_records: ClassVar[bool] = False

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"initial": self.get_initial()}
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        return kwargs

    def get_form(self) -> forms.BaseForm:
        return self.form_class(**self.get_form_kwargs())

    def write(self, form: Any) -> Any:  # pragma: no cover - abstract
        """Call the service with the form's cleaned data; return what it wrote (or None)."""
        raise NotImplementedError

    def get_success_message(self, result: Any) -> str:
        message = str(self.success_message)
        if "%(object)s" in message:
            named = result if isinstance(result, models.Model) else self.object
            message = message % {"object": named}
        return message

    def get_success_url(self, result: Any) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self, form: Any) -> Any:
        """``write(form)`` in one transaction, re-checked unless ``own_records`` or
        ``result_action`` is None (a delete: nothing is left to check)."""
        with transaction.atomic():
            result = self.write(form)  # an exception (a refusal) rolls back all it wrote
            if not self.own_records and self.result_action is not None:
                target = result if isinstance(result, models.Model) else self.object
                ensure_in_reach(self.request.user, target, self.result_action)
            return result

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render(form=form)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            result = self.run(form)
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url(result))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(form=self.get_form())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)


class ServiceActionView(ServiceFormView):
    """A button that calls a service: POST only (its form is the button's hidden fields). A
    refusal — the form's errors or the service's ``ValidationError`` — is flashed, and the
    user returns to ``get_failure_url()`` (by default where success leads)."""

    http_method_names = ["post"]

    def get_failure_url(self) -> str:
        return self.get_success_url(None)

    def form_invalid(self, form: Any) -> HttpResponse:
        for errors in form.errors.values():
            for message in errors:
                messages.error(self.request, message)
        return cast(HttpResponse, redirect(self.get_failure_url()))
