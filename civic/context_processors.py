"""Values every page needs: brand, ICP number, the navigation."""

from django.conf import settings

from .middleware import STAFF_KEY
from .nav import nav_for


def civic(request) -> dict:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    staff = authenticated and user is not None and (user.is_superuser or bool(request.session.get(STAFF_KEY)))
    return {
        "CIVIC_BRAND": settings.CIVIC_BRAND,
        "CIVIC_ICP_NUMBER": settings.CIVIC_ICP_NUMBER,
        "civic_nav": nav_for(request, staff) if authenticated else [],
    }
