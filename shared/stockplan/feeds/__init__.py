"""Feed parsing (interfaces.md §1): CSV bytes in, typed rows and rejections out.

Pure: no AWS, no clock, no I/O.

- `kind_from_key(key)` -> `FeedKind`, or raises `KeyRejected` (`.reason`).
- `parse_feed(kind, data, limits)` -> `ParsedFeed`, or raises `FileRejected` (`.reason`)
  when the whole file is refused (nothing of it may be applied).
- `render_errors_csv(header, rejections)` -> bytes of `errors/<key>.errors.csv`.
- `content_digest(data)` -> fingerprint to recognise the same content uploaded again.
"""

from stockplan.feeds.csvfile import DEFAULT_LIMITS, NOT_UTF8, FeedLimits, FileRejected
from stockplan.feeds.digest import content_digest
from stockplan.feeds.errors_csv import neutralise, render_errors_csv, render_file_rejection_csv
from stockplan.feeds.kinds import FEED_ORDER, INCOMING_PREFIX, FeedKind, KeyRejected, kind_from_key
from stockplan.feeds.parse import ParsedFeed, ParsedRow, RowRejection, parse_feed
from stockplan.feeds.rows import (
    FED_AWARD_TYPES,
    FORMULA_OPTION_REASON,
    ROW_MODELS,
    CorporateActionRow,
    ElectionRow,
    ExerciseRow,
    FeedRow,
    FeeRow,
    GrantRow,
    MeetingRow,
    ParticipantRow,
    PriceRow,
    TerminationRow,
)

__all__ = [
    "DEFAULT_LIMITS",
    "FED_AWARD_TYPES",
    "FEED_ORDER",
    "FORMULA_OPTION_REASON",
    "INCOMING_PREFIX",
    "NOT_UTF8",
    "ROW_MODELS",
    "CorporateActionRow",
    "ElectionRow",
    "ExerciseRow",
    "FeeRow",
    "FeedKind",
    "FeedLimits",
    "FeedRow",
    "FileRejected",
    "GrantRow",
    "KeyRejected",
    "MeetingRow",
    "ParsedFeed",
    "ParsedRow",
    "ParticipantRow",
    "PriceRow",
    "RowRejection",
    "TerminationRow",
    "content_digest",
    "kind_from_key",
    "neutralise",
    "parse_feed",
    "render_errors_csv",
    "render_file_rejection_csv",
]
