"""Filters of the sites API: by level, kind, parent, subtree and a search by name, code or pinyin."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from civic import nested
from civic.ids import MAX_ID, IdField
from civic.scope import Role

from .models import Kind, Level, Site, SiteGrant


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A whole-number id, read by ``civic.ids.parse_id`` (the schema says integer, not number)."""

    field_class = IdField


class SiteFilter(django_filters.FilterSet):
    level = django_filters.MultipleChoiceFilter(choices=Level.choices, label=_("Level"))
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, label=_("Kind"))
    parent = IdFilter(field_name="parent_id", label=_("Parent site (id)"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    subtree = IdFilter(method="filter_subtree", label=_("Everything under this site (id), the site included"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search by name, short name, code prefix or pinyin"))

    class Meta:
        model = Site
        fields = ["level", "kind", "parent", "is_active", "subtree", "q"]

    def filter_subtree(self, queryset, name, value):
        # One range condition against the chosen site, inside the same query (no extra
        # round trip whatever the site).
        return queryset.filter(nested.exists_under(Site.objects.filter(pk=value)))

    def filter_q(self, queryset, name, value):
        text = " ".join(value.split())
        if not text:
            return queryset
        condition = Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__startswith=text)
        compact = text.replace(" ", "").lower()
        if compact.isascii():
            condition |= Q(pinyin__contains=compact)
        return queryset.filter(condition)


class SiteGrantFilter(django_filters.FilterSet):
    site = IdFilter(field_name="content_object_id", label=_("Site (id)"))
    subtree = IdFilter(method="filter_subtree", label=_("Roles on this site or anything under it"))
    user = django_filters.CharFilter(field_name="user__username", label=_("Login name"))
    role = django_filters.ChoiceFilter(choices=[(r.value, r.label) for r in Role], method="filter_role")

    class Meta:
        model = SiteGrant
        fields = ["site", "subtree", "user", "role"]

    def filter_subtree(self, queryset, name, value):
        return queryset.filter(nested.exists_under(Site.objects.filter(pk=value), "content_object"))

    def filter_role(self, queryset, name, value):
        return queryset.filter(permission__codename=Role(value).codename)
