"""At login: mark staff sessions (for the idle timeout) and remember which audiences the
person belongs to (``civic.nav``), so that no page asks again."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import STAFF_KEY
from .nav import STAFF, remember_audiences


@receiver(user_logged_in)
def mark_staff_session(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    names = remember_audiences(request, user)
    request.session[STAFF_KEY] = bool(user.is_staff or user.is_superuser or STAFF in names)
