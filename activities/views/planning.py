"""Planning pages: a site's annual plan (planned against held, month by month, for the site and
everything under it), its recurring activities and filling the year from them; brand projects
(per township and year, and one project through its stages); yearly archives with progress
and their downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from centers.models import Level, Site
from centers.selectors import platforms_for, top_sites_for
from civic import nested
from civic.ids import query_id, query_int
from civic.scope import can
from civic.views import ScopedObjectView, ServiceFormView, paginate

from .. import selectors, services
from ..forms import AdvanceForm, ArchiveForm, FillForm, PlanSubmitForm, ProjectForm, TemplateForm
from ..models import Activity, ActivityArchive, AnnualPlan, ArchiveStatus, BrandProject, RecurringTemplate
from ..services.planning import STAGE_NEXT, STAGE_ORDER
from .common import XLSX, file_response, is_htmx, sites_for, teams_for_user

MONTHS = range(1, 13)


def _year(request) -> int:
    today = timezone.localdate()
    return query_int(request, "year", default=today.year, lo=2000, hi=today.year + 5)


@login_required
def choose_site(request, target: str):
    """``plan/`` and ``projects/``: the page of the site chosen (``?site=``, one the user can
    see), else of the user's own (top) site."""
    site_id = query_id(request, "site")
    site = Site.objects.restrict(request.user, "view").filter(pk=site_id).first() if site_id else None
    site = site or top_sites_for(request.user).first()
    if site is None:
        return redirect("activities:open")
    year = query_int(request, "year", default=0, lo=2000, hi=2100)
    return redirect(reverse(target, args=[site.pk]) + (f"?year={year}" if year else ""))


class SitePage(ScopedObjectView):
    model = Site
    context_object_name = "site"

    @property
    def site(self) -> Site:
        return self.object


class PlanView(SitePage):
    """Planned against held by month for the site and its subtree; its plan and recurring
    activities."""

    scope_action = "view"
    template_name = "activities/plan.html"

    def get(self, request, pk):
        site, year = self.site, _year(request)
        months = selectors.plan_progress(site, year=year)
        plan = AnnualPlan.objects.filter(site=site, year=year).first()
        return self.render(
            year=year,
            years=[year - 1, year, year + 1],
            months=months,
            totals={
                "planned": sum(m.planned for m in months),
                "held": sum(m.held for m in months),
                "planned_below": sum(m.planned_below for m in months),
                "held_below": sum(m.held_below for m in months),
            },
            plan=plan,
            late=selectors.plan_is_late(plan) if plan else None,
            templates=list(RecurringTemplate.objects.filter(site=site).order_by("title", "pk")),
            manager=can(request.user, "manage", site),
            sites=sites_for(request.user, "view"),
        )


class HandInView(SitePage, ServiceFormView):
    """Hand in the year's plan (due before February)."""

    scope_action = "change"
    template_name = "activities/plan_submit.html"
    form_class = PlanSubmitForm
    success_message = gettext_lazy("The plan is handed in.")

    def year(self) -> int:
        return _year(self.request)

    def get_context_data(self, **context):
        return super().get_context_data(year=self.year(), **context)

    def write(self, form):
        plan = services.plan_open(actor=self.request.user, site=self.site, year=self.year())
        return services.plan_submit(actor=self.request.user, plan=plan, note=form.cleaned_data.get("note", ""))

    def get_success_url(self, result) -> str:
        return reverse("activities:plan", args=[self.site.pk]) + f"?year={result.year}"


class TemplateFormMixin:
    template_name = "activities/template_form.html"
    form_class = TemplateForm

    def form_site(self) -> Site:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),  # type: ignore[misc]
            "platforms": platforms_for(self.form_site()),
            "teams": teams_for_user(self.request.user),  # type: ignore[attr-defined]
        }

    def get_success_url(self, result) -> str:
        return reverse("activities:plan", args=[result.site_id])


class TemplateCreateView(TemplateFormMixin, SitePage, ServiceFormView):
    """A recurring activity of the site ("every month, mid-month")."""

    scope_action = "add"
    success_message = gettext_lazy("Saved. Fill the year's plan from it when you are ready.")

    def form_site(self) -> Site:
        return self.site

    def write(self, form):
        return services.template_save(actor=self.request.user, site=self.site, **form.cleaned_data)


class TemplateEditView(TemplateFormMixin, ServiceFormView):
    model = RecurringTemplate
    scope_action = "change"
    context_object_name = "template"
    success_message = gettext_lazy("Saved.")

    def form_site(self) -> Site:
        return self.object.site

    def get_initial(self):
        t = self.object
        fields = ["title", "kind", "day_of_month", "start_time", "duration_minutes", "theme", "place", "capacity"]
        return {
            **{name: getattr(t, name) for name in fields},
            "platform": t.platform_id,
            "team": t.team_id,
            "hours_cap": t.hours_cap,
            "description": t.description,
            "is_active": t.is_active,
        }

    def write(self, form):
        return services.template_save(
            actor=self.request.user, site=self.object.site, template=self.object, **form.cleaned_data
        )


class FillView(ServiceFormView):
    """Fill a year's plan with one draft a month from a recurring activity."""

    model = RecurringTemplate
    scope_action = "add"
    context_object_name = "template"
    template_name = "activities/template_fill.html"
    form_class = FillForm

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def write(self, form):
        self.made = services.recurring_fill(
            actor=self.request.user, template=self.object, year=form.cleaned_data["year"]
        )
        self.year = form.cleaned_data["year"]
        return None

    def get_success_message(self, result) -> str:
        n = len(self.made)
        if not n:
            return _("Every month still ahead already has its draft.")
        return ngettext("Added %(n)s draft to the plan.", "Added %(n)s drafts to the plan.", n) % {"n": n}

    def get_success_url(self, result) -> str:
        return reverse("activities:plan", args=[self.object.site_id]) + f"?year={self.year}"


# Brand projects ----------------------------------------------------------------------------


class ProjectsView(SitePage):
    """The brand projects of a site and everything under it; for a county, how many each
    township runs in the year (the documents ask 1–2)."""

    scope_action = "view"
    template_name = "activities/projects.html"

    def get(self, request, pk):
        site, year = self.site, _year(request)
        by_township = selectors.brand_projects_by_township(site, year=year) if site.level in (
            Level.COUNTY, Level.CITY, Level.PROVINCE
        ) else []  # fmt: skip
        projects = (
            BrandProject.objects.restrict(request.user, "view")
            .filter(nested.under(site, "site"))
            .select_related("site", "platform")
            .order_by(*nested.tree_order("site"), "name")
        )
        page = paginate(request, projects, 50)
        return self.render(
            year=year,
            years=[year - 1, year, year + 1],
            by_township=by_township,
            page=page,
            can_add=can(request.user, "add", site),
            sites=sites_for(request.user, "view"),
        )


class ProjectCreateView(SitePage, ServiceFormView):
    scope_action = "add"
    template_name = "activities/project_form.html"
    form_class = ProjectForm
    success_message = gettext_lazy("The project is established.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "platforms": platforms_for(self.site)}

    def write(self, form):
        return services.brand_project_create(actor=self.request.user, site=self.site, **form.cleaned_data)

    def get_success_url(self, result) -> str:
        return reverse("activities:project", args=[result.pk])


class ProjectView(ScopedObjectView):
    """One brand project: its stages (the current one marked, the next one a button) and its
    activities."""

    model = BrandProject
    scope_action = "view"
    context_object_name = "project"
    template_name = "activities/project.html"

    def get_base_queryset(self):
        return BrandProject.objects.select_related("site", "platform")

    def get(self, request, pk):
        project = self.object
        activities = (
            Activity.objects.restrict(request.user, "view")
            .filter(brand_project=project)
            .select_related("site")
            .order_by("-starts_at", "-pk")
        )
        current = STAGE_ORDER.index(project.stage)
        return self.render(
            stages=[(stage, i < current, i == current) for i, stage in enumerate(STAGE_ORDER)],
            next_stage=STAGE_NEXT.get(project.stage),
            page=paginate(request, activities, 30),
            can_change=can(request.user, "change", project.site),
        )


class ProjectAdvanceView(ServiceFormView):
    model = BrandProject
    scope_action = "change"
    context_object_name = "project"
    template_name = "activities/project.html"
    form_class = AdvanceForm
    success_message = gettext_lazy("The project moved on to its next stage.")

    def get(self, request, *args, **kwargs):
        return redirect("activities:project", self.object.pk)

    def form_invalid(self, form):
        for errors in form.errors.values():
            for error in errors:
                messages.error(self.request, error)
        return redirect("activities:project", self.object.pk)

    def write(self, form):
        return services.brand_project_advance(
            actor=self.request.user, project=self.object, stage=form.cleaned_data["stage"]
        )

    def get_success_url(self, result) -> str:
        return reverse("activities:project", args=[result.pk])


# Yearly archives -------------------------------------------------------------------------


class ArchivesView(ServiceFormView):
    """The yearly archives of the sites in reach, and starting one (built in the background)."""

    template_name = "activities/archives.html"
    form_class = ArchiveForm
    success_message = gettext_lazy("The archive is being built; this page shows its progress.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "sites": sites_for(self.request.user, "manage")}

    def get_initial(self):
        return {"year": timezone.localdate().year - 1}

    def get_context_data(self, **context):
        archives = ActivityArchive.objects.restrict(self.request.user, "view").select_related("site")
        return super().get_context_data(page=paginate(self.request, archives, 30), **context)

    def write(self, form):
        return services.archive_start(
            actor=self.request.user, site=form.cleaned_data["site"], year=form.cleaned_data["year"]
        )

    def get_success_url(self, result) -> str:
        return reverse("activities:archive", args=[result.pk])


class ArchiveView(ScopedObjectView):
    """One archive: its progress (the page asks again every two seconds until it is done) and
    its downloads."""

    model = ActivityArchive
    scope_action = "view"
    context_object_name = "archive"
    template_name = "activities/archive.html"

    def get_base_queryset(self):
        return ActivityArchive.objects.select_related("site")

    def get(self, request, pk):
        context = {"busy": self.object.status in (ArchiveStatus.QUEUED, ArchiveStatus.RUNNING)}
        if is_htmx(request):
            return self.render_fragment(**context)
        return self.render(**context)

    def render_fragment(self, **context):
        return render(self.request, "activities/_archive_status.html", self.get_context_data(**context))


class ArchiveFileView(ScopedObjectView):
    model = ActivityArchive
    scope_action = "view"
    field = "ledger"

    def get(self, request, pk):
        archive = self.object
        if self.field == "ledger":
            return file_response(
                archive.ledger,
                filename=f"ledger-{archive.site_id}-{archive.year}.xlsx",
                content_type=XLSX,
                attachment=True,
            )
        return file_response(
            archive.photos,
            filename=f"photos-{archive.site_id}-{archive.year}.zip",
            content_type="application/zip",
            attachment=True,
        )
