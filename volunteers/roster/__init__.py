"""Volunteer rosters in Excel and CSV: the format, the template, reading, checking, export.

The file format is fixed and Chinese (the column headers are the format, not UI text):
Excel and WPS users fill the downloadable template, or save their own sheet as xlsx or CSV
(UTF-8 with or without BOM, or GBK; read by ``civic.sheets``). An import checks every row
first, then writes in bulk in one transaction; the import itself — store the upload, queue
it, run it, re-queue a dead one — is a write, in ``volunteers.services.roster``, run as a
Celery task (``volunteers.tasks.roster_import``).

- ``columns``: the columns, sheets and words of the format;
- ``template``: the blank template with its sheet of allowed values;
- ``reading``: an upload into rows (``read_rows``), and the check before it is stored;
- ``checking``: every row checked, each good one built (unsaved) into a volunteer;
- ``export``: the volunteer list in the same format.
"""

from .checking import CheckedRow, check_rows, error_report
from .columns import COLUMNS, HEADERS, LABELS, MAX_ROWS, POLITICAL_NAMES, ROSTER_SHEET, VALUES_SHEET
from .export import export_workbook
from .reading import check_upload, read_rows
from .template import template_workbook

__all__ = [
    "COLUMNS",
    "HEADERS",
    "LABELS",
    "MAX_ROWS",
    "POLITICAL_NAMES",
    "ROSTER_SHEET",
    "VALUES_SHEET",
    "CheckedRow",
    "check_rows",
    "check_upload",
    "error_report",
    "export_workbook",
    "read_rows",
    "template_workbook",
]
