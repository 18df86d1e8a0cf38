"""The monthly reports in `stockplan simulate`'s outputs (docs/interfaces.md §4; issue 16): the
demo scenario up to 2002-10-01, the first business day of October 2002, on which
nothing happens (no feed, no rule), so the report of September made that morning and
report.json (the state after that day's run) hold the same pools.

The workbook reports/YYYY-MM.xlsx is opened with openpyxl and checked against its
.json and, for September 2002, against report.json and audit.jsonl."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

import pytest
from e2e_support import ADMIN, Run, simulate
from once import made_once

from stockplan.service.periodic import SECTION_COLUMNS, section_rows
from stockplan_cli.desk import MONTHLY_TITLES
from stockplan_cli.embedded import project_root

START, END = "1999-07-01", "2002-10-01"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = made_once(
        tmp_path_factory,
        "monthly-reports",
        lambda out: simulate(project_root() / "scenarios" / "demo", START, END, out),
    )
    from e2e_support import read_outputs

    return read_outputs(folder)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return "" if value is None else value


def _plain(value: Any) -> Any:
    return "" if value is None else value


def test_every_month_since_the_first_is_reported_once_with_its_four_files(run: Run) -> None:
    reports = run.out / "reports"
    months = sorted(p.stem for p in reports.glob("*.json"))
    # July 1999 (the first month with a grant) to September 2002.
    assert months[0] == "1999-07" and months[-1] == "2002-09" and len(months) == 39
    for month in months:
        for suffix in (".html", ".csv", ".xlsx"):
            assert (reports / f"{month}{suffix}").is_file(), f"{month}{suffix}"
    mails = [m for m in run.periodic if m.subject.startswith("Monthly report")]
    assert [m.subject[15:22] for m in mails] == months
    assert {m.to for m in mails} == {ADMIN}
    made = {m.subject[15:22]: m.day for m in mails}
    assert made["2002-09"] == date(2002, 10, 1) and made["2001-08"] == date(2001, 9, 4)


def test_the_workbook_holds_the_figures_of_the_json_sheet_by_sheet(run: Run) -> None:
    from openpyxl import load_workbook

    for month in ("1999-07", "2001-12", "2002-09"):
        document = json.loads((run.out / "reports" / f"{month}.json").read_text())
        book = load_workbook(run.out / "reports" / f"{month}.xlsx")
        rows = section_rows(document)
        assert book.sheetnames == ["About", *(MONTHLY_TITLES[name] for name in rows)]
        assert book["About"]["B2"].value.date().isoformat() == document["made_on"]
        for name, records in rows.items():
            sheet = book[MONTHLY_TITLES[name]]
            cells = [[_cell(c) for c in r] for r in sheet.iter_rows(values_only=True)]
            assert tuple(cells[0]) == SECTION_COLUMNS[name]
            expected = [[_plain(r.get(c)) for c in SECTION_COLUMNS[name]] for r in records]
            assert cells[1:] == expected, f"{month} {name}"


def test_septembers_workbook_agrees_with_report_json_and_the_audit_trail(run: Run) -> None:
    from openpyxl import load_workbook

    book = load_workbook(run.out / "reports" / "2002-09.xlsx")
    pools = [
        dict(zip(SECTION_COLUMNS["pools"], r, strict=True))
        for r in book[MONTHLY_TITLES["pools"]].iter_rows(min_row=2, values_only=True)
    ]
    for plan, figures in run.report["pools"].items():
        last = [p for p in pools if p["plan"] == plan and p["month"] == "2002-09"]
        assert len(last) == 1
        assert {k: last[0][k] for k in figures} == figures, plan
    # 24 months of each plan; those before the first report (July 1999) kept nothing.
    assert len(pools) == 48
    assert all(p["reserved"] is None for p in pools if p["month"] < "1999-07")
    assert all(p["reserved"] is not None for p in pools if p["month"] >= "1999-07")

    trail = [json.loads(line) for line in (run.out / "audit.jsonl").read_text().splitlines()]
    september = [t for t in trail if t["day"].startswith("2002-09")]
    changes = list(book[MONTHLY_TITLES["changes"]].iter_rows(min_row=2, values_only=True))
    # One row per changed field of each of the month's audit records.
    assert len(changes) == sum(len(t["change"]) for t in september)

    # Every exercise deadline listed is an open award's in report.json.
    awards = {a["award_id"]: a for a in run.report["awards"]}
    columns = SECTION_COLUMNS["deadlines"]
    for row in book[MONTHLY_TITLES["deadlines"]].iter_rows(min_row=2, values_only=True):
        due = dict(zip(columns, row, strict=True))
        assert date(2002, 10, 1) <= due["day"].date() <= date(2002, 12, 30)
        if due["what"] == "exercise deadline":
            award = awards[due["ref"]]
            assert award["exercise_deadline"] == due["day"].date().isoformat()
            assert award["status"] == "outstanding"


def test_the_csv_and_the_html_have_every_row(run: Run) -> None:
    document = json.loads((run.out / "reports" / "2002-09.json").read_text())
    text = (run.out / "reports" / "2002-09.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == sum(len(r) for r in section_rows(document).values())
    page = (run.out / "reports" / "2002-09.html").read_text()
    assert page.count('<g class="month"') == 48
    assert "<script" not in page
    for deadline in document["deadlines"]:
        assert deadline["ref"] in page


def test_annual_statements_go_to_holders_in_the_first_business_week(run: Run) -> None:
    statements = [m for m in run.periodic if m.subject.startswith("Annual statement")]
    assert statements
    days = {m.day for m in statements}
    assert days == {date(2000, 1, 3), date(2001, 1, 2), date(2002, 1, 2)}
    for mail in statements:
        assert mail.subject.startswith(f"Annual statement {mail.day.year}: ")
        assert mail.to != ADMIN
    # One a year per participant; none among the rules' notices.
    keys = [(m.to, m.day.year) for m in statements]
    assert len(keys) == len(set(keys))
    assert not any(m.subject.startswith(("Annual statement", "Monthly report")) for m in run.mails)
