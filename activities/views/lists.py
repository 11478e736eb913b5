"""The activity list and calendar: filters (subtree, platform, kind, state, month), search and
pages, all through ``activities.selectors``."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from centers.models import Site
from civic.ids import query_id, query_int
from civic.views import paginate

from .. import selectors
from ..forms import ActivityFilterForm
from ..selectors.home import is_staff
from .common import PER_PAGE, platforms_for_user, sites_for


def _filters(request) -> tuple[ActivityFilterForm, dict]:
    """The filter form and the arguments of ``activity_list`` it reads (anything unreadable
    is left out and said on the form)."""
    user = request.user
    form = ActivityFilterForm(
        request.GET or None, sites=list(sites_for(user, "view")), platforms=platforms_for_user(user)
    )
    arguments: dict = {}
    if not request.GET:
        return form, arguments
    form.is_valid()
    data = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
    if "site" in data:
        arguments["site"] = Site.objects.filter(pk=data["site"]).first()
    for name in ("platform", "kind", "state", "month"):
        if name in data:
            arguments[name if name != "platform" else "platform_id"] = data[name]
    arguments["q"] = data.get("q", "")
    return form, arguments


@login_required
def activity_list(request):
    """Activities the user can see, newest first, 30 a page."""
    form, arguments = _filters(request)
    page = paginate(request, selectors.activity_list(request.user, **arguments), PER_PAGE)
    return render(
        request,
        "activities/list.html",
        {"form": form, "page": page, "filtered": bool(request.GET), "staff": is_staff(request)},
    )


@login_required
def activity_calendar(request):
    """A month's activities by day (a list of days on a phone), with the previous and next month."""
    today = timezone.localdate()
    year = query_int(request, "year", default=today.year, lo=2000, hi=2100)
    month = query_int(request, "month", default=today.month, lo=1, hi=12)
    site_id = query_id(request, "site")
    site = Site.objects.restrict(request.user, "view").filter(pk=site_id).first() if site_id else None
    days = selectors.activity_calendar(request.user, year=year, month=month, site=site)
    first = date(year, month, 1)
    previous = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return render(
        request,
        "activities/calendar.html",
        {
            "first": first,
            "previous": previous,
            "following": following,
            "site": site,
            "days": sorted(days.items()),
            "weeks": [[(day, len(days.get(day, [])), day.month == month) for day in week] for week in weeks],
            "today": today,
            "staff": is_staff(request),
        },
    )
