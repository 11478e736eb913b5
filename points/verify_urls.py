"""The public certificate check (no login), mounted at /verify/ (namespace ``verify``)."""

from django.urls import path

from .views import verify

app_name = "verify"

urlpatterns = [
    path("", verify.verify, name="form"),
    path("<str:code>/", verify.verify_code, name="code"),
]
