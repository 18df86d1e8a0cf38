"""A stale price is a missing price (docs/plan-rules.md "Fair Market Value"), through the
real handlers: a Closing Price more than 5 NYSE trading days before the day whose FMV
is needed is not used. Formula options and deferred stock wait for their price and are
made with their own date and that day's FMV; a fed ISO whose price needs the FMV is
rejected, and accepted when uploaded again after the prices; the administrator is told
once per missing day, naming what waits; every notice stating an FMV names the day of
the Closing Price used (Directors §6(c))."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    PEOPLE_CSV,
    award,
    emails,
    errors_csv,
    feed,
    notice_kind,
    plain,
    report,
    run_daily,
    subject,
    to,
)

GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)


def _alerts(stack: Any) -> list[Any]:
    return [m for m in emails(stack) if to(m) == ADMIN and "Waiting for a price" in subject(m)]


def _mails(stack: Any, kind: str) -> list[Any]:
    return [m for m in emails(stack) if notice_kind(m) == kind]


@pytest.fixture
def people(local_stack: Any) -> Any:
    feed(local_stack, "participants", PEOPLE_CSV, date(2000, 11, 1))
    return local_stack


def test_a_formula_option_waits_for_a_fresh_price_of_the_day_before_the_meeting(
    people: Any,
) -> None:
    """Directors §6(a), §6(c): the meeting of 2001-06-14 needs the FMV of 2001-06-13; the
    latest price, 2001-06-01, is 8 trading days older, so the option waits (yesterday's
    code priced it at 2001-06-01's price with no word)."""
    stack = people
    feed(stack, "prices", "date,last_sale\n2001-06-01,31.0625\n", date(2001, 6, 1))
    meeting = date(2001, 6, 14)
    feed(
        stack, "meetings", "meeting_date,participant_id,outcome\n2001-06-14,D1,reelected\n", meeting
    )

    outcome = run_daily(stack, meeting)
    assert outcome["applied"] == {} and len(outcome["waiting"]) == 1
    assert report(stack, meeting)["awards"] == []
    (alert,) = _alerts(stack)
    assert subject(alert) == "Waiting for a price: the Closing Price of 2001-06-13"
    text = plain(alert)
    assert (
        "No Closing Price for 2001-06-13 or the 5 trading days before it; the latest is "
        "2001-06-01 \N{EM DASH} upload prices."
    ) in text
    assert "the formula options of the 2001-06-14 annual meeting (D1;" in text
    # Told once per missing day: the runs that follow say nothing more.
    run_daily(stack, date(2001, 6, 15))
    run_daily(stack, date(2001, 6, 18))
    assert len(_alerts(stack)) == 1

    june19 = date(2001, 6, 19)
    feed(stack, "prices", "date,last_sale\n2001-06-12,13.50\n", june19)
    assert run_daily(stack, june19)["applied"] == {"meeting": 1}
    option = award(report(stack, june19), "FO-2001-06-14-D1")
    # Made with its own date and the FMV of the day before the meeting: 2001-06-12's
    # price, one trading day before 2001-06-13.
    assert (option["grant_date"], option["exercise_price"]) == ("2001-06-14", "13.50")
    (notice,) = _mails(stack, "formula-grant")
    assert (
        "Exercise price: $13.50 per share, the Fair Market Value: the closing price of "
        "2001-06-12 (Directors §6(c))"
    ) in plain(notice)
    assert "Fair Market Value on the day before the meeting" not in plain(notice)


def test_a_price_5_trading_days_old_is_used_and_6_is_stale(people: Any) -> None:
    """docs/plan-rules.md "Fair Market Value": 2001-06-06 is the 5th trading day before
    2001-06-13 (used); 2001-06-05 the 6th (stale)."""
    stack = people
    feed(stack, "prices", "date,last_sale\n2001-06-05,20.00\n", date(2001, 6, 5))
    feed(
        stack,
        "meetings",
        "meeting_date,participant_id,outcome\n2001-06-14,D1,reelected\n",
        date(2001, 6, 14),
    )
    assert run_daily(stack, date(2001, 6, 14))["applied"] == {}
    feed(stack, "prices", "date,last_sale\n2001-06-06,21.00\n", date(2001, 6, 15))
    assert run_daily(stack, date(2001, 6, 15))["applied"] == {"meeting": 1}
    option = award(report(stack, date(2001, 6, 15)), "FO-2001-06-14-D1")
    assert option["exercise_price"] == "21.00"


def test_deferred_stock_waits_for_the_price_of_its_first_business_day_and_names_it(
    people: Any,
) -> None:
    """Directors §7(a): the 2001 annual fee is converted at the FMV of 2001-01-02; the
    prices stop on 2000-12-01, 21 trading days before: the award waits, then is made
    with its own date once 2000-12-29's price arrives, and its notices name that day."""
    stack = people
    feed(
        stack,
        "elections",
        "participant_id,notice_date,action\nD1,2000-11-01,elect\n",
        date(2000, 11, 1),
    )
    feed(stack, "prices", "date,last_sale\n2000-12-01,40.00\n", date(2000, 12, 1))
    march1 = date(2001, 3, 1)
    feed(
        stack,
        "fees",
        "participant_id,fee_type,fee_date,amount\nD1,annual,2001-03-01,1500.00\n",
        march1,
    )

    assert run_daily(stack, march1)["applied"] == {}
    (alert,) = _alerts(stack)
    assert subject(alert) == "Waiting for a price: the Closing Price of 2001-01-02"
    assert "the latest is 2000-12-01" in plain(alert)
    assert "deferred stock for the annual fee of D1 of 2001-03-01 (Directors §7(a))" in plain(alert)
    assert report(stack, march1)["deferred_stock"] == []

    march5 = date(2001, 3, 5)
    feed(stack, "prices", "date,last_sale\n2000-12-29,30.00\n", march5)
    assert run_daily(stack, march5)["applied"] == {"fee": 1}
    (deferred,) = report(stack, march5)["deferred_stock"]
    assert (deferred["award_date"], deferred["fair_market_value"], deferred["shares"]) == (
        "2001-01-02",
        "30.00",
        50,
    )
    (notice,) = _mails(stack, "deferred-award")
    assert "Fair Market Value: $30.00 per share, the closing price of 2000-12-29" in plain(notice)
    # The issue notice of the same award names the same day.
    run_daily(stack, date(2004, 1, 2))
    (issued,) = _mails(stack, "deferred-issue")
    assert "Fair Market Value: $30.00 per share, the closing price of 2000-12-29" in plain(issued)
    assert len(_alerts(stack)) == 1


def test_a_fed_iso_is_rejected_on_a_stale_price_and_accepted_when_uploaded_again(
    people: Any,
) -> None:
    """1998 §6.b.(2): an ISO's price is checked against the FMV of its grant date; the
    latest price is a year old, so the row is rejected saying which price is missing,
    and the same file uploaded after the prices is applied."""
    stack = people
    feed(stack, "prices", "date,last_sale\n2001-06-01,31.0625\n", date(2001, 6, 1))
    june13 = date(2002, 6, 13)
    rows = GRANTS_HEADER + "I-1,E1,incentive-1998,iso,2002-06-13,1000,13.50,2012-06-13,\n"
    first = feed(stack, "grants", rows, june13, name="isos")
    assert first["rejected"] == 1
    (rejected,) = errors_csv(stack, "incoming/grants/isos.csv")
    assert rejected["reason"] == (
        "the ISO price cannot be checked: no Closing Price for 2002-06-13 or the 5 trading "
        "days before it; the latest is 2001-06-01 \N{EM DASH} upload prices (1998 §6.b.(2))"
    )
    assert report(stack, june13)["awards"] == []

    feed(stack, "prices", "date,last_sale\n2002-06-12,13.50\n", june13)
    again = feed(stack, "grants", rows, june13, name="isos")
    assert (again["accepted"], again["rejected"]) == (1, 0)
    assert award(report(stack, june13), "I-1")["exercise_price"] == "13.50"


def test_an_iso_below_the_fmv_names_the_day_of_the_closing_price(people: Any) -> None:
    """1998 §6.b.(2): the rejection states the FMV and the day of its Closing Price."""
    stack = people
    june13 = date(2002, 6, 13)
    feed(stack, "prices", "date,last_sale\n2002-06-12,13.50\n", june13)
    rows = GRANTS_HEADER + "I-1,E1,incentive-1998,iso,2002-06-13,1000,12.00,2012-06-13,\n"
    assert feed(stack, "grants", rows, june13, name="low")["rejected"] == 1
    (rejected,) = errors_csv(stack, "incoming/grants/low.csv")
    assert (
        "the Fair Market Value on the grant date, $13.50 (the closing price of 2002-06-12)"
        in rejected["reason"]
    )
