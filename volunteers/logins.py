"""Logging in, one way for every door (the page, the API token, the API's browsable login).

- ``login_identifier`` turns what someone typed into the one spelling of it (a phone
  without spaces, dashes or +86/0086, an ID number with a capital X, else a username);
  the form cleans it before authentication and the lockout keys its counter on it, so
  every spelling of a phone shares one counter.
- ``login_accounts`` are the logins an identifier may open: the volunteers sharing a
  phone (a family of up to three), the volunteer with an ID number, or an account by
  username. ``PhoneOrIdBackend`` picks the active one whose password matches.
- ``lockout_key`` (AXES_USERNAME_CALLABLE) counts failures per identifier without keeping
  phones or ID numbers in the lockout tables: they are stored as a keyed digest.
- ``LoginForm`` is used by every door; a claim the station has not yet confirmed says so,
  but only to someone who gave its password.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.settings import api_settings

from civic.schema import ErrorSerializer
from civic.throttle import throttled

from .identity import normalize_id, normalize_phone
from .throttles import LoginThrottle

MAX_LENGTH = 150  # the longest username; anything longer is refused before authentication
MAX_ACCOUNTS = 3  # volunteers sharing one phone (volunteers.services.MAX_PER_PHONE)
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ID = re.compile(r"^\d{17}[\dX]$")
_SEPARATORS = re.compile(r"[\s\-]")


def login_identifier(raw) -> str:
    """The one spelling of a login: ``+86 138-1234-5678`` → ``13812345678``,
    ``61010119900101123x`` → ``61010119900101123X``; a username stays as typed (trimmed)."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    compact = _SEPARATORS.sub("", text)
    phone = normalize_phone(compact)
    if _PHONE.match(phone):
        return phone
    number = normalize_id(compact)
    if _ID.match(number):
        return number
    return text


def identifier_kind(identifier: str) -> str:
    """``phone``, ``id`` or ``username`` for an identifier from ``login_identifier``."""
    if _PHONE.match(identifier):
        return "phone"
    if _ID.match(identifier):
        return "id"
    return "username"


def login_accounts(identifier: str) -> list:
    """The logins (active or not) ``identifier`` may open, oldest first, in one query."""
    User = get_user_model()
    kind = identifier_kind(identifier)
    if kind == "phone":
        users = User._default_manager.filter(volunteer__phone=identifier, volunteer__anonymised_at__isnull=True)
    elif kind == "id":
        users = User._default_manager.filter(volunteer__id_number=identifier, volunteer__anonymised_at__isnull=True)
    else:
        users = User._default_manager.filter(username=identifier)
    return list(users.select_related("volunteer").order_by("pk")[:MAX_ACCOUNTS])


def claim_waiting(identifier: str, password: str) -> bool:
    """Whether ``password`` opens a login whose claim the station has not confirmed yet."""
    for user in login_accounts(identifier):
        volunteer = getattr(user, "volunteer", None)
        if not user.is_active and volunteer is not None and volunteer.claim_requested_at is not None:
            if user.check_password(password):
                return True
    return False


# The lockout (django-axes) ------------------------------------------------------------------


def lockout_key(request, credentials: Mapping | None = None) -> str:
    """The lockout counter's name for this attempt (AXES_USERNAME_CALLABLE): the one
    spelling of the identifier posted (or, without one, of the credentials); a phone or ID
    number only as a keyed digest. A successful login resets the counter of what was typed."""
    raw = getattr(request, "POST", {}).get("username") if request is not None else None
    if raw is None and credentials:
        raw = credentials.get("username")
    identifier = login_identifier(raw)
    kind = identifier_kind(identifier)
    if kind == "username" and len(identifier) <= MAX_LENGTH:
        return identifier
    digest = salted_hmac("civic.lockout", identifier, algorithm="sha256").hexdigest()[:32]
    return f"{'long' if kind == 'username' else kind}:{digest}"


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    """What a locked-out login reads, on the page and in the API."""
    minutes = lockout_minutes()
    return ngettext(
        "For your account's safety, logging in is paused after several wrong passwords. "
        "Please try again in %(minutes)s minute.",
        "For your account's safety, logging in is paused after several wrong passwords. "
        "Please try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_page(request):
    return render(request, "registration/locked_out.html", {"lockout_message": lockout_message()}, status=429)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a door that already answered the lockout (429) keeps its
    answer (the API's JSON); any other gets the lockout page."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    return lockout_page(request)


# The form and the doors ---------------------------------------------------------------------


class LoginForm(AuthenticationForm):
    """Phone, ID number or username, and password; for the page and the API alike."""

    username = forms.CharField(
        label=_("Phone or ID number"),
        max_length=MAX_LENGTH,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The phone, ID number or user name and the password do not match."),
        "claim_waiting": _("Your login claim is waiting for your station's confirmation."),
    }

    def clean_username(self) -> str:
        return login_identifier(self.cleaned_data["username"])

    @sensitive_variables()
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                if self.locked_out:
                    raise ValidationError(lockout_message(), code="locked_out")
                if claim_waiting(username, password):
                    raise ValidationError(self.error_messages["claim_waiting"], code="claim_waiting")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    @property
    def locked_out(self) -> bool:
        return bool(getattr(self.request, "axes_locked_out", False))


@method_decorator(throttled(LoginThrottle), name="dispatch")
class CivicLoginView(LoginView):
    """The login page (``login``; also the API's browsable login)."""

    authentication_form = LoginForm

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "locked_out"):
            return lockout_page(self.request)
        return super().form_invalid(form)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Phone or ID number"), max_length=MAX_LENGTH)
    password = serializers.CharField(label=_("Password"), style={"input_type": "password"}, trim_whitespace=False)


class TokenView(generics.GenericAPIView):
    """An API token for a phone, ID number or username and its password, by the same rules
    as the login page: one lockout counter per person, 429 when locked out."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]
    serializer_class = TokenRequestSerializer
    filter_backends = []

    @extend_schema(
        summary="Get an API token (phone, ID number or user name, and password)",
        tags=["auth"],
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(ErrorSerializer, description="The login and password do not match, or bad input."),
            429: OpenApiResponse(ErrorSerializer, description="Locked out after failed logins, or too many requests."),
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = LoginForm(request._request, data=serializer.validated_data)
        if form.is_valid():
            token, _created = Token.objects.get_or_create(user=form.get_user())
            return Response({"token": token.key})
        if form.locked_out:
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        errors = {api_settings.NON_FIELD_ERRORS_KEY if k == NON_FIELD_ERRORS else k: v for k, v in form.errors.items()}
        return Response(errors, status=status.HTTP_400_BAD_REQUEST)
