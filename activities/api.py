"""The activities API: activities (drafts, moves as actions, sign-in codes, confirmation),
sign-ups, attendance (with the xlsx export), photos, yearly archives, the sign-in endpoint a
phone or a WeChat mini-program calls with a scanned code (session or token auth), and a
volunteer's own side (open near me, my sign-ups, my history, my family on this phone).

Reads go through ``restrict`` (a volunteer also reads their own rows: declared on the
models); every write calls ``activities.services``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

from django.http import FileResponse, Http404, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from civic.api import ScopedViewSet
from volunteers.models import Volunteer

from . import qr, selectors, services
from .filters import ActivityFilter, ArchiveFilter, AttendanceFilter, PhotoFilter, SignUpFilter
from .models import Activity, ActivityArchive, Attendance, Photo, SignUp
from .rules import settings_for
from .serializers import (
    ActivityDetailSerializer,
    ActivitySerializer,
    ActivityWriteSerializer,
    ArchiveSerializer,
    AttendanceChangeSerializer,
    AttendanceMarkSerializer,
    AttendanceSerializer,
    CodeSerializer,
    ConfirmedSerializer,
    FamilyMemberSerializer,
    FinishSerializer,
    OpenActivitySerializer,
    PhotoChangeSerializer,
    PhotoCreateSerializer,
    PhotoSerializer,
    ReasonSerializer,
    SignInSerializer,
    SignUpCreateSerializer,
    SignUpSerializer,
    UnconfirmedSerializer,
)
from .services.common import volunteer_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID = r"[0-9]{1,18}"


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _download(field_file, filename: str, content_type: str | None = None):
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("The file is missing.")) from None
    return FileResponse(handle, as_attachment=False, filename=filename, content_type=content_type)


# Activities --------------------------------------------------------------------------------

_MOVE_ACTIONS = {"submit", "approve", "send_back", "publish", "start", "finish", "cancel", "archive"}


@extend_schema_view(
    list=extend_schema(summary="Activities you can see (a volunteer: those open to them and their own)"),
    retrieve=extend_schema(summary="One activity, with the moves you may make now"),
    create=extend_schema(
        summary="Plan a draft activity at a site you manage",
        request=ActivityWriteSerializer,
        responses={201: ActivityDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a draft", request=ActivityWriteSerializer, responses=ActivityDetailSerializer
    ),
)
@extend_schema(tags=["activities"])
class ActivityViewSet(ScopedViewSet):
    """Activities of the sites within reach. Moves are actions (one transition table decides
    which exist and who may make them); a draft is changed with PATCH; nothing is deleted
    (cancel it with a reason)."""

    queryset = Activity.objects.select_related("site", "platform", "team", "organizer")
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["starts_at", "created_at", "title"]
    ordering = ["-starts_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID
    scope_action_map = {
        "create": "add",
        **{name: "manage" for name in _MOVE_ACTIONS},
        "confirm": "manage",
        "unconfirm": "manage",
        "renew_code": "manage",
    }

    def get_scope_action(self) -> str:
        if self.action == "code":
            return "manage"  # the sign-in code is for the people running the activity
        return super().get_scope_action()

    def _answer(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        activity = self.queryset.get(pk=activity.pk)
        context = {**self.get_serializer_context(), "moves": selectors.allowed_moves(self.request.user, activity)}
        return Response(ActivityDetailSerializer(activity, context=context).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    def create(self, request, *args, **kwargs):
        data = _valid(ActivityWriteSerializer, request, context=self.get_serializer_context())
        if "site" not in data:
            raise exceptions.ValidationError({"site": [_("Choose the site holding the activity.")]})
        activity = self._checked(lambda: services.activity_create(actor=request.user, **data))
        return self._answer(activity, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        activity = self.get_object()
        data = dict(_valid(ActivityWriteSerializer, request, context=self.get_serializer_context(), partial=True))
        site = data.pop("site", None)
        if site is not None and site.pk != activity.site_id:
            raise exceptions.ValidationError({"site": [_("An activity stays at its site.")]})
        return self._answer(
            self._checked(lambda: services.activity_update(actor=request.user, activity=activity, **data))
        )

    def _move(self, move: str, **arguments) -> Response:
        activity = self.get_object()
        return self._answer(
            self._checked(
                lambda: services.activity_move(actor=self.request.user, activity=activity, move=move, **arguments)
            )
        )

    @extend_schema(summary="Submit a draft for approval", request=None, responses=ActivityDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move("submit")

    @extend_schema(
        summary="Approve (a manager of the site above, or of the site where the county allows)",
        request=None,
        responses=ActivityDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._move("approve")

    @extend_schema(
        summary="Send a submitted activity back to draft, with a reason",
        request=ReasonSerializer,
        responses=ActivityDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request, pk=None):
        return self._move("return", reason=_valid(ReasonSerializer, request)["reason"])

    @extend_schema(summary="Publish for sign-up (tells the team)", request=None, responses=ActivityDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._move("publish")

    @extend_schema(summary="Start the activity", request=None, responses=ActivityDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move("start")

    @extend_schema(
        summary="Finish with a summary and the people served (needs a photo)",
        request=FinishSerializer,
        responses=ActivityDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        data = _valid(FinishSerializer, request)
        return self._move("finish", summary=data["summary"], people_served=data["people_served"])

    @extend_schema(summary="Cancel, with a reason", request=ReasonSerializer, responses=ActivityDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move("cancel", reason=_valid(ReasonSerializer, request)["reason"])

    @extend_schema(summary="Archive a finished activity", request=None, responses=ActivityDetailSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._move("archive")

    @extend_schema(
        summary="The sign-in code to show (changes every 30 seconds) and, where allowed, the printed one",
        responses=CodeSerializer,
    )
    @action(detail=True, methods=["get"])
    def code(self, request, pk=None):
        activity = self.get_object()
        now = timezone.now()
        window = qr.window_of(now)
        rules = settings_for(activity.site, timezone.localtime(activity.starts_at).date())
        data = {
            "token": qr.rotating_token(activity, now),
            "valid_until": datetime.fromtimestamp((window + 2) * qr.WINDOW_SECONDS, tz=UTC),
            "window_seconds": qr.WINDOW_SECONDS,
            "static_token": qr.static_token(activity) if rules.static_qr_allowed else None,
        }
        return Response(CodeSerializer(data).data)

    @extend_schema(
        summary="Void every sign-in code shown or printed so far", request=None, responses=ActivityDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="renew-code")
    def renew_code(self, request, pk=None):
        activity = self.get_object()
        return self._answer(services.activity_renew_code(actor=request.user, activity=activity))

    @extend_schema(
        summary="Confirm the whole attendance list (credits hours and points once)",
        request=None,
        responses=ConfirmedSerializer,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        activity = self.get_object()
        result = services.attendance_confirm(actor=request.user, activity=activity)
        return Response(ConfirmedSerializer(result).data)

    @extend_schema(
        summary="Take the confirmation back (the credits are reversed), with a reason",
        request=ReasonSerializer,
        responses=UnconfirmedSerializer,
    )
    @action(detail=True, methods=["post"])
    def unconfirm(self, request, pk=None):
        activity = self.get_object()
        count = services.attendance_unconfirm(
            actor=request.user, activity=activity, reason=_valid(ReasonSerializer, request)["reason"]
        )
        return Response({"unconfirmed": count})


# Sign-ups ----------------------------------------------------------------------------------


def _volunteer_for(user, volunteer_id: int | None) -> Volunteer:
    """The volunteer a request acts for: the user's own record, one of the family on their
    phone, or (for staff) anyone they can see."""
    if volunteer_id is None:
        volunteer = volunteer_of(user)
        if volunteer is None:
            raise exceptions.NotFound(_("You have not registered as a volunteer."))
        return volunteer
    family = {v.pk: v for v in selectors.family_volunteers(user)}
    if volunteer_id in family:
        return family[volunteer_id]
    volunteer = Volunteer.objects.restrict(user, "view").select_related("home_site").filter(pk=volunteer_id).first()
    if volunteer is None:
        raise exceptions.NotFound(_("No such volunteer within your reach."))
    return volunteer


@extend_schema_view(
    list=extend_schema(summary="Sign-ups you can see (a volunteer: their own and their family's)"),
    retrieve=extend_schema(summary="One sign-up"),
)
@extend_schema(tags=["activities"])
class SignUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SignUpSerializer
    filterset_class = SignUpFilter
    ordering_fields = ["signed_up_at"]
    ordering = ["-signed_up_at", "-id"]
    lookup_value_regex = ID

    def get_queryset(self):
        return SignUp.objects.restrict(self.request.user, "view").select_related("activity", "volunteer")

    def _answer(self, signup: SignUp, code: int = status.HTTP_200_OK) -> Response:
        return Response(SignUpSerializer(self.get_queryset().get(pk=signup.pk)).data, status=code)

    @extend_schema(
        summary="Sign up (yourself, one of your family, or, for staff, any volunteer)",
        request=SignUpCreateSerializer,
        responses={201: SignUpSerializer},
    )
    def create(self, request):
        data = _valid(SignUpCreateSerializer, request)
        activity = Activity.objects.restrict(request.user, "view").filter(pk=data["activity"]).first()
        if activity is None:
            raise exceptions.NotFound(_("No such activity within your reach."))
        volunteer = _volunteer_for(request.user, data.get("volunteer"))
        signup = services.signup_create(actor=request.user, activity=activity, volunteer=volunteer)
        return self._answer(signup, status.HTTP_201_CREATED)

    @extend_schema(summary="Cancel a sign-up before the activity begins", request=None, responses=SignUpSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._answer(services.signup_cancel(actor=request.user, signup=self.get_object()))


# Attendance --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Attendance you can see (a volunteer: their own and their family's)"),
    retrieve=extend_schema(summary="One attendance record"),
    create=extend_schema(
        summary="Mark a volunteer present by hand (staff)",
        request=AttendanceMarkSerializer,
        responses={201: AttendanceSerializer},
    ),
    partial_update=extend_schema(
        summary="Correct the times, hours or note (staff, before confirmation)",
        request=AttendanceChangeSerializer,
        responses=AttendanceSerializer,
    ),
)
@extend_schema(tags=["activities"])
class AttendanceViewSet(ScopedViewSet):
    queryset = Attendance.objects.select_related("activity", "volunteer")
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilter
    ordering_fields = ["signed_in_at", "hours"]
    ordering = ["activity_id", "signed_in_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID
    scope_action_map = {"create": "add"}

    def _answer(self, attendance: Attendance, code: int = status.HTTP_200_OK) -> Response:
        return Response(AttendanceSerializer(self.queryset.get(pk=attendance.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = _valid(AttendanceMarkSerializer, request)
        activity = Activity.objects.restrict(request.user, "view").filter(pk=data.pop("activity")).first()
        if activity is None:
            raise exceptions.NotFound(_("No such activity within your reach."))
        volunteer = _volunteer_for(request.user, data.pop("volunteer"))
        attendance = self._checked(
            lambda: services.attendance_mark(actor=request.user, activity=activity, volunteer=volunteer, **data)
        )
        return self._answer(attendance, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        attendance = self.get_object()
        data = _valid(AttendanceChangeSerializer, request)
        arguments = {
            "signed_in_at": data.get("signed_in_at", attendance.signed_in_at),
            "signed_out_at": data.get("signed_out_at", attendance.signed_out_at),
            "hours": data.get("hours", attendance.hours if attendance.hours_by_hand else None),
            "note": data.get("note", attendance.note),
        }
        if arguments["signed_in_at"] is None:
            raise exceptions.ValidationError({"signed_in_at": [_("Give the time of sign-in.")]})
        return self._answer(
            self._checked(
                lambda: services.attendance_mark(
                    actor=request.user, activity=attendance.activity, volunteer=attendance.volunteer, **arguments
                )
            )
        )

    @extend_schema(
        summary="The attendance you can see, filtered, as an xlsx sheet",
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        rows = self.filter_queryset(self.get_queryset())
        response = HttpResponse(selectors.attendance_export(rows), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="attendance.xlsx"'
        return response


# Photos ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Photos of the activities you can see"),
    retrieve=extend_schema(summary="One photo"),
    create=extend_schema(
        summary="Add a photo (JPEG, PNG or WebP, at most 10 MB; EXIF and GPS are removed)",
        request={"multipart/form-data": PhotoCreateSerializer},
        responses={201: PhotoSerializer},
    ),
    partial_update=extend_schema(summary="Change the caption", request=PhotoChangeSerializer),
    destroy=extend_schema(summary="Remove a photo of an activity not yet finished"),
)
@extend_schema(tags=["activities"])
class PhotoViewSet(ScopedViewSet):
    queryset = Photo.objects.select_related("activity")
    serializer_class = PhotoSerializer
    filterset_class = PhotoFilter
    ordering_fields = ["uploaded_at"]
    ordering = ["activity_id", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    lookup_value_regex = ID
    scope_action_map = {"create": "add", "destroy": "change"}

    def _answer(self, photo: Photo, code: int = status.HTTP_200_OK) -> Response:
        photo = self.queryset.get(pk=photo.pk)
        return Response(PhotoSerializer(photo, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = _valid(PhotoCreateSerializer, request)
        activity = Activity.objects.restrict(request.user, "view").filter(pk=data["activity"]).first()
        if activity is None:
            raise exceptions.NotFound(_("No such activity within your reach."))
        photo = self._checked(
            lambda: services.photo_add(
                actor=request.user, activity=activity, image=data["image"], caption=data["caption"]
            )
        )
        return self._answer(photo, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        photo = self.get_object()
        caption = _valid(PhotoChangeSerializer, request)["caption"]
        return self._answer(
            self._checked(lambda: services.photo_update(actor=request.user, photo=photo, caption=caption))
        )

    def delete_object(self, instance):
        services.photo_remove(actor=self.request.user, photo=instance)

    @extend_schema(summary="The photo itself", responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def image(self, request, pk=None):
        photo = self.get_object()
        return _download(photo.image, f"{photo.pk}{PurePosixPath(photo.image.name).suffix}")

    @extend_schema(
        summary="Its thumbnail (made in the background)",
        responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def thumbnail(self, request, pk=None):
        photo = self.get_object()
        if not photo.thumbnail:
            raise exceptions.NotFound(_("The thumbnail is not made yet."))
        return _download(photo.thumbnail, f"{photo.pk}-thumb.jpg", "image/jpeg")


# Archives ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Yearly archives of the sites you can see"),
    retrieve=extend_schema(summary="One archive, with its progress"),
    create=extend_schema(summary="Archive a site's year (built in the background)"),
)
@extend_schema(tags=["activities"])
class ArchiveViewSet(ScopedViewSet):
    queryset = ActivityArchive.objects.select_related("site")
    serializer_class = ArchiveSerializer
    filterset_class = ArchiveFilter
    ordering_fields = ["created_at", "year"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID
    scope_action_map = {"create": "manage"}

    def create_object(self, serializer):
        data = serializer.validated_data
        return services.archive_start(actor=self.request.user, site=data["site"], year=data["year"])

    @extend_schema(summary="The xlsx ledger (台账)", responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        archive = self.get_object()
        if not archive.ledger:
            raise exceptions.NotFound(_("The archive is not built yet."))
        return _download(archive.ledger, f"ledger-{archive.site_id}-{archive.year}.xlsx", XLSX)

    @extend_schema(
        summary="The zip of photos and sign-in records",
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def photos(self, request, pk=None):
        archive = self.get_object()
        if not archive.photos:
            raise exceptions.NotFound(_("The archive is not built yet."))
        return _download(archive.photos, f"photos-{archive.site_id}-{archive.year}.zip", "application/zip")


# Signing in with a scanned code --------------------------------------------------------


class _CodeView(generics.GenericAPIView):
    serializer_class = SignInSerializer
    filter_backends = []

    def _activity_and_volunteer(self, request) -> tuple[dict, Activity, Volunteer]:
        data = _valid(SignInSerializer, request)
        parsed = qr.parse(data["token"])
        activity = Activity.objects.select_related("site").filter(pk=parsed.activity_id).first()
        if activity is None:
            raise exceptions.ValidationError({"token": [_("This is not a sign-in code of an activity.")]})
        volunteer_id = data.get("volunteer")
        if volunteer_id is None:
            volunteer = volunteer_of(request.user)
            if volunteer is None:
                raise exceptions.NotFound(_("You have not registered as a volunteer."))
        else:
            volunteer = {v.pk: v for v in selectors.family_volunteers(request.user)}.get(volunteer_id)
            if volunteer is None:
                raise exceptions.PermissionDenied(_("You can sign in only yourself or your family on this phone."))
        return data, activity, volunteer


class SignInView(_CodeView):
    """Sign in with a scanned code (the organizer's phone, or a printed one where allowed)."""

    @extend_schema(
        summary="Sign in with a scanned code (token auth for a mini-program; JSON)",
        tags=["sign-in"],
        responses={200: AttendanceSerializer},
    )
    def post(self, request):
        data, activity, volunteer = self._activity_and_volunteer(request)
        location = None
        if data.get("latitude") is not None and data.get("longitude") is not None:
            location = services.Location(data["latitude"], data["longitude"])
        attendance = services.attendance_sign_in(
            actor=request.user, activity=activity, volunteer=volunteer, token=data["token"], location=location
        )
        return Response(AttendanceSerializer(Attendance.objects.select_related("activity", "volunteer").get(
            pk=attendance.pk)).data)  # fmt: skip


class SignOutView(_CodeView):
    """Sign out with the same code; the hours follow from the county's rule."""

    @extend_schema(summary="Sign out with a scanned code", tags=["sign-in"], responses={200: AttendanceSerializer})
    def post(self, request):
        data, activity, volunteer = self._activity_and_volunteer(request)
        attendance = services.attendance_sign_out(
            actor=request.user, activity=activity, volunteer=volunteer, token=data["token"]
        )
        return Response(AttendanceSerializer(Attendance.objects.select_related("activity", "volunteer").get(
            pk=attendance.pk)).data)  # fmt: skip


# A volunteer's own side --------------------------------------------------------------------


def _mine(request) -> Volunteer:
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise exceptions.NotFound(_("You have not registered as a volunteer."))
    return volunteer


class MyOpenActivitiesView(generics.GenericAPIView):
    """Activities open for sign-up near me: my village, township and county, and my teams'."""

    serializer_class = OpenActivitySerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(summary="Activities open near me", tags=["me"], responses=OpenActivitySerializer(many=True))
    def get(self, request):
        rows = selectors.open_near(_mine(request))
        return Response(OpenActivitySerializer(rows, many=True).data)


class MySignUpsView(generics.ListAPIView):
    """My sign-ups for activities not yet over."""

    serializer_class = SignUpSerializer
    filter_backends = []

    @extend_schema(summary="My sign-ups", tags=["me"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.my_signups(_mine(self.request)).select_related("volunteer")


class MyHistoryView(generics.ListAPIView):
    """My attendance with hours, newest first."""

    serializer_class = AttendanceSerializer
    filter_backends = []

    @extend_schema(summary="My activity history with hours", tags=["me"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.my_history(_mine(self.request)).select_related("volunteer")


class MyFamilyView(generics.GenericAPIView):
    """The volunteers who share my phone: who can sign in from it."""

    serializer_class = FamilyMemberSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(summary="The volunteers on my phone", tags=["me"], responses=FamilyMemberSerializer(many=True))
    def get(self, request):
        rows = selectors.family_volunteers(request.user)
        for volunteer in rows:
            volunteer.is_me = volunteer.user_id == request.user.pk
        return Response(FamilyMemberSerializer(rows, many=True).data)


router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="activity")
router.register("activity-signups", SignUpViewSet, basename="activity-signup")
router.register("activity-attendance", AttendanceViewSet, basename="activity-attendance")
router.register("activity-photos", PhotoViewSet, basename="activity-photo")
router.register("activity-archives", ArchiveViewSet, basename="activity-archive")

urlpatterns = [
    path("activities/sign-in/", SignInView.as_view(), name="activity-sign-in"),
    path("activities/sign-out/", SignOutView.as_view(), name="activity-sign-out"),
    path("me/activities/open/", MyOpenActivitiesView.as_view(), name="my-activities-open"),
    path("me/activities/signups/", MySignUpsView.as_view(), name="my-activity-signups"),
    path("me/activities/history/", MyHistoryView.as_view(), name="my-activity-history"),
    path("me/family/", MyFamilyView.as_view(), name="my-family"),
    *router.urls,
]
