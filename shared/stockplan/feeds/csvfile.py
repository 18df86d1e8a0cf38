"""Reading a feed's bytes into a header and raw records (no validation of values).

Whole-file problems raise `FileRejected`; nothing of such a file is applied.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

NOT_UTF8 = "not a UTF-8 CSV file"
_BLANKS = " \t\r\n\f\v\u00a0\ufeff"


class FileRejected(ValueError):
    """The whole file is refused; `reason` says why in words a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FeedLimits:
    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 100_000
    max_cell: int = 1000


DEFAULT_LIMITS = FeedLimits()


@dataclass(frozen=True, slots=True)
class RawRow:
    """One non-blank data record: `row_number` counts records after the header, blank
    ones included, so row N is the N-th spreadsheet row under the header."""

    row_number: int
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RawSheet:
    """A feed file as read: its header and its data records, not yet typed (not to be
    confused with stockplan.data.table.Table, the DynamoDB table)."""

    # Normalised header names in file order; "" for a column without a name.
    columns: tuple[str, ...]
    rows: tuple[RawRow, ...]

    @property
    def header(self) -> list[str]:
        """The named columns, in file order."""
        return [name for name in self.columns if name]


def normalise_name(name: str) -> str:
    return name.strip(_BLANKS).lower()


def decode(data: bytes, limits: FeedLimits) -> str:
    if len(data) > limits.max_bytes:
        raise FileRejected(
            f"file too large: {len(data)} bytes, the limit is {limits.max_bytes} bytes"
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected(f"{NOT_UTF8} (it is UTF-16: save it as 'CSV UTF-8')")
    if b"\x00" in data:
        raise FileRejected(f"{NOT_UTF8} (it contains NUL bytes: binary or UTF-16?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRejected(
            f"{NOT_UTF8} (byte {exc.start} is not UTF-8: save it as 'CSV UTF-8')"
        ) from None


def _is_blank(record: Sequence[str]) -> bool:
    return all(not cell.strip(_BLANKS) for cell in record)


def allow_cells_up_to(limits: FeedLimits) -> None:
    """Let the csv module read a cell as long as the whole file may be.

    Python's csv refuses a field over `csv.field_size_limit()` (131,072 characters by
    default) with an error that would refuse the whole file. A file is at most
    `max_bytes` bytes, so no cell can have more characters than that: the row-level
    `max_cell` check then refuses only the row with the over-long cell. The limit is
    process-wide and only ever raised here.
    """
    if csv.field_size_limit() < limits.max_bytes:
        csv.field_size_limit(limits.max_bytes)


def read_table(data: bytes, limits: FeedLimits) -> RawSheet:
    """Decode and split a feed into normalised header names and stripped data records.

    Blank records (no cells, or only blank cells) before the header are skipped; after
    it they are skipped but counted in row numbers.
    """
    text = decode(data, limits)
    allow_cells_up_to(limits)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns: tuple[str, ...] | None = None
    rows: list[RawRow] = []
    row_number = 0
    try:
        for record in reader:
            if columns is None:
                if not _is_blank(record):
                    columns = tuple(normalise_name(name) for name in record)
                continue
            row_number += 1
            if _is_blank(record):
                continue
            if len(rows) >= limits.max_rows:
                raise FileRejected(
                    f"too many data rows: more than {limits.max_rows}; split the file"
                )
            rows.append(RawRow(row_number, tuple(cell.strip(_BLANKS) for cell in record)))
    except csv.Error as exc:
        raise FileRejected(f"malformed CSV near line {reader.line_num}: {exc}") from None
    if columns is None:
        raise FileRejected("empty file: no header row")
    return RawSheet(columns=columns, rows=tuple(rows))
