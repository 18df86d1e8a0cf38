"""Facts dated after the day they are applied (docs/plan-rules.md "Facts in time": scheduled facts).

A termination or grant row dated ahead is checked at once (its rules run on a change
that commits nothing: rejections and conflicts are as usual), keyed at once (its fact
record is written, so the same row again is unchanged and a different one a conflict),
and kept as a scheduled record with a due item on its date. The daily job of that date
applies it as if it were fed that day, with its notices then. Before its date a
correction can change or withdraw it.

The mechanism is generic: `SCHEDULED_APPLIERS` maps a scheduled record's kind to what
applies its values on the day; any fact that takes effect on a date of its own (a role
change from its effective date) can register there and `schedule` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from stockplan.data import records as rec
from stockplan.data.table import Item
from stockplan.feeds import FeedKind
from stockplan.feeds.identity import RowIdentity
from stockplan.feeds.rows import ROW_MODELS, FeedRow
from stockplan.service import notify
from stockplan.service.ledger import Change
from stockplan.service.rows import UNCHANGED, RowResult

# The date each feed kind's fact is about (docs/plan-rules.md "Facts in time").
FACT_DATE_COLUMNS: dict[FeedKind, str] = {
    FeedKind.GRANTS: "grant_date",
    FeedKind.TERMINATIONS: "termination_date",
    FeedKind.EXERCISES: "exercise_date",
    FeedKind.MEETINGS: "meeting_date",
    FeedKind.FEES: "fee_date",
    FeedKind.CORPORATE_ACTIONS: "action_date",
    FeedKind.ELECTIONS: "notice_date",
    FeedKind.PRICES: "date",
    FeedKind.DECISIONS: "decision_date",
    FeedKind.PLAN_ACTIONS: "effective_date",
}
# Kinds whose rows dated ahead wait for their date (meetings, fees and corporate actions
# keep a due item of their own from the start).
SCHEDULED_KINDS = frozenset({FeedKind.TERMINATIONS, FeedKind.GRANTS})
# Kinds that state what has happened: a row dated ahead is rejected.
NEVER_AHEAD: dict[FeedKind, str] = {
    FeedKind.EXERCISES: "an exercise is fed once it has happened",
    FeedKind.PRICES: "a price is fed once its day has traded",
}

# What applies a scheduled record's values on its day: a rejection reason, UNCHANGED,
# or None (applied).
ScheduledApplier = Callable[[Change, dict[str, str]], RowResult]


def fact_day(kind: FeedKind, row: FeedRow) -> date | None:
    """The date a row's fact is about (None: a kind without one)."""
    column = FACT_DATE_COLUMNS.get(kind)
    value = None if column is None else getattr(row, column, None)
    return value if isinstance(value, date) else None


def _feed_applier(kind: FeedKind) -> ScheduledApplier:
    def apply(change: Change, values: dict[str, str]) -> RowResult:
        from stockplan.service.rows import APPLIERS

        row = ROW_MODELS[kind].model_validate(values)
        return APPLIERS[kind](change, row)

    return apply


def _role_change(change: Change, values: dict[str, str]) -> RowResult:
    from stockplan.service.rows import apply_role_change

    return apply_role_change(change, values)


SCHEDULED_APPLIERS: dict[str, ScheduledApplier] = {
    **{kind.value: _feed_applier(kind) for kind in SCHEDULED_KINDS},
    # A participants row's role change dated ahead (effective_date).
    "role_change": _role_change,
}


def apply_row(
    change: Change,
    kind: FeedKind,
    row: Any,
    identity: RowIdentity,
    source_key: str,
    source_row: int,
) -> RowResult:
    """Apply a feed row now, or, dated ahead, check it and schedule it for its date."""
    from stockplan.service.rows import APPLIERS

    day = fact_day(kind, row)
    # What a go-live judges the row by (a correction names its own, from what it corrects).
    change.fact_day = day
    if day is not None and day > change.day:
        if kind in NEVER_AHEAD:
            return (
                f"{FACT_DATE_COLUMNS[kind]} {day.isoformat()} is after today"
                f" ({change.day.isoformat()}): {NEVER_AHEAD[kind]}"
            )
        if kind in SCHEDULED_KINDS:
            return _check_and_schedule(change, kind, row, identity, day, source_key, source_row)
    return APPLIERS[kind](change, row)


def _check_and_schedule(
    change: Change,
    kind: FeedKind,
    row: Any,
    identity: RowIdentity,
    day: date,
    source_key: str,
    source_row: int,
) -> RowResult:
    waiting = change.table.get(rec.scheduled_pk(kind.value, identity.key), rec.SCHEDULED_SK)
    if waiting is not None:
        # Only a different row gets here (the same one is unchanged by its key).
        return (
            f"a {kind.value[:-1]} dated {waiting['day']} is already scheduled for"
            f" {identity.key} (row {waiting['source_row']} of {waiting['source_key']}):"
            " send a corrections row to change or withdraw it"
        )
    from stockplan.service.rows import APPLIERS

    point = change.savepoint()
    change.checking_ahead = True
    try:
        result = APPLIERS[kind](change, row)
    finally:
        change.checking_ahead = False
        change.rollback(point)
    if result is not None:
        return result
    schedule(change, kind.value, identity.key, day, identity.values, source_key, source_row)
    return None


def schedule(
    change: Change,
    kind: str,
    key: str,
    day: date,
    values: dict[str, str],
    source_key: str,
    source_row: int,
) -> None:
    """Keep a fact for the daily job of `day` (listed as upcoming until then)."""
    item = rec.scheduled_item(kind, key, day, values, source_key, source_row)
    change.put(item)
    change.put_due(rec.scheduled_due(kind, key, day), item["PK"])
    change.audit(item["PK"], rec.SCHEDULED_SK, "scheduled", {"kind": kind, "day": day.isoformat()})


def scheduled(change: Change, kind: str, key: str) -> Item | None:
    """The scheduled record of a fact not yet applied, or None."""
    return change.table.get(rec.scheduled_pk(kind, key), rec.SCHEDULED_SK)


def withdraw(change: Change, record: Item, *, rescheduled: bool = False) -> None:
    """Remove a scheduled fact before its date (a correction withdrew it), or only its
    due item when `rescheduled` (the correction schedules it again, same record)."""
    day = date.fromisoformat(str(record["day"]))
    if not rescheduled:
        change.tx.delete(str(record["PK"]), rec.SCHEDULED_SK)
    change.delete_due(rec.scheduled_due(str(record["kind"]), str(record["key"]), day))
    change.audit(
        str(record["PK"]),
        rec.SCHEDULED_SK,
        "withdrawn",
        {"kind": record["kind"], "day": day.isoformat()},
    )


def apply_due(change: Change, batch: list[tuple[Any, Item]]) -> str | None:
    """The daily job on a scheduled fact's date: applied as if fed that day. A fact the
    rules refuse by then (the pool ran short, another termination came first) is
    dropped, its key freed for a corrected row, and the administrator told."""
    due, due_item = batch[0]
    record = change.table.get(str(due_item["owner"]), rec.SCHEDULED_SK)
    if record is None or record["day"] != due.day.isoformat():
        change.drop_due(due_item)  # withdrawn, or moved to another day
        change.skipped = True
        return None
    kind, key = str(record["kind"]), str(record["key"])
    change.cause_info = {
        **(change.cause_info or {}),
        "feed": kind,
        "key": record["source_key"],
        "row": int(record["source_row"]),
    }
    point = change.savepoint()
    values = {k: str(v) for k, v in record["values"].items()}
    result = SCHEDULED_APPLIERS[kind](change, values)
    if isinstance(result, str):
        change.rollback(point)
        fact = change.ledger.fact(kind, key)
        if fact is not None and fact.values == values:
            # The key is free for a corrected row (one applied since keeps its own).
            change.tx.delete(*_fact_key(kind, key))
        notify.admin_alert(
            change,
            f"A scheduled {kind} row was not applied on {due.day.isoformat()}",
            [
                f"Row {record['source_row']} of {record['source_key']} ({key}) was scheduled"
                f" for {due.day.isoformat()} and could not be applied then: {result}.",
                "Nothing of it was applied; upload a corrected row.",
            ],
            "scheduled",
            kind,
            key,
            due.day.isoformat(),
        )
    elif result is UNCHANGED:
        change.skipped = True
    change.tx.delete(str(record["PK"]), rec.SCHEDULED_SK)
    change.delete_due(due)
    return None


def _fact_key(kind: str, key: str) -> tuple[str, str]:
    return rec.fact_pk(kind, key), rec.FACT_SK
