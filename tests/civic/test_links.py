"""Links printed on paper are built on the configured public address, never on the host a
request came in on; production is warned when that address is unset."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

from civic.links import check_public_url, public_url


def test_a_public_link_is_the_configured_address_and_the_path(settings):
    settings.CIVIC_PUBLIC_URL = "https://civic.example.org/"
    assert public_url("/verify/ABC/") == "https://civic.example.org/verify/ABC/"
    assert public_url("verify/ABC/") == "https://civic.example.org/verify/ABC/"
    settings.CIVIC_PUBLIC_URL = ""
    assert public_url("/verify/ABC/") == "http://127.0.0.1:8000/verify/ABC/"


def test_the_deploy_check_asks_for_an_absolute_address(settings):
    settings.CIVIC_PUBLIC_URL = ""
    assert [m.id for m in check_public_url()] == ["civic.W010"]
    for wrong in ("civic.example.org", "ftp://civic.example.org", "https://civic.example.org/app/"):
        settings.CIVIC_PUBLIC_URL = wrong
        assert [m.id for m in check_public_url()] == ["civic.W011"], wrong
    settings.CIVIC_PUBLIC_URL = "https://civic.example.org"
    assert check_public_url() == []


def test_production_without_a_public_address_is_warned_by_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "CIVIC_PUBLIC_URL"}},
        "DEBUG": "false",
        "SECRET_KEY": "k3Jd9-production-like-secret-4fQ0zW7nLx2pT8vYbR6cH1mA5sE",
        "ALLOWED_HOSTS": "civic.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "civic.W010" in result.stdout + result.stderr
