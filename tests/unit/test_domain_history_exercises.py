"""Which recorded exercises a history allows (docs/plan-rules.md "Corrections": a
correct_grant may not leave a recorded exercise outside the corrected terms; 1998 §6.b)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stockplan.domain.history import (
    exercise_event,
    grant_event,
    refused_exercises,
    replay,
    with_grant_terms,
)
from stockplan.domain.model import Award, AwardType, PlanCode, Tranche

GRANTED = Award(
    award_id="G-1",
    participant_id="E1",
    plan=PlanCode.INCENTIVE_1998,
    award_type=AwardType.NSO,
    grant_date=date(2002, 3, 15),
    shares_granted=1000,
    exercise_price=Decimal("20.00"),
    final_exercise_date=date(2012, 3, 15),
    tranches=(Tranche(date(2002, 9, 15), 500), Tranche(date(2003, 3, 15), 500)),
    exercise_deadline=date(2012, 3, 15),
)
HISTORY = [grant_event(GRANTED), exercise_event(date(2002, 10, 1), 400, 0, None)]


def test_an_exercise_the_recorded_terms_allowed_is_not_refused() -> None:
    assert refused_exercises(HISTORY) == {}
    assert replay(HISTORY).shares_exercised == 400


def test_a_later_vesting_refuses_an_exercise_of_shares_not_yet_vested_1998_6b() -> None:
    later = GRANTED.evolve(
        tranches=(Tranche(date(2002, 12, 15), 500), Tranche(date(2003, 3, 15), 500))
    )
    refused = refused_exercises(with_grant_terms(HISTORY, later))
    assert list(refused) == [1]
    assert "only 0 vested unexercised shares" in str(refused[1])
    assert "(1998 §6.b)" in str(refused[1])


def test_a_later_grant_date_refuses_an_exercise_before_it_1998_6b() -> None:
    later = GRANTED.evolve(grant_date=date(2002, 11, 1))
    (rejection,) = refused_exercises(with_grant_terms(HISTORY, later)).values()
    assert "exercise date 2002-10-01 is before the grant date 2002-11-01" in str(rejection)


def test_a_grant_correction_is_not_blamed_for_an_exercise_the_recorded_terms_refuse() -> None:
    """Only what the correction itself puts outside the terms is refused (void the
    exercise first, 1998 §3, §9): an exercise the recorded history already could not
    replay (left by an earlier correction) does not stop a correction of the price."""
    from stockplan.service.corrections import _exercises_kept

    recorded = [grant_event(GRANTED), exercise_event(date(2002, 3, 1), 100, 0, None)]
    assert list(refused_exercises(recorded)) == [1]
    cheaper = with_grant_terms(recorded, GRANTED.evolve(exercise_price=Decimal("18.00")))
    assert _exercises_kept("G-1", recorded, cheaper) is None
    later = with_grant_terms(HISTORY, GRANTED.evolve(grant_date=date(2002, 11, 1)))
    reason = _exercises_kept("G-1", HISTORY, later)
    assert reason is not None and reason.startswith("the exercise of 400 shares on 2002-10-01")
