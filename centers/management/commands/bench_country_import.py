"""manage.py bench_country_import [FILE] [--floor]: time the import of the whole country.

A benchmark, not a test: it writes 665,276 sites into the current database, so run it on
a scratch PostgreSQL database (createdb civic_bench; DATABASE_URL=…/civic_bench manage.py
migrate; … bench_country_import --floor). It prints seconds, peak memory and rows, and
with --floor the ratio to ../shared/bench/floor_country_import.py run in the same way.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from centers.importer import DivisionFileError, import_division_file, shared_dir
from centers.models import Site
from centers.tree import check_tree


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _PssSampler(threading.Thread):
    """Samples the proportional set size of this process and its children (the forked
    pinyin workers) every 0.2 s: their memory together, shared pages counted once."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.done = threading.Event()

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            return 0
        match = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
        return int(match.group(1)) if match else 0

    @staticmethod
    def _children(pid: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                found += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
        return found

    def run(self) -> None:
        me = os.getpid()
        while not self.done.wait(0.2):
            self.peak_kb = max(self.peak_kb, sum(self._pss(p) for p in [me, *self._children(me)]))


class Command(BaseCommand):
    help = "Benchmark: import the whole country's divisions into a scratch PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="default: <shared>/data/divisions/china-2022.csv.gz")
        parser.add_argument("--floor", action="store_true", help="also run the floor script and print ratios")
        parser.add_argument(
            "--again", action="store_true", help="import into a database that already holds sites (a re-import)"
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL: set DATABASE_URL to a scratch PostgreSQL database.")
        path = Path(options["file"] or shared_dir() / "data" / "divisions" / "china-2022.csv.gz")
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        existing = Site.objects.count()
        if existing and not options["again"]:
            raise CommandError(
                f"The sites table already holds {existing} rows. Use a scratch database (createdb civic_bench, "
                "migrate it, point DATABASE_URL at it), or pass --again to time a re-import."
            )
        before = _peak_mb()
        sampler = _PssSampler()
        sampler.start()
        started = time.monotonic()
        try:
            result = import_division_file(path)
        except DivisionFileError as exc:
            raise CommandError("\n".join(exc.problems)) from exc
        finally:
            sampler.done.set()
        seconds = time.monotonic() - started
        peak = _peak_mb()
        rows = Site.objects.count()
        self.stdout.write(
            f"ours: rows={rows} created={result.created} updated={result.updated} renumbered={result.renumbered} "
            f"unchanged={result.unchanged} total={seconds:.1f}s peakRSS={peak:.0f}MB (at start {before:.0f}MB)"
        )
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if workers:
            self.stdout.write(
                f"pinyin workers: largest peakRSS={workers:.0f}MB each (forked: most pages shared with the above)"
            )
        if sampler.peak_kb:
            self.stdout.write(
                f"all the import's processes together: peak PSS={sampler.peak_kb / 1024:.0f}MB (sampled every 0.2 s)"
            )
        checked = time.monotonic()
        problems = check_tree()
        self.stdout.write(f"check_tree: {'ok' if not problems else problems} ({time.monotonic() - checked:.1f}s)")
        if options["floor"]:
            self._floor(path, seconds, peak, sampler.peak_kb / 1024)

    def _floor(self, path: Path, seconds: float, peak: float, together: float) -> None:
        script = shared_dir() / "bench" / "floor_country_import.py"
        if not script.exists():
            raise CommandError(f"{script} does not exist.")
        params = connection.get_connection_params()
        dsn = " ".join(
            f"{key}={params[name]}"
            for key, name in [
                ("dbname", "database"),
                ("user", "user"),
                ("host", "host"),
                ("port", "port"),
                ("password", "password"),
            ]
            if params.get(name)
        )
        done = subprocess.run(
            [sys.executable, str(script), str(path), dsn], capture_output=True, text=True, check=False
        )
        output = done.stdout.strip()
        self.stdout.write(f"floor: {output or done.stderr.strip()}")
        total = re.search(r"total=([\d.]+)s", output)
        rss = re.search(r"peakRSS=(\d+)MB", output)
        if total and rss:
            self.stdout.write(
                f"ours/floor: time {seconds / float(total.group(1)):.1f}x, memory {peak / float(rss.group(1)):.1f}x "
                f"(this process) or {together / float(rss.group(1)):.1f}x (all processes together)"
            )
