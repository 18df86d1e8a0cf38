"""The errors CSV written back next to a feed: its rejected rows, each with a reason."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from stockplan.feeds.parse import RowRejection

# A cell starting with one of these can turn into a formula in a spreadsheet.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet could run as a formula (CSV injection)."""
    if cell.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _unique(name: str, taken: Iterable[str]) -> str:
    used = set(taken)
    for candidate in (name, f"rejection_{name}"):
        if candidate not in used:
            return candidate
    number = 2
    while f"rejection_{name}_{number}" in used:
        number += 1
    return f"rejection_{name}_{number}"


def _render(rows: Sequence[Sequence[str]], bom: bool) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def render_errors_csv(
    header: Sequence[str], rejections: Sequence[RowRejection], *, bom: bool = False
) -> bytes:
    """UTF-8 CSV (CRLF line ends): the file's columns, then `row` and `reason`.

    Where the file already has a column of that name (terminations have `reason`), the
    added one is called `rejection_reason` (`rejection_row`), so the errors file can be
    corrected and uploaded again as it is. Every cell, header included, is neutralised
    against CSV injection. `bom=True` puts a UTF-8 byte-order mark first (for Excel).
    """
    columns = list(header)
    row_column = _unique("row", columns)
    reason_column = _unique("reason", [*columns, row_column])
    lines: list[list[str]] = [[*columns, row_column, reason_column]]
    for rejection in rejections:
        cells = [rejection.record.get(name, "") for name in columns]
        lines.append([*cells, str(rejection.row_number), rejection.reason])
    return _render(lines, bom)


def render_file_rejection_csv(reason: str, *, bom: bool = False) -> bytes:
    """The errors CSV of a file rejected as a whole: columns `row` (empty) and `reason`."""
    return _render([["row", "reason"], ["", reason]], bom)
