"""The one sheet reader: xlsx and CSV as Excel and WPS save them (UTF-8 with or without BOM,
GBK, tabs), NUL bytes dropped, headers mapped with or without their bracketed part, a title
row skipped, rows numbered as in the file, and every unreadable file a message."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from civic.sheets import Headers, cell_text, read_records, read_table

HEADERS = Headers(
    names={"name": ("姓名", "name"), "hours": ("时长(小时)", "hours"), "note": ("备注",)},
    required=("name", "hours"),
)
ROWS = [["姓名", "时长（小时）", "备注"], ["张三", "12.5", ""], ["", "", ""], ["李四", "3", "补录"]]


def as_csv(rows, encoding: str, delimiter=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def as_xlsx(rows, title="Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (as_xlsx(ROWS), "hours.xlsx"),
        (as_csv(ROWS, "utf-8"), "hours.csv"),
        (as_csv(ROWS, "utf-8-sig"), "hours.csv"),
        (as_csv(ROWS, "gbk"), "hours.csv"),
        (as_csv(ROWS, "utf-8", delimiter="\t"), "hours.txt"),
        (as_csv(ROWS, "utf-16"), "hours.csv"),
    ],
    ids=["xlsx", "utf8", "utf8-bom", "gbk", "tabs", "utf16"],
)
def test_every_format_reads_the_same_rows(data, name):
    assert read_table(data, name, headers=HEADERS) == [
        {"name": "张三", "hours": "12.5", "note": "", "row": 2},
        {"name": "李四", "hours": "3", "note": "补录", "row": 4},
    ]
    assert [number for number, _values in read_records(data, name)] == [1, 2, 4]


def test_the_named_sheet_is_read_and_a_title_row_skipped():
    wb = Workbook()
    wb.active.append(["别的表"])
    ws = wb.create_sheet("时长")
    ws.append(["东坪村补录台账"])
    for row in ROWS:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    rows = read_table(out.getvalue(), "t.xlsx", headers=HEADERS, sheet="时长")
    assert [(r["row"], r["name"]) for r in rows] == [(3, "张三"), (5, "李四")]


def test_cells_read_as_a_person_reads_them():
    assert cell_text(12.0) == "12" and cell_text(12.5) == "12.5" and cell_text(True) == "1"
    assert cell_text(datetime(2025, 12, 31, 8)) == "2025-12-31" == cell_text(date(2025, 12, 31))
    assert cell_text("'6107241990\x0005171234 ") == "610724199005171234"
    assert cell_text("\ufeff东坪\u200b村\xa0") == "东坪村"
    data = "姓名,时长(小时)\n张\x00三,1\x002\n".encode()
    assert read_table(data, "n.csv", headers=HEADERS)[0] == {"name": "张三", "hours": "12", "note": "", "row": 2}


def test_limits_and_the_first_of_two_columns():
    data = as_csv([["name", "hours", "姓名"], ["甲", "1", "乙"], ["丙", "2", ""]], "utf-8")
    assert read_table(data, "x.csv", headers=HEADERS, limit=1) == [{"name": "甲", "hours": "1", "note": "", "row": 2}]
    with pytest.raises(ValidationError) as err:
        read_table(data, "x.csv", headers=HEADERS, max_rows=1)
    assert "at most 1 rows" in err.value.messages[0]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "The file is empty."),
        (b"\r\n,,\r\n", "x.csv", "The file is empty."),
        ("备注\n补录\n".encode(), "x.csv", "lacks the columns 姓名、时长(小时)"),
        (b"PK\x03\x04 broken", "x.xlsx", "not a readable xlsx workbook"),
        (b"\xd0\xcf\x11\xe0 old", "x.xls", "Old .xls workbooks"),
        (b"name,hours\n\x80\xff", "x.csv", "neither UTF-8 nor GBK"),
    ],
    ids=["nothing", "blank-lines", "no-header", "broken-xlsx", "xls", "not-text"],
)
def test_an_unreadable_file_is_a_message(data, name, message):
    with pytest.raises(ValidationError) as err:
        read_table(data, name, headers=HEADERS)
    assert message in err.value.messages[0]


def test_a_file_object_is_read_from_its_start(tmp_path):
    path = tmp_path / "hours.csv"
    path.write_bytes(as_csv(ROWS, "gbk"))
    with path.open("rb") as handle:
        handle.read(5)
        assert len(read_table(handle, "hours.csv", headers=HEADERS)) == 2
    assert len(read_table(path, "hours.csv", headers=HEADERS)) == 2
