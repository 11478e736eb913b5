"""The points API: my points, the ledger, rankings, the shop (goods, redemptions), rules and
the public check of a certificate.

Reads go through ``restrict`` (each model's rule adds a volunteer's own entries and
redemptions and the shops above their home site); every write calls ``points.services``.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from centers.models import Site
from civic.api import ScopedViewSet, scoped_object
from civic.errors import FormParser, JSONParser, MultiPartParser
from civic.people import mask_name

from . import selectors, services
from .filters import EntryFilter, GoodsFilter, RedemptionFilter, RuleFilter
from .models import Entry, Goods, Redemption, Rule
from .serializers import (
    CancelSerializer,
    EntrySerializer,
    FulfilSerializer,
    GoodsSerializer,
    MyPointsSerializer,
    RankedSerializer,
    RankingQuerySerializer,
    RedeemSerializer,
    RedemptionSerializer,
    RuleSerializer,
    StockSerializer,
    VerifiedCertificateSerializer,
)
from .throttles import CertificateVerifyThrottle


class MyPointsView(generics.GenericAPIView):
    """My account: lifetime points, balance, hours, star level and rank in my township."""

    serializer_class = MyPointsSerializer
    filter_backends = []

    @extend_schema(summary="My points and my rank in my township", tags=["points"])
    def get(self, request):
        volunteer = selectors.volunteer_of(request.user)
        if volunteer is None:
            raise Http404("Your login is not linked to a volunteer.")
        mine = selectors.my_points(volunteer)
        data = {
            "account": mine.account,
            "rank": mine.rank,
            "ranked_among": mine.ranked_among,
            "township": mine.township.display_name if mine.township else None,
        }
        return Response(MyPointsSerializer(data).data)


@extend_schema_view(
    list=extend_schema(summary="Ledger entries you can see (a volunteer sees their own)"),
    retrieve=extend_schema(summary="One ledger entry"),
)
@extend_schema(tags=["points"])
class EntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The append-only ledger: entries of volunteers whose home site is in your reach, and your own."""

    queryset = Entry.objects.select_related("site", "account")
    serializer_class = EntrySerializer
    filterset_class = EntryFilter
    ordering_fields = ["id", "service_date"]
    ordering = ["-id"]

    def get_queryset(self):
        return self.queryset.restrict(self.request.user, "view")

    def get_object(self):
        return scoped_object(self, "view")


class RankingsView(generics.GenericAPIView):
    """实践排行: volunteers, teams or the sites below, by hours or points, for a period."""

    serializer_class = RankedSerializer
    filter_backends = []
    pagination_class = None  # the ranking is its top rows, whole

    @extend_schema(
        summary="Rankings of a subtree",
        tags=["points"],
        parameters=[RankingQuerySerializer],
        responses=RankedSerializer(many=True),
    )
    def get(self, request):
        query = RankingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = query.validated_data
        site = selectors.rankings_site_for(request.user, args.get("site"), selectors.volunteer_of(request.user))
        if site is None:
            raise exceptions.NotFound()
        rank = selectors.RANKINGS[args["kind"]]
        rows = rank(site, by=args["by"], period=args["period"], today=timezone.localdate())
        return Response(RankedSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Goods of the shops you keep or can see (a volunteer: the shops above their home)"),
    retrieve=extend_schema(summary="One goods item"),
    create=extend_schema(summary="Add goods to a shop you keep"),
    partial_update=extend_schema(summary="Change goods (name, price, on sale, photo)"),
)
@extend_schema(tags=["shop"])
class GoodsViewSet(ScopedViewSet):
    """Goods of the points shops. The stock changes only through ``stock`` and redemptions;
    goods are never deleted (take them off sale)."""

    queryset = Goods.objects.select_related("site")
    serializer_class = GoodsSerializer
    filterset_class = GoodsFilter
    ordering_fields = ["price", "name", "stock"]
    ordering = ["site_id", "price", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    scope_action_map = {"create": "add", "stock": "manage"}

    def create_object(self, serializer):
        data = serializer.validated_data
        return services.goods_create(
            actor=self.request.user,
            site=data["site"],
            name=data["name"],
            price=data["price"],
            is_active=data.get("is_active", True),
            photo=data.get("photo"),
        )

    def update_object(self, serializer):
        data = serializer.validated_data
        if "site" in data and data["site"].pk != serializer.instance.site_id:
            raise exceptions.ValidationError({"site": "Goods stay in their shop."})
        return services.goods_update(
            actor=self.request.user,
            goods=serializer.instance,
            name=data.get("name"),
            price=data.get("price"),
            is_active=data.get("is_active"),
            photo=data.get("photo"),
        )

    @extend_schema(summary="Goods in (positive) or written off (negative, with a note)", request=StockSerializer)
    @action(detail=True, methods=["post"])
    def stock(self, request, pk=None):
        goods = self.get_object()
        body = StockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        goods = self._checked(lambda: services.goods_stock_in(actor=request.user, goods=goods, **body.validated_data))
        return Response(GoodsSerializer(goods, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="Redemptions at the shops you can see, and your own"),
    retrieve=extend_schema(summary="One redemption (its pickup code only for its volunteer)"),
)
@extend_schema(tags=["shop"])
class RedemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Redemption.objects.select_related("goods", "account__volunteer")
    serializer_class = RedemptionSerializer
    filterset_class = RedemptionFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return self.queryset.restrict(self.request.user, "view")

    def get_object(self):
        return scoped_object(self, "view")

    def _answer(self, redemption, code=status.HTTP_200_OK) -> Response:
        fresh = self.queryset.get(pk=redemption.pk)
        return Response(RedemptionSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="Redeem goods (as the logged-in volunteer)", request=RedeemSerializer)
    def create(self, request):
        body = RedeemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        volunteer = selectors.volunteer_of(request.user)
        if volunteer is None:
            raise exceptions.PermissionDenied("Only a volunteer can redeem points.")
        goods = selectors.shop_goods(volunteer).filter(pk=body.validated_data["goods"]).first()
        if goods is None:
            raise exceptions.NotFound()
        redemption = services.redeem(actor=request.user, goods=goods, quantity=body.validated_data["quantity"])
        return self._answer(redemption, status.HTTP_201_CREATED)

    @extend_schema(summary="Hand goods over against a pickup code (the shop's keeper)", request=FulfilSerializer)
    @action(detail=False, methods=["post"])
    def fulfil(self, request):
        body = FulfilSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        site = Site.objects.restrict(request.user, "view").filter(pk=body.validated_data["site"]).first()
        if site is None:
            raise exceptions.NotFound()
        redemption = services.redemption_fulfil(
            actor=request.user, goods_site=site, pickup_code=body.validated_data["pickup_code"]
        )
        return self._answer(redemption)

    @extend_schema(summary="Cancel a waiting redemption (points and stock come back)", request=CancelSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        redemption = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.redemption_cancel(actor=request.user, redemption=redemption, reason=body.validated_data["reason"])
        return self._answer(redemption)


@extend_schema_view(
    list=extend_schema(summary="Points rules of the sites you can see"),
    retrieve=extend_schema(summary="One rule"),
    create=extend_schema(summary="Set a site's rule from a date (past entries are never rewritten)"),
)
@extend_schema(tags=["points"])
class RuleViewSet(ScopedViewSet):
    queryset = Rule.objects.select_related("site")
    serializer_class = RuleSerializer
    filterset_class = RuleFilter
    ordering_fields = ["valid_from"]
    ordering = ["site_id", "-valid_from"]
    http_method_names = ["get", "post", "head", "options"]
    scope_action_map = {"create": "manage"}

    def create_object(self, serializer):
        data = serializer.validated_data
        return services.rule_save(
            actor=self.request.user,
            site=data["site"],
            valid_from=data["valid_from"],
            points_per_hour=data["points_per_hour"],
            theme_bonus=data.get("theme_bonus", 0),
            rating_bonus=data.get("rating_bonus"),
            deductions=data.get("deductions"),
            star_hours=data.get("star_hours"),
        )


class CertificateVerifyView(generics.GenericAPIView):
    """Public: is this certificate genuine, and its figures (the name masked)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [CertificateVerifyThrottle]
    serializer_class = VerifiedCertificateSerializer
    filter_backends = []

    @extend_schema(
        summary="Check a certificate by its verification code (no login)",
        tags=["certificates"],
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)],
        responses=VerifiedCertificateSerializer,
    )
    def get(self, request, code: str):
        certificate = selectors.certificate_by_code(code)
        if certificate is None:
            raise exceptions.NotFound("No certificate has this code.")
        certificate.name = mask_name(certificate.volunteer.real_name)
        return Response(VerifiedCertificateSerializer(certificate).data)


router = SimpleRouter()
router.register("points/entries", EntryViewSet, basename="points-entry")
router.register("points/goods", GoodsViewSet, basename="points-goods")
router.register("points/redemptions", RedemptionViewSet, basename="points-redemption")
router.register("points/rules", RuleViewSet, basename="points-rule")

urlpatterns = [
    path("points/me/", MyPointsView.as_view(), name="points-me"),
    path("points/rankings/", RankingsView.as_view(), name="points-rankings"),
    path("points/certificates/verify/<str:code>/", CertificateVerifyView.as_view(), name="points-verify"),
    *router.urls,
]
