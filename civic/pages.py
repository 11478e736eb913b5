"""Core pages: each person's home."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from . import home as home_panels
from . import nav


@login_required
def home(request):
    """Where a person lands: the panels the apps offer them (``civic.home``) — a volunteer
    their record and points, a station head what needs action and their station, county
    staff the county. Their audiences are read again here (one query), so that a role given
    since they logged in shows in the navigation from now on."""
    nav.refresh_audiences(request)
    panels = home_panels.panels_for(request)
    return render(request, "home.html", {"panels": panels})


def bench_bare(request):
    """The barest view (benchmarks only, with CIVIC_BENCH_URLS)."""
    return HttpResponse(b"ok", content_type="text/plain")
