"""The blank roster template, with a sheet of the values its columns allow."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from centers.models import Site
from centers.selectors import platforms_for

from ..models import SourceGroup
from .columns import COLUMNS, HEADERS, MAX_ROWS, POLITICAL_NAMES, ROSTER_SHEET, VALUES_SHEET

TEXT_COLUMNS = ("id_number", "phone", "emergency_phone", "guardian_phone", "national_number", "site")


def _political_choices() -> list[str]:
    return [names[0] for names in POLITICAL_NAMES.values()]


def template_workbook(*, site: Site | None = None) -> bytes:
    """The blank roster template: the header row, and a sheet of allowed values (the
    platforms offered at ``site``, or those offered everywhere)."""
    wb = Workbook()
    ws = wb.active
    ws.title = ROSTER_SHEET
    ws.append([c.header for c in COLUMNS])
    ws.freeze_panes = "A2"
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.key in TEXT_COLUMNS:
            ws.column_dimensions[letter].number_format = "@"  # keep 18-digit IDs as text in Excel
    groups = list(SourceGroup.objects.filter(is_active=True).values_list("name", flat=True))
    platforms = list(platforms_for(site).order_by("sort_order", "id").values_list("name", flat=True))
    values = wb.create_sheet(VALUES_SHEET)
    lists = [(HEADERS["political_status"], _political_choices()), (HEADERS["source_group"], groups)]
    lists.append((HEADERS["skills"], platforms))
    for col, (title, items) in enumerate(lists, start=1):
        values.cell(row=1, column=col, value=title)
        values.column_dimensions[get_column_letter(col)].width = 20
        for row, item in enumerate(items, start=2):
            values.cell(row=row, column=col, value=item)
    notes = [
        _("One volunteer per row; do not change the header row."),
        _("Site: the official code or the name of the village or township."),
        _("Skills: service platforms from this sheet, separated by commas."),
        _("A volunteer under 18 needs a guardian."),
    ]
    values.cell(row=1, column=len(lists) + 2, value=_("Notes"))
    for row, note in enumerate(notes, start=2):
        values.cell(row=row, column=len(lists) + 2, value=note)
    values.column_dimensions[get_column_letter(len(lists) + 2)].width = 60
    for key, col, items in (("political_status", 1, lists[0][1]), ("source_group", 2, groups)):
        if items:
            letter = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
            ref = f"'{VALUES_SHEET}'!${get_column_letter(col)}$2:${get_column_letter(col)}${len(items) + 1}"
            check = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=False)
            check.add(f"{letter}2:{letter}{MAX_ROWS}")
            ws.add_data_validation(check)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
