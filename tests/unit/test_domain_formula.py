"""Formula options at annual meetings (Directors §3, §4(c), §6(a), §6(c), §6(d), §6(e), §8(a))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.calendar import day_before
from stockplan.domain.fmv import fair_market_value
from stockplan.domain.formula import (
    FormulaGrants,
    RosterEntry,
    eligible_directors,
    formula_award_id,
    formula_grant_size,
    formula_grants,
    within_plan_term,
)
from stockplan.domain.model import (
    AwardType,
    MeetingOutcome,
    Participant,
    PlanCode,
    PriceBar,
    Role,
)
from stockplan.domain.pools import Split

OUT = MeetingOutcome
MEETING = date(2001, 5, 15)


def person(pid: str, role: Role = Role.DIRECTOR) -> Participant:
    return Participant(pid, pid, f"{pid.lower()}@example.com", role)


PEOPLE = {
    "D-RE": person("D-RE"),
    "D-CONT": person("D-CONT"),
    "D-NEW": person("D-NEW"),
    "D-GONE": person("D-GONE"),
    "E-DIR": person("E-DIR", Role.EMPLOYEE),
    "C-1": person("C-1", Role.CONSULTANT),
    "D-END": person("D-END"),
    "D-LATER": person("D-LATER"),
}


@pytest.mark.parametrize(
    ("entry", "granted"),
    [
        pytest.param(RosterEntry("D-RE", OUT.REELECTED), True, id="reelected"),
        pytest.param(RosterEntry("D-CONT", OUT.CONTINUING), True, id="continuing"),
        pytest.param(RosterEntry("D-NEW", OUT.ELECTED), False, id="first-election"),
        pytest.param(RosterEntry("D-GONE", OUT.NOT_CONTINUING), False, id="not-continuing"),
        pytest.param(RosterEntry("E-DIR", OUT.REELECTED), False, id="employee-director"),
        pytest.param(RosterEntry("C-1", OUT.CONTINUING), False, id="consultant"),
        pytest.param(RosterEntry("X-UNKNOWN", OUT.REELECTED), False, id="unknown-participant"),
        # Service ended on the meeting date itself: no formula option.
        pytest.param(RosterEntry("D-END", OUT.REELECTED), False, id="service-ended-on-meeting"),
        # Service ends the day after the meeting: still a director at the meeting.
        pytest.param(RosterEntry("D-LATER", OUT.CONTINUING), True, id="service-ends-after"),
    ],
)
def test_directors_6a_eligibility(entry: RosterEntry, granted: bool) -> None:
    """Only Eligible Directors (non-employee, §5) re-elected or continuing (§6(a)) whose service
    has not ended on or before the meeting (docs/plan-rules.md) get a formula option."""
    ended = {"D-END": MEETING, "D-LATER": date(2001, 5, 16)}
    chosen = eligible_directors(MEETING, [entry], PEOPLE, ended)
    assert chosen == ([entry.participant_id] if granted else [])


def test_directors_6a_eligible_roster_sorted_and_deduplicated() -> None:
    """A roster row repeated counts once; the result is in participant order."""
    roster = [
        RosterEntry("D-RE", OUT.REELECTED),
        RosterEntry("D-CONT", OUT.CONTINUING),
        RosterEntry("D-RE", OUT.REELECTED),
        RosterEntry("D-NEW", OUT.ELECTED),
    ]
    assert eligible_directors(MEETING, roster, PEOPLE, {}) == ["D-CONT", "D-RE"]


@pytest.mark.parametrize(
    ("meeting", "granted"),
    [
        pytest.param(date(1999, 7, 26), False, id="day-before-effective-date"),
        pytest.param(date(1999, 7, 27), True, id="effective-date"),
        pytest.param(date(2009, 7, 27), True, id="last-day"),
        pytest.param(date(2009, 7, 28), False, id="after-2009-07-27"),
        pytest.param(date(1998, 5, 1), False, id="1998-meeting"),
    ],
)
def test_directors_3_meetings_outside_plan_term_grant_nothing(meeting: date, granted: bool) -> None:
    """No option is granted after 2009-07-27 nor before the plan took effect (Directors §3)."""
    roster = [RosterEntry("D-RE", OUT.REELECTED)]
    assert within_plan_term(meeting) is granted
    assert eligible_directors(meeting, roster, PEOPLE, {}) == (["D-RE"] if granted else [])


@pytest.mark.parametrize(
    ("splits", "size"),
    [
        pytest.param((), 10_000, id="no-split"),
        # 10,000 x 1.5 = 15,000.
        pytest.param((Split(date(2000, 3, 1), Decimal("1.5")),), 15_000, id="ratio-1.5"),
        # 10,000 x 1.5 x 2 = 30,000, in date order whatever the input order.
        pytest.param(
            (Split(date(2000, 9, 1), Decimal(2)), Split(date(2000, 3, 1), Decimal("1.5"))),
            30_000,
            id="two-splits",
        ),
        pytest.param((Split(MEETING, Decimal(2)),), 20_000, id="split-on-meeting-day"),
        pytest.param((Split(date(2001, 5, 16), Decimal(2)),), 10_000, id="split-after-meeting"),
        # §4(c): only changes 'occurring after the effective date of the Plan' adjust.
        pytest.param((Split(date(1999, 5, 1), Decimal(2)),), 10_000, id="split-before-plan"),
        # 10,000 x 1.33 = 13,300 exactly; 10,000 x 1.00005 = 10,000.5 floored to 10,000.
        pytest.param((Split(date(2000, 3, 1), Decimal("1.00005")),), 10_000, id="floored"),
    ],
)
def test_directors_6a_4c_formula_size_split_adjusted(splits: tuple[Split, ...], size: int) -> None:
    """10,000 shares as adjusted by splits up to the meeting (Directors §6(a), §4(c))."""
    assert formula_grant_size(MEETING, splits) == size


BARS = (
    PriceBar(date(2001, 5, 11), Decimal("22.50")),
    PriceBar(date(2001, 5, 14), None, Decimal("23"), Decimal("23.125")),
    PriceBar(date(2001, 5, 15), Decimal("30.00")),  # the meeting day's own price is not used
)


def test_directors_6c_6d_6e_formula_grant_terms() -> None:
    """Price = FMV on the day before (2001-05-14: mean 23.0625, §6(c)); final date 5 years
    later (§6(d)); exercisable in full on the grant date (§6(e)(i))."""
    price = fair_market_value(BARS, day_before(MEETING))
    assert price == Decimal("23.0625")
    result = formula_grants(MEETING, ["D-CONT", "D-RE"], price, 200_000, 10_000)
    assert [a.participant_id for a in result.awards] == ["D-CONT", "D-RE"]
    for award in result.awards:
        assert award.award_id == formula_award_id(MEETING, award.participant_id)
        assert award.award_id == f"FO-2001-05-15-{award.participant_id}"
        assert award.plan is PlanCode.DIRECTORS_1999
        assert award.award_type is AwardType.FORMULA_OPTION
        assert award.grant_date == MEETING
        assert award.shares_granted == 10_000
        assert award.exercise_price == Decimal("23.0625")
        assert award.final_exercise_date == date(2006, 5, 15)
        assert award.exercise_deadline == date(2006, 5, 15)
        assert award.exercisable_shares(MEETING) == 10_000
        assert award.exercisable_shares(day_before(MEETING)) == 0
    assert result.leftover == 200_000 - 20_000
    assert not result.pro_rated


@pytest.mark.parametrize(
    ("directors", "available", "each", "leftover"),
    [
        # 25,000 for 3 directors: floor(25,000 / 3) = 8,333 each; 25,000 - 24,999 = 1 left.
        pytest.param(3, 25_000, 8_333, 1, id="25000-for-3"),
        pytest.param(3, 30_000, 10_000, 0, id="exactly-enough"),
        pytest.param(2, 15_001, 7_500, 1, id="15001-for-2"),
        pytest.param(4, 3, 0, 3, id="too-few-for-one-each"),
        pytest.param(3, 0, 0, 0, id="empty-pool"),
    ],
)
def test_directors_8a_pro_rata_when_pool_short(
    directors: int, available: int, each: int, leftover: int
) -> None:
    """Each director gets floor(available / n) when short; the left-over stays (§8(a), §4(b))."""
    ids = [f"D-{i}" for i in range(directors)]
    result = formula_grants(MEETING, ids, Decimal("20"), available, 10_000)
    assert [a.shares_granted for a in result.awards] == ([each] * directors if each else [])
    assert result.leftover == leftover
    assert result.requested_each == 10_000
    assert result.pro_rated is (0 < each < 10_000)


def test_directors_8a_no_directors_no_grants() -> None:
    """A meeting with nobody eligible grants nothing and keeps the pool."""
    result = formula_grants(MEETING, [], Decimal("20"), 500, 10_000)
    assert result == FormulaGrants((), 10_000, 500)
