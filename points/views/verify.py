"""The public check of a certificate (no login, no scope): genuine or not, and its figures
with the name masked. A code is found however it was typed (``selectors.certificate_by_code``);
a lookup counts against the same limit as the API's."""

from __future__ import annotations

from django.shortcuts import redirect, render

from civic.people import mask_name
from civic.throttle import throttled

from .. import selectors
from ..forms import VerifyForm
from ..throttles import CertificateVerifyThrottle


def verify(request, code=None):
    """Anyone checks a certificate by its code: genuine or not, and its figures."""
    if code is None:
        form = VerifyForm(request.GET or None)
        if form.is_valid():
            return redirect("verify:code", code=form.cleaned_data["code"])
        return render(request, "points/verify.html", {"form": form})
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return render(request, "points/verify.html", {"form": VerifyForm(), "unknown": code[:16]}, status=404)
    return render(
        request,
        "points/verify.html",
        {"form": VerifyForm(), "certificate": certificate, "name": mask_name(certificate.volunteer.real_name)},
    )


verify_code = throttled(CertificateVerifyThrottle)(verify)
