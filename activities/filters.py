"""Filters of the activities API: subtree, platform, kind, state, month and a search; the
sign-up and attendance lists by activity, volunteer and state."""

from __future__ import annotations

import re
from datetime import date

import django_filters
from django import forms
from django.db.models import Exists, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from centers.filters import IdFilter
from centers.models import Site
from civic import nested

from .models import Activity, ActivityArchive, Attendance, Kind, Photo, SignUp, SignUpStatus, State
from .rules import month_span

_MONTH = re.compile(r"^(20[0-9][0-9])-(0[1-9]|1[0-2])$")


def _under(prefix: str, site_id: int) -> Exists:
    """Rows whose site (at ``prefix``) lies under site ``site_id``: one range condition."""
    return nested.exists_under(Site.objects.filter(pk=site_id), prefix)


class MonthField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = _MONTH.match(value.strip())
        if match is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM, e.g. 2026-03."))
        return date(int(match[1]), int(match[2]), 1)


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, qs, value):
        if value is None:
            return qs
        start, end = month_span(value.year, value.month)
        return qs.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


class ActivityFilter(django_filters.FilterSet):
    subtree = IdFilter(method="filter_subtree", label=_("Activities at this site or anywhere under it (id)"))
    site = IdFilter(field_name="site_id", label=_("Site (id)"))
    platform = IdFilter(field_name="platform_id", label=_("Service platform (id)"))
    team = IdFilter(field_name="team_id", label=_("Team (id)"))
    brand_project = IdFilter(field_name="brand_project_id", label=_("Brand project (id)"))
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, label=_("Kind"))
    state = django_filters.MultipleChoiceFilter(choices=State.choices, label=_("State"))
    month = MonthFilter(field_name="starts_at", label=_("Month (YYYY-MM)"))
    q = django_filters.CharFilter(method="filter_q", max_length=100, label=_("Search by title, theme or place"))

    class Meta:
        model = Activity
        fields = ["subtree", "site", "platform", "team", "brand_project", "kind", "state", "month", "q"]

    def filter_subtree(self, queryset, name, value):
        return queryset.filter(_under("site__", value))

    def filter_q(self, queryset, name, value):
        text = " ".join(value.split())
        if not text:
            return queryset
        return queryset.filter(Q(title__icontains=text) | Q(theme__icontains=text) | Q(place__icontains=text))


class SignUpFilter(django_filters.FilterSet):
    activity = IdFilter(field_name="activity_id", label=_("Activity (id)"))
    volunteer = IdFilter(field_name="volunteer_id", label=_("Volunteer (id)"))
    status = django_filters.ChoiceFilter(choices=SignUpStatus.choices, label=_("Status"))

    class Meta:
        model = SignUp
        fields = ["activity", "volunteer", "status"]


class AttendanceFilter(django_filters.FilterSet):
    activity = IdFilter(field_name="activity_id", label=_("Activity (id)"))
    volunteer = IdFilter(field_name="volunteer_id", label=_("Volunteer (id)"))
    subtree = IdFilter(method="filter_subtree", label=_("Attendance at activities of this site or under it (id)"))
    month = MonthFilter(field_name="activity__starts_at", label=_("Month of the activity (YYYY-MM)"))
    confirmed = django_filters.BooleanFilter(
        field_name="confirmed_at", lookup_expr="isnull", exclude=True, label=_("Confirmed")
    )
    flagged = django_filters.BooleanFilter(method="filter_flagged", label=_("Flagged for review"))

    class Meta:
        model = Attendance
        fields = ["activity", "volunteer", "subtree", "month", "confirmed", "flagged"]

    def filter_subtree(self, queryset, name, value):
        return queryset.filter(_under("activity__site__", value))

    def filter_flagged(self, queryset, name, value):
        return queryset.exclude(flags=[]) if value else queryset.filter(flags=[])


class PhotoFilter(django_filters.FilterSet):
    activity = IdFilter(field_name="activity_id", label=_("Activity (id)"))

    class Meta:
        model = Photo
        fields = ["activity"]


class ArchiveFilter(django_filters.FilterSet):
    site = IdFilter(field_name="site_id", label=_("Site (id)"))
    year = IdFilter(field_name="year", label=_("Year"))

    class Meta:
        model = ActivityArchive
        fields = ["site", "year"]
