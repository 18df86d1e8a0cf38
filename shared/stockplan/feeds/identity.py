"""Which fact a feed row states, and how a second row with the same key is judged
(docs/interfaces.md §1a). One table for every kind: its key columns, the values compared, and
what a different value under the same key means.

Values are compared as parsed values, never as text: `12.5` = `12.50`, ` 1000 ` =
`1000`, header case and column order do not matter (they are gone once parsed). A grant
is compared with the terms it was granted with: its fact keeps the row as fed, before
any split restated the award.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from stockplan.domain.model import Tranche
from stockplan.feeds.kinds import FeedKind
from stockplan.feeds.rows import FeedRow


class OnConflict(StrEnum):
    """What a row whose key is known, with other values, does (docs/interfaces.md §1a)."""

    REJECT = "reject"  # the fact stands; changing it is a correction
    UPDATE = "update"  # the latest upload wins (participants' details)
    REPLACE_UNTIL_USED = "replace_until_used"  # a price nobody has used yet
    RULES_DECIDE = "rules_decide"  # a death after another termination (docs/plan-rules.md)


@dataclass(frozen=True, slots=True)
class KindIdentity:
    key_columns: tuple[str, ...]
    on_conflict: OnConflict
    # Where the fact can be changed instead, named in a conflict's reason.
    remedy: str


_CORRECTIONS = "send a corrections row to change it"

IDENTITIES: Mapping[FeedKind, KindIdentity] = {
    FeedKind.PARTICIPANTS: KindIdentity(("participant_id",), OnConflict.UPDATE, ""),
    FeedKind.GRANTS: KindIdentity(("award_id",), OnConflict.REJECT, _CORRECTIONS),
    FeedKind.PRICES: KindIdentity(
        ("date",),
        OnConflict.REPLACE_UNTIL_USED,
        "a price that set a grant's or award's Fair Market Value cannot be replaced",
    ),
    FeedKind.TERMINATIONS: KindIdentity(("participant_id",), OnConflict.RULES_DECIDE, ""),
    FeedKind.MEETINGS: KindIdentity(
        ("meeting_date", "participant_id"),
        OnConflict.REJECT,
        "the roster of a meeting cannot be changed by a feed",
    ),
    FeedKind.ELECTIONS: KindIdentity(
        ("participant_id", "notice_date", "action"), OnConflict.REJECT, ""
    ),
    FeedKind.FEES: KindIdentity(
        ("participant_id", "fee_type", "fee_date"),
        OnConflict.REJECT,
        "a fee is recorded once; ask the plan administrator to change it",
    ),
    FeedKind.EXERCISES: KindIdentity(
        ("award_id", "exercise_date", "shares", "shares_withheld"),
        OnConflict.REJECT,
        "give the exercise its own exercise_id, or send a void_exercise correction",
    ),
    FeedKind.CORPORATE_ACTIONS: KindIdentity(
        ("action_date", "action"),
        OnConflict.REJECT,
        "a corporate action is recorded once; ask the plan administrator to change it",
    ),
    FeedKind.CORRECTIONS: KindIdentity(
        ("request_id",),
        OnConflict.REJECT,
        "give each correction its own request_id",
    ),
    FeedKind.DECISIONS: KindIdentity(
        ("request_id",),
        OnConflict.REJECT,
        "give each decision its own request_id",
    ),
    FeedKind.PLAN_ACTIONS: KindIdentity(
        ("request_id",),
        OnConflict.REJECT,
        "give each plan action its own request_id",
    ),
}


@dataclass(frozen=True, slots=True)
class RowIdentity:
    """The fact a row states: its key, other keys it is also known by, and its values."""

    kind: FeedKind
    key: str
    values: dict[str, str]
    # An exercise with an exercise_id is also known by its four columns, so a row
    # without an id that repeats it is unchanged, whatever the id (docs/interfaces.md §1a).
    aliases: tuple[str, ...] = ()

    @property
    def rule(self) -> KindIdentity:
        return IDENTITIES[self.kind]


def canonical(value: Any) -> str:
    """A parsed cell as comparable text: the same value always gives the same text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Tranche):
        return f"{value.vest_date.isoformat()}:{value.shares}"
    if isinstance(value, tuple | list):
        return ";".join(sorted(canonical(v) for v in value))
    return str(value)


def _key(columns: tuple[str, ...], values: Mapping[str, str]) -> str:
    return "|".join(values[c] for c in columns)


def identify(kind: FeedKind, row: FeedRow) -> RowIdentity:
    values = {name: canonical(getattr(row, name)) for name in type(row).model_fields}
    rule = IDENTITIES[kind]
    if kind is FeedKind.EXERCISES:
        # exercise_id is the key where given, never a value: two rows equal on the four
        # columns are one exercise unless their ids tell them apart.
        exercise_id = values.pop("exercise_id", "")
        # The columns added since exercises were first keyed read blank at their
        # defaults, so an exercise recorded before them compares equal to its re-upload.
        if values.get("shares_tendered") == "0":
            values["shares_tendered"] = ""
        if values.get("payment") == "cash":
            values["payment"] = ""
        four = "four:" + _key(rule.key_columns, values)
        if exercise_id:
            return RowIdentity(kind, f"id:{exercise_id}", values, (four,))
        return RowIdentity(kind, four, values)
    return RowIdentity(kind, _key(rule.key_columns, values), values)


def differences(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """`column: before -> after` for each value that differs, in column order."""
    changed = []
    for name in after:
        old = before.get(name, "")
        if old != after[name]:
            changed.append(f"{name} {old or '(blank)'} -> {after[name] or '(blank)'}")
    return changed
