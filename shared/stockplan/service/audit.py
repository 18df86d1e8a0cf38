"""The audit trail as people read it (docs/interfaces.md §3: `stockplan audit`, audit.jsonl):
every change the system made, oldest first, with what changed (before and after) and
its cause (the feed file and row, the daily rule and plan section, or the correction or
decision with its request_id and note)."""

from __future__ import annotations

from typing import Any

from stockplan.data import records as rec
from stockplan.data.table import Item, Table


def record(item: Item) -> dict[str, Any]:
    """One audit item as audit.jsonl writes it."""
    return {
        "day": item["day"],
        "participant_id": item.get("participant_id"),
        "award_id": item.get("award_id"),
        "change": _plain(item.get("change", {})),
        "cause": _plain(item.get("cause", {})),
    }


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: whole ones are ints again."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "as_integer_ratio") and not isinstance(value, bool | int | float):
        return int(value) if value == int(value) else str(value)
    return value


def _ordered(items: list[Item]) -> list[dict[str, Any]]:
    """Oldest first; one award's changes of a day in the order of its versions (the
    daily job may act on what a feed made the same day), then as written."""

    def key(item: Item) -> tuple[str, str, int, str]:
        return (item["day"], item.get("award_id") or "", int(item.get("version", 0)), item["SK"])

    return [record(i) for i in sorted(items, key=key)]


def participant_trail(table: Table, participant_id: str) -> list[dict[str, Any]]:
    return _ordered(table.query(rec.audit_pk(participant_id)))


def award_trail(table: Table, award_id: str) -> list[dict[str, Any]] | None:
    """The changes to one award; None when no such award is recorded."""
    owner = table.get(*rec.award_owner_key(award_id))
    if owner is None:
        return None
    trail = participant_trail(table, str(owner["participant_id"]))
    return [r for r in trail if r["award_id"] == award_id]


AUDIT_TYPE = "audit"


def full_trail(table: Table) -> list[dict[str, Any]]:
    """Every audit record (an operator's read of the whole table, never on a Lambda path)."""
    return trail_from(table.scan_types({AUDIT_TYPE}))


def trail_from(items: list[Item]) -> list[dict[str, Any]]:
    """`full_trail` from items already read (the audit records among them)."""
    return _ordered([i for i in items if i.get("type") == AUDIT_TYPE])
