"""The plan texts' rules in the domain: Amendment No. 1 and the plan actions as data
(1998 §4.a, §9; Directors §8(f)), the joint cut of Directors §8(a) (a Hypothesis
property), the 2009 annual fee of Directors §3 and the payment rules of 1998 §4.a and
Directors §6(f)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from stockplan.domain.deferred import deferrable_amount, deferred_award
from stockplan.domain.exercise import check_exercise
from stockplan.domain.model import (
    Award,
    AwardType,
    FeeType,
    PlanAction,
    PlanActionKind,
    PlanCode,
)
from stockplan.domain.plans import (
    COMPANY_NAME,
    SHIPPED_ACTIONS,
    plan_terminated_on,
    reserve_steps,
)
from stockplan.domain.pools import Split, pro_rata, reserved_on

I98 = PlanCode.INCENTIVE_1998
DIR = PlanCode.DIRECTORS_1999


def test_1998_exhibit_a_the_company_is_ctc_communications_group_inc() -> None:
    assert COMPANY_NAME == "CTC Communications Group, Inc."


def test_1998_4a_amendment_no_1_is_the_first_plan_action_of_incentive_1998() -> None:
    """Amendment No. 1 (the stockholders' vote of 1999-09-16) is shipped as data, in the
    same form as a fed amend_reserve (1998 §4.a as amended, §9)."""
    (first, *_rest) = [a for a in SHIPPED_ACTIONS if a.plan is I98]
    assert (first.kind, first.effective_date, first.shares, first.approved_on) == (
        PlanActionKind.AMEND_RESERVE,
        date(1999, 9, 16),
        2_250_000,
        date(1999, 9, 16),
    )
    assert [(s.effective, s.shares) for s in reserve_steps(I98)] == [
        (date(1998, 1, 1), 1_500_000),
        (date(1999, 9, 16), 2_250_000),
    ]


def test_1998_9_a_fed_reserve_is_in_the_shares_of_its_date_later_splits_restate_it() -> None:
    """1998 §9, §7.b.(1): a reserve amended after a split is not multiplied by that split;
    a split after it is."""
    amend = PlanAction("PA-1", PlanActionKind.AMEND_RESERVE, I98, date(2004, 1, 1), 5_000_000)
    splits = [Split(date(2003, 3, 3), Decimal(2)), Split(date(2005, 3, 1), Decimal("1.5"))]
    assert reserved_on(I98, date(2003, 12, 31), splits, [amend]) == 4_500_000
    assert reserved_on(I98, date(2004, 1, 1), splits, [amend]) == 5_000_000
    assert reserved_on(I98, date(2005, 3, 1), splits, [amend]) == 7_500_000


def test_directors_8f_the_earliest_termination_ends_further_grants() -> None:
    later = PlanAction("PA-2", PlanActionKind.TERMINATE_PLAN, DIR, date(2009, 1, 1))
    earlier = PlanAction("PA-1", PlanActionKind.TERMINATE_PLAN, DIR, date(2008, 6, 1))
    assert plan_terminated_on(DIR) is None
    ended = plan_terminated_on(DIR, [later, earlier])
    assert ended is not None and ended.request_id == "PA-1"
    assert plan_terminated_on(I98, [later]) is None


# --- Directors §8(a): the joint cut -----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    available=st.integers(min_value=0, max_value=60_000),
    directors=st.integers(min_value=1, max_value=12),
    option_size=st.sampled_from([10_000, 15_000, 20_000, 7_500]),
    fees=st.lists(st.integers(min_value=1, max_value=5_000), max_size=12),
)
def test_directors_8a_the_joint_cut_never_exceeds_the_pool_and_is_even_to_a_share(
    available: int, directors: int, option_size: int, fees: list[int]
) -> None:
    """Directors §8(a): formula options and deferred stock of one day cut by one
    fraction: the cut never passes the pool, each award is within one share of its
    exact share (so any two directors' equal awards differ by at most one share, and
    here by none), and nothing is cut when the pool covers everything."""
    wanted = {f"option#D{i}": option_size for i in range(directors)}
    wanted |= {f"fee#D{i}": shares for i, shares in enumerate(fees)}
    total = sum(wanted.values())

    cut = pro_rata(wanted, available)

    assert sum(cut.values()) <= max(available, 0)
    if total <= available:
        assert cut == wanted
        return
    for key, shares in wanted.items():
        exact = Decimal(shares) * Decimal(available) / Decimal(total)
        assert 0 <= exact - cut[key] < 1
    options = [cut[k] for k in wanted if k.startswith("option#")]
    assert max(options) - min(options) <= 1


def test_directors_8a_the_example_of_the_plan_texts_reading() -> None:
    """25,000 available; three options of 10,000 and a fee of 100 shares: f = 25,000 /
    30,100; 8,305 each and 83 shares, 2 shares left in the pool."""
    wanted = {"option#D1": 10_000, "option#D2": 10_000, "option#D3": 10_000, "fee#D1": 100}
    assert pro_rata(wanted, 25_000) == {
        "option#D1": 8305,
        "option#D2": 8305,
        "option#D3": 8305,
        "fee#D1": 83,
    }


# --- Directors §3: the 2009 annual fee --------------------------------------------------------


def test_directors_3_the_2009_annual_fee_is_deferred_for_90_of_365_days() -> None:
    """$1,000 x 90 / 365 = 246.575... -> $246.57: 24 shares at $10.00, $760.00 in cash."""
    assert deferrable_amount(FeeType.ANNUAL, date(2009, 6, 1), Decimal(1000)) == Decimal("246.57")
    award = deferred_award("D-1", FeeType.ANNUAL, date(2009, 6, 1), Decimal(1000), Decimal(10))
    assert (award.shares, award.amount, award.cash_in_lieu) == (
        24,
        Decimal(1000),
        Decimal("760.00"),
    )


def test_directors_3_fees_before_2009_and_meeting_fees_are_deferred_whole() -> None:
    assert deferrable_amount(FeeType.ANNUAL, date(2008, 1, 2), Decimal(1000)) == Decimal(1000)
    assert deferrable_amount(FeeType.MEETING, date(2009, 3, 31), Decimal(1000)) == Decimal(1000)


# --- 1998 §4.a, Directors §6(f): payment ------------------------------------------------------


def _option(plan: PlanCode) -> Award:
    kind = AwardType.NSO if plan is I98 else AwardType.DISCRETIONARY_OPTION
    return Award(
        "A-1",
        "P-1",
        plan,
        kind,
        date(2002, 1, 2),
        1000,
        Decimal(10),
        date(2007, 1, 2),
        exercise_deadline=date(2007, 1, 2),
    )


def test_directors_6f_withholding_is_no_way_to_pay_a_directors_option() -> None:
    check = check_exercise(_option(DIR), date(2002, 2, 1), 100, 40)
    assert check.rejection is not None and check.rejection.section == "Directors §6(f)"
    paid = check_exercise(_option(DIR), date(2002, 2, 1), 100, 0, 0, frozenset({"withheld"}))
    assert paid.rejection is not None and paid.rejection.section == "Directors §6(f)"
    assert check_exercise(_option(DIR), date(2002, 2, 1), 100, 0, 100).accepted


def test_1998_4a_delivered_is_net_of_withheld_and_tendered_directors_4a_is_not() -> None:
    incentive = _option(I98).evolve(shares_exercised=100, shares_withheld=10, shares_tendered=30)
    directors = _option(DIR).evolve(shares_exercised=100, shares_tendered=30)
    assert incentive.shares_delivered == 60
    assert directors.shares_delivered == 100
