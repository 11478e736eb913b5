"""The printable poster of an activity: an A4 page for printing and a PNG for WeChat groups,
each with the title, time, place and the sign-up QR code."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from ..images import poster_png, qr_data_uri, when_text
from ..links import signup_link
from .common import ActivityPage


class PosterView(ActivityPage):
    """The poster as a page: printed on A4 (the page's print style leaves out everything else)."""

    scope_action = "view"
    template_name = "activities/poster.html"

    def get(self, request, pk):
        link = signup_link(request, self.activity)
        return self.render(when=when_text(self.activity), link=link, qr=qr_data_uri(link))


class PosterImageView(ActivityPage):
    """The poster as a PNG to send to a WeChat group."""

    scope_action = "view"

    def get(self, request, pk):
        activity = self.activity
        data = poster_png(
            title=activity.title,
            when=when_text(activity),
            place=activity.place or activity.site.display_name,
            site=activity.site.display_name,
            call=_("Scan to sign up"),
            link=signup_link(request, activity),
        )
        response = HttpResponse(data, content_type="image/png")
        response["Content-Disposition"] = f'inline; filename="poster-{activity.pk}.png"'
        response["Cache-Control"] = "private, max-age=300"
        return response
