"""Hypothesis properties of the domain (docs/plan-rules.md "Vesting and termination", "Share pools",
"Splits and covered transactions"; 1998 §4.a, §6.a.(5); Directors §4(a), §6(h), §6(i))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from stockplan.domain.calendar import day_before
from stockplan.domain.covered import covered_transaction_award
from stockplan.domain.exercise import apply_exercise, check_exercise
from stockplan.domain.model import (
    Award,
    AwardType,
    PlanCode,
    Termination,
    TerminationReason,
    Tranche,
)
from stockplan.domain.pools import PoolState, award_pool_delta, outstanding_from_records
from stockplan.domain.schedule import expire_award, settle_award
from stockplan.domain.splits import split_award
from stockplan.domain.termination import apply_death_after_termination, terminate_award

PROPERTY = settings(max_examples=200, deadline=None)

I98 = PlanCode.INCENTIVE_1998
DIR = PlanCode.DIRECTORS_1999
OPTION_TYPES = {
    I98: [AwardType.NSO, AwardType.ISO, AwardType.SAR],
    DIR: [AwardType.DISCRETIONARY_OPTION, AwardType.FORMULA_OPTION],
}
NON_OPTION_TYPES = [AwardType.RESTRICTED_STOCK, AwardType.DEFERRED_STOCK, AwardType.PERFORMANCE]
REASONS = st.sampled_from(list(TerminationReason))
RATIOS = st.sampled_from([Decimal(2), Decimal("1.5"), Decimal(3), Decimal("0.5"), Decimal("1.25")])


@st.composite
def tranches_for(draw: st.DrawFn, grant: date, final: date, shares: int) -> tuple[Tranche, ...]:
    """Empty (vested at grant) or 1-4 tranches between grant and final adding up to shares."""
    count = draw(st.integers(0, min(4, shares)))
    if count == 0:
        return ()
    span = (final - grant).days
    offsets = sorted(draw(st.lists(st.integers(0, span), min_size=count, max_size=count)))
    cuts: list[int] = []
    if count > 1:
        cuts = sorted(
            draw(st.sets(st.integers(1, shares - 1), min_size=count - 1, max_size=count - 1))
        )
    bounds = [0, *cuts, shares]
    return tuple(
        Tranche(grant + timedelta(days=o), bounds[i + 1] - bounds[i]) for i, o in enumerate(offsets)
    )


@st.composite
def awards(draw: st.DrawFn, exercise_only: bool = False) -> Award:
    plan = draw(st.sampled_from([I98, DIR]))
    kinds = OPTION_TYPES[plan] + ([] if exercise_only or plan is DIR else NON_OPTION_TYPES)
    kind = draw(st.sampled_from(kinds))
    grant = date(1999, 8, 1) + timedelta(days=draw(st.integers(0, 3000)))
    final = grant + timedelta(days=draw(st.integers(1, 3652)))
    shares = draw(st.integers(1, 50_000))
    needs_exercise = kind.requires_exercise
    return Award(
        award_id="A",
        participant_id="P",
        plan=plan,
        award_type=kind,
        grant_date=grant,
        shares_granted=shares,
        exercise_price=Decimal("10.00") if needs_exercise else None,
        final_exercise_date=final if needs_exercise else None,
        tranches=draw(tranches_for(grant, final, shares)),
        exercise_deadline=final if needs_exercise else None,
    )


# --- deadlines -----------------------------------------------------------------------------


@PROPERTY
@given(
    award=awards(exercise_only=True),
    after_grant=st.integers(0, 4500),
    reason=REASONS,
    death_after=st.none() | st.integers(0, 800),
    covered=st.none() | st.tuples(st.integers(0, 4000), st.booleans()),
)
def test_1998_6a5_directors_6h_6i_deadline_never_after_final_exercise_date(
    award: Award,
    after_grant: int,
    reason: TerminationReason,
    death_after: int | None,
    covered: tuple[int, bool] | None,
) -> None:
    """Every window is capped at the final exercise date (1998 §6.a.(5)(A)(ii), (B)(ii);
    Directors §6(h), §6(i) 'subject to §6(c)'), through a later death and covered transaction."""
    assert award.final_exercise_date is not None
    end = award.grant_date + timedelta(days=after_grant)
    if covered is not None:
        award = covered_transaction_award(
            award, award.grant_date + timedelta(days=covered[0]), covered[1]
        )
    result = terminate_award(award, Termination("P", end, reason))
    assert result.deadline is not None
    assert result.deadline <= award.final_exercise_date
    assert result.award.exercise_deadline == result.deadline
    if death_after is not None and reason is not TerminationReason.DEATH:
        later = apply_death_after_termination(result.award, end + timedelta(days=death_after))
        assert later.deadline is not None
        assert later.deadline <= award.final_exercise_date
        # A death never shortens an open window.
        assert later.deadline >= result.deadline


@PROPERTY
@given(award=awards(exercise_only=True), fraction=st.floats(0, 1), reason=REASONS)
def test_1998_6a5C_deadline_before_termination_only_for_cause(
    award: Award, fraction: float, reason: TerminationReason
) -> None:
    """For a termination on or before the final exercise date, the deadline is never before the
    termination date, except for cause under 1998 §6.a.(5)(C) (then exactly the day before)."""
    assert award.final_exercise_date is not None
    span = (award.final_exercise_date - award.grant_date).days
    end = award.grant_date + timedelta(days=int(span * fraction))
    result = terminate_award(award, Termination("P", end, reason))
    assert result.deadline is not None
    if reason is TerminationReason.CAUSE and award.plan is I98:
        assert result.deadline == day_before(end)
    else:
        assert result.deadline >= end


# --- pools ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    shares: int
    day: int


@dataclass(frozen=True)
class Exercise:
    which: int
    share_of_open: float  # of the vested, unexercised shares on the day (0 asks for 1 share)
    share_withheld: float
    day: int  # days after the award's grant


@dataclass(frozen=True)
class Expire:
    which: int


@dataclass(frozen=True)
class Terminate:
    which: int
    reason: TerminationReason
    day: int


POOL_OPS = st.lists(
    st.one_of(
        st.builds(Grant, st.integers(1, 90_000), st.integers(0, 3000)),
        st.builds(
            Exercise,
            st.integers(0, 50),
            st.floats(0, 1.2),
            st.floats(0, 1),
            st.integers(0, 2200),
        ),
        st.builds(Expire, st.integers(0, 50)),
        st.builds(Terminate, st.integers(0, 50), REASONS, st.integers(0, 4000)),
    ),
    max_size=40,
)


@PROPERTY
@given(ops=POOL_OPS, plan=st.sampled_from([I98, DIR]), reserve=st.integers(0, 250_000))
def test_1998_4a_directors_4a_pool_never_below_zero(
    ops: list[Grant | Exercise | Expire | Terminate], plan: PlanCode, reserve: int
) -> None:
    """Through random grants, exercises (with withholding), terminations and expiries, a pool
    that refuses grants it cannot cover never goes below zero, and its running figures match a
    recount from the awards (docs/plan-rules.md "Share pools")."""
    pool = PoolState(plan, reserve)
    held: list[Award] = []
    start = date(2000, 1, 3)
    for op in ops:
        before: Award | None = None
        after: Award
        if isinstance(op, Grant):
            if op.shares > pool.available:
                event("grant refused: pool short")
                continue
            grant_day = start + timedelta(days=op.day)
            after = Award(
                award_id=f"A-{len(held)}",
                participant_id="P",
                plan=plan,
                award_type=AwardType.NSO if plan is I98 else AwardType.DISCRETIONARY_OPTION,
                grant_date=grant_day,
                shares_granted=op.shares,
                exercise_price=Decimal(1),
                final_exercise_date=grant_day + timedelta(days=1825),
                tranches=(Tranche(grant_day + timedelta(days=365), op.shares),),
                exercise_deadline=grant_day + timedelta(days=1825),
            )
            held.append(after)
        else:
            if not held:
                continue
            index = op.which % len(held)
            before = held[index]
            if isinstance(op, Exercise):
                on = before.grant_date + timedelta(days=op.day)
                open_shares = before.vested_shares(on) - before.shares_exercised
                shares = max(1, int(open_shares * op.share_of_open))
                withheld = int(shares * op.share_withheld)
                check = check_exercise(before, on, shares, withheld)
                if not check.accepted:
                    event("exercise refused")
                    continue
                event("exercise accepted" + (" (reopened)" if check.reopened else ""))
                after = apply_exercise(before, shares, withheld, check.reopened)
            elif isinstance(op, Expire):
                assert before.exercise_deadline is not None
                after = expire_award(before, before.exercise_deadline + timedelta(days=1))
            else:
                end = Termination("P", start + timedelta(days=op.day), op.reason)
                after = terminate_award(before, end).award
            held[index] = after
        pool = pool.apply(award_pool_delta(before, after))
        assert pool.available >= 0
        assert pool.outstanding >= 0
        assert pool.delivered >= 0
        assert pool.outstanding == outstanding_from_records(plan, held)
        assert pool.delivered == sum(a.shares_delivered for a in held)
        assert pool.available == reserve - pool.outstanding - pool.delivered


# --- conservation of shares ----------------------------------------------------------------

AWARD_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("terminate"), REASONS, st.integers(0, 4000)),
        st.tuples(st.just("death"), st.integers(0, 800)),
        st.tuples(st.just("exercise"), st.integers(0, 4000), st.floats(0, 1.2), st.floats(0, 1)),
        st.tuples(st.just("expire"), st.integers(0, 4500)),
        st.tuples(st.just("split"), RATIOS),
        st.tuples(st.just("covered"), st.integers(0, 4000), st.booleans()),
        st.tuples(st.just("settle"), st.integers(0, 4000)),
    ),
    max_size=25,
)


def _check_invariants(award: Award) -> None:
    parts = (
        award.shares_exercised,
        award.shares_forfeited,
        award.shares_expired,
        award.shares_withheld,
    )
    assert all(p >= 0 for p in parts), parts
    assert award.shares_outstanding >= 0
    assert award.shares_withheld <= award.shares_exercised
    assert award.shares_granted == (
        award.shares_exercised
        + award.shares_forfeited
        + award.shares_expired
        + award.shares_outstanding
    )
    if award.tranches:
        assert sum(t.shares for t in award.tranches) == award.shares_granted
    probe = award.grant_date + timedelta(days=4000)
    assert 0 <= award.exercisable_shares(probe) <= award.shares_outstanding
    assert award.vested_shares(probe) <= award.shares_granted


@PROPERTY
@given(award=awards(), ops=AWARD_OPS)
def test_1998_4a_7b1_shares_conserved_through_random_operations(
    award: Award, ops: list[tuple[object, ...]]
) -> None:
    """granted = exercised + forfeited + expired + outstanding, every figure >= 0, through
    terminations, deaths, exercises, expiries, splits (figures floored, §4(b)), covered
    transactions and settlements. Independently: only a split changes shares_granted, to
    floor(granted x ratio), and only while the award is outstanding."""
    granted = award.shares_granted
    terminated = False
    for op in ops:
        kind = op[0]
        day = award.grant_date
        was_outstanding = award.is_outstanding
        if kind == "terminate" and not terminated:
            _, reason, offset = op
            assert isinstance(reason, TerminationReason) and isinstance(offset, int)
            award = terminate_award(
                award, Termination("P", day + timedelta(days=offset), reason)
            ).award
            terminated = award.service_ended_on is not None
        elif kind == "death" and terminated and award.service_ended_on is not None:
            assert isinstance(op[1], int)
            award = apply_death_after_termination(
                award, award.service_ended_on + timedelta(days=op[1])
            ).award
        elif kind == "exercise":
            _, offset, share_of_open, share_withheld = op
            assert isinstance(offset, int) and isinstance(share_of_open, float)
            assert isinstance(share_withheld, float)
            on = day + timedelta(days=offset)
            open_shares = award.vested_shares(on) - award.shares_exercised
            shares = max(1, int(open_shares * share_of_open))
            withheld = int(shares * share_withheld)
            check = check_exercise(award, on, shares, withheld)
            if check.accepted:
                event("exercise accepted" + (" (reopened)" if check.reopened else ""))
                award = apply_exercise(award, shares, withheld, check.reopened)
        elif kind == "expire":
            assert isinstance(op[1], int)
            award = expire_award(award, day + timedelta(days=op[1]))
        elif kind == "split":
            ratio = op[1]
            assert isinstance(ratio, Decimal)
            award = split_award(award, ratio)
            if was_outstanding:
                granted = int(granted * ratio)
        elif kind == "covered":
            _, offset, assumed = op
            assert isinstance(offset, int) and isinstance(assumed, bool)
            award = covered_transaction_award(award, day + timedelta(days=offset), assumed)
        elif kind == "settle":
            assert isinstance(op[1], int)
            award = settle_award(award, day + timedelta(days=op[1]))
        assert award.shares_granted == granted
        _check_invariants(award)
    event(f"final status {award.status().value}")
