"""Filters of the points API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from centers.filters import IdFilter

from .models import Entry, EntryKind, Goods, Redemption, RedemptionStatus, Rule


class EntryFilter(django_filters.FilterSet):
    volunteer = IdFilter(field_name="account__volunteer_id", label=_("Volunteer (id)"))
    kind = django_filters.MultipleChoiceFilter(choices=EntryKind.choices, label=_("Kind"))
    site = IdFilter(field_name="site_id", label=_("Where it happened (site id)"))
    date_from = django_filters.DateFilter(field_name="service_date", lookup_expr="gte", label=_("Served on or after"))
    date_to = django_filters.DateFilter(field_name="service_date", lookup_expr="lte", label=_("Served on or before"))

    class Meta:
        model = Entry
        fields = ["volunteer", "kind", "site", "date_from", "date_to"]


class GoodsFilter(django_filters.FilterSet):
    site = IdFilter(field_name="site_id", label=_("Shop (site id)"))
    is_active = django_filters.BooleanFilter(label=_("On sale"))

    class Meta:
        model = Goods
        fields = ["site", "is_active"]


class RedemptionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RedemptionStatus.choices, label=_("Status"))
    site = IdFilter(field_name="goods__site_id", label=_("Shop (site id)"))
    goods = IdFilter(field_name="goods_id", label=_("Goods (id)"))

    class Meta:
        model = Redemption
        fields = ["status", "site", "goods"]


class RuleFilter(django_filters.FilterSet):
    site = IdFilter(field_name="site_id", label=_("Site (id)"))

    class Meta:
        model = Rule
        fields = ["site"]
