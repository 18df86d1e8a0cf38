"""Capping a row's record by bytes before it is stored (DynamoDB items are at most 400 KB).

A rejected row is kept with its record (`{column: cell}`) so it can be reported and tried
again. A file may be up to `FeedLimits.max_bytes` (10 MiB) and one cell nearly all of
it, and unknown extra columns are read into the record too: stored as they are, such a
record would make the item too large to write, and the whole file would fail.

`capped_record` keeps the columns the kind reads and cuts the longest cells, each with a
marker saying how much was cut, until the record fits `max_bytes` as DynamoDB measures a
map (attribute names and values in UTF-8, plus a few bytes per entry). Pure: no AWS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Well under DynamoDB's 400 KB item limit, with room for the rest of the item (reason,
# key, row number, index keys).
MAX_REJECTED_RECORD_BYTES = 64 * 1024
# DynamoDB counts 1 byte per map element and 3 per map; 4 per entry is on the safe side.
ENTRY_OVERHEAD_BYTES = 4


def cut_marker(removed: int) -> str:
    """What replaces the end of a cut cell."""
    return f" …[{removed} more characters cut]"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def record_bytes(record: Mapping[str, str]) -> int:
    """The size of `record` as a stored map, by the measure `capped_record` keeps to."""
    return sum(_size(name) + _size(value) + ENTRY_OVERHEAD_BYTES for name, value in record.items())


def _cut(value: str, max_bytes: int) -> str:
    """The longest prefix of `value` that, with its marker, takes at most `max_bytes`
    (UTF-8, never splitting a character); "" when not even the marker fits."""
    room = max_bytes - _size(cut_marker(len(value)))
    if room < 0:
        return ""
    prefix = value.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return prefix + cut_marker(len(value) - len(prefix))


def capped_record(
    record: Mapping[str, str],
    columns_read: Iterable[str],
    max_bytes: int = MAX_REJECTED_RECORD_BYTES,
) -> dict[str, str]:
    """`record` restricted to `columns_read` (in the record's order), its longest cells
    cut so that `record_bytes(result) <= max_bytes`.

    Cells are shared out fairly: the shortest cells are kept whole while they fit an
    equal share of what is left, and each longer one is cut to its share and ends with
    `cut_marker`. A record that already fits comes back unchanged (less the columns not
    read). Raises ValueError when `max_bytes` cannot even hold the column names.
    """
    wanted = set(columns_read)
    kept = {name: value for name, value in record.items() if name in wanted}
    fixed = sum(_size(name) + ENTRY_OVERHEAD_BYTES for name in kept)
    if fixed > max_bytes:
        raise ValueError(f"max_bytes {max_bytes} cannot hold the column names ({fixed} bytes)")
    if record_bytes(kept) <= max_bytes:
        return kept
    remaining = max_bytes - fixed
    shortest_first = sorted(kept, key=lambda name: _size(kept[name]))
    result: dict[str, str] = {}
    for done, name in enumerate(shortest_first):
        share = remaining // (len(shortest_first) - done)
        value = kept[name]
        result[name] = value if _size(value) <= share else _cut(value, share)
        remaining -= _size(result[name])
    return {name: result[name] for name in kept}
