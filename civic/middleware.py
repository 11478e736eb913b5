"""Idle-session timeout for staff (等保): a staff session idle too long is logged out.

Who counts as staff is decided once, at login (civic.signals), and kept in the session,
so this costs no query per request."""

import time

from django.conf import settings
from django.contrib.auth import logout

_KEY = "civic_last_seen"
STAFF_KEY = "civic_staff"
_WRITE_EVERY = 60  # seconds: the session is saved at most once a minute for this


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.get(STAFF_KEY):
            now = int(time.time())
            last = request.session.get(_KEY)
            limit = settings.CIVIC_STAFF_IDLE_MINUTES * 60
            if last is not None and now - last > limit:
                logout(request)
            elif last is None or now - last > _WRITE_EVERY:
                request.session[_KEY] = now
        return self.get_response(request)
