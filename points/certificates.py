"""Service record certificates (志愿服务记录证明): issuing, and the PDF in Chinese.

The PDF embeds a CJK TrueType font (fonts-wqy-zenhei, or the file named by the
CIVIC_CJK_FONT setting), the issuing site's seal image, the verification code and a QR
code that opens the public verification page.
"""

from __future__ import annotations

import io
import secrets
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import qrcode
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from centers.models import Level, Site
from civic import audit, nested
from civic.scope import can
from volunteers.identity import mask_id

from .models import Certificate, Entry, EntryKind, Seal

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register and return the name of the embedded CJK font."""
    configured = getattr(settings, "CIVIC_CJK_FONT", "")
    for path in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if path and Path(path).exists():
            pdfmetrics.registerFont(TTFont("CivicCJK", path, subfontIndex=0))
            return "CivicCJK"
    raise ImproperlyConfigured(
        "No CJK TrueType font found for certificates: install fonts-wqy-zenhei or set CIVIC_CJK_FONT."
    )


def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def issuing_site(volunteer) -> Site:
    """The county center above the volunteer's home site (else the top of their tree)."""
    home = volunteer.home_site
    ancestors = Site.objects.filter(nested.over(home)).order_by(*nested.tree_order())
    return ancestors.filter(level=Level.COUNTY).first() or ancestors.first()


@transaction.atomic
def certificate_issue(*, actor, volunteer, period_start: date, period_end: date) -> Certificate:
    """Issue a certificate of the hours served in a period (the volunteer, or a manager)."""
    own = actor is not None and actor.is_authenticated and volunteer.user_id == actor.pk
    if not (own or can(actor, "manage", volunteer.home_site)):
        raise PermissionDenied(_("Only the volunteer or a manager of their site can issue this."))
    if period_start > period_end:
        raise ValidationError({"period_start": _("The period starts after it ends.")})
    if period_end > timezone.localdate():
        raise ValidationError({"period_end": _("The period cannot end in the future.")})
    sums = Entry.objects.filter(
        account__volunteer=volunteer,
        service_date__range=(period_start, period_end),
        kind__in=[EntryKind.SERVICE, EntryKind.OPENING, EntryKind.ADJUSTMENT, EntryKind.REVERSAL, EntryKind.BONUS,
                  EntryKind.DEDUCTION],
    ).aggregate(hours=Coalesce(Sum("hours"), Decimal("0")), points=Coalesce(Sum("lifetime_delta"), 0))  # fmt: skip
    if sums["hours"] <= 0:
        raise ValidationError(_("No service hours were recorded in this period."))
    certificate = Certificate.objects.create(
        code=new_code(),
        volunteer=volunteer,
        site=issuing_site(volunteer),
        period_start=period_start,
        period_end=period_end,
        hours=sums["hours"],
        points=sums["points"],
        issued_by=actor,
    )
    audit.record(actor=actor, action="certificate.issue", obj=certificate, site_id=volunteer.home_site_id)
    return certificate


def _qr_png(text: str) -> ImageReader:
    image = qrcode.make(text, box_size=6, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as a one-page A4 PDF in Chinese (whatever the page's language)."""
    with translation.override("zh-hans"):
        return _render(certificate, verify_url)


def _render(certificate: Certificate, verify_url: str) -> bytes:
    font = cjk_font()
    volunteer = certificate.volunteer
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle("志愿服务记录证明")
    width, height = A4
    pdf.setLineWidth(1.2)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    pdf.setFont(font, 26)
    pdf.drawCentredString(width / 2, height - 45 * mm, "志愿服务记录证明")
    pdf.setFont(font, 13)
    lines = [
        f"姓名：{volunteer.real_name}",
        f"身份证号：{mask_id(volunteer.id_number or '')}",
        f"服务期间：{certificate.period_start:%Y年%m月%d日} 至 {certificate.period_end:%Y年%m月%d日}",
        f"累计志愿服务时长：{certificate.hours} 小时",
        f"获得积分：{certificate.points}",
        f"所属站点：{volunteer.home_site}",
    ]
    y = height - 70 * mm
    for line in lines:
        pdf.drawString(30 * mm, y, line)
        y -= 10 * mm
    body = (
        f"兹证明 {volunteer.real_name} 同志在上述期间参加新时代文明实践志愿服务，"
        f"经记录累计服务 {certificate.hours} 小时。特此证明。"
    )
    y -= 4 * mm
    for chunk in [body[i : i + 30] for i in range(0, len(body), 30)]:
        pdf.drawString(30 * mm, y, chunk)
        y -= 8 * mm
    pdf.drawRightString(width - 30 * mm, 70 * mm, str(certificate.site))
    pdf.drawRightString(width - 30 * mm, 62 * mm, f"{timezone.localtime(certificate.issued_at):%Y年%m月%d日}")
    seal = Seal.objects.filter(site=certificate.site).first()
    if seal is not None and seal.image:
        with seal.image.open("rb") as handle:
            pdf.drawImage(
                ImageReader(io.BytesIO(handle.read())),
                width - 80 * mm,
                50 * mm,
                40 * mm,
                40 * mm,
                mask="auto",
                preserveAspectRatio=True,
            )
    pdf.drawImage(_qr_png(verify_url), 30 * mm, 30 * mm, 30 * mm, 30 * mm)
    pdf.setFont(font, 10)
    pdf.drawString(65 * mm, 45 * mm, f"验证码：{certificate.code}")
    pdf.drawString(65 * mm, 38 * mm, "扫描二维码或访问验证页面核验真伪")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
