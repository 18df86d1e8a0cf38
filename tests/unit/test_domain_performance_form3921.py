"""Pure rules of performance awards (1998 §6.a.(9)) and of the Form 3921 lines
(Code §6039) that the service tests do not reach."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stockplan.domain.form3921 import Form3921Line, iso_exercise_lines
from stockplan.domain.history import exercise_event, grant_event
from stockplan.domain.model import Award, AwardType, PlanCode, Tranche
from stockplan.domain.performance import (
    certification_rejection,
    certify_award,
    shares_awaiting_certification,
)

PERFORMANCE = Award(
    award_id="P-1",
    participant_id="E1",
    plan=PlanCode.INCENTIVE_1998,
    award_type=AwardType.PERFORMANCE,
    grant_date=date(2002, 3, 15),
    shares_granted=100,
    tranches=(Tranche(date(2003, 3, 15), 100),),
    performance_criteria="Revenue target",
)


def test_1998_6a9_a_closed_performance_award_has_nothing_to_certify() -> None:
    on = date(2003, 4, 1)
    closed = certify_award(PERFORMANCE, on, 0)
    assert (closed.shares_forfeited, closed.is_outstanding) == (100, False)
    assert shares_awaiting_certification(closed, on) == 0
    rejection = certification_rejection(closed, on, 0)
    assert rejection is not None and "has closed" in str(rejection)
    negative = certification_rejection(PERFORMANCE, on, -1)
    assert negative is not None and "1998 §6.a.(9)" in str(negative)


def test_code_6039_only_iso_awards_give_form_3921_lines() -> None:
    nso = PERFORMANCE.evolve(award_type=AwardType.NSO, tranches=(), exercise_price=Decimal(10))
    history = [grant_event(nso), exercise_event(date(2002, 6, 3), 10, 0, None, iso_shares=10)]
    assert iso_exercise_lines("E1", history, 2002, []) == []
    assert iso_exercise_lines("E1", [], 2002, []) == []
    iso = nso.evolve(award_type=AwardType.ISO, fmv_on_grant=Decimal(10))
    lines = iso_exercise_lines("E1", [grant_event(iso), history[1]], 2002, [])
    assert [(line.iso_shares, line.waiting) for line in lines] == [(10, True)]
    assert isinstance(lines[0], Form3921Line)
    assert iso_exercise_lines("E1", [grant_event(iso), history[1]], 2003, []) == []
