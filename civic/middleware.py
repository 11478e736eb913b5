"""Idle-session timeout for staff (等保): a staff session idle too long is logged out.
Who counts as staff is decided once, at login (civic.signals), and kept in the session,
so this costs no query per request.

Security headers: Content-Security-Policy and Permissions-Policy on every page (below)."""

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


# Content-Security-Policy and Permissions-Policy ------------------------------------------
#
# Every HTML page gets settings.CIVIC_CONTENT_SECURITY_POLICY (no inline scripts or styles:
# behaviours live in static/js/, styles in static/css/) and a Permissions-Policy that denies
# the powerful features of PERMISSION_FEATURES. A view opts in to what it needs:
#
#     @permissions_policy(camera=True, geolocation=True)   # e.g. QR sign-in
#     def sign_in(request): ...
#
# (on a class-based view, decorate the class). Pages we do not write ourselves (the Django
# admin, DRF's browsable API, the Swagger UI) carry inline styles, so they get
# ``style-src 'self' 'unsafe-inline'``; a view may change other directives with
# ``@content_security_policy(**directives)``.

PERMISSION_FEATURES = ("camera", "geolocation", "microphone")
THIRD_PARTY_PAGES = {"style-src": "'self' 'unsafe-inline'"}


def permissions_policy(**allowed: bool):
    """Let the decorated view's pages use the named features (``camera=True``) on this origin."""
    unknown = set(allowed) - set(PERMISSION_FEATURES)
    if unknown:
        raise TypeError(f"unknown Permissions-Policy features: {sorted(unknown)}")
    features = frozenset(name for name, on in allowed.items() if on)

    def decorate(view):
        view.permissions_policy = features
        return view

    return decorate


def content_security_policy(**directives: str):
    """Replace some directives of the decorated view's policy: ``style_src="'self' 'unsafe-inline'"``."""
    changes = {name.replace("_", "-"): value for name, value in directives.items()}

    def decorate(view):
        view.content_security_policy = changes
        return view

    return decorate


def _declared(view_func, name: str):
    value = getattr(view_func, name, None)
    if value is None:
        value = getattr(getattr(view_func, "view_class", None), name, None)
    return value


def _third_party(request, view_func) -> bool:
    from rest_framework.views import APIView

    view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    if isinstance(view_class, type) and issubclass(view_class, APIView):
        return True  # DRF's browsable API
    match = getattr(request, "resolver_match", None)
    return match is not None and "admin" in match.namespaces


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to HTML responses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if "Content-Security-Policy" not in response:
            directives = dict(settings.CIVIC_CONTENT_SECURITY_POLICY)
            directives.update(getattr(request, "_civic_csp", None) or {})
            response["Content-Security-Policy"] = "; ".join(f"{k} {v}".strip() for k, v in directives.items())
        if "Permissions-Policy" not in response:
            allowed = getattr(request, "_civic_permissions", None) or frozenset()
            response["Permissions-Policy"] = ", ".join(
                f"{feature}=(self)" if feature in allowed else f"{feature}=()" for feature in PERMISSION_FEATURES
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        changes = dict(THIRD_PARTY_PAGES) if _third_party(request, view_func) else {}
        changes.update(_declared(view_func, "content_security_policy") or {})
        request._civic_csp = changes
        request._civic_permissions = _declared(view_func, "permissions_policy")
