"""Team pages: the tree, a team and its join requests, create, edit, leader."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centers.models import Kind, Site
from centers.selectors import platforms_for
from civic import nested
from civic.ids import parse_id
from civic.views import flash_error, form_errors_from, get_scoped, paginate, run_write

from .. import selectors, services
from ..filters import TeamFilter
from ..forms import (
    LeaderForm,
    TeamCreateForm,
    TeamForm,
    VolunteerFilterForm,
)
from ..models import (
    Membership,
    MembershipStatus,
    Status,
    Team,
    TeamKind,
    Volunteer,
)
from .common import (
    PER_PAGE,
    TEAMS_PER_PAGE,
    _next_or,
    _sites_for,
)

# Teams ------------------------------------------------------------------------------


def _teams_for(user):
    return Team.objects.restrict(user, "view").select_related("site", "leader", "platform")


@login_required
def team_list(request):
    """The teams the user can see, as a tree (per site subtree with ?site=)."""
    user = request.user
    filterset = TeamFilter(request.GET, queryset=_teams_for(user))
    queryset = filterset.qs if filterset.is_valid() else Team.objects.none()
    queryset = queryset.annotate(
        member_count=selectors.team_member_count(), pending_count=selectors.team_pending_count()
    ).order_by(*nested.tree_order())
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
    return get_scoped(Team.objects.select_related("site", "leader", "platform"), user, pk, action)


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
    subteams = list(
        team.get_children().select_related("site", "leader").annotate(member_count=selectors.team_member_count())
    )
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
    membership = get_scoped(Membership.objects.select_related("team", "volunteer"), request.user, pk)
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
    parents = (Team.objects.restrict(user, "view").filter(is_active=True).exclude(kind=TeamKind.SQUAD)).order_by(
        *nested.tree_order()
    )
    site_pk = parse_id(request.POST.get("site") or request.GET.get("site"))
    site = Site.objects.restrict(user, "add").filter(pk=site_pk).first() if site_pk else None
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
