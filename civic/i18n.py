"""Words that Django and the packages Civic uses say, which their own Simplified Chinese
catalogues lack or spell differently. They are listed here so that ``makemessages`` keeps
them in ``locale/zh_Hans`` (the project's catalogue is read before the packages' own):

- ``":"``, the label suffix of every form (Django's, the admin's, ours): labels end in "："
  in Chinese, ":" in English;
- Django 5.2's password-length message, which its zh_Hans catalogue still has in the old
  spelling (``%(min_length)d``), so that it showed in English;
- django-axes (the lockout after failed logins), which ships no Chinese: its admin section.

Nothing here is called; the module is only read by ``makemessages``.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

LABEL_SUFFIX = gettext_noop(":")

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "n",
)

LOCKOUT = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
]
