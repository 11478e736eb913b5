"""The demo: ``manage.py seed_demo`` runs the ``DEMO_STEPS`` of every installed app that has
a ``demo`` module, in INSTALLED_APPS order, with one shared ``DemoContext`` (centers makes
the invented county and one user per role, volunteers its people and teams, points a year
of points...). Every step is idempotent: running the command twice changes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps

DEMO_PASSWORD = "civic-demo-2026"


@dataclass
class DemoContext:
    """What the steps share: the output, the admin, the demo county (a site) and its
    townships, the logins to print, and anything else a later step needs (``data``)."""

    stdout: Any
    admin: Any = None
    county: Any = None
    townships: list[Any] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def say(self, message: str) -> None:
        self.stdout.write(message)


DemoStep = Callable[[DemoContext], None]


def demo_steps() -> list[DemoStep]:
    """The ``DEMO_STEPS`` of every installed app with a ``demo`` module, in INSTALLED_APPS order."""
    steps: list[DemoStep] = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.demo") is not None:
            steps.extend(getattr(import_module(f"{config.name}.demo"), "DEMO_STEPS", []))
    return steps


def display_width(text: str) -> int:
    """How many columns ``text`` takes in a terminal: Chinese characters (wide and
    full-width) take two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` columns (as a terminal shows it)."""
    return text + " " * max(width - display_width(text), 0)


def table(rows: Iterable[tuple[str, ...]], indent: str = "  ") -> list[str]:
    """Rows as lines of aligned columns (the last column is not padded)."""
    rows = list(rows)
    if not rows:
        return []
    widths = [max(display_width(row[n]) for row in rows) for n in range(len(rows[0]) - 1)]
    return [
        indent + " ".join([*(pad(cell, width) for cell, width in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    ]
