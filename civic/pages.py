"""Core pages: each person's home, and the county's emblem."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from . import branding, nav
from . import home as home_panels

EMBLEM_MAX_AGE = 3600  # seconds a browser keeps the emblem before asking again (then a 304)


@login_required
def home(request):
    """Where a person lands: the panels the apps offer them (``civic.home``) — a volunteer
    their record and points, a station head what needs action and their station, county
    staff the county. Their audiences are read again here (one query), so that a role given
    since they logged in shows in the navigation from now on."""
    nav.refresh_audiences(request)
    panels = home_panels.panels_for(request)
    return render(request, "home.html", {"panels": panels})


@require_safe
def emblem(request) -> HttpResponseBase:
    """The county's emblem for the header and the favicon: public, cached by browsers and
    proxies, answered with 304 when unchanged; the default icon until one is uploaded
    (1 query)."""
    row = branding.current()
    upload = row.emblem if row is not None and row.emblem else None
    kind = branding.content_type(upload.name or "") if upload is not None else None
    etag, last_modified = '"emblem-default"', None
    if row is not None and upload is not None and kind is not None:
        last_modified = int(row.updated_at.timestamp())
        etag = f'"emblem-{last_modified}"'
    response: HttpResponseBase | None = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None and upload is not None and kind is not None:
        try:
            response = FileResponse(upload.open("rb"), content_type=kind)
        except FileNotFoundError:  # the row outlived its file: the default icon
            response, etag, last_modified = None, '"emblem-default"', None
    if response is None:
        response = HttpResponse(branding.default_emblem(), content_type="image/svg+xml")
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=EMBLEM_MAX_AGE)
    return response


def bench_bare(request):
    """The barest view (benchmarks only, with CIVIC_BENCH_URLS)."""
    return HttpResponse(b"ok", content_type="text/plain")
