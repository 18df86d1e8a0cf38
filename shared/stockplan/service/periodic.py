"""Periodic mail of the daily job (docs/interfaces.md §4): the administrator's monthly report
and the participants' annual statements, each made once.

- Monthly report of month M, on the first business day of M+1 (stockplan.domain.periodic):
  emailed to the configured administrator and written to the bucket as
  reports/M.html (every row, the pool chart as inline SVG), reports/M.csv (every list
  in one file, a `section` column first) and reports/M.json (the same figures, which
  `stockplan simulate` turns into reports/M.xlsx: openpyxl is not in the Lambda layer).
- Annual statements of year Y, from the first business day of Y (its first business
  week): one to every participant holding an open award or pending deferred stock.

Once: the month's (or year's) PERIODIC item is written in the same transaction as the
report's outbox notice; each statement is its own outbox item with an id of the
participant and the year, written only if new. A rerun finds them and sends nothing
twice. The reads are DueIndex partitions (the due items of the next 90 days, rejections,
undelivered notices, the audit records of the month; the open awards only when they
decide whether a report is sent) and items by key: never a scan.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from stockplan.coldstart import lazy_module
from stockplan.data import marker
from stockplan.data import records as rec
from stockplan.data.ports import FeedStore
from stockplan.data.table import ConflictError, Item, Table, Transaction
from stockplan.domain.history import as_of as history_as_of
from stockplan.domain.history import replay
from stockplan.domain.iso_limit import iso_and_nso, iso_splits
from stockplan.domain.model import (
    Award,
    DeferredStatus,
    DeferredStockAward,
    FeeType,
    PlanCode,
)
from stockplan.domain.performance import shares_awaiting_certification
from stockplan.domain.periodic import (
    CHART_MONTHS,
    DEADLINE_DAYS,
    Month,
    PoolFigures,
    by_cause,
    first_business_day,
    in_month,
    next_periodic_day,
    pool_series,
    report_month,
    statement_year,
)
from stockplan.domain.pools import reserved_on
from stockplan.domain.schedule import DueKind

if TYPE_CHECKING:
    from stockplan.notices import model as nm
    from stockplan.service.daily import DailyDeps
else:
    nm = lazy_module("stockplan.notices.model")

PERIODIC = "PERIODIC"
# Rows each list of the report's email shows (the files have them all).
EMAIL_ROWS = 40
REPORTS_PREFIX = "reports/"

SECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "pools": ("month", "plan", "reserved", "outstanding", "delivered", "available"),
    "deadlines": (
        "day",
        "what",
        "participant_id",
        "participant_name",
        "ref",
        "shares",
        "detail",
    ),
    # One row per changed field, so a spreadsheet can filter by field or cause.
    "changes": (
        "day",
        "cause_kind",
        "cause",
        "source",
        "participant_id",
        "participant_name",
        "award_id",
        "field",
        "before",
        "after",
    ),
    "rejections": ("day", "feed", "key", "row", "reason"),
    # Performance awards' tranches due and not yet certified (1998 §6.a.(9)).
    "awaiting": ("day", "participant_id", "participant_name", "award_id", "shares", "detail"),
    "undelivered": (
        "notice_id",
        "kind",
        "participant_id",
        "participant_name",
        "send_on",
        "delivery",
        "detail",
    ),
}
CSV_COLUMNS: tuple[str, ...] = (
    "section",
    *dict.fromkeys(c for v in SECTION_COLUMNS.values() for c in v),
)


def sooner(deps: DailyDeps, next_due: date | None, day: date) -> date | None:
    """The marker's next due day, no later than the next day periodic mail may fall due
    (a quiet run never skips a first business day)."""
    if not deps.settings.periodic_mail:
        return next_due
    periodic = next_periodic_day(day)
    return periodic if next_due is None else min(next_due, periodic)


def monthly(deps: DailyDeps, day: date, own: marker.Own) -> list[str]:
    """The monthly report due by the run of `day`, if not made yet; the ids of the
    notices it queued (the daily job sends them). `own`: the run's marker, which says
    which month is made already (no read for it) and whose version the report's own
    marker write moves on."""
    month = made_month(deps, day)
    if month is None or month == own.seen.reported:
        return []
    return monthly_report(deps, Month.parse(month), day, own)


def made_month(deps: DailyDeps, day: date) -> str | None:
    """The month whose report is made once `monthly` has returned for the run of `day`
    (the marker's `reported`), if any."""
    month = report_month(day)
    return None if month is None or not deps.settings.periodic_mail else str(month)


def annual(deps: DailyDeps, day: date, own: marker.Own) -> list[str]:
    """The annual statements due by the run of `day`, those not queued yet."""
    year = statement_year(day)
    if year is None or not deps.settings.periodic_mail:
        return []
    from stockplan.service.form3921 import form_3921

    # The year before's Form 3921 statements go out in the same January (Code §6039).
    return annual_statements(deps, year, day, own) + form_3921(deps, year - 1, day, own)


# --- the monthly report -----------------------------------------------------------------


def _kept(table: Table) -> list[Item]:
    return table.query(PERIODIC, "MONTHLY#")


def pools_now(table: Table, day: date) -> dict[PlanCode, PoolFigures]:
    # Both pools in one read.
    found = {str(i["SK"]): i for i in table.batch_get([(rec.POOL, p.value) for p in PlanCode])}
    figures = {}
    for plan in PlanCode:
        item = found.get(plan.value)
        reserved = reserved_on(plan, day, rec.splits_from(item), rec.plan_actions_from(item))
        outstanding = int(item["outstanding"]) if item else 0
        delivered = int(item["delivered"]) if item else 0
        figures[plan] = PoolFigures(reserved, outstanding, delivered)
    return figures


def month_changes(table: Table, month: Month) -> list[dict[str, Any]]:
    """The audit records of `month`, oldest day first (one index partition a month)."""
    from stockplan.service.audit import record

    items = table.query_index(rec.changes_partition(month.first_day))
    items.sort(key=lambda i: (i["day"], i.get("award_id") or "", int(i.get("version", 0)), i["SK"]))
    return [record(i) for i in items]


def month_rejections(table: Table, month: Month) -> list[dict[str, Any]]:
    found = [
        rec.Rejection.from_item(i)
        for i in table.query_index(rec.REJECTIONS, after=month.first_day.isoformat())
    ]
    return [
        {"day": r.day.isoformat(), "feed": r.feed, "key": r.key, "row": r.row, "reason": r.reason}
        for r in found
        if r.day <= month.last_day
    ]


def month_undelivered(table: Table, month: Month) -> list[dict[str, Any]]:
    """Notices sent, or found undelivered, in `month` that did not arrive."""
    from stockplan.service.report import undelivered_notices

    return [
        n
        for n in undelivered_notices(table)
        if in_month([n.get("send_on"), n.get("reported_on")], month)
    ]


def _names(table: Table, participant_ids: Iterable[str | None]) -> dict[str, Item]:
    wanted = sorted({p for p in participant_ids if p})
    items = table.batch_get([(rec.participant_pk(p), "PROFILE") for p in wanted])
    return {str(i["participant_id"]): i for i in items}


def _source(cause: Any) -> str:
    """Where a change came from, beside its cause: the file and row that carried it, or
    the daily rule's plan section and the day it fell due."""
    if not isinstance(cause, dict):
        return ""
    if cause.get("key"):
        return f"{cause['key']} row {cause.get('row')}"
    if cause.get("kind") == "daily":
        return f"{cause.get('section')}, due {cause.get('due')}"
    return ""


def _scalar(value: Any) -> Any:
    """A cell's value: a figure, a text or nothing; a list (vesting tranches) as text."""
    return value if value is None or isinstance(value, str | int) else str(value)


def _change_text(change: dict[str, Any]) -> str:
    return "; ".join(
        f"{name} {'-' if before is None else before} -> {'-' if after is None else after}"
        for name, (before, after) in change.items()
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def report_document(
    month: Month,
    day: date,
    pools: dict[PlanCode, PoolFigures],
    kept: dict[Month, dict[str, PoolFigures]],
    deadlines: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    rejections: list[dict[str, Any]],
    undelivered: list[dict[str, Any]],
    names: dict[str, str],
    awaiting: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """reports/M.json: every figure of the report, as plain JSON (pure)."""
    history = {
        plan.value: [
            {
                "month": str(p.month),
                **(
                    {}
                    if p.figures is None
                    else {
                        "reserved": p.figures.reserved,
                        "outstanding": p.figures.outstanding,
                        "delivered": p.figures.delivered,
                        "available": p.figures.available,
                    }
                ),
            }
            for p in pool_series(
                {m: f[plan.value] for m, f in kept.items() if plan.value in f}, month
            )
        ]
        for plan in PlanCode
    }
    grouped = []
    for group in by_cause(changes):
        for c in group.changes:
            pid = c.get("participant_id")
            grouped.append(
                {
                    "day": c["day"],
                    "cause_kind": group.kind,
                    "cause": group.label,
                    "participant_id": pid,
                    "participant_name": names.get(str(pid), "") if pid else "",
                    "award_id": c.get("award_id"),
                    "source": _source(c.get("cause")),
                    "change": dict(c.get("change") or {}),
                }
            )
    return {
        "month": str(month),
        "made_on": day.isoformat(),
        "pools": {
            plan.value: {
                "reserved": f.reserved,
                "outstanding": f.outstanding,
                "delivered": f.delivered,
                "available": f.available,
                "history": history[plan.value],
            }
            for plan, f in pools.items()
        },
        "deadlines": [
            {**{k: d[k] for k in d if k != "name"}, "participant_name": d.get("name", "")}
            for d in deadlines
        ],
        "changes": grouped,
        "rejections": rejections,
        "awaiting": [
            {**a, "participant_name": names.get(a["participant_id"], "")} for a in awaiting
        ],
        "undelivered": [
            {**u, "participant_name": names.get(u.get("participant_id") or "", "")}
            for u in undelivered
        ],
    }


def section_rows(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each list of the report as rows keyed by SECTION_COLUMNS (the CSV's and the
    workbook's sheets)."""
    pools = [
        {"month": h["month"], "plan": plan, **{k: h.get(k) for k in SECTION_COLUMNS["pools"][2:]}}
        for plan, p in document["pools"].items()
        for h in p["history"]
    ]
    changes = [
        {**c, "field": field, "before": _scalar(before), "after": _scalar(after)}
        for c in document["changes"]
        for field, (before, after) in c["change"].items()
    ]
    return {
        "pools": pools,
        "deadlines": document["deadlines"],
        "changes": changes,
        "rejections": document["rejections"],
        "awaiting": document.get("awaiting", []),
        "undelivered": document["undelivered"],
    }


def report_csv(document: dict[str, Any]) -> bytes:
    """reports/M.csv: every list in one file, `section` first, UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for section, rows in section_rows(document).items():
        for row in rows:
            writer.writerow({"section": section, **{k: _text(v) for k, v in row.items()}})
    return out.getvalue().encode("utf-8-sig")


_TITLES = {
    "deadlines": ("Deadlines of the next 90 days", "Nothing falls due"),
    "changes": ("Changes of the month, by cause", "No change"),
    "rejections": ("Rejected rows of the month", "No row was rejected"),
    "awaiting": (
        "Performance awards awaiting certification (1998 §6.a.(9))",
        "No performance award awaits certification",
    ),
    "undelivered": ("Undelivered notices", "Every notice was delivered"),
}
_HEADINGS = {
    "deadlines": ("day", "what", "participant", "name", "award or fee", "shares", "detail"),
    "changes": ("day", "participant", "name", "award", "change"),
    "rejections": ("day", "feed", "file", "row", "reason"),
    "awaiting": ("due since", "participant", "name", "award", "target shares", "criteria"),
    "undelivered": ("notice", "kind", "participant", "name", "sent on", "delivery", "detail"),
}


def _weekday_day(value: Any) -> Any:
    from stockplan.notices.formatting import deadline

    return deadline(date.fromisoformat(value)) if isinstance(value, str) else value


def _section(key: str, rows: list[dict[str, Any]]) -> nm.ReportSection:
    title, empty = _TITLES[key]
    cells: list[tuple[Any, ...]]
    if key == "changes":
        cells = [
            (
                r["day"],
                r["participant_id"],
                r["participant_name"],
                r["award_id"],
                _change_text(r["change"]),
            )
            for r in rows
        ]
        groups = tuple(
            (i, rows[i]["cause"])
            for i in range(len(rows))
            if i == 0 or rows[i]["cause"] != rows[i - 1]["cause"]
        )
    else:
        cells = [tuple(r.get(c) for c in SECTION_COLUMNS[key]) for r in rows]
        if key == "deadlines":
            # The weekday beside each day; the report's files keep the ISO day.
            cells = [(_weekday_day(row[0]), *row[1:]) for row in cells]
        groups = ()
    return nm.ReportSection(
        key,
        title,
        _HEADINGS[key],
        tuple(nm.ReportRow(tuple(_text(v) or "-" for v in row)) for row in cells),
        groups,
        empty,
    )


def report_notice(document: dict[str, Any], files: Sequence[str] = ()) -> nm.MonthlyReportNotice:
    """The report as the template reads it (every row: the report file)."""
    from stockplan.domain.periodic import PoolPoint
    from stockplan.notices.chart import bars

    pools = []
    for plan in PlanCode:
        p = document["pools"][plan.value]
        points = [
            PoolPoint(
                Month.parse(h["month"]),
                None
                if "reserved" not in h
                else PoolFigures(h["reserved"], h["outstanding"], h["delivered"]),
            )
            for h in p["history"]
        ]
        chart, top = bars(points)
        pools.append(
            nm.PoolReportLine(
                plan, p["reserved"], p["outstanding"], p["delivered"], p["available"], chart, top
            )
        )
    sections = tuple(
        _section(key, document.get(key, []))
        for key in ("deadlines", "changes", "rejections", "awaiting", "undelivered")
    )
    return nm.MonthlyReportNotice(
        document["month"],
        date.fromisoformat(document["made_on"]),
        tuple(pools),
        sections,
        files=tuple(files),
    )


Kept = dict[Month, dict[str, PoolFigures]]


def gather(table: Table, month: Month, day: date) -> tuple[dict[str, Any], bool, Kept]:
    """Read what the report of `month`, made on `day`, shows; whether it is quiet: no
    change, no rejected row, no report kept figures before it and nothing held by the
    month's end (an open award or deferred stock awarded by then); and the figures the
    newest CHART_MONTHS records before it kept (`_kept_figures`)."""
    from stockplan.service.report import State, upcoming

    changes = month_changes(table, month)
    rejections = month_rejections(table, month)
    undelivered = month_undelivered(table, month)
    awards, deferred = _due_soon(table, day)
    awaiting = awaiting_certification(table.query_index(rec.OPEN_AWARDS), day)
    people = _names(
        table,
        [a.participant_id for a in awards]
        + [a["participant_id"] for a in awaiting]
        + [d.participant_id for d in deferred]
        + [c.get("participant_id") for c in changes]
        + [u.get("participant_id") for u in undelivered],
    )
    ahead = table.query_index(rec.UPCOMING, after=day.isoformat())
    people.update(
        _names(
            table, [str(i.get("participant_id") or "") for i in ahead if i.get("participant_id")]
        )
    )
    state = State(awards=awards, deferred=deferred, pools={}, people=people, ahead=ahead)
    deadlines = upcoming(state, day, DEADLINE_DAYS)
    before = _kept_figures(table, month)
    # A report before this one kept its figures: this one is sent, whatever it finds.
    reported_before = any(before.values())
    pools = pools_now(table, day)
    kept = {**before, month: {plan.value: f for plan, f in pools.items()}}
    names = {pid: str(i.get("name", "")) for pid, i in people.items()}
    document = report_document(
        month, day, pools, kept, deadlines, changes, rejections, undelivered, names, awaiting
    )
    quiet = not (changes or rejections or reported_before) and not _held(table, month)
    return document, quiet, before


def awaiting_certification(open_awards: Iterable[Item], day: date) -> list[dict[str, Any]]:
    """Performance awards whose tranches have come by `day` and await the Committee's
    certification (1998 §6.a.(9)): the earliest such tranche's date, the target shares."""
    found = []
    for item in open_awards:
        award = rec.award_from(item)
        shares = shares_awaiting_certification(award, day)
        if not shares:
            continue
        settled = award.shares_exercised + award.shares_forfeited
        since = next(
            (
                d
                for d in sorted({t.vest_date for t in award.tranches} | {award.grant_date})
                if award.vested_shares(d) > settled
            ),
            award.grant_date,
        )
        found.append(
            {
                "day": since.isoformat(),
                "participant_id": award.participant_id,
                "award_id": award.award_id,
                "shares": shares,
                "detail": award.performance_criteria or "",
            }
        )
    found.sort(key=lambda a: (a["day"], a["participant_id"], a["award_id"]))
    return found


def _due_soon(table: Table, day: date) -> tuple[list[Award], list[DeferredStockAward]]:
    """The awards and deferred stock that may have a deadline, reminder or issue in the
    report's DEADLINE_DAYS from `day` (service.report.upcoming lists them): those with a
    DueIndex item up to the window's end (an exercise deadline's is its expiry, the day
    after it; an award's earliest item is never after its events, and one left waiting
    from an earlier day is in too), read by key, instead of every open award and
    deferred stock each month."""
    last = day + timedelta(days=DEADLINE_DAYS + 1)
    due = table.query_index(rec.DUE, upto=f"{last.isoformat()}#~")
    award_keys: list[tuple[str, str]] = []
    deferred_keys: list[tuple[str, str]] = []
    for item in due:
        kind = DueKind(item["kind"])
        if kind in (DueKind.EXPIRY, DueKind.REMINDER):
            award_keys.append((str(item["owner"]), rec.award_sk(str(item["ref"]))))
        elif kind is DueKind.ISSUE:
            participant_id, fee_type, fee_date = str(item["ref"]).split("#")
            sk = rec.deferred_sk(FeeType(fee_type), date.fromisoformat(fee_date))
            deferred_keys.append((rec.participant_pk(participant_id), sk))
    found = table.batch_get(award_keys + deferred_keys) if award_keys or deferred_keys else []
    found.sort(key=lambda i: (str(i["PK"]), str(i["SK"])))
    awards = [rec.award_from(i) for i in found if i.get("type") == "award"]
    deferred = [rec.deferred_from(i) for i in found if i.get("type") == "deferred"]
    return awards, deferred


def _held(table: Table, month: Month) -> bool:
    """An open award granted, or deferred stock awarded, by the end of `month`."""
    last = month.last_day
    return any(
        rec.award_from(i).grant_date <= last for i in table.query_index(rec.OPEN_AWARDS)
    ) or any(rec.deferred_from(i).award_date <= last for i in table.query_index(rec.OPEN_DEFERRED))


# A monthly record's copy of what the newest CHART_MONTHS records up to it kept (itself
# included), as JSON: the next report reads that one attribute of one record instead of
# CHART_MONTHS records (a read of 24 records cost about ten of one).
CHART = "chart"


def chart_text(kept: Kept) -> str:
    """`kept`'s newest CHART_MONTHS records, newest first, as the CHART attribute."""
    newest = sorted(kept, reverse=True)[:CHART_MONTHS]
    return json.dumps(
        [
            [
                str(m),
                {plan: [f.reserved, f.outstanding, f.delivered] for plan, f in kept[m].items()},
            ]
            for m in newest
        ],
        separators=(",", ":"),
    )


def _from_chart(text: str) -> Kept:
    return {
        Month.parse(m): {plan: PoolFigures(*map(int, f)) for plan, f in figures.items()}
        for m, figures in json.loads(text)
    }


def _kept_figures(table: Table, month: Month) -> Kept:
    """The figures the reports of the chart's months before `month` kept: the newest
    CHART_MONTHS records only, from the newest record's CHART copy (a record made
    before it carried one: one short query, not every report since the start)."""
    newest_one = table.query(PERIODIC, sk_upto=f"MONTHLY#{month}", newest_first=True, limit=1)
    last = next((i for i in newest_one if str(i["SK"]).startswith("MONTHLY#")), None)
    if last is not None and last.get(CHART):
        return _from_chart(str(last[CHART]))
    found: Kept = {}
    newest = table.query(
        PERIODIC, sk_upto=f"MONTHLY#{month}", newest_first=True, limit=CHART_MONTHS
    )
    for item in (i for i in newest if str(i["SK"]).startswith("MONTHLY#")):
        found[Month.parse(str(item["SK"]).removeprefix("MONTHLY#"))] = {
            plan: PoolFigures(int(f["reserved"]), int(f["outstanding"]), int(f["delivered"]))
            for plan, f in (item.get("pools") or {}).items()
        }
    return found


def render_report(document: dict[str, Any], files: Sequence[str] = ()) -> str:
    """reports/M.html: the report with every row."""
    from stockplan.notices.render import render

    return render(report_notice(document, files)).html


def monthly_report(deps: DailyDeps, month: Month, day: date, own: marker.Own) -> list[str]:
    from stockplan.notices.render import render
    from stockplan.service.notify import outbox_item

    table, settings = deps.table, deps.settings
    sk = f"MONTHLY#{month}"
    if table.get(PERIODIC, sk) is not None:
        return []
    # A month before the system held anything is not reported (the month before a
    # simulation's first day): no change, no rejection, nothing held by its end and no
    # report before it.
    document, quiet, before = gather(table, month, day)
    send = not quiet or any(i.get("sent") for i in _kept(table))
    # A report due before go-live is history: made (its figures kept for the charts),
    # never sent (docs/plan-rules.md "Facts in time").
    mailed = send and not settings.is_history(first_business_day(month.next()))
    files = [f"{REPORTS_PREFIX}{month}.{ext}" for ext in ("html", "csv", "json")]
    done: Item = {
        "PK": PERIODIC,
        "SK": sk,
        "type": "periodic",
        "made_on": day.isoformat(),
        "sent": send,
    }
    figures: dict[str, PoolFigures] = {}
    if send:
        # The month's figures for the charts of the reports to come.
        done["pools"] = {
            plan: {k: p[k] for k in ("reserved", "outstanding", "delivered")}
            for plan, p in document["pools"].items()
        }
        figures = {plan: PoolFigures(**f) for plan, f in done["pools"].items()}
    done[CHART] = chart_text({**before, month: figures})
    tx = Transaction()
    tx.put_new(done)
    ids: list[str] = []
    if mailed:
        whole = report_notice(document, files)
        notice = replace(whole, limit=EMAIL_ROWS)
        rendered = render(notice, settings.letterhead)
        if deps.reports is not None:
            # The file is the email's HTML when no list is cut to EMAIL_ROWS (rendered
            # once; the administrator's notices carry no letterhead's contact line).
            cut = any(len(s.rows) > EMAIL_ROWS for s in whole.sections)
            html = render(whole).html if cut else rendered.html
            write_files(deps.reports, document, files, html)
        item = outbox_item(
            notice,
            settings.admin_email,
            settings.sender_email,
            day,
            str(month),
            letterhead=settings.letterhead,
            rendered=rendered,
        )
        tx.put_new(item)
        ids.append(item["notice_id"])
        own.mark_dirty(table)
    try:
        table.commit(tx)
    except ConflictError:
        return []  # made by another run meanwhile
    return ids


def write_files(
    store: FeedStore, document: dict[str, Any], keys: Sequence[str], html: str | None = None
) -> None:
    """reports/M.html, .csv and .json (rewritten alike by a rerun: same content).
    `html`: the report already rendered with every row (render_report's)."""
    html_key, csv_key, json_key = keys
    page = render_report(document, keys) if html is None else html
    bodies = (
        (html_key, page.encode("utf-8"), "text/html; charset=utf-8"),
        (csv_key, report_csv(document), "text/csv; charset=utf-8"),
        (json_key, (json.dumps(document, indent=2) + "\n").encode(), "application/json"),
    )
    for key, body, content_type in bodies:
        store.write(key, body, content_type)


# --- statements ---------------------------------------------------------------------------


def statement_line(award: Award, day: date, iso: tuple[int, int] | None = None) -> nm.StatementLine:
    """One award as a statement shows it on `day`; `iso`: its ISO and NSO shares
    (Code §422(d)), where its holder's other awards were read."""
    iso_shares, nso_shares = iso or iso_and_nso(award, iso_splits([award]))
    return nm.StatementLine.of_award(
        award,
        grant_date=award.grant_date,
        exercise_price=award.exercise_price,
        shares_granted=award.shares_granted,
        shares_exercised=award.shares_exercised,
        shares_forfeited=award.shares_forfeited,
        shares_expired=award.shares_expired,
        shares_outstanding=award.shares_outstanding,
        vested_shares=award.vested_shares(day),
        exercisable_shares=award.exercisable_shares(day),
        exercise_deadline=award.exercise_deadline,
        status=award.status().value,
        iso_shares=iso_shares,
        nso_shares=nso_shares,
        performance_criteria=award.performance_criteria,
        shares_awaiting_certification=shares_awaiting_certification(award, day),
        next_vesting=next(
            (
                t
                for t in award.tranches
                if t.vest_date > day and award.is_outstanding and award.service_ended_on is None
            ),
            None,
        ),
    )


def _deferred_line(d: DeferredStockAward, day: date) -> nm.StatementDeferredLine:
    issued = d.status is DeferredStatus.ISSUED and d.issue_date <= day
    return nm.StatementDeferredLine.of_fee(
        d,
        amount=d.amount,
        shares=d.shares,
        cash_in_lieu=d.cash_in_lieu,
        issue_date=d.issue_date,
        status="issued" if issued else "pending",
    )


def statement(
    table: Table, participant_id: str, day: date, *, annual: bool = False
) -> nm.StatementNotice | None:
    """What `participant_id` held on `day` (each award's history brought to that day;
    awards granted later are left out); None when no such participant is recorded."""
    items = table.query(rec.participant_pk(participant_id))
    person = next((i for i in items if i["SK"] == "PROFILE"), None)
    return None if person is None else _statement(items, person, participant_id, day, annual)


def _statement(
    items: list[Item], person: Item, participant_id: str, day: date, annual: bool
) -> nm.StatementNotice:
    """The statement of `participant_id`, whose partition is `items` (`person` its
    profile)."""
    from stockplan.service.ledger import stored_award

    awards = []
    for item in items:
        if item.get("type") != "award":
            continue
        stored = stored_award(item)
        if stored.award.grant_date > day:
            continue
        events = [e for e in stored.history if e.day <= day]
        award = replay(history_as_of(events, day)) if events else stored.award
        awards.append(award)
    awards.sort(key=lambda a: (a.grant_date, a.award_id))
    split = iso_splits(awards)
    deferred = sorted(
        (rec.deferred_from(i) for i in items if i.get("type") == "deferred"),
        key=lambda d: (d.award_date, d.fee_type.value, d.fee_date),
    )
    return nm.StatementNotice(
        participant_id=participant_id,
        participant_name=str(person["name"]),
        as_of=day,
        annual=annual,
        awards=tuple(statement_line(a, day, iso_and_nso(a, split)) for a in awards),
        deferred=tuple(_deferred_line(d, day) for d in deferred if d.award_date <= day),
        deceased=bool(person.get("death")),
    )


def statement_holders(table: Table) -> list[str]:
    """Everyone with an open award or pending deferred stock (the open indexes)."""
    ids = {str(i["participant_id"]) for i in table.query_index(rec.OPEN_AWARDS)}
    ids |= {str(i["participant_id"]) for i in table.query_index(rec.OPEN_DEFERRED)}
    return sorted(ids)


def annual_statements(deps: DailyDeps, year: int, day: date, own: marker.Own) -> list[str]:
    """Each holder's annual statement of `year`, once; the year's PERIODIC item when all
    are queued (a run that stopped half way queues the rest next time)."""
    from stockplan.service.ledger import Addresses
    from stockplan.service.notify import outbox_item

    table, settings = deps.table, deps.settings
    sk = f"ANNUAL#{year}"
    if table.get(PERIODIC, sk) is not None:
        return []
    ids: list[str] = []
    # Statements due before go-live are history: none is sent (docs/plan-rules.md
    # "Facts in time").
    due_before_go_live = settings.is_history(first_business_day(Month(year, 1)))
    holders = [] if due_before_go_live else statement_holders(table)
    if holders:
        own.mark_dirty(table)
    addresses = Addresses(settings.admin_email)
    for pid in holders:
        # One read of the person's partition: the statement's awards and the profile.
        items = table.query(rec.participant_pk(pid))
        person = next((i for i in items if i["SK"] == "PROFILE"), None)
        if person is None:
            continue
        notice = _statement(items, person, pid, day, annual=True)
        item = outbox_item(
            notice,
            addresses.for_participant(person),
            settings.sender_email,
            day,
            pid,
            str(year),
            letterhead=settings.letterhead,
        )
        if table.put_new(item) or _pending(table, item["notice_id"]):
            ids.append(item["notice_id"])
    table.put_new(
        {"PK": PERIODIC, "SK": sk, "type": "periodic", "made_on": day.isoformat(), "sent": len(ids)}
    )
    return ids


def _pending(table: Table, notice_id: str) -> bool:
    item = table.get(f"OUTBOX#{notice_id}", "NOTICE")
    return item is not None and item.get("status") == "pending"
