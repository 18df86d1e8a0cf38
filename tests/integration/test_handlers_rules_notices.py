"""Rule points and notices settled in docs/plan-rules.md (issue 11), through the handlers on moto:
ISO terms, shares withheld, the pools after a split, reminders of a termination fed late,
a death after every award closed, which awards a termination notice names, awards
loaded closed, grant notices and exercise confirmations.

Expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    FEED_FUNCTION,
    PEOPLE_CSV,
    assert_pools_match_awards,
    award,
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
    s3_event,
    subject,
    table_items,
    to,
)

MAR15 = date(2002, 3, 15)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
TERMINATIONS_HEADER = "participant_id,termination_date,reason\n"
EXERCISES_HEADER = "award_id,exercise_date,shares,shares_withheld,exercise_id\n"
# E4 Tess Ten holds 10% of the stock (Code §422(b)(6)): her ISOs need 110% of the FMV
# and may run at most 5 years.
TESS = "E4,Tess Ten,tess@ctc.example.com,employee,,,true\n"
ANN_WORK, ANN_HOME = "ann.lee@ctc.example.com", "ann@home.example.com"


@pytest.fixture
def people(local_stack: Any) -> Any:
    """The people of handlers_support and Tess; a close of 20.00 on 2002-03-15."""
    feed(local_stack, "participants", PEOPLE_CSV + TESS, MAR15)
    feed(local_stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    return local_stack


def kinds(stack: Any) -> list[str]:
    return [notice_kind(m) for m in emails(stack)]


def profile(stack: Any, participant_id: str) -> dict[str, Any]:
    found = item(stack, f"P#{participant_id}", "PROFILE")
    assert found is not None
    return found


# --- 1. ISO terms (Code §422(b)(3), §422(c)(5), invoked by 1998 §6.b.(2)) -------------


def test_1998_6b2_iso_final_exercise_date_at_most_10_years_5_for_a_ten_percent_holder(
    people: Any,
) -> None:
    stack = people
    body = GRANTS_HEADER + (
        # row 1: exactly 10 years: accepted
        "G-I1,E1,incentive-1998,iso,2002-03-15,100,20.00,2012-03-15,\n"
        # row 2: 10 years and a day: rejected (Code §422(b)(3))
        "G-I2,E1,incentive-1998,iso,2002-03-15,100,20.00,2012-03-16,\n"
        # row 3: Tess at 110% of 20.00 = 22.00, exactly 5 years: accepted
        "G-I3,E4,incentive-1998,iso,2002-03-15,100,22.00,2007-03-15,\n"
        # row 4: Tess, 5 years and a day: rejected (Code §422(c)(5))
        "G-I4,E4,incentive-1998,iso,2002-03-15,100,22.00,2007-03-16,\n"
        # row 5: an NSO of Tess's for 10 years: the ISO rule does not bind it
        "G-N5,E4,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,\n"
    )
    outcome = feed(stack, "grants", body, MAR15)

    assert (outcome["accepted"], outcome["rejected"]) == (3, 2)
    assert [a["award_id"] for a in report(stack, MAR15)["awards"]] == ["G-I1", "G-I3", "G-N5"]
    rows = errors_csv(stack, "incoming/grants/2002-03-15.csv")
    assert [(r["row"], r["award_id"]) for r in rows] == [("2", "G-I2"), ("4", "G-I4")]
    assert rows[0]["reason"] == (
        "ISO final exercise date 2012-03-16 is more than 10 years after the grant date "
        "2002-03-15: at the latest 2012-03-15 (1998 §6.b.(2); Code §422(b)(3))"
    )
    assert rows[1]["reason"] == (
        "ISO final exercise date 2007-03-16 is more than 5 years after the grant date "
        "2002-03-15 for E4, a ten_percent_holder: at the latest 2007-03-15 "
        "(1998 §6.b.(2); Code §422(c)(5))"
    )
    (summary,) = emails_besides(stack, "grant")
    assert to(summary) == ADMIN and "Code §422(c)(5)" in plain(summary)
    # Only the accepted grants are told to their participants.
    assert sorted(to(m) for m in emails(stack) if notice_kind(m) == "grant") == [
        ANN_WORK,
        "tess@ctc.example.com",
        "tess@ctc.example.com",
    ]


# --- 2. shares_withheld at most the shares exercised (docs/plan-rules.md "Exercises") -----------


def test_shares_withheld_above_the_shares_exercised_is_rejected_and_equal_is_accepted(
    people: Any,
) -> None:
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,\n",
        MAR15,
    )
    jun3 = date(2002, 6, 3)
    body = EXERCISES_HEADER + (
        "G-1,2002-06-03,100,101,\n"  # row 1: 101 withheld of 100: rejected
        # row 2: all 100 withheld: accepted, nothing delivered (dated the upload day: an
        # exercise dated ahead is rejected, docs/plan-rules.md "Facts in time")
        "G-1,2002-06-03,100,100,\n"
    )
    outcome = feed(stack, "exercises", body, jun3)

    assert (outcome["accepted"], outcome["rejected"]) == (1, 1)
    (row,) = errors_csv(stack, "incoming/exercises/2002-06-03.csv")
    assert row["row"] == "1"
    assert "shares_withheld: 101 is more than the 100 shares exercised" in row["reason"]
    g1 = award(report(stack, jun3), "G-1")
    assert (g1["shares_exercised"], g1["shares_outstanding"]) == (100, 900)
    # 100 exercised, 100 withheld: delivered 0 (1998 §4.a(iv)); outstanding 900.
    assert report(stack, jun3)["pools"]["incentive-1998"]["delivered"] == 0
    (confirmation,) = [m for m in emails(stack) if notice_kind(m) == "exercise"]
    assert subject(confirmation) == "Exercise confirmed: 100 shares on 2002-06-03"
    assert "Shares delivered: 0" in plain(confirmation)
    assert_pools_match_awards(stack)


# --- 3. after a split, available = reserve - outstanding - delivered ------------------


def test_after_a_split_of_1_5_available_is_reserve_less_outstanding_less_delivered(
    people: Any,
) -> None:
    stack = people
    body = GRANTS_HEADER + (
        "G-A,E1,incentive-1998,nso,2002-03-15,1001,20.00,2012-03-15,\n"
        "G-B,E2,incentive-1998,nso,2002-03-15,667,20.00,2012-03-15,\n"
        "G-C,M1,incentive-1998,nso,2002-03-15,1001,20.00,2012-03-15,\n"
    )
    feed(stack, "grants", body, MAR15)
    may20 = date(2002, 5, 20)
    feed(stack, "exercises", EXERCISES_HEADER + "G-B,2002-05-20,667,0,\n", may20)
    feed(
        stack,
        "corporate_actions",
        "action_date,action,ratio,assumed\n2002-06-03,split,1.5,\n",
        may20,
    )
    # Before: reserved 2,250,000, outstanding 1,001 + 1,001 = 2,002, delivered 667,
    # available 2,247,331.
    before = report(stack, may20)["pools"]["incentive-1998"]
    assert before == {
        "reserved": 2250000,
        "outstanding": 2002,
        "delivered": 667,
        "available": 2247331,
    }

    assert run_daily(stack, date(2002, 6, 3))["applied"] == {"corporate_action": 1}

    rep = report(stack, date(2002, 6, 3))
    # Each outstanding award x 1.5, floored: 1,001 -> 1,501 (twice), so outstanding is
    # 3,002; G-B closed before the split keeps 667. Reserved 3,375,000; delivered
    # floor(667 x 1.5) = floor(1,000.5) = 1,000 (1998 §7.b.(1)).
    assert [award(rep, a)["shares_granted"] for a in ("G-A", "G-B", "G-C")] == [1501, 667, 1501]
    pool = rep["pools"]["incentive-1998"]
    # The definition wins (docs/plan-rules.md "Splits"): 3,375,000 - 3,002 - 1,000 = 3,370,998;
    # the old available restated on its own, floor(2,247,331 x 1.5) = 3,370,996, is not it.
    assert pool == {
        "reserved": 3375000,
        "outstanding": 3002,
        "delivered": 1000,
        "available": 3370998,
    }
    assert pool["available"] == pool["reserved"] - pool["outstanding"] - pool["delivered"]
    separately = (Decimal(before["available"]) * Decimal("1.5")).to_integral_value(ROUND_FLOOR)
    assert pool["available"] != separately
    assert_pools_match_awards(stack)


# --- 4. reminders of a deadline set late ----------------------------------------------


def test_a_termination_fed_80_days_late_sends_no_late_30_day_reminder_but_the_7_day_one(
    people: Any,
) -> None:
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,\n",
        MAR15,
    )
    # Ann left on 2002-06-03: 3 months, deadline 2002-09-03 (1998 §6.a.(5)(B)). HR feeds
    # it 80 days later, on 2002-08-22: the 30-day reminder's day (2002-08-04) has passed,
    # the 7-day one's (2002-08-27) has not.
    fed = date(2002, 6, 3) + timedelta(days=80)
    assert fed == date(2002, 8, 22)
    feed(stack, "terminations", TERMINATIONS_HEADER + "E1,2002-06-03,voluntary\n", fed)
    for n in range(15):  # a daily run every day until 2002-09-05
        run_daily(stack, fed + timedelta(days=n))

    sent = [
        (m["Date"].datetime.date().isoformat(), to(m), subject(m))
        for m in emails_besides(stack, "grant")
    ]
    assert sent == [
        ("2002-08-22", ANN_HOME, "Your stock awards after your employment ended on 2002-06-03"),
        (
            "2002-08-27",
            ANN_HOME,
            "Reminder: 7 days left to exercise award G-1 (deadline 2002-09-03)",
        ),
        (
            "2002-09-04",
            ANN_HOME,
            "Shares expired: 1,000 shares of award G-1 not exercised by 2002-09-03",
        ),
    ]
    # The termination notice states the deadline the 30-day reminder would have.
    assert "Last day to exercise: Tuesday, 2002-09-03" in plain(emails_besides(stack, "grant")[0])


# --- 5. a death after every award closed ----------------------------------------------


def test_a_death_reported_after_every_award_closed_is_recorded_changes_nothing_and_sends_nothing(
    people: Any,
) -> None:
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-2,E2,incentive-1998,nso,2002-03-15,400,20.00,2012-03-15,\n",
        MAR15,
    )
    # Bob leaves 2002-03-20 (deadline 2002-06-20); his 400 vested shares expire with the
    # run of 2002-06-21. He dies on 2002-07-01, after every award of his closed.
    feed(
        stack, "terminations", TERMINATIONS_HEADER + "E2,2002-03-20,voluntary\n", date(2002, 3, 20)
    )
    run_daily(stack, date(2002, 6, 21))
    assert award(report(stack, date(2002, 6, 21)), "G-2")["status"] == "expired"
    assert kinds(stack) == ["grant", "termination", "expiry"]
    awards_before = [i for i in table_items(stack) if i["SK"]["S"].startswith("AWARD#")]
    pools_before = report(stack, date(2002, 6, 21))["pools"]

    jul2 = date(2002, 7, 2)
    outcome = feed(stack, "terminations", TERMINATIONS_HEADER + "E2,2002-07-01,death\n", jul2)
    run_daily(stack, jul2)

    assert (outcome["accepted"], outcome["rejected"]) == (1, 0)
    assert profile(stack, "E2")["death"] == {"date": "2002-07-01", "reason": "death"}
    assert [i for i in table_items(stack) if i["SK"]["S"].startswith("AWARD#")] == awards_before
    assert report(stack, jul2)["pools"] == pools_before
    assert kinds(stack) == ["grant", "termination", "expiry"]  # nothing for the death


# --- 6. the termination notice names the awards open on the termination date ----------


def test_the_termination_notice_names_only_the_awards_open_on_the_termination_date(
    people: Any,
) -> None:
    stack = people
    body = GRANTS_HEADER + (
        # open: vested, exercisable until 2012
        "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,\n"
        # closed 2002-04-01: exercised in full
        "G-2,E1,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,\n"
        # closed: final exercise date 2002-05-01, expired by the run of 2002-05-02
        "G-3,E1,incentive-1998,nso,2002-03-15,100,20.00,2002-05-01,\n"
        # closed: final exercise date 2002-09-30, the day before the termination
        # (no daily run has expired it yet)
        "G-5,E1,incentive-1998,nso,2002-03-15,100,20.00,2002-09-30,\n"
        # open: restricted stock, nothing vested yet (the termination forfeits it)
        "G-4,E1,incentive-1998,restricted_stock,2002-03-15,300,,,2003-03-15:300\n"
    )
    feed(stack, "grants", body, MAR15)
    feed(stack, "exercises", EXERCISES_HEADER + "G-2,2002-04-01,100,0,\n", date(2002, 4, 1))
    run_daily(stack, date(2002, 5, 2))
    oct2 = date(2002, 10, 2)

    feed(stack, "terminations", TERMINATIONS_HEADER + "E1,2002-10-01,voluntary\n", oct2)

    (notice,) = [m for m in emails(stack) if notice_kind(m) == "termination"]
    text = plain(notice)
    assert to(notice) == ANN_HOME
    assert "Award G-1:" in text and "Award G-4:" in text
    assert "G-2" not in text and "G-3" not in text and "G-5" not in text
    assert "Unvested shares forfeited: 300 on 2002-10-01" in text  # G-4


def test_a_termination_of_someone_holding_no_open_award_sends_no_notice(people: Any) -> None:
    stack = people
    # Max (M1) exercised all of G-6; Fay (D3) holds nothing.
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-6,M1,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,\n",
        MAR15,
    )
    feed(stack, "exercises", EXERCISES_HEADER + "G-6,2002-04-01,100,0,\n", date(2002, 4, 1))
    before = kinds(stack)
    assert before == ["grant", "exercise"]
    oct2 = date(2002, 10, 2)

    outcome = feed(
        stack,
        "terminations",
        TERMINATIONS_HEADER + "M1,2002-10-01,voluntary\nD3,2002-10-01,death\n",
        oct2,
    )

    assert (outcome["accepted"], outcome["rejected"]) == (2, 0)
    assert profile(stack, "M1")["termination"] == {"date": "2002-10-01", "reason": "voluntary"}
    assert profile(stack, "D3")["death"] == {"date": "2002-10-01", "reason": "death"}
    assert kinds(stack) == before


# --- 7. an award loaded closed ----------------------------------------------------------


def test_an_award_loaded_after_its_final_exercise_date_is_recorded_expired_with_no_notice(
    people: Any,
) -> None:
    stack = people
    body = GRANTS_HEADER + (
        # 1998-06-01 .. 2001-06-01: over before it is loaded
        "G-OLD,E1,incentive-1998,nso,1998-06-01,1000,10.00,2001-06-01,\n"
        # final exercise date today: still open on the day (the deadline is inclusive)
        "G-EDGE,E1,incentive-1998,nso,1998-06-01,100,10.00,2002-03-15,\n"
    )
    assert feed(stack, "grants", body, MAR15)["accepted"] == 2

    rep = report(stack, MAR15)
    old = award(rep, "G-OLD")
    assert (old["shares_expired"], old["shares_outstanding"], old["status"]) == (
        1000,
        0,
        "expired",
    )
    assert award(rep, "G-EDGE")["exercisable_shares"] == 100
    # Only G-EDGE holds shares of the pool; only G-EDGE is told.
    assert rep["pools"]["incentive-1998"]["outstanding"] == 100
    (granted,) = emails(stack)
    assert (notice_kind(granted), to(granted)) == ("grant", ANN_WORK)
    assert "G-EDGE" in plain(granted) and "G-OLD" not in plain(granted)

    run_daily(stack, date(2002, 3, 16))
    run_daily(stack, date(2002, 3, 17))
    # G-EDGE expires the day after its deadline and says so; G-OLD never sends anything.
    assert [subject(m) for m in emails_besides(stack, "grant")] == [
        "Shares expired: 100 shares of award G-EDGE not exercised by 2002-03-15"
    ]
    assert_pools_match_awards(stack)


def test_an_award_loaded_after_its_holders_window_closed_is_recorded_expired_with_no_notice(
    people: Any,
) -> None:
    stack = people
    # Bob left 2002-03-20 holding nothing (no notice); his window for what he held would
    # have ended 2002-06-20 (1998 §6.a.(5)(B)). His 2001 option is loaded on 2002-07-01.
    feed(
        stack, "terminations", TERMINATIONS_HEADER + "E2,2002-03-20,voluntary\n", date(2002, 3, 20)
    )
    jul1 = date(2002, 7, 1)
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-H,E2,incentive-1998,nso,2001-01-02,400,10.00,2011-01-02,\n",
        jul1,
    )
    run_daily(stack, jul1)
    run_daily(stack, date(2002, 7, 2))

    g_h = award(report(stack, jul1), "G-H")
    assert (g_h["exercise_deadline"], g_h["shares_expired"], g_h["status"]) == (
        "2002-06-20",
        400,
        "expired",
    )
    assert emails(stack) == []


# --- 8. grant notices and exercise confirmations (docs/plan-rules.md "Notices") -------------------


def test_a_fed_grant_is_told_to_its_participant_on_the_day_it_is_applied_once(
    people: Any,
) -> None:
    stack = people
    key = "incoming/grants/2002-03-15.csv"
    body = GRANTS_HEADER + (
        "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,2003-03-15:500;2004-03-15:500\n"
    )
    put_object(stack, key, body.encode())
    event = s3_event(stack, "grants", key, MAR15)
    assert stack.invoke(FEED_FUNCTION, event)["files"][0]["accepted"] == 1

    (notice,) = emails(stack)
    assert (notice_kind(notice), to(notice)) == ("grant", ANN_WORK)
    assert notice["Date"].datetime.date() == MAR15
    assert subject(notice) == "Your stock option grant of 2002-03-15"
    text = plain(notice)
    for line in (
        "Award: G-1 (non-qualified stock option)",
        "Plan: CTC Communications 1998 Incentive Plan",
        "Grant date: 2002-03-15 (March 15, 2002)",
        "Shares: 1,000",
        "Exercise price: $20.00 per share",
        "Final exercise date: Thursday, 2012-03-15",
        "  - 2003-03-15 (March 15, 2003): 500 shares become exercisable",
        "  - 2004-03-15 (March 15, 2004): 500 shares become exercisable",
        "Rule: 1998 §6.a.(1)",
    ):
        assert line in text, line
    assert "$20.00" in html(notice) and "2012-03-15" in html(notice)

    # The same event again, and the same row in another file beside a new one: G-1 is
    # told once; G-2 is told when it is applied.
    assert stack.invoke(FEED_FUNCTION, event)["files"][0]["status"] == "duplicate"
    again = feed(
        stack,
        "grants",
        body + "G-2,E2,incentive-1998,nso,2002-03-15,400,20.00,2012-03-15,\n",
        date(2002, 3, 18),
    )
    # G-1 is unchanged (docs/interfaces.md §1a), G-2 applied.
    assert (again["accepted"], again["unchanged"], again["rejected"]) == (1, 1, 0)
    assert sorted((to(m), m["Date"].datetime.date()) for m in emails(stack)) == [
        (ANN_WORK, MAR15),
        ("bob.roe@ctc.example.com", date(2002, 3, 18)),
    ]


def test_a_grant_loaded_after_its_holder_left_is_told_at_the_personal_address_with_its_deadline(
    people: Any,
) -> None:
    stack = people
    oct15 = date(2002, 10, 15)
    # Ann left 2002-10-01 (holding nothing then); a 2002-01-02 option of hers, vested at
    # grant, is loaded on 2002-10-15: window to 2003-01-01 (1998 §6.a.(5)(B)).
    feed(stack, "terminations", TERMINATIONS_HEADER + "E1,2002-10-01,voluntary\n", oct15)
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-9,E1,incentive-1998,nso,2002-01-02,200,20.00,2012-01-02,\n",
        oct15,
    )

    (notice,) = emails(stack)
    assert (notice_kind(notice), to(notice)) == ("grant", ANN_HOME)
    text = plain(notice)
    assert "Service ended: 2002-10-01" in text
    assert "Last day to exercise: Wednesday, 2003-01-01" in text
    assert "Final exercise date: Monday, 2012-01-02" in text


def test_each_accepted_exercise_is_confirmed_once_equal_ones_told_apart_by_exercise_id(
    people: Any,
) -> None:
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,\n",
        MAR15,
    )
    jun3 = date(2002, 6, 3)
    key = "incoming/exercises/2002-06-03.csv"
    # Two equal exercises the company tells apart by exercise_id (docs/interfaces.md §1a);
    # a third row is rejected (more than vested) and confirmed to nobody.
    body = EXERCISES_HEADER + (
        "G-1,2002-06-03,300,20,X-1\nG-1,2002-06-03,300,20,X-2\nG-1,2002-06-03,500,0,X-3\n"
    )
    put_object(stack, key, body.encode())
    event = s3_event(stack, "exercises", key, jun3)
    outcome = stack.invoke(FEED_FUNCTION, event)["files"][0]
    assert (outcome["accepted"], outcome["rejected"]) == (2, 1)

    confirmations = [m for m in emails(stack) if notice_kind(m) == "exercise"]
    assert [subject(m) for m in confirmations] == [
        "Exercise confirmed: 300 shares on 2002-06-03"
    ] * 2
    assert len({m["Message-ID"] for m in confirmations}) == 2
    assert {to(m) for m in confirmations} == {ANN_WORK}
    texts = [plain(m) for m in confirmations]
    # 1,000 vested: 700 left after the first, 400 after the second; 280 delivered each.
    assert ["Shares still exercisable: 700 on 2002-06-03" in t for t in texts] == [True, False]
    assert ["Shares still exercisable: 400 on 2002-06-03" in t for t in texts] == [False, True]
    for t in texts:
        assert "Shares withheld for the price or taxes: 20" in t
        assert "Shares delivered: 280" in t
        assert "Exercise price: $20.00 per share" in t
        assert "Last day to exercise: Thursday, 2012-03-15" in t
        assert "Rule: 1998 §6.b.(1)" in t

    # Delivered again: nothing applied, nothing sent twice.
    sent = len(emails(stack))
    assert stack.invoke(FEED_FUNCTION, event)["files"][0]["status"] == "duplicate"
    assert len(emails(stack)) == sent
    assert award(report(stack, jun3), "G-1")["shares_exercised"] == 600
