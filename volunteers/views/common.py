"""What the volunteer pages share: constants and small helpers."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views import View

from centers.models import Kind, Level, Site
from civic import nested
from civic import views as civic_views
from civic.models import AuditEntry
from civic.selectors import AuditLine, audit_lines
from civic.views import ServiceFormView
from civic.views import not_found as _not_found  # noqa: F401 (the pages raise it)

from ..identity import mask_id, mask_phone
from ..models import (
    Volunteer,
)

PER_PAGE = 50
TEAMS_PER_PAGE = 100
SITE_CHOICES_LIMIT = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERASED_FIELDS = [
    gettext_lazy("real name"),
    gettext_lazy("ID number and birth date"),
    gettext_lazy("mobile phone"),
    gettext_lazy("national volunteer number"),
    gettext_lazy("emergency contact and phone"),
    gettext_lazy("guardian and guardian phone"),
    gettext_lazy("other skills"),
    gettext_lazy("the login (it can no longer be used)"),
]


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _sites_for(user, action: str, *, limit: int = SITE_CHOICES_LIMIT):
    """Active practice sites ``user`` may ``action`` at, in tree order, for a select: the lower
    levels are left out when there are too many (one to three small queries)."""
    sites = (
        Site.objects.restrict(user, action).filter(kind=Kind.PRACTICE, is_active=True).order_by(*nested.tree_order())
    )
    for lower in ([], [Level.GROUP], [Level.GROUP, Level.VILLAGE], [Level.GROUP, Level.VILLAGE, Level.TOWNSHIP]):
        narrowed = sites.exclude(level__in=lower) if lower else sites
        if narrowed[: limit + 1].count() <= limit:
            return narrowed
    return narrowed[:limit]


def shown(volunteers):
    """Set the numbers each volunteer is shown with (whole or masked, per ``can_unmask``)."""
    for v in volunteers:
        whole = getattr(v, "can_unmask", False)
        v.shown_id = (v.id_number or "") if whole else mask_id(v.id_number or "")
        v.shown_phone = v.phone if whole else mask_phone(v.phone)
        v.shown_emergency_phone = v.emergency_phone if whole else mask_phone(v.emergency_phone)
        v.shown_guardian_phone = v.guardian_phone if whole else mask_phone(v.guardian_phone)
        v.shown_birth_date = v.birth_date if whole else None
    return volunteers


def _audit_for(volunteer: Volunteer, viewer, limit: int = 20) -> list[AuditLine]:
    entries = AuditEntry.objects.filter(
        object_type=ContentType.objects.get_for_model(Volunteer), object_id=str(volunteer.pk)
    ).select_related("actor", "object_type")
    return audit_lines(entries[:limit], viewer)


class ServiceActionView(civic_views.ServiceActionView):
    """A button on another page (civic's ``ServiceActionView``) that returns the browser to
    ``next`` (a local address), else to ``get_return_url()``, whether it worked or not."""

    def get_return_url(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_success_url(self, result: Any) -> str:
        return _next_or(self.request, self.get_return_url())


class PublicFormView(ServiceFormView):
    """A form anyone may fill in, logged in or not (self-registration, a login claim): there is
    no object, and the write is the person's own (``own_records``)."""

    own_records = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = None
        return View.dispatch(self, request, *args, **kwargs)  # no login needed: not ScopedObjectView's
