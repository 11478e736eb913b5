"""Values every page needs: brand, ICP number, languages."""

from django.conf import settings


def civic(request) -> dict:
    return {
        "CIVIC_BRAND": settings.CIVIC_BRAND,
        "CIVIC_ICP_NUMBER": settings.CIVIC_ICP_NUMBER,
    }
