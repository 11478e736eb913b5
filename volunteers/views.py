"""Pages of volunteers and teams: the staff desk (list, detail, register, edit, status,
approval queue, roster import and export, teams) and the volunteer's phone pages
(self-registration, login claim, my profile).

Reads go through ``restrict`` (volunteers also through ``with_unmask``, so masking costs no
query) and the API's filters (``volunteers.filters``); every write calls a service through
``run_write``. Invisible objects are a 404, visible ones the user may not change a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from centers.models import Kind, Level, Site
from centers.selectors import platforms_for, platforms_visible_to
from civic import figures as civic_figures
from civic.models import AuditEntry
from civic.scope import can
from civic.views import ScopedMixin, flash_error, form_errors_from, paginate, run_write

from . import roster, services
from .filters import TeamFilter, VolunteerFilter, memberships_visible_to, teams_visible_to
from .forms import (
    MEMBERSHIP_OPEN,
    PRIVACY_NOTICE,
    STATUS_ACTIONS,
    ClaimForm,
    LeaderForm,
    PasswordForm,
    ReasonForm,
    RosterImportForm,
    SelfRegistrationForm,
    StaffRegistrationForm,
    TeamCreateForm,
    TeamForm,
    VolunteerEditForm,
    VolunteerFilterForm,
    practice_sites,
)
from .identity import mask_id, mask_phone
from .models import (
    ImportStatus,
    Membership,
    MembershipStatus,
    RosterImport,
    Status,
    Team,
    TeamKind,
    Volunteer,
)
from .selectors import pending_for

PER_PAGE = 50
TEAMS_PER_PAGE = 100
SITE_CHOICES_LIMIT = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AUDIT_LABELS = {
    "volunteer.register": gettext_lazy("registered"),
    "volunteer.update": gettext_lazy("profile changed"),
    "volunteer.active": gettext_lazy("active"),
    "volunteer.rejected": gettext_lazy("rejected"),
    "volunteer.suspended": gettext_lazy("suspended"),
    "volunteer.withdrawn": gettext_lazy("withdrawn"),
    "volunteer.pending": gettext_lazy("pending again"),
    "volunteer.anonymise": gettext_lazy("personal data erased"),
    "volunteer.claim": gettext_lazy("login claimed"),
    "volunteer.claim_confirmed": gettext_lazy("login confirmed"),
    "volunteer.claim_refused": gettext_lazy("login refused"),
    "volunteer.password_reset": gettext_lazy("password reset"),
}
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


def _not_found() -> Http404:
    return Http404(_("Not found, or outside your area."))


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _sites_for(user, action: str, *, limit: int = SITE_CHOICES_LIMIT):
    """Active practice sites ``user`` may ``action`` at, in tree order, for a select: the lower
    levels are left out when there are too many (one to three small queries)."""
    sites = Site.objects.restrict(user, action).filter(kind=Kind.PRACTICE, is_active=True).order_by("tree_id", "lft")
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


def _audit_for(volunteer: Volunteer, limit: int = 20) -> list[AuditEntry]:
    entries = list(
        AuditEntry.objects.filter(
            object_type=ContentType.objects.get_for_model(Volunteer), object_id=str(volunteer.pk)
        ).select_related("actor")[:limit]
    )
    for entry in entries:
        entry.label = AUDIT_LABELS.get(entry.action, entry.action)
    return entries


# The volunteer list and export --------------------------------------------------------


def _filtered_volunteers(request):
    """The list as the filters ask, restricted and annotated with ``can_unmask``; withdrawn
    people only on ?status=withdrawn and only for their managers (as the API)."""
    user = request.user
    if request.GET.get("status") == Status.WITHDRAWN:
        base = Volunteer.objects.restrict(user, "manage")
    else:
        base = Volunteer.objects.restrict(user, "view").listed()
    filterset = VolunteerFilter(request.GET, queryset=base.with_unmask(user))
    queryset = filterset.qs if filterset.is_valid() else base.none()
    return queryset, filterset


@login_required
def volunteer_list(request):
    user = request.user
    queryset, filterset = _filtered_volunteers(request)
    queryset = queryset.select_related("home_site", "source_group").order_by("-registered_at", "-id")
    page = paginate(request, queryset, PER_PAGE)
    page.object_list = shown(list(page.object_list))
    teams = teams_visible_to(user).filter(is_active=True).exclude(kind=TeamKind.SQUAD).order_by("tree_id", "lft")
    chosen_team = request.GET.get("team", "")
    if chosen_team.isdigit():
        teams = teams | teams_visible_to(user).filter(pk=int(chosen_team))
    form = VolunteerFilterForm(
        request.GET,
        sites=_sites_for(user, "view"),
        platforms=platforms_visible_to(user).filter(is_active=True),
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
            history=_audit_for(v),
            figures=civic_figures.volunteer_figures([v]).get(v.pk, []),
            can_manage=can(request.user, "manage", v.home_site),
            status_actions=[(to, label) for to, label in STATUS_ACTIONS.items() if to in services_allowed(v.status)],
        )


def services_allowed(status: str) -> set[str]:
    """The statuses a manager may move a volunteer to from ``status`` (the service decides)."""
    return {to for to, sources in services._TRANSITIONS.items() if status in sources}


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
    raw = request.GET.get("site", "")
    site = Site.objects.restrict(user, "add").filter(pk=int(raw)).first() if raw.isdigit() else None
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


# Public and the volunteer's own pages --------------------------------------------------


def register(request):
    """Self-registration on a phone: creates a login at once; the station approves."""
    if request.user.is_authenticated:
        return redirect("volunteers:me")
    form = SelfRegistrationForm(request.POST or None)
    county = form.single_county or form._chosen("county")
    form.fields["skills"].queryset = platforms_for(county)
    places_url = reverse("volunteers:places")
    for name, target in (("county", "#id_township"), ("township", "#id_village")):
        if name in form.fields:
            form.fields[name].widget.attrs.update({"hx-get": places_url, "hx-target": target, "hx-trigger": "change"})
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_register(actor=None, **form.service_arguments())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            login(request, volunteer.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Registered. Your station will review your application."))
            return redirect("volunteers:me")
    return render(request, "volunteers/register.html", {"form": form, "privacy_notice": PRIVACY_NOTICE})


def places(request):
    """htmx: the options of the practice sites under the chosen county or township."""
    raw = request.GET.get("township") or request.GET.get("county") or ""
    parent = practice_sites().filter(pk=int(raw)).first() if raw.isdigit() else None
    children = practice_sites().filter(parent=parent).order_by("code", "name") if parent else Site.objects.none()
    return render(request, "volunteers/_places.html", {"places": children, "parent": parent})


def claim(request):
    """Someone registered by their station asks for a login with ID number and phone."""
    if request.user.is_authenticated:
        return redirect("volunteers:me")
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.login_claim_request(id_number=data["id_number"], phone=data["phone"], password=data["password"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            return render(request, "volunteers/claim.html", {"done": True})
    return render(request, "volunteers/claim.html", {"form": form})


def _my_volunteer(request) -> Volunteer | None:
    return (
        Volunteer.objects.filter(user=request.user, anonymised_at__isnull=True)
        .with_unmask(request.user)
        .select_related("home_site", "source_group")
        .first()
    )


def _member_counts():
    active = (
        Membership.objects.filter(team=OuterRef("pk"), status=MembershipStatus.ACTIVE)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(active, output_field=IntegerField()), Value(0))


def _pending_counts():
    pending = (
        Membership.objects.filter(team=OuterRef("pk"), status=MembershipStatus.PENDING)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(pending, output_field=IntegerField()), Value(0))


def joinable_teams(volunteer: Volunteer):
    """Active teams at the volunteer's home site and the sites above it, without an open
    request or membership of theirs (1 query)."""
    site = volunteer.home_site
    open_teams = Membership.objects.filter(volunteer=volunteer, status__in=MEMBERSHIP_OPEN).values("team_id")
    return (
        Team.objects.filter(
            is_active=True, site__tree_id=site.tree_id, site__lft__lte=site.lft, site__rght__gte=site.rght
        )
        .exclude(pk__in=open_teams)
        .select_related("site", "platform")
        .annotate(member_count=_member_counts())
        .order_by("-site__lft", "tree_id", "lft")
    )


@login_required
def me(request):
    """My volunteer profile: whole numbers, where my application stands, my teams."""
    volunteer = _my_volunteer(request)
    if volunteer is None:
        return render(request, "volunteers/me.html", {"v": None})
    shown([volunteer])
    memberships = list(
        volunteer.memberships.filter(status__in=MEMBERSHIP_OPEN).select_related("team__site").order_by("-requested_at")
    )
    active = volunteer.status == Status.ACTIVE
    return render(
        request,
        "volunteers/me.html",
        {
            "v": volunteer,
            "teams": [m for m in memberships if m.status == MembershipStatus.ACTIVE],
            "requests": [m for m in memberships if m.status == MembershipStatus.PENDING],
            "joinable": list(joinable_teams(volunteer)[:100]) if active else [],
            "skills": list(volunteer.skills.all()),
            "figures": civic_figures.volunteer_figures([volunteer]).get(volunteer.pk, []),
        },
    )


@login_required
@require_POST
def me_join(request):
    volunteer = _my_volunteer(request)
    raw = request.POST.get("team", "")
    team = joinable_teams(volunteer).filter(pk=int(raw)).first() if volunteer and raw.isdigit() else None
    if team is None:
        raise _not_found()
    try:
        services.membership_request(actor=request.user, volunteer=volunteer, team=team)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Asked to join %(team)s; its leader will decide.") % {"team": team})
    return redirect("volunteers:me")


@login_required
@require_POST
def me_leave(request):
    raw = request.POST.get("membership", "")
    membership = (
        Membership.objects.filter(pk=int(raw), volunteer__user=request.user).select_related("team").first()
        if raw.isdigit()
        else None
    )
    if membership is None:
        raise _not_found()
    try:
        services.membership_leave(actor=request.user, membership=membership)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("You left %(team)s.") % {"team": membership.team})
    return redirect("volunteers:me")


@login_required
def me_withdraw(request):
    """A volunteer leaves: a confirmation page; their hours and points stay."""
    volunteer = _my_volunteer(request)
    if volunteer is None:
        raise _not_found()
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_set_status(
                actor=request.user, volunteer=volunteer, status=Status.WITHDRAWN, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("You have withdrawn. Thank you for your service."))
            return redirect("volunteers:me")
    return render(request, "volunteers/withdraw.html", {"v": volunteer, "form": form})


# Teams ------------------------------------------------------------------------------


def _teams_for(user):
    return teams_visible_to(user).select_related("site", "leader", "platform")


@login_required
def team_list(request):
    """The teams the user can see, as a tree (per site subtree with ?site=)."""
    user = request.user
    filterset = TeamFilter(request.GET, queryset=_teams_for(user))
    queryset = filterset.qs if filterset.is_valid() else Team.objects.none()
    queryset = queryset.annotate(member_count=_member_counts(), pending_count=_pending_counts()).order_by(
        "tree_id", "lft"
    )
    page = paginate(request, queryset, TEAMS_PER_PAGE)
    form = VolunteerFilterForm(request.GET, sites=_sites_for(user, "view"))
    return render(
        request,
        "volunteers/team_list.html",
        {
            "page": page,
            "site_field": form["site"],
            "kinds": TeamKind.choices,
            "kind": request.GET.get("kind", ""),
            "q": request.GET.get("q", ""),
            "can_add": Site.objects.restrict(user, "add").exists(),
        },
    )


def _team_or_404(user, pk: int, action: str = "view") -> Team:
    """The team, if ``user`` may ``action`` it; 403 if they only see it; 404 otherwise."""
    if action == "view":
        team = _teams_for(user).filter(pk=pk).first()
    else:
        team = Team.objects.restrict(user, action).select_related("site", "leader", "platform").filter(pk=pk).first()
        if team is None and teams_visible_to(user).filter(pk=pk).exists():
            raise PermissionDenied(_("You may look at this, but not change it."))
    if team is None:
        raise _not_found()
    return team


@login_required
def team_detail(request, pk: int):
    user = request.user
    team = _team_or_404(user, pk)
    members = (
        Membership.objects.filter(team=team, status=MembershipStatus.ACTIVE)
        .select_related("volunteer__home_site")
        .order_by("role", "volunteer__real_name", "pk")
    )
    page = paginate(request, members, PER_PAGE)
    can_decide = services.can_decide_membership(user, team)
    pending = []
    if can_decide:
        pending = list(
            Membership.objects.filter(team=team, status=MembershipStatus.PENDING)
            .select_related("volunteer__home_site")
            .order_by("requested_at")[:200]
        )
    subteams = list(team.get_children().select_related("site", "leader").annotate(member_count=_member_counts()))
    can_change = Team.objects.restrict(user, "change").filter(pk=team.pk).exists()
    return render(
        request,
        "volunteers/team_detail.html",
        {
            "team": team,
            "page": page,
            "pending": pending,
            "subteams": subteams,
            "can_decide": can_decide,
            "can_change": can_change,
            "ancestors": list(team.get_ancestors()),
        },
    )


@login_required
@require_POST
def membership_decide(request, pk: int):
    """The team leader or a site manager accepts or declines a join request."""
    membership = memberships_visible_to(request.user).select_related("team", "volunteer").filter(pk=pk).first()
    if membership is None:
        raise _not_found()
    approve = request.POST.get("approve") == "1"
    try:
        services.membership_decide(actor=request.user, membership=membership, approve=approve)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        message = _("%(name)s joined the team.") if approve else _("Declined %(name)s's request.")
        messages.success(request, message % {"name": membership.volunteer})
    return redirect(_next_or(request, reverse("volunteers:team-detail", args=[membership.team_id])))


@login_required
def team_create(request):
    user = request.user
    if not Site.objects.restrict(user, "add").exists():
        raise PermissionDenied(_("Only site managers create teams."))
    sites = _sites_for(user, "add")
    parents = (
        teams_visible_to(user).filter(is_active=True).exclude(kind=TeamKind.SQUAD).select_related(None)
    ).order_by("tree_id", "lft")
    raw_site = request.POST.get("site") or request.GET.get("site") or ""
    site = Site.objects.restrict(user, "add").filter(pk=int(raw_site)).first() if raw_site.isdigit() else None
    platforms = platforms_for(site or sites.first())
    initial = {"site": site.pk if site else None, "parent": request.GET.get("parent")}
    form = TeamCreateForm(
        request.POST or None,
        sites=Site.objects.restrict(user, "add").filter(kind=Kind.PRACTICE),
        parents=parents,
        platforms=platforms,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.fields_for_service()
        site, parent = data.pop("site"), data.pop("parent")
        try:
            team = run_write(
                request,
                Team,
                lambda: services.team_create(
                    actor=user, site=site, parent=parent, name=data.pop("name"), kind=data.pop("kind"), **data
                ),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Created %(team)s.") % {"team": team})
            return redirect("volunteers:team-detail", pk=team.pk)
    if request.method != "POST":
        form.fields["site"].queryset = sites
    return render(request, "volunteers/team_form.html", {"form": form, "creating": True})


@login_required
def team_edit(request, pk: int):
    team = _team_or_404(request.user, pk, "change")
    form = TeamForm(request.POST or None, team=team, platforms=platforms_for(team.site))
    if request.method == "POST" and form.is_valid():
        try:
            run_write(
                request,
                Team,
                lambda: services.team_update(actor=request.user, team=team, **form.fields_for_service()),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteers:team-detail", pk=team.pk)
    return render(request, "volunteers/team_form.html", {"form": form, "team": team})


@login_required
def team_leader(request, pk: int):
    """Choose the team's leader among its active members."""
    team = _team_or_404(request.user, pk, "manage")
    candidates = (
        Volunteer.objects.filter(
            status=Status.ACTIVE, memberships__team=team, memberships__status=MembershipStatus.ACTIVE
        )
        .select_related("home_site")
        .order_by("real_name", "pk")
        .distinct()
    )
    form = LeaderForm(request.POST or None, candidates=candidates, initial={"volunteer": team.leader_id})
    if request.method == "POST" and form.is_valid():
        try:
            run_write(
                request,
                Team,
                lambda: services.team_set_leader(
                    actor=request.user, team=team, volunteer=form.cleaned_data["volunteer"]
                ),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteers:team-detail", pk=team.pk)
    return render(request, "volunteers/team_leader.html", {"form": form, "team": team})


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
    raw = request.GET.get("site", "")
    site = Site.objects.restrict(request.user, "view").filter(pk=int(raw)).first() if raw.isdigit() else None
    response = HttpResponse(roster.template_workbook(site=site), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="volunteer-roster-template.xlsx"'
    return response
