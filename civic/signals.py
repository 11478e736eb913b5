"""Mark staff sessions at login, for the idle timeout."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import STAFF_KEY
from .scope import grant_model


@receiver(user_logged_in)
def mark_staff_session(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[STAFF_KEY] = bool(
        user.is_staff or user.is_superuser or grant_model().objects.filter(user=user).exists()
    )
