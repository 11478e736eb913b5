"""What the points pages share: page sizes, the ledger's page without a COUNT, site names,
files served through a scoped view, the ``next`` of a form, and the site pages' base."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from centers.models import Site
from civic.ids import query_int
from civic.views import SAFE_METHODS, ScopedObjectView

HISTORY_PER_PAGE = 20
MAX_PAGE = 10_000  # ?page= beyond this reads this page
LIST_PER_PAGE = 50


class HistoryPage:
    """A page of a volunteer's ledger without a COUNT: one row more than shown tells
    whether there is an older page."""

    def __init__(self, request, queryset, per_page: int = HISTORY_PER_PAGE):
        self.number = query_int(request, "page", default=1, lo=1, hi=MAX_PAGE)
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.has_next = len(rows) > per_page
        self.has_previous = self.number > 1
        self.object_list = rows[:per_page]
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1


def site_names(entries) -> None:
    """The display name of each entry's site, worked out once per site."""
    names: dict[int, str] = {}
    for entry in entries:
        site = entry.site
        entry.site_name = names.get(site.pk) or names.setdefault(site.pk, site.display_name)


def safe_next(request, default: str) -> str:
    """The ``next`` of a form if it stays on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def file_response(field, *, cache: str = "private, max-age=3600") -> FileResponse:
    """An image of a model (a goods photo, a seal), read from storage (never a public URL)."""
    if not field:
        raise Http404(_("No image."))
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("No image.")) from None
    response = FileResponse(handle)
    response["Cache-Control"] = cache
    return response


def flash_form_errors(request, form) -> None:
    """A form's errors as messages, for an action that answers with a redirect."""
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


class SiteView(ScopedObjectView):
    """A points page of one site (``sites/<site_pk>/...``): ``self.site``."""

    model = Site
    pk_url_kwarg = "site_pk"
    context_object_name = "site"

    @property
    def site(self) -> Site:
        return self.object


class ManageOnWrite:
    """Read the page with ``view``; a write needs ``manage`` (the services ask the same)."""

    request: Any

    def get_scope_action(self) -> str:
        return "view" if self.request.method in SAFE_METHODS else "manage"
