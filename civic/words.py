"""Words Django itself says, as the Chinese interface must say them.

makemessages only gathers the strings of this project's own code; listing Django's here
keeps them in the project's catalogue, which Django reads before its own. Chinese text
takes full-width punctuation: a form label ends in "：", not ":".
"""

from django.utils.translation import gettext_noop

DJANGO_WORDS = (
    gettext_noop(":"),  # the suffix of every form label (django.forms.Form.label_suffix)
)
