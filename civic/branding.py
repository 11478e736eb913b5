"""The county's name and emblem, in every page's header and as the favicon.

The name is the setting ``CIVIC_COUNTY_NAME`` (default: the brand, 新时代文明实践). The
emblem is an uploaded picture kept in ``Branding`` (one row, edited in the admin through
``emblem_set``) and served by ``civic.pages.emblem`` at one fixed address, with caching
headers; without an upload that address serves the default icon. Pages never ask the
database for it: the header always points at that address.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction

from . import audit
from .models import EMBLEM_TYPES, Branding

DEFAULT_EMBLEM = "img/favicon.svg"


def county_name() -> str:
    return str(settings.CIVIC_COUNTY_NAME or settings.CIVIC_BRAND)


def current() -> Branding | None:
    """The branding row, if one was ever saved (1 query)."""
    return Branding.objects.filter(pk=Branding.SINGLETON).first()


def content_type(name: str) -> str | None:
    """The content type an emblem is served with, from its file name (None: not served)."""
    return EMBLEM_TYPES.get(Path(name).suffix.lower())


def default_emblem() -> bytes:
    """The default icon (an SVG drawn for Civic), read from the static files."""
    path = finders.find(DEFAULT_EMBLEM)
    if not path:
        path = str(Path(settings.STATIC_ROOT) / DEFAULT_EMBLEM)
    return Path(path).read_bytes()


@transaction.atomic
def emblem_set(*, actor, image) -> Branding:
    """Set the county's emblem (``image`` an uploaded picture, or None to go back to the
    default icon). Superusers only; recorded in the audit trail."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if actor is None or not (actor.is_active and actor.is_superuser):
        raise PermissionDenied(_("Only an administrator can change the emblem."))
    branding = Branding.objects.select_for_update().filter(pk=Branding.SINGLETON).first()
    if branding is None:
        branding = Branding(pk=Branding.SINGLETON)
    old = branding.emblem.name if branding.emblem else ""
    branding.emblem = image or ""
    branding.full_clean()
    branding.save()
    audit.record(
        actor=actor, action="branding.emblem", obj=branding, changes={"emblem": (old, branding.emblem.name or "")}
    )
    return branding
