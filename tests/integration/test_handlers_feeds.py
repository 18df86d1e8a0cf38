"""Every feed kind through the FeedFunction (and the DailyFunction where the rule is
applied by the daily job), on moto, with the sample S3 events of `events/`.

Each test checks the three outputs of docs/interfaces.md §4: the DynamoDB state (items and
the report), the objects in the bucket (errors CSV) and the emails SES really sent.
Expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    DAILY_FUNCTION,
    EVENTS,
    FEED_FUNCTION,
    NOTICE_FUNCTION,
    PEOPLE_CSV,
    award,
    bucket_keys,
    emails,
    emails_besides,
    errors_csv,
    feed,
    html,
    item,
    notice_kind,
    plain,
    put_object,
    report,
    run_daily,
    subject,
    to,
)

from stockplan.feeds import FEED_ORDER

MAR15 = date(2002, 3, 15)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")

GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
# G-100: 1000-share NSO for E1, half vesting 2002-09-15, half 2003-03-15.
# G-200: 400-share NSO for E2, vested at grant.
BASE_GRANTS = (
    GRANTS_HEADER + "G-100,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,"
    "2002-09-15:500;2003-03-15:500\n"
    "G-200,E2,incentive-1998,nso,2002-03-15,400,20.00,2012-03-15,\n"
)
# G-400: 300 shares of restricted stock for E2, vesting in full on 2003-03-15.
RESTRICTED_G400 = "G-400,E2,incentive-1998,restricted_stock,2002-03-15,300,,,2003-03-15:300\n"
TERMINATIONS_HEADER = "participant_id,termination_date,reason\n"
ANN_QUITS = TERMINATIONS_HEADER + "E1,2002-10-01,voluntary\n"
EXERCISE_ALL_OF_G200 = "award_id,exercise_date,shares\nG-200,2002-05-20,400\n"
SPLIT_2 = "action_date,action,ratio,assumed\n2002-06-03,split,2,\n"


@pytest.fixture
def people(local_stack: Any) -> Any:
    outcome = feed(local_stack, "participants", PEOPLE_CSV, MAR15)
    assert (outcome["status"], outcome["accepted"], outcome["rejected"]) == ("processed", 6, 0)
    return local_stack


@pytest.fixture
def granted(people: Any) -> Any:
    """People, a price of 20.00 on 2002-03-15 and the two base grants."""
    assert feed(people, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)["accepted"] == 1
    outcome = feed(people, "grants", BASE_GRANTS, MAR15)
    assert (outcome["accepted"], outcome["rejected"]) == (2, 0)
    # Ann and Bob are each told of their grant (docs/plan-rules.md "Notices"); the tests look at
    # what is sent besides these two.
    assert sorted((notice_kind(m), to(m)) for m in emails(people)) == [
        ("grant", "ann.lee@ctc.example.com"),
        ("grant", "bob.roe@ctc.example.com"),
    ]
    return people


def pools(stack: Any, as_of: date) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = report(stack, as_of)["pools"]
    return result


def assert_notice_form(message: Any, recipient: str, day: date) -> str:
    """A notice as docs/interfaces.md §3 and docs/plan-rules.md "Notices" want it;
    returns its text."""
    assert to(message) == recipient
    # From: the configured display name (SenderName) and the sender address; replies go
    # to the configured Reply-To (ReplyToEmail; the administrator by default).
    assert message["From"] == "CTC Stock Plan Administration <stock-plans@ctc.example.com>"
    assert message["Reply-To"] == "plan-admin@ctc.example.com"
    # Date: the day it was sent, 09:00 in New York.
    assert message["Date"].datetime.date() == day
    text = plain(message)
    assert html(message).startswith("<!DOCTYPE html>")
    return text


# --- participants -------------------------------------------------------------------


def test_participants_from_an_excel_export_with_bom_crlf_odd_header_case_and_blanks_load(
    local_stack: Any,
) -> None:
    # What Excel's "CSV UTF-8" writes: a byte-order mark, CRLF, and here header names in
    # mixed case with blanks around them, cells with blanks, columns in another order
    # and an extra column nobody asked for (ignored, docs/interfaces.md §1).
    body = (
        "\ufeff Role ,PARTICIPANT_ID, Name ,Email,Personal_Email , Ten_Percent_Holder,Notes\r\n"
        " employee , E1 , Ann Lee , ann.lee@ctc.example.com , ann@home.example.com , TRUE ,x\r\n"
        "Director,D1,Dana Fox,dana.fox@board.example.com,,,\r\n"
    ).encode()
    outcome = feed(local_stack, "participants", body, MAR15)

    assert (outcome["status"], outcome["accepted"], outcome["rejected"]) == ("processed", 2, 0)
    ann = item(local_stack, "P#E1", "PROFILE")
    assert ann is not None
    assert (ann["name"], ann["email"], ann["role"]) == (
        "Ann Lee",
        "ann.lee@ctc.example.com",
        "employee",
    )
    assert ann["personal_email"] == "ann@home.example.com"
    assert ann["ten_percent_holder"] is True
    dana = item(local_stack, "P#D1", "PROFILE")
    assert dana is not None and dana["role"] == "director"
    assert "personal_email" not in dana and dana["ten_percent_holder"] is False
    # Nothing rejected: no errors file, no email.
    assert bucket_keys(local_stack, "errors/") == []
    assert emails(local_stack) == []


# --- prices -------------------------------------------------------------------------


def test_prices_are_stored_exactly_and_a_bad_row_is_reported_with_its_reason(
    local_stack: Any,
) -> None:
    body = (
        "date,last_sale,high_bid,low_ask\n"
        "2002-03-14,15.1875,,\n"  # row 1: a sale in 1/16ths, kept exact
        "2002-03-15,,15.00,15.25\n"  # row 2: no sale: closing = (15.00 + 15.25) / 2
        "2002-03-16,,16.00,15.00\n"  # row 3: bid above ask
    )
    outcome = feed(local_stack, "prices", body, MAR15)

    assert (outcome["accepted"], outcome["rejected"]) == (2, 1)
    stored = item(local_stack, "PRICES", "2002-03-14")
    assert stored is not None and stored["last_sale"] == "15.1875"
    from stockplan.service.ledger import Ledger

    ledger = Ledger(local_stack.runtime.table())
    assert ledger.fmv(date(2002, 3, 14)) == Decimal("15.1875")
    # 15.00 + 15.25 = 30.25; / 2 = 15.125 (Directors §6(c)); Sunday the 17th takes it too.
    assert ledger.fmv(date(2002, 3, 15)) == Decimal("15.125")
    assert ledger.fmv(date(2002, 3, 17)) == Decimal("15.125")
    assert ledger.fmv(date(2002, 3, 13)) is None
    assert item(local_stack, "PRICES", "2002-03-16") is None

    key = "incoming/prices/2002-03-15.csv"
    (row,) = errors_csv(local_stack, key)
    assert (row["date"], row["high_bid"], row["low_ask"]) == ("2002-03-16", "16.00", "15.00")
    assert row["row"] == "3" and "high_bid" in row["reason"] and "low_ask" in row["reason"]
    (summary,) = emails(local_stack)
    text = assert_notice_form(summary, ADMIN, MAR15)
    assert subject(summary) == f"Feed prices: 1 of 3 rows rejected ({key})"
    assert "Row 3:" in text and f"errors/{key}.errors.csv" in text


# --- grants -------------------------------------------------------------------------


def test_grants_apply_good_rows_and_report_bad_rows_in_the_errors_csv_and_to_the_admin(
    people: Any,
) -> None:
    stack = people
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    body = GRANTS_HEADER + (
        # row 1: accepted
        "G-100,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,"
        "2002-09-15:500;2003-03-15:500\n"
        # row 2: an ISO below the FMV of 20.00 (1998 §6.b.(2)): rejected
        "G-101,E2,incentive-1998,iso,2002-03-15,400,19.00,2012-03-15,\n"
        # row 3: nobody called ZZ
        "G-102,ZZ,incentive-1998,nso,2002-03-15,10,20.00,2012-03-15,\n"
        # row 4: a discretionary option for a director: accepted
        "G-103,D1,directors-1999,discretionary_option,2002-03-15,5000,20.00,2012-03-15,\n"
        # row 5: restricted stock vesting in a year: accepted
        "G-104,E2,incentive-1998,restricted_stock,2002-03-15,300,,,2003-03-15:300\n"
    )
    outcome = feed(stack, "grants", body, MAR15)

    assert (outcome["status"], outcome["accepted"], outcome["rejected"]) == ("processed", 3, 2)
    rep = report(stack, MAR15)
    assert [a["award_id"] for a in rep["awards"]] == ["G-100", "G-103", "G-104"]
    g100 = award(rep, "G-100")
    assert (g100["shares_granted"], g100["exercise_price"], g100["exercisable_shares"]) == (
        1000,
        "20.00",
        0,  # nothing vested before 2002-09-15
    )
    assert g100["exercise_deadline"] == "2012-03-15" and g100["status"] == "outstanding"
    assert award(rep, "G-104")["exercise_deadline"] is None  # needs no exercise
    # incentive-1998: 1000 + 300 outstanding; 2,250,000 - 1,300 = 2,248,700 available.
    assert rep["pools"]["incentive-1998"] == {
        "reserved": 2250000,
        "outstanding": 1300,
        "delivered": 0,
        "available": 2248700,
    }
    # directors-1999: 200,000 - 5,000 = 195,000.
    assert rep["pools"]["directors-1999"]["available"] == 195000

    key = "incoming/grants/2002-03-15.csv"
    rows = errors_csv(stack, key)
    assert [(r["row"], r["award_id"]) for r in rows] == [("2", "G-101"), ("3", "G-102")]
    assert "1998 §" in rows[0]["reason"]  # names the plan section that refuses it
    assert "ZZ" in rows[1]["reason"]
    # The errors file keeps the feed's own columns, so it can be corrected and re-sent.
    assert list(rows[0])[:9] == GRANTS_HEADER.strip().split(",")

    # Each accepted grant is told to its participant that day (docs/plan-rules.md "Notices"); the
    # rejected ones only to the administrator, in the file's summary.
    grants = sorted((to(m), subject(m)) for m in emails(stack) if notice_kind(m) == "grant")
    assert grants == [
        ("ann.lee@ctc.example.com", "Your stock option grant of 2002-03-15"),
        ("bob.roe@ctc.example.com", "Your restricted stock award of 2002-03-15"),
        ("dana.fox@board.example.com", "Your stock option grant of 2002-03-15"),
    ]
    (summary,) = emails_besides(stack, "grant")
    text = assert_notice_form(summary, ADMIN, MAR15)
    assert subject(summary) == f"Feed grants: 2 of 5 rows rejected ({key})"
    assert "Row 2:" in text and "Row 3:" in text and "Row 1:" not in text


def test_a_file_missing_a_required_column_is_rejected_whole_and_nothing_is_applied(
    people: Any,
) -> None:
    stack = people
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    # No "shares" column: even the good-looking row must not be applied.
    body = (
        "award_id,participant_id,plan,award_type,grant_date,exercise_price,final_exercise_date\n"
        "G-100,E1,incentive-1998,nso,2002-03-15,20.00,2012-03-15\n"
    )
    outcome = feed(stack, "grants", body, MAR15)

    assert outcome["status"] == "rejected"
    assert outcome["accepted"] == 0
    assert "shares" in outcome["file_reason"]
    assert report(stack, MAR15)["awards"] == []
    assert item(stack, "AWARD#G-100", "OWNER") is None
    assert pools(stack, MAR15)["incentive-1998"]["outstanding"] == 0

    key = "incoming/grants/2002-03-15.csv"
    (row,) = errors_csv(stack, key)
    assert "shares" in row["reason"]

    from stockplan.service.report import rejections

    assert rejections(stack.runtime.table()) == [
        {
            "feed": "grants",
            "key": key,
            "row": None,
            "reason": outcome["file_reason"],
            "record": {},
        }
    ]
    (summary,) = emails(stack)
    text = assert_notice_form(summary, ADMIN, MAR15)
    assert subject(summary) == f"Feed file rejected: {key}"
    assert "Nothing in it was applied" in text and "shares" in text


# --- terminations -------------------------------------------------------------------


def test_termination_notice_goes_to_personal_email_with_vested_price_deadline_and_forfeited(
    granted: Any,
) -> None:
    stack = granted
    oct2 = date(2002, 10, 2)
    outcome = feed(stack, "terminations", ANN_QUITS, oct2)
    assert (outcome["accepted"], outcome["rejected"]) == (1, 0)

    # G-100: the 2002-09-15 tranche (500) vested before 2002-10-01; the 2003-03-15
    # tranche (500) is forfeited. Window: 3 months after 2002-10-01 = 2003-01-01
    # (1998 §6.a.(5)(B)), before the final exercise date 2012-03-15.
    g100 = award(report(stack, oct2), "G-100")
    assert (g100["shares_forfeited"], g100["shares_outstanding"]) == (500, 500)
    assert (g100["exercisable_shares"], g100["exercise_deadline"]) == (500, "2003-01-01")
    # incentive-1998: 1000 + 400 - 500 forfeited = 900 outstanding.
    assert pools(stack, oct2)["incentive-1998"]["outstanding"] == 900

    (notice,) = emails_besides(stack, "grant")
    # The work mailbox closes at termination: the personal_email gets it.
    text = assert_notice_form(notice, "ann@home.example.com", oct2)
    assert subject(notice) == "Your stock awards after your employment ended on 2002-10-01"
    assert "Award G-100" in text
    assert "Vested shares: 500" in text
    assert "Exercise price: $20.00 per share" in text
    assert "Last day to exercise: Wednesday, 2003-01-01" in text
    assert "Unvested shares forfeited: 500 on 2002-10-01" in text
    assert "1998 §6.a.(5)(B)" in text
    assert "G-200" not in text  # Bob's award is not Ann's business
    # Every date in the text part is written YYYY-MM-DD (docs/plan-rules.md "Notices").
    assert set(ISO_DATE.findall(text)) >= {"2002-10-01", "2003-01-01"}


def test_death_notice_goes_to_the_estate_never_to_the_deceased_with_a_one_year_window(
    granted: Any,
) -> None:
    stack = granted
    oct2 = date(2002, 10, 2)
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE2,2002-10-01,death\n",
        oct2,
    )
    # G-200: 400 vested at grant; death: 1 year after 2002-10-01 = 2003-10-01
    # (1998 §6.a.(5)(A)); nothing unvested to forfeit.
    g200 = award(report(stack, oct2), "G-200")
    assert (g200["exercisable_shares"], g200["exercise_deadline"]) == (400, "2003-10-01")
    assert g200["shares_forfeited"] == 0

    (notice,) = emails_besides(stack, "grant")
    text = assert_notice_form(notice, "bob.estate@law.example.com", oct2)
    assert "bob.roe@ctc.example.com" not in notice.as_string()
    assert subject(notice) == "Stock awards of Bob Roe after death on 2002-10-01"
    assert text.startswith("To the estate of Bob Roe,")
    assert "Vested shares: 400" in text
    assert "Exercise price: $20.00 per share" in text
    assert "Last day to exercise: Wednesday, 2003-10-01" in text
    assert "Unvested shares forfeited: 0 on 2002-10-01" in text
    assert "1998 §6.a.(5)(A)" in text


def test_death_of_someone_without_estate_email_is_noticed_to_the_administrator(
    granted: Any,
) -> None:
    stack = granted
    oct2 = date(2002, 10, 2)
    # G-300: a discretionary option of Dana's, vested at grant (so there is an award to
    # tell of: a termination of someone holding none sends no notice, docs/plan-rules.md).
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-300,D1,directors-1999,discretionary_option,2002-03-15,500,20.00,"
        "2012-03-15,\n",
        MAR15,
        name="dana",
    )
    # Dana (D1) has no estate_email: the administrator gets it, never her own mailbox.
    feed(stack, "terminations", TERMINATIONS_HEADER + "D1,2002-10-01,death\n", oct2)
    (notice,) = [m for m in emails(stack) if notice_kind(m) == "termination"]
    assert to(notice) == ADMIN
    assert "dana.fox@board.example.com" not in notice.as_string()
    # Directors §6(h): a year after the death.
    assert "Award G-300" in plain(notice) and "2003-10-01" in plain(notice)
    # Before the death she was told of her grant at her own address; nothing else went out.
    assert sorted((notice_kind(m), to(m)) for m in emails_besides(stack, "termination")) == [
        ("grant", "ann.lee@ctc.example.com"),
        ("grant", "bob.roe@ctc.example.com"),
        ("grant", "dana.fox@board.example.com"),
    ]


# --- meetings: formula options -------------------------------------------------------


def test_formula_options_at_an_annual_meeting_are_priced_at_the_fmv_of_the_day_before(
    people: Any,
) -> None:
    stack = people
    may15 = date(2002, 5, 15)
    # The day before the meeting closes at 40.00; the meeting day itself at 99.00,
    # which must not be used (Directors §6(c)).
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n2002-05-15,99.00\n", may15)
    roster = (
        "meeting_date,participant_id,outcome\n"
        "2002-05-15,D1,reelected\n"  # formula option
        "2002-05-15,D2,continuing\n"  # formula option
        "2002-05-15,D3,elected\n"  # first election: none
        "2002-05-15,M1,reelected\n"  # employee-director: none, and not an error
    )
    outcome = feed(stack, "meetings", roster, may15)
    assert (outcome["accepted"], outcome["rejected"]) == (4, 0)
    assert emails(stack) == []  # options are made by the daily job of the meeting day

    daily = run_daily(stack, may15)
    assert daily["applied"] == {"meeting": 1}

    rep = report(stack, may15)
    assert [a["award_id"] for a in rep["awards"]] == ["FO-2002-05-15-D1", "FO-2002-05-15-D2"]
    for option in rep["awards"]:
        # 10,000 shares at FMV 40.00, 5 years, exercisable in full at grant (§6(a), §6(d)).
        assert option["award_type"] == "formula_option"
        assert option["grant_date"] == "2002-05-15"
        assert Decimal(option["exercise_price"]) == Decimal("40.00")
        assert option["shares_granted"] == option["exercisable_shares"] == 10000
        assert option["final_exercise_date"] == option["exercise_deadline"] == "2007-05-15"
    # 200,000 - 2 x 10,000 = 180,000.
    assert rep["pools"]["directors-1999"]["available"] == 180000

    sent = emails(stack)
    assert sorted(to(m) for m in sent) == [
        "dana.fox@board.example.com",
        "eli.gray@board.example.com",
    ]
    for message in sent:
        text = assert_notice_form(message, to(message), may15)
        director = "D1" if to(message).startswith("dana") else "D2"
        # A long subject with a parenthesis reads back exactly (no folding artefact).
        assert subject(message) == (
            f"Formula option granted: 10,000 shares at $40.00 (award FO-2002-05-15-{director})"
        )
        assert "Exercise price: $40.00 per share" in text
        assert "Final exercise date: Tuesday, 2007-05-15" in text
        assert "Directors §6(a)" in text


# --- elections and fees: deferred stock ----------------------------------------------


def test_a_meeting_fee_under_an_election_becomes_37_deferred_shares_and_20_dollars_cash(
    people: Any,
) -> None:
    stack = people
    may15 = date(2002, 5, 15)
    # An election dated 2001 covers the fees of 2002 on (Directors §7(a)).
    feed(stack, "elections", "participant_id,notice_date,action\nD1,2001-12-03,elect\n", MAR15)
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n", may15)
    fees = (
        "participant_id,fee_type,fee_date,amount\n"
        "D1,meeting,2002-05-15,1500.00\n"  # elected: deferred stock
        "D2,meeting,2002-05-15,1500.00\n"  # no election: cash
        "M1,meeting,2002-05-15,1500.00\n"  # an employee gets no director fees
    )
    outcome = feed(stack, "fees", fees, may15)
    assert (outcome["accepted"], outcome["rejected"]) == (2, 1)
    (rejected,) = errors_csv(stack, "incoming/fees/2002-05-15.csv")
    assert rejected["participant_id"] == "M1" and "Directors §" in rejected["reason"]

    run_daily(stack, may15)

    # FMV on the day before the meeting = 40.00; 1500.00 / 40.00 = 37.5 -> 37 shares;
    # 1500.00 - 37 x 40.00 = 1500.00 - 1480.00 = 20.00 in cash. Award date: the meeting;
    # issue date: first business day of the third January after: 2005-01-03 (Jan 1 is
    # a Saturday, Jan 3 the Monday).
    (deferred,) = report(stack, may15)["deferred_stock"]
    assert deferred == {
        "participant_id": "D1",
        "fee_type": "meeting",
        "fee_date": "2002-05-15",
        "amount": "1500.00",
        "fair_market_value": "40.00",
        "award_date": "2002-05-15",
        "shares": 37,
        "cash_in_lieu": "20.00",
        "issue_date": "2005-01-03",
        "status": "pending",
    }
    # Pending deferred stock is outstanding: 200,000 - 37 = 199,963.
    assert pools(stack, may15)["directors-1999"] == {
        "reserved": 200000,
        "outstanding": 37,
        "delivered": 0,
        "available": 199963,
    }
    d2_fee = item(stack, "P#D2", "FEE#meeting#2002-05-15")
    assert d2_fee is not None and d2_fee["status"] == "cash"
    assert item(stack, "P#D2", "DEFERRED#meeting#2002-05-15") is None

    summary, notice = emails(stack)  # the fees file's admin summary, then D1's notice
    assert to(summary) == ADMIN
    text = assert_notice_form(notice, "dana.fox@board.example.com", may15)
    assert subject(notice) == "Deferred stock award: 37 shares for your meeting fee of 2002-05-15"
    assert "Shares awarded: 37" in text
    assert "Fair Market Value: $40.00 per share" in text
    assert "Paid in cash instead of a fraction of a share: $20.00" in text
    assert "Issue date: 2005-01-03" in text
    assert "Rule: Directors §7(a)" in text


# --- exercises ----------------------------------------------------------------------


def test_an_exercise_moves_shares_from_outstanding_to_delivered_less_those_withheld(
    granted: Any,
) -> None:
    stack = granted
    jun3 = date(2002, 6, 3)
    body = (
        "award_id,exercise_date,shares,shares_withheld\n"
        "G-200,2002-06-03,100,10\n"  # row 1: 100 of 400 vested shares, 10 held back
        "G-100,2002-06-03,100,0\n"  # row 2: G-100 has nothing vested before 2002-09-15
        "G-999,2002-06-03,1,0\n"  # row 3: no such award
    )
    outcome = feed(stack, "exercises", body, jun3)
    assert (outcome["accepted"], outcome["rejected"]) == (1, 2)

    rep = report(stack, jun3)
    g200 = award(rep, "G-200")
    assert (g200["shares_exercised"], g200["shares_outstanding"]) == (100, 300)
    assert g200["exercisable_shares"] == 300
    # incentive-1998: outstanding 1000 + 400 - 100 = 1300; delivered 100 - 10 withheld
    # = 90 (1998 §4.a (iv)); available 2,250,000 - 1,300 - 90 = 2,248,610.
    assert rep["pools"]["incentive-1998"] == {
        "reserved": 2250000,
        "outstanding": 1300,
        "delivered": 90,
        "available": 2248610,
    }
    rows = errors_csv(stack, "incoming/exercises/2002-06-03.csv")
    assert [(r["row"], r["award_id"]) for r in rows] == [("2", "G-100"), ("3", "G-999")]
    assert all(r["reason"] for r in rows)
    # The accepted exercise is confirmed to Bob (docs/plan-rules.md "Notices"); the two rejected
    # rows only reach the administrator's summary.
    (confirmation,) = [m for m in emails(stack) if notice_kind(m) == "exercise"]
    text = assert_notice_form(confirmation, "bob.roe@ctc.example.com", jun3)
    assert subject(confirmation) == "Exercise confirmed: 100 shares on 2002-06-03"
    assert "Shares exercised: 100" in text
    assert "Shares withheld for the price or taxes: 10" in text
    assert "Shares delivered: 90" in text
    assert "Exercise price: $20.00 per share" in text
    assert "Shares still exercisable: 300 on 2002-06-03" in text
    assert "Last day to exercise: Thursday, 2012-03-15" in text
    (summary,) = emails_besides(stack, "grant", "exercise")
    assert to(summary) == ADMIN


# --- corporate actions --------------------------------------------------------------


def test_a_split_of_ratio_2_restates_an_outstanding_award_and_the_pool(granted: Any) -> None:
    stack = granted
    # G-200 is exercised in full first: a closed award keeps its figures.
    feed(stack, "exercises", EXERCISE_ALL_OF_G200, date(2002, 5, 20))
    jun3 = date(2002, 6, 3)
    outcome = feed(stack, "corporate_actions", SPLIT_2, date(2002, 5, 20))
    assert (outcome["accepted"], outcome["rejected"]) == (1, 0)
    assert award(report(stack, date(2002, 6, 2)), "G-100")["shares_granted"] == 1000

    daily = run_daily(stack, jun3)
    assert daily["applied"] == {"corporate_action": 1}

    rep = report(stack, jun3)
    g100 = award(rep, "G-100")
    # 1000 x 2 = 2,000 shares at 20.00 / 2 = 10.00; tranches 500/500 -> 1000/1000.
    assert g100["shares_granted"] == g100["shares_outstanding"] == 2000
    assert Decimal(g100["exercise_price"]) == Decimal("10.00")
    stored = item(stack, "P#E1", "AWARD#G-100")
    assert stored is not None
    assert [[d, int(n)] for d, n in stored["tranches"]] == [
        ["2002-09-15", 1000],
        ["2003-03-15", 1000],
    ]
    g200 = award(rep, "G-200")
    assert (g200["shares_granted"], g200["shares_exercised"]) == (400, 400)
    assert Decimal(g200["exercise_price"]) == Decimal("20.00")
    # Before: reserved 2,250,000, outstanding 1,000, delivered 400, available 2,248,600.
    # Every figure x 2.
    assert rep["pools"]["incentive-1998"] == {
        "reserved": 4500000,
        "outstanding": 2000,
        "delivered": 800,
        "available": 4497200,
    }
    assert rep["pools"]["directors-1999"]["reserved"] == 400000
    # The daily job that applied the split told Ann of G-100, old and new figures
    # (1998 §7.b.(1)); Bob's G-200 had closed: no notice names it, none goes to Bob.
    (notice,) = [m for m in emails(stack) if notice_kind(m) == "split"]
    text = assert_notice_form(notice, "ann.lee@ctc.example.com", jun3)
    assert subject(notice) == "Stock split 2-for-1 on 2002-06-03: your awards restated"
    assert "Shares granted: 1,000 before, 2,000 after" in text
    assert "Shares outstanding: 1,000 before, 2,000 after" in text
    assert "Exercise price: $20.00 before, $10.00 after, per share" in text
    assert "Rule: 1998 §7.b.(1)" in text and "G-200" not in text
    # Applying the day again tells nobody twice.
    run_daily(stack, jun3)
    assert len([m for m in emails(stack) if notice_kind(m) == "split"]) == 1


def test_a_covered_transaction_not_assumed_vests_everything_and_ends_options_on_its_day(
    granted: Any,
) -> None:
    stack = granted
    feed(
        stack,
        "grants",
        GRANTS_HEADER + RESTRICTED_G400,
        MAR15,
        name="restricted",
    )
    jul1, jul2 = date(2002, 7, 1), date(2002, 7, 2)
    outcome = feed(
        stack,
        "corporate_actions",
        "action_date,action,ratio,assumed\n2002-07-01,covered_transaction,,false\n",
        date(2002, 6, 20),
    )
    assert outcome["accepted"] == 1

    run_daily(stack, jul1)
    rep = report(stack, jul1)
    g100 = award(rep, "G-100")
    # Vests in full immediately before the transaction: all 1000 exercisable on the
    # day, which becomes the deadline (1998 §7.a).
    assert (g100["exercisable_shares"], g100["exercise_deadline"]) == (1000, "2002-07-01")
    # Restricted stock vests in full and is delivered.
    g400 = award(rep, "G-400")
    assert (g400["shares_exercised"], g400["shares_outstanding"]) == (300, 0)

    run_daily(stack, jul2)
    rep = report(stack, jul2)
    for award_id, shares in (("G-100", 1000), ("G-200", 400)):
        closed = award(rep, award_id)
        assert (closed["shares_expired"], closed["status"]) == (shares, "expired")
    # Everything either expired (1400 back to the pool) or delivered (300).
    assert rep["pools"]["incentive-1998"] == {
        "reserved": 2250000,
        "outstanding": 0,
        "delivered": 300,
        "available": 2249700,
    }
    # Besides the grant notices (G-100, G-200 and G-400, each told on 2002-03-15), the
    # two expiry notices.
    assert (
        sorted(m["Date"].datetime.date() for m in emails(stack) if notice_kind(m) == "grant")
        == [MAR15] * 3
    )
    # On the day it is applied, each holder is told what vested and the new deadline.
    covered = {to(m): m for m in emails(stack) if notice_kind(m) == "covered-transaction"}
    assert sorted(covered) == ["ann.lee@ctc.example.com", "bob.roe@ctc.example.com"]
    ann = assert_notice_form(covered["ann.lee@ctc.example.com"], "ann.lee@ctc.example.com", jul1)
    assert subject(covered["ann.lee@ctc.example.com"]) == (
        "Covered transaction on 2002-07-01: your awards vest in full and your options end that day"
    )
    assert "Award G-100" in ann and "Shares that can be exercised: 1,000" in ann
    assert "Last day to exercise: Monday, 2002-07-01; it was Thursday, 2012-03-15" in ann
    assert "Rule: 1998 §7.a" in ann and "How to exercise" in ann
    bob = plain(covered["bob.roe@ctc.example.com"])
    # G-400's 300 unvested restricted shares vest because of the transaction.
    assert "Award G-200" in bob and "Award G-400" in bob
    assert "Shares that vested because of the transaction: 300" in bob
    for message in [m for m in emails(stack) if notice_kind(m) == "expiry"]:
        text = assert_notice_form(message, to(message), jul2)
        assert "Last day to exercise: Monday, 2002-07-01" in text
        assert "Rule: 1998 §7.a" in text  # the covered transaction set the deadline
    # Recorded ahead of its date, it was announced to both holders the day it was fed
    # (docs/plan-rules.md "Facts in time"), and the administrator got the list.
    announced = [m for m in emails(stack) if notice_kind(m) == "covered-announcement"]
    assert sorted(to(m) for m in announced) == [
        "ann.lee@ctc.example.com",
        "bob.roe@ctc.example.com",
    ]
    assert {m["Date"].datetime.date() for m in announced} == {date(2002, 6, 20)}
    expiries = sorted((to(m), subject(m)) for m in emails(stack) if notice_kind(m) == "expiry")
    assert expiries == [
        (
            "ann.lee@ctc.example.com",
            "Shares expired: 1,000 shares of award G-100 not exercised by 2002-07-01",
        ),
        (
            "bob.roe@ctc.example.com",
            "Shares expired: 400 shares of award G-200 not exercised by 2002-07-01",
        ),
    ]


# --- the sample events as shipped ----------------------------------------------------

SAMPLE_DAY_FEEDS = {
    # kind: body uploaded to the key its events/s3_put_<kind>.json names
    "participants": PEOPLE_CSV,
    "prices": "date,last_sale\n2002-01-02,30.00\n2002-03-14,40.00\n2002-03-15,41.00\n",
    "grants": GRANTS_HEADER
    + "G-1,E1,incentive-1998,nso,2002-03-15,1000,41.00,2012-03-15,\n"
    + "G-2,E1,incentive-1998,restricted_stock,2002-03-15,300,,,2003-03-15:300\n",
    "elections": "participant_id,notice_date,action\nD1,2001-12-03,elect\n",
    "fees": "participant_id,fee_type,fee_date,amount\nD1,annual,2002-06-30,25000.00\n",
    "meetings": "meeting_date,participant_id,outcome\n2002-03-15,D1,reelected\n",
    "exercises": "award_id,exercise_date,shares\nG-1,2002-03-15,100\n",
    "terminations": TERMINATIONS_HEADER + "E2,2002-03-15,voluntary\n",
    "corrections": "request_id,action,participant_id,termination_date,reason,note\n"
    "REQ-1,correct_termination,E2,2002-03-14,voluntary,HR keyed the wrong day\n",
    "decisions": "request_id,action,award_id,decision_date,note\n"
    "DEC-1,accelerate_vesting,G-2,2002-03-15,Compensation committee\n",
    "plan_actions": "request_id,action,plan,effective_date,shares,approved_on,note\n"
    "PA-1,amend_reserve,directors-1999,2002-03-15,250000,2002-03-15,Stockholders' vote\n",
    "corporate_actions": "action_date,action,ratio,assumed\n2002-03-16,split,2,\n",
}


def test_the_sample_events_as_shipped_drive_every_handler(local_stack: Any) -> None:
    """Every events/*.json as it is, but for the bucket name and the object version the
    local bucket gave the upload: the feeds of 2002-03-15
    in the simulate order, the daily schedule of 2002-03-16, the notice schedule."""
    stack = local_stack
    for kind in FEED_ORDER:
        event = json.loads((EVENTS / f"s3_put_{kind.value}.json").read_text())
        record = event["Records"][0]
        record["s3"]["bucket"]["name"] = stack.stack.bucket
        # The versioned bucket gives the upload its own version id, as the event says.
        version = put_object(
            stack, record["s3"]["object"]["key"], SAMPLE_DAY_FEEDS[kind.value].encode()
        )
        record["s3"]["object"]["versionId"] = version
        (outcome,) = stack.invoke(FEED_FUNCTION, event)["files"]
        assert (outcome["status"], outcome["rejected"]) == ("processed", 0), outcome

    daily = stack.invoke(DAILY_FUNCTION, json.loads((EVENTS / "schedule_daily.json").read_text()))
    assert daily["day"] == "2002-03-16"  # 11:00Z is 06:00 in New York
    # Caught up in date order: the annual fee (2002-01-02), the meeting (2002-03-15),
    # the split (2002-03-16).
    assert daily["applied"] == {"fee": 1, "meeting": 1, "corporate_action": 1}
    notices = stack.invoke(
        NOTICE_FUNCTION, json.loads((EVENTS / "schedule_notices.json").read_text())
    )
    assert notices == {"sent": 0, "retrying": 0, "dead": 0, "deferred": 0}  # all went out

    rep = report(stack, date(2002, 3, 16))
    # G-1: 1000 at 41.00, 100 exercised; split 2: 2000 granted, 200 exercised, 20.50.
    g1 = award(rep, "G-1")
    assert (g1["shares_granted"], g1["shares_exercised"], g1["shares_outstanding"]) == (
        2000,
        200,
        1800,
    )
    assert Decimal(g1["exercise_price"]) == Decimal("20.50")
    # Formula option at the 2002-03-14 close, 40.00: 10,000 -> 20,000 at 20.00.
    option = award(rep, "FO-2002-03-15-D1")
    assert (option["shares_granted"], Decimal(option["exercise_price"])) == (20000, Decimal(20))
    # Annual fee 25,000.00 at the FMV of 2002-01-02 (first business day), 30.00:
    # floor(833.33) = 833 shares, 25,000.00 - 24,990.00 = 10.00 cash; split: 1,666.
    (deferred,) = rep["deferred_stock"]
    assert (deferred["award_date"], deferred["shares"], deferred["cash_in_lieu"]) == (
        "2002-01-02",
        1666,
        "10.00",
    )
    assert deferred["fair_market_value"] == "30.00" and deferred["issue_date"] == "2005-01-03"
    # incentive: (1,000 - 100) x 2 = 1,800 outstanding; delivered (100 exercised + 300
    # restricted shares of G-2, vested early by DEC-1 and delivered on 2002-03-15) x 2.
    # directors: (10,000 + 833) x 2 = 21,666 outstanding; its reserve amended to 250,000
    # by PA-1 on 2002-03-15, then doubled by the split (Directors §8(f), §4(c)).
    g2 = award(rep, "G-2")
    assert (g2["shares_exercised"], g2["shares_outstanding"]) == (300, 0)
    assert rep["pools"] == {
        "incentive-1998": {
            "reserved": 4500000,
            "outstanding": 1800,
            "delivered": 800,
            "available": 4497400,
        },
        "directors-1999": {
            "reserved": 500000,
            "outstanding": 21666,
            "delivered": 0,
            "available": 478334,
        },
    }
    # E2 holds no award: the termination is recorded and sends no notice (docs/plan-rules.md
    # "Vesting and termination"), nor does its correction. Ann is told of her grants,
    # her exercise and the decision.
    bob = item(stack, "P#E2", "PROFILE")
    # REQ-1 corrected the day of his termination.
    assert bob is not None and bob["termination"]["date"] == "2002-03-14"
    sent = sorted((m["Date"].datetime.date().isoformat(), to(m), subject(m)) for m in emails(stack))
    assert sent == [
        (
            "2002-03-15",
            "ann.lee@ctc.example.com",
            "Exercise confirmed: 100 shares on 2002-03-15",
        ),
        ("2002-03-15", "ann.lee@ctc.example.com", "Your restricted stock award of 2002-03-15"),
        # DEC-1: G-2's shares vest early (docs/plan-rules.md "Administrator decisions").
        ("2002-03-15", "ann.lee@ctc.example.com", "Your stock awards: shares vest early"),
        (
            "2002-03-15",
            "ann.lee@ctc.example.com",
            "Your stock option grant of 2002-03-15",
        ),
        # The split of 2002-03-16 restated what Ann and Dana held (issue 15).
        (
            "2002-03-16",
            "ann.lee@ctc.example.com",
            "Stock split 2-for-1 on 2002-03-16: your awards restated",
        ),
        (
            "2002-03-16",
            "dana.fox@board.example.com",
            "Deferred stock award: 833 shares for your annual retainer of 2002-06-30",
        ),
        (
            "2002-03-16",
            "dana.fox@board.example.com",
            "Formula option granted: 10,000 shares at $40.00 (award FO-2002-03-15-D1)",
        ),
        (
            "2002-03-16",
            "dana.fox@board.example.com",
            "Stock split 2-for-1 on 2002-03-16: your awards restated",
        ),
    ]
