from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers and teams")
    site_figures = "volunteers.selectors.site_volunteer_figures"
    person_names = "volunteers.privacy.volunteer_person_names"
    audience_rows = "volunteers.selectors.audience_rows"
    home_panels = [
        "volunteers.selectors.home_volunteer_panel",
        "volunteers.selectors.home_approvals_panel",
        "volunteers.selectors.home_join_panel",
    ]
    nav_items = [
        ("volunteers:me", _("My volunteer profile"), "volunteer"),
        ("volunteers:list", _("Volunteers"), "staff"),
        ("volunteers:teams", _("Teams"), ("staff", "leader")),
        ("volunteers:queue", _("Approvals"), "manager"),
        ("volunteers:import", _("Roster import"), "manager"),
    ]
