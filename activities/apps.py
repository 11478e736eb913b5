from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")
    site_figures = "activities.selectors.site_activity_figures"
    volunteer_figures = "activities.selectors.volunteer_activity_figures"
    nav_items = [
        ("activities:home", _("Activities"), "staff"),
        ("activities:open", _("Activities near me"), "all"),
        ("activities:mine", _("My sign-ups"), "all"),
    ]
