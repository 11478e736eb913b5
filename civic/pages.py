"""Core pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect


@login_required
def home(request):
    """The start page is the tree browser, opened at the user's own sites."""
    return redirect("centers:tree")


def bench_bare(request):
    """The barest view (benchmarks only, with CIVIC_BENCH_URLS)."""
    return HttpResponse(b"ok", content_type="text/plain")
