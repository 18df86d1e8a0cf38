"""Share pools (1998 §4.a and Amendment No. 1, §7.b.(1); Directors §4(a), §4(c), §8(a))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.deferred import deferred_award, issue
from stockplan.domain.exercise import apply_exercise
from stockplan.domain.model import Award, AwardType, FeeType, PlanCode
from stockplan.domain.pools import (
    PoolDelta,
    PoolState,
    Split,
    award_pool_delta,
    deferred_pool_delta,
    outstanding_from_records,
    pro_rata,
    reserved_on,
)
from stockplan.domain.schedule import expire_award

D = Decimal
I98 = PlanCode.INCENTIVE_1998
DIR = PlanCode.DIRECTORS_1999


@pytest.mark.parametrize(
    ("plan", "day", "splits", "reserved"),
    [
        pytest.param(I98, date(1999, 9, 15), (), 1_500_000, id="1998-4a-before-amendment"),
        pytest.param(I98, date(1999, 9, 16), (), 2_250_000, id="1998-4a-amendment-no-1"),
        pytest.param(DIR, date(2001, 1, 2), (), 200_000, id="directors-4a"),
        pytest.param(DIR, date(1999, 7, 1), (), 0, id="directors-before-effective"),
        # Split 2 on 2000-06-01: 2,250,000 x 2 = 4,500,000 from that day, not before.
        pytest.param(
            I98, date(2000, 6, 1), (Split(date(2000, 6, 1), D(2)),), 4_500_000, id="1998-x2"
        ),
        pytest.param(
            I98, date(2000, 5, 31), (Split(date(2000, 6, 1), D(2)),), 2_250_000, id="1998-eve"
        ),
        # 200,000 x 1.5 = 300,000; then x 2 = 600,000.
        pytest.param(
            DIR,
            date(2003, 1, 1),
            (Split(date(2002, 1, 2), D(2)), Split(date(2000, 1, 3), D("1.5"))),
            600_000,
            id="directors-x1.5-x2",
        ),
        # A split on the plan's effective date applies to its reserve.
        pytest.param(
            DIR, date(1999, 7, 27), (Split(date(1999, 7, 27), D(2)),), 400_000, id="same-day"
        ),
        # Before 1999-07-27 the directors plan reserves nothing: the split has no effect.
        pytest.param(
            DIR, date(2000, 1, 1), (Split(date(1999, 1, 4), D(2)),), 200_000, id="pre-plan-split"
        ),
        # 1.5 split on 1999-01-04: 1,500,000 -> 2,250,000. Amendment No. 1 then fixes the
        # reserve at 2,250,000 shares of the day (a figure set after the split).
        pytest.param(
            I98, date(1999, 6, 1), (Split(date(1999, 1, 4), D("1.5")),), 2_250_000, id="pre-amd"
        ),
        pytest.param(
            I98, date(1999, 9, 16), (Split(date(1999, 1, 4), D("1.5")),), 2_250_000, id="amd"
        ),
    ],
)
def test_1998_4a_amendment1_directors_4a_4c_reserved_on(
    plan: PlanCode, day: date, splits: tuple[Split, ...], reserved: int
) -> None:
    """Reserve in force on a day, multiplied by splits (1998 §7.b.(1); Directors §4(c))."""
    assert reserved_on(plan, day, splits) == reserved


def option(shares: int = 10_000) -> Award:
    return Award(
        award_id="FO-1",
        participant_id="D-1",
        plan=DIR,
        award_type=AwardType.FORMULA_OPTION,
        grant_date=date(2001, 5, 15),
        shares_granted=shares,
        exercise_price=D("20"),
        final_exercise_date=date(2006, 5, 15),
        exercise_deadline=date(2006, 5, 15),
    )


def test_directors_4a_pool_walkthrough_grant_exercise_withhold_expire() -> None:
    """Reserve 200,000. Grant 10,000: available 190,000. Exercise 4,000 with 1,000 withheld:
    outstanding 6,000, delivered 3,000, available 191,000 (withheld shares are not delivered,
    1998 §4.a(iv)). The rest expires: outstanding 0, available 197,000 (Directors §4(a))."""
    pool = PoolState(DIR, reserved_on(DIR, date(2001, 5, 15)))
    granted = option()
    pool = pool.apply(award_pool_delta(None, granted))
    assert (pool.outstanding, pool.delivered, pool.available) == (10_000, 0, 190_000)

    exercised = apply_exercise(granted, 4000, 1000)
    delta = award_pool_delta(granted, exercised)
    assert delta == PoolDelta(outstanding=-4000, delivered=3000)
    assert delta.takes == -1000
    pool = pool.apply(delta)
    assert (pool.outstanding, pool.delivered, pool.available) == (6000, 3000, 191_000)

    expired = expire_award(exercised, date(2006, 5, 16))
    pool = pool.apply(award_pool_delta(exercised, expired))
    assert (pool.outstanding, pool.delivered, pool.available) == (0, 3000, 197_000)


@pytest.mark.parametrize(
    ("after", "outstanding", "delivered"),
    [
        pytest.param(option().evolve(shares_forfeited=6000), -6000, 0, id="forfeiture-returns"),
        pytest.param(option().evolve(shares_expired=10_000), -10_000, 0, id="expiry-returns"),
        # Cash-settled: exercised with every share held back delivers nothing (§4.a(ii)/(iv)).
        pytest.param(
            option().evolve(shares_exercised=10_000, shares_withheld=10_000),
            -10_000,
            0,
            id="all-withheld",
        ),
        pytest.param(option().evolve(shares_exercised=2500), -2500, 2500, id="exercise-delivers"),
    ],
)
def test_1998_4a_i_iv_shares_return_to_pool(after: Award, outstanding: int, delivered: int) -> None:
    """Expired, forfeited and unexercised shares return to available (1998 §4.a(i)-(iv))."""
    assert award_pool_delta(option(), after) == PoolDelta(outstanding, delivered)


def test_directors_4a_deferred_pending_outstanding_then_delivered() -> None:
    """Pending deferred stock counts as outstanding; issued, as delivered (docs/plan-rules.md
    "Share pools")."""
    pending = deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), D("1500.00"), D("40.00"))
    issued = issue(pending)
    assert deferred_pool_delta(None, pending) == PoolDelta(37, 0)
    assert deferred_pool_delta(pending, issued) == PoolDelta(-37, 37)
    assert deferred_pool_delta(None, issued) == PoolDelta(0, 37)
    assert deferred_pool_delta(issued, issued) == PoolDelta(0, 0)


def test_1998_4a_directors_4a_outstanding_from_records() -> None:
    """Drift check: the pool's outstanding is the sum over its own plan's records."""
    pending = deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), D("1500.00"), D("40.00"))
    issued = issue(pending)
    other_plan = option(500).evolve(plan=I98, award_type=AwardType.NSO)
    awards = [option(), option(2000).evolve(shares_exercised=500), other_plan]
    # 10,000 + 1,500 outstanding + 37 pending deferred; issued stock is not outstanding.
    assert outstanding_from_records(DIR, awards, [pending, issued]) == 11_537
    # Deferred stock belongs to the Directors plan only.
    assert outstanding_from_records(I98, awards, [pending]) == 500


@pytest.mark.parametrize(
    ("state", "shares", "ok"),
    [
        pytest.param(PoolState(DIR, 200_000, 150_000, 40_000), 10_000, True, id="exactly"),
        pytest.param(PoolState(DIR, 200_000, 150_000, 40_000), 10_001, False, id="one-over"),
        pytest.param(PoolState(DIR, 200_000), -1, False, id="negative"),
        pytest.param(PoolState(DIR, 200_000), 0, True, id="zero"),
    ],
)
def test_1998_4a_directors_4a_available(state: PoolState, shares: int, ok: bool) -> None:
    """available = reserve - outstanding - delivered (docs/plan-rules.md); a grant above it is
    refused."""
    assert state.available == state.reserved - state.outstanding - state.delivered
    assert (0 <= shares <= state.available) is ok


def test_1998_4a_pool_delta_adds() -> None:
    """Deltas of one change add up field by field."""
    assert PoolDelta(5, 1) + PoolDelta(-2, 3) == PoolDelta(3, 4)


@pytest.mark.parametrize(
    ("requests", "available", "granted"),
    [
        pytest.param({"A": 10, "B": 20}, 30, {"A": 10, "B": 20}, id="enough"),
        pytest.param({"A": 10, "B": 20}, 100, {"A": 10, "B": 20}, id="plenty"),
        # 15 x 10 / 30 = 5; 15 x 20 / 30 = 10.
        pytest.param({"A": 10, "B": 20}, 15, {"A": 5, "B": 10}, id="half"),
        # 25,000 x 10,000 / 30,000 = 8,333.33 -> 8,333 each.
        pytest.param(
            {"A": 10_000, "B": 10_000, "C": 10_000},
            25_000,
            {"A": 8333, "B": 8333, "C": 8333},
            id="25000-for-3",
        ),
        pytest.param({"A": 10, "B": 20}, 0, {"A": 0, "B": 0}, id="empty"),
        pytest.param({"A": 10}, -5, {"A": 0}, id="negative-available"),
        pytest.param({}, 5, {}, id="no-requests"),
    ],
)
def test_directors_8a_pro_rata(
    requests: dict[str, int], available: int, granted: dict[str, int]
) -> None:
    """Pro rata portion, floored (Directors §8(a), §4(b)); never more than requested."""
    result = pro_rata(requests, available)
    assert result == granted
    assert all(result[key] <= wanted for key, wanted in requests.items())
    if sum(requests.values()) > available:
        assert sum(result.values()) <= max(available, 0)
