"""Property (docs/plan-rules.md "Corrections"): a history with one mistaken row, then its
correction, derives the same awards and pools as the history with the right row in its
place. Histories are lived day by day as the system lives them: the feeds' facts on
their days, and the daily rules (expiry after a deadline, delivery as shares vest) on
every day, so the mistaken world leaves its own expiries behind for the correction to
undo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from stockplan.domain.history import (
    AwardEvent,
    as_of,
    exercise_event,
    find_exercise,
    grant_event,
    replay,
    termination_event,
    with_grant_terms,
    with_termination,
    without_termination,
)
from stockplan.domain.model import (
    Award,
    AwardType,
    PlanCode,
    Termination,
    TerminationReason,
    Tranche,
)
from stockplan.domain.pools import PoolDelta, award_pool_delta

START = date(2002, 1, 1)
DAYS = 900
REASONS = [r for r in TerminationReason]


@dataclass(frozen=True)
class Fact:
    """A feed row, as the event it adds on its day."""

    day: date
    event: AwardEvent


def award_terms(
    shares: int, price: str, type_: AwardType, tranches: int, final_years: int
) -> Award:
    per = shares // tranches
    vesting = tuple(
        Tranche(
            START + timedelta(days=180 * (i + 1)), per + (shares - per * tranches if i == 0 else 0)
        )
        for i in range(tranches)
    )
    final = (
        date(START.year + final_years, START.month, START.day) if type_.requires_exercise else None
    )
    return Award(
        award_id="G-1",
        participant_id="E1",
        plan=PlanCode.INCENTIVE_1998,
        award_type=type_,
        grant_date=START,
        shares_granted=shares,
        exercise_price=Decimal(price) if type_.requires_exercise else None,
        final_exercise_date=final,
        tranches=vesting,
        exercise_deadline=final,
    )


def live(grant: Award, facts: list[Fact], until: date) -> list[AwardEvent]:
    """The history the system writes: each fact on its day, and the daily rules on
    every day something can change (a fact, a vesting date, the day after a deadline)."""
    events = [grant_event(grant)]
    pending = sorted(facts, key=lambda f: f.day)
    day = START
    while day <= until:
        while pending and pending[0].day == day:
            events.append(pending.pop(0).event.applied_on(day))
        events = as_of(events, day)
        award = replay(events)
        candidates = [t.vest_date for t in award.tranches if t.vest_date > day]
        if pending:
            candidates.append(pending[0].day)
        if award.exercise_deadline is not None and award.exercise_deadline >= day:
            candidates.append(award.exercise_deadline + timedelta(days=1))
        if not candidates:
            break
        day = min(candidates)
    return events


def books(events: list[AwardEvent], on: date) -> tuple[tuple[object, ...], PoolDelta]:
    """The award as report.json shows it (docs/interfaces.md §3) and what it holds of its pool."""
    a = replay(events)
    figures = (
        a.shares_granted,
        a.exercise_price,
        a.shares_exercised,
        a.shares_withheld,
        a.shares_forfeited,
        a.shares_expired,
        a.shares_outstanding,
        a.exercisable_shares(on),
        a.exercise_deadline,
        a.status(),
    )
    return figures, award_pool_delta(None, a)


grants = st.builds(
    award_terms,
    shares=st.integers(4, 5000),
    price=st.sampled_from(["10.00", "15.0625", "31.125"]),
    type_=st.sampled_from([AwardType.NSO, AwardType.ISO, AwardType.RESTRICTED_STOCK]),
    tranches=st.integers(1, 4),
    final_years=st.integers(1, 4),
)
days = st.integers(0, DAYS - 1).map(lambda n: START + timedelta(days=n))
terminations = st.builds(
    lambda day, reason: Termination("E1", day, reason), days, st.sampled_from(REASONS)
)


def _exercises(grant: Award, before: date) -> st.SearchStrategy[list[Fact]]:
    """Exercises valid in every world: of vested shares, before any termination."""
    if not grant.award_type.requires_exercise:
        return st.just([])
    first_vest = min(t.vest_date for t in grant.tranches)
    if first_vest >= before:
        return st.just([])
    span = (before - first_vest).days
    return st.lists(
        st.integers(0, span - 1).map(
            lambda n: Fact(
                first_vest + timedelta(days=n),
                exercise_event(first_vest + timedelta(days=n), 1, 0, None),
            )
        ),
        max_size=3,
    )


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Award, list[Fact], date]:
    grant = draw(grants)
    ends = draw(st.lists(days, min_size=1, max_size=2))
    facts = draw(_exercises(grant, min(ends)))
    correction_day = draw(st.integers(0, DAYS - 1).map(lambda n: START + timedelta(days=n)))
    return grant, facts, correction_day


def corrected(
    grant: Award,
    mistaken_facts: list[Fact],
    correction_day: date,
    fix: Callable[[list[AwardEvent]], list[AwardEvent] | None],
) -> list[AwardEvent]:
    """The mistaken world lived up to the correction, corrected, then lived on."""
    lived = live(grant, mistaken_facts, correction_day)
    fixed = fix(lived)
    assert fixed is not None
    return as_of(fixed, correction_day)


def right_world(grant: Award, facts: list[Fact], day: date) -> list[AwardEvent]:
    return as_of(live(grant, facts, day), day)


@settings(max_examples=150, deadline=None)
@given(worlds(), terminations, terminations)
def test_correct_termination_equals_the_right_termination_fed_first(
    world: tuple[Award, list[Fact], date], wrong: Termination, right: Termination
) -> None:
    grant, exercises, day = world
    day = max(day, wrong.termination_date, right.termination_date)
    mistaken = [*exercises, Fact(wrong.termination_date, termination_event(wrong))]
    good = [*exercises, Fact(wrong.termination_date, termination_event(right))]
    fixed = corrected(grant, mistaken, day, lambda h: with_termination(h, right))
    assert books(fixed, day) == books(right_world(grant, good, day), day)


@settings(max_examples=150, deadline=None)
@given(worlds(), terminations)
def test_reverse_termination_equals_no_termination_fed(
    world: tuple[Award, list[Fact], date], wrong: Termination
) -> None:
    grant, exercises, day = world
    day = max(day, wrong.termination_date)
    mistaken = [*exercises, Fact(wrong.termination_date, termination_event(wrong))]
    fixed = corrected(grant, mistaken, day, without_termination)
    assert books(fixed, day) == books(right_world(grant, exercises, day), day)


@settings(max_examples=150, deadline=None)
@given(worlds(), st.integers(0, DAYS - 1))
def test_void_exercise_equals_the_exercise_never_fed(
    world: tuple[Award, list[Fact], date], offset: int
) -> None:
    grant, exercises, day = world
    if not exercises:
        return
    wrong = exercises[offset % len(exercises)]
    others = [f for f in exercises if f is not wrong]
    day = max(day, wrong.day)

    def void(history: list[AwardEvent]) -> list[AwardEvent] | None:
        index = find_exercise(history, wrong.day, 1, None)
        return None if index is None else [e for i, e in enumerate(history) if i != index]

    fixed = corrected(grant, exercises, day, void)
    assert books(fixed, day) == books(right_world(grant, others, day), day)


@settings(max_examples=150, deadline=None)
@given(worlds(), grants, terminations)
def test_correct_grant_equals_the_grant_fed_with_the_right_terms(
    world: tuple[Award, list[Fact], date], right_terms: Award, ended: Termination
) -> None:
    grant, _exercises, day = world
    right_terms = right_terms.evolve(award_type=grant.award_type)
    if not grant.award_type.requires_exercise:
        right_terms = right_terms.evolve(
            exercise_price=None, final_exercise_date=None, exercise_deadline=None
        )
    day = max(day, ended.termination_date)
    facts = [Fact(ended.termination_date, termination_event(ended))]
    fixed = corrected(grant, facts, day, lambda h: with_grant_terms(h, right_terms))
    assert books(fixed, day) == books(right_world(right_terms, facts, day), day)
