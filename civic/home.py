"""The home page's panels: each app adds what a person should see first when they log in.

An app names, in its AppConfig, the functions that make its panels::

    home_panels = ["volunteers.selectors.home_volunteer_panel", "volunteers.selectors.home_approvals_panel"]

Each takes the request and returns a ``Panel`` — a title, a template and its context, and
an order — or ``None`` when it has nothing for this person. It runs a fixed number of
queries, and none at all when the person is not its audience (``civic.nav.audiences``
answers from the session). The home page shows the panels it gets, lowest ``order`` first;
a person no app has anything for gets civic's own page of what they can do.

Orders by convention: 10–19 the person's own record (profile, points), 20–39 what needs
action (approvals, orders waiting), 40–59 the person's sites and this month's work, 60–79
what is open near them, 80–99 what they could do next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

from .nav import audiences


@dataclass(frozen=True)
class Panel:
    """One box of the home page: ``template`` is rendered with ``context`` (and ``panel``)."""

    key: str
    title: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    order: int = 50


PanelMaker = Callable[[Any], Panel | None]
_makers: list[PanelMaker] = []


def collect_panels() -> None:
    """Read every installed app's declared panels (called once, at start-up)."""
    _makers[:] = [
        import_string(path) for config in apps.get_app_configs() for path in getattr(config, "home_panels", ())
    ]


def panels_for(request) -> list[Panel]:
    """The panels the request's user sees, in order."""
    made = [panel for maker in _makers if (panel := maker(request)) is not None]
    return sorted(made, key=lambda panel: panel.order)


def is_in(request, *names: str) -> bool:
    """Whether the request's user belongs to any of these audiences (no query)."""
    return bool(audiences(request) & set(names))
