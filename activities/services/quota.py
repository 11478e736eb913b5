"""The warning on the 20th: sites still short of their monthly quota."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Kind, Site
from civic import nested, sms

from ..models import QuotaShortfall
from ..selectors.figures import with_quota_progress
from .lifecycle import county_language

CHUNK = 2000


def quota_warnings_run(*, today: date | None = None) -> list[QuotaShortfall]:
    """Find every active practice site and base whose activities held and scheduled this month
    fall short of its quota; record each once (``QuotaShortfall``: its managers' and the
    county's home pages list them) and text its liaison (日常联络员, the site's public phone)
    once. Running it again the same month finds the same sites and sends nothing more.
    Returns the shortfalls found by this run (new or not)."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    found: list[QuotaShortfall] = []
    roots = Site.objects.filter(parent__isnull=True).order_by(*nested.tree_order())
    for root in roots:
        sites = with_quota_progress(
            Site.objects.filter(nested.under(root), is_active=True, kind__in=[Kind.PRACTICE, Kind.BASE]), month
        ).order_by(*nested.tree_order())
        short = [s for s in sites.iterator(chunk_size=CHUNK) if s.quota and s.held + s.scheduled < s.quota]
        for site in short:
            with transaction.atomic():
                row, _created = QuotaShortfall.objects.get_or_create(
                    site=site,
                    month=month,
                    defaults={"quota": site.quota, "held": site.held, "scheduled": site.scheduled},
                )
                if not _created:
                    QuotaShortfall.objects.filter(pk=row.pk).update(held=site.held, scheduled=site.scheduled)
                claimed = QuotaShortfall.objects.filter(pk=row.pk, notified_at__isnull=True).update(
                    notified_at=timezone.now()
                )
                if claimed and site.liaison_phone:
                    with county_language():
                        text = _(
                            "%(site)s has %(count)s of its %(quota)s activities this month; please plan the rest "
                            "before the month ends."
                        ) % {"site": site.display_name, "count": site.held + site.scheduled, "quota": site.quota}
                    sms.send_later(site.liaison_phone, text)
            found.append(row)
    return found
