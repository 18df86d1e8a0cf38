"""Scheduled facts (docs/plan-rules.md "Facts in time"), through the real handlers on moto.

A termination, grant, meeting, fee or corporate action dated after the day it is
applied is checked and keyed at once, listed as upcoming, and applied by the daily job
on its date with its notices then; before its date a correction can change or
withdraw it. Exercises and prices dated ahead are rejected.
"""

from __future__ import annotations

from datetime import date, timedelta
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
    notice_kind,
    plain,
    report,
    run_daily,
    subject,
    to,
)

MAY1 = date(2002, 5, 1)
MAY31 = date(2002, 5, 31)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
CORRECTIONS_HEADER = "request_id,action,participant_id,termination_date,reason,action_date\n"


@pytest.fixture
def granted(local_stack: Any) -> Any:
    """E1 holds G-1, 1,000 NSO shares granted 2001-05-01, 500 vested 2002-03-01."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAY1)
    feed(stack, "prices", "date,last_sale\n2002-05-01,20.00\n", MAY1)
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-1,E1,incentive-1998,nso,2001-05-01,1000,10.00,2011-05-01,"
        "2002-03-01:500;2003-03-01:500\n",
        MAY1,
    )
    run_daily(stack, MAY1)
    return stack


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def notices(stack: Any, kind: str) -> list[Any]:
    return [m for m in emails(stack) if notice_kind(m) == kind]


def test_facts_in_time_a_termination_fed_ahead_is_applied_and_told_on_its_date(
    granted: Any,
) -> None:
    """docs/plan-rules.md "Facts in time" (scheduled facts): a termination dated 2002-05-31 fed on
    2002-05-01 is keyed at once but applied, and told, only by the daily job of
    2002-05-31; until then the award is untouched and the termination is upcoming."""
    stack = granted
    result = feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-05-31,voluntary\n",
        MAY1,
    )
    assert result["accepted"] == 1 and result["rejected"] == 0
    assert notices(stack, "termination") == []
    held = award(report(stack, MAY1), "G-1")
    assert held["exercise_deadline"] == "2011-05-01" and held["shares_forfeited"] == 0
    from stockplan.service.report import read_state, upcoming

    listed = upcoming(read_state(stack.runtime.table()), MAY1, 60)
    assert [
        (u["day"], u["what"], u["participant_id"], u["ref"])
        for u in listed
        if u["what"] == "termination"
    ] == [("2002-05-31", "termination", "E1", "voluntary")]
    # The same row again is unchanged; another termination of E1 is a conflict.
    again = feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-05-31,voluntary\nE1,2002-06-30,other\n",
        date(2002, 5, 2),
        name="again",
    )
    assert (again["accepted"], again["unchanged"], again["rejected"]) == (0, 1, 1)
    for day in days(date(2002, 5, 2), date(2002, 5, 30)):
        run_daily(stack, day)
    assert notices(stack, "termination") == []
    run_daily(stack, MAY31)
    told = notices(stack, "termination")
    assert len(told) == 1 and to(told[0]) == "ann@home.example.com"
    assert "2002-05-31" in plain(told[0])
    assert told[0]["Date"] is not None and "31 May 2002" in str(told[0]["Date"])
    after = award(report(stack, MAY31), "G-1")
    # 1998 §6.a.(5)(B): 3 months after 2002-05-31; the 500 unvested shares forfeited.
    assert after["exercise_deadline"] == "2002-08-31"
    assert after["shares_forfeited"] == 500
    later = upcoming(read_state(stack.runtime.table()), date(2002, 6, 1), 60)
    assert all(u["what"] != "termination" for u in later)
    assert_pools_match_awards(stack)


def test_facts_in_time_a_scheduled_termination_is_rejected_at_once_when_its_rules_refuse_it(
    granted: Any,
) -> None:
    """docs/plan-rules.md "Facts in time": checked at once (rejections as usual): an unknown person
    is rejected when fed, not on the date."""
    stack = granted
    result = feed(
        stack, "terminations", "participant_id,termination_date,reason\nX9,2002-05-31,other\n", MAY1
    )
    assert result["rejected"] == 1
    key = f"incoming/terminations/{MAY1.isoformat()}.csv"
    body = stack.runtime.s3.get_object(Bucket=stack.stack.bucket, Key=f"errors/{key}.errors.csv")
    assert "unknown participant X9" in body["Body"].read().decode("utf-8-sig")


def test_facts_in_time_correct_termination_before_its_date_moves_the_scheduled_one(
    granted: Any,
) -> None:
    """docs/plan-rules.md "Facts in time": before its date `correct_termination` changes a
    scheduled termination: applied on the corrected date, with the corrected reason."""
    stack = granted
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-05-31,voluntary\n",
        MAY1,
    )
    feed(
        stack,
        "corrections",
        CORRECTIONS_HEADER + "C-1,correct_termination,E1,2002-06-14,retirement,\n",
        date(2002, 5, 10),
    )
    for day in days(date(2002, 5, 10), date(2002, 6, 13)):
        run_daily(stack, day)
    assert notices(stack, "termination") == []
    assert award(report(stack, date(2002, 6, 13)), "G-1")["exercise_deadline"] == "2011-05-01"
    run_daily(stack, date(2002, 6, 14))
    told = notices(stack, "termination")
    assert len(told) == 1 and "2002-06-14" in plain(told[0])
    assert award(report(stack, date(2002, 6, 14)), "G-1")["exercise_deadline"] == "2002-09-14"
    # Nobody had been told of the first date: the correction sends no notice of its own.
    assert notices(stack, "correction") == []


def test_facts_in_time_reverse_termination_before_its_date_withdraws_it(granted: Any) -> None:
    """docs/plan-rules.md "Facts in time": `reverse_termination` before its date withdraws a
    scheduled termination: nothing is applied or sent on the date; the person's
    termination may be fed again."""
    stack = granted
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-05-31,voluntary\n",
        MAY1,
    )
    feed(
        stack,
        "corrections",
        CORRECTIONS_HEADER + "C-2,reverse_termination,E1,,,\n",
        date(2002, 5, 10),
    )
    for day in days(date(2002, 5, 10), date(2002, 6, 2)):
        run_daily(stack, day)
    assert notices(stack, "termination") == []
    assert award(report(stack, date(2002, 6, 2)), "G-1")["exercise_deadline"] == "2011-05-01"
    again = feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-06-28,other\n",
        date(2002, 6, 3),
    )
    assert again["accepted"] == 1


def test_facts_in_time_a_grant_fed_ahead_is_made_and_told_on_its_grant_date(granted: Any) -> None:
    """docs/plan-rules.md "Facts in time": a grant dated 2002-06-03 fed on 2002-05-01 is keyed
    at once (the same award_id again is a conflict) and made on its date, with its
    grant notice then; the pool is untouched until then."""
    stack = granted
    row = "G-2,E2,incentive-1998,nso,2002-06-03,300,20.00,2012-06-03,\n"
    result = feed(stack, "grants", GRANTS_HEADER + row, MAY1, name="ahead")
    assert result["accepted"] == 1
    assert [a["award_id"] for a in report(stack, MAY1)["awards"]] == ["G-1"]
    pools_before = report(stack, MAY1)["pools"]["incentive-1998"]
    conflict = feed(
        stack, "grants", GRANTS_HEADER + row.replace(",300,", ",400,"), date(2002, 5, 2), name="c"
    )
    assert conflict["rejected"] == 1
    for day in days(date(2002, 5, 2), date(2002, 6, 2)):
        run_daily(stack, day)
    assert [m for m in notices(stack, "grant") if "G-2" in plain(m)] == []
    assert report(stack, date(2002, 6, 2))["pools"]["incentive-1998"] == pools_before
    run_daily(stack, date(2002, 6, 3))
    told = [m for m in notices(stack, "grant") if "G-2" in plain(m)]
    assert len(told) == 1 and to(told[0]) == "bob.roe@ctc.example.com"
    made = award(report(stack, date(2002, 6, 3)), "G-2")
    assert made["grant_date"] == "2002-06-03" and made["shares_outstanding"] == 300
    assert_pools_match_awards(stack)


def test_facts_in_time_a_scheduled_grant_refused_on_its_date_is_dropped_and_the_admin_told(
    granted: Any,
) -> None:
    """docs/plan-rules.md "Facts in time": applied on its date by every rule then in force: a
    grant to someone whose service ended before the grant date (fed meanwhile) is not
    made; the administrator is told, and the row's key is free again."""
    stack = granted
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-3,E2,incentive-1998,nso,2002-06-03,300,20.00,2012-06-03,\n",
        MAY1,
        name="ahead",
    )
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE2,2002-05-15,other\n",
        date(2002, 5, 15),
    )
    for day in days(date(2002, 5, 15), date(2002, 6, 3)):
        run_daily(stack, day)
    assert "G-3" not in [a["award_id"] for a in report(stack, date(2002, 6, 3))["awards"]]
    alerts = [m for m in emails(stack) if to(m) == ADMIN and "scheduled grants row" in subject(m)]
    assert len(alerts) == 1 and "ended on 2002-05-15" in plain(alerts[0])
    # The award_id is free again: a corrected row (to E1) is applied.
    fixed = feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-3,E1,incentive-1998,nso,2002-06-03,300,20.00,2012-06-03,\n",
        date(2002, 6, 4),
        name="fixed",
    )
    assert fixed["accepted"] == 1


def test_facts_in_time_exercises_and_prices_dated_ahead_are_rejected(granted: Any) -> None:
    """docs/plan-rules.md "Facts in time": exercises and prices dated after the day they are fed
    are rejected (they state what has happened)."""
    stack = granted
    ex = feed(stack, "exercises", "award_id,exercise_date,shares\nG-1,2002-05-02,100\n", MAY1)
    assert ex["rejected"] == 1
    reason = errors_csv(stack, f"incoming/exercises/{MAY1.isoformat()}.csv")[0]["reason"]
    assert "exercise_date 2002-05-02 is after today (2002-05-01)" in reason
    price = feed(stack, "prices", "date,last_sale\n2002-05-02,21.00\n", MAY1, name="ahead")
    assert price["rejected"] == 1
    assert award(report(stack, MAY1), "G-1")["shares_exercised"] == 0


def test_facts_in_time_withdraw_corporate_action_before_its_date(granted: Any) -> None:
    """docs/plan-rules.md "Facts in time", interfaces §1b: `withdraw_corporate_action` removes a
    split recorded ahead of its date (nothing is restated on the day); once its date
    has come it is rejected. The upcoming list shows the split until withdrawn."""
    stack = granted
    feed(stack, "corporate_actions", "action_date,action,ratio\n2002-06-10,split,2\n", MAY1)
    from stockplan.service.report import read_state, upcoming

    listed = upcoming(read_state(stack.runtime.table()), MAY1, 60)
    assert [(u["day"], u["what"]) for u in listed if u["what"] == "split"] == [
        ("2002-06-10", "split")
    ]
    done = feed(
        stack,
        "corrections",
        CORRECTIONS_HEADER + "W-1,withdraw_corporate_action,,,,2002-06-10\n",
        date(2002, 5, 20),
    )
    assert done["accepted"] == 1
    assert [
        u
        for u in upcoming(read_state(stack.runtime.table()), date(2002, 5, 20), 60)
        if u["what"] == "split"
    ] == []
    for day in days(date(2002, 5, 20), date(2002, 6, 11)):
        run_daily(stack, day)
    assert award(report(stack, date(2002, 6, 11)), "G-1")["shares_granted"] == 1000
    assert notices(stack, "split") == []
    # A split whose date has come cannot be withdrawn.
    feed(
        stack,
        "corporate_actions",
        "action_date,action,ratio\n2002-06-12,split,2\n",
        date(2002, 6, 11),
        name="b",
    )
    run_daily(stack, date(2002, 6, 12))
    late = feed(
        stack,
        "corrections",
        CORRECTIONS_HEADER + "W-2,withdraw_corporate_action,,,,2002-06-12\n",
        date(2002, 6, 12),
        name="late",
    )
    assert late["rejected"] == 1
    assert award(report(stack, date(2002, 6, 12)), "G-1")["shares_granted"] == 2000
