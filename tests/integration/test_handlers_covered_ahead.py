"""A covered transaction announced ahead (docs/plan-rules.md "Facts in time"), through
the real handlers on moto.

Recorded before its date D: every holder of an award outstanding then is told at once
(D; full vesting immediately before; not assumed: options and SARs must be exercised
on or before D and terminate then); holders of pending deferred stock are told it is
issued on D; not assumed, every option or SAR holder gets the 30- and 7-day reminders
of D; the administrator gets one mail listing the holders told.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    PEOPLE_CSV,
    emails,
    feed,
    notice_kind,
    plain,
    report,
    run_daily,
    subject,
    to,
)

JUN3 = date(2002, 6, 3)
CLOSING = date(2002, 8, 1)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
# E1: G-1, 1,000 NSO shares, 500 vested 2002-03-01, 500 vesting 2003-03-01. E2: G-2,
# 300 restricted shares vesting 2003-03-01 (needs no exercise). M1 holds nothing.
GRANTS = GRANTS_HEADER + (
    "G-1,E1,incentive-1998,nso,2001-03-01,1000,10.00,2011-03-01,2002-03-01:500;2003-03-01:500\n"
    "G-2,E2,incentive-1998,restricted_stock,2002-03-01,300,,,2003-03-01:300\n"
)


@pytest.fixture
def holders(local_stack: Any) -> Any:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, JUN3)
    feed(stack, "prices", "date,last_sale\n2002-06-03,20.00\n", JUN3)
    feed(stack, "grants", GRANTS, JUN3)
    run_daily(stack, JUN3)
    return stack


def participant_mail(stack: Any, kind: str) -> list[Any]:
    return [m for m in emails(stack) if to(m) != ADMIN and notice_kind(m) == kind]


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def test_facts_in_time_a_covered_transaction_recorded_ahead_is_told_to_every_holder_at_once(
    holders: Any,
) -> None:
    """docs/plan-rules.md "Facts in time" (a covered transaction announced ahead; 1998
    §7.a): recorded on 2002-06-03 for 2002-08-01, not assumed: E1 and E2 are told that
    day (D, full vesting, options to be exercised by D); M1, who holds nothing, is not;
    the administrator gets one mail listing the two holders. The awards are unchanged
    until D."""
    stack = holders
    feed(
        stack,
        "corporate_actions",
        "action_date,action,assumed\n2002-08-01,covered_transaction,false\n",
        JUN3,
    )
    told = participant_mail(stack, "covered-announcement")
    assert sorted(to(m) for m in told) == ["ann.lee@ctc.example.com", "bob.roe@ctc.example.com"]
    ann = next(m for m in told if to(m) == "ann.lee@ctc.example.com")
    text = " ".join(plain(ann).split())
    assert "2002-08-01" in subject(ann)
    assert "must be exercised on or before Thursday, 2002-08-01" in text
    assert "Shares that will vest because of the transaction: 500" in text
    assert "1998 §7.a" in text
    assert str(ann["Date"]).find("3 Jun 2002") >= 0
    admin = [m for m in emails(stack) if to(m) == ADMIN and "announced" in subject(m)]
    assert len(admin) == 1 and "to 2 holders" in subject(admin[0])
    assert "E1 Ann Lee" in plain(admin[0]) and "E2 Bob Roe" in plain(admin[0])
    assert "M1" not in plain(admin[0])
    g1 = next(a for a in report(stack, JUN3)["awards"] if a["award_id"] == "G-1")
    assert (g1["exercisable_shares"], g1["exercise_deadline"]) == (500, "2011-03-01")
    # The same file again tells nobody twice.
    feed(
        stack,
        "corporate_actions",
        "action_date,action,assumed\n2002-08-01,covered_transaction,false\n",
        date(2002, 6, 4),
        name="again",
    )
    assert len(participant_mail(stack, "covered-announcement")) == 2


def test_facts_in_time_not_assumed_option_holders_get_the_30_and_7_day_reminders_of_d(
    holders: Any,
) -> None:
    """docs/plan-rules.md "Facts in time": not assumed, every option or SAR holder
    (vested or not: all of it vests before D) is reminded 30 days (2002-07-02) and 7
    days (2002-07-25) before D, once each; the restricted stock holder is not."""
    stack = holders
    feed(
        stack,
        "corporate_actions",
        "action_date,action,assumed\n2002-08-01,covered_transaction,false\n",
        JUN3,
    )
    for day in days(date(2002, 6, 4), date(2002, 7, 31)):
        run_daily(stack, day)
    reminders = participant_mail(stack, "reminder")
    assert [(to(m), str(m["Date"])[:16]) for m in reminders] == [
        ("ann.lee@ctc.example.com", "Tue, 02 Jul 2002"),
        ("ann.lee@ctc.example.com", "Thu, 25 Jul 2002"),
    ]
    assert "deadline 2002-08-01" in subject(reminders[0])
    # All 1,000 shares can be exercised by D: the 500 unvested vest immediately before.
    assert "Shares that can be exercised: 1,000" in " ".join(plain(reminders[1]).split())


def test_facts_in_time_a_withdrawn_covered_transaction_sends_no_reminders(holders: Any) -> None:
    """docs/plan-rules.md "Facts in time": withdrawn before its date
    (`withdraw_corporate_action`), its reminders are not sent and nothing happens on D."""
    stack = holders
    feed(
        stack,
        "corporate_actions",
        "action_date,action,assumed\n2002-08-01,covered_transaction,false\n",
        JUN3,
    )
    feed(
        stack,
        "corrections",
        "request_id,action,action_date\nW-1,withdraw_corporate_action,2002-08-01\n",
        date(2002, 6, 10),
    )
    for day in days(date(2002, 6, 10), date(2002, 8, 2)):
        run_daily(stack, day)
    assert participant_mail(stack, "reminder") == []
    assert participant_mail(stack, "covered-transaction") == []
    # The administrator hears which holders had been told of it.
    (alert,) = [m for m in emails(stack) if to(m) == ADMIN and "withdrawn" in subject(m)]
    assert "2 holders were told of it" in subject(alert)
    assert "E1" in plain(alert) and "E2" in plain(alert) and "W-1" in plain(alert)
    g1 = next(a for a in report(stack, date(2002, 8, 2))["awards"] if a["award_id"] == "G-1")
    assert g1["exercise_deadline"] == "2011-03-01"


def test_facts_in_time_an_assumed_covered_transaction_announced_ahead_keeps_deadlines(
    holders: Any,
) -> None:
    """docs/plan-rules.md "Facts in time": assumed, the notice says the awards go on
    fully vested with their deadlines; no reminders of D are sent."""
    stack = holders
    feed(
        stack,
        "corporate_actions",
        "action_date,action,assumed\n2002-08-01,covered_transaction,true\n",
        JUN3,
    )
    ann = next(m for m in participant_mail(stack, "covered-announcement") if "ann" in to(m))
    text = " ".join(plain(ann).split())
    assert "are to be assumed" in text and "2011-03-01" in text
    for day in days(date(2002, 6, 4), date(2002, 7, 31)):
        run_daily(stack, day)
    assert participant_mail(stack, "reminder") == []


def test_facts_in_time_upcoming_lists_the_covered_transaction(holders: Any) -> None:
    """docs/plan-rules.md "Facts in time": `stockplan report --upcoming` lists a covered
    transaction recorded ahead, with its date."""
    from stockplan.service.report import read_state, upcoming

    stack = holders
    feed(
        stack,
        "corporate_actions",
        "action_date,action,assumed\n2002-08-01,covered_transaction,false\n",
        JUN3,
    )
    listed = upcoming(read_state(stack.runtime.table()), JUN3, 90)
    assert [(u["day"], u["what"]) for u in listed if u["what"] == "covered transaction"] == [
        ("2002-08-01", "covered transaction")
    ]


def test_facts_in_time_an_assumed_transaction_names_the_acquirer_and_the_restated_terms(
    holders: Any,
) -> None:
    """docs/plan-rules.md "Facts in time" ("if assumed, the acquirer and the restated
    shares and price"; 1998 §7.a, restated as a split of the exchange ratio): G-1's
    1,000 shares at $10.00, exchange ratio 0.5, become 500 shares at $20.00."""
    stack = holders
    row = "2002-08-01,covered_transaction,true,0.5,Acme Holdings\n"
    feed(
        stack,
        "corporate_actions",
        "action_date,action,assumed,exchange_ratio,acquirer\n" + row,
        JUN3,
    )
    ann = next(m for m in participant_mail(stack, "covered-announcement") if "ann" in to(m))
    text = " ".join(plain(ann).split())
    assert "are to be assumed by Acme Holdings" in text
    assert "Shares after the transaction: 500 of the acquirer" in text
    assert "Exercise price after the transaction: $20.00 per share" in text
