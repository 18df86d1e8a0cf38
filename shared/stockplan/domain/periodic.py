"""When the periodic mail is due, and the figures of the monthly report (docs/interfaces.md §4).

- The administrator's monthly report of month M is made on the first business day of
  the month after M (docs/plan-rules.md "Calendar and dates": a day the NYSE is open), or by the
  first daily run after it when that run was missed.
- The annual statements of year Y go out in the first business week of Y: by the
  daily run of the first business day of January (or the first run after it that
  January, when that one was missed).

Pure: no clock, no I/O. The service (stockplan.service.periodic) reads and writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from stockplan.domain.calendar import next_trading_day_on_or_after

# The months a monthly report's pool chart shows.
CHART_MONTHS = 24
# The days ahead a monthly report lists deadlines for.
DEADLINE_DAYS = 90


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @staticmethod
    def of(day: date) -> Month:
        return Month(day.year, day.month)

    @staticmethod
    def parse(text: str) -> Month:
        year, month = text.split("-")
        return Month(int(year), int(month))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def back(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def first_business_day(month: Month) -> date:
    """The first day of `month` the NYSE is open (2007-01-03: 01-01 and 01-02 closed)."""
    return next_trading_day_on_or_after(month.first_day)


def first_business_week(year: int) -> tuple[date, date]:
    """The first business week of `year`: its first business day to the Friday of that
    week (the annual statements are due in it)."""
    first = first_business_day(Month(year, 1))
    return first, first + timedelta(days=4 - first.weekday())


def report_month(day: date) -> Month | None:
    """The month whose report is due by the daily run of `day`: the month before, once
    this month's first business day has come; None before it (the report before that is
    the previous run's)."""
    month = Month.of(day)
    return month.previous() if day >= first_business_day(month) else None


def statement_year(day: date) -> int | None:
    """The year whose annual statements are due by the run of `day`: its own from its
    first business day through January (a run missed in the first business week is
    caught up in January; a system started later in the year waits for the next)."""
    return (
        day.year if first_business_day(Month(day.year, 1)) <= day <= date(day.year, 1, 31) else None
    )


def next_periodic_day(day: date) -> date:
    """The first day after `day` on which periodic mail may fall due: the next first
    business day of a month (January's is also the statements')."""
    month = Month.of(day)
    first = first_business_day(month)
    return first if first > day else first_business_day(month.next())


@dataclass(frozen=True, slots=True)
class PoolFigures:
    reserved: int
    outstanding: int
    delivered: int

    @property
    def available(self) -> int:
        return self.reserved - self.outstanding - self.delivered

    @property
    def used(self) -> int:
        return self.outstanding + self.delivered


@dataclass(frozen=True, slots=True)
class PoolPoint:
    """One month of a plan's pool chart; `figures` None: no figures kept for the month
    (before the first report)."""

    month: Month
    figures: PoolFigures | None


def pool_series(
    snapshots: Mapping[Month, PoolFigures], last: Month, months: int = CHART_MONTHS
) -> list[PoolPoint]:
    """The `months` months up to `last`, oldest first, each with its month-end figures
    where a report kept them (1998 §4.a; Directors §4(a))."""
    return [
        PoolPoint(m, snapshots.get(m)) for m in (last.back(n) for n in range(months - 1, -1, -1))
    ]


def deadlines_window(day: date, days: int = DEADLINE_DAYS) -> tuple[date, date]:
    """The days whose deadlines a report made on `day` lists: `day` to `days` later."""
    return day, day + timedelta(days=days)


@dataclass(frozen=True, slots=True)
class CauseGroup:
    """The changes of one cause (a feed file, a daily rule, a correction or decision)."""

    kind: str
    label: str
    changes: tuple[Mapping[str, Any], ...]


def cause_label(cause: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, label) of an audit record's cause (docs/interfaces.md §3 audit.jsonl)."""
    kind = str(cause.get("kind") or "other")
    if kind == "feed":
        return kind, f"feed {cause.get('key')}"
    if kind == "daily":
        return kind, f"daily rule {cause.get('rule')} ({cause.get('section')})"
    if kind in ("correction", "decision"):
        return kind, f"{kind} {cause.get('request_id')} ({cause.get('action')})"
    return kind, f"{kind} {cause.get('ref') or ''}".strip()


CAUSE_ORDER = {"feed": 0, "daily": 1, "correction": 2, "decision": 3}


def by_cause(records: Iterable[Mapping[str, Any]]) -> list[CauseGroup]:
    """Audit records grouped by cause: feeds, daily rules, corrections, decisions, then
    the rest; within a kind by label; each group's records in the order given."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for record in records:
        cause = record.get("cause")
        key = cause_label(cause if isinstance(cause, Mapping) else {})
        groups.setdefault(key, []).append(record)
    ordered = sorted(groups, key=lambda k: (CAUSE_ORDER.get(k[0], 9), k[1]))
    return [CauseGroup(kind, label, tuple(groups[(kind, label)])) for kind, label in ordered]


def in_month(days: Sequence[str | None], month: Month) -> bool:
    """Whether any of the ISO days given falls in `month`."""
    return any(d and month.contains(date.fromisoformat(d[:10])) for d in days)
