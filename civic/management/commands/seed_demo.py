"""manage.py seed_demo: the invented demo county, one user per role, and each app's demo data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from civic.demo import DemoContext, demo_steps, table


class Command(BaseCommand):
    help = "Fill the database with the invented demo county and its users (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = DemoContext(stdout=self.stdout)
        with transaction.atomic():
            for step in demo_steps():
                step(ctx)
        self.stdout.write(_("Demo logins (unless their passwords were changed since):"))
        for line in table(ctx.logins):
            self.stdout.write(line)
