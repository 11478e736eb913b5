"""The station head's home and the volunteer's: each shows the panel its selector returns
(``activities.selectors.home_panel`` / ``home_volunteer_panel``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .. import selectors


@login_required
def home(request):
    """This month's activities, quota progress, what needs action and the sites short of
    quota; a volunteer without a role goes to the activities open near them."""
    panel = selectors.home_panel(request)
    if panel is None:
        return redirect("activities:open")
    return render(request, "activities/home.html", {"panel": panel, **panel.context})
