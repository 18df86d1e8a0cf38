"""The schedule marker: one item that lets a quiet day cost a single read.

`due` is a lower bound of the earliest day anything falls due; `dirty` says notices may
be waiting in the outbox. Writers lower `due` and set `dirty` *before* they commit, so
the bound is never above a committed due item; the daily job raises `due` only with a
version check, and never more than a week past its own run (a safety net: a writer
that died between its own two steps delays nothing by more than that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from stockplan.data.table import Table

PK, SK = "SCHEDULE", "MARKER"
MAX_SKIP = timedelta(days=7)


@dataclass(frozen=True)
class Marker:
    due: date | None
    dirty: bool
    version: int

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
    )


def lower_due(table: Table, day: date) -> None:
    """Something falls due on `day`: make sure the marker is not later."""
    table.update(
        PK,
        SK,
        "SET #d = :d ADD version :one",
        {":d": day.isoformat(), ":one": 1},
        condition="attribute_not_exists(#d) OR #d > :d",
        names={"#d": "due"},
    )


def mark_dirty(table: Table) -> None:
    table.update(PK, SK, "SET dirty = :t ADD version :one", {":t": True, ":one": 1})


def settle(table: Table, seen: Marker, next_due: date | None, run_day: date, dirty: bool) -> bool:
    """After a run: record the next due day, unless another writer moved the marker."""
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
    if seen.version == 0:
        return table.put(item, "attribute_not_exists(PK) OR version = :v", {":v": 0})
    return table.put(item, "version = :v", {":v": seen.version})
