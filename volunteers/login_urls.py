"""The login and logout pages, mounted at /accounts/ (names ``login``, ``logout``) and, for
the browsable API, at /api/auth/ (namespace ``rest_framework``)."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from .logins import CivicLoginView

urlpatterns = [
    path("login/", CivicLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
