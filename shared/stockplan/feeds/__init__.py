"""Feed parsing (docs/interfaces.md §1): CSV bytes in, typed rows and rejections out.

Pure: no AWS, no clock, no I/O.

- `kind_from_key(key)` -> `FeedKind`, or raises `KeyRejected` (`.reason`): the key must
  be `incoming/<kind>/<name>.csv` exactly (kind in lower case, no sub-folders).
- `parse_feed(kind, data, limits)` -> `ParsedFeed`, or raises `FileRejected` (`.reason`)
  when the whole file is refused; nothing of such a file may be applied.
- `render_errors_csv(header, rejections)` -> bytes of `errors/<key>.errors.csv`;
  `render_file_rejection_csv(reason)` for a file refused as a whole.
- `content_digest(data)` -> fingerprint to recognise the same content uploaded again.
- `capped_record(record, columns_read, max_bytes)` -> the record cut down to the kind's
  columns and a byte size a DynamoDB item can hold (for storing a rejected row).

Choices:

- Row numbers: row N is the N-th CSV record after the header, blank records included
  (so it matches the spreadsheet: row N is spreadsheet line N + 1 when the header is on
  line 1). Blank records (no cells or only blank cells) are neither rows nor rejections.
  A quoted cell spanning lines is one record.
- Every non-blank data row is in exactly one of `ParsedFeed.rows` / `.rejections`.
- `header` and `record` keys are the normalised names (blanks stripped, lower case) of
  every named column, unknown ones included; unnamed columns are dropped. A row with
  non-empty cells beyond the header is rejected; missing trailing cells are empty.
- `max_rows` counts non-blank data rows; `max_cell` applies to the columns the kind
  reads (other columns are ignored whatever their length). A cell longer than Python's
  csv default field limit (131,072 characters) is read like any other, so only its row
  is refused.
- Every cell the kind reads is refused (its row, naming the column) when it holds a
  control character (Unicode Cc), a line or paragraph separator (Zl, Zp) or an
  invisible format character (Cf: bidirectional overrides and isolates, direction
  marks, zero-width characters).
- Emails are returned as SES takes them: ASCII before the @ (else the row is refused),
  the domain in lower case and converted with IDNA (`jose@xn--exmple-cua.com`); the
  reserved `.test` domain is accepted for simulations.
- Enum codes accept any letter case; booleans are `true`/`false` in any case.
- The errors CSV is UTF-8 without BOM (unless `bom=True`), CRLF line ends, every cell
  neutralised against CSV injection; its added columns are `row` and `reason`, or
  `rejection_row`/`rejection_reason` where the file already has such a column
  (terminations), so a corrected errors file can be uploaded again as it is.
"""

from stockplan.feeds.capping import MAX_REJECTED_RECORD_BYTES, capped_record, record_bytes
from stockplan.feeds.csvfile import DEFAULT_LIMITS, NOT_UTF8, FeedLimits, FileRejected
from stockplan.feeds.digest import content_digest
from stockplan.feeds.errors_csv import neutralise, render_errors_csv, render_file_rejection_csv
from stockplan.feeds.kinds import (
    FEED_ORDER,
    INCOMING_PREFIX,
    MAX_KEY_BYTES,
    FeedKind,
    KeyRejected,
    kind_from_key,
)
from stockplan.feeds.parse import ParsedFeed, ParsedRow, RowRejection, parse_feed
from stockplan.feeds.rows import (
    ROW_MODELS,
    CorporateActionRow,
    CorrectionRow,
    DecisionRow,
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
    "FEED_ORDER",
    "INCOMING_PREFIX",
    "MAX_KEY_BYTES",
    "MAX_REJECTED_RECORD_BYTES",
    "NOT_UTF8",
    "ROW_MODELS",
    "CorporateActionRow",
    "CorrectionRow",
    "DecisionRow",
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
    "capped_record",
    "content_digest",
    "kind_from_key",
    "neutralise",
    "parse_feed",
    "record_bytes",
    "render_errors_csv",
    "render_file_rejection_csv",
]
