"""manage.py bench_points: "my points" under load, beside a bare Django view, with a
million ledger entries.

A benchmark, not a test. It creates a scratch PostgreSQL database (``<db>_bench_points``,
dropped afterwards unless --keep), migrates it, writes the demo county's sites, 5,000
volunteers and 1,000,000 ledger entries (COPY; accounts set from the ledger's sums), then:

1. serves the project with gunicorn (2 workers, 127.0.0.1, a free port, persistent
   database connections, CIVIC_BENCH_URLS=1 for the bare view) and runs
   ``wrk -t2 -c16 -d15s`` against the bare view and against "my points" of a logged-in
   volunteer (session cookie); prints both rates and their ratio (goal: ≥ 1/8);
2. times a volunteer's history page in-process with the Django test client (median of 50)
   and counts its queries.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

VOLUNTEERS = 5_000
WRK_ARGS = ["-t2", "-c16", "-d15s"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


class Command(BaseCommand):
    help = "Benchmark 'my points' under wrk beside a bare Django view, with 1,000,000 ledger entries."

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--duration", default="15s", help="wrk's -d (default 15s)")
        parser.add_argument("--keep", action="store_true", help="Keep the scratch database afterwards.")

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL: set DATABASE_URL to a PostgreSQL server.")
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("wrk is missing: install it (Debian: apt-get install -y wrk).")
        base = dict(connections["default"].settings_dict)
        scratch = f"{base['NAME']}_bench_points"[:63]
        admin = _admin_connection(base)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            cursor.execute(f'CREATE DATABASE "{scratch}"')
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = scratch
        try:
            self.run(scratch, wrk, options)
        finally:
            connections["default"].close()
            connections["default"].settings_dict["NAME"] = base["NAME"]
            if not options["keep"]:
                with admin.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            admin.close()

    # -- data ------------------------------------------------------------------------

    def run(self, scratch: str, wrk: str, options) -> None:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        self.say(f"scratch database {scratch}: migrated in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        volunteer = self.build(options["entries"])
        self.say(f"data: {options['entries']:,} entries written in {time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(volunteer.user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.serve_and_measure(scratch, wrk, cookie, options["duration"])
        self.history_time(client, volunteer)

    def build(self, total: int):
        from django.contrib.auth import get_user_model

        from centers.demo import demo_division_rows
        from centers.importer import import_divisions, rows_from_records
        from centers.models import Level, Site
        from points.models import Account
        from points.ranking import refresh_rank_sites
        from volunteers.identity import check_digit
        from volunteers.models import Status, Volunteer
        from volunteers.privacy import new_login_handle

        User = get_user_model()
        admin = User.objects.create_superuser("bench-admin", "", None)
        import_divisions(rows_from_records(demo_division_rows(), source="bench"), actor=admin)
        villages = list(Site.objects.filter(level=Level.VILLAGE).values_list("pk", flat=True))
        now = timezone.now()
        people = []
        for i in range(VOLUNTEERS):
            first17 = f"997301{date(1960, 1, 1) + timedelta(days=i * 7):%Y%m%d}{i % 1000:03d}"
            people.append(
                Volunteer(
                    real_name=f"志愿者{i}",
                    gender="female" if i % 2 else "male",
                    id_number=first17 + check_digit(first17),
                    phone=f"139{i:08d}",
                    home_site_id=villages[i % len(villages)],
                    status=Status.ACTIVE,
                    status_changed_at=now,
                    consent_at=now,
                )
            )
        Volunteer.objects.bulk_create(people, batch_size=2000)
        ids = list(Volunteer.objects.order_by("pk").values_list("pk", flat=True))
        Account.objects.bulk_create([Account(volunteer_id=pk) for pk in ids], batch_size=2000)
        refresh_rank_sites()
        accounts = list(Account.objects.order_by("pk").values_list("pk", "volunteer__home_site_id"))
        self.copy_entries(accounts, total, admin.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE points_account a SET lifetime_points = s.lifetime, balance = s.balance,
                       lifetime_hours = s.hours,
                       star_level = (s.hours >= 100)::int + (s.hours >= 300)::int + (s.hours >= 600)::int
                                    + (s.hours >= 1000)::int + (s.hours >= 1500)::int
                FROM (SELECT account_id, SUM(lifetime_delta) AS lifetime, SUM(points) AS balance, SUM(hours) AS hours
                      FROM points_entry GROUP BY account_id) s
                WHERE s.account_id = a.id
                """
            )
            cursor.execute("ANALYZE")
        from points.selectors import reconcile

        drifts = reconcile()
        if drifts:
            raise CommandError(f"The accounts do not match the ledger: {drifts[:3]}")
        volunteer = Volunteer.objects.select_related("home_site").get(pk=ids[len(ids) // 2])
        volunteer.user = User.objects.create_user(username=new_login_handle(), password="bench-pass-12345")
        volunteer.save(update_fields=["user"])
        return volunteer

    def copy_entries(self, accounts: list[tuple[int, int]], total: int, admin_id: int) -> None:
        """``total`` service entries spread evenly over the accounts, written with COPY."""
        rng = random.Random(1)
        today = timezone.localdate()
        now = timezone.now().isoformat()
        columns = (
            "account_id, kind, points, lifetime_delta, hours, site_id, source_key, service_date, note, "
            "created_by_id, created_at"
        )
        chunk = 100_000
        connection.ensure_connection()
        raw = connection.connection  # psycopg2, in autocommit: each COPY commits
        for start in range(0, total, chunk):
            buffer = io.StringIO()
            for n in range(start, min(start + chunk, total)):
                account_id, site_id = accounts[n % len(accounts)]
                hours = rng.choice((1, 1.5, 2, 2.5, 3))
                day = today - timedelta(days=rng.randrange(0, 1500))
                points = int(hours * 10)
                buffer.write(
                    f"{account_id}\tservice\t{points}\t{points}\t{hours:.2f}\t{site_id}\tbench:{n}\t{day}\t"
                    f"志愿服务\t{admin_id}\t{now}\n"
                )
            buffer.seek(0)
            with raw.cursor() as cursor:
                cursor.copy_expert(f"COPY points_entry ({columns}) FROM STDIN", buffer)

    # -- load ------------------------------------------------------------------------

    def serve_and_measure(self, scratch: str, wrk: str, cookie: str, duration: str) -> None:
        port = free_port()
        url = urlsplit(os.environ.get("DATABASE_URL", ""))
        database_url = urlunsplit((url.scheme, url.netloc, f"/{scratch}", url.query, url.fragment))
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CIVIC_BENCH_URLS": "1",
            "DEBUG": "false",
            "CONN_MAX_AGE": "60",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "civic.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
        try:
            bare = f"http://127.0.0.1:{port}/bench/bare/"
            mine = f"http://127.0.0.1:{port}/points/"
            self.wait_for(bare)
            status, body = self.fetch(mine, cookie)
            if status != 200 or 'data-key="lifetime"' not in body:
                raise CommandError(f"'my points' did not answer the logged-in volunteer (status {status}).")
            self.fetch(bare, "")
            self.say(f"gunicorn: 2 workers on 127.0.0.1:{port}; wrk {' '.join(WRK_ARGS[:2])} -d{duration}")
            bare_rate = self.wrk(wrk, bare, None, duration)
            mine_rate = self.wrk(wrk, mine, cookie, duration)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        self.say(f"bare Django view : {bare_rate:,.0f} req/s")
        self.say(f"my points        : {mine_rate:,.0f} req/s")
        ratio = mine_rate / bare_rate if bare_rate else 0
        verdict = "meets" if ratio >= 1 / 8 else "misses"
        self.say(
            f"ratio            : {ratio:.3f} (1/{1 / ratio:.1f}) — {verdict} the goal of 1/8" if ratio else "ratio: n/a"
        )

    @staticmethod
    def fetch(url: str, cookie: str) -> tuple[int, str]:
        request = urllib.request.Request(url, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()

    @staticmethod
    def wait_for(url: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"gunicorn did not answer {url} within 30 s.")

    def wrk(self, wrk: str, url: str, cookie: str | None, duration: str) -> float:
        args = [wrk, *WRK_ARGS[:2], f"-d{duration}", url]
        if cookie:
            args[1:1] = ["-H", f"Cookie: {settings.SESSION_COOKIE_NAME}={cookie}"]
        output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in output:
            raise CommandError(f"wrk saw errors for {url}:\n{output}")
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        if not match:
            raise CommandError(f"wrk gave no rate:\n{output}")
        return float(match.group(1))

    # -- in-process ------------------------------------------------------------------

    def history_time(self, client: Client, volunteer) -> None:
        from django.urls import reverse

        from points.models import Entry

        address = reverse("points:mine")
        client.defaults.update(HTTP_HOST="127.0.0.1")
        for _ in range(5):
            client.get(address, secure=True)
        from django.core.cache import cache

        rows = Entry.objects.filter(account__volunteer=volunteer).count()
        for label, cold in (("cached history", False), ("history built", True)):
            times = []
            for _ in range(50):
                if cold:
                    cache.clear()  # the history page is rendered from the ledger every time
                started = time.perf_counter()
                response = client.get(address, secure=True)
                times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise CommandError(f"the history page answered {response.status_code}")
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(address, secure=True)
            self.say(
                f"history page ({label}): median {statistics.median(times) * 1000:.1f} ms over 50 requests "
                f"(test client, in-process), {len(queries)} queries; the volunteer has {rows} entries, 20 a page"
            )
