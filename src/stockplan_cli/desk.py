"""The administrator's desk: `stockplan report` as tables, CSV files and a workbook.

The same five sheets everywhere, each a row per record with the keys of report.json
(docs/interfaces.md §3) as column names, and the participant's name beside every
participant id:

- ``awards``: report.json ``awards``;
- ``deferred_stock``: report.json ``deferred_stock``;
- ``pools``: report.json ``pools``, a row per plan;
- ``upcoming``: exercise deadlines, reminders and deferred-stock issues due in the next
  DAYS days (`stockplan.service.report.upcoming`);
- ``undelivered_notices``: notices bounced, complained about or failed (no address).

CSV (`--csv FILE`): one file per sheet, ``<FILE without .csv>-<sheet>.csv`` beside
FILE (``--csv state.csv`` writes ``state-awards.csv``, ``state-deferred_stock.csv``,
``state-pools.csv``, ``state-upcoming.csv``, ``state-undelivered_notices.csv``), UTF-8
with a byte-order mark so Excel reads names right, dates ``YYYY-MM-DD``, money as exact
decimals. XLSX (`--xlsx FILE`, openpyxl): one workbook, a worksheet per sheet, dates as
dates and figures as numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from stockplan.service.periodic import SECTION_COLUMNS

AWARD_COLUMNS = (
    "award_id",
    "participant_id",
    "participant_name",
    "plan",
    "award_type",
    "grant_date",
    "exercise_price",
    "final_exercise_date",
    "shares_granted",
    "shares_exercised",
    "shares_forfeited",
    "shares_expired",
    "shares_outstanding",
    "exercisable_shares",
    "exercise_deadline",
    "status",
    # Code §422(d): the ISO shares and those over the $100,000 limit (report.json's).
    "iso_shares",
    "nso_shares",
    # 1998 §6.a.(9): performance awards' certified and awaiting shares (blank otherwise).
    "shares_certified",
    "shares_awaiting_certification",
)
DEFERRED_COLUMNS = (
    "participant_id",
    "participant_name",
    "fee_type",
    "fee_date",
    "amount",
    "fair_market_value",
    "award_date",
    "shares",
    "cash_in_lieu",
    "issue_date",
    "status",
)
POOL_COLUMNS = ("plan", "reserved", "outstanding", "delivered", "available")
# The monthly report's columns, so the desk and the report list the same fields.
UPCOMING_COLUMNS = SECTION_COLUMNS["deadlines"]
UNDELIVERED_COLUMNS = (*SECTION_COLUMNS["undelivered"], "reported_on")
DATE_KEYS = {
    "grant_date",
    "final_exercise_date",
    "exercise_deadline",
    "fee_date",
    "award_date",
    "issue_date",
    "day",
    "send_on",
    "reported_on",
    "as_of",
}
MONEY_KEYS = {"exercise_price", "amount", "fair_market_value", "cash_in_lieu"}


@dataclass(frozen=True)
class Sheet:
    name: str  # file suffix and JSON key
    title: str  # worksheet title
    columns: tuple[str, ...]
    rows: list[list[Any]]  # typed: int, Decimal, date, str or None


def about_sheet(title: str, as_of: str) -> Sheet:
    """A workbook's first sheet: what it is and the day its figures are as of, as a date
    cell (the sheets after it hold figures, not their day)."""
    return Sheet("about", "About", ("report", "as_of"), [[title, date.fromisoformat(as_of)]])


def _typed(key: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if key in DATE_KEYS:
        return date.fromisoformat(str(value))
    if key in MONEY_KEYS:
        return Decimal(str(value))
    return value


def _rows(records: list[dict[str, Any]], columns: tuple[str, ...]) -> list[list[Any]]:
    return [[_typed(c, r.get(c)) for c in columns] for r in records]


def with_names(records: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """Each record with `participant_name` beside its `participant_id`."""
    return [
        {**r, "participant_name": names.get(r.get("participant_id") or "", "")} for r in records
    ]


def sheets(
    report: dict[str, Any],
    names: dict[str, str],
    upcoming: list[dict[str, Any]],
    undelivered: list[dict[str, Any]],
) -> list[Sheet]:
    pools = [{"plan": plan, **figures} for plan, figures in report["pools"].items()]
    upcoming_rows = [{**u, "participant_name": u.get("name", "")} for u in upcoming]
    return [
        Sheet(
            "awards",
            "Awards",
            AWARD_COLUMNS,
            _rows(with_names(report["awards"], names), AWARD_COLUMNS),
        ),
        Sheet(
            "deferred_stock",
            "Deferred stock",
            DEFERRED_COLUMNS,
            _rows(with_names(report["deferred_stock"], names), DEFERRED_COLUMNS),
        ),
        Sheet("pools", "Pools", POOL_COLUMNS, _rows(pools, POOL_COLUMNS)),
        Sheet("upcoming", "Upcoming", UPCOMING_COLUMNS, _rows(upcoming_rows, UPCOMING_COLUMNS)),
        Sheet(
            "undelivered_notices",
            "Undelivered notices",
            UNDELIVERED_COLUMNS,
            _rows(with_names(undelivered, names), UNDELIVERED_COLUMNS),
        ),
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def csv_paths(file: Path) -> dict[str, Path]:
    """Where `--csv FILE` writes each sheet."""
    stem = file.name.removesuffix(".csv")
    return {
        name: file.with_name(f"{stem}-{name}.csv")
        for name in ("awards", "deferred_stock", "pools", "upcoming", "undelivered_notices")
    }


def write_csv(file: Path, tables: list[Sheet]) -> list[Path]:
    paths = csv_paths(file)
    written = []
    for sheet in tables:
        path = paths[sheet.name]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(sheet.columns)
            writer.writerows([_text(v) for v in row] for row in sheet.rows)
        written.append(path)
    return written


def write_xlsx(file: Path, tables: list[Sheet], as_of: str, title: str | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    book.properties.title = title or f"stockplan report as of {as_of}"
    bold = Font(bold=True)
    for sheet in [about_sheet(book.properties.title, as_of), *tables]:
        ws = book.create_sheet(sheet.title)
        ws.append(list(sheet.columns))
        for cell in ws[1]:
            cell.font = bold
        for row in sheet.rows:
            ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            if column in DATE_KEYS:
                fmt = "yyyy-mm-dd"
            elif column in MONEY_KEYS:
                fmt = "#,##0.00####"
            else:
                fmt = None
            if fmt is not None:
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = fmt
            widest = max([len(column), *(len(_text(r[index - 1])) for r in sheet.rows)])
            ws.column_dimensions[letter].width = min(widest + 2, 60)
        ws.freeze_panes = "A2"
    file.parent.mkdir(parents=True, exist_ok=True)
    book.save(file)
    return file


# --- tables for people -------------------------------------------------------------------


def _table(header: tuple[str, ...], rows: Sequence[Sequence[str]]) -> list[str]:
    every = [header, *rows]
    widths = [max(len(r[i]) for r in every) for i in range(len(header))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in every]


def _weekday(day: str | None) -> str:
    """A day for people: its weekday beside it (docs/plan-rules.md "Notices": the weekday
    beside every deadline); "-" for none. The JSON keeps the ISO day."""
    if not day:
        return "-"
    from datetime import date

    from stockplan.notices.formatting import deadline

    return deadline(date.fromisoformat(day))


def report_table(report: dict[str, Any], names: dict[str, str] | None = None) -> str:
    names = names or {}
    header = (
        "award",
        "participant",
        "name",
        "plan",
        "type",
        "granted",
        "exercised",
        "forfeited",
        "expired",
        "outstanding",
        "exercisable",
        "deadline",
        "status",
    )
    rows = [
        (
            a["award_id"],
            a["participant_id"],
            names.get(a["participant_id"], ""),
            a["plan"],
            a["award_type"],
            str(a["shares_granted"]),
            str(a["shares_exercised"]),
            str(a["shares_forfeited"]),
            str(a["shares_expired"]),
            str(a["shares_outstanding"]),
            str(a["exercisable_shares"]),
            _weekday(a["exercise_deadline"]),
            a["status"],
        )
        for a in report["awards"]
    ]
    lines = [f"State as of {report['as_of']}", "", *_table(header, rows), ""]
    if report["deferred_stock"]:
        deferred = [
            (
                d["participant_id"],
                names.get(d["participant_id"], ""),
                d["fee_type"],
                d["fee_date"],
                d["amount"],
                d["fair_market_value"],
                str(d["shares"]),
                d["cash_in_lieu"],
                d["issue_date"],
                d["status"],
            )
            for d in report["deferred_stock"]
        ]
        titles: tuple[str, ...] = (
            "participant",
            "name",
            "fee",
            "fee date",
            "amount",
            "fmv",
            "shares",
        )
        titles += ("cash", "issue date", "status")
        lines += [f"Deferred stock: {len(deferred)}", *_table(titles, deferred), ""]
    for plan, pool in report["pools"].items():
        lines.append(
            f"{plan}: reserved {pool['reserved']}, outstanding {pool['outstanding']}, "
            f"delivered {pool['delivered']}, available {pool['available']}"
        )
    return "\n".join(lines)


def undelivered_table(notices: list[dict[str, Any]], names: dict[str, str] | None = None) -> str:
    """The notices that bounced, were complained about or failed, for people."""
    names = names or {}
    if not notices:
        return "\nUndelivered notices: none"
    header = ("notice", "kind", "participant", "name", "sent on", "delivery", "detail")
    rows = [
        (
            n["notice_id"],
            n["kind"] or "-",
            n["participant_id"] or "-",
            names.get(n["participant_id"] or "", ""),
            n["send_on"] or "-",
            n["delivery"],
            n["detail"] or "-",
        )
        for n in notices
    ]
    return "\n".join(["", f"Undelivered notices: {len(notices)}", *_table(header, rows)])


def upcoming_table(items: list[dict[str, Any]], as_of: str, days: int) -> str:
    title = f"Due from {as_of} in the next {days} days"
    if not items:
        return f"{title}: nothing"
    header = ("day", "what", "participant", "name", "award or fee", "shares", "detail")
    rows = [
        (
            _weekday(i["day"]),
            i["what"],
            i["participant_id"],
            i["name"],
            i["ref"],
            str(i["shares"]),
            i["detail"],
        )
        for i in items
    ]
    return "\n".join([f"{title}: {len(items)}", *_table(header, rows)])


# --- the monthly report's workbook ----------------------------------------------------

MONTHLY_TITLES = {
    "pools": "Pools by month",
    "deadlines": "Deadlines (90 days)",
    "changes": "Changes by cause",
    "rejections": "Rejected rows",
    "awaiting": "Awaiting certification",
    "undelivered": "Undelivered notices",
}


def monthly_sheets(document: dict[str, Any]) -> list[Sheet]:
    """The monthly report's lists (reports/YYYY-MM.json, stockplan.service.periodic)
    as sheets, one per section, with the columns of its CSV."""
    from stockplan.service.periodic import section_rows

    return [
        Sheet(name, MONTHLY_TITLES[name], SECTION_COLUMNS[name], _rows(rows, SECTION_COLUMNS[name]))
        for name, rows in section_rows(document).items()
    ]


def write_monthly_xlsx(document_path: Path, file: Path) -> Path:
    """reports/YYYY-MM.xlsx from reports/YYYY-MM.json: a worksheet per section, the
    workbook write_xlsx would write (written directly: see stockplan_cli.sheetml)."""
    import json

    from stockplan_cli import sheetml

    def style_of(column: str) -> int:
        if column in DATE_KEYS:
            return sheetml.DATE
        return sheetml.MONEY if column in MONEY_KEYS else sheetml.PLAIN

    document: dict[str, Any] = json.loads(document_path.read_text())
    title = f"stockplan monthly report {document['month']} (made {document['made_on']})"
    about = about_sheet(title, document["made_on"])
    sheets = [(s.title, s.columns, s.rows) for s in [about, *monthly_sheets(document)]]
    return sheetml.write_workbook(file, sheets, title, style_of, _text)
