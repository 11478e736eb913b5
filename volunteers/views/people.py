"""Staff pages of volunteers: list, export, detail, register, edit, status, approval queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.models import Kind, ServicePlatform, Site
from centers.selectors import platforms_for
from civic import figures as civic_figures
from civic import nested
from civic.ids import query_id
from civic.scope import can
from civic.views import ScopedObjectView, ServiceFormView, get_scoped, paginate

from .. import roster, services
from ..filters import VolunteerFilter
from ..forms import (
    ROLL_ALL,
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
from ..selectors import ON_THE_ROLL, STATUS_MOVES, allowed_statuses, pending_for, status_moves_for
from .common import (
    ERASED_FIELDS,
    PER_PAGE,
    XLSX,
    ServiceActionView,
    _audit_for,
    _sites_for,
    shown,
)

# The volunteer list and export --------------------------------------------------------


def _filtered_volunteers(request):
    """The list as the filters ask, restricted and annotated with ``can_unmask``: by default
    the people on the roll (active and suspended); ``?status=all`` everyone listed (all but
    the withdrawn); withdrawn people only on ?status=withdrawn and only for their managers (as
    the API)."""
    user = request.user
    params = request.GET.copy()
    status = params.get("status", "")
    if status == Status.WITHDRAWN:
        base = Volunteer.objects.restrict(user, "manage")
    else:
        base = Volunteer.objects.restrict(user, "view").listed()
        if status in ("", ROLL_ALL):
            params.pop("status", None)
            if status == "":
                base = base.filter(status__in=ON_THE_ROLL)
    filterset = VolunteerFilter(params, queryset=base.with_unmask(user), request=request)
    queryset = filterset.qs if filterset.is_valid() else base.none()
    return queryset, filterset


class VolunteerListView(ScopedObjectView):
    template_name = "volunteers/list.html"

    def get(self, request, *args, **kwargs):
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
        return self.render(
            page=page,
            form=form,
            filter_errors=filterset.errors,
            can_add=Site.objects.restrict(user, "add").exists(),
            export_query=request.GET.urlencode(),
        )


class VolunteerExportView(ScopedObjectView):
    """The current filtered list as xlsx, masked as on the page (3 queries whatever the size)."""

    def get(self, request, *args, **kwargs):
        queryset, _filterset = _filtered_volunteers(request)
        data = roster.export_workbook(Volunteer.objects.filter(pk__in=queryset.values("pk")), request.user)
        response = HttpResponse(data, content_type=XLSX)
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="volunteers-{stamp}.xlsx"'
        return response


class ApprovalQueueView(ScopedObjectView):
    """Pending registrations and login claims in the manager's scope."""

    template_name = "volunteers/queue.html"

    def get(self, request, *args, **kwargs):
        queryset = pending_for(request.user).with_unmask(request.user).select_related("source_group")
        page = paginate(request, queryset, PER_PAGE)
        page.object_list = shown(list(page.object_list))
        return self.render(page=page)


# One volunteer ------------------------------------------------------------------------


class VolunteerView(ScopedObjectView):
    """A page about one volunteer (``v``), read through the user's scope for ``scope_action``
    and shown with their numbers whole or masked."""

    model = Volunteer
    context_object_name = "v"

    def get_base_queryset(self):
        return Volunteer.objects.select_related("home_site", "source_group", "user")

    def get_object(self) -> Volunteer:
        user = self.request.user
        queryset = self.get_base_queryset().with_unmask(user)
        (volunteer,) = shown([get_scoped(queryset, user, self.kwargs.get("pk"), self.get_scope_action())])
        return volunteer

    def detail_url(self) -> str:
        return reverse("volunteers:detail", args=[self.object.pk])

    def get_success_url(self, result: Any) -> str:
        return self.detail_url()


class VolunteerDetailView(VolunteerView):
    scope_action = "view"
    template_name = "volunteers/detail.html"

    def get(self, request, *args, **kwargs):
        v = self.object
        memberships = list(v.memberships.select_related("team__site").order_by("-requested_at"))
        return self.render(
            skills=list(v.skills.all()),
            memberships=memberships,
            history=_audit_for(v, request.user),
            figures=civic_figures.volunteer_figures([v]).get(v.pk, []),
            can_manage=can(request.user, "manage", v.home_site),
            moves=status_moves_for(v),
        )


class VolunteerEditView(VolunteerView, ServiceFormView):
    scope_action = "change"
    template_name = "volunteers/form.html"
    success_message = gettext_lazy("Saved.")

    def get_form(self):
        return VolunteerEditForm(
            self.request.POST if self.request.method == "POST" else None,
            volunteer=self.object,
            sites=_sites_for(self.request.user, "add"),
            platforms=platforms_for(self.object.home_site),
        )

    def write(self, form):
        changes, skills = form.service_arguments()
        return services.volunteer_update(actor=self.request.user, volunteer=self.object, skills=skills, **changes)


class VolunteerStatusView(VolunteerView, ServiceFormView):
    """Suspend, reinstate or withdraw, after a confirmation page with the reason; a move the
    volunteer's status does not allow says why instead of offering the button."""

    scope_action = "manage"
    template_name = "volunteers/status_confirm.html"
    form_class = ReasonForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if kwargs.get("to") not in STATUS_MOVES:
            raise Http404(_("Unknown status."))
        self.to = kwargs["to"]

    def get_context_data(self, **context):
        moves = status_moves_for(self.object)
        possible = self.to in allowed_statuses(self.object.status) and not self.object.anonymised_at
        return super().get_context_data(
            to=self.to, action_label=STATUS_MOVES[self.to], possible=possible, why_not=moves.why_not, **context
        )

    def write(self, form):
        return services.volunteer_set_status(
            actor=self.request.user, volunteer=self.object, status=self.to, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self, result) -> str:
        return _("%(name)s is now %(status)s.") % {"name": self.object, "status": Status(self.to).label}


class VolunteerAnonymiseView(VolunteerView, ServiceFormView):
    """Delete on request: a confirmation page that says what is erased and what stays."""

    scope_action = "manage"
    template_name = "volunteers/anonymise_confirm.html"
    success_message = gettext_lazy("The personal data was erased; the service history stays.")

    def get_context_data(self, **context):
        return super().get_context_data(erased=ERASED_FIELDS, **context)

    def write(self, form):
        return services.volunteer_anonymise(actor=self.request.user, volunteer=self.object)


class VolunteerPasswordView(VolunteerView, ServiceFormView):
    scope_action = "manage"
    template_name = "volunteers/password.html"
    form_class = PasswordForm
    success_message = gettext_lazy("The new password is set. Tell it to the volunteer in person.")

    def write(self, form):
        return services.login_reset_password(
            actor=self.request.user, volunteer=self.object, password=form.cleaned_data["password"]
        )


class VolunteerDecideView(ServiceActionView, VolunteerView):
    """Approve or reject a pending registration (POST from the queue or the detail page)."""

    scope_action = "manage"

    def get_return_url(self) -> str:
        return self.detail_url()

    def approve(self) -> bool:
        return self.request.POST.get("decision") == "approve"

    def write(self, form):
        return services.volunteer_decide(
            actor=self.request.user,
            volunteer=self.object,
            approve=self.approve(),
            reason=self.request.POST.get("reason", ""),
        )

    def get_success_message(self, result) -> str:
        message = _("Approved: %(name)s.") if self.approve() else _("Rejected: %(name)s.")
        return message % {"name": self.object}


class VolunteerClaimView(ServiceActionView, VolunteerView):
    """Confirm (or refuse) a login claim."""

    scope_action = "manage"

    def get_return_url(self) -> str:
        return self.detail_url()

    def approve(self) -> bool:
        return self.request.POST.get("approve") == "1"

    def write(self, form):
        return services.login_claim_confirm(actor=self.request.user, volunteer=self.object, approve=self.approve())

    def get_success_message(self, result) -> str:
        message = _("Login confirmed for %(name)s.") if self.approve() else _("Login claim refused for %(name)s.")
        return message % {"name": self.object}


class VolunteerCreateView(ServiceFormView):
    """Registration by station staff: active at once, no login (the person may claim one)."""

    template_name = "volunteers/form.html"

    def get_object(self) -> None:
        if not Site.objects.restrict(self.request.user, "add").exists():
            raise PermissionDenied(_("Only station staff can register volunteers."))
        return None

    def get_form(self) -> forms.BaseForm:
        user = self.request.user
        sites = _sites_for(user, "add")
        site_pk = query_id(self.request, "site")
        site = Site.objects.restrict(user, "add").filter(pk=site_pk).first() if site_pk else None
        platforms = platforms_for(site or sites.first())
        if self.request.method != "POST":
            return StaffRegistrationForm(
                sites=sites, platforms=platforms, initial={"home_site": site.pk if site else None}
            )
        allowed = Site.objects.restrict(user, "add").filter(kind=Kind.PRACTICE, is_active=True)
        form = StaffRegistrationForm(self.request.POST, sites=allowed, platforms=platforms)
        form.full_clean()
        form.fields["home_site"].queryset = sites  # the choices shown again, as on the first visit
        return form

    def get_context_data(self, **context):
        return super().get_context_data(creating=True, **context)

    def write(self, form):
        return services.volunteer_register(actor=self.request.user, **form.service_arguments())

    def get_success_message(self, result) -> str:
        return _("Registered %(name)s.") % {"name": result}

    def get_success_url(self, result) -> str:
        return reverse("volunteers:detail", args=[result.pk])
