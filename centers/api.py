"""The centers API: sites (the tree), service platforms and role grants.

Reads go through ``restrict``; every write calls ``centers.services`` inside
``civic.api.ScopedViewSet``'s checked transaction.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from civic import nested
from civic.api import ScopedViewSet, scoped_object
from civic.scope import Role
from civic.views import SAFE_METHODS

from . import services
from .filters import SiteFilter, SiteGrantFilter
from .models import ServicePlatform, Site, SiteGrant
from .selectors import with_child_counts
from .serializers import ServicePlatformSerializer, SiteGrantSerializer, SiteSerializer


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
    ordering = list(nested.tree_order())

    def get_queryset(self):
        return with_child_counts(super().get_queryset())

    def _reloaded(self, site: Site) -> Site:
        return with_child_counts(Site.objects.all()).get(pk=site.pk)

    def create_object(self, serializer):
        fields = dict(serializer.validated_data)
        parent = fields.pop("parent", None)
        site = services.site_create(actor=self.request.user, parent=parent, **fields)
        return self._reloaded(site)

    def update_object(self, serializer):
        site = serializer.instance
        fields = dict(serializer.validated_data)
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
    ordering = [*nested.tree_order("content_object"), "id"]

    def _scoped(self, action: str):
        return SiteGrant.objects.select_related("content_object", "user", "permission").restrict(
            self.request.user, action
        )

    def _action(self) -> str:
        return "view" if self.request.method in SAFE_METHODS else "manage"

    def get_queryset(self):
        return self._scoped(self._action())

    def get_object(self):
        return scoped_object(self, self._action())

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
    *router.urls,
]
