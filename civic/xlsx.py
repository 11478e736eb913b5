"""Fast xlsx writing for large exports (rosters, service records, reports)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

from openpyxl.utils import get_column_letter


class XlsxSheet:
    """A one-sheet xlsx written straight as SpreadsheetML: text, whole numbers and dates.

    openpyxl spends about 20 µs a cell (7 s for a 20,000-row roster, 3.7 s even with lxml);
    writing the XML directly takes a tenth of that. The template, which needs data
    validation, is still made with openpyxl."""

    PLAIN, DATE, BOLD = 0, 1, 2
    _NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    _REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    _ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    _EPOCH = date(1899, 12, 30)

    def __init__(self, title: str, *, widths: tuple[int, ...] = ()):
        self.title = title
        self.widths = widths
        self.parts: list[str] = []
        self.count = 0
        self.letters = [get_column_letter(i) for i in range(1, 65)]

    def _text(self, value: str) -> str:
        value = self._ILLEGAL.sub("", value)
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def append(self, values, *, style: int = PLAIN) -> None:
        self.count += 1
        n = self.count
        cells = []
        for letter, value in zip(self.letters, values):
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, date, str)):
                value = str(value)
            if isinstance(value, str):
                cells.append(f'<c r="{letter}{n}" s="{style}" t="inlineStr"><is><t>{self._text(value)}</t></is></c>')
            elif isinstance(value, date):
                value = value.date() if isinstance(value, datetime) else value
                cells.append(f'<c r="{letter}{n}" s="{self.DATE}"><v>{(value - self._EPOCH).days}</v></c>')
            else:
                cells.append(f'<c r="{letter}{n}" s="{style}"><v>{value}</v></c>')
        self.parts.append(f'<row r="{n}">{"".join(cells)}</row>')

    def getvalue(self) -> bytes:
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(self.widths, start=1)
        )
        sheet = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {self._NS}>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>{''.join(self.parts)}</sheetData></worksheet>"
        )
        files = {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                '<Override PartName="/xl/styles.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
            ),
            "_rels/.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{self._REL}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
            "xl/workbook.xml": (
                f'<workbook {self._NS} xmlns:r="{self._REL}"><sheets>'
                f'<sheet name="{self._text(self.title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{self._REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                f'<Relationship Id="rId2" Type="{self._REL}/styles" Target="styles.xml"/></Relationships>'
            ),
            "xl/styles.xml": (
                f'<styleSheet {self._NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
                '</numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
                '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2">'
                '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
                '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
            ),
            "xl/worksheets/sheet1.xml": sheet,
        }
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=4) as archive:
            for name, text in files.items():
                archive.writestr(name, text.encode("utf-8"))
        return out.getvalue()
