"""Values every page needs: the county's name and emblem, the ICP number, the navigation."""

from django.conf import settings

from . import branding, nav


def civic(request) -> dict:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return {
        "CIVIC_BRAND": settings.CIVIC_BRAND,
        "CIVIC_COUNTY_NAME": branding.county_name(),
        "CIVIC_ICP_NUMBER": settings.CIVIC_ICP_NUMBER,
        "civic_nav": nav.nav_for(request) if authenticated else [],
    }
