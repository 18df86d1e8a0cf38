"""Longer stories through the handlers: keys as S3 really encodes them, a missing price,
a director leaving with deferred stock pending, a death after termination."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    PEOPLE_CSV,
    assert_pools_match_awards,
    award,
    emails,
    errors_csv,
    feed,
    item,
    plain,
    report,
    run_daily,
    subject,
    to,
)

MAR15 = date(2002, 3, 15)
MAY15 = date(2002, 5, 15)
TERMINATIONS_HEADER = "participant_id,termination_date,reason\n"


@pytest.fixture
def people(local_stack: Any) -> Any:
    feed(local_stack, "participants", PEOPLE_CSV, MAR15)
    return local_stack


def test_a_file_name_with_spaces_and_a_plus_is_read_through_its_url_encoded_event_key(
    people: Any,
) -> None:
    stack = people
    # S3 sends "incoming/prices/March+prices+2002%2Bfinal.csv" in the event.
    outcome = feed(
        stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15, name="March prices 2002+final"
    )
    assert outcome["key"] == "incoming/prices/March prices 2002+final.csv"
    assert (outcome["status"], outcome["accepted"]) == ("processed", 1)
    stored = item(stack, "PRICES", "2002-03-15")
    assert stored is not None and stored["last_sale"] == "20.00"


def test_options_and_deferred_stock_wait_for_a_missing_price_then_keep_their_original_date(
    people: Any,
) -> None:
    stack = people
    feed(stack, "elections", "participant_id,notice_date,action\nD1,2001-12-03,elect\n", MAR15)
    feed(stack, "meetings", "meeting_date,participant_id,outcome\n2002-05-15,D1,reelected\n", MAY15)
    feed(
        stack,
        "fees",
        "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-05-15,1500.00\n",
        MAY15,
    )

    # No price on or before 2002-05-14: nothing is made, the administrator is told once.
    first = run_daily(stack, MAY15)
    assert first["applied"] == {} and len(first["waiting"]) == 2
    run_daily(stack, date(2002, 5, 16))
    # Both need the FMV of 2002-05-14: one alert for the missing day names both
    # (docs/plan-rules.md "Fair Market Value").
    (alert,) = emails(stack)
    assert subject(alert) == "Waiting for a price: the Closing Price of 2002-05-14"
    assert to(alert) == ADMIN
    text = plain(alert)
    assert "No Closing Price for 2002-05-14 or the 5 trading days before it" in text
    assert "the formula options of the 2002-05-15 annual meeting (D1;" in text
    assert "deferred stock for the meeting fee of D1 of 2002-05-15" in text
    assert report(stack, MAY15)["awards"] == []

    # The price of the day before the meeting arrives on 2002-05-17.
    may17 = date(2002, 5, 17)
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n", may17)
    assert run_daily(stack, may17)["applied"] == {"meeting": 1, "fee": 1}

    rep = report(stack, may17)
    (option,) = rep["awards"]
    # Made with the meeting's date and the FMV of the day before it.
    assert (option["award_id"], option["grant_date"], option["final_exercise_date"]) == (
        "FO-2002-05-15-D1",
        "2002-05-15",
        "2007-05-15",
    )
    assert option["exercise_price"] == "40.00"
    (deferred,) = rep["deferred_stock"]
    assert (deferred["award_date"], deferred["shares"], deferred["cash_in_lieu"]) == (
        "2002-05-15",
        37,
        "20.00",
    )
    new = emails(stack)[1:]
    assert [to(m) for m in new] == ["dana.fox@board.example.com"] * 2
    assert all(m["Date"].datetime.date() == may17 for m in new)  # sent that day


def test_a_director_leaving_has_pending_deferred_stock_issued_on_the_last_day_of_service(
    people: Any,
) -> None:
    stack = people
    feed(stack, "elections", "participant_id,notice_date,action\nD1,2001-12-03,elect\n", MAR15)
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n", MAY15)
    feed(
        stack,
        "fees",
        "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-05-15,1500.00\n",
        MAY15,
    )
    run_daily(stack, MAY15)
    assert report(stack, MAY15)["pools"]["directors-1999"]["outstanding"] == 37

    jul1 = date(2002, 7, 1)
    feed(stack, "terminations", TERMINATIONS_HEADER + "D1,2002-06-30,voluntary\n", jul1)
    run_daily(stack, jul1)

    # Issue date: the earliest of 2005-01-03 and the end of service, 2002-06-30
    # (Directors §7(b)). 37 shares move from outstanding to delivered.
    (deferred,) = report(stack, jul1)["deferred_stock"]
    assert (deferred["issue_date"], deferred["status"]) == ("2002-06-30", "issued")
    pool = report(stack, jul1)["pools"]["directors-1999"]
    assert (pool["outstanding"], pool["delivered"], pool["available"]) == (0, 37, 199963)
    issued = [m for m in emails(stack) if subject(m).startswith("Deferred stock issued")]
    assert [subject(m) for m in issued] == ["Deferred stock issued: 37 shares on 2002-06-30"]
    assert to(issued[0]) == "dana.fox@board.example.com"  # no personal_email on file
    assert "Issued on: 2002-06-30" in plain(issued[0])


def test_a_death_after_termination_reopens_the_1998_window_and_tells_the_estate(
    people: Any,
) -> None:
    stack = people
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    feed(
        stack,
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n"
        "G-100,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,"
        "2002-09-15:500;2003-03-15:500\n",
        MAR15,
    )
    feed(
        stack, "terminations", TERMINATIONS_HEADER + "E1,2002-10-01,voluntary\n", date(2002, 10, 2)
    )
    assert award(report(stack, date(2002, 10, 2)), "G-100")["exercise_deadline"] == "2003-01-01"

    nov16 = date(2002, 11, 16)
    outcome = feed(
        stack,
        "terminations",
        TERMINATIONS_HEADER
        + "E1,2002-11-15,death\n"  # inside the window open to 2003-01-01
        + "E2,2002-10-01,voluntary\n",
        nov16,
    )
    assert (outcome["accepted"], outcome["rejected"]) == (2, 0)

    # 1998 §6.a.(5)(A): one year from the death, 2003-11-15, later than 2003-01-01.
    g100 = award(report(stack, nov16), "G-100")
    assert (g100["exercise_deadline"], g100["exercisable_shares"]) == ("2003-11-15", 500)
    assert g100["shares_forfeited"] == 500  # not forfeited a second time

    death_notice = [m for m in emails(stack) if "after death" in subject(m)]
    (notice,) = death_notice
    # Ann has no estate_email: the administrator, never her own or personal mailbox.
    assert to(notice) == ADMIN
    text = plain(notice)
    assert text.startswith("To the estate of Ann Lee,")
    assert "Vested shares: 500" in text
    assert "Last day to exercise: Saturday, 2003-11-15" in text
    assert "1998 §6.a.(5)(A)" in text
    # The award is its history replayed: the termination, then the death after it.
    assert_pools_match_awards(stack)


def test_a_directors_award_keeps_its_window_after_a_death_and_the_estate_sees_what_is_left(
    people: Any,
) -> None:
    stack = people
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n", MAY15)
    feed(stack, "meetings", "meeting_date,participant_id,outcome\n2002-05-15,D1,reelected\n", MAY15)
    run_daily(stack, MAY15)
    feed(stack, "terminations", TERMINATIONS_HEADER + "D1,2002-06-30,voluntary\n", date(2002, 7, 1))

    aug2 = date(2002, 8, 2)
    outcome = feed(
        stack,
        "terminations",
        TERMINATIONS_HEADER
        + "D1,2002-08-01,death\n"  # row 1: death inside the 3-month window
        + "D1,2002-08-02,retirement\n",  # row 2: a different second termination
        aug2,
    )
    assert (outcome["accepted"], outcome["rejected"]) == (1, 1)

    # Directors §6(h)/(i): no new window for a former director; 2002-06-30 + 3 months.
    option = award(report(stack, aug2), "FO-2002-05-15-D1")
    assert (option["exercise_deadline"], option["exercisable_shares"]) == ("2002-09-30", 10000)
    (notice,) = [m for m in emails(stack) if "after death" in subject(m)]
    assert to(notice) == ADMIN  # Dana has no estate_email
    text = plain(notice)
    # The estate may still buy all 10,000 shares until 2002-09-30.
    assert "Vested shares: 10,000" in text
    assert "Last day to exercise: Monday, 2002-09-30" in text

    (rejected,) = errors_csv(stack, "incoming/terminations/2002-08-02.csv")
    # The terminations feed has its own "reason" column: the added one is
    # rejection_reason, so the corrected file can be sent again as it is.
    assert (rejected["reason"], rejected["row"]) == ("retirement", "2")
    assert "already has a termination on 2002-06-30" in rejected["rejection_reason"]
    assert "Directors §6(h)" in rejected["rejection_reason"]
