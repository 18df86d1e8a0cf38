"""Decision notices (docs/plan-rules.md "Administrator decisions"): they cite the plan of the
award they change, the day they take effect, the vesting still ahead, and how to exercise
where shares can be bought; in HTML no date breaks inside on a phone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stockplan.domain.model import AwardType, PlanCode, Tranche
from stockplan.notices.model import AwardFigures, ChangedAward, CorrectionNotice
from stockplan.notices.render import render


def _figures(exercisable: int, deadline: date, ahead: tuple[Tranche, ...]) -> AwardFigures:
    return AwardFigures(
        1000, 0, 0, 0, 1000, exercisable, Decimal("12.50"), deadline, vesting_ahead=ahead
    )


def _notice(action: str, plan: PlanCode, before: AwardFigures, after: AwardFigures) -> str:
    award_type = (
        AwardType.DISCRETIONARY_OPTION if plan is PlanCode.DIRECTORS_1999 else AwardType.NSO
    )
    notice = CorrectionNotice(
        participant_id="D1",
        participant_name="Dana Fox",
        request_id="DEC-1",
        action=action,
        awards=(ChangedAward("D-7", award_type, before, after, plan),),
        effective_on=date(2002, 12, 31),
    )
    return " ".join(render(notice).text.split())


def test_accelerate_vesting_of_a_directors_option_cites_directors_6ei_only_and_its_day() -> None:
    """Directors §6(e)(i): a discretionary option vests early; the notice names that
    section (not the 1998 plan's), the day it takes effect and what is still to vest."""
    ahead = (Tranche(date(2003, 6, 30), 250), Tranche(date(2004, 6, 30), 250))
    text = _notice(
        "accelerate_vesting",
        PlanCode.DIRECTORS_1999,
        _figures(500, date(2010, 2, 1), ahead),
        _figures(750, date(2010, 2, 1), ahead[1:]),
    )
    assert "(Directors §6(e)(i))" in text and "1998 §6.a.(5)" not in text
    assert "This decision takes effect on 2002-12-31." in text
    assert "Still to vest: 2003-06-30: 250; 2004-06-30: 250 -> 2004-06-30: 250" in text
    assert "Exercisable now: 500 -> 750" in text


def test_an_extension_cites_1998_6a5_only_and_says_how_to_exercise() -> None:
    """1998 §6.a.(5): more time to exercise; the notice tells how (1998 §6.b.(1))."""
    text = _notice(
        "extend_exercise_period",
        PlanCode.INCENTIVE_1998,
        _figures(1000, date(2003, 1, 31), ()),
        _figures(1000, date(2003, 5, 31), ()),
    )
    assert "(1998 §6.a.(5))" in text and "Directors" not in text.split("How to exercise")[0]
    assert "How to exercise:" in text and "1998 §6.b.(1)" in text
    assert "Last day to exercise: Friday, 2003-01-31 -> Saturday, 2003-05-31" in text
    assert "Still to vest" not in text  # nothing ahead on either side


def test_dates_in_a_decision_notices_figures_do_not_break_on_a_phone() -> None:
    notice = CorrectionNotice(
        participant_id="E1",
        participant_name="Ann Lee",
        request_id="DEC-2",
        action="extend_exercise_period",
        awards=(
            ChangedAward(
                "G-1",
                AwardType.NSO,
                _figures(1000, date(2003, 1, 31), ()),
                _figures(1000, date(2003, 5, 31), ()),
                PlanCode.INCENTIVE_1998,
            ),
        ),
    )
    html = render(notice).html
    for day in ("Friday, 2003-01-31", "Saturday, 2003-05-31"):
        assert f'<span style="white-space:nowrap;">{day}</span>' in html
