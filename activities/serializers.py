"""Serializers of the activities API. They validate shapes only; the rules live in the services.
People are named by their real name only (never a login name, phone or ID number)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from centers.models import ServicePlatform
from centers.serializers import VisibleSiteField
from volunteers.models import Team

from .models import (
    Activity,
    ActivityArchive,
    AnnualPlan,
    ArchiveStatus,
    Attendance,
    BrandProject,
    Flag,
    Kind,
    Method,
    Photo,
    SignUp,
    SignUpStatus,
    State,
)

_WRITABLE_KINDS = [k for k in Kind.values if k != Kind.ORDER]


@extend_schema_field({"type": "string", "enum": Kind.values}, component_name="ActivityKindEnum")
class KindField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": _WRITABLE_KINDS}, component_name="ActivityWritableKindEnum")
class WritableKindField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": State.values}, component_name="ActivityStateEnum")
class StateField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": SignUpStatus.values}, component_name="SignUpStatusEnum")
class SignUpStatusField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": Method.values + [""]}, component_name="AttendanceMethodEnum")
class MethodField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": Flag.values}})
class FlagsField(serializers.ListField):
    child = serializers.CharField()


@extend_schema_field({"type": "string", "enum": ArchiveStatus.values}, component_name="ArchiveStatusEnum")
class ArchiveStatusField(serializers.ChoiceField):
    pass


@extend_schema_field(OpenApiTypes.INT)
class SiteIdField(VisibleSiteField):
    """A site id the requesting user can see (the services check what they may do there)."""


def _absolute(serializer, url: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request else url


class MoveOptionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("The move: the action to POST to."))
    label = serializers.CharField()
    needs_reason = serializers.BooleanField()
    needs_summary = serializers.BooleanField()
    blocked = serializers.CharField(allow_null=True, help_text=_("Why it cannot be made yet (null: it can)."))


class ActivitySerializer(serializers.ModelSerializer):
    """An activity as the API shows it."""

    site_name = serializers.CharField(source="site.display_name", read_only=True)
    kind = KindField(choices=Kind.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state = StateField(choices=State.choices, read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    platform_name = serializers.SerializerMethodField()
    team_name = serializers.SerializerMethodField()
    places_left = serializers.IntegerField(read_only=True, allow_null=True)
    organizer_name = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "site",
            "site_name",
            "team",
            "team_name",
            "platform",
            "platform_name",
            "brand_project",
            "plan",
            "title",
            "kind",
            "kind_display",
            "theme",
            "place",
            "latitude",
            "longitude",
            "starts_at",
            "ends_at",
            "capacity",
            "signed_up",
            "places_left",
            "description",
            "organizer_name",
            "hours_cap",
            "state",
            "state_display",
            "state_changed_at",
            "cancel_reason",
            "summary",
            "people_served",
            "attended_count",
            "hours_total",
            "created_at",
        ]
        read_only_fields = fields

    def get_platform_name(self, activity: Activity) -> str | None:
        return activity.platform.label if activity.platform_id else None

    def get_team_name(self, activity: Activity) -> str | None:
        return activity.team.name if activity.team_id else None

    def get_organizer_name(self, activity: Activity) -> str | None:
        user = activity.organizer
        return (user.get_full_name() or None) if user is not None else None


class ActivityDetailSerializer(ActivitySerializer):
    moves = serializers.SerializerMethodField(help_text=_("The moves you may make now (the buttons to show)."))

    class Meta(ActivitySerializer.Meta):
        fields = [*ActivitySerializer.Meta.fields, "moves"]
        read_only_fields = fields

    @extend_schema_field(MoveOptionSerializer(many=True))
    def get_moves(self, activity: Activity) -> list:
        return MoveOptionSerializer(self.context.get("moves", []), many=True).data


class ActivityWriteSerializer(serializers.Serializer):
    """What a draft is made of. ``site`` is given when creating and never changes."""

    site = SiteIdField(required=False, help_text=_("The site holding the activity (one you manage)."))
    title = serializers.CharField(max_length=200)
    kind = WritableKindField(choices=_WRITABLE_KINDS, default=Kind.REGULAR)
    theme = serializers.CharField(max_length=100, required=False, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    hours_cap = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=0, max_value=24, required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    platform = serializers.PrimaryKeyRelatedField(
        queryset=ServicePlatform.objects.all(), required=False, allow_null=True
    )
    brand_project = serializers.PrimaryKeyRelatedField(
        queryset=BrandProject.objects.all(), required=False, allow_null=True
    )
    plan = serializers.PrimaryKeyRelatedField(queryset=AnnualPlan.objects.all(), required=False, allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FinishSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=5000)
    people_served = serializers.IntegerField(min_value=0, max_value=10_000_000)


class CodeSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Show it as a QR code; it changes every 30 seconds."))
    valid_until = serializers.DateTimeField()
    window_seconds = serializers.IntegerField()
    static_token = serializers.CharField(
        allow_null=True, help_text=_("A code to print, where the county allows printed codes (else null).")
    )


class ConfirmedSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField(help_text=_("Attendance confirmed by this call."))
    credited = serializers.IntegerField(help_text=_("Of those, credited with hours and points."))
    hours = serializers.DecimalField(max_digits=9, decimal_places=2)


class UnconfirmedSerializer(serializers.Serializer):
    unconfirmed = serializers.IntegerField()


class SignUpSerializer(serializers.ModelSerializer):
    status = SignUpStatusField(choices=SignUpStatus.choices, read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.real_name", read_only=True)
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    starts_at = serializers.DateTimeField(source="activity.starts_at", read_only=True)

    class Meta:
        model = SignUp
        fields = [
            "id",
            "activity",
            "activity_title",
            "starts_at",
            "volunteer",
            "volunteer_name",
            "status",
            "signed_up_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class SignUpCreateSerializer(serializers.Serializer):
    activity = serializers.IntegerField(min_value=1, max_value=2**62)
    volunteer = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        required=False,
        allow_null=True,
        help_text=_("Who signs up: yourself if empty, or one of the family on your phone; staff name anyone."),
    )


class AttendanceSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.real_name", read_only=True)
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    sign_in_method = MethodField(choices=Method.choices, read_only=True)
    sign_out_method = MethodField(choices=Method.choices, read_only=True)
    flags = FlagsField(read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "activity",
            "activity_title",
            "volunteer",
            "volunteer_name",
            "signed_in_at",
            "sign_in_method",
            "signed_out_at",
            "sign_out_method",
            "latitude",
            "longitude",
            "distance",
            "flags",
            "hours",
            "hours_by_hand",
            "note",
            "confirmed_at",
        ]
        read_only_fields = fields


class AttendanceMarkSerializer(serializers.Serializer):
    """Staff mark a volunteer present by hand (or correct the times)."""

    activity = serializers.IntegerField(min_value=1, max_value=2**62)
    volunteer = serializers.IntegerField(min_value=1, max_value=2**62)
    signed_in_at = serializers.DateTimeField()
    signed_out_at = serializers.DateTimeField(required=False, allow_null=True)
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=0, max_value=24, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AttendanceChangeSerializer(serializers.Serializer):
    signed_in_at = serializers.DateTimeField(required=False)
    signed_out_at = serializers.DateTimeField(required=False, allow_null=True)
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=0, max_value=24, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SignInSerializer(serializers.Serializer):
    """What a phone (or a WeChat mini-program) sends when it scans a sign-in code."""

    token = serializers.CharField(max_length=200, help_text=_("The scanned code."))
    latitude = serializers.DecimalField(
        max_digits=12, decimal_places=8, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=12, decimal_places=8, min_value=-180, max_value=180, required=False, allow_null=True
    )
    volunteer = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        required=False,
        allow_null=True,
        help_text=_("Who signs in: yourself if empty, or one of the family on your phone (see /api/me/family/)."),
    )


class FamilyMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    real_name = serializers.CharField()
    home_site = serializers.CharField(source="home_site.label")
    is_me = serializers.BooleanField()


class OpenActivitySerializer(ActivitySerializer):
    signed_up_by_me = serializers.BooleanField(source="mine", read_only=True)

    class Meta(ActivitySerializer.Meta):
        fields = [*ActivitySerializer.Meta.fields, "signed_up_by_me"]
        read_only_fields = fields


class PhotoSerializer(serializers.ModelSerializer):
    image = serializers.ImageField(write_only=True, help_text=_("JPEG, PNG or WebP, at most 10 MB."))
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "activity", "image", "caption", "width", "height", "size", "uploaded_at", "image_url",
                  "thumbnail_url"]  # fmt: skip
        read_only_fields = ["width", "height", "size", "uploaded_at"]

    def get_image_url(self, photo: Photo) -> str:
        return _absolute(self, reverse("activity-photo-image", args=[photo.pk]))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_thumbnail_url(self, photo: Photo) -> str | None:
        if not photo.thumbnail:
            return None
        return _absolute(self, reverse("activity-photo-thumbnail", args=[photo.pk]))

    def create(self, validated_data):  # pragma: no cover - the view calls the service
        raise NotImplementedError

    def update(self, instance, validated_data):  # pragma: no cover - the view calls the service
        raise NotImplementedError


class PhotoCreateSerializer(serializers.Serializer):
    activity = serializers.IntegerField(min_value=1, max_value=2**62)
    image = serializers.FileField(help_text=_("JPEG, PNG or WebP, at most 10 MB."))
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PhotoChangeSerializer(serializers.Serializer):
    caption = serializers.CharField(max_length=200, allow_blank=True)


class ArchiveSerializer(serializers.ModelSerializer):
    status = ArchiveStatusField(choices=ArchiveStatus.choices, read_only=True)
    progress = serializers.IntegerField(read_only=True)
    ledger_url = serializers.SerializerMethodField()
    photos_url = serializers.SerializerMethodField()
    site = VisibleSiteField(help_text=_("The site whose year (with everything under it) is archived."))
    year = serializers.IntegerField(min_value=2000, max_value=2100)

    class Meta:
        model = ActivityArchive
        fields = ["id", "site", "year", "status", "progress", "total", "processed", "message", "created_at",
                  "finished_at", "ledger_url", "photos_url"]  # fmt: skip
        read_only_fields = ["total", "processed", "message", "created_at", "finished_at"]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_ledger_url(self, archive: ActivityArchive) -> str | None:
        if not archive.ledger:
            return None
        return _absolute(self, reverse("activity-archive-ledger", args=[archive.pk]))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_photos_url(self, archive: ActivityArchive) -> str | None:
        if not archive.photos:
            return None
        return _absolute(self, reverse("activity-archive-photos", args=[archive.pk]))
