"""Pages of the site tree (namespace ``centers``)."""

from django.urls import path

from . import views

app_name = "centers"

urlpatterns = [
    path("", views.TreeView.as_view(), name="tree"),
    path("new/", views.SiteCreateView.as_view(), name="site-create"),
    path("platforms/", views.PlatformsView.as_view(), name="platforms"),
    path("checks/<int:pk>/evidence/", views.EvidenceView.as_view(), name="evidence"),
    path("<int:pk>/", views.SiteDetailView.as_view(), name="site-detail"),
    path("<int:pk>/children/", views.ChildrenView.as_view(), name="children"),
    path("<int:pk>/edit/", views.SiteEditView.as_view(), name="site-edit"),
    path("<int:pk>/move/", views.SiteMoveView.as_view(), name="site-move"),
    path("<int:pk>/delete/", views.SiteDeleteView.as_view(), name="site-delete"),
    path("<int:pk>/roles/", views.SiteRolesView.as_view(), name="site-roles"),
    path("<int:pk>/roles/revoke/", views.SiteRoleRevokeView.as_view(), name="site-role-revoke"),
    path("<int:pk>/standards/", views.SiteStandardsView.as_view(), name="site-standards"),
    path("<int:pk>/standards/checklist/", views.SiteChecklistView.as_view(), name="site-checklist"),
]
