"""Feed kinds, their columns (docs/interfaces.md §1) and the S3 keys they arrive under."""

from __future__ import annotations

from enum import StrEnum

INCOMING_PREFIX = "incoming/"
# S3 allows keys of 1,024 bytes; DynamoDB sort keys built from a feed's key (its rows'
# audit records and rejection index) allow 1,024 bytes in all. Half leaves room.
MAX_KEY_BYTES = 512


class FeedKind(StrEnum):
    PARTICIPANTS = "participants"
    GRANTS = "grants"
    PRICES = "prices"
    TERMINATIONS = "terminations"
    MEETINGS = "meetings"
    ELECTIONS = "elections"
    FEES = "fees"
    EXERCISES = "exercises"
    CORPORATE_ACTIONS = "corporate_actions"
    CORRECTIONS = "corrections"
    DECISIONS = "decisions"
    PLAN_ACTIONS = "plan_actions"

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns that must be in the header, or the whole file is rejected."""
        return _REQUIRED[self]

    @property
    def optional_columns(self) -> tuple[str, ...]:
        return _OPTIONAL[self]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column this kind reads: required first, then optional."""
        return _REQUIRED[self] + _OPTIONAL[self]


_REQUIRED: dict[FeedKind, tuple[str, ...]] = {
    FeedKind.PARTICIPANTS: ("participant_id", "name", "email", "role"),
    FeedKind.GRANTS: (
        "award_id",
        "participant_id",
        "plan",
        "award_type",
        "grant_date",
        "shares",
    ),
    FeedKind.PRICES: ("date",),
    FeedKind.TERMINATIONS: ("participant_id", "termination_date", "reason"),
    FeedKind.MEETINGS: ("meeting_date", "participant_id", "outcome"),
    FeedKind.ELECTIONS: ("participant_id", "notice_date", "action"),
    FeedKind.FEES: ("participant_id", "fee_type", "fee_date", "amount"),
    FeedKind.EXERCISES: ("award_id", "exercise_date", "shares"),
    FeedKind.CORPORATE_ACTIONS: ("action_date", "action"),
    FeedKind.CORRECTIONS: ("request_id", "action"),
    FeedKind.DECISIONS: ("request_id", "action", "award_id", "decision_date"),
    FeedKind.PLAN_ACTIONS: ("request_id", "action", "plan", "effective_date"),
}

_OPTIONAL: dict[FeedKind, tuple[str, ...]] = {
    FeedKind.PARTICIPANTS: (
        "personal_email",
        "estate_email",
        "ten_percent_holder",
        "effective_date",
    ),
    FeedKind.GRANTS: ("exercise_price", "final_exercise_date", "vesting", "performance_criteria"),
    FeedKind.PRICES: ("last_sale", "high_bid", "low_ask"),
    FeedKind.TERMINATIONS: ("service",),
    FeedKind.MEETINGS: (),
    FeedKind.ELECTIONS: (),
    FeedKind.FEES: (),
    FeedKind.EXERCISES: ("shares_withheld", "shares_tendered", "payment", "exercise_id"),
    FeedKind.CORPORATE_ACTIONS: ("ratio", "assumed", "exchange_ratio", "acquirer"),
    FeedKind.CORRECTIONS: (
        "participant_id",
        "award_id",
        "exercise_id",
        "exercise_date",
        "termination_date",
        "reason",
        "grant_date",
        "shares",
        "exercise_price",
        "final_exercise_date",
        "vesting",
        "participant_consent",
        "note",
        "action_date",
        "corporate_action",
    ),
    FeedKind.DECISIONS: ("new_deadline", "shares", "effective_date", "note"),
    FeedKind.PLAN_ACTIONS: ("shares", "approved_on", "note"),
}

# The order in which `stockplan simulate` uploads one day's feeds (docs/interfaces.md §3).
FEED_ORDER: tuple[FeedKind, ...] = (
    FeedKind.PARTICIPANTS,
    FeedKind.PRICES,
    FeedKind.GRANTS,
    FeedKind.ELECTIONS,
    FeedKind.FEES,
    FeedKind.MEETINGS,
    FeedKind.EXERCISES,
    FeedKind.TERMINATIONS,
    FeedKind.CORRECTIONS,
    FeedKind.DECISIONS,
    FeedKind.PLAN_ACTIONS,
    FeedKind.CORPORATE_ACTIONS,
)


class KeyRejected(ValueError):
    """An S3 key that is not `incoming/<kind>/<name>.csv`; `reason` says why.

    `to_administrator`: an upload HR may well have meant as a feed (an unknown kind
    folder, a file that is not .csv) is reported to the administrator (docs/interfaces.md
    §1a); a hostile or malformed key (traversal, control characters) only refused."""

    def __init__(self, key: str, reason: str, *, to_administrator: bool = False) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason
        self.to_administrator = to_administrator


def kind_from_key(key: str) -> FeedKind:
    """The feed kind of an (already URL-decoded) S3 key `incoming/<kind>/<name>.csv`.

    Raises `KeyRejected` for anything else: keys outside `incoming/`, sub-folders, empty,
    `.` or `..` segments, backslashes or control characters, unknown kinds (the kind must
    be written exactly, in lower case), and names not ending in `.csv` (any letter case)
    or with nothing before it.
    """
    _, kind_text, name = _key_parts(key)
    kind = _kind(key, kind_text)
    _check_file_name(key, name)
    return kind


def _key_parts(key: str) -> list[str]:
    """`incoming`, the kind and the name, once the key is known to be safe to read."""
    if not key.startswith(INCOMING_PREFIX):
        raise KeyRejected(key, f"not a feed: the key must start with {INCOMING_PREFIX!r}")
    size = len(key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise KeyRejected(
            key,
            f"the key is {size} bytes long; a feed's key may have at most {MAX_KEY_BYTES}:"
            " upload it again under a shorter name",
            to_administrator=True,
        )
    if any(ch < " " or ch == "\x7f" for ch in key):
        raise KeyRejected(key, "the key contains control characters")
    if "\\" in key:
        raise KeyRejected(key, "the key contains a backslash")
    parts = key.split("/")
    if any(part in (".", "..") for part in parts):
        raise KeyRejected(key, "the key contains a '.' or '..' segment")
    if len(parts) != 3:
        raise KeyRejected(
            key, "a feed must be uploaded as incoming/<kind>/<name>.csv (no sub-folders)"
        )
    return parts


def _kind(key: str, kind_text: str) -> FeedKind:
    if not kind_text:
        raise KeyRejected(key, "the key has no feed kind: expected incoming/<kind>/<name>.csv")
    try:
        return FeedKind(kind_text)
    except ValueError:
        known = ", ".join(k.value for k in FeedKind)
        raise KeyRejected(
            key, f"unknown feed kind {kind_text!r}; known kinds: {known}", to_administrator=True
        ) from None


def _check_file_name(key: str, name: str) -> None:
    if not name:
        raise KeyRejected(key, "the key has an empty file name")
    if not name.lower().endswith(".csv"):
        raise KeyRejected(
            key, f"the file name {name!r} does not end in .csv", to_administrator=True
        )
    if not name[: -len(".csv")].strip():
        raise KeyRejected(key, f"the file name {name!r} has nothing before .csv")
