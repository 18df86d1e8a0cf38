"""Deadlines in notices, through the real handlers: the weekday beside every deadline
(docs/plan-rules.md "Notices"), and where a deadline falls on a day the exchange is closed,
the notice says the Administrator must receive the notice of exercise by then
(1998 §6.b.(1); Directors §6(e)(ii)); in HTML a date never breaks inside."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    PEOPLE_CSV,
    emails,
    feed,
    html,
    notice_kind,
    plain,
    run_daily,
)

MAR15 = date(2002, 3, 15)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
NOWRAP = '<span style="white-space:nowrap;">'


@pytest.fixture
def people(local_stack: Any) -> Any:
    feed(local_stack, "participants", PEOPLE_CSV, MAR15)
    return local_stack


def _mails(stack: Any, kind: str) -> list[Any]:
    return [m for m in emails(stack) if notice_kind(m) == kind]


def test_a_1998_deadline_on_a_saturday_has_its_weekday_and_the_administrator_must_receive_by_then(
    people: Any,
) -> None:
    """1998 §6.a.(5)(B): 2002-05-31 + 3 months = Saturday 2002-08-31; 1998 §6.b.(1): the
    option is exercised when the Administrator receives the notice, so it must arrive
    by then."""
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15,\n",
        MAR15,
    )
    (grant,) = _mails(stack, "grant")
    # The final exercise date is a deadline too: its weekday stands beside it.
    assert "Final exercise date: Thursday, 2012-03-15" in plain(grant)
    assert "until the end of Thursday, 2012-03-15" in plain(grant)

    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-05-31,voluntary\n",
        date(2002, 5, 31),
    )
    (notice,) = _mails(stack, "termination")
    text = plain(notice)
    assert "Last day to exercise: Saturday, 2002-08-31" in text
    assert (
        "2002-08-31 falls on a Saturday, when the exchange is closed; the deadline does "
        "not move, so the Administrator must receive the notice of exercise by the end of "
        "that day (1998 §6.b.(1))."
    ) in text
    # The weekday and the date stay together in HTML: no break inside at 375 px.
    assert f"{NOWRAP}Saturday, 2002-08-31</span>" in html(notice)

    # The reminders repeat both.
    run_daily(stack, date(2002, 8, 1))
    (reminder,) = _mails(stack, "reminder")
    assert "The last day to exercise is Saturday, 2002-08-31." in plain(reminder)
    assert "must receive the notice of exercise by the end of that day (1998 §6.b.(1))" in plain(
        reminder
    )
    run_daily(stack, date(2002, 9, 1))
    (expiry,) = _mails(stack, "expiry")
    assert "was Saturday, 2002-08-31." in plain(expiry)


def test_a_directors_deadline_on_an_nyse_holiday_names_the_holiday_and_directors_6_e_ii(
    people: Any,
) -> None:
    """Directors §6(i): 2002-04-04 + 3 months = Thursday 2002-07-04, Independence Day;
    Directors §6(e)(ii): the notice of exercise must be delivered by then."""
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER
        + "DO-1,D1,directors-1999,discretionary_option,2002-03-15,500,10.00,2010-03-15,\n",
        MAR15,
    )
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nD1,2002-04-04,other\n",
        date(2002, 4, 4),
    )
    (notice,) = _mails(stack, "termination")
    text = plain(notice)
    assert "Last day to exercise: Thursday, 2002-07-04" in text
    assert (
        "2002-07-04 is an NYSE holiday, when the exchange is closed; the deadline "
        "does not move, so the Administrator must receive the notice of exercise by the end "
        "of that day (Directors §6(e)(ii))."
    ) in text


def test_a_deadline_on_a_trading_day_has_its_weekday_and_no_closed_day_sentence(
    people: Any,
) -> None:
    """2002-05-15 + 3 months = Thursday 2002-08-15, a trading day (1998 §6.a.(5)(B))."""
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2012-03-15,\n",
        MAR15,
    )
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-05-15,voluntary\n",
        date(2002, 5, 15),
    )
    (notice,) = _mails(stack, "termination")
    text = plain(notice)
    assert "Last day to exercise: Thursday, 2002-08-15" in text
    assert "when the exchange is closed" not in text
    # Every other date of the HTML part is kept whole as well.
    assert f"{NOWRAP}2002-05-15</span>" in html(notice)
