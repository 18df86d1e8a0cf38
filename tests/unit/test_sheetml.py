"""The monthly report's workbook (reports/YYYY-MM.xlsx, docs/interfaces.md §4) written
directly by stockplan_cli.sheetml reads back as openpyxl's own writer
(stockplan_cli.desk.write_xlsx) wrote it: the same sheets, cells, formats and layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from stockplan_cli import desk, sheetml
from stockplan_cli.notice_samples import monthly_report_document


def _read(path: Path) -> dict[str, Any]:
    book = load_workbook(path)
    return {
        "title": book.properties.title,
        "sheets": [
            {
                "title": ws.title,
                "freeze": ws.freeze_panes,
                "widths": {k: d.width for k, d in ws.column_dimensions.items()},
                "cells": [
                    [
                        (c.value, c.number_format if c.value is not None else None, c.font.b)
                        for c in r
                    ]
                    for r in ws.iter_rows()
                ],
            }
            for ws in book.worksheets
        ],
    }


def test_the_monthly_workbook_reads_back_as_openpyxl_writes_it(tmp_path: Path) -> None:
    document = monthly_report_document()
    source = tmp_path / "2002-09.json"
    source.write_text(json.dumps(document))
    title = f"stockplan monthly report {document['month']} (made {document['made_on']})"
    expected = desk.write_xlsx(
        tmp_path / "openpyxl.xlsx", desk.monthly_sheets(document), document["made_on"], title
    )
    written = desk.write_monthly_xlsx(source, tmp_path / "2002-09.xlsx")
    assert _read(written) == _read(expected)
    sheets = {s["title"]: s for s in _read(written)["sheets"]}
    cells = sheets["Deadlines (90 days)"]["cells"]
    assert cells[0][0] == ("day", "General", True)  # the header is bold; dates are dates
    assert cells[1][0][1] == "yyyy-mm-dd"


def test_a_workbook_opens_on_the_day_its_figures_are_as_of(tmp_path: Path) -> None:
    """The first sheet says what the workbook is and its "as of" day, as a date cell."""
    document = monthly_report_document()
    source = tmp_path / "2002-09.json"
    source.write_text(json.dumps(document))
    about = _read(desk.write_monthly_xlsx(source, tmp_path / "2002-09.xlsx"))["sheets"][0]
    assert about["title"] == "About"
    header, row = about["cells"]
    assert [c[0] for c in header] == ["report", "as_of"]
    assert row[1][0].date().isoformat() == document["made_on"]
    assert row[1][1] == "yyyy-mm-dd"


def test_the_changes_sheet_has_one_filterable_row_per_changed_field(tmp_path: Path) -> None:
    """Each change is split into field, before and after, with its cause and source, so a
    spreadsheet filter finds every change of one field or one cause."""
    document = monthly_report_document()
    source = tmp_path / "2002-09.json"
    source.write_text(json.dumps(document))
    sheets = {
        s["title"]: s for s in _read(desk.write_monthly_xlsx(source, tmp_path / "m.xlsx"))["sheets"]
    }
    header, *rows = sheets["Changes by cause"]["cells"]
    columns = [c[0] for c in header]
    assert columns[-3:] == ["field", "before", "after"] and "source" in columns
    fields = [
        (r[columns.index("field")][0], r[columns.index("before")][0], r[columns.index("after")][0])
        for r in rows
    ]
    expected = [
        (field, before, after)
        for change in document["changes"]
        for field, (before, after) in change["change"].items()
    ]
    assert fields == expected and len(fields) > len(document["changes"])


def test_column_letters_run_past_z() -> None:
    assert [sheetml.column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
