"""The centers API: sites (the tree), service platforms, role grants, and API tokens.

Reads go through ``restrict``; every write calls ``centers.services`` inside
``civic.api.ScopedViewSet``'s checked transaction.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from civic.api import ScopedViewSet
from civic.ids import parse_id
from civic.scope import Role, scope_filter
from civic.views import SAFE_METHODS

from . import selectors, services
from .filters import SiteFilter, SiteGrantFilter
from .models import ServicePlatform, Site, SiteGrant
from .selectors import with_child_counts
from .serializers import ServicePlatformSerializer, SiteGrantSerializer, SiteSerializer


def _site_fields(data: dict) -> dict:
    """Serializer data → keyword arguments of the site services."""
    fields = dict(data)
    if "standard_set" in fields:
        standard_set = fields.pop("standard_set")
        fields["standard_set_id"] = standard_set.pk if standard_set else None
    return fields


@extend_schema_view(
    list=extend_schema(summary="List the sites you can see", tags=["sites"]),
    retrieve=extend_schema(summary="One site", tags=["sites"]),
    create=extend_schema(summary="Add a site under a parent you manage", tags=["sites"]),
    update=extend_schema(summary="Change a site (a new parent moves it)", tags=["sites"]),
    partial_update=extend_schema(summary="Change some fields of a site (a new parent moves it)", tags=["sites"]),
    destroy=extend_schema(summary="Delete a site with nothing under it", tags=["sites"]),
)
class SiteViewSet(ScopedViewSet):
    """Sites of the tree within the user's reach, in tree order."""

    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    ordering_fields = ["code", "name", "level", "population", "depth"]
    ordering = ["tree_id", "lft"]

    def get_queryset(self):
        return with_child_counts(super().get_queryset())

    def _reloaded(self, site: Site) -> Site:
        return with_child_counts(Site.objects.all()).get(pk=site.pk)

    def create_object(self, serializer):
        fields = _site_fields(serializer.validated_data)
        parent = fields.pop("parent", None)
        site = services.site_create(actor=self.request.user, parent=parent, **fields)
        return self._reloaded(site)

    def update_object(self, serializer):
        site = serializer.instance
        fields = _site_fields(serializer.validated_data)
        moving = "parent" in fields
        new_parent = fields.pop("parent", None)
        if moving and (new_parent.pk if new_parent else None) == site.parent_id:
            moving = False
        if fields:
            site = services.site_update(actor=self.request.user, site=site, **fields)
        if moving:
            site = services.site_move(actor=self.request.user, site=site, new_parent=new_parent)
        return self._reloaded(site)

    def delete_object(self, instance):
        services.site_delete(actor=self.request.user, site=instance)


@extend_schema_view(
    list=extend_schema(summary="Service platforms offered everywhere and by the counties you can see"),
    retrieve=extend_schema(summary="One service platform"),
    create=extend_schema(summary="Add a service platform to a county you manage"),
    update=extend_schema(summary="Change a service platform"),
    partial_update=extend_schema(summary="Change some fields of a service platform"),
)
@extend_schema(tags=["platforms"])
class ServicePlatformViewSet(ScopedViewSet):
    """Service platforms (服务平台): the global list plus each county's own. A user sees the
    global ones and those owned above or below their grants; a county's managers change its
    own. A platform is never deleted (activities keep pointing at it): mark it inactive."""

    queryset = ServicePlatform.objects.all()
    serializer_class = ServicePlatformSerializer
    filterset_fields = ["owner", "is_active"]
    ordering_fields = ["sort_order", "name"]
    ordering = ["sort_order", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _scoped(self, action: str):
        user = self.request.user
        condition = scope_filter(user, action, "owner")
        queryset = ServicePlatform.objects.all()
        if condition is None:
            return queryset
        if action == "view":
            return selectors.platforms_visible_to(user)
        return queryset.filter(condition)

    def get_queryset(self):
        return self._scoped(self.get_scope_action())

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            pk = parse_id(self.kwargs.get("pk"))
            if self.get_scope_action() != "view" and pk and self._scoped("view").filter(pk=pk).exists():
                raise exceptions.PermissionDenied() from None
            raise

    def create_object(self, serializer):
        fields = dict(serializer.validated_data)
        owner = fields.pop("owner", None)
        return services.platform_save(actor=self.request.user, owner=owner, **fields)

    def update_object(self, serializer):
        fields = dict(serializer.validated_data)
        fields.pop("owner", None)
        return services.platform_save(actor=self.request.user, platform=serializer.instance, **fields)


@extend_schema_view(
    list=extend_schema(summary="Roles held on the sites you can see"),
    retrieve=extend_schema(summary="One role grant"),
    create=extend_schema(summary="Give someone a role on a site you manage"),
    destroy=extend_schema(summary="Take a role away"),
)
@extend_schema(tags=["roles"])
class SiteGrantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Roles (manager, viewer) held on sites. Anyone who can see a site sees its roles;
    only a manager of the site's subtree grants or revokes them (``role_grant``/``role_revoke``)."""

    queryset = SiteGrant.objects.all()
    serializer_class = SiteGrantSerializer
    filterset_class = SiteGrantFilter
    ordering_fields = ["created_at"]
    ordering = ["content_object__tree_id", "content_object__lft", "id"]

    def _scoped(self, action: str):
        queryset = SiteGrant.objects.select_related("content_object", "user", "permission")
        condition = scope_filter(self.request.user, action, "content_object")
        return queryset if condition is None else queryset.filter(condition)

    def get_queryset(self):
        return self._scoped("view" if self.request.method in SAFE_METHODS else "manage")

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            pk = parse_id(self.kwargs["pk"])
            if self.request.method not in SAFE_METHODS and pk and self._scoped("view").filter(pk=pk).exists():
                raise exceptions.PermissionDenied() from None
            raise

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        site, user, role = data["content_object"], data["user"], Role(data["role"])
        created = services.role_grant(actor=request.user, user=user, site=site, role=role)
        grant = self._scoped("view").get(content_object=site, user=user, permission__codename=role.codename)
        return Response(
            self.get_serializer(grant).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def perform_destroy(self, instance):
        role = SiteGrantSerializer().fields["role"].get_attribute(instance)
        services.role_revoke(actor=self.request.user, user=instance.user, site=instance.content_object, role=role)


router = SimpleRouter()
router.register("sites", SiteViewSet, basename="site")
router.register("platforms", ServicePlatformViewSet, basename="platform")
router.register("grants", SiteGrantViewSet, basename="grant")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
