"""manage.py seed_demo: the invented demo county, one user per role, and each app's demo data."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from centers.demo import DemoContext


def demo_steps() -> list:
    """The DEMO_STEPS of every installed app with a ``demo`` module, in INSTALLED_APPS order."""
    steps = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.demo") is not None:
            steps.extend(getattr(import_module(f"{config.name}.demo"), "DEMO_STEPS", []))
    return steps


class Command(BaseCommand):
    help = "Fill the database with the invented demo county and its users (safe to run again)."

    def handle(self, *args, **options):
        ctx = DemoContext(stdout=self.stdout)
        with transaction.atomic():
            for step in demo_steps():
                step(ctx)
        self.stdout.write(_("Demo logins (unless their passwords were changed since):"))
        for label, username, password in ctx.logins:
            self.stdout.write(f"  {label:<15} {username:<15} {password}")
