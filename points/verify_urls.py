"""The public certificate check (no login), mounted at /verify/ (namespace ``verify``)."""

from django.urls import path

from . import views

app_name = "verify"

urlpatterns = [
    path("", views.verify, name="form"),
    path("<str:code>/", views.verify_code, name="code"),
]
