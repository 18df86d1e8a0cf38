"""The schedule marker: one item that lets a quiet day cost a single read.

`due` is a lower bound of the earliest day anything falls due; `dirty` says notices may
be waiting in the outbox. Writers lower `due` and set `dirty` *before* they commit, so
the bound is never above a committed due item; the daily job raises `due` only with a
version check, and never more than a week past its own run (a safety net: a writer
that died between its own two steps delays nothing by more than that).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from stockplan.data.table import Table, Update

PK, SK = "SCHEDULE", "MARKER"
MAX_SKIP = timedelta(days=7)


@dataclass(frozen=True)
class Marker:
    due: date | None
    dirty: bool
    version: int
    # The latest month (YYYY-MM) whose monthly report a run made or found made: later
    # runs of that month skip the report's own read (a hint, written only after it).
    reported: str | None = None

    def quiet_on(self, day: date) -> bool:
        """Nothing can be due on `day` and no notice waits: the run can stop here."""
        return self.due is not None and self.due > day and not self.dirty


def read(table: Table) -> Marker:
    item = table.get(PK, SK)
    if item is None:
        return Marker(None, True, 0)
    due = item.get("due")
    return Marker(
        None if not due else date.fromisoformat(due),
        bool(item.get("dirty", False)),
        int(item.get("version", 0)),
        None if not item.get("reported") else str(item["reported"]),
    )


# The plan day of a stack whose calendar is not the clock's (`stockplan local --day`),
# kept where the commands that read a stack find it; a deployed stack has none: its
# plan day is today in the plan time zone.
PLAN_DAY_SK = "PLANDAY"


def write_plan_day(table: Table, day: date) -> None:
    table.put({"PK": PK, "SK": PLAN_DAY_SK, "type": "plan_day", "day": day.isoformat()})


def read_plan_day(table: Table) -> date | None:
    item = table.get(PK, PLAN_DAY_SK)
    return None if item is None else date.fromisoformat(str(item["day"]))


def lower_due(table: Table, day: date) -> None:
    """Something falls due on `day`: make sure the marker is not later."""
    table.update(
        Update(
            PK,
            SK,
            "SET #d = :d ADD version :one",
            {":d": day.isoformat(), ":one": 1},
            condition="attribute_not_exists(#d) OR #d > :d",
            names={"#d": "due"},
        )
    )


def mark_dirty(table: Table) -> int:
    """Notices wait; the marker's new version."""
    item = table.update(Update(PK, SK, "SET dirty = :t ADD version :one", {":t": True, ":one": 1}))
    return 0 if item is None else int(item.get("version", 0))


@dataclass
class Own:
    """The marker a daily run read, and the version the run's own `mark_dirty`s (before
    the notices it queues and then sends itself: the monthly report, the statements)
    moved it to while no other writer came between: the run's settle then still holds,
    rather than failing and leaving the next day to run in full with a sweep. Any other
    write meanwhile leaves `version` behind, and the settle fails as before."""

    seen: Marker
    version: int = field(init=False)
    marked: bool = False

    def __post_init__(self) -> None:
        self.version = self.seen.version

    def mark_dirty(self, table: Table) -> None:
        version = mark_dirty(table)
        self.marked = True
        if version == self.version + 1:
            self.version = version

    def settled_from(self) -> Marker:
        """The marker the run's settle checks against (`dirty` as the run read it)."""
        return replace(self.seen, version=self.version)


def bump(table: Table, dirty: bool) -> None:
    """A new version (and `dirty` when notices wait): a daily run that read the marker
    before this write cannot settle it over what was committed meanwhile."""
    if dirty:
        mark_dirty(table)
    else:
        table.update(Update(PK, SK, "ADD version :one", {":one": 1}))


@dataclass
class Writes:
    """The marker writes of one unit of work of many commits (a feed file): each is made
    before the first commit that needs it instead of before every commit, and both are
    made once more before the unit's last commit.

    `floor` is the day the first lowering goes down to at least (the upload day): later
    commits then need another write only for a due item dated before it. The closing
    writes come after every earlier commit of the unit, so a daily run that read the
    marker while those were committing either fails its version check when it settles or
    read after them (and its queries see them)."""

    floor: date | None = None
    lowered_to: date | None = None
    dirty: bool = False
    earliest: date | None = None
    notices: bool = False

    def before_commit(self, table: Table, earliest_due: date | None, new_notice: bool) -> None:
        if earliest_due is not None:
            if self.earliest is None or earliest_due < self.earliest:
                self.earliest = earliest_due
            if self.lowered_to is None or earliest_due < self.lowered_to:
                day = earliest_due if self.floor is None else min(earliest_due, self.floor)
                lower_due(table, day)
                self.lowered_to = day
        if new_notice:
            self.notices = True
            if not self.dirty:
                mark_dirty(table)
                self.dirty = True

    def before_last_commit(self, table: Table) -> None:
        if self.earliest is not None:
            lower_due(table, self.earliest)
        if self.earliest is not None or self.notices:
            bump(table, self.notices)


def settle(
    table: Table,
    seen: Marker,
    next_due: date | None,
    run_day: date,
    dirty: bool,
    reported: str | None = None,
) -> bool:
    """After a run: record the next due day (and the month reported, `reported` or the
    one seen), unless another writer moved the marker."""
    cap = run_day + MAX_SKIP
    due = cap if next_due is None else min(next_due, cap)
    item = {
        "PK": PK,
        "SK": SK,
        "type": "marker",
        "due": due.isoformat(),
        "dirty": dirty,
        "version": seen.version + 1,
    }
    if reported or seen.reported:
        item["reported"] = reported or seen.reported
    if seen.version == 0:
        return table.put(item, "attribute_not_exists(PK) OR version = :v", {":v": 0})
    return table.put(item, "version = :v", {":v": seen.version})
