"""Form 3921 (Code §6039; docs/plan-rules.md "Form 3921", docs/interfaces.md §4): in
January, each participant who exercised ISO shares in the year before gets one
statement, one section per exercise, and the administrator the year's lines as
reports/form-3921-YYYY.csv. Made once a year by the daily job, like the annual
statements.

Who to look at: an accepted ISO exercise marks its holder under its year
(`year_mark_item`); the statement then reads the person's awards' histories, so a
voided exercise is no longer on it.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from stockplan.data import marker
from stockplan.data import records as rec
from stockplan.data.table import Item, Table
from stockplan.domain.calendar import first_business_day_of_january
from stockplan.domain.form3921 import CSV_COLUMNS, Form3921Line, csv_row, iso_exercise_lines
from stockplan.domain.model import PriceBar
from stockplan.domain.plans import COMPANY_NAME  # the plan data (1998 Exhibit A "Company")
from stockplan.service.reader import stored_award

if TYPE_CHECKING:
    from datetime import date

    from stockplan.notices import model as nm
    from stockplan.service.daily import DailyDeps

PERIODIC = "PERIODIC"
MARK_PREFIX = "ISOEXERCISES#"


def report_key(year: int) -> str:
    return f"reports/form-3921-{year}.csv"


def year_mark_item(year: int, participant_id: str) -> Item:
    """Written with each ISO exercise: its holder has a Form 3921 of `year` to get."""
    return {"PK": f"{MARK_PREFIX}{year}", "SK": participant_id, "type": "iso_exercise_year"}


def lines_of(
    items: list[Item], participant_id: str, year: int, bars: list[PriceBar]
) -> list[Form3921Line]:
    """The ISO exercises of `year` among the person's records."""
    lines: list[Form3921Line] = []
    for item in items:
        if item.get("type") == "award":
            stored = stored_award(item)
            lines += iso_exercise_lines(participant_id, stored.history, year, bars)
    lines.sort(key=lambda line: (line.exercise_date, line.award_id))
    return lines


def _prices(table: Table, year: int) -> list[PriceBar]:
    """The year's prices and the last days of the year before (a stale price is a
    missing one: five trading days back at most)."""
    items = table.query(rec.PRICES, f"{year - 1}-12") + table.query(rec.PRICES, f"{year}-")
    return [rec.price_from(i) for i in items]


def statement_notice(person: Item, year: int, lines: list[Form3921Line]) -> nm.Form3921Notice:
    from stockplan.notices import model as nm

    return nm.Form3921Notice(
        participant_id=str(person["participant_id"]),
        participant_name=str(person["name"]),
        company=COMPANY_NAME,
        year=year,
        exercises=tuple(
            nm.Form3921Exercise(
                line.award_id,
                line.grant_date,
                line.exercise_date,
                line.exercise_price,
                line.fmv,
                line.fmv_day,
                line.iso_shares,
            )
            for line in lines
        ),
        deceased=bool(person.get("death")),
    )


def report_csv(rows: list[dict[str, str]]) -> bytes:
    """reports/form-3921-YYYY.csv, UTF-8 with a BOM (Excel opens it as it is)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def form_3921(deps: DailyDeps, year: int, day: date, own: marker.Own) -> list[str]:
    """The Form 3921 statements of `year`, each queued once, and the administrator's
    file; the year's PERIODIC item when all are queued (a run that stopped half way
    queues the rest next time)."""
    from stockplan.service.notify import outbox_item
    from stockplan.service.recipients import Addresses

    table, settings = deps.table, deps.settings
    sk = f"FORM3921#{year}"
    if table.get(PERIODIC, sk) is not None:
        return []
    holders = sorted(str(i["SK"]) for i in table.query(f"{MARK_PREFIX}{year}"))
    # Statements due before go-live are history: the file is written, no mail is sent
    # (docs/plan-rules.md "Facts in time").
    mailed = not settings.is_history(first_business_day_of_january(year + 1))
    if holders:
        own.mark_dirty(table)
    bars = _prices(table, year) if holders else []
    addresses = Addresses(settings.admin_email)
    ids: list[str] = []
    rows: list[dict[str, str]] = []
    for pid in holders:
        items = table.query(rec.participant_pk(pid))
        person = next((i for i in items if i["SK"] == rec.PROFILE_SK), None)
        lines = [] if person is None else lines_of(items, pid, year, bars)
        if person is None or not lines:
            continue
        rows += [csv_row(line, str(person["name"])) for line in lines]
        if not mailed:
            continue
        item = outbox_item(
            statement_notice(person, year, lines),
            addresses.for_participant(person),
            settings.sender_email,
            day,
            pid,
            str(year),
            letterhead=settings.letterhead,
        )
        if table.put_new(item) or _pending(table, item["notice_id"]):
            ids.append(item["notice_id"])
    if rows and deps.reports is not None:
        deps.reports.write(report_key(year), report_csv(rows), "text/csv; charset=utf-8")
    table.put_new(
        {"PK": PERIODIC, "SK": sk, "type": "periodic", "made_on": day.isoformat(), "sent": len(ids)}
    )
    return ids


def _pending(table: Table, notice_id: str) -> bool:
    item = table.get(f"OUTBOX#{notice_id}", "NOTICE")
    return item is not None and item.get("status") == "pending"
