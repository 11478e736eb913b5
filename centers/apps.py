from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = _("Practice sites")
    site_figures = "centers.selectors.site_standard_figures"
    home_panels = ["centers.selectors.home_sites_panel", "centers.selectors.home_ask_panel"]
    nav_items = [
        ("centers:tree", _("Site tree"), "staff"),
        ("centers:platforms", _("Service platforms"), "staff"),
    ]
