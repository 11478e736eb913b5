"""Log in with a mobile number or an ID number (``volunteers.logins`` says how they are spelt
and which logins they open; usernames are opaque handles, ``volunteers.privacy``). A phone
shared by a family opens the login whose password matches; only active logins open."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .logins import identifier_kind, login_accounts, login_identifier


class PhoneOrIdBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        identifier = login_identifier(username)
        if identifier_kind(identifier) == "username":
            return None  # ModelBackend's
        accounts = login_accounts(identifier)
        if not accounts:
            get_user_model()().set_password(password)  # as much work as a known phone
            return None
        for user in accounts:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
