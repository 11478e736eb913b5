"""Reading the sheets people upload: an xlsx workbook, or a CSV as Excel and WPS save it
(UTF-8 with or without BOM, UTF-16, GBK), into rows of cell texts with their row numbers.

``read_records`` yields the non-empty rows as ``(row number in the file, [cell text, ...])``;
``read_table`` finds the header row (a title row above it is skipped), maps each header to a
column key through ``Headers`` and returns one dict per row, with ``row``. Cell texts are
stripped, NUL bytes, zero-width spaces and BOMs are dropped (PostgreSQL can neither store nor
look up text holding a NUL), and a leading apostrophe (Excel's "keep as text") is removed.
A file that cannot be read is a ``ValidationError`` with a message for the person who
uploaded it, never a server error.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HEADER_SEARCH_ROWS = 10  # the header is looked for among a sheet's first rows
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
SUFFIXES = XLSX_SUFFIXES + CSV_SUFFIXES

Upload = bytes | bytearray | str | Path | IO[bytes] | IO[str]


def cell_text(value: Any) -> str:
    """The text of one cell as a person reads it (a whole float without ``.0``, a date as
    ``2025-12-31``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\x00", "").replace("\u200b", "").replace("\ufeff", "").replace("\xa0", " ").strip()
    return text[1:].strip() if text.startswith("'") else text


def file_bytes(file: Upload) -> bytes:
    """The bytes of an upload, a path or bytes; a file is read from its start."""
    if isinstance(file, (bytes, bytearray)):
        return bytes(file)
    if isinstance(file, (str, Path)):
        return Path(file).read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    return data.encode() if isinstance(data, str) else data


def decode_text(data: bytes) -> str:
    """The text of a CSV as Excel and WPS save it: UTF-8 (BOM or not), UTF-16 or GBK."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK
    except UnicodeDecodeError:
        raise ValidationError(_("The file is neither UTF-8 nor GBK text; save it again as CSV or xlsx.")) from None


def _csv_records(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)


def _xlsx_records(data: bytes, sheet: str | None) -> Iterator[tuple[int, Sequence[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise ValidationError(_("This is not a readable xlsx workbook; save it again as xlsx or CSV.")) from exc
    try:
        ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
    except ValidationError:
        raise
    except Exception as exc:  # a workbook whose sheet XML is broken fails only while it is read
        raise ValidationError(_("This is not a readable xlsx workbook; save it again as xlsx or CSV.")) from exc
    finally:
        wb.close()


def read_records(file: Upload, filename: str = "", *, sheet: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """The non-empty rows of an uploaded sheet — xlsx (the sheet called ``sheet`` if there is
    one, else the first), or CSV in UTF-8 with or without BOM, or GBK — as ``(row number in
    the file, cell texts)``."""
    data = file_bytes(file)
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(b"PK\x03\x04") or suffix in XLSX_SUFFIXES:
        records = _xlsx_records(data, sheet)
    elif data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise ValidationError(_("Old .xls workbooks are not read; save the sheet as xlsx or CSV."))
    else:
        records = _csv_records(data)
    for number, record in records:
        values = [cell_text(v) for v in record]
        if any(values):
            yield number, values


def header_text(text: str) -> str:
    """A header as it is compared: lower case, full-width brackets as ASCII, no ``*``, one space."""
    text = str(text or "").strip().lower().replace("（", "(").replace("）", ")").replace("*", "")
    return re.sub(r"\s+", " ", text)


def _bare(text: str) -> str:
    return re.sub(r"\(.*?\)", "", text).strip()  # 时长(小时) → 时长


@dataclass(frozen=True)
class Headers:
    """The columns a sheet may hold: each key with the header names it may carry (the first
    is the one shown in messages), and the keys a sheet must have. A header matches with or
    without its bracketed part (``所属站点(编码或名称)`` or ``所属站点``)."""

    names: Mapping[str, Sequence[str]]
    required: Sequence[str] = ()
    _index: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for key, names in self.names.items():
            for name in names:
                self._index.setdefault(header_text(name), key)
                self._index.setdefault(_bare(header_text(name)), key)

    def key(self, header: str) -> str | None:
        name = header_text(header)
        return self._index.get(name) or self._index.get(_bare(name))

    def missing(self, keys: Iterable[str | None]) -> list[str]:
        """The shown names of the required columns not among ``keys``."""
        present = set(keys)
        return [self.names[key][0] for key in self.required if key not in present]


def read_table(
    file: Upload,
    filename: str = "",
    *,
    headers: Headers,
    sheet: str | None = None,
    max_rows: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The rows under a sheet's header as dicts keyed by column (every key of ``headers``,
    ``""`` when empty; the first of two columns with one key wins), each with ``row``: its row
    number in the file. The header is the first of the first rows that names every required
    column. ``limit`` stops after so many rows (to check a file before storing it).

    Raises ValidationError for an empty file, a missing header or more than ``max_rows`` rows."""
    keys: list[str | None] | None = None
    first_missing: list[str] | None = None
    rows: list[dict[str, Any]] = []
    for seen, (number, values) in enumerate(read_records(file, filename, sheet=sheet), start=1):
        if keys is None:
            candidate = [headers.key(v) for v in values]
            missing = headers.missing(candidate)
            if not missing:
                keys = candidate
            elif first_missing is None:
                first_missing = missing
            if keys is None and seen >= HEADER_SEARCH_ROWS:
                break
            continue
        if limit is not None and len(rows) >= limit:
            break
        row: dict[str, Any] = {key: "" for key in headers.names}
        for key, value in zip(keys, values):
            if key and value and not row[key]:
                row[key] = value
        row["row"] = number
        rows.append(row)
        if max_rows is not None and len(rows) > max_rows:
            raise ValidationError(_("A sheet holds at most %(n)s rows; split the file.") % {"n": max_rows})
    if keys is None and first_missing is None:
        raise ValidationError(_("The file is empty."))
    if keys is None:
        raise ValidationError(
            _("The header row lacks the columns %(columns)s.") % {"columns": "、".join(first_missing or ())}
        )
    return rows
