"""Images the pages serve: QR codes (SVG for the screen, Pillow for the poster) and the
poster PNG for WeChat groups, drawn with the CJK font the certificates embed."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from points.certificates import FONT_CANDIDATES

POSTER_SIZE = (1080, 1440)  # 3:4, what a phone shows whole in a WeChat group
RED, INK, MUTED, PAPER = (179, 38, 30), (28, 27, 31), (95, 91, 98), (255, 253, 249)


def qr_svg(text: str) -> bytes:
    """A QR code of ``text`` as SVG (paths only: no script, no style attribute)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    """The SVG QR code of ``text`` as a ``data:`` address for an ``<img>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode("ascii")


def qr_pil(text: str, side: int) -> Image.Image:
    image = qrcode.make(text, box_size=10, border=2).get_image().convert("RGB")
    return image.resize((side, side), Image.Resampling.NEAREST)


@lru_cache(maxsize=1)
def font_path() -> str:
    """The CJK TrueType font: the CIVIC_CJK_FONT setting, else the one the certificates use."""
    configured = getattr(settings, "CIVIC_CJK_FONT", "")
    for path in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if path and Path(path).exists():
            return path
    raise ImproperlyConfigured("No CJK TrueType font found: install fonts-wqy-zenhei or set CIVIC_CJK_FONT.")


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(), size, index=0)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels (CJK text breaks anywhere)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if draw.textlength(line + char, font=font) > width and line:
                lines.append(line)
                line = char
            else:
                line += char
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def poster_png(*, title: str, when: str, place: str, site: str, call: str, link: str) -> bytes:
    """The poster as a PNG: the site, the title, time and place, and the sign-up QR code with
    ``call`` ("scan to sign up") under it."""
    width, height = POSTER_SIZE
    image = Image.new("RGB", POSTER_SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 170), fill=RED)
    margin = 70
    head = _font(44)
    draw.text((margin, 62), site, font=head, fill=(255, 255, 255))
    y = 230
    big = _font(72)
    for line in _wrapped(draw, title, big, width - 2 * margin, 3):
        draw.text((margin, y), line, font=big, fill=INK)
        y += 96
    y += 30
    body = _font(46)
    for line in [when, *_wrapped(draw, place, body, width - 2 * margin, 2)]:
        if line:
            draw.text((margin, y), line, font=body, fill=INK)
            y += 66
    side = 520
    code = qr_pil(link, side)
    top = max(y + 40, height - side - 190)
    image.paste(code, ((width - side) // 2, top))
    small = _font(42)
    text_width = draw.textlength(call, font=small)
    draw.text(((width - text_width) / 2, top + side + 30), call, font=small, fill=MUTED)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def when_text(activity) -> str:
    """``2026-03-15 09:00–11:00`` (or with the end's date when it ends on another day)."""
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    tail = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M")
    return f"{start:%Y-%m-%d %H:%M}–{tail}"
