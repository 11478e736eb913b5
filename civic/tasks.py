"""Core background tasks."""

from celery import shared_task
from django.db import connection


@shared_task(name="civic.tasks.health")
def health() -> dict:
    """Prove that a worker runs and reaches the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"status": "ok", "database": connection.settings_dict["NAME"], "reached": one == 1}
