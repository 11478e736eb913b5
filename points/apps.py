from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civic.registry import AuditLabel


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
    audit_labels = {
        "points.rule": AuditLabel(_("points rule set"), _("%(actor)s set the points rule %(object)s")),
        "points.seal": AuditLabel(_("seal uploaded"), _("%(actor)s uploaded the seal of %(object)s")),
        "goods.create": AuditLabel(_("goods added"), _("%(actor)s added the goods %(object)s")),
        "goods.update": AuditLabel(_("goods changed"), _("%(actor)s changed the goods %(object)s")),
        "redemption.fulfil": AuditLabel(_("redemption handed over"), _("%(actor)s handed over %(object)s")),
        "redemption.cancel": AuditLabel(_("redemption cancelled"), _("%(actor)s cancelled the redemption %(object)s")),
        "certificate.issue": AuditLabel(
            _("certificate issued"), _("%(actor)s issued the service certificate %(object)s")
        ),
    }

    def ready(self) -> None:
        from . import receivers  # noqa: F401
