"""Team pages: the tree, a team and its join requests, create, edit, leader."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.models import Kind, Site
from centers.selectors import platforms_for
from civic import nested
from civic.ids import parse_id
from civic.views import ScopedObjectView, ServiceFormView, paginate

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
    ServiceActionView,
    _sites_for,
)

# Teams ------------------------------------------------------------------------------


class TeamListView(ScopedObjectView):
    """The teams the user can see, as a tree (per site subtree with ?site=)."""

    template_name = "volunteers/team_list.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        teams = Team.objects.restrict(user, "view").select_related("site", "leader", "platform")
        filterset = TeamFilter(request.GET, queryset=teams)
        queryset = filterset.qs if filterset.is_valid() else Team.objects.none()
        queryset = queryset.annotate(
            member_count=selectors.team_member_count(), pending_count=selectors.team_pending_count()
        ).order_by(*nested.tree_order())
        page = paginate(request, queryset, TEAMS_PER_PAGE)
        form = VolunteerFilterForm(request.GET, sites=_sites_for(user, "view"))
        return self.render(
            page=page,
            site_field=form["site"],
            kinds=TeamKind.choices,
            kind=request.GET.get("kind", ""),
            q=request.GET.get("q", ""),
            can_add=Site.objects.restrict(user, "add").exists(),
        )


class TeamView(ScopedObjectView):
    """A page about one team (``team``), read through the user's scope for ``scope_action``."""

    model = Team
    context_object_name = "team"

    def get_base_queryset(self):
        return Team.objects.select_related("site", "leader", "platform")

    def get_success_url(self, result) -> str:
        return reverse("volunteers:team-detail", args=[self.object.pk])


class TeamDetailView(TeamView):
    scope_action = "view"
    template_name = "volunteers/team_detail.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        team = self.object
        members = (
            Membership.objects.filter(team=team, status=MembershipStatus.ACTIVE)
            .select_related("volunteer__home_site")
            .order_by("role", "volunteer__real_name", "pk")
        )
        page = paginate(request, members, PER_PAGE)
        can_decide = selectors.may_decide_membership(user, team)
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
        no_leader_choice = None
        if not team.leader_id and not page.paginator.count:
            no_leader_choice = _("The team has no members yet: accept a join request before choosing its leader.")
        return self.render(
            page=page,
            pending=pending,
            subteams=subteams,
            can_decide=can_decide,
            can_change=can_change,
            ancestors=list(team.get_ancestors()),
            no_subteams=selectors.why_no_subteams(team),
            no_leader_choice=no_leader_choice,
        )


class MembershipDecideView(ServiceActionView):
    """The team leader or a site manager accepts or declines a join request (the service
    decides who may; the request is loaded as anyone who can see it)."""

    model = Membership
    scope_action = "view"
    result_action = "view"

    def get_base_queryset(self):
        return Membership.objects.select_related("team", "volunteer")

    def approve(self) -> bool:
        return self.request.POST.get("approve") == "1"

    def write(self, form):
        return services.membership_decide(actor=self.request.user, membership=self.object, approve=self.approve())

    def get_success_message(self, result) -> str:
        message = _("%(name)s joined the team.") if self.approve() else _("Declined %(name)s's request.")
        return message % {"name": self.object.volunteer}

    def get_return_url(self) -> str:
        return reverse("volunteers:team-detail", args=[self.object.team_id])


class TeamCreateView(ServiceFormView):
    template_name = "volunteers/team_form.html"

    def get_object(self) -> None:
        if not Site.objects.restrict(self.request.user, "add").exists():
            raise PermissionDenied(_("Only site managers create teams."))
        return None

    def get_form(self):
        user = self.request.user
        sites = _sites_for(user, "add")
        parents = (Team.objects.restrict(user, "view").filter(is_active=True).exclude(kind=TeamKind.SQUAD)).order_by(
            *nested.tree_order()
        )
        site_pk = parse_id(self.request.POST.get("site") or self.request.GET.get("site"))
        site = Site.objects.restrict(user, "add").filter(pk=site_pk).first() if site_pk else None
        posted = self.request.method == "POST"
        form = TeamCreateForm(
            self.request.POST if posted else None,
            sites=Site.objects.restrict(user, "add").filter(kind=Kind.PRACTICE),
            parents=parents,
            platforms=platforms_for(site or sites.first()),
            initial={"site": site.pk if site else None, "parent": self.request.GET.get("parent")},
        )
        if not posted:
            form.fields["site"].queryset = sites
        return form

    def get_context_data(self, **context):
        return super().get_context_data(creating=True, **context)

    def write(self, form):
        data = form.cleaned_data
        return services.team_create(
            actor=self.request.user, site=data["site"], parent=data["parent"], **form.service_arguments()
        )

    def get_success_message(self, result) -> str:
        return _("Created %(team)s.") % {"team": result}

    def get_success_url(self, result) -> str:
        return reverse("volunteers:team-detail", args=[result.pk])


class TeamEditView(TeamView, ServiceFormView):
    scope_action = "change"
    template_name = "volunteers/team_form.html"
    success_message = gettext_lazy("Saved.")

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        return TeamForm(data, team=self.object, platforms=platforms_for(self.object.site))

    def write(self, form):
        return services.team_update(actor=self.request.user, team=self.object, **form.service_arguments())


class TeamLeaderView(TeamView, ServiceFormView):
    """Choose the team's leader among its active members."""

    scope_action = "manage"
    template_name = "volunteers/team_leader.html"
    success_message = gettext_lazy("Saved.")

    def get_form(self):
        candidates = (
            Volunteer.objects.filter(
                status=Status.ACTIVE, memberships__team=self.object, memberships__status=MembershipStatus.ACTIVE
            )
            .select_related("home_site")
            .order_by("real_name", "pk")
            .distinct()
        )
        data = self.request.POST if self.request.method == "POST" else None
        return LeaderForm(data, candidates=candidates, initial={"volunteer": self.object.leader_id})

    def write(self, form):
        return services.team_set_leader(
            actor=self.request.user, team=self.object, volunteer=form.cleaned_data["volunteer"]
        )
