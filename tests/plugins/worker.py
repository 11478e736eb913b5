"""A real Celery worker for the integration tests.

The worker is a separate process started once per test session, after the test database
exists, with DATABASE_URL pointing at that database. Tests that use it are transactional
(``@pytest.mark.django_db(transaction=True)``) so that the worker sees their rows. If Redis
or the worker is missing the fixture fails; it never skips.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _database_url_for(name: str) -> str:
    url = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    return urllib.parse.urlunparse(url._replace(path="/" + name))


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings
    from django.db import connection

    from civic.celery import app

    if not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("The worker tests need REDIS_URL (a real broker); tasks are running eagerly.", pytrace=False)
    with django_db_blocker.unblock():
        test_db = connection.settings_dict["NAME"]
    node = f"civic-test-{os.getpid()}@localhost"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {**os.environ, "DATABASE_URL": _database_url_for(test_db)}
    command = [
        sys.executable, "-m", "celery", "-A", "civic", "worker",
        "--pool=solo", "--loglevel=INFO", "-n", node,
        "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"The Celery worker exited at start:\n{log.read_text()[-3000:]}", pytrace=False)
            try:
                if app.control.ping(destination=[node], timeout=1.0):
                    break
            except Exception as exc:  # the broker itself is unreachable
                pytest.fail(f"Redis is unreachable at {settings.REDIS_URL}: {exc}", pytrace=False)
        else:
            pytest.fail(f"The Celery worker did not answer within 60 s:\n{log.read_text()[-3000:]}", pytrace=False)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
