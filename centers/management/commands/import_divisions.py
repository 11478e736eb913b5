"""manage.py import_divisions FILE [--under SITE_CODE]: import official divisions into the site tree."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centers.importer import DivisionFileError, import_division_file


class Command(BaseCommand):
    help = "Import a division file (code,name,level,parent_code; .csv or .csv.gz) into the site tree."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8, optionally gzip-compressed")
        parser.add_argument(
            "--under", metavar="SITE_CODE", help="official code of the site to put the file's root under"
        )

    def handle(self, *args, **options):
        try:
            result = import_division_file(options["file"], under=options["under"])
        except DivisionFileError as exc:
            raise CommandError("\n".join([_("The file was not imported:"), *exc.problems])) from exc
        levels = ", ".join(f"{level} {n}" for level, n in result.created_by_level.items())
        self.stdout.write(
            _(
                "created %(created)s (%(levels)s), updated %(updated)s, unchanged %(unchanged)s, "
                "renumbered %(renumbered)s; trees %(trees)s; %(seconds).1f s"
            )
            % {
                "created": result.created,
                "levels": levels or "-",
                "updated": result.updated,
                "unchanged": result.unchanged,
                "renumbered": result.renumbered,
                "trees": ", ".join(map(str, result.trees)) or "-",
                "seconds": result.seconds,
            }
        )
