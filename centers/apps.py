from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civic.registry import AuditLabel

ROLES = {"manager": _("Manager"), "viewer": _("Viewer")}


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = _("Practice sites")
    site_figures = "centers.selectors.site_standard_figures"
    home_panels = ["centers.selectors.home_sites_panel", "centers.selectors.home_ask_panel"]
    nav_items = [
        ("centers:tree", _("Site tree"), "staff"),
        ("centers:platforms", _("Service platforms"), "staff"),
    ]
    audit_labels = {
        "site.create": AuditLabel(_("site added"), _("%(actor)s added %(object)s")),
        "site.update": AuditLabel(_("site changed"), _("%(actor)s changed %(object)s: %(changes)s")),
        "site.move": AuditLabel(_("site moved"), _("%(actor)s moved %(object)s from %(old)s to %(new)s")),
        "site.delete": AuditLabel(_("site deleted"), _("%(actor)s deleted %(object)s")),
        "site.import": AuditLabel(
            _("division file imported"),
            _(
                "%(actor)s imported the division file %(file)s into %(object)s: "
                "%(created)s sites added, %(updated)s changed"
            ),
        ),
        "role.grant": AuditLabel(_("role given"), _("%(actor)s made %(new)s %(field)s of %(object)s"), ROLES),
        "role.revoke": AuditLabel(
            _("role taken away"), _("%(actor)s took the role %(field)s of %(object)s away from %(old)s"), ROLES
        ),
        "platform.create": AuditLabel(
            _("service platform added"), _("%(actor)s added the service platform %(object)s")
        ),
        "platform.update": AuditLabel(
            _("service platform changed"), _("%(actor)s changed the service platform %(object)s: %(changes)s")
        ),
        "standard.check": AuditLabel(_("standard checked"), _("%(actor)s recorded the check %(object)s: %(changes)s")),
    }
