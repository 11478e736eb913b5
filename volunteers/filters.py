"""Filters of the volunteers API: site subtree, status, source group, skill, team, and a
search by name, pinyin or initials, phone tail and ID tail."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from centers.filters import IdFilter
from centers.models import Site
from civic.scope import scope_filter

from .models import Membership, MembershipRole, MembershipStatus, Status, Team, TeamGrant, TeamKind, Volunteer
from .selectors import volunteer_search


def _led_by(user, prefix: str = "") -> Exists:
    """Teams (at ``prefix``) under a team ``user`` leads: one range condition."""
    path = f"{prefix}__" if prefix else ""
    return Exists(
        TeamGrant.objects.filter(
            user=user,
            permission__codename="lead_team",
            content_object__tree_id=OuterRef(f"{path}tree_id"),
            content_object__lft__lte=OuterRef(f"{path}lft"),
            content_object__rght__gte=OuterRef(f"{path}rght"),
        )
    )


def teams_visible_to(user):
    """Teams a user can see: those of the sites in their scope, the teams they lead (with the
    teams under them), and, for a volunteer, the teams of their home site and the sites above
    it (the teams they may ask to join). One query."""
    queryset = Team.objects.all()
    condition = scope_filter(user, "view", "site")
    if condition is None:
        return queryset
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    at_home = Volunteer.objects.filter(
        user=user,
        anonymised_at__isnull=True,
        home_site__tree_id=OuterRef("site__tree_id"),
        home_site__lft__gte=OuterRef("site__lft"),
        home_site__lft__lte=OuterRef("site__rght"),
    )
    return queryset.filter(condition | _led_by(user) | Exists(at_home))


def memberships_visible_to(user):
    """Memberships a user can see: those of teams at the sites in their scope, of the teams they
    lead (a team leader needs no site grant), and their own. One query."""
    queryset = Membership.objects.all()
    condition = scope_filter(user, "view", "team__site")
    if condition is None:
        return queryset
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    return queryset.filter(condition | _led_by(user, "team") | Q(volunteer__user=user))


def _in_subtree(site_id: int, prefix: str) -> Exists:
    """Rows whose site (at ``prefix``) lies under site ``site_id``: one range condition in the same query."""
    return Exists(
        Site.objects.filter(
            pk=site_id,
            tree_id=OuterRef(f"{prefix}__tree_id"),
            lft__lte=OuterRef(f"{prefix}__lft"),
            rght__gte=OuterRef(f"{prefix}__rght"),
        )
    )


class VolunteerFilter(django_filters.FilterSet):
    site = IdFilter(method="filter_site", label=_("Home site anywhere under this site (id)"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    source_group = IdFilter(field_name="source_group_id", label=_("Source group (id)"))
    skill = IdFilter(method="filter_skill", label=_("Has this skill (service platform id)"))
    team = IdFilter(method="filter_team", label=_("Active member of this team (id)"))
    claim_pending = django_filters.BooleanFilter(method="filter_claim_pending", label=_("A login claim waits"))
    q = django_filters.CharFilter(
        method="filter_q", label=_("Search by name, pinyin or initials, phone tail (4 digits), ID tail (4 or 6)")
    )

    class Meta:
        model = Volunteer
        fields = ["site", "status", "source_group", "skill", "team", "claim_pending", "q"]

    def filter_claim_pending(self, queryset, name, value):
        return queryset.filter(claim_requested_at__isnull=not value)

    def filter_site(self, queryset, name, value):
        return queryset.filter(_in_subtree(value, "home_site"))

    def filter_skill(self, queryset, name, value):
        through = Volunteer.skills.through
        return queryset.filter(Exists(through.objects.filter(volunteer_id=OuterRef("pk"), serviceplatform_id=value)))

    def filter_team(self, queryset, name, value):
        active = Membership.objects.filter(volunteer_id=OuterRef("pk"), team_id=value, status=MembershipStatus.ACTIVE)
        return queryset.filter(Exists(active))

    def filter_q(self, queryset, name, value):
        return volunteer_search(queryset, getattr(self.request, "user", None), value)


class TeamFilter(django_filters.FilterSet):
    site = IdFilter(method="filter_site", label=_("Teams of this site or any site under it (id)"))
    kind = django_filters.MultipleChoiceFilter(choices=TeamKind.choices, label=_("Kind"))
    platform = IdFilter(field_name="platform_id", label=_("Service platform (id)"))
    parent = IdFilter(field_name="parent_id", label=_("Parent team (id)"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))

    class Meta:
        model = Team
        fields = ["site", "kind", "platform", "parent", "is_active", "q"]

    def filter_site(self, queryset, name, value):
        return queryset.filter(_in_subtree(value, "site"))


class MembershipFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id", label=_("Team (id)"))
    volunteer = IdFilter(field_name="volunteer_id", label=_("Volunteer (id)"))
    status = django_filters.ChoiceFilter(choices=MembershipStatus.choices, label=_("Status"))
    role = django_filters.ChoiceFilter(choices=MembershipRole.choices, label=_("Role"))

    class Meta:
        model = Membership
        fields = ["team", "volunteer", "status", "role"]
