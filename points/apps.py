from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points")
    volunteer_figures = "points.selectors.volunteer_points_figures"
    home_panels = ["points.selectors.home_points_panel", "points.selectors.home_pickups_panel"]
    nav_items = [
        ("points:mine", _("My points"), "volunteer"),
        ("points:shop", _("Points shop"), "volunteer"),
        ("points:rankings", _("Rankings"), ("volunteer", "staff")),
        ("points:manage", _("Points management"), "manager"),
    ]

    def ready(self) -> None:
        from . import receivers  # noqa: F401
