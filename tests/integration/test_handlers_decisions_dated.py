"""Administrator decisions apply as of their date when that date is within the rule,
whatever day they are fed (docs/plan-rules.md "Administrator decisions"), through the
FeedFunction and the DailyFunction on moto.

Bob (E2) left on 2002-10-01: his option G-3 (600 shares, vested at grant) may be
exercised until 2003-01-01 (1998 §6.a.(5)(B)) and expired on the run of 2003-01-02.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers_support import (
    ADMIN,
    PEOPLE_CSV,
    assert_pools_match_awards,
    award,
    emails,
    feed,
    notice_kind,
    plain,
    report,
    run_daily,
    to,
)
from reliability_support import fresh_stack

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
DEC20 = date(2002, 12, 20)
FEB10 = date(2003, 2, 10)
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G-3,E2,incentive-1998,nso,2002-03-15,600,20.00,2012-03-15,\n"
    "G-4,E2,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,"
    "2002-09-15:500;2003-03-15:500\n"
)
BOB_QUITS = "participant_id,termination_date,reason\nE2,2002-10-01,voluntary\n"
DECISIONS = "request_id,action,award_id,decision_date,new_deadline,shares,effective_date,note\n"
# Dated 2002-12-20, before the deadline of 2003-01-01: within 1998 §6.a.(5).
EXTEND = DECISIONS + "D-1,extend_exercise_period,G-3,2002-12-20,2003-03-01,,,board minute 12\n"


def bob_left(stack: Any) -> None:
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "grants", GRANTS, MAR15)
    feed(stack, "terminations", BOB_QUITS, OCT2)


def books(stack: Any, day: date) -> dict[str, Any]:
    state = report(stack, day)
    assert_pools_match_awards(stack)
    return {"awards": state["awards"], "pools": state["pools"]}


def reminders_of_g3(stack: Any) -> list[str]:
    """The deadline each reminder about G-3 names, in the order sent."""
    found = []
    for message in emails(stack):
        text = plain(message)
        if notice_kind(message) == "reminder" and "G-3" in text:
            found.append("2003-03-01" if "2003-03-01" in text else "2003-01-01")
    return found


def test_an_extension_dated_in_time_but_fed_after_the_expiry_applies_as_of_its_date() -> None:
    """1998 §6.a.(5): an extend_exercise_period dated on or before the deadline applies
    whatever day it is fed: the expiry is undone as a correction undoes it, and the books
    equal those of the same decision fed on its date. Reminders still ahead follow the new
    deadline; the 30-day one, whose day passed before the decision was fed, is not sent
    late, and the notice says so."""
    with fresh_stack() as stack:
        bob_left(stack)
        run_daily(stack, DEC20)
        feed(stack, "decisions", EXTEND, DEC20, name="in-time")
        run_daily(stack, FEB10)
        in_time = books(stack, FEB10)

    with fresh_stack() as stack:
        bob_left(stack)
        for day in (date(2002, 12, 2), date(2002, 12, 25), FEB10):
            run_daily(stack, day)  # G-3's two reminders; it expired on 2003-01-02
        assert reminders_of_g3(stack) == ["2003-01-01", "2003-01-01"]
        expired = report(stack, FEB10)
        assert award(expired, "G-3")["status"] == "expired"
        before = len(emails(stack))

        outcome = feed(stack, "decisions", EXTEND, FEB10, name="late")

        assert (outcome["accepted"], outcome["rejected"]) == (1, 0), outcome
        late = books(stack, FEB10)
        assert late == in_time
        g3 = award(late, "G-3")
        assert (g3["status"], g3["shares_expired"], g3["exercisable_shares"]) == (
            "outstanding",
            0,
            600,
        )
        assert g3["exercise_deadline"] == "2003-03-01"
        pool = late["pools"]["incentive-1998"]
        assert pool["outstanding"] == expired["pools"]["incentive-1998"]["outstanding"] + 600

        (notice,) = [m for m in emails(stack)[before:] if to(m) != ADMIN]
        text = " ".join(plain(notice).split())
        assert "Shares expired: 600 -> 0" in text
        assert "Last day to exercise: Wednesday, 2003-01-01 -> Saturday, 2003-03-01" in text
        assert "dated 2002-12-20" in text and "applies as of that day" in text
        assert "2003-01-30" in text and "not sent" in text

        for day in (date(2003, 2, 22), date(2003, 3, 2)):
            run_daily(stack, day)
        # Of the new deadline's reminders only the 7-day one, on 2003-02-22, is sent.
        assert reminders_of_g3(stack) == ["2003-01-01", "2003-01-01", "2003-03-01"]
        final = award(report(stack, date(2003, 3, 2)), "G-3")
        assert (final["status"], final["shares_expired"]) == ("expired", 600)
        assert_pools_match_awards(stack)


def test_an_acceleration_dated_in_time_but_fed_after_the_window_applies_as_of_its_date() -> None:
    """1998 §6.a.(5): an accelerate_vesting dated before the window closed, effective
    before the end of service, applies whatever day it is fed: the 500 shares forfeited
    at the termination count as vested then, and, unexercised when the window closed on
    2003-01-01, they are expired, as with the decision fed on its date."""
    decision = DECISIONS + "D-2,accelerate_vesting,G-4,2002-12-20,,,2002-09-30,board minute 13\n"
    with fresh_stack() as stack:
        bob_left(stack)
        run_daily(stack, DEC20)
        feed(stack, "decisions", decision, DEC20, name="in-time")
        run_daily(stack, FEB10)
        in_time = books(stack, FEB10)

    with fresh_stack() as stack:
        bob_left(stack)
        run_daily(stack, FEB10)
        outcome = feed(stack, "decisions", decision, FEB10, name="late")
        assert (outcome["accepted"], outcome["rejected"]) == (1, 0), outcome
        late = books(stack, FEB10)
        assert late == in_time
        g4 = award(late, "G-4")
        assert (g4["shares_forfeited"], g4["shares_expired"], g4["status"]) == (0, 1000, "expired")
