"""Fuzzing: whatever the bytes, parse_feed answers with rows and rejections or with
the documented whole-file rejection, and never loses a row."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_feeds_support import GOOD_ROWS, csv_bytes

from stockplan.feeds import (
    FeedKind,
    FileRejected,
    ParsedFeed,
    parse_feed,
    render_errors_csv,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
kinds = st.sampled_from(list(FeedKind))


def check_accounting(parsed: ParsedFeed) -> list[int]:
    """Row numbers are unique, positive and in file order within each list."""
    accepted = [row.row_number for row in parsed.rows]
    refused = [rejection.row_number for rejection in parsed.rejections]
    assert accepted == sorted(accepted)
    assert refused == sorted(refused)
    numbers = accepted + refused
    assert len(set(numbers)) == len(numbers)
    assert all(n >= 1 for n in numbers)
    for rejection in parsed.rejections:
        assert rejection.reason
        assert set(rejection.record) == set(parsed.header)
    return sorted(numbers)


def parse_or_reject(kind: FeedKind, data: bytes) -> ParsedFeed | None:
    try:
        parsed = parse_feed(kind, data)
    except FileRejected as exc:
        assert exc.reason
        return None
    check_accounting(parsed)
    render_errors_csv(parsed.header, parsed.rejections)
    return parsed


@FUZZ
@given(kind=kinds, data=st.binary(max_size=400))
def test_random_bytes_give_rows_or_the_file_rejection(kind: FeedKind, data: bytes) -> None:
    parse_or_reject(kind, data)


@FUZZ
@given(kind=kinds, text=st.text(max_size=300))
def test_random_text_gives_rows_or_the_file_rejection(kind: FeedKind, text: str) -> None:
    parse_or_reject(kind, text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(kind=kinds, text=st.text(alphabet=',"\r\n abc=-1.:;', max_size=200))
def test_random_csv_punctuation_after_a_valid_header_gives_rows_or_the_file_rejection(
    kind: FeedKind, text: str
) -> None:
    header = ",".join(GOOD_ROWS[kind]) + "\r\n"
    parse_or_reject(kind, (header + text).encode())


# Cells: mostly near-valid values, so rows get past the cell checks to the row rules.
TRICKY = ["", " ", "0", "-1", "1.5", "1e3", "NaN", "2000-02-30", "1999-10-03", "true", "x", "=1+1"]
CELL_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"), blacklist_characters="\ufeff"
    )
    | st.sampled_from(list(' \t,"\n\r=-@+;:')),
    max_size=12,
)


@st.composite
def feed_files(draw: st.DrawFn) -> tuple[FeedKind, bytes, list[bool]]:
    """A file whose header is right (any order and case) and whose rows are anything.

    Returns the kind, the bytes and, per data row, whether it is blank.
    """
    kind = draw(kinds)
    columns = draw(st.permutations(list(GOOD_ROWS[kind])))
    header = [draw(st.sampled_from([name, name.upper(), f" {name.title()} "])) for name in columns]
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 5)) == 0:
            rows.append(draw(st.sampled_from([[], [" "] * len(columns), [""]])))
            continue
        rows.append(
            [
                draw(st.sampled_from([GOOD_ROWS[kind][name], *TRICKY]) | CELL_TEXT)
                for name in columns
            ]
        )
    blank = [all(not cell.strip() for cell in row) for row in rows]
    if rows and not rows[-1]:
        blank[-1] = True
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return kind, csv_bytes(header, rows, bom=draw(st.booleans()), newline=newline), blank


@FUZZ
@given(case=feed_files())
def test_every_non_blank_row_is_either_accepted_or_rejected_with_its_number(
    case: tuple[FeedKind, bytes, list[bool]],
) -> None:
    kind, data, blank = case
    parsed = parse_feed(kind, data)  # a right header never rejects the file
    numbers = check_accounting(parsed)
    assert numbers == [i + 1 for i, is_blank in enumerate(blank) if not is_blank]
    errors = list(
        csv.reader(
            io.StringIO(render_errors_csv(parsed.header, parsed.rejections).decode(), newline="")
        )
    )
    assert len(errors) == 1 + len(parsed.rejections)
    for row in errors:
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))
