"""Past hours from paper ledgers: a sheet checked row by row, written only if every row is
right (``services.opening_import``), and a blank template."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from civic.views import ServiceFormView, form_errors_from

from .. import opening, services
from ..forms import OpeningForm
from .common import SiteView


class OpeningView(ServiceFormView, SiteView):
    """Past hours from paper ledgers: every row checked first, all reported by row number."""

    scope_action = "manage"
    template_name = "points/opening.html"
    form_class = OpeningForm

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            response = HttpResponse(opening.template_csv(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="opening-hours.csv"'
            return response
        return super().get(request, *args, **kwargs)

    def write(self, form):
        upload = form.cleaned_data["file"]
        return services.opening_import(
            actor=self.request.user, site=self.site, file=upload, filename=upload.name, today=timezone.localdate()
        )

    def form_valid(self, form):
        """The result is shown on the page itself: the rows with problems, or what was written."""
        try:
            result = self.run(form)
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        if result.written:
            messages.success(self.request, _("Imported %(n)s opening entries.") % {"n": result.written})
        return self.render(form=form, result=result)
