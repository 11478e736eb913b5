"""Core pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """The start page is the tree browser, opened at the user's own sites."""
    return redirect("centers:tree")
