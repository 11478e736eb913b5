"""Roster import pages: upload, progress, result, template."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from centers.models import Kind, Site
from civic.ids import query_id
from civic.views import ScopedObjectView, ServiceFormView

from .. import roster, services
from ..forms import RosterImportForm
from ..models import ImportStatus, RosterImport
from .common import XLSX, _is_htmx, _sites_for

RUNNING = (ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.WRITING)


class RosterImportView(ServiceFormView):
    """Upload a roster (xlsx or CSV); a readable one is stored and checked and written by a
    Celery task, an unreadable one is refused on the form with nothing stored."""

    template_name = "volunteers/import.html"

    def get_object(self) -> None:
        if not Site.objects.restrict(self.request.user, "add").exists():
            raise PermissionDenied(_("Only station staff can import volunteers."))
        return None

    def get_form(self):
        user = self.request.user
        sites = _sites_for(user, "add")
        if self.request.method != "POST":
            return RosterImportForm(sites=sites)
        form = RosterImportForm(
            self.request.POST,
            self.request.FILES,
            sites=Site.objects.restrict(user, "add").filter(kind=Kind.PRACTICE),
        )
        form.full_clean()
        form.fields["site"].queryset = sites  # the choices shown again, as on the first visit
        return form

    def get_context_data(self, **context):
        recent = RosterImport.objects.restrict(self.request.user, "view").select_related("site", "created_by")[:10]
        return super().get_context_data(recent=recent, **context)

    def write(self, form):
        data = form.cleaned_data
        return services.roster_import_start(
            actor=self.request.user, site=data["site"], upload=data["file"], mode=data["mode"]
        )

    def get_success_url(self, result) -> str:
        return reverse("volunteers:import-status", args=[result.pk])


class ImportStatusView(ScopedObjectView):
    """An import's progress; the htmx fragment polls itself every second while it runs."""

    model = RosterImport
    context_object_name = "job"

    def get_base_queryset(self):
        return RosterImport.objects.select_related("site", "created_by")

    def get(self, request, *args, **kwargs):
        self.template_name = "volunteers/_import_status.html" if _is_htmx(request) else "volunteers/import_status.html"
        return self.render(running=self.object.status in RUNNING)


class ImportTemplateView(ScopedObjectView):
    """The blank roster template (with the platforms of ``?site=``, if the user sees it)."""

    def get(self, request, *args, **kwargs):
        pk = query_id(request, "site")
        site = Site.objects.restrict(request.user, "view").filter(pk=pk).first() if pk else None
        response = HttpResponse(roster.template_workbook(site=site), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="volunteer-roster-template.xlsx"'
        return response
