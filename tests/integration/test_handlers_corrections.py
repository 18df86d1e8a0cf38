"""Corrections and administrator decisions through the FeedFunction (docs/interfaces.md §1b,
§1c; docs/plan-rules.md "Corrections", "Administrator decisions"). The central check of each
correction: the state equals that of a stack that got the right row in the first place.
"""

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
    plain,
    report,
    run_daily,
    subject,
    to,
)
from reliability_support import fresh_stack

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
# An exercise is fed on or after its date (docs/plan-rules.md "Facts in time").
OCT5 = date(2002, 10, 5)
NOV1 = date(2002, 11, 1)
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,2002-09-15:500;2003-03-15:500\n"
    "G-2,E1,incentive-1998,iso,2002-03-15,400,20.00,2012-03-15,\n"
    "G-3,E2,incentive-1998,nso,2002-03-15,600,20.00,2003-01-15,\n"
)
CORRECTIONS = (
    "request_id,action,participant_id,award_id,exercise_id,exercise_date,termination_date,"
    "reason,grant_date,shares,exercise_price,final_exercise_date,vesting,participant_consent,"
    "note\n"
)
DECISIONS = "request_id,action,award_id,decision_date,new_deadline,shares,effective_date,note\n"


def base(stack: Any) -> None:
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    feed(stack, "grants", GRANTS, MAR15)


def books(stack: Any, day: date) -> dict[str, Any]:
    """The awards and pools, as report.json has them."""
    state = report(stack, day)
    assert_pools_match_awards(stack)
    return {"awards": state["awards"], "pools": state["pools"]}


def history_books(steps: list[tuple[str, str, date]], day: date) -> dict[str, Any]:
    """The books after `base` and the given feeds (with the daily run of each day)."""
    with fresh_stack() as stack:
        base(stack)
        for kind, body, on in steps:
            feed(stack, kind, body, on, name=f"{kind}-{on.isoformat()}-{len(body)}")
            run_daily(stack, on)
        run_daily(stack, day)
        return books(stack, day)


def correction(request_id: str, action: str, **cells: str) -> str:
    columns = CORRECTIONS.strip().split(",")
    return (
        CORRECTIONS
        + ",".join(
            {"request_id": request_id, "action": action, **cells}.get(c, "") for c in columns
        )
        + "\n"
    )


def decision(request_id: str, action: str, **cells: str) -> str:
    columns = DECISIONS.strip().split(",")
    return (
        DECISIONS
        + ",".join(
            {"request_id": request_id, "action": action, **cells}.get(c, "") for c in columns
        )
        + "\n"
    )


E1_QUITS = "participant_id,termination_date,reason\nE1,2002-10-01,voluntary\n"
E1_QUITS_LATER = "participant_id,termination_date,reason\nE1,2002-10-20,involuntary\n"
EXERCISE = "award_id,exercise_date,shares,shares_withheld\nG-2,2002-10-05,100,10\n"


def test_reverse_termination_leaves_the_books_as_if_it_had_never_been_fed() -> None:
    right = history_books([], date(2003, 6, 1))
    fixed = history_books(
        [
            ("terminations", E1_QUITS, OCT2),
            ("corrections", correction("R-1", "reverse_termination", participant_id="E1"), NOV1),
        ],
        date(2003, 6, 1),
    )
    assert fixed == right


def test_correct_termination_equals_the_right_termination_fed_first() -> None:
    right = history_books([("terminations", E1_QUITS_LATER, OCT2)], date(2003, 6, 1))
    fixed = history_books(
        [
            ("terminations", E1_QUITS, OCT2),
            (
                "corrections",
                correction(
                    "R-2",
                    "correct_termination",
                    participant_id="E1",
                    termination_date="2002-10-20",
                    reason="involuntary",
                ),
                NOV1,
            ),
        ],
        date(2003, 6, 1),
    )
    assert fixed == right


def test_void_exercise_equals_the_exercise_never_fed() -> None:
    right = history_books([], date(2003, 6, 1))
    fixed = history_books(
        [
            ("exercises", EXERCISE, OCT5),
            (
                "corrections",
                correction(
                    "R-3", "void_exercise", award_id="G-2", exercise_date="2002-10-05", shares="100"
                ),
                NOV1,
            ),
        ],
        date(2003, 6, 1),
    )
    assert fixed == right


def test_correct_grant_equals_the_grant_fed_with_the_right_terms() -> None:
    with fresh_stack() as stack:
        feed(stack, "participants", PEOPLE_CSV, MAR15)
        feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
        right_terms = GRANTS.replace(
            ",1000,20.00,2012-03-15,2002-09-15:500;2003-03-15:500",
            ",1200,18.00,2012-03-15,2002-09-15:600;2003-03-15:600",
        )
        feed(stack, "grants", right_terms, MAR15)
        run_daily(stack, date(2003, 6, 1))
        right = books(stack, date(2003, 6, 1))
    fixed = history_books(
        [
            (
                "corrections",
                correction(
                    "R-4",
                    "correct_grant",
                    award_id="G-1",
                    shares="1200",
                    exercise_price="18.00",
                    vesting="2002-09-15:600;2003-03-15:600",
                ),
                NOV1,
            )
        ],
        date(2003, 6, 1),
    )
    assert fixed == right


@pytest.fixture
def based(local_stack: Any) -> Any:
    base(local_stack)
    return local_stack


def rejected(stack: Any, kind: str, body: str, day: date = NOV1) -> str:
    outcome = feed(stack, kind, body, day, name="req")
    assert outcome["rejected"] == 1, outcome
    (row,) = errors_csv(stack, f"incoming/{kind}/req.csv")
    # A corrections file has a reason column of its own: the errors CSV adds
    # rejection_reason beside it.
    return row.get("rejection_reason") or row["reason"]


def test_a_correction_that_names_nothing_recorded_is_rejected(based: Any) -> None:
    reason = rejected(
        based, "corrections", correction("R-9", "reverse_termination", participant_id="E1")
    )
    assert "no termination is recorded for E1" in reason and "check the participant_id" in reason
    reason = rejected(
        based,
        "corrections",
        correction("R-10", "void_exercise", award_id="G-2", exercise_date="2002-10-05", shares="5"),
    )
    assert "nothing to void" in reason


def test_an_adverse_grant_correction_needs_the_participants_consent(based: Any) -> None:
    reason = rejected(
        based,
        "corrections",
        correction(
            "R-11",
            "correct_grant",
            award_id="G-1",
            shares="900",
            vesting="2002-09-15:450;2003-03-15:450",
        ),
    )
    assert "adverse" in reason and "participant_consent" in reason
    assert "1998 §3, §9; Directors §8(f)" in reason
    ok = feed(
        based,
        "corrections",
        correction(
            "R-12",
            "correct_grant",
            award_id="G-1",
            shares="900",
            vesting="2002-09-15:450;2003-03-15:450",
            participant_consent="true",
        ),
        NOV1,
    )
    assert ok["accepted"] == 1
    assert award(report(based, NOV1), "G-1")["shares_granted"] == 900


def test_a_grant_correction_below_recorded_exercises_is_rejected(based: Any) -> None:
    feed(based, "exercises", EXERCISE.replace("100,10", "400,0"), OCT5)
    reason = rejected(
        based,
        "corrections",
        correction(
            "R-13", "correct_grant", award_id="G-2", shares="300", participant_consent="true"
        ),
    )
    assert "void the exercise first" in reason and "1998 §3, §9" in reason


def test_the_request_id_is_the_key_of_a_correction(based: Any) -> None:
    feed(based, "terminations", E1_QUITS, OCT2)
    row = correction("R-1", "reverse_termination", participant_id="E1")
    assert feed(based, "corrections", row, NOV1)["accepted"] == 1
    again = feed(based, "corrections", row, NOV1, name="again")
    assert (again["accepted"], again["unchanged"]) == (0, 1)
    other = rejected(
        based, "corrections", row.replace("reverse_termination,E1", "reverse_termination,E2")
    )
    assert "request_id" in other


def test_the_participant_is_told_of_a_reversed_termination_at_both_addresses(based: Any) -> None:
    feed(based, "terminations", E1_QUITS, OCT2)
    before = len(emails(based))
    feed(based, "corrections", correction("R-1", "reverse_termination", participant_id="E1"), NOV1)
    told = [m for m in emails(based)[before:] if to(m) != ADMIN]
    assert sorted(to(m) for m in told) == ["ann.lee@ctc.example.com", "ann@home.example.com"]
    text = plain(told[0])
    assert subject(told[0]) == "Your stock awards: the record of your termination was withdrawn"
    assert "Award G-1: non-qualified stock option (before -> after)" in text
    assert "Shares forfeited: 500 -> 0" in text
    assert "R-1" in text


# --- decisions ------------------------------------------------------------------------


def test_extend_exercise_period_moves_the_deadline_and_tells_of_the_iso_tax(based: Any) -> None:
    feed(based, "terminations", E1_QUITS, OCT2)
    before = len(emails(based))
    ok = feed(
        based,
        "decisions",
        decision(
            "D-1",
            "extend_exercise_period",
            award_id="G-2",
            decision_date="2002-11-01",
            new_deadline="2003-10-01",
        ),
        NOV1,
    )
    assert ok["accepted"] == 1
    assert award(report(based, NOV1), "G-2")["exercise_deadline"] == "2003-10-01"
    (notice,) = [m for m in emails(based)[before:] if to(m) != ADMIN]
    assert "Code §422(a)(2)" in plain(notice)
    run_daily(based, date(2003, 6, 1))  # the old deadline (2003-01-01) expires nothing
    assert award(report(based, date(2003, 6, 1)), "G-2")["exercisable_shares"] == 400


@pytest.mark.parametrize(
    ("cells", "day", "reason"),
    [
        (
            {"decision_date": "2003-02-01", "new_deadline": "2003-10-01"},
            date(2003, 2, 1),
            "cannot revive it",
        ),
        ({"decision_date": "2002-11-01", "new_deadline": "2002-12-01"}, NOV1, "not later than"),
        (
            {"decision_date": "2002-11-01", "new_deadline": "2013-01-01"},
            NOV1,
            "final exercise date",
        ),
    ],
)
def test_extend_exercise_period_is_rejected_outside_its_rules(
    based: Any, cells: dict[str, str], day: date, reason: str
) -> None:
    feed(based, "terminations", E1_QUITS, OCT2)
    run_daily(based, day)
    found = rejected(
        based, "decisions", decision("D-2", "extend_exercise_period", award_id="G-2", **cells), day
    )
    assert reason in found and "1998 §6.a.(5)" in found


def test_extend_exercise_period_needs_an_ended_service(based: Any) -> None:
    found = rejected(
        based,
        "decisions",
        decision(
            "D-3",
            "extend_exercise_period",
            award_id="G-2",
            decision_date="2002-11-01",
            new_deadline="2003-10-01",
        ),
    )
    assert "service has not ended" in found


def test_accelerate_vesting_before_termination_keeps_the_shares(based: Any) -> None:
    feed(based, "terminations", E1_QUITS.replace("2002-10-01", "2002-08-01"), OCT2)
    assert award(report(based, OCT2), "G-1")["shares_forfeited"] == 1000
    ok = feed(
        based,
        "decisions",
        decision(
            "D-4",
            "accelerate_vesting",
            award_id="G-1",
            decision_date="2002-10-15",
            effective_date="2002-07-31",
            shares="500",
        ),
        date(2002, 10, 15),
    )
    assert ok["accepted"] == 1
    after = award(report(based, date(2002, 10, 15)), "G-1")
    # 500 vest on 2002-07-31, before service ended: exercisable in the 3-month window.
    assert (after["shares_forfeited"], after["exercisable_shares"]) == (500, 500)
    assert after["exercise_deadline"] == "2002-11-01"


def test_accelerate_vesting_cannot_move_more_than_the_unvested_shares(based: Any) -> None:
    found = rejected(
        based,
        "decisions",
        decision(
            "D-5",
            "accelerate_vesting",
            award_id="G-1",
            decision_date="2002-10-15",
            shares="2000",
        ),
    )
    assert "not vested" in found


def test_a_grant_correction_is_held_to_every_grant_rule_again(based: Any) -> None:
    # G-2 is an ISO: its price may not fall below the FMV of the grant date, 20.00.
    found = rejected(
        based,
        "corrections",
        correction("R-14", "correct_grant", award_id="G-2", exercise_price="15"),
    )
    assert "1998 §6.b.(2)" in found and "Fair Market Value" in found


def test_extend_exercise_period_of_a_non_option_award_is_rejected(based: Any) -> None:
    feed(
        based,
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,vesting\n"
        "R-1,E1,incentive-1998,restricted_stock,2002-03-15,100,2003-03-15:100\n",
        MAR15,
        name="rs",
    )
    feed(based, "terminations", E1_QUITS, OCT2)
    found = rejected(
        based,
        "decisions",
        decision(
            "D-6",
            "extend_exercise_period",
            award_id="R-1",
            decision_date="2002-11-01",
            new_deadline="2003-10-01",
        ),
    )
    assert "not an option or SAR" in found and "1998 §6.a.(5)" in found


def _director_with_options(stack: Any) -> None:
    feed(
        stack,
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n"
        "DO-1,D1,directors-1999,discretionary_option,2002-03-15,1000,20.00,2010-03-15,"
        "2003-03-15:1000\n",
        MAR15,
        name="do",
    )


def test_a_directors_option_is_extended_only_after_a_death(based: Any) -> None:
    _director_with_options(based)
    feed(
        based, "terminations", "participant_id,termination_date,reason\nD1,2002-10-01,other\n", OCT2
    )
    found = rejected(
        based,
        "decisions",
        decision(
            "D-7",
            "extend_exercise_period",
            award_id="DO-1",
            decision_date="2002-11-01",
            new_deadline="2003-10-01",
        ),
    )
    assert "only after a death" in found and "Directors §6(h)" in found and "§6(i)" in found


def test_a_formula_option_cannot_vest_early(based: Any) -> None:
    feed(based, "meetings", "meeting_date,participant_id,outcome\n2002-06-06,D1,reelected\n", MAR15)
    feed(based, "prices", "date,last_sale\n2002-06-05,25.00\n", date(2002, 6, 5), name="june")
    run_daily(based, date(2002, 6, 6))
    found = rejected(
        based,
        "decisions",
        decision(
            "D-8", "accelerate_vesting", award_id="FO-2002-06-06-D1", decision_date="2002-07-01"
        ),
    )
    assert "discretionary options" in found and "Directors §6(e)(i)" in found


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"decision_date": "2002-10-15", "effective_date": "2002-03-01"}, "must lie between"),
        ({"decision_date": "2002-10-15", "effective_date": "2002-10-16"}, "must lie between"),
        ({"decision_date": "2002-10-15", "effective_date": "2002-10-05"}, "after E1's service"),
    ],
)
def test_accelerate_vesting_is_rejected_outside_its_dates(
    based: Any, cells: dict[str, str], reason: str
) -> None:
    feed(based, "terminations", E1_QUITS, OCT2)
    found = rejected(
        based, "decisions", decision("D-9", "accelerate_vesting", award_id="G-1", **cells)
    )
    assert reason in found and "1998 §6.a.(5)" in found


def test_accelerate_vesting_of_a_closed_award_is_rejected(based: Any) -> None:
    feed(based, "terminations", E1_QUITS, OCT2)
    run_daily(based, date(2003, 2, 1))  # the window closed on 2003-01-01
    found = rejected(
        based,
        "decisions",
        decision(
            "D-10",
            "accelerate_vesting",
            award_id="G-1",
            decision_date="2003-02-01",
            effective_date="2002-09-30",
        ),
        date(2003, 2, 1),
    )
    assert "has closed" in found and "1998 §6.a.(5)" in found
