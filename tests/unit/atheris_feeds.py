"""Coverage-guided fuzzing of the feed parser with atheris (libFuzzer for Python).

Run by tests/unit/test_feeds_hostile.py in a subprocess, or by hand:
    PYTHONPATH=shared python tests/unit/atheris_feeds.py -runs=1000000

The fuzzer's bytes choose a feed kind and a shape (raw bytes; a right header then raw
bytes; a right header then rows of cells drawn from near-valid and hostile values) so
that mutations reach the row models, not only the CSV reader. A crash is any exception
but a whole-file rejection, or a broken invariant: every non-blank row accepted or
rejected once, with a reason, and no errors-CSV cell a spreadsheet would run.
"""

from __future__ import annotations

import csv
import io
import sys

import atheris

# Third-party modules are imported first, so only the project's code is instrumented.
import email_validator  # noqa: F401
import pydantic  # noqa: F401

with atheris.instrument_imports():
    from stockplan.feeds import FeedKind, FeedLimits, FileRejected, parse_feed, render_errors_csv

KINDS = list(FeedKind)
LIMITS = FeedLimits(max_bytes=4096, max_rows=50, max_cell=64)
CELLS = [
    "", " ", "0", "-1", "1.5", "1e3", "NaN", "12000", "31.125", "2000-02-30", "1999-10-04",
    "2101-01-01", "true", "FALSE", "x", "=cmd|' /C calc'!A0", "+1", "@SUM(1)", "P-17", "G-0042",
    "ann@ctc.example.com", "Ann <evil@x.example.com>", "a@b.example.com,c@d.example.com",
    "incentive-1998", "directors-1999", "nso", "formula_option", "split", "covered_transaction",
    "2000-10-04:6000;2001-10-04:6000", "voluntary", "death", "reelected", "elect", "meeting",
]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def build(data: bytes) -> tuple[FeedKind, bytes]:
    fdp = atheris.FuzzedDataProvider(data)
    kind = KINDS[fdp.ConsumeIntInRange(0, len(KINDS) - 1)]
    shape = fdp.ConsumeIntInRange(0, 2)
    if shape == 0:
        return kind, fdp.ConsumeBytes(fdp.remaining_bytes())
    names = list(kind.columns)
    header = ",".join(names) + fdp.PickValueInList(["\n", "\r\n"])
    if shape == 1:
        return kind, header.encode() + fdp.ConsumeBytes(fdp.remaining_bytes())
    lines = []
    for _ in range(fdp.ConsumeIntInRange(0, 6)):
        cells = []
        for _ in names:
            if fdp.ConsumeBool():
                cell = fdp.PickValueInList(CELLS)
            else:
                cell = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 12))
            if any(ch in cell for ch in ',"\r\n'):
                cell = '"' + cell.replace('"', '""') + '"'
            cells.append(cell)
        lines.append(",".join(cells))
    return kind, (header + "\n".join(lines)).encode("utf-8", "surrogatepass")


def check(data: bytes) -> None:
    kind, feed = build(data)
    try:
        parsed = parse_feed(kind, feed, LIMITS)
    except FileRejected as rejected:
        assert rejected.reason
        return
    numbers = [r.row_number for r in parsed.rows] + [r.row_number for r in parsed.rejections]
    assert len(numbers) == len(set(numbers)), numbers
    assert all(r.reason for r in parsed.rejections)
    text = render_errors_csv(parsed.header, parsed.rejections).decode("utf-8")
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_STARTS), cell


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
