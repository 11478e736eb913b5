"""Roster import pages: upload, progress, result, template."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from centers.models import Kind, Site
from civic.ids import query_id
from civic.views import form_errors_from

from .. import roster
from ..forms import (
    RosterImportForm,
)
from ..models import (
    ImportStatus,
    RosterImport,
)
from .common import (
    XLSX,
    _is_htmx,
    _not_found,
    _sites_for,
)

# Roster import ----------------------------------------------------------------------


@login_required
def roster_import(request):
    """Upload a roster (xlsx or CSV); the import runs as a Celery task."""
    user = request.user
    if not Site.objects.restrict(user, "add").exists():
        raise PermissionDenied(_("Only station staff can import volunteers."))
    sites = _sites_for(user, "add")
    form = RosterImportForm(request.POST or None, request.FILES or None, sites=sites)
    if request.method == "POST":
        form.fields["site"].queryset = Site.objects.restrict(user, "add").filter(kind=Kind.PRACTICE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = roster.roster_import_start(actor=user, site=data["site"], upload=data["file"], mode=data["mode"])
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                return redirect("volunteers:import-status", pk=job.pk)
        form.fields["site"].queryset = sites
    recent = RosterImport.objects.restrict(user, "view").select_related("site", "created_by")[:10]
    return render(request, "volunteers/import.html", {"form": form, "recent": recent})


RUNNING = (ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.WRITING)


@login_required
def import_status(request, pk: int):
    """An import's progress; the htmx fragment polls itself every second while it runs."""
    job = RosterImport.objects.restrict(request.user, "view").select_related("site", "created_by").filter(pk=pk).first()
    if job is None:
        raise _not_found()
    template = "volunteers/_import_status.html" if _is_htmx(request) else "volunteers/import_status.html"
    return render(request, template, {"job": job, "running": job.status in RUNNING})


@login_required
def import_template(request):
    pk = query_id(request, "site")
    site = Site.objects.restrict(request.user, "view").filter(pk=pk).first() if pk else None
    response = HttpResponse(roster.template_workbook(site=site), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="volunteer-roster-template.xlsx"'
    return response
