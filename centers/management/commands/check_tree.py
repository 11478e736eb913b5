"""manage.py check_tree: verify the nested sets of the site tree against the parent links."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centers.tree import check_tree


class Command(BaseCommand):
    help = "Check the site tree's nested sets; prints the problems or “ok”, and fails on problems."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tree", type=int, action="append", dest="trees", help="limit to this tree_id (repeatable)"
        )

    def handle(self, *args, **options):
        problems = check_tree(options["trees"])
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(_("The site tree has %(n)s problem(s).") % {"n": len(problems)})
        self.stdout.write("ok")
