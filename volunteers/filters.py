"""Filters of the volunteers API: site subtree, status, source group, skill, team, and a
search by name, pinyin or initials, phone tail and ID tail."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from centers.filters import IdFilter
from centers.models import Site
from civic import nested

from .models import Membership, MembershipRole, MembershipStatus, Status, Team, TeamKind, Volunteer
from .selectors import volunteer_search


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
        return queryset.filter(nested.exists_under(Site.objects.filter(pk=value), "home_site"))

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
        return queryset.filter(nested.exists_under(Site.objects.filter(pk=value), "site"))


class MembershipFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id", label=_("Team (id)"))
    volunteer = IdFilter(field_name="volunteer_id", label=_("Volunteer (id)"))
    status = django_filters.ChoiceFilter(choices=MembershipStatus.choices, label=_("Status"))
    role = django_filters.ChoiceFilter(choices=MembershipRole.choices, label=_("Role"))

    class Meta:
        model = Membership
        fields = ["team", "volunteer", "status", "role"]
