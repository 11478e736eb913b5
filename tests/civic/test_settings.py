"""Production settings, the cache without Redis, and the security basics (等保)."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.urls import reverse

from civic.cache import TolerantRedisCache
from civic.middleware import STAFF_KEY

# Variables the test run sets for itself that production never would.
_TEST_ONLY = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "DEBUG",
}


def test_production_settings_pass_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k not in _TEST_ONLY},
        "DEBUG": "false",
        "SECRET_KEY": "k3Jd9-production-like-secret-4fQ0zW7nLx2pT8vYbR6cH1mA5sE",
        "ALLOWED_HOSTS": "civic.example.org",
        "CIVIC_PUBLIC_URL": "https://civic.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key_in_production():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"DEBUG": "false"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_cache_answers_misses_when_redis_is_down():
    cache = TolerantRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    started = time.monotonic()
    assert cache.get("anything", "fallback") == "fallback"
    cache.set("anything", 1)
    assert cache.get_many(["a", "b"]) == {}
    assert time.monotonic() - started < 5


def test_the_cache_works_with_redis():
    cache = TolerantRedisCache(settings.REDIS_URL, {})
    cache.set("civic-test-key", {"a": 1}, 30)
    assert cache.get("civic-test-key") == {"a": 1}
    cache.delete("civic-test-key")


@pytest.mark.django_db
def test_an_idle_staff_session_is_logged_out(client, world, settings):
    client.force_login(world.county_manager)
    session = client.session
    session[STAFF_KEY] = True
    session["civic_last_seen"] = int(time.time()) - settings.CIVIC_STAFF_IDLE_MINUTES * 60 - 5
    session.save()
    response = client.get(reverse("centers:tree"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_an_active_staff_session_stays(client, world):
    client.force_login(world.county_manager)
    session = client.session
    session[STAFF_KEY] = True
    session["civic_last_seen"] = int(time.time()) - 60
    session.save()
    assert client.get(reverse("centers:tree")).status_code == 200


@pytest.mark.django_db
def test_logging_in_marks_managers_as_staff(client, world):
    assert client.login(username="county_manager", password="pw-county_manager")
    assert client.session[STAFF_KEY] is True
    client.logout()
    assert client.login(username="volunteer", password="pw-volunteer")
    assert client.session[STAFF_KEY] is False


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account(client, world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": "county_manager", "password": "wrong"})
    response = client.post(url, {"username": "county_manager", "password": "pw-county_manager"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
