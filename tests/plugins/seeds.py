"""Rows that migrations seed (service platforms, checklists, source groups) are emptied by
the flush after every transactional test. Put them back before each database test, so no
test depends on the order the suite runs in."""

from __future__ import annotations

import importlib

import pytest

SEEDS = [
    ("centers.migrations.0002_seed_platforms_and_standards", "centers", "ServicePlatform"),
    ("volunteers.migrations.0002_seed_source_groups", "volunteers", "SourceGroup"),
]
_DB_FIXTURES = {"db", "transactional_db", "live_server", "world", "django_db_reset_sequences"}


def _ensure_seeds() -> None:
    from django.apps import apps

    for module, app_label, model in SEEDS:
        if not apps.get_model(app_label, model).objects.exists():
            importlib.import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def _seeded_rows(request):
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & _DB_FIXTURES:
        return
    transactional = (marker is not None and marker.kwargs.get("transaction")) or names & {
        "transactional_db",
        "live_server",
    }
    request.getfixturevalue("transactional_db" if transactional else "db")
    _ensure_seeds()
