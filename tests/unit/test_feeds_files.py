"""Whole files: Excel exports accepted, whole-file rejections (docs/interfaces.md §1)."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_feeds_support import GOOD_ROWS, csv_bytes, excel, feed

from stockplan.feeds import (
    NOT_UTF8,
    FeedKind,
    FeedLimits,
    FileRejected,
    GrantRow,
    parse_feed,
)


def rejected(kind: FeedKind, data: bytes, limits: FeedLimits | None = None) -> str:
    with pytest.raises(FileRejected) as caught:
        if limits is None:
            parse_feed(kind, data)
        else:
            parse_feed(kind, data, limits)
    return caught.value.reason


GRANT_HEADER = list(GOOD_ROWS[FeedKind.GRANTS])
GRANT_ROW = list(GOOD_ROWS[FeedKind.GRANTS].values())


# --- Excel exports --------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(FeedKind))
def test_excel_export_with_bom_crlf_mixed_case_header_reordered_and_extra_column_parses(
    kind: FeedKind,
) -> None:
    parsed = parse_feed(kind, excel(kind, {}, {}))
    assert parsed.rejections == []
    assert [row.row_number for row in parsed.rows] == [1, 2]
    assert parsed.header == [*reversed(GOOD_ROWS[kind]), "notes"]
    assert parsed.rows[0].record == {**GOOD_ROWS[kind], "notes": "anything"}
    assert parsed.rows[0].value == parse_feed(kind, feed(kind, {})).rows[0].value


def test_header_names_are_stripped_and_lower_cased() -> None:
    data = csv_bytes([f"\u00a0{n.upper()}\t" for n in GRANT_HEADER], [GRANT_ROW])
    assert parse_feed(FeedKind.GRANTS, data).header == GRANT_HEADER


def test_cells_are_stripped_of_surrounding_blanks_including_quoted_ones() -> None:
    data = csv_bytes(GRANT_HEADER, [[f"  {c}\t" for c in GRANT_ROW]])
    parsed = parse_feed(FeedKind.GRANTS, data)
    assert parsed.rows[0].record == GOOD_ROWS[FeedKind.GRANTS]


def test_lone_cr_line_ends_are_read_like_crlf() -> None:
    data = csv_bytes(GRANT_HEADER, [GRANT_ROW, GRANT_ROW], newline="\r")
    assert len(parse_feed(FeedKind.GRANTS, data).rows) == 2


def test_blank_lines_are_skipped_but_counted_in_row_numbers() -> None:
    line = ",".join(GRANT_ROW)
    text = f"\n\n{','.join(GRANT_HEADER)}\n{line}\n\n , ,,\n{line}\n\n"
    parsed = parse_feed(FeedKind.GRANTS, text.encode())
    assert [row.row_number for row in parsed.rows] == [1, 4]
    assert parsed.rejections == []


def test_quoted_cell_over_two_lines_is_one_row() -> None:
    data = csv_bytes(
        ["participant_id", "name", "email", "role"],
        [
            ["P-1", "Ann\nSmith", "ann@example.com", "employee"],
            ["P-2", "Bo", "bo@example.com", "director"],
        ],
    )
    parsed = parse_feed(FeedKind.PARTICIPANTS, data)
    assert [r.row_number for r in parsed.rejections] == [1]
    assert parsed.rejections[0].reason == "name: must be on one line, without control characters"
    assert [r.row_number for r in parsed.rows] == [2]


def test_header_only_file_has_no_rows() -> None:
    parsed = parse_feed(FeedKind.GRANTS, csv_bytes(GRANT_HEADER, []))
    assert (parsed.rows, parsed.rejections) == ([], [])


def test_unnamed_columns_are_ignored() -> None:
    data = csv_bytes([*GRANT_HEADER, "", " "], [[*GRANT_ROW, "x", "y"]])
    parsed = parse_feed(FeedKind.GRANTS, data)
    assert parsed.header == GRANT_HEADER
    assert len(parsed.rows) == 1


def test_short_row_has_its_missing_cells_empty() -> None:
    data = csv_bytes(GRANT_HEADER, [GRANT_ROW[:6]])
    parsed = parse_feed(FeedKind.GRANTS, data)
    row = parsed.rows[0]
    assert row.record["vesting"] == ""
    assert isinstance(row.value, GrantRow)
    # Parsing only: that an option needs a price is the domain's rule (validate_grant).
    assert (row.value.exercise_price, row.value.final_exercise_date) == (None, None)


def test_row_with_more_cells_than_the_header_is_rejected() -> None:
    data = csv_bytes(GRANT_HEADER, [[*GRANT_ROW, "", ""], [*GRANT_ROW, "stray"]])
    parsed = parse_feed(FeedKind.GRANTS, data)
    assert [r.row_number for r in parsed.rows] == [1]
    assert parsed.rejections[0].row_number == 2
    assert parsed.rejections[0].reason == (
        "the row has 10 cells but the header has 9 columns (an unquoted comma?)"
    )


# --- whole-file rejections ------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + "award_id,shares\r\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "award_id,shares\r\n".encode("utf-16-be"),
        "award_id,shares\r\n".encode("utf-16-le"),
        b"award_id,shares\n\xff\xfe,1\n",
        "award_id,name\nG-1,Zoë\n".encode("latin-1"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x06\x00",
    ],
    ids=["utf16le-bom", "utf16be-bom", "utf16-no-bom", "bad-bytes", "latin1", "png", "xlsx"],
)
def test_file_that_is_not_utf8_text_is_rejected(data: bytes) -> None:
    assert rejected(FeedKind.GRANTS, data).startswith(NOT_UTF8)


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b" , ,\n\n"])
def test_empty_file_is_rejected_for_having_no_header(data: bytes) -> None:
    assert rejected(FeedKind.GRANTS, data) == "empty file: no header row"


@pytest.mark.parametrize(
    ("kind", "header", "reason"),
    [
        (
            FeedKind.GRANTS,
            ["participant_id", "award_type", "grant_date", "shares"],
            "missing required column(s): award_id, plan; the header row found reads:"
            " participant_id, award_type, grant_date, shares; a file under incoming/grants/"
            " starts with a header row naming award_id, participant_id, plan, award_type,"
            " grant_date, shares",
        ),
        (
            FeedKind.PRICES,
            ["last_sale", "high_bid", "low_ask"],
            "missing required column(s): date; the header row found reads: last_sale,"
            " high_bid, low_ask; a file under incoming/prices/ starts with a header row"
            " naming date",
        ),
        (
            FeedKind.EXERCISES,
            ["award_id", "exercise date", "shares"],
            "missing required column(s): exercise_date; the header row found reads:"
            " award_id, exercise date, shares; a file under incoming/exercises/ starts with"
            " a header row naming award_id, exercise_date, shares",
        ),
        (
            FeedKind.TERMINATIONS,
            ["participant_id;termination_date;reason"],
            "missing required column(s): participant_id, termination_date, reason; the"
            " header row found reads: participant_id;termination_date;reason; a file under"
            " incoming/terminations/ starts with a header row naming participant_id,"
            " termination_date, reason; the header seems to use ';' or tabs between"
            " columns, not commas",
        ),
    ],
)
def test_missing_required_column_rejects_the_file_naming_the_columns_and_the_header_found(
    kind: FeedKind, header: list[str], reason: str
) -> None:
    assert rejected(kind, csv_bytes(header, [["x"] * len(header)])) == reason


def test_a_long_wrong_header_is_quoted_back_shortened() -> None:
    header = [f"column_{n}_" + "x" * 50 for n in range(15)]
    reason = rejected(FeedKind.PRICES, csv_bytes(header, [["1"] * 15]))
    assert ("column_0_" + "x" * 31 + "...") in reason
    assert "column_11_" in reason and "column_12_" not in reason and ", ..." in reason


def test_duplicate_columns_after_normalising_reject_the_file() -> None:
    data = csv_bytes([*GRANT_HEADER, " Award_ID", "Notes", "notes"], [[*GRANT_ROW, "x", "", ""]])
    assert rejected(FeedKind.GRANTS, data) == "duplicate column(s): award_id, notes"


def test_file_larger_than_the_limit_is_rejected() -> None:
    data = csv_bytes(GRANT_HEADER, [GRANT_ROW] * 3)
    limits = FeedLimits(max_bytes=len(data) - 1)
    assert rejected(FeedKind.GRANTS, data, limits) == (
        f"file too large: {len(data)} bytes, the limit is {len(data) - 1} bytes"
    )
    assert len(parse_feed(FeedKind.GRANTS, data, FeedLimits(max_bytes=len(data))).rows) == 3


def test_default_size_limit_is_10_mib() -> None:
    big = b"date\n" + b" " * (10 * 1024 * 1024)
    assert rejected(FeedKind.PRICES, big).startswith("file too large")


def test_more_data_rows_than_the_limit_rejects_the_file_blank_lines_not_counted() -> None:
    data = csv_bytes(GRANT_HEADER, [GRANT_ROW, [], GRANT_ROW, GRANT_ROW])
    assert len(parse_feed(FeedKind.GRANTS, data, FeedLimits(max_rows=3)).rows) == 3
    assert rejected(FeedKind.GRANTS, data, FeedLimits(max_rows=2)) == (
        "too many data rows: more than 2; split the file"
    )


@pytest.mark.parametrize(
    "text",
    [
        'award_id,exercise_date,shares\nG-1,"2001-01-01,5\n',
        'award_id,exercise_date,shares\nG-1,"2001-01-01"x,5\n',
    ],
    ids=["unterminated-quote", "text-after-closing-quote"],
)
def test_malformed_csv_rejects_the_file(text: str) -> None:
    assert rejected(FeedKind.EXERCISES, text.encode()).startswith("malformed CSV near line 2")


def test_file_rejected_is_a_value_error_carrying_its_reason() -> None:
    exc = FileRejected("empty file: no header row")
    assert isinstance(exc, ValueError)
    assert str(exc) == exc.reason


# --- header permutations --------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    order=st.permutations(GRANT_HEADER),
    cases=st.lists(st.sampled_from([str.lower, str.upper, str.title]), min_size=9, max_size=9),
    pads=st.lists(st.sampled_from(["", " ", "  ", "\t"]), min_size=18, max_size=18),
)
def test_any_header_order_case_and_blanks_give_the_same_row(
    order: list[str], cases: list[object], pads: list[str]
) -> None:
    header = [
        f"{pads[2 * i]}{case(name)}{pads[2 * i + 1]}"  # type: ignore[operator]
        for i, (name, case) in enumerate(zip(order, cases, strict=True))
    ]
    row = [GOOD_ROWS[FeedKind.GRANTS][name] for name in order]
    parsed = parse_feed(FeedKind.GRANTS, csv_bytes(header, [row], bom=True, newline="\r\n"))
    assert parsed.header == order
    assert parsed.rejections == []
    value = parsed.rows[0].value
    assert isinstance(value, GrantRow)
    assert value.award_id == "G-0042"
    assert value.shares == 12000


def test_a_cell_longer_than_the_csv_modules_field_limit_refuses_only_its_row() -> None:
    # Python's csv refuses fields over 131,072 characters by default (csv.Error: the
    # whole file would have been refused as malformed).
    long = "x" * 131_073
    data = (
        "participant_id,name,email,role,notes\n"
        f"P-1,{long},p1@ctc.example.com,employee,\n"
        "P-2,Bo,p2@ctc.example.com,employee,\n"
        f"P-3,Cy,p3@ctc.example.com,employee,{long * 3}\n"
    ).encode()
    parsed = parse_feed(FeedKind.PARTICIPANTS, data)
    assert [r.row_number for r in parsed.rows] == [2, 3]
    (rejection,) = parsed.rejections
    assert (rejection.row_number, rejection.reason) == (1, "name: longer than 1000 characters")
