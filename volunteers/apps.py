from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers and teams")
    site_figures = "volunteers.selectors.site_volunteer_figures"
    person_names = "volunteers.privacy.volunteer_person_names"
    nav_items = [
        ("volunteers:list", _("Volunteers"), "staff"),
        ("volunteers:teams", _("Teams"), "staff"),
        ("volunteers:queue", _("Approvals"), "staff"),
        ("volunteers:import", _("Roster import"), "staff"),
        ("volunteers:me", _("My volunteer profile"), "all"),
    ]
