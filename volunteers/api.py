"""The volunteers API: volunteers (registry, approval, status, anonymising, login claims), the
volunteer's own profile, self-registration, teams and memberships.

Reads go through ``restrict`` (volunteers through ``with_unmask`` too, so masking costs no
extra query; each model's rule adds a volunteer's own rows and the teams they lead or may
join); every write calls ``volunteers.services``.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from civic import nested, otp
from civic.api import ScopedViewSet, scoped_object
from civic.figures import volunteer_figures
from civic.net import client_address
from civic.people import mask_phone

from . import selectors, services
from .filters import MembershipFilter, TeamFilter, VolunteerFilter
from .logins import TokenView
from .models import Membership, Status, Team, Volunteer
from .serializers import (
    ClaimConfirmSerializer,
    ClaimLoginSerializer,
    DecisionSerializer,
    DetailSerializer,
    MembershipSerializer,
    MyVolunteerUpdateSerializer,
    RegistrationCodeSerializer,
    RegistrationResultSerializer,
    SelfRegistrationSerializer,
    StatusChangeSerializer,
    TeamLeaderSerializer,
    TeamSerializer,
    VolunteerCreateSerializer,
    VolunteerDetailSerializer,
    VolunteerSerializer,
    VolunteerUpdateSerializer,
)
from .throttles import ClaimThrottle, RegistrationCodeThrottle, RegistrationThrottle


def _volunteers_for(user, queryset=None):
    """Volunteers as the serializers read them: masked per row, skills prefetched."""
    queryset = Volunteer.objects.all() if queryset is None else queryset
    return queryset.with_unmask(user).select_related("home_site", "source_group").prefetch_related("skills")


def _detail(request, volunteer: Volunteer) -> dict:
    context = {"request": request, "figures": volunteer_figures([volunteer])}
    return VolunteerDetailSerializer(volunteer, context=context).data


@extend_schema_view(
    list=extend_schema(summary="List the volunteers you can see (withdrawn ones only on ?status=withdrawn)"),
    retrieve=extend_schema(
        summary="One volunteer, with hours, points and star level", responses=VolunteerDetailSerializer
    ),
    create=extend_schema(
        summary="Register someone at a site you manage (active at once, no login)",
        request=VolunteerCreateSerializer,
        responses={201: VolunteerSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a volunteer's profile", request=VolunteerUpdateSerializer, responses=VolunteerSerializer
    ),
    destroy=extend_schema(summary="Delete on request: anonymises the personal fields, keeps the history"),
)
@extend_schema(tags=["volunteers"])
class VolunteerViewSet(ScopedViewSet):
    """Volunteers whose home site is within the user's reach (and the user's own record).
    ID number and phone are masked unless the user manages the home site's subtree."""

    queryset = Volunteer.objects.all()
    serializer_class = VolunteerSerializer
    filterset_class = VolunteerFilter
    ordering_fields = ["registered_at", "real_name", "status", "status_changed_at"]
    ordering = ["-registered_at", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    scope_action_map = {
        "create": "add",
        "destroy": "manage",
        "approve": "manage",
        "reject": "manage",
        "set_status": "manage",
        "anonymise": "manage",
        "claim_confirm": "manage",
    }

    serializer_classes = {
        "retrieve": VolunteerDetailSerializer,
        "create": VolunteerCreateSerializer,
        "partial_update": VolunteerUpdateSerializer,
        "approve": DecisionSerializer,
        "reject": DecisionSerializer,
        "set_status": StatusChangeSerializer,
        "claim_confirm": ClaimConfirmSerializer,
    }

    def get_serializer_class(self):
        """The input shape of each write (the browsable API and OPTIONS show it); answers are
        always ``VolunteerSerializer``."""
        return self.serializer_classes.get(self.action, VolunteerSerializer)

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            if self.request.query_params.get("status") == Status.WITHDRAWN:
                # Withdrawn people leave the lists; only their managers may look them up.
                queryset = Volunteer.objects.restrict(user, "manage")
            else:
                queryset = super().get_queryset().listed()
        else:
            queryset = super().get_queryset()
        return _volunteers_for(user, queryset)

    def _reloaded(self, volunteer: Volunteer) -> Volunteer:
        return _volunteers_for(self.request.user).get(pk=volunteer.pk)

    def _answer(self, volunteer: Volunteer, code: int = status.HTTP_200_OK) -> Response:
        data = VolunteerSerializer(self._reloaded(volunteer), context=self.get_serializer_context()).data
        return Response(data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return Response(_detail(request, self.get_object()))

    def create(self, request, *args, **kwargs):
        serializer = VolunteerCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        volunteer = self._checked(lambda: self.create_object(serializer))
        return self._answer(volunteer, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = VolunteerUpdateSerializer(
            instance, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        serializer.instance = instance
        return self._answer(self._checked(lambda: self.update_object(serializer)))

    def create_object(self, serializer):
        return services.volunteer_register(actor=self.request.user, **serializer.service_arguments())

    def update_object(self, serializer):
        changes, skills = serializer.service_arguments()
        return services.volunteer_update(
            actor=self.request.user, volunteer=serializer.instance, skills=skills, **changes
        )

    def delete_object(self, instance):
        services.volunteer_anonymise(actor=self.request.user, volunteer=instance)

    @extend_schema(summary="Approve a pending registration", request=DecisionSerializer, responses=VolunteerSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        volunteer = self.get_object()
        reason = self._valid(DecisionSerializer)["reason"]
        return self._answer(
            self._checked(
                lambda: services.volunteer_decide(actor=request.user, volunteer=volunteer, approve=True, reason=reason)
            )
        )

    @extend_schema(
        summary="Reject a pending registration (a reason is required)",
        request=DecisionSerializer,
        responses=VolunteerSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        volunteer = self.get_object()
        reason = self._valid(DecisionSerializer)["reason"]
        return self._answer(
            self._checked(
                lambda: services.volunteer_decide(actor=request.user, volunteer=volunteer, approve=False, reason=reason)
            )
        )

    @extend_schema(
        summary="Suspend, reinstate or withdraw", request=StatusChangeSerializer, responses=VolunteerSerializer
    )
    @action(detail=True, methods=["post"], url_path="set-status")
    def set_status(self, request, pk=None):
        volunteer = self.get_object()
        data = self._valid(StatusChangeSerializer)
        return self._answer(
            self._checked(
                lambda: services.volunteer_set_status(
                    actor=request.user, volunteer=volunteer, status=data["status"], reason=data["reason"]
                )
            )
        )

    @extend_schema(summary="Anonymise the personal fields (deletion on request)", request=None)
    @action(detail=True, methods=["post"])
    def anonymise(self, request, pk=None):
        volunteer = self.get_object()
        return self._answer(
            self._checked(lambda: services.volunteer_anonymise(actor=request.user, volunteer=volunteer))
        )

    @extend_schema(
        summary="Confirm (or refuse) a login claim", request=ClaimConfirmSerializer, responses=VolunteerSerializer
    )
    @action(detail=True, methods=["post"], url_path="claim-confirm")
    def claim_confirm(self, request, pk=None):
        volunteer = self.get_object()
        approve = self._valid(ClaimConfirmSerializer)["approve"]
        return self._answer(
            self._checked(
                lambda: services.login_claim_confirm(actor=request.user, volunteer=volunteer, approve=approve)
            )
        )

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# The volunteer's own profile ------------------------------------------------------------


def _mine(request) -> Volunteer:
    volunteer = _volunteers_for(request.user, Volunteer.objects.filter(user=request.user)).first()
    if volunteer is None:
        raise exceptions.NotFound(_("You have not registered as a volunteer."))
    return volunteer


class MyVolunteerView(generics.GenericAPIView):
    """The logged-in volunteer's own record: whole ID number and phone, where the application
    stands, and the fields they may change themselves."""

    serializer_class = VolunteerDetailSerializer

    @extend_schema(summary="My volunteer profile", tags=["me"])
    def get(self, request):
        return Response(_detail(request, _mine(request)))

    @extend_schema(
        summary="Change my own profile",
        tags=["me"],
        request=MyVolunteerUpdateSerializer,
        responses=VolunteerDetailSerializer,
    )
    def patch(self, request):
        volunteer = _mine(request)
        serializer = MyVolunteerUpdateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        changes, skills = serializer.service_arguments()
        services.volunteer_update(actor=request.user, volunteer=volunteer, skills=skills, **changes)
        return Response(_detail(request, _mine(request)))


class MyWithdrawalView(generics.GenericAPIView):
    """A volunteer leaves: their history (hours, points) stays, they leave the lists."""

    serializer_class = DecisionSerializer

    @extend_schema(
        summary="Withdraw as a volunteer", tags=["me"], request=DecisionSerializer, responses=VolunteerDetailSerializer
    )
    def post(self, request):
        volunteer = _mine(request)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.volunteer_set_status(
            actor=request.user, volunteer=volunteer, status=Status.WITHDRAWN, reason=serializer.validated_data["reason"]
        )
        return Response(_detail(request, _mine(request)))


# Anonymous: self-registration and login claims -------------------------------------------


class SelfRegistrationView(generics.GenericAPIView):
    """Anyone registers themself (with a password for the login it creates); the station approves."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [RegistrationThrottle]
    serializer_class = SelfRegistrationSerializer

    @extend_schema(
        summary="Register as a volunteer with the code texted to the phone (creates a login; the station approves)",
        tags=["registration"],
        responses={201: RegistrationResultSerializer},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        volunteer = services.volunteer_register(actor=None, **serializer.service_arguments())
        result = {
            "id": volunteer.pk,
            "status": volunteer.status,
            "status_display": volunteer.get_status_display(),
            "detail": _("Registered. Your station will review your application; you can log in meanwhile."),
        }
        return Response(RegistrationResultSerializer(result).data, status=status.HTTP_201_CREATED)


class RegistrationCodeView(generics.GenericAPIView):
    """Text the one-time code that proves the phone of a self-registration (valid 10 minutes;
    a minute between codes, a few an hour to one phone or from one address)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [RegistrationCodeThrottle]
    serializer_class = RegistrationCodeSerializer

    @extend_schema(
        summary="Text me a code to prove my phone (before registering)",
        tags=["registration"],
        responses={202: DetailSerializer},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            phone = services.registration_code_send(
                phone=serializer.validated_data["phone"], request_address=client_address(request)
            )
        except otp.CodeRateLimited as exc:
            raise exceptions.Throttled(wait=exc.wait, detail=" ".join(exc.messages)) from exc
        detail = _("A code was sent to %(phone)s. It is valid for %(minutes)s minutes.") % {
            "phone": mask_phone(phone),
            "minutes": int(otp.LIFETIME.total_seconds() // 60),
        }
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class ClaimLoginView(generics.GenericAPIView):
    """Someone registered by their station asks for a login with ID number and phone."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ClaimThrottle]
    serializer_class = ClaimLoginSerializer

    @extend_schema(
        summary="Claim a login (the station confirms it)",
        tags=["registration"],
        responses={202: DetailSerializer},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.login_claim_request(**serializer.validated_data)
        detail = _("Your station will confirm your login; then log in with your ID number or phone.")
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


# Teams and memberships ------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the teams you can see"),
    retrieve=extend_schema(summary="One team"),
    create=extend_schema(summary="Create a team at a site you manage"),
    partial_update=extend_schema(summary="Change a team"),
)
@extend_schema(tags=["teams"])
class TeamViewSet(ScopedViewSet):
    """Teams (总队, 大队, 支队, 小分队) of the sites within reach, the teams the user leads, and
    a volunteer's home-site teams. A team is never deleted: mark it inactive."""

    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["name", "kind", "created_at"]
    ordering = list(nested.tree_order())
    http_method_names = ["get", "post", "patch", "head", "options"]
    scope_action_map = {"create": "add", "set_leader": "manage"}

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("site", "leader", "platform")
            .annotate(member_count=selectors.team_member_count())
        )

    def _reloaded(self, team: Team) -> Team:
        return (
            Team.objects.select_related("site", "leader", "platform")
            .annotate(member_count=selectors.team_member_count())
            .get(pk=team.pk)
        )

    def create_object(self, serializer):
        data = serializer.validated_data
        team = services.team_create(
            actor=self.request.user,
            site=data["site"],
            parent=data.get("parent"),
            **serializer.service_changes(),
        )
        return self._reloaded(team)

    def update_object(self, serializer):
        team = services.team_update(actor=self.request.user, team=serializer.instance, **serializer.service_changes())
        return self._reloaded(team)

    @extend_schema(summary="Choose the team's leader", request=TeamLeaderSerializer, responses=TeamSerializer)
    @action(detail=True, methods=["post"], url_path="set-leader")
    def set_leader(self, request, pk=None):
        team = self.get_object()
        serializer = TeamLeaderSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        volunteer = serializer.validated_data["volunteer"]
        team = self._checked(
            lambda: self._reloaded(services.team_set_leader(actor=request.user, team=team, volunteer=volunteer))
        )
        return Response(TeamSerializer(team, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="List the memberships you can see (your teams', your sites', your own)"),
    retrieve=extend_schema(summary="One membership"),
    create=extend_schema(summary="Ask to join a team (for yourself, or for a volunteer of your site)"),
)
@extend_schema(tags=["teams"])
class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Team memberships and join requests. A team leader sees and decides the requests of the
    teams they lead without any site grant; the services check who may decide."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["requested_at", "decided_at"]
    ordering = ["-requested_at", "-id"]

    def get_queryset(self):
        return Membership.objects.restrict(self.request.user, "view").select_related("volunteer", "team")

    def get_object(self):
        return scoped_object(self, "view")  # the services decide who may approve, decline or leave

    def _answer(self, membership: Membership, code: int = status.HTTP_200_OK) -> Response:
        membership = Membership.objects.select_related("volunteer", "team").get(pk=membership.pk)
        return Response(self.get_serializer(membership).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = services.membership_request(actor=request.user, volunteer=data["volunteer"], team=data["team"])
        return self._answer(membership, status.HTTP_201_CREATED)

    def _decide(self, approve: bool) -> Response:
        membership = services.membership_decide(actor=self.request.user, membership=self.get_object(), approve=approve)
        return self._answer(membership)

    @extend_schema(summary="Accept a join request (the team leader or a site manager)", request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(True)

    @extend_schema(summary="Decline a join request (the team leader or a site manager)", request=None)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(False)

    @extend_schema(summary="Leave the team (the member, its leader or a site manager)", request=None)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        membership = services.membership_leave(actor=request.user, membership=self.get_object())
        return self._answer(membership)


router = SimpleRouter()
router.register("volunteers", VolunteerViewSet, basename="volunteer")
router.register("teams", TeamViewSet, basename="team")
router.register("memberships", MembershipViewSet, basename="membership")

urlpatterns = [
    path("me/volunteer/", MyVolunteerView.as_view(), name="my-volunteer"),
    path("me/volunteer/withdraw/", MyWithdrawalView.as_view(), name="my-volunteer-withdraw"),
    path("register/", SelfRegistrationView.as_view(), name="volunteer-register"),
    path("register/code/", RegistrationCodeView.as_view(), name="volunteer-register-code"),
    path("claim-login/", ClaimLoginView.as_view(), name="volunteer-claim-login"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    *router.urls,
]
