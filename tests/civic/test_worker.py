"""The real Celery worker runs tasks against the test database."""

import pytest

from civic.tasks import health

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_runs_the_health_task(celery_worker, settings):
    result = health.delay().get(timeout=30)
    assert result["status"] == "ok"
    assert result["reached"] is True


def test_the_worker_reads_the_test_database(celery_worker):
    from django.db import connection

    result = health.delay().get(timeout=30)
    assert result["database"] == connection.settings_dict["NAME"]
