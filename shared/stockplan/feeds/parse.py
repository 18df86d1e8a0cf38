"""`parse_feed`: a feed's bytes in, accepted and rejected rows out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pydantic import ValidationError

from stockplan.feeds.csvfile import (
    DEFAULT_LIMITS,
    FeedLimits,
    FileRejected,
    RawRow,
    read_table,
)
from stockplan.feeds.kinds import FeedKind
from stockplan.feeds.rows import ROW_MODELS, FeedRow


@dataclass(frozen=True, slots=True)
class ParsedRow:
    row_number: int
    # {normalised column: stripped cell} for every named column of the file.
    record: dict[str, str]
    value: FeedRow


@dataclass(frozen=True, slots=True)
class RowRejection:
    row_number: int
    record: dict[str, str]
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    kind: FeedKind
    # Named columns of the file, normalised (stripped, lower case), in file order.
    header: list[str]
    rows: list[ParsedRow] = field(default_factory=list)
    rejections: list[RowRejection] = field(default_factory=list)


# How much of a wrong header a rejection quotes back (the file's cells may be long).
SHOWN_HEADER_COLUMNS = 12
SHOWN_HEADER_CHARS = 40


def _found_header(named: list[str]) -> str:
    """The header row as read, for HR to compare with what the kind needs."""
    if not named:
        return "no column names"
    shown = [n if len(n) <= SHOWN_HEADER_CHARS else n[:SHOWN_HEADER_CHARS] + "..." for n in named]
    more = len(shown) > SHOWN_HEADER_COLUMNS
    return ", ".join(shown[:SHOWN_HEADER_COLUMNS]) + (", ..." if more else "")


def _check_header(kind: FeedKind, columns: tuple[str, ...]) -> None:
    named = [name for name in columns if name]
    missing = [name for name in kind.required_columns if name not in named]
    if missing:
        reason = (
            f"missing required column(s): {', '.join(missing)}; the header row found reads:"
            f" {_found_header(named)}; a file under incoming/{kind.value}/ starts with a"
            f" header row naming {', '.join(kind.required_columns)}"
        )
        if len(named) == 1 and any(sep in named[0] for sep in ";\t"):
            reason += "; the header seems to use ';' or tabs between columns, not commas"
        raise FileRejected(reason)
    duplicates = [name for name, count in Counter(named).items() if count > 1]
    if duplicates:
        raise FileRejected(f"duplicate column(s): {', '.join(duplicates)}")


def _record(columns: tuple[str, ...], row: RawRow) -> dict[str, str]:
    cells = row.cells
    return {
        name: (cells[index] if index < len(cells) else "")
        for index, name in enumerate(columns)
        if name
    }


def _reason(error: ValidationError) -> str:
    """Pydantic's errors as `column: reason; column: reason`."""
    parts: list[str] = []
    for item in error.errors(include_url=False):
        loc = item["loc"]
        column = str(loc[0]) if loc else ""
        if item["type"] == "missing":
            message = "required, but the cell is empty"
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{column}: {message}" if column else message)
    return "; ".join(parts)


def _row_problem(
    width: int, checked: tuple[tuple[int, str], ...], row: RawRow, limits: FeedLimits
) -> str | None:
    """Problems found before the row model runs: stray cells and over-long cells.

    `checked` holds (index, name) of the columns this kind reads.
    """
    cells = row.cells
    if len(cells) > width and any(cells[width:]):
        return (
            f"the row has {len(cells)} cells but the header has {width} columns"
            " (an unquoted comma?)"
        )
    long = [
        name
        for index, name in checked
        if index < len(cells) and len(cells[index]) > limits.max_cell
    ]
    if long:
        return "; ".join(f"{name}: longer than {limits.max_cell} characters" for name in long)
    return None


def parse_feed(kind: FeedKind, data: bytes, limits: FeedLimits = DEFAULT_LIMITS) -> ParsedFeed:
    """Parse one feed file.

    Raises `FileRejected` when the file as a whole cannot be used (nothing is applied).
    Otherwise every non-blank data row ends up in exactly one of `rows` and
    `rejections`, in file order, numbered as in the file (1 = first row after the
    header; blank lines are skipped but counted).
    """
    table = read_table(data, limits)
    _check_header(kind, table.columns)
    model = ROW_MODELS[kind]
    result = ParsedFeed(kind=kind, header=table.header)
    read = set(kind.columns)
    checked = tuple((i, name) for i, name in enumerate(table.columns) if name in read)
    for row in table.rows:
        record = _record(table.columns, row)
        problem = _row_problem(len(table.columns), checked, row, limits)
        if problem is not None:
            result.rejections.append(RowRejection(row.row_number, record, problem))
            continue
        try:
            value = model.model_validate(record)
        except ValidationError as exc:
            result.rejections.append(RowRejection(row.row_number, record, _reason(exc)))
            continue
        result.rows.append(ParsedRow(row.row_number, record, value))
    return result
