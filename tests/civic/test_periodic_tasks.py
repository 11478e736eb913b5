"""Periodic tasks are declared by the apps in their AppConfig (``periodic_tasks``) and
gathered into Celery's beat schedule at start-up (``civic.registry``); beat's database
scheduler then holds every one of them."""

import pytest
from celery import Task
from celery.schedules import crontab
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from civic import registry
from civic.celery import app as celery_app


def test_the_beat_schedule_holds_every_task_the_apps_declare():
    declared = registry.periodic_tasks()
    assert {"health-every-10-minutes", "roster-imports-requeue-stale"} <= set(declared)
    schedule = celery_app.conf.beat_schedule
    for name, entry in declared.items():
        assert schedule[name]["task"] == entry["task"] and schedule[name]["schedule"] == entry["schedule"]
        task = import_string(entry["task"])  # the task exists, under the name beat sends
        assert isinstance(task, Task) and task.name == entry["task"]
    assert settings.CELERY_BEAT_SCHEDULE == {}  # nothing is left in the settings
    assert apps.get_app_config("volunteers").periodic_tasks["roster-imports-requeue-stale"]["options"] == {
        "expires": 300
    }


@pytest.mark.django_db(transaction=True)  # the scheduler commits and closes connections as beat does
def test_beats_database_scheduler_takes_every_declared_task():
    scheduler = DatabaseScheduler(app=celery_app)
    try:
        stored = {task.name: task for task in PeriodicTask.objects.all()}
        for name, entry in registry.periodic_tasks().items():
            assert stored[name].task == entry["task"] and stored[name].enabled
            assert stored[name].crontab is not None
        assert set(registry.periodic_tasks()) <= set(scheduler.schedule)
    finally:
        scheduler.close()


def test_a_name_two_apps_declare_is_a_configuration_error(monkeypatch):
    class Conf:
        beat_schedule = {"health-every-10-minutes": {"task": "elsewhere.task", "schedule": crontab()}}

    class App:
        conf = Conf()

    with pytest.raises(ImproperlyConfigured):
        registry.install_beat_schedule(App())
    civic = apps.get_app_config("civic")
    monkeypatch.setattr(type(apps.get_app_config("volunteers")), "periodic_tasks", civic.periodic_tasks, raising=False)
    with pytest.raises(ImproperlyConfigured, match="declared by both civic and volunteers"):
        registry.periodic_tasks()
