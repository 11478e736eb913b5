"""Opening entries: past hours from paper ledgers (台账), imported once from xlsx or CSV.

The file format is Chinese (the headers are the format, not UI text): 身份证号, 时长(小时),
积分 (optional: the rule of the as-of date prices the hours when it is empty) and 截至日期.
Files are read by the roster reader (xlsx, or CSV in UTF-8 with or without BOM, or GBK).
Every row is checked first and every problem reported with its row number; only a file
without problems is written, in one transaction, each row through ``points_opening``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from centers.models import Site
from civic import nested
from civic.scope import can
from civic.sheets import read_records
from volunteers.identity import mask_id, normalize_id
from volunteers.models import Volunteer

from .models import Entry

MAX_ROWS = 20_000
MAX_OPENING_POINTS = 10_000_000  # 100,000 hours at 100 points an hour
HEADER_SEARCH_ROWS = 10
COLUMNS = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "id number", "id"),
    "hours": ("时长(小时)", "时长", "服务时长", "小时", "hours"),
    "points": ("积分", "points"),
    "as_of": ("截至日期", "日期", "截止日期", "as of", "date"),
    "note": ("备注", "note"),
}
REQUIRED = ("id_number", "hours", "as_of")
TEMPLATE_HEADERS = ["身份证号", "时长(小时)", "积分", "截至日期", "备注"]


def _norm(text: str) -> str:
    text = str(text or "").strip().lower().replace("（", "(").replace("）", ")").replace("*", "")
    return re.sub(r"\s+", " ", text)


_INDEX = {_norm(alias): key for key, aliases in COLUMNS.items() for alias in aliases}


def _key(header: str) -> str | None:
    name = _norm(header)
    return _INDEX.get(name) or _INDEX.get(re.sub(r"\(.*?\)", "", name).strip())


def read_opening_rows(file, filename: str) -> list[dict]:
    """The rows of a sheet of past hours, each with ``row``: its row number in the file."""
    keys = None
    rows: list[dict] = []
    for seen, (number, values) in enumerate(read_records(file, filename), start=1):
        if keys is None:
            candidate = [_key(v) for v in values]
            if all(k in candidate for k in REQUIRED):
                keys = candidate
            elif seen >= HEADER_SEARCH_ROWS:
                break
            continue
        row = {k: "" for k in COLUMNS}
        for key, value in zip(keys, values):
            if key and value and not row[key]:
                row[key] = value
        row["row"] = number
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ValidationError(_("A sheet holds at most %(n)s rows; split the file.") % {"n": MAX_ROWS})
    if keys is None:
        raise ValidationError(
            _("The header row needs the columns %(columns)s.")
            % {"columns": "、".join(["身份证号", "时长(小时)", "截至日期"])}
        )
    if not rows:
        raise ValidationError(_("The file has no rows under its header."))
    return rows


def _date(text: str) -> date | None:
    text = text.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class OpeningRow:
    row: int
    id_display: str
    errors: list[str] = field(default_factory=list)
    volunteer: Volunteer | None = None
    hours: Decimal | None = None
    points: int | None = None
    as_of: date | None = None
    note: str = ""


@dataclass
class OpeningResult:
    rows: list[OpeningRow]
    written: int = 0

    @property
    def errors(self) -> list[OpeningRow]:
        return [r for r in self.rows if r.errors]


def check_opening_rows(*, actor, scope: Site, rows: list[dict], today: date) -> list[OpeningRow]:
    """Check every row (3 queries whatever the size): the volunteer is found by ID number
    within ``scope``, the hours and points are numbers, the date is not in the future, no ID
    appears twice and nobody has an opening entry already."""
    ids = {normalize_id(r["id_number"]) for r in rows if r["id_number"]}
    found = {
        v.id_number: v
        for v in Volunteer.objects.filter(nested.under(scope, "home_site"), id_number__in=ids).select_related(
            "home_site"
        )
    }
    opened = set(
        Entry.objects.filter(source_key__in=[f"opening:{v.pk}" for v in found.values()]).values_list(
            "account__volunteer_id", flat=True
        )
    )
    seen: dict[str, int] = {}
    checked = []
    for r in rows:
        number = normalize_id(r["id_number"])
        item = OpeningRow(row=r["row"], id_display=mask_id(number) if number else "—", note=r.get("note", "")[:200])
        if not number:
            item.errors.append(_("The ID number is missing."))
        elif number in seen:
            item.errors.append(_("The same ID number is on row %(row)s.") % {"row": seen[number]})
        elif number not in found:
            item.errors.append(_("No volunteer with this ID number in %(site)s.") % {"site": scope})
        else:
            seen[number] = r["row"]
            item.volunteer = found[number]
            if item.volunteer.pk in opened:
                item.errors.append(_("This volunteer already has an opening entry."))
        try:
            item.hours = Decimal(r["hours"].replace(",", "")).quantize(Decimal("0.01"))
            if item.hours < 0 or item.hours > 100_000:
                item.errors.append(_("The hours must be between 0 and 100000."))
        except (InvalidOperation, ValueError):
            item.errors.append(_("The hours are not a number: “%(v)s”.") % {"v": r["hours"]})
        if r["points"]:
            try:
                item.points = int(Decimal(r["points"].replace(",", "")))
                if item.points < 0:
                    item.errors.append(_("The points cannot be negative."))
                elif item.points > MAX_OPENING_POINTS:
                    item.errors.append(_("The points must be at most %(n)s.") % {"n": MAX_OPENING_POINTS})
            except (InvalidOperation, ValueError, OverflowError):
                item.errors.append(_("The points are not a whole number: “%(v)s”.") % {"v": r["points"]})
        item.as_of = _date(r["as_of"]) if r["as_of"] else None
        if item.as_of is None:
            item.errors.append(_("The as-of date is missing or unreadable (write 2025-12-31)."))
        elif item.as_of > today:
            item.errors.append(_("The as-of date is in the future."))
        checked.append(item)
    return checked


def check_importer(*, actor, scope: Site) -> None:
    """Refuse (PermissionDenied) anyone but a manager of ``scope`` before a sheet is read."""
    if not can(actor, "manage", scope):
        raise PermissionDenied(_("Only a manager of %(site)s can import past hours.") % {"site": scope})


def template_csv() -> bytes:
    """A blank sheet of past hours (CSV with a BOM, as Excel opens it)."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADERS) + "\r\n").encode("utf-8")
