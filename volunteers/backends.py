"""Log in with a mobile number where it is unique among volunteers, otherwise with the ID number
(usernames are opaque handles: ``volunteers.privacy.new_login_handle``)."""

from django.contrib.auth.backends import ModelBackend

from .identity import normalize_id, normalize_phone
from .models import Volunteer


class PhoneOrIdBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        phone = normalize_phone(username)
        if len(phone) == 11 and phone.isdigit():
            users = list(
                Volunteer.objects.filter(phone=phone, user__isnull=False, anonymised_at__isnull=True).values_list(
                    "user_id", flat=True
                )[:2]
            )
            if len(users) != 1:
                return None  # shared phones log in with the ID number
            user = self._user(users[0])
        else:
            user = self._user_by_id_number(normalize_id(username))
        if user is not None and user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def _user(self, pk):
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.filter(pk=pk).first()

    def _user_by_id_number(self, number):
        """The login of the volunteer with this ID number (usernames are opaque handles)."""
        user_id = (
            Volunteer.objects.filter(id_number=number, user__isnull=False, anonymised_at__isnull=True)
            .values_list("user_id", flat=True)
            .first()
        )
        return self._user(user_id) if user_id is not None else None
