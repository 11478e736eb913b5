"""Headless Chromium (Debian's package) driven by Playwright against the live server.

The browser tests never skip: without /usr/bin/chromium or the built front-end assets
they fail with a message saying what to install or run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


PLAIN_HTTP = {"SECURE_SSL_REDIRECT": False, "SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False}


@pytest.fixture(scope="session")
def _plain_http():
    """Plain http on localhost: no https redirect, cookies without the Secure flag. Set for
    the session, before the live server builds its middleware (which reads them once)."""
    with override_settings(**PLAIN_HTTP):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http, live_server):
    """pytest-django's live server, started after ``_plain_http``."""
    return live_server


@pytest.fixture
def browser():
    """A headless Chromium; fails (never skips) when it or the front-end assets are missing.

    Request it after the fixtures that write to the database: the ORM opens a separate
    connection inside Playwright's context, and one opened there would outlive the test."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install it with `apt-get install -y chromium fonts-wqy-zenhei` "
            "(the browser tests do not skip).",
            pytrace=False,
        )
    htmx = Path(django_settings.BASE_DIR) / "static" / "vendor" / "htmx.min.js"
    if not htmx.exists():
        pytest.fail(f"{htmx} is missing: run scripts/build-assets.sh first.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
