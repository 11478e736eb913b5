from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points")
    volunteer_figures = "points.selectors.volunteer_points_figures"
    nav_items = [
        ("points:mine", _("My points"), "all"),
        ("points:shop", _("Points shop"), "all"),
        ("points:rankings", _("Rankings"), "all"),
        ("points:manage", _("Points management"), "staff"),
    ]

    def ready(self) -> None:
        from . import receivers  # noqa: F401
