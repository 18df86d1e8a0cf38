"""The errors CSV written back next to a feed, and the content fingerprint."""

from __future__ import annotations

import csv
import io

import pytest
from test_feeds_support import GOOD_ROWS, csv_bytes, excel, feed

from stockplan.feeds import (
    FeedKind,
    RowRejection,
    content_digest,
    neutralise,
    parse_feed,
    render_errors_csv,
    render_file_rejection_csv,
)


def read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_errors_csv_has_the_original_columns_then_row_and_reason() -> None:
    parsed = parse_feed(FeedKind.FEES, excel(FeedKind.FEES, {}, {"amount": "abc"}))
    data = render_errors_csv(parsed.header, parsed.rejections)
    assert data.endswith(b"\r\n")
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    assert read(data) == [
        ["amount", "fee_date", "fee_type", "participant_id", "notes", "row", "reason"],
        [
            "abc",
            "2001-02-14",
            "meeting",
            "P-3",
            "anything",
            "2",
            "amount: must be a plain decimal number like 12.50, got 'abc'",
        ],
    ]


def test_errors_csv_of_terminations_names_its_reason_column_rejection_reason() -> None:
    parsed = parse_feed(FeedKind.TERMINATIONS, feed(FeedKind.TERMINATIONS, {"reason": "layoff"}))
    rows = read(render_errors_csv(parsed.header, parsed.rejections))
    assert rows[0] == ["participant_id", "termination_date", "reason", "row", "rejection_reason"]
    assert rows[1][2] == "layoff"
    assert rows[1][4].startswith("reason: must be one of death")


def test_corrected_errors_csv_can_be_uploaded_again() -> None:
    parsed = parse_feed(FeedKind.TERMINATIONS, feed(FeedKind.TERMINATIONS, {"reason": "Layoff"}))
    errors = render_errors_csv(parsed.header, parsed.rejections)
    fixed = errors.replace(b",Layoff,", b",involuntary,")
    again = parse_feed(FeedKind.TERMINATIONS, fixed)
    assert again.rejections == []
    assert len(again.rows) == 1


def test_errors_csv_can_start_with_a_bom_for_excel() -> None:
    data = render_errors_csv(["a"], [], bom=True)
    assert data == b"\xef\xbb\xbfa,row,reason\r\n"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("＝1+1", "'＝1+1"),
        ("P-17", "P-17"),
        ("12.50", "12.50"),
        ("", ""),
    ],
)
def test_cells_that_a_spreadsheet_could_run_are_neutralised(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_csv_injection_is_neutralised_in_every_cell_of_the_errors_csv() -> None:
    header = ["participant_id", "name", "email", "role", "=evil()"]
    record = {
        "participant_id": "=1+1",
        "name": "@SUM(1)",
        "email": "+x",
        "role": "-2",
        "=evil()": "\tx",
    }
    data = render_errors_csv(header, [RowRejection(3, record, "=cmd|' /C calc'!A0")])
    rows = read(data)
    assert rows[0][4] == "'=evil()"
    assert rows[1] == ["'=1+1", "'@SUM(1)", "'+x", "'-2", "'\tx", "3", "'=cmd|' /C calc'!A0"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_file_rejection_csv_has_an_empty_row_and_the_reason() -> None:
    data = render_file_rejection_csv("missing required column(s): award_id, plan")
    assert read(data) == [["row", "reason"], ["", "missing required column(s): award_id, plan"]]


# --- content digest --------------------------------------------------------------------

HEADER = list(GOOD_ROWS[FeedKind.PRICES])
ROWS = [list(GOOD_ROWS[FeedKind.PRICES].values())]


def test_same_content_resaved_with_bom_or_crlf_or_cr_has_the_same_digest() -> None:
    plain = csv_bytes(HEADER, ROWS)
    variants = [
        csv_bytes(HEADER, ROWS, bom=True),
        csv_bytes(HEADER, ROWS, newline="\r\n"),
        csv_bytes(HEADER, ROWS, bom=True, newline="\r\n"),
        csv_bytes(HEADER, ROWS, newline="\r"),
        plain.rstrip(b"\n"),
        plain + b"\n\n",
    ]
    assert {content_digest(v) for v in variants} == {content_digest(plain)}


def test_different_content_has_a_different_digest() -> None:
    other = [[*ROWS[0][:1], "40.01", *ROWS[0][2:]]]
    assert content_digest(csv_bytes(HEADER, ROWS)) != content_digest(csv_bytes(HEADER, other))


def test_digest_is_sha256_hex() -> None:
    digest = content_digest(b"date\n")
    assert len(digest) == 64
    assert int(digest, 16) >= 0
