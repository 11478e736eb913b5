"""Addresses that leave the page — the sign-in code's QR, the poster's sign-up QR — are built
in one place, so that switching them to the configured public address is one change."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def public_link(request, path: str) -> str:
    """The absolute address of ``path`` (``/activities/s/?t=...``) as people outside reach it."""
    return request.build_absolute_uri(path)


def scan_link(request, token: str) -> str:
    """The address a sign-in code's QR opens: the scan page with the code."""
    return public_link(request, f"{reverse('activities:scan')}?{urlencode({'t': token})}")


def signup_link(request, activity) -> str:
    """The address a poster's QR opens: the activity's page, where a volunteer signs up."""
    return public_link(request, reverse("activities:detail", args=[activity.pk]))
