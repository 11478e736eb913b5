"""Shared fixtures: PostgreSQL for real, fast hashing, and the named personas.

The personas live in a small world of two counties:

    测试县 (county C)            另县 (county D, "elsewhere")
    ├── 甲镇 (township T1)        └── 丁镇 (township TD)
    │   └── 东坪村 (village V1)
    └── 乙镇 (township T2)
        └── 西坪村 (village V2)

- admin: superuser
- county_manager: manager of C; county_viewer: viewer of C
- township_head: manager of T1; village_head: manager of V1
- volunteer: an account with no role; outsider: manager of D
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import translation

from centers import services
from centers.models import Level, Site
from tests.factories import make_user

pytest_plugins = ["tests.plugins.worker", "tests.plugins.seeds"]


@pytest.fixture(scope="session", autouse=True)
def _require_postgresql(django_db_setup, django_db_blocker):
    """The suite runs against PostgreSQL, never silently against something else."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.fail(
                f"The tests need PostgreSQL (DATABASE_URL); this run uses {connection.vendor}.",
                pytrace=False,
            )


_caches = itertools.count()


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    # Tests read messages in English; tests of the Chinese interface ask for it explicitly
    # (the product's default stays zh-hans: tests/civic/test_i18n.py).
    settings.LANGUAGE_CODE = "en"
    # Query counts are pinned with sessions read from the database (the worst case).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    # A fresh cache per test: rate limits and cached pages never leak between tests.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(next(_caches))}
    }
    # Text messages stay in civic.sms.MemorySender.outbox (emptied for every test).
    settings.CIVIC_SMS_BACKEND = "civic.sms.MemorySender"
    from civic.sms import MemorySender

    MemorySender.outbox.clear()
    # Tests (and the live server of the browser tests) speak plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _english(_fast_settings):
    with translation.override("en"):
        yield


@pytest.fixture
def as_user(client):
    """Log the test client in as a persona: ``as_user(world.county_manager)``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@dataclass
class World:
    admin: object
    county_manager: object
    county_viewer: object
    township_head: object
    village_head: object
    volunteer: object
    outsider: object
    county: Site
    township: Site
    township2: Site
    village: Site
    village2: Site
    elsewhere: Site
    elsewhere_township: Site

    def matrix_personas(self) -> list:
        """Every persona, the anonymous visitor included, with the grants the fixture gave
        them, for ``civic.testing.ScopeMatrix``."""
        from civic.testing import Persona

        grants = {user.pk: (site, role) for user, site, role in self.grants()}
        people = [Persona("anonymous", None)]
        for name, user in self.personas.items():
            people.append(Persona(name, user, [grants[user.pk]] if user.pk in grants else []))
        return people

    def grants(self) -> list[tuple]:
        return [
            (self.county_manager, self.county, "manager"),
            (self.county_viewer, self.county, "viewer"),
            (self.township_head, self.township, "manager"),
            (self.village_head, self.village, "manager"),
            (self.outsider, self.elsewhere, "manager"),
        ]

    @property
    def personas(self) -> dict:
        return {
            "admin": self.admin,
            "county_manager": self.county_manager,
            "county_viewer": self.county_viewer,
            "township_head": self.township_head,
            "village_head": self.village_head,
            "volunteer": self.volunteer,
            "outsider": self.outsider,
        }


@pytest.fixture
def world(db) -> World:
    User = get_user_model()
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw-admin")
    county = services.site_create(actor=admin, parent=None, name="测试县", level=Level.COUNTY, code="990101")
    township = services.site_create(
        actor=admin, parent=county, name="甲镇", level=Level.TOWNSHIP, code="990101101", population=12000
    )
    township2 = services.site_create(
        actor=admin, parent=county, name="乙镇", level=Level.TOWNSHIP, code="990101102", population=8000
    )
    village = services.site_create(
        actor=admin, parent=township, name="东坪村民委员会", level=Level.VILLAGE, code="990101101001", population=900
    )
    village2 = services.site_create(
        actor=admin, parent=township2, name="西坪村民委员会", level=Level.VILLAGE, code="990101102001", population=700
    )
    elsewhere = services.site_create(actor=admin, parent=None, name="另县", level=Level.COUNTY, code="990202")
    elsewhere_township = services.site_create(
        actor=admin, parent=elsewhere, name="丁镇", level=Level.TOWNSHIP, code="990202101"
    )
    # Nested-set values of earlier nodes moved as later ones were added: read them again.
    for site in (county, township, township2, village, village2, elsewhere, elsewhere_township):
        site.refresh_from_db()
    w = World(
        admin=admin,
        county_manager=make_user("county_manager"),
        county_viewer=make_user("county_viewer"),
        township_head=make_user("township_head"),
        village_head=make_user("village_head"),
        volunteer=make_user("volunteer"),
        outsider=make_user("outsider"),
        county=county,
        township=township,
        township2=township2,
        village=village,
        village2=village2,
        elsewhere=elsewhere,
        elsewhere_township=elsewhere_township,
    )
    for user, site, role in w.grants():
        services.role_grant(actor=admin, user=user, site=site, role=role)
    return w
