"""What a person sees first of activities: the station head's panel (this month's activities,
quota progress, what needs action, the sites short of quota) and the volunteer's (open near
them, their sign-ups). Each is a ``HomePanel`` — a title, a template and its context — so a
home page of panels can show it as one box; ``activities:home`` shows it as a page of its own."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import Kind as SiteKind
from centers.models import Site
from centers.selectors import top_sites_for
from civic import nested
from civic.home import Panel, is_in
from civic.nav import STAFF, VOLUNTEER

from ..models import State
from .figures import QuotaProgress, shortfalls_for, with_quota_progress
from .lists import activity_list, my_signups, needs_action, open_near

MONTH_LIMIT = 20  # this month's activities on the panel (the list has the rest)
SITES_LIMIT = 30  # sites whose quota the panel shows
SHORT_LIMIT = 20


HomePanel = Panel  # the home page's panel (``civic.home``); activities:home shows it alone


def is_staff(request) -> bool:
    """Whether the request's user holds a role on some site (``civic.nav`` audiences, read
    from the session: no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or is_in(request, STAFF))


def quota_sites(user, month: date) -> list[Site]:
    """The user's own sites and the practice sites and bases right under them, each with
    ``quota``, ``held`` and ``scheduled`` for ``month`` and ``progress`` (3 queries: the
    user's grants, their sites, the sites under them)."""
    tops = list(with_quota_progress(top_sites_for(user), month)[:SITES_LIMIT])
    below: list[Site] = []
    if tops and len(tops) < SITES_LIMIT:
        below = list(
            with_quota_progress(
                Site.objects.filter(
                    parent__in=[s.pk for s in tops], is_active=True, kind__in=[SiteKind.PRACTICE, SiteKind.BASE]
                ),
                month,
            ).order_by(*nested.tree_order())[: SITES_LIMIT - len(tops)]
        )
    sites = tops + below
    for site in sites:
        site.progress = QuotaProgress(site.pk, site.quota, site.held, site.scheduled)
        site.is_top = site in tops
    return sites


def home_panel(request, *, today: date | None = None) -> HomePanel | None:
    """The station head's panel (a manager or viewer of some site; None for anyone else):
    this month's activities in reach (the first 20), this month's quota progress of the user's
    sites and those right under them, what waits for their action (approve, confirm attendance,
    finish with a summary) and the sites found short of quota this month (13 queries, whatever
    the data size)."""
    if not is_staff(request):
        return None
    user = request.user
    today = today or timezone.localdate()
    month = today.replace(day=1)
    activities = list(
        activity_list(user, month=month).exclude(state=State.CANCELLED).order_by("starts_at", "pk")[: MONTH_LIMIT + 1]
    )
    sites = quota_sites(user, month)
    return HomePanel(
        key="activities",
        title=_("Activities this month"),
        template="activities/_home_panel.html",
        context={
            "month": month,
            "activities": activities[:MONTH_LIMIT],
            "more_activities": len(activities) > MONTH_LIMIT,
            "sites": sites,
            "actions": needs_action(user),
            "shortfalls": list(shortfalls_for(user, month=month)[:SHORT_LIMIT]),
        },
        order=25,
    )


def home_volunteer_panel(request, volunteer=None) -> HomePanel | None:
    """A volunteer's panel: the activities open near them and their sign-ups (2 queries, and
    1 to find their volunteer record unless given); None for someone with no record."""
    from ..services.common import volunteer_of

    if volunteer is None and not is_in(request, VOLUNTEER):
        return None
    volunteer = volunteer or volunteer_of(request.user)
    if volunteer is None:
        return None
    return HomePanel(
        key="activities_volunteer",
        title=_("Activities near me"),
        template="activities/_volunteer_panel.html",
        context={
            "volunteer": volunteer,
            "open": open_near(volunteer, limit=10),
            "signups": list(my_signups(volunteer)[:10]),
        },
        order=60,
    )
