"""Serializers of the points API. They validate shapes only; the rules live in the services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from centers.serializers import VisibleSiteField
from civic.ids import IdSerializerField

from .models import MAX_STOCK_MOVE, Account, Certificate, Entry, Goods, Redemption, Rule
from .selectors import PERIODS


class AccountSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.real_name", read_only=True)

    class Meta:
        model = Account
        fields = ["volunteer", "volunteer_name", "lifetime_points", "balance", "lifetime_hours", "star_level"]
        read_only_fields = fields


class MyPointsSerializer(serializers.Serializer):
    account = AccountSerializer(allow_null=True)
    rank = serializers.IntegerField(allow_null=True, help_text=_("Rank by lifetime points in the township."))
    ranked_among = serializers.IntegerField(allow_null=True)
    township = serializers.CharField(allow_null=True)


class EntrySerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.display_name", read_only=True)
    volunteer = serializers.IntegerField(source="account.volunteer_id", read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "volunteer",
            "kind",
            "points",
            "lifetime_delta",
            "hours",
            "site",
            "site_name",
            "source_key",
            "reverses",
            "service_date",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class RankingQuerySerializer(serializers.Serializer):
    site = IdSerializerField(required=False, help_text=_("The subtree (a site id); default: your township."))
    by = serializers.ChoiceField(choices=["hours", "points"], default="hours")
    period = serializers.ChoiceField(choices=list(PERIODS), default="month")
    kind = serializers.ChoiceField(choices=["volunteers", "teams", "sites"], default="volunteers")


class RankedSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    site = serializers.CharField()
    points = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=14, decimal_places=2)


class GoodsSerializer(serializers.ModelSerializer):
    site = VisibleSiteField(help_text=_("The shop's site (one you manage)."))
    photo = serializers.ImageField(write_only=True, required=False)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Goods
        fields = ["id", "site", "name", "price", "stock", "is_active", "photo", "photo_url", "created_at"]
        read_only_fields = ["stock", "created_at"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, goods: Goods) -> str | None:
        if not goods.photo:
            return None
        url = reverse("points:goods-photo", args=[goods.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def update(self, instance, validated_data):  # pragma: no cover - the view calls the service
        raise NotImplementedError

    def create(self, validated_data):  # pragma: no cover - the view calls the service
        raise NotImplementedError


class StockSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=-MAX_STOCK_MOVE,
        max_value=MAX_STOCK_MOVE,
        help_text=_("Positive: goods in. Negative: a write-off (needs a note)."),
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RedemptionSerializer(serializers.ModelSerializer):
    goods_name = serializers.CharField(source="goods.name", read_only=True)
    shop = serializers.IntegerField(source="goods.site_id", read_only=True)
    volunteer = serializers.IntegerField(source="account.volunteer_id", read_only=True)
    pickup_code = serializers.SerializerMethodField(help_text=_("Shown to the volunteer who redeemed, only."))

    class Meta:
        model = Redemption
        fields = [
            "id",
            "goods",
            "goods_name",
            "shop",
            "volunteer",
            "quantity",
            "points",
            "status",
            "pickup_code",
            "created_at",
            "closed_at",
        ]
        read_only_fields = ["points", "status", "created_at", "closed_at"]

    def get_pickup_code(self, redemption: Redemption) -> str | None:
        request = self.context.get("request")
        user_id = getattr(getattr(request, "user", None), "pk", None)
        return redemption.pickup_code if user_id and redemption.account.volunteer.user_id == user_id else None


class RedeemSerializer(serializers.Serializer):
    goods = IdSerializerField()
    quantity = serializers.IntegerField(min_value=1, max_value=99, default=1)


class FulfilSerializer(serializers.Serializer):
    site = IdSerializerField(help_text=_("The shop's site."))
    pickup_code = serializers.CharField(max_length=24, help_text=_("As typed: spaces and dashes are ignored."))


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RuleSerializer(serializers.ModelSerializer):
    site = VisibleSiteField()

    class Meta:
        model = Rule
        fields = [
            "id",
            "site",
            "valid_from",
            "points_per_hour",
            "theme_bonus",
            "rating_bonus",
            "deductions",
            "star_hours",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class VerifiedCertificateSerializer(serializers.ModelSerializer):
    name = serializers.CharField(help_text=_("Masked: only the surname is shown."))
    issued_by = serializers.CharField(source="site.display_name")
    genuine = serializers.BooleanField(default=True)

    class Meta:
        model = Certificate
        fields = ["genuine", "code", "name", "hours", "period_start", "period_end", "issued_by", "issued_at"]
