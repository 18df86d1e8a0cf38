"""A small workbook written directly as SpreadsheetML: the monthly reports' workbooks.

`stockplan demo` writes 125 of them (reports/YYYY-MM.xlsx); openpyxl took about 25 ms of
CPU each (its XML writer is pure Python and each worksheet goes through a temporary
file), 3 s of the ten-year demo (issue 17). This writes the same workbook as
stockplan_cli.desk.write_xlsx (tests/e2e/test_monthly_reports.py reads it with
openpyxl): a bold header row frozen above the rest, dates as dates (yyyy-mm-dd), money
as numbers (#,##0.00####), each column as wide as its longest text (at most 60), and
the title in the document's properties. Strings are written inline (no shared-string
table), which every reader of the format accepts.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# Cell styles (cellXfs of styles.xml): plain, bold header, date, money.
PLAIN, BOLD, DATE, MONEY = 0, 1, 2, 3
_EPOCH = date(1899, 12, 30)  # serial day 0 of the 1900 date system

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG = "http://schemas.openxmlformats.org/package/2006"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_TYPE = "application/vnd.openxmlformats-"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="{_TYPE}package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" '
    f'ContentType="{_TYPE}officedocument.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" '
    f'ContentType="{_TYPE}officedocument.spreadsheetml.styles+xml"/>'
    f'<Override PartName="/docProps/core.xml" '
    f'ContentType="{_TYPE}package.core-properties+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    f'ContentType="{_TYPE}officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG}/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/></Relationships>'
)
_CORE = (
    f'{_XML}<cp:coreProperties xmlns:cp="{_PKG}/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
    "</cp:coreProperties>"
)
_WORKBOOK = (
    f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    "<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>"
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    "{sheets}"
    f'<Relationship Id="rIdStyles" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_SHEET_REL = (
    '<Relationship Id="rId{n}" Type="' + _REL + '/worksheet" Target="worksheets/sheet{n}.xml"/>'
)
_XF = '<xf numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="0" xfId="0"{apply}/>'
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="#,##0.00####"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="4">'
    + _XF.format(fmt=0, font=0, apply="")
    + _XF.format(fmt=0, font=1, apply=' applyFont="1"')
    + _XF.format(fmt=164, font=0, apply=' applyNumberFormat="1"')
    + _XF.format(fmt=165, font=0, apply=' applyNumberFormat="1"')
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_SHEET = (
    f'{_XML}<worksheet xmlns="{_MAIN}">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    "<cols>{cols}</cols><sheetData>{rows}</sheetData></worksheet>"
)


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: Any, style: int) -> str:
    if value is None:
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{style}"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, int | float | Decimal):
        number = float(value) if isinstance(value, Decimal) else value
        return f'<c r="{ref}" s="{style}"><v>{number}</v></c>'
    text = escape(str(value))
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet_xml(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    styles: Sequence[int],
    widths: Sequence[float],
) -> str:
    letters = [column_letter(i) for i in range(1, len(columns) + 1)]
    header = "".join(_cell(f"{c}1", name, BOLD) for c, name in zip(letters, columns, strict=True))
    lines = [f'<row r="1">{header}</row>']
    for number, row in enumerate(rows, start=2):
        cells = "".join(
            _cell(f"{c}{number}", v, s) for c, v, s in zip(letters, row, styles, strict=True)
        )
        lines.append(f'<row r="{number}">{cells}</row>')
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    return _SHEET.format(cols=cols, rows="".join(lines))


def write_workbook(
    file: Path,
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
    title: str,
    style_of: Callable[[str], int],
    text_of: Callable[[Any], str],
) -> Path:
    """`sheets`: (title, columns, rows) each; `style_of(column)` one of PLAIN, DATE,
    MONEY for its cells; `text_of(value)` the text a column's width is measured by."""
    parts: dict[str, str] = {}
    entries, relations, types = [], [], []
    for n, (name, columns, rows) in enumerate(sheets, start=1):
        widths = [
            min(max([len(column), *(len(text_of(r[i])) for r in rows)]) + 2, 60)
            for i, column in enumerate(columns)
        ]
        styles = [style_of(c) for c in columns]
        parts[f"xl/worksheets/sheet{n}.xml"] = _sheet_xml(columns, rows, styles, widths)
        entries.append(f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>')
        relations.append(_SHEET_REL.format(n=n))
        types.append(_SHEET_TYPE.format(n=n))
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES.format(sheets="".join(types)),
        "_rels/.rels": _ROOT_RELS,
        "docProps/core.xml": _CORE.format(title=escape(title)),
        "xl/workbook.xml": _WORKBOOK.format(sheets="".join(entries)),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.format(sheets="".join(relations)),
        "xl/styles.xml": _STYLES,
        **parts,
    }
    file.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return file
