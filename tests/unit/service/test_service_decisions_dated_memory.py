"""Decisions applied as of their date, on the in-memory stack (docs/plan-rules.md
"Administrator decisions"; 1998 §6.a.(5), §4.a)."""

from __future__ import annotations

from datetime import date

from memory_world import World

from stockplan.service.report import build_report

PEOPLE = (
    "participant_id,name,email,role\n"
    "E1,Ann Lee,ann.lee@ctc.example.com,employee\n"
    "E2,Bob Roe,bob.roe@ctc.example.com,employee\n"
)
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,final_exercise_date\n"
)
MAR15 = date(2002, 3, 15)
FEB10 = date(2003, 2, 10)
EXTEND = (
    "request_id,action,award_id,decision_date,new_deadline,shares,effective_date,note\n"
    "D-1,extend_exercise_period,G-3,2002-12-20,2003-03-01,,,board minute 12\n"
)


def _rejections(world: World) -> dict[str, str]:
    rows = [i for i in world.of_type("feed_row") if i.get("status") == "rejected"]
    return {str(i["record"]["request_id"]): str(i["reason"]) for i in rows}


def test_a_late_extension_is_refused_when_the_expired_shares_left_the_pool_1998_4a(
    world: World,
) -> None:
    """The shares an extension dated in time gives back must still be in the pool: here
    the pool was granted away after they expired, so the decision is refused with why."""
    world.feed("participants", PEOPLE, MAR15)
    world.feed(
        "grants", GRANTS + "G-3,E2,incentive-1998,nso,2002-03-15,600,20.00,2012-03-15\n", MAR15
    )
    world.feed(
        "terminations", "participant_id,termination_date,reason\nE2,2002-10-01,other\n", MAR15
    )
    world.daily(FEB10)  # G-3 expired on 2003-01-02: its 600 shares are back in the pool
    rest = GRANTS + (
        "G-5,E1,incentive-1998,nso,2003-02-10,1000000,20.00,2013-02-10\n"
        "G-6,E1,incentive-1998,restricted_stock,2003-02-10,1000000,,\n"
        "G-7,E1,incentive-1998,sar,2003-02-10,250000,20.00,2013-02-10\n"
    )
    assert world.feed("grants", rest, FEB10, name="rest").accepted == 3
    assert build_report(world.table, FEB10)["pools"]["incentive-1998"]["available"] == 0

    outcome = world.feed("decisions", EXTEND, FEB10)

    assert outcome.rejected == 1
    assert _rejections(world)["D-1"] == (
        "the 600 shares of G-3 that expired on 2003-01-01 are no longer in the"
        " incentive-1998 pool (1998 §6.a.(5))"
    )
    g3 = next(a for a in build_report(world.table, FEB10)["awards"] if a["award_id"] == "G-3")
    assert (g3["status"], g3["exercise_deadline"]) == ("expired", "2003-01-01")


def test_a_daily_run_catching_up_after_a_decision_applies_every_effect_due(
    world: World,
) -> None:
    """The daily job missed its runs since the termination (its 30-day reminder of
    2002-12-02 still due); a decision written on 2002-12-20 rescheduled the award from
    that day. The run that catches up applies what fell due (the window's expiry on
    2003-01-02), however far behind the award's due item stood (docs/interfaces.md §2:
    a missed schedule loses nothing)."""
    world.feed("participants", PEOPLE, MAR15)
    world.feed(
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n"
        "G-4,E2,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,"
        "2002-09-15:500;2003-03-15:500\n",
        MAR15,
    )
    world.feed(
        "terminations",
        "participant_id,termination_date,reason\nE2,2002-10-01,other\n",
        date(2002, 10, 2),
    )
    decision = (
        "request_id,action,award_id,decision_date,new_deadline,shares,effective_date,note\n"
        "D-2,accelerate_vesting,G-4,2002-12-20,,,2002-09-30,vest before leaving\n"
    )
    assert world.feed("decisions", decision, date(2002, 12, 20)).accepted == 1

    world.daily(FEB10)

    report = build_report(world.table, FEB10)
    g4 = next(a for a in report["awards"] if a["award_id"] == "G-4")
    assert (g4["status"], g4["shares_expired"], g4["exercise_deadline"]) == (
        "expired",
        1000,
        "2003-01-01",
    )
    assert report["pools"]["incentive-1998"]["outstanding"] == 0
