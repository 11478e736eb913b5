"""Service record certificates: issued from the ledger, a real PDF with a CJK font, verifiable."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from PIL import Image

from points import certificates, services
from points.models import Seal
from tests import factories

pytestmark = pytest.mark.django_db


def seal_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 0, 0, 180)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_certificate_carries_the_hours_of_its_period(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    v = factories.volunteer(world.village_head, world.village, real_name="孙八")
    for key, hours, day in [("c1", 2, date(2025, 3, 1)), ("c2", "3.5", date(2025, 7, 1)), ("c3", 4, date(2026, 1, 2))]:
        services.points_credit(
            actor=world.admin, volunteer=v, source_key=key, hours=hours, site=world.village, service_date=day
        )
    Seal.objects.create(site=world.county, image=ContentFile(seal_png(), name="seal.png"))
    with pytest.raises(PermissionDenied):
        services.certificate_issue(
            actor=world.outsider, volunteer=v, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)
        )
    with pytest.raises(ValidationError):
        services.certificate_issue(
            actor=world.village_head, volunteer=v, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31)
        )
    cert = services.certificate_issue(
        actor=world.village_head, volunteer=v, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)
    )
    assert str(cert.hours) == "5.50" and cert.points == 55 and cert.site == world.county
    assert len(cert.code) == 12
    pdf = certificates.certificate_pdf(cert, f"https://civic.example.org/verify/{cert.code}/")
    assert pdf.startswith(b"%PDF")
    assert b"FontFile2" in pdf  # the TrueType font is embedded
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf
