from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civic.registry import AuditLabel


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
