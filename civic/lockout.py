"""django-axes (the lockout after repeated failed logins) as installed here: its admin section
is named in the reader's language (the words of its models are in Civic's catalogue,
``civic.i18n``)."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _


class LockoutConfig(AxesConfig):
    verbose_name = _("Login lockout")
