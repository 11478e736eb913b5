"""Benchmark: import a large invented roster and export a large volunteer list.

Works on the current database (PostgreSQL) under a scratch county it creates and, unless
``--keep``, removes again. Prints seconds, rows per second and query counts.
"""

from __future__ import annotations

import io
import random
import time
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from centers import services as site_services
from centers.models import Level, Site
from centers.selectors import platforms_for
from volunteers import roster, services
from volunteers.identity import check_digit
from volunteers.models import ImportMode, ImportStatus, RosterImport, SourceGroup, Volunteer

SCRATCH_COUNTY = "基准测试县(bench_roster)"
ADMIN, MANAGER, VIEWER = "bench_roster_admin", "bench_roster_manager", "bench_roster_viewer"
AREA = "999901"  # no real division has this area code, so the invented ID numbers clash with no one
CODE_PREFIX = "999901"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅德林春晓文斌鹏飞宇浩然雪"


class Command(BaseCommand):
    help = "Time a roster import (check and write) and an xlsx export on this database, under a scratch county."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=13_000, help="rows in the imported roster")
        parser.add_argument("--export", type=int, default=20_000, help="volunteers in the exported list")
        parser.add_argument("--townships", type=int, default=5)
        parser.add_argument("--villages", type=int, default=10, help="villages per township")
        parser.add_argument("--keep", action="store_true", help="keep the scratch county afterwards")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stderr.write(f"Note: this database is {connection.vendor}; the figures are meant for PostgreSQL.")
        rows, export = options["rows"], max(options["export"], options["rows"])
        self.cleanup(quiet=True)
        if Site.objects.filter(code__startswith=CODE_PREFIX).exists():
            raise CommandError(f"Sites with codes starting {CODE_PREFIX} exist outside the scratch county.")
        admin, manager, viewer = self.people()
        try:
            county, villages = self.build_county(admin, manager, viewer, options["townships"], options["villages"])
            self.stdout.write(
                f"scratch county {SCRATCH_COUNTY}: {options['townships']} townships, {len(villages)} villages"
            )
            people = self.invent(export)
            self.run_import(manager, county, villages, people[:rows], label="import")
            if export > rows:
                self.run_import(manager, county, villages, people[rows:], label="filler import", quiet=True)
            listed = Volunteer.objects.filter(home_site__tree_id=county.tree_id).order_by("-registered_at", "-id")
            for user, label in ((manager, "manager, unmasked"), (viewer, "viewer, masked")):
                self.run_export(listed, user, label)
            self.stdout.write(self.style.SUCCESS("goals: import ≤ 30 s for 13,000 rows; export ≤ 3 s, fixed queries"))
        finally:
            if not options["keep"]:
                self.cleanup()

    # Setup -----------------------------------------------------------------------

    def people(self):
        User = get_user_model()
        made = []
        for username, superuser in ((ADMIN, True), (MANAGER, False), (VIEWER, False)):
            user = User(username=username, is_superuser=superuser, is_staff=superuser)
            user.set_unusable_password()
            user.save()
            made.append(user)
        return made

    def build_county(self, admin, manager, viewer, townships: int, villages_each: int):
        with transaction.atomic():
            county = site_services.site_create(actor=admin, parent=None, name=SCRATCH_COUNTY, level=Level.COUNTY)
            site_services.role_grant(actor=admin, user=manager, site=county, role="manager")
            site_services.role_grant(actor=admin, user=viewer, site=county, role="viewer")
            villages = []
            for t in range(1, townships + 1):
                township = site_services.site_create(
                    actor=admin, parent=county, name=f"基准{t}镇", level=Level.TOWNSHIP, code=f"{CODE_PREFIX}{t:03d}"
                )
                for v in range(1, villages_each + 1):
                    villages.append(
                        site_services.site_create(
                            actor=admin,
                            parent=township,
                            name=f"基准{t}镇{v}村民委员会",
                            level=Level.VILLAGE,
                            code=f"{CODE_PREFIX}{t:03d}{v:03d}",
                            population=2000,
                        )
                    )
        county.refresh_from_db()
        return county, villages

    def invent(self, n: int) -> list[tuple]:
        """``n`` valid invented people (name, ID number, phone), every ID and phone distinct."""
        rng = random.Random(13)
        start = date(1950, 1, 1)
        people = []
        for i in range(n):
            born = start + timedelta(days=(i * 7) % 18_250)
            seq = (i * 7) // 18_250
            first17 = f"{AREA}{born:%Y%m%d}{seq:03d}"
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            people.append((name, first17 + check_digit(first17), f"199{i:08d}"))
        return people

    def workbook(self, villages, people) -> bytes:
        rng = random.Random(7)
        political = [names[0] for names in roster.POLITICAL_NAMES.values()]
        groups = list(SourceGroup.objects.values_list("name", flat=True)) or [""]
        platforms = list(platforms_for(None).values_list("name", flat=True))
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(roster.ROSTER_SHEET)
        ws.append([c.header for c in roster.COLUMNS])
        for i, (name, id_number, phone) in enumerate(people):
            village = villages[i % len(villages)]
            site = village.code if i % 2 else village.short_name  # by code and by name, half each
            skills = "、".join(rng.sample(platforms, k=min(len(platforms), rng.choice((0, 1, 2)))))
            ws.append(
                [name, id_number, phone, site, rng.choice(political), rng.choice(groups), skills, "摄影，驾驶"]
                + ["", rng.choice(SURNAMES) + "某", f"138{i:08d}", "", ""]
            )
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    # Runs ------------------------------------------------------------------------

    def run_import(self, manager, county, villages, people, *, label: str, quiet: bool = False):
        started = time.perf_counter()
        data = self.workbook(villages, people)
        made = time.perf_counter() - started
        upload = ContentFile(data, name=f"bench-{len(people)}.xlsx")
        job = services.roster_import_create(actor=manager, site=county, upload=upload, mode=ImportMode.ALL_OR_NOTHING)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            job = services.roster_import_run(import_id=job.pk)
            seconds = time.perf_counter() - started
        if job.status != ImportStatus.DONE:
            raise CommandError(f"{label} ended {job.status}: {job.message} {job.error_rows[:3]}")
        if quiet:
            self.stdout.write(f"{label}: {job.created_count} rows in {seconds:.2f} s (untimed setup for the export)")
            return
        self.stdout.write(
            f"{label}: {job.created_count:,} rows ({len(data) / 1e6:.1f} MB xlsx, made in {made:.1f} s) "
            f"read+checked+written in {seconds:.2f} s = {job.created_count / seconds:,.0f} rows/s, "
            f"{len(queries)} queries"
        )

    def run_export(self, queryset, user, label: str):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            data = roster.export_workbook(queryset, user)
            seconds = time.perf_counter() - started
        count = queryset.count()
        self.stdout.write(
            f"export ({label}): {count:,} volunteers in {seconds:.2f} s = {count / seconds:,.0f} rows/s, "
            f"{len(queries)} queries, {len(data) / 1e6:.1f} MB"
        )

    # Cleanup ---------------------------------------------------------------------

    def cleanup(self, quiet: bool = False) -> None:
        """Remove the scratch county, its volunteers, imports and the scratch users."""
        county = Site.objects.filter(name=SCRATCH_COUNTY, parent__isnull=True).first()
        User = get_user_model()
        if county is not None:
            admin = User.objects.filter(username=ADMIN).first()
            with transaction.atomic():
                under = Site.objects.filter(tree_id=county.tree_id)
                # Scratch data only: volunteers and imports of the scratch county go directly.
                Volunteer.objects.filter(home_site__in=under).delete()
                for job in RosterImport.objects.filter(site__in=under):
                    job.file.delete(save=False)
                    job.delete()
                for site in under.order_by("-depth"):
                    site_services.site_delete(actor=admin, site=site)
        User.objects.filter(username__in=[ADMIN, MANAGER, VIEWER]).delete()
        if county is not None and not quiet:
            self.stdout.write(f"removed the scratch county {SCRATCH_COUNTY}")
