"""Serializers of the centers API. They validate shapes only; the rules live in the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civic.scope import ROLE_CODENAMES, Role

from .models import ServicePlatform, Site, SiteGrant, StandardSet


class VisibleSiteField(serializers.PrimaryKeyRelatedField):
    """A site id the requesting user can see (or the one the object already points at, so
    that a PUT may repeat it); any other id reads as "does not exist"."""

    def get_queryset(self):
        request = self.context.get("request")
        visible = Site.objects.restrict(getattr(request, "user", None), "view")
        instance = getattr(self.parent, "instance", None)
        current = getattr(instance, f"{self.source}_id", None) if isinstance(instance, models.Model) else None
        return visible if current is None else visible | Site.objects.filter(pk=current)


class SiteSerializer(serializers.ModelSerializer):
    parent = VisibleSiteField(
        allow_null=True,
        required=False,
        help_text=_("The site above this one; changing it moves the site with everything under it."),
    )
    standard_set = serializers.PrimaryKeyRelatedField(
        queryset=StandardSet.objects.all(), allow_null=True, required=False
    )
    display_name = serializers.CharField(read_only=True)
    tier_label = serializers.CharField(read_only=True)
    child_count = serializers.IntegerField(read_only=True, help_text=_("Sites directly under this one."))
    descendant_total = serializers.IntegerField(read_only=True, help_text=_("Sites anywhere under this one."))

    class Meta:
        model = Site
        fields = [
            "id",
            "parent",
            "level",
            "kind",
            "code",
            "name",
            "short_name",
            "display_name",
            "tier_label",
            "population",
            "address",
            "head_name",
            "liaison_name",
            "liaison_phone",
            "activity_quota",
            "standard_set",
            "is_active",
            "depth",
            "child_count",
            "descendant_total",
        ]
        read_only_fields = ["depth"]
        # Uniqueness (name under a parent, code) is the services' rule, checked under the tree lock.
        validators = []


class ServicePlatformSerializer(serializers.ModelSerializer):
    owner = VisibleSiteField(
        allow_null=True, required=False, help_text=_("The county that owns it; empty: offered everywhere.")
    )
    label = serializers.CharField(read_only=True)

    class Meta:
        model = ServicePlatform
        fields = ["id", "owner", "name", "name_en", "label", "sort_order", "is_active"]
        validators = []

    def validate_owner(self, value):
        if self.instance is not None and value != self.instance.owner:
            raise serializers.ValidationError(_("A platform cannot change owner; create a new one instead."))
        return value


ROLE_BY_CODENAME = {codename: role for role, codename in ROLE_CODENAMES.items()}


class RoleField(serializers.ChoiceField):
    """A grant's role (manager, viewer), read from its guardian permission."""

    def get_attribute(self, instance):
        return ROLE_BY_CODENAME.get(instance.permission.codename, instance.permission.codename)


class SiteGrantSerializer(serializers.ModelSerializer):
    site = VisibleSiteField(source="content_object")
    user = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        help_text=_("The login name of the person receiving the role."),
    )
    role = RoleField(choices=[(r.value, r.label) for r in Role])
    site_name = serializers.CharField(source="content_object.display_name", read_only=True)

    class Meta:
        model = SiteGrant
        fields = ["id", "site", "site_name", "user", "role", "created_at"]
        read_only_fields = ["created_at"]
        validators = []
