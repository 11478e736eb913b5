"""Pages of volunteers and teams (namespace ``volunteers``)."""

from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("export/", views.volunteer_export, name="export"),
    path("new/", views.volunteer_create, name="create"),
    path("queue/", views.approval_queue, name="queue"),
    path("register/", views.register, name="register"),
    path("register/places/", views.places, name="places"),
    path("register/code/", views.register_code, name="register-code"),
    path("claim/", views.claim, name="claim"),
    path("me/", views.me, name="me"),
    path("me/join/", views.me_join, name="me-join"),
    path("me/leave/", views.me_leave, name="me-leave"),
    path("me/withdraw/", views.me_withdraw, name="me-withdraw"),
    path("import/", views.roster_import, name="import"),
    path("import/template/", views.import_template, name="import-template"),
    path("import/<int:pk>/", views.import_status, name="import-status"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team-edit"),
    path("teams/<int:pk>/leader/", views.team_leader, name="team-leader"),
    path("memberships/<int:pk>/decide/", views.membership_decide, name="membership-decide"),
    path("<int:pk>/", views.VolunteerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.VolunteerEditView.as_view(), name="edit"),
    path("<int:pk>/status/<str:to>/", views.VolunteerStatusView.as_view(), name="status"),
    path("<int:pk>/anonymise/", views.VolunteerAnonymiseView.as_view(), name="anonymise"),
    path("<int:pk>/password/", views.VolunteerPasswordView.as_view(), name="password"),
    path("<int:pk>/decide/", views.VolunteerDecideView.as_view(), name="decide"),
    path("<int:pk>/claim/", views.VolunteerClaimView.as_view(), name="claim-confirm"),
]
