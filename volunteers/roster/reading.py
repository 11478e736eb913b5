"""Reading a roster: xlsx or CSV (``civic.sheets``) into one dict per row, keyed by column."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from civic.sheets import Upload, read_table

from .columns import MAX_ROWS, ROSTER_HEADERS, ROSTER_SHEET


def read_rows(file: Upload, filename: str) -> list[dict[str, Any]]:
    """Read a roster (xlsx or CSV) into dicts keyed by column, each with ``row``: its row
    number in the file. Raises ValidationError for a file that cannot be a roster."""
    return read_table(file, filename, headers=ROSTER_HEADERS, sheet=ROSTER_SHEET, max_rows=MAX_ROWS)


def check_upload(file: Upload, filename: str) -> None:
    """Refuse, before anything is stored, a file that is no roster: unreadable, empty, without
    the header, or with no row under it (reads only its first rows)."""
    try:
        rows = read_table(file, filename, headers=ROSTER_HEADERS, sheet=ROSTER_SHEET, limit=1)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    if not rows:
        raise ValidationError({"file": _("The file has no rows under its header.")})
