"""Pages of volunteers and teams (namespace ``volunteers``)."""

from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("", views.VolunteerListView.as_view(), name="list"),
    path("export/", views.VolunteerExportView.as_view(), name="export"),
    path("new/", views.VolunteerCreateView.as_view(), name="create"),
    path("queue/", views.ApprovalQueueView.as_view(), name="queue"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("register/places/", views.places, name="places"),
    path("register/code/", views.register_code, name="register-code"),
    path("claim/", views.ClaimView.as_view(), name="claim"),
    path("me/", views.MyProfileView.as_view(), name="me"),
    path("me/join/", views.MyTeamJoinView.as_view(), name="me-join"),
    path("me/leave/", views.MyTeamLeaveView.as_view(), name="me-leave"),
    path("me/withdraw/", views.MyWithdrawalView.as_view(), name="me-withdraw"),
    path("me/password/", views.MyPasswordView.as_view(), name="me-password"),
    path("import/", views.RosterImportView.as_view(), name="import"),
    path("import/template/", views.ImportTemplateView.as_view(), name="import-template"),
    path("import/<int:pk>/", views.ImportStatusView.as_view(), name="import-status"),
    path("teams/", views.TeamListView.as_view(), name="teams"),
    path("teams/new/", views.TeamCreateView.as_view(), name="team-create"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team-detail"),
    path("teams/<int:pk>/edit/", views.TeamEditView.as_view(), name="team-edit"),
    path("teams/<int:pk>/leader/", views.TeamLeaderView.as_view(), name="team-leader"),
    path("memberships/<int:pk>/decide/", views.MembershipDecideView.as_view(), name="membership-decide"),
    path("<int:pk>/", views.VolunteerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.VolunteerEditView.as_view(), name="edit"),
    path("<int:pk>/status/<str:to>/", views.VolunteerStatusView.as_view(), name="status"),
    path("<int:pk>/anonymise/", views.VolunteerAnonymiseView.as_view(), name="anonymise"),
    path("<int:pk>/password/", views.VolunteerPasswordView.as_view(), name="password"),
    path("<int:pk>/decide/", views.VolunteerDecideView.as_view(), name="decide"),
    path("<int:pk>/claim/", views.VolunteerClaimView.as_view(), name="claim-confirm"),
]
