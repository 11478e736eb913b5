"""Staff pages of volunteers: list, export, detail, register, edit, status, approval queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from centers.models import Kind, ServicePlatform, Site
from centers.selectors import platforms_for
from civic import figures as civic_figures
from civic import nested
from civic.ids import query_id
from civic.scope import can
from civic.views import ScopedMixin, flash_error, form_errors_from, paginate, run_write

from .. import roster, services
from ..filters import VolunteerFilter
from ..forms import (
    STATUS_ACTIONS,
    PasswordForm,
    ReasonForm,
    StaffRegistrationForm,
    VolunteerEditForm,
    VolunteerFilterForm,
)
from ..models import (
    Status,
    Team,
    TeamKind,
    Volunteer,
)
from ..selectors import pending_for
from .common import (
    ERASED_FIELDS,
    PER_PAGE,
    XLSX,
    _audit_for,
    _next_or,
    _sites_for,
    shown,
)

# The volunteer list and export --------------------------------------------------------


def _filtered_volunteers(request):
    """The list as the filters ask, restricted and annotated with ``can_unmask``; withdrawn
    people only on ?status=withdrawn and only for their managers (as the API)."""
    user = request.user
    if request.GET.get("status") == Status.WITHDRAWN:
        base = Volunteer.objects.restrict(user, "manage")
    else:
        base = Volunteer.objects.restrict(user, "view").listed()
    filterset = VolunteerFilter(request.GET, queryset=base.with_unmask(user), request=request)
    queryset = filterset.qs if filterset.is_valid() else base.none()
    return queryset, filterset


@login_required
def volunteer_list(request):
    user = request.user
    queryset, filterset = _filtered_volunteers(request)
    queryset = queryset.select_related("home_site", "source_group").order_by("-registered_at", "-id")
    page = paginate(request, queryset, PER_PAGE)
    page.object_list = shown(list(page.object_list))
    visible_teams = Team.objects.restrict(user, "view")
    teams = visible_teams.filter(is_active=True).exclude(kind=TeamKind.SQUAD).order_by(*nested.tree_order())
    chosen_team = query_id(request, "team")
    if chosen_team:
        teams = teams | visible_teams.filter(pk=chosen_team)
    form = VolunteerFilterForm(
        request.GET,
        sites=_sites_for(user, "view"),
        platforms=ServicePlatform.objects.restrict(user, "view")
        .filter(is_active=True)
        .order_by(*nested.tree_order("owner"), "sort_order"),
        teams=teams,
    )
    return render(
        request,
        "volunteers/list.html",
        {
            "page": page,
            "form": form,
            "filter_errors": filterset.errors,
            "can_add": Site.objects.restrict(user, "add").exists(),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def volunteer_export(request):
    """The current filtered list as xlsx, masked as on the page (3 queries whatever the size)."""
    queryset, _filterset = _filtered_volunteers(request)
    data = roster.export_workbook(Volunteer.objects.filter(pk__in=queryset.values("pk")), request.user)
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="volunteers-{stamp}.xlsx"'
    return response


# One volunteer ------------------------------------------------------------------------


class VolunteerView(ScopedMixin, View):
    """A page about one volunteer, read through the user's scope for ``scope_action``."""

    model = Volunteer
    template_name = ""

    def get_base_queryset(self):
        return Volunteer.objects.select_related("home_site", "source_group", "user")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        (self.volunteer,) = shown([self.get_object(self.get_queryset().with_unmask(request.user))])
        return super().dispatch(request, *args, **kwargs)

    def render(self, status: int = 200, **context):
        return render(self.request, self.template_name, {"v": self.volunteer, **context}, status=status)

    def detail_url(self) -> str:
        return reverse("volunteers:detail", args=[self.volunteer.pk])


class VolunteerDetailView(VolunteerView):
    scope_action = "view"
    template_name = "volunteers/detail.html"

    def get(self, request, pk):
        v = self.volunteer
        memberships = list(v.memberships.select_related("team__site").order_by("-requested_at"))
        return self.render(
            skills=list(v.skills.all()),
            memberships=memberships,
            history=_audit_for(v, request.user),
            figures=civic_figures.volunteer_figures([v]).get(v.pk, []),
            can_manage=can(request.user, "manage", v.home_site),
            status_actions=[
                (to, label) for to, label in STATUS_ACTIONS.items() if to in services.allowed_statuses(v.status)
            ],
        )


class VolunteerEditView(VolunteerView):
    scope_action = "change"
    template_name = "volunteers/form.html"

    def form(self, data=None):
        return VolunteerEditForm(
            data,
            volunteer=self.volunteer,
            sites=_sites_for(self.request.user, "add"),
            platforms=platforms_for(self.volunteer.home_site),
        )

    def get(self, request, pk):
        return self.render(form=self.form())

    def post(self, request, pk):
        form = self.form(request.POST)
        if form.is_valid():
            fields, skills = form.service_arguments()
            try:
                run_write(
                    request,
                    Volunteer,
                    lambda: services.volunteer_update(
                        actor=request.user, volunteer=self.volunteer, skills=skills, **fields
                    ),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.detail_url())
        return self.render(form=form)


class VolunteerStatusView(VolunteerView):
    """Suspend, reinstate or withdraw, after a confirmation page with the reason."""

    scope_action = "manage"
    template_name = "volunteers/status_confirm.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if kwargs.get("to") not in STATUS_ACTIONS:
            raise Http404(_("Unknown status."))
        self.to = kwargs["to"]

    def get(self, request, pk, to):
        return self.render(form=ReasonForm(), to=to, action_label=STATUS_ACTIONS[to])

    def post(self, request, pk, to):
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                run_write(
                    request,
                    Volunteer,
                    lambda: services.volunteer_set_status(
                        actor=request.user, volunteer=self.volunteer, status=to, reason=form.cleaned_data["reason"]
                    ),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request, _("%(name)s is now %(status)s.") % {"name": self.volunteer, "status": Status(to).label}
                )
                return redirect(self.detail_url())
        return self.render(form=form, to=to, action_label=STATUS_ACTIONS[to])


class VolunteerAnonymiseView(VolunteerView):
    """Delete on request: a confirmation page that says what is erased and what stays."""

    scope_action = "manage"
    template_name = "volunteers/anonymise_confirm.html"

    def get(self, request, pk):
        return self.render(erased=ERASED_FIELDS)

    def post(self, request, pk):
        run_write(
            request, Volunteer, lambda: services.volunteer_anonymise(actor=request.user, volunteer=self.volunteer)
        )
        messages.success(request, _("The personal data was erased; the service history stays."))
        return redirect(self.detail_url())


class VolunteerPasswordView(VolunteerView):
    scope_action = "manage"
    template_name = "volunteers/password.html"

    def get(self, request, pk):
        return self.render(form=PasswordForm())

    def post(self, request, pk):
        form = PasswordForm(request.POST)
        if form.is_valid():
            try:
                run_write(
                    request,
                    Volunteer,
                    lambda: services.login_reset_password(
                        actor=request.user, volunteer=self.volunteer, password=form.cleaned_data["password"]
                    ),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The new password is set. Tell it to the volunteer in person."))
                return redirect(self.detail_url())
        return self.render(form=form)


class VolunteerDecideView(VolunteerView):
    """Approve or reject a pending registration (POST from the queue or the detail page)."""

    scope_action = "manage"
    http_method_names = ["post"]

    def post(self, request, pk):
        approve = request.POST.get("decision") == "approve"
        try:
            run_write(
                request,
                Volunteer,
                lambda: services.volunteer_decide(
                    actor=request.user, volunteer=self.volunteer, approve=approve, reason=request.POST.get("reason", "")
                ),
            )
        except ValidationError as exc:
            flash_error(request, exc)
        else:
            message = _("Approved: %(name)s.") if approve else _("Rejected: %(name)s.")
            messages.success(request, message % {"name": self.volunteer})
        return redirect(_next_or(request, self.detail_url()))


class VolunteerClaimView(VolunteerView):
    """Confirm (or refuse) a login claim."""

    scope_action = "manage"
    http_method_names = ["post"]

    def post(self, request, pk):
        approve = request.POST.get("approve") == "1"
        try:
            run_write(
                request,
                Volunteer,
                lambda: services.login_claim_confirm(actor=request.user, volunteer=self.volunteer, approve=approve),
            )
        except ValidationError as exc:
            flash_error(request, exc)
        else:
            message = _("Login confirmed for %(name)s.") if approve else _("Login claim refused for %(name)s.")
            messages.success(request, message % {"name": self.volunteer})
        return redirect(_next_or(request, self.detail_url()))


@login_required
def volunteer_create(request):
    """Registration by station staff: active at once, no login (the person may claim one)."""
    user = request.user
    sites = _sites_for(user, "add")
    if not Site.objects.restrict(user, "add").exists():
        raise PermissionDenied(_("Only station staff can register volunteers."))
    site_pk = query_id(request, "site")
    site = Site.objects.restrict(user, "add").filter(pk=site_pk).first() if site_pk else None
    platforms = platforms_for(site or sites.first())
    if request.method == "POST":
        allowed = Site.objects.restrict(user, "add").filter(kind=Kind.PRACTICE, is_active=True)
        form = StaffRegistrationForm(request.POST, sites=allowed, platforms=platforms)
        if form.is_valid():
            try:
                created = run_write(
                    request,
                    Volunteer,
                    lambda: services.volunteer_register(actor=user, **form.service_arguments()),
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Registered %(name)s.") % {"name": created})
                return redirect("volunteers:detail", pk=created.pk)
        form.fields["home_site"].queryset = sites
    else:
        form = StaffRegistrationForm(sites=sites, platforms=platforms, initial={"home_site": site.pk if site else None})
    return render(request, "volunteers/form.html", {"form": form, "creating": True})


@login_required
def approval_queue(request):
    """Pending registrations and login claims in the manager's scope."""
    queryset = pending_for(request.user).with_unmask(request.user).select_related("source_group")
    page = paginate(request, queryset, PER_PAGE)
    page.object_list = shown(list(page.object_list))
    return render(request, "volunteers/queue.html", {"page": page})
