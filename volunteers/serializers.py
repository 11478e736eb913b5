"""Serializers of the volunteers API. They validate shapes only; the rules live in the services.

Every volunteer leaves here masked (ID number, phone, birth date, the other phones) unless the
row carries ``can_unmask`` (``Volunteer.objects.with_unmask(user)``): managers of the home
site's subtree and the volunteer themself see them whole.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from centers.models import Kind, ServicePlatform, Site

from .identity import mask_id, mask_phone
from .models import Membership, MembershipStatus, PoliticalStatus, SourceGroup, Status, Team, Volunteer
from .services import TeamChanges, VolunteerChanges

# Volunteers and memberships both have a "status" with different choices: name their schema
# enums apart (otherwise drf-spectacular warns of a naming collision).
_CHANGEABLE_STATUSES = [Status.SUSPENDED, Status.ACTIVE, Status.WITHDRAWN]


@extend_schema_field({"type": "string", "enum": Status.values}, component_name="VolunteerStatusEnum")
class VolunteerStatusField(serializers.ChoiceField):
    pass


@extend_schema_field(
    {"type": "string", "enum": [s.value for s in _CHANGEABLE_STATUSES]}, component_name="StatusChangeEnum"
)
class StatusChangeField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": MembershipStatus.values}, component_name="MembershipStatusEnum")
class MembershipStatusField(serializers.ChoiceField):
    pass


def _user(serializer) -> object | None:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.INT)
class ScopedSiteField(serializers.PrimaryKeyRelatedField):
    """A site id the requesting user may ``action`` at (or the one the object already points
    at, so that a PATCH may repeat it); any other id reads as "does not exist"."""

    def __init__(self, *, action: str = "add", **kwargs):
        self.scope_action = action
        super().__init__(**kwargs)

    def get_queryset(self):
        allowed = Site.objects.restrict(_user(self), self.scope_action)
        instance = getattr(self.parent, "instance", None)
        current = getattr(instance, f"{self.source}_id", None) if isinstance(instance, models.Model) else None
        return allowed if current is None else allowed | Site.objects.filter(pk=current)


@extend_schema_field(OpenApiTypes.INT)
class VisibleVolunteerField(serializers.PrimaryKeyRelatedField):
    """A volunteer the requesting user can see (their own record included)."""

    def get_queryset(self):
        return Volunteer.objects.restrict(_user(self), "view").filter(anonymised_at__isnull=True)


@extend_schema_field(OpenApiTypes.INT)
class VisibleTeamField(serializers.PrimaryKeyRelatedField):
    """A team the requesting user can see."""

    def get_queryset(self):
        return Team.objects.restrict(_user(self), "view")


# Reading -----------------------------------------------------------------------------


class FigureSerializer(serializers.Serializer):
    """One figure another app offers for a volunteer (hours, points, star level...)."""

    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.CharField(allow_null=True)
    ok = serializers.BooleanField(allow_null=True)

    def to_representation(self, instance):
        return {
            "key": instance.key,
            "label": str(instance.label),
            "value": str(instance.value),
            "unit": str(instance.unit),
            "target": None if instance.target is None else str(instance.target),
            "ok": instance.ok,
        }


class VolunteerSerializer(serializers.ModelSerializer):
    """A volunteer as lists and pages show them, masked unless the user may see them whole."""

    id_number = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("Masked (6101**********123X) unless `masked` is false.")
    )
    phone = serializers.CharField(read_only=True, help_text=_("Masked (138****5678) unless `masked` is false."))
    birth_date = serializers.DateField(read_only=True, allow_null=True, help_text=_("Empty when masked."))
    masked = serializers.SerializerMethodField(
        help_text=_("Whether the ID number and phones are masked for you (only managers and the volunteer see them).")
    )
    home_site_name = serializers.CharField(source="home_site.display_name", read_only=True)
    source_group_name = serializers.CharField(source="source_group.label", read_only=True, allow_null=True)
    status = VolunteerStatusField(choices=Status.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    has_login = serializers.SerializerMethodField()
    claim_pending = serializers.SerializerMethodField(help_text=_("A login claim waits for the station."))
    anonymised = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "real_name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "masked",
            "home_site",
            "home_site_name",
            "political_status",
            "source_group",
            "source_group_name",
            "skills",
            "skill_tags",
            "national_number",
            "emergency_name",
            "emergency_phone",
            "guardian_name",
            "guardian_phone",
            "status",
            "status_display",
            "status_reason",
            "status_changed_at",
            "registered_at",
            "consent_at",
            "has_login",
            "claim_pending",
            "anonymised",
        ]
        read_only_fields = fields

    def get_masked(self, obj) -> bool:
        return not getattr(obj, "can_unmask", False)

    def get_has_login(self, obj) -> bool:
        return obj.user_id is not None

    def get_claim_pending(self, obj) -> bool:
        return obj.claim_requested_at is not None

    def get_anonymised(self, obj) -> bool:
        return obj.anonymised_at is not None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not getattr(instance, "can_unmask", False):
            data["id_number"] = mask_id(instance.id_number or "") or None
            data["birth_date"] = None
            for key in ("phone", "emergency_phone", "guardian_phone"):
                data[key] = mask_phone(data[key] or "")
        return data


class VolunteerDetailSerializer(VolunteerSerializer):
    """One volunteer, with the figures other apps offer (hours, points, star level)."""

    figures = serializers.SerializerMethodField()

    class Meta(VolunteerSerializer.Meta):
        fields = [*VolunteerSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    @extend_schema_field(FigureSerializer(many=True))
    def get_figures(self, obj) -> list:
        figures = self.context.get("figures", {}).get(obj.pk, [])
        return FigureSerializer(figures, many=True).data


# Writing -----------------------------------------------------------------------------


class _ProfileInput(serializers.Serializer):
    political_status = serializers.ChoiceField(choices=PoliticalStatus.choices, required=False)
    source_group = serializers.PrimaryKeyRelatedField(
        queryset=SourceGroup.objects.filter(is_active=True), allow_null=True, required=False
    )
    skills = serializers.PrimaryKeyRelatedField(
        queryset=ServicePlatform.objects.filter(is_active=True), many=True, required=False
    )
    skill_tags = serializers.ListField(
        child=serializers.CharField(max_length=20), max_length=20, required=False, help_text=_("Other skills")
    )
    national_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    emergency_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    emergency_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class _RegistrationInput(_ProfileInput):
    real_name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, help_text=_("Resident ID number (18 characters)."))
    phone = serializers.CharField(max_length=20, help_text=_("11-digit mainland mobile number."))
    consent = serializers.BooleanField(default=False, help_text=_("Accepts the privacy notice (required)."))
    guardian_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    guardian_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    guardian_consent = serializers.BooleanField(default=False, help_text=_("Required for anyone under 18."))

    def service_arguments(self) -> dict:
        """validated_data → keyword arguments of ``services.volunteer_register``."""
        return dict(self.validated_data)


class VolunteerCreateSerializer(_RegistrationInput):
    """Registration by station staff: active at once, no login (the person can claim one later)."""

    home_site = ScopedSiteField(action="add", help_text=_("The village or township they belong to; one you manage."))


class SelfRegistrationSerializer(_RegistrationInput):
    """Self-registration: creates a login and waits for the station's approval."""

    home_site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.filter(kind=Kind.PRACTICE, is_active=True),
        help_text=_("The village or township you belong to."),
    )
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    phone_code = serializers.CharField(
        write_only=True,
        max_length=6,
        help_text=_("The 6-digit code texted to the phone (POST /api/register/code/ first)."),
    )


class RegistrationCodeSerializer(serializers.Serializer):
    """Ask for the one-time code that proves the registering phone."""

    phone = serializers.CharField(max_length=20, help_text=_("11-digit mainland mobile number."))


class RegistrationResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = VolunteerStatusField(choices=Status.choices)
    status_display = serializers.CharField()
    detail = serializers.CharField()


class MyVolunteerUpdateSerializer(_ProfileInput):
    """What a volunteer may change in their own profile."""

    phone = serializers.CharField(max_length=20, required=False)

    def service_arguments(self) -> tuple[VolunteerChanges, list | None]:
        """validated_data → (changes, skills) for ``services.volunteer_update``: the fields
        sent (a PATCH), the skills only if sent."""
        changes = dict(self.validated_data)
        skills = changes.pop("skills", None)
        return changes, skills  # type: ignore[return-value]  # the fields are VolunteerChanges' own


class VolunteerUpdateSerializer(MyVolunteerUpdateSerializer):
    """What station staff may change (the ID number is fixed once registered)."""

    real_name = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    home_site = ScopedSiteField(action="add", required=False, help_text=_("Moving needs the new site's manager."))
    guardian_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    guardian_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class StatusChangeSerializer(serializers.Serializer):
    status = StatusChangeField(
        choices=[(s.value, s.label) for s in _CHANGEABLE_STATUSES],
        help_text=_("suspended (needs a reason), active (reinstate) or withdrawn."),
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClaimConfirmSerializer(serializers.Serializer):
    approve = serializers.BooleanField(default=True, help_text=_("False refuses the claim and removes the login."))


class ClaimLoginSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# Teams and memberships ---------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    site = ScopedSiteField(action="add", help_text=_("The site the team is attached to; one you manage."))
    parent = VisibleTeamField(allow_null=True, required=False)
    site_name = serializers.CharField(source="site.display_name", read_only=True)
    leader_name = serializers.CharField(source="leader.real_name", read_only=True, allow_null=True)
    member_count = serializers.IntegerField(read_only=True, help_text=_("Active members."))
    depth = serializers.IntegerField(source="level", read_only=True, help_text=_("0 for a top-level team."))

    class Meta:
        model = Team
        fields = [
            "id",
            "site",
            "site_name",
            "parent",
            "depth",
            "name",
            "kind",
            "lead_department",
            "platform",
            "leader",
            "leader_name",
            "description",
            "is_active",
            "member_count",
            "created_at",
        ]
        read_only_fields = ["leader", "created_at"]
        # The unique name per site is the service's rule.
        validators = []

    def validate(self, attrs):
        if self.instance is not None:
            for key in ("site", "parent"):
                if key in attrs and attrs[key] != getattr(self.instance, key):
                    raise serializers.ValidationError({key: _("A team cannot be moved; create a new one instead.")})
        return attrs

    def service_changes(self) -> TeamChanges:
        """validated_data → the changes of ``services.team_update`` (or, with the site and
        parent, the arguments of ``services.team_create``): the fields sent."""
        data = self.validated_data
        return {key: data[key] for key in TeamChanges.__annotations__ if key in data}  # type: ignore[return-value]


class TeamLeaderSerializer(serializers.Serializer):
    volunteer = VisibleVolunteerField(allow_null=True, help_text=_("The new leader; empty: no leader."))


class MembershipSerializer(serializers.ModelSerializer):
    volunteer = VisibleVolunteerField()
    team = VisibleTeamField()
    volunteer_name = serializers.CharField(source="volunteer.real_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    status = MembershipStatusField(choices=MembershipStatus.choices, read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "volunteer",
            "volunteer_name",
            "team",
            "team_name",
            "role",
            "status",
            "requested_at",
            "decided_at",
        ]
        read_only_fields = ["role", "status", "requested_at", "decided_at"]
        validators = []
