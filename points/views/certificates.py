"""Service certificates — a volunteer's own, or issued by a manager for a volunteer of their
area — their PDF, and the seal a site stamps on them."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic.views import ScopedObjectView, ServiceFormView, paginate

from .. import selectors, services
from ..certificates import certificate_pdf
from ..forms import CertificateForm, SealForm
from ..models import Certificate, Seal
from .common import LIST_PER_PAGE, ManageOnWrite, SiteView, file_response
from .manage import VolunteerView


class CertificatesBase(ServiceFormView):
    """Issue and list one volunteer's certificates (``self.volunteer``)."""

    template_name = "points/certificates.html"
    form_class = CertificateForm

    def get_context_data(self, **context):
        rows = Certificate.objects.filter(volunteer=self.volunteer).select_related("site").order_by("-issued_at")
        return super().get_context_data(
            volunteer=self.volunteer,
            page=paginate(self.request, rows, LIST_PER_PAGE),
            can_issue=self.volunteer is not None and selectors.may_issue_certificate(self.request.user, self.volunteer),
            **context,
        )

    def write(self, form):
        data = form.cleaned_data
        return services.certificate_issue(
            actor=self.request.user,
            volunteer=self.volunteer,
            period_start=data["period_start"],
            period_end=data["period_end"],
        )

    def get_success_message(self, result) -> str:
        return _("Certificate %(code)s issued.") % {"code": result.code}

    def get_success_url(self, result) -> str:
        return self.request.path


class MyCertificatesView(CertificatesBase):
    """The volunteer's own certificates: they issue one for themself."""

    own_records = True

    def get_object(self):
        self.volunteer = selectors.volunteer_of(self.request.user)
        return None

    def get(self, request, *args, **kwargs):
        if self.volunteer is None:
            return self.render()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.volunteer is None:
            return self.render()
        return super().post(request, *args, **kwargs)


class VolunteerCertificatesView(ManageOnWrite, CertificatesBase, VolunteerView):
    """A volunteer's certificates for those who see them; a manager of their home site
    issues one."""


class CertificatePdfView(ScopedObjectView):
    """The certificate as a PDF, its QR code on the public address (``civic.links``)."""

    model = Certificate
    scope_action = "view"

    def get_base_queryset(self):
        return Certificate.objects.select_related("volunteer__home_site", "site")

    def get(self, request, pk):
        response = HttpResponse(certificate_pdf(self.object), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="certificate-{self.object.code}.pdf"'
        return response


class SealView(ManageOnWrite, ServiceFormView, SiteView):
    """The seal a site stamps on its certificates: managers upload it."""

    template_name = "points/seal.html"
    form_class = SealForm
    success_message = gettext_lazy("Seal saved.")

    def get_context_data(self, **context):
        return super().get_context_data(
            current=Seal.objects.filter(site=self.site).first(),
            can_manage=selectors.may_manage(self.request.user, self.site),
            **context,
        )

    def write(self, form):
        return services.seal_save(actor=self.request.user, site=self.site, image=form.cleaned_data["image"])

    def get_success_url(self, result) -> str:
        return reverse("points:seal", args=[self.site.pk])


class SealImageView(SiteView):
    scope_action = "view"

    def get(self, request, site_pk):
        current = Seal.objects.filter(site=self.site).first()
        return file_response(current.image if current else None)
