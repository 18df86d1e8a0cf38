"""Builders shared by the feed tests (no tests here)."""

from __future__ import annotations

from collections.abc import Sequence

from stockplan.feeds import FeedKind

# One valid row per kind, as {column: cell}.
GOOD_ROWS: dict[FeedKind, dict[str, str]] = {
    FeedKind.PARTICIPANTS: {
        "participant_id": "P-17",
        "name": "Ann Smith",
        "email": "ann@ctc.example.com",
        "role": "employee",
        "personal_email": "ann@home.example.com",
        "estate_email": "",
        "ten_percent_holder": "false",
    },
    FeedKind.GRANTS: {
        "award_id": "G-0042",
        "participant_id": "P-17",
        "plan": "incentive-1998",
        "award_type": "nso",
        "grant_date": "1999-10-04",
        "shares": "12000",
        "exercise_price": "31.125",
        "final_exercise_date": "2009-10-04",
        "vesting": "2000-10-04:6000;2001-10-04:6000",
    },
    FeedKind.PRICES: {
        "date": "2001-02-13",
        "last_sale": "40.00",
        "high_bid": "39.875",
        "low_ask": "40.0625",
    },
    FeedKind.TERMINATIONS: {
        "participant_id": "P-17",
        "termination_date": "2002-05-31",
        "reason": "voluntary",
    },
    FeedKind.MEETINGS: {
        "meeting_date": "2001-02-14",
        "participant_id": "P-3",
        "outcome": "reelected",
    },
    FeedKind.ELECTIONS: {
        "participant_id": "P-3",
        "notice_date": "2000-12-01",
        "action": "elect",
    },
    FeedKind.FEES: {
        "participant_id": "P-3",
        "fee_type": "meeting",
        "fee_date": "2001-02-14",
        "amount": "1500.00",
    },
    FeedKind.EXERCISES: {
        "award_id": "G-0042",
        "exercise_date": "2001-11-01",
        "shares": "3000",
        "shares_withheld": "100",
        "shares_tendered": "50",
        "payment": "withheld+shares",
    },
    FeedKind.CORPORATE_ACTIONS: {
        "action_date": "2002-03-01",
        "action": "split",
        "ratio": "1.5",
        "assumed": "",
        "exchange_ratio": "",
        "acquirer": "",
    },
    FeedKind.CORRECTIONS: {
        "request_id": "REQ-1",
        "action": "correct_termination",
        "participant_id": "P-17",
        "award_id": "",
        "exercise_id": "",
        "exercise_date": "",
        "termination_date": "2002-05-31",
        "reason": "involuntary",
        "grant_date": "",
        "shares": "",
        "exercise_price": "",
        "final_exercise_date": "",
        "vesting": "",
        "participant_consent": "",
        "note": "HR keyed the wrong date",
    },
    FeedKind.DECISIONS: {
        "request_id": "DEC-1",
        "action": "extend_exercise_period",
        "award_id": "G-0042",
        "decision_date": "2002-06-10",
        "new_deadline": "2003-05-31",
        "shares": "",
        "effective_date": "",
        "note": "Board minutes 2002-06-10",
    },
    FeedKind.PLAN_ACTIONS: {
        "request_id": "PA-1",
        "action": "amend_reserve",
        "plan": "directors-1999",
        "effective_date": "2004-05-20",
        "shares": "300000",
        "approved_on": "2004-05-20",
        "note": "Annual meeting vote",
    },
}


def quote(cell: str) -> str:
    """RFC 4180 quoting (csv.writer leaves a lone CR unquoted when lines end in LF)."""
    if any(ch in cell for ch in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def csv_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    bom: bool = False,
    newline: str = "\n",
) -> bytes:
    lines = [",".join(quote(cell) for cell in row) + newline for row in [header, *rows]]
    return ("\ufeff" if bom else "").encode() + "".join(lines).encode("utf-8")


def feed(kind: FeedKind, *changes: dict[str, str]) -> bytes:
    """A plain file of `kind`: one good row per entry of `changes`, each with its changes."""
    header = list(GOOD_ROWS[kind])
    rows = [[{**GOOD_ROWS[kind], **change}[name] for name in header] for change in changes]
    return csv_bytes(header, rows)


def excel(kind: FeedKind, *changes: dict[str, str]) -> bytes:
    """Like `feed`, saved the way Excel does it: BOM, CRLF, header in mixed case with
    blanks, columns reversed, an unknown extra column, blanks around cells."""
    names = list(reversed(GOOD_ROWS[kind]))
    header = [f"  {name.title()} " for name in names] + [" Notes "]
    rows = [
        [f" {({**GOOD_ROWS[kind], **change})[name]}  " for name in names] + ["anything"]
        for change in changes
    ]
    return csv_bytes(header, rows, bom=True, newline="\r\n")
