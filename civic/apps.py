from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivicConfig(AppConfig):
    name = "civic"
    verbose_name = _("Civic core")
    nav_items = [("home", _("Home"), "anyone")]

    def ready(self) -> None:
        from . import figures, home, signals  # noqa: F401

        figures.collect_providers()
        home.collect_panels()
