"""A `correct_grant` is held to every rule a fed grant row is held to, against everything
the history holds, with the same reasons (docs/plan-rules.md "Corrections": "every grant
rule is checked again on them"), through the FeedFunction on moto.

Each case feeds the corrected terms once as a correction of a recorded award and once
as a grants row of a new award, and expects the same reason from both.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    PEOPLE_CSV,
    assert_pools_match_awards,
    award,
    errors_csv,
    feed,
    report,
    run_daily,
)

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
NOV1 = date(2002, 11, 1)
GRANT_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
# G-3: Bob's (E2) option, vested at grant, final exercise date 2003-01-15.
GRANTS = GRANT_HEADER + "G-3,E2,incentive-1998,nso,2002-03-15,600,20.00,2003-01-15,\n"
CORRECTIONS = (
    "request_id,action,participant_id,award_id,exercise_id,exercise_date,termination_date,"
    "reason,grant_date,shares,exercise_price,final_exercise_date,vesting,participant_consent,"
    "note\n"
)
BOB_QUITS = "participant_id,termination_date,reason\nE2,2002-10-01,voluntary\n"


def correction(request_id: str, **cells: str) -> str:
    columns = CORRECTIONS.strip().split(",")
    values = {"request_id": request_id, "action": "correct_grant", "award_id": "G-3", **cells}
    return CORRECTIONS + ",".join(values.get(c, "") for c in columns) + "\n"


def reason_of(stack: Any, kind: str, body: str, day: date, name: str) -> str:
    outcome = feed(stack, kind, body, day, name=name)
    assert outcome["rejected"] == 1, outcome
    (row,) = errors_csv(stack, f"incoming/{kind}/{name}.csv")
    return row.get("rejection_reason") or row["reason"]


@pytest.fixture
def bob_left(local_stack: Any) -> Any:
    """Bob holds G-3 and left on 2002-10-01: G-3 may be exercised until 2003-01-01."""
    feed(local_stack, "participants", PEOPLE_CSV, MAR15)
    feed(local_stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    feed(local_stack, "grants", GRANTS, MAR15)
    feed(local_stack, "terminations", BOB_QUITS, OCT2)
    return local_stack


def test_correct_grant_cannot_move_the_grant_date_after_the_holders_service_ended(
    bob_left: Any,
) -> None:
    """1998 §6.a.(5): nothing is granted to a person whose service has ended; a
    corrected grant date after the recorded termination is refused as a fed grant
    dated so is, and the award, its deadline and the pool stay as they were."""
    stack = bob_left
    run_daily(stack, date(2003, 2, 1))  # G-3 expired on 2003-01-01, unexercised
    before = report(stack, date(2003, 2, 1))
    assert award(before, "G-3")["status"] == "expired"

    fed = reason_of(
        stack,
        "grants",
        GRANT_HEADER + "G-9,E2,incentive-1998,nso,2002-11-01,600,20.00,2009-11-01,\n",
        date(2003, 2, 1),
        "late-grant",
    )
    corrected = reason_of(
        stack,
        "corrections",
        correction(
            "R-1",
            grant_date="2002-11-01",
            final_exercise_date="2009-11-01",
            participant_consent="true",
        ),
        date(2003, 2, 1),
        "late-correction",
    )

    assert fed == "E2's service ended on 2002-10-01, before the grant date 2002-11-01"
    assert corrected == fed
    after = report(stack, date(2003, 2, 1))
    assert after["awards"] == before["awards"] and after["pools"] == before["pools"]
    assert_pools_match_awards(stack)


@pytest.mark.parametrize(
    ("grant_cells", "correction_cells"),
    [
        pytest.param(
            "2002-03-15,600,20.00,2003-01-15,2002-06-15:300;2002-09-15:200",
            {"vesting": "2002-06-15:300;2002-09-15:200", "participant_consent": "true"},
            id="tranches-not-adding-up-1998-6a5",
        ),
        pytest.param(
            "2002-03-15,600,20.00,2002-03-01,",
            {"final_exercise_date": "2002-03-01", "participant_consent": "true"},
            id="final-date-before-grant-1998-6b",
        ),
        pytest.param(
            "2002-03-15,600,20.00,2003-01-15,2002-03-01:600",
            {"vesting": "2002-03-01:600"},
            id="tranche-before-grant-1998-6a5",
        ),
        pytest.param(
            "2002-03-15,1000001,20.00,2003-01-15,",
            {"shares": "1000001"},
            id="yearly-limit-1998-4c",
        ),
    ],
)
def test_correct_grant_gives_the_reason_a_fed_grant_row_gives(
    local_stack: Any, grant_cells: str, correction_cells: dict[str, str]
) -> None:
    """The grants feed and correct_grant share one set of grant rules and word their
    refusals alike (1998 §4.c, §6.a.(5), §6.b)."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "grants", GRANTS, MAR15)
    # E1 holds no option granted in 2002: the yearly limit counts only the new shares.
    fed = reason_of(
        stack,
        "grants",
        GRANT_HEADER + f"G-9,E1,incentive-1998,nso,{grant_cells}\n",
        NOV1,
        "fed",
    )
    # Bob's G-3 is his only 2002 option: its own shares do not count twice.
    corrected = reason_of(stack, "corrections", correction("R-2", **correction_cells), NOV1, "fix")
    assert corrected == fed.replace("E1", "E2")


def test_correct_grant_cannot_leave_a_recorded_exercise_outside_the_corrected_terms(
    local_stack: Any,
) -> None:
    """A correction that would leave a recorded exercise outside what the corrected
    award allows is refused: void the exercise first (1998 §3, §9; Directors §8(f)).
    Here the exercise of 2002-04-10 would come before the corrected grant date."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "grants", GRANTS, MAR15)
    feed(
        stack, "exercises", "award_id,exercise_date,shares\nG-3,2002-04-10,100\n", date(2002, 4, 10)
    )
    before = report(stack, NOV1)
    reason = reason_of(
        stack,
        "corrections",
        correction("R-3", grant_date="2002-05-01", participant_consent="true"),
        NOV1,
        "fix",
    )
    assert "the exercise of 100 shares on 2002-04-10" in reason
    assert "before the grant date 2002-05-01" in reason
    assert "void the exercise first" in reason and "1998 §3, §9; Directors §8(f)" in reason
    assert report(stack, NOV1)["awards"] == before["awards"]
