from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .registry import AuditLabel, PeriodicTask


class CivicConfig(AppConfig):
    name = "civic"
    verbose_name = _("Civic core")
    nav_items = [("home", _("Home"), "anyone")]
    audit_labels = {
        "branding.emblem": AuditLabel(_("emblem changed"), _("%(actor)s changed the county's emblem")),
    }
    periodic_tasks: dict[str, PeriodicTask] = {
        "health-every-10-minutes": {
            "task": "civic.tasks.health",
            "schedule": crontab(minute="*/10"),
            "options": {"expires": 300},
        },
    }

    def ready(self) -> None:
        from . import figures, home, links, registry, signals  # noqa: F401
        from .celery import app as celery_app

        figures.collect_providers()
        home.collect_panels()
        registry.install_beat_schedule(celery_app)
