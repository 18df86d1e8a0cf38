"""Corrections and decisions that name nothing recorded are rejected with their reason
(docs/interfaces.md §1b and §1c) with what HR should check, never an internal
document, and change nothing; on the in-memory stack."""

from __future__ import annotations

from datetime import date

from memory_world import World

from stockplan.service.report import build_report

CORRECTIONS = (
    "request_id,action,participant_id,award_id,exercise_id,exercise_date,termination_date,"
    "reason,grant_date,shares,exercise_price,final_exercise_date,vesting,participant_consent,"
    "note\n"
)
DECISIONS = "request_id,action,award_id,decision_date,new_deadline,shares,effective_date,note\n"
APR1 = date(2002, 4, 1)


def _reasons(world: World) -> dict[str, str]:
    rows = [i for i in world.of_type("feed_row") if i.get("status") == "rejected"]
    return {str(i["record"]["request_id"]): str(i["reason"]) for i in rows}


def test_corrections_naming_nothing_recorded_are_rejected_saying_what_to_check(
    granted: World,
) -> None:
    before = build_report(granted.table, APR1)
    outcome = granted.feed(
        "corrections",
        CORRECTIONS
        + "C-1,reverse_termination,E1,,,,,,,,,,,,never left\n"
        + "C-2,correct_termination,E1,,,,2002-03-20,voluntary,,,,,,,wrong date\n"
        + "C-3,void_exercise,,G-1,,2002-03-20,,,,10,,,,,no such exercise\n"
        + "C-4,correct_grant,,G-9,,,,,,200,,,,,no such award\n",
        APR1,
    )

    assert (outcome.accepted, outcome.rejected) == (0, 4)
    reasons = _reasons(granted)
    assert sorted(reasons) == ["C-1", "C-2", "C-3", "C-4"]
    assert "no termination is recorded for E1" in reasons["C-2"]
    # Each says what to check; none cites an internal document.
    assert all("check the" in reason for reason in reasons.values()), reasons
    assert not [r for r in reasons.values() if ".md" in r]
    assert build_report(granted.table, APR1)["awards"] == before["awards"]


def test_decisions_naming_no_recorded_award_are_rejected_saying_what_to_check(
    granted: World,
) -> None:
    outcome = granted.feed(
        "decisions",
        DECISIONS
        + "D-1,extend_exercise_period,G-9,2002-04-01,2003-01-01,,,more time\n"
        + "D-2,accelerate_vesting,G-9,2002-04-01,,,,vest now\n",
        APR1,
    )

    assert (outcome.accepted, outcome.rejected) == (0, 2)
    reasons = _reasons(granted)
    assert (
        reasons["D-1"]
        == reasons["D-2"]
        == (
            "no award G-9 is recorded: check the award_id (an award loaded through grants,"
            " or a formula option FO-<grant date>-<participant_id>)"
        )
    )
