"""Service record certificates (志愿服务记录证明) as a PDF in Chinese (they are issued by
``points.services.certificate_issue``).

The PDF embeds a CJK TrueType font (fonts-wqy-zenhei, or the file named by the
CIVIC_CJK_FONT setting), the issuing site's seal image, the verification code and a QR
code that opens the public verification page at the configured public address
(``civic.links.public_url``), whatever host the download came in on.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import qrcode
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone, translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from civic.links import public_url
from volunteers.identity import mask_id

from .models import Certificate, Seal

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


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


def verify_url(certificate: Certificate) -> str:
    """The address printed on the certificate (as text and as a QR code): its public check."""
    return public_url(reverse("verify:code", args=[certificate.code]))


def _qr_png(text: str) -> ImageReader:
    image = qrcode.make(text, box_size=6, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def certificate_pdf(certificate: Certificate, link: str | None = None) -> bytes:
    """The certificate as a one-page A4 PDF in Chinese (whatever the page's language); its QR
    code opens ``link`` (default: its public check, ``verify_url``)."""
    with translation.override("zh-hans"):
        return _render(certificate, link or verify_url(certificate))


def _render(certificate: Certificate, link: str) -> bytes:
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
    pdf.drawImage(_qr_png(link), 30 * mm, 30 * mm, 30 * mm, 30 * mm)
    pdf.setFont(font, 10)
    pdf.drawString(65 * mm, 45 * mm, f"验证码：{certificate.code}")
    pdf.drawString(65 * mm, 38 * mm, "扫描二维码或访问验证页面核验真伪")
    pdf.drawString(65 * mm, 31 * mm, link)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
