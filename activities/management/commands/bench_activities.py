"""manage.py bench_activities: the activities figures on the peers' shape and at county size.

A benchmark, not a test. It creates a scratch PostgreSQL database (``<db>_bench_activities``,
dropped afterwards unless --keep), migrates it, writes the demo county's sites, then:

1. on the peers' shape — 2,000 volunteers, 200 activities, 20,000 attendance records — it
   times a site's hours/statistics figures (``site_stats``, median of 50, with its queries;
   goal ≤ 15 ms, ≤ 10 queries), the xlsx export of the 20,000 records (goal ≤ 3 s, a fixed
   number of queries) and confirming 200 attendances in one action (time and queries);
2. at county size — the 233 sites, five years of activities at the quotas, about 8 volunteers
   an activity — it times a station head's "needs action" and the county's activity list
   (first page), with their queries, and checks both stay constant in the data size.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

PEER_VOLUNTEERS, PEER_ACTIVITIES, PEER_ATTENDANCE = 2_000, 200, 20_000


def _admin_connection(settings_dict):
    import psycopg2

    conn = psycopg2.connect(
        dbname="postgres",
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
    )
    conn.autocommit = True
    return conn


def measure(run, times: int = 50) -> tuple[float, int]:
    """Median milliseconds of ``run`` over ``times`` runs, and the queries of one run."""
    run()
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        durations.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        run()
    return statistics.median(durations), len(captured)


class Command(BaseCommand):
    help = "Benchmark the activities statistics, export and confirmation, and the county-size lists."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=5, help="Years of activities at county size (default 5).")
        parser.add_argument("--keep", action="store_true", help="Keep the scratch database afterwards.")

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL: set DATABASE_URL to a PostgreSQL server.")
        base = dict(connections["default"].settings_dict)
        scratch = f"{base['NAME']}_bench_activities"[:63]
        admin = _admin_connection(base)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            cursor.execute(f'CREATE DATABASE "{scratch}"')
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = scratch
        try:
            call_command("migrate", verbosity=0)
            self.run(options)
        finally:
            connections["default"].close()
            connections["default"].settings_dict["NAME"] = base["NAME"]
            if not options["keep"]:
                with admin.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            admin.close()

    def run(self, options) -> None:
        from django.contrib.auth import get_user_model

        from centers.demo import demo_division_rows
        from centers.importer import import_divisions, rows_from_records
        from centers.models import Site
        from civic import nested

        self.admin = get_user_model().objects.create_superuser("bench-admin", "", None)
        import_divisions(rows_from_records(demo_division_rows(), source="bench"), actor=self.admin)
        self.county = Site.objects.get(parent__isnull=True)
        self.sites = list(Site.objects.order_by(*nested.tree_order()))
        self.rng = random.Random(11)
        self.peers()
        self.county_size(options["years"])

    # -- helpers --------------------------------------------------------------------------

    def volunteers(self, n: int, offset: int = 0) -> list[int]:
        from volunteers.identity import check_digit
        from volunteers.models import Status, Volunteer

        villages = [s for s in self.sites if s.level == "village"]
        now = timezone.now()
        people = []
        for i in range(offset, offset + n):
            first17 = f"997301{datetime(1950, 1, 1) + timedelta(days=i * 3):%Y%m%d}{i % 1000:03d}"
            people.append(
                Volunteer(
                    real_name=f"志愿者{i}", gender="male", id_number=first17 + check_digit(first17),
                    phone=f"138{i:08d}", home_site=villages[i % len(villages)], status=Status.ACTIVE,
                    status_changed_at=now, consent_at=now,
                )
            )  # fmt: skip
        return [v.pk for v in Volunteer.objects.bulk_create(people, batch_size=2000)]

    def activities(self, rows: list[tuple], state: str) -> list:
        from activities import qr
        from activities.models import Activity

        objects = [
            Activity(
                site=site, title=title, kind="theme", starts_at=start, ends_at=start + timedelta(hours=2), state=state,
                summary="总结", people_served=30, qr_secret=qr.new_secret(), created_by=self.admin,
            )
            for site, title, start in rows
        ]  # fmt: skip
        return Activity.objects.bulk_create(objects, batch_size=2000)

    def attendance(self, pairs, confirmed: bool) -> None:
        from activities.models import Attendance, Method

        rows = [
            Attendance(
                activity=activity, volunteer_id=volunteer, signed_in_at=activity.starts_at,
                signed_out_at=activity.ends_at, sign_in_method=Method.QR_ROTATING, sign_out_method=Method.QR_ROTATING,
                hours=Decimal("2.00"), confirmed_at=activity.ends_at if confirmed else None,
            )
            for activity, volunteer in pairs
        ]  # fmt: skip
        Attendance.objects.bulk_create(rows, batch_size=5000)

    # -- the peers' shape -------------------------------------------------------------------

    def peers(self) -> None:
        from activities import selectors, services
        from activities.models import Activity, Attendance, State

        started = time.perf_counter()
        people = self.volunteers(PEER_VOLUNTEERS)
        year = timezone.localdate().year
        zone = timezone.get_current_timezone()
        townships = [s for s in self.sites if s.level == "township"]
        rows = [
            (townships[n % len(townships)], f"活动{n}",
             datetime(year, n % 12 + 1, n % 27 + 1, 9, tzinfo=zone))
            for n in range(PEER_ACTIVITIES)
        ]  # fmt: skip
        made = self.activities(rows, State.FINISHED)
        per = PEER_ATTENDANCE // PEER_ACTIVITIES
        self.attendance(
            [(a, people[(i * per + k) % len(people)]) for i, a in enumerate(made) for k in range(per)], True
        )
        Activity.objects.filter(pk__in=[a.pk for a in made]).update(attended_count=per, hours_total=Decimal(2 * per))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        took = time.perf_counter() - started
        self.say(f"peers' shape: {PEER_VOLUNTEERS} volunteers, {PEER_ACTIVITIES} activities, "
                 f"{Attendance.objects.count()} attendance written in {took:.1f} s")  # fmt: skip

        ms, queries = measure(lambda: selectors.site_stats(self.county, year=year))
        self.say(f"site statistics (site_stats): {ms:.1f} ms median, {queries} queries  (goal ≤ 15 ms, ≤ 10)")

        rows = Attendance.objects.all()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            data = selectors.attendance_export(rows)
        self.say(f"xlsx export of {rows.count()} attendance records: {time.perf_counter() - started:.2f} s, "
                 f"{len(captured)} queries, {len(data) / 1e6:.1f} MB  (goal ≤ 3 s, fixed queries)")  # fmt: skip

        start = datetime(year, 6, 1, 9, tzinfo=zone)
        activity = self.activities([(townships[0], "确认基准", start)], State.FINISHED)[0]
        self.attendance([(activity, pk) for pk in people[:200]], False)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = services.attendance_confirm(actor=self.admin, activity=activity)
        self.say(f"confirming {result.confirmed} attendances in one action: {time.perf_counter() - started:.2f} s, "
                 f"{len(captured)} queries ({len(captured) / max(1, result.confirmed):.1f} a record)")  # fmt: skip

    # -- county size ----------------------------------------------------------------------

    def county_size(self, years: int) -> None:
        from django.contrib.auth import get_user_model

        from activities import selectors
        from activities.models import Activity, Attendance, State
        from activities.rules import quotas_for
        from centers import services as site_services

        started = time.perf_counter()
        people = self.volunteers(6_000, offset=PEER_VOLUNTEERS)
        quotas = quotas_for(self.sites)
        zone = timezone.get_current_timezone()
        today = timezone.localdate()
        rows = []
        for back in range(years * 12):
            month = (today.year * 12 + today.month - 1) - back
            y, m = divmod(month, 12)
            for site in self.sites:
                for n in range(quotas[site.pk]):
                    rows.append((site, f"{site.label}{y}年{m + 1}月活动{n + 1}",
                                 datetime(y, m + 1, self.rng.randrange(1, 28), 9, tzinfo=zone)))  # fmt: skip
        made = self.activities(rows, State.FINISHED)
        self.attendance([(a, pk) for a in made for pk in self.rng.sample(people, 8)], True)
        township = next(s for s in self.sites if s.level == "township")
        villages = [s for s in self.sites if s.parent_id == township.pk]
        waiting = self.activities(
            [(v, "待审", timezone.now() + timedelta(days=5)) for v in villages[:5]], State.SUBMITTED
        )
        head = get_user_model().objects.create_user("bench-head", password=None)
        site_services.role_grant(actor=self.admin, user=head, site=township, role="manager")
        staff = get_user_model().objects.create_user("bench-county", password=None)
        site_services.role_grant(actor=self.admin, user=staff, site=self.county, role="manager")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.say(f"county size: {len(self.sites)} sites, {years} years, {Activity.objects.count()} activities, "
                 f"{Attendance.objects.count()} attendance, in {time.perf_counter() - started:.1f} s")  # fmt: skip

        ms, queries = measure(lambda: selectors.needs_action(head), times=30)
        self.say(f"station head's needs-action: {ms:.1f} ms median, {queries} queries "
                 f"({len(waiting)} to approve)")  # fmt: skip
        ms, queries = measure(lambda: selectors.needs_action(staff), times=30)
        self.say(f"county staff's needs-action: {ms:.1f} ms median, {queries} queries")

        def page():
            return list(selectors.activity_list(staff)[:50])

        ms, queries = measure(page, times=30)
        self.say(f"county activity list, first page of 50: {ms:.1f} ms median, {queries} query")
        year = today.year
        ms, queries = measure(lambda: selectors.site_stats(self.county, year=year), times=30)
        self.say(f"county statistics of {year}: {ms:.1f} ms median, {queries} queries")
