"""Stock splits (1998 §7.b.(1); Directors §4(b), §4(c)) and covered transactions
(1998 §7.a; Directors §6(j), §7(b)(ii)); docs/plan-rules.md "Splits and covered transactions"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.covered import covered_transaction_award, covered_transaction_deferred
from stockplan.domain.deferred import deferred_award, issue
from stockplan.domain.model import (
    Award,
    AwardType,
    DeferredStatus,
    FeeType,
    PlanCode,
    Termination,
    TerminationReason,
    Tranche,
)
from stockplan.domain.schedule import award_schedule, expire_award, settle_award
from stockplan.domain.splits import (
    split_award,
    split_deferred,
    split_price,
    split_shares,
    split_tranches,
)
from stockplan.domain.termination import terminate_award

D = Decimal


@pytest.mark.parametrize(
    ("price", "ratio", "expected", "text"),
    [
        # 10.00 / 1.5 = 6.6666... -> rounded up at the 6th place.
        pytest.param(D("10.00"), D("1.5"), D("6.666667"), "6.666667", id="10-by-1.5-rounded-up"),
        # 15.0625 / 2 = 7.53125: ends within 6 places, kept exact.
        pytest.param(D("15.0625"), D(2), D("7.53125"), "7.53125", id="15.0625-by-2-exact"),
        pytest.param(D("31.125"), D("1.5"), D("20.75"), "20.75", id="31.125-by-1.5-exact"),
        pytest.param(D("20.00"), D(2), D("10"), "10", id="whole-result-plain"),
        # 1/3 = 0.333333...: up (toward the higher price), not to nearest.
        pytest.param(D(1), D(3), D("0.333334"), "0.333334", id="up-not-nearest"),
        # 0.015625 / 2 = 0.0078125 has 7 places: rounded up to 0.007813.
        pytest.param(D("0.015625"), D(2), D("0.007813"), "0.007813", id="7-places-rounded-up"),
        pytest.param(D("12"), D("0.5"), D("24"), "24", id="reverse-split"),
    ],
)
def test_1998_7b1_directors_4c_split_price(
    price: Decimal, ratio: Decimal, expected: Decimal, text: str
) -> None:
    """Exercise price / ratio: exact within 6 places, else rounded up at the 6th
    (docs/plan-rules.md)."""
    result = split_price(price, ratio)
    assert result == expected
    assert str(result) == text


@pytest.mark.parametrize(
    ("shares", "ratio", "expected"),
    [
        pytest.param(10_000, D("1.5"), 15_000, id="10000-x1.5"),
        pytest.param(333, D("1.5"), 499, id="499.5-floored"),
        pytest.param(7, D(2), 14, id="x2"),
        pytest.param(3, D("0.5"), 1, id="reverse-floored"),
    ],
)
def test_directors_4b_split_shares_floored(shares: int, ratio: Decimal, expected: int) -> None:
    """Share figures x ratio, floored: no fractional shares (Directors §4(b); 1998 §4.b)."""
    assert split_shares(shares, ratio) == expected


def test_1998_7b1_tranches_restated_cumulatively() -> None:
    """333 + 333 + 334 = 1,000 at 1.5. Cumulative 333 -> 499, 666 -> 999, 1,000 -> 1,500:
    restated 499, 500, 501 = 1,500 (floor of each tranche alone would give 1,499)."""
    tranches = (
        Tranche(date(2001, 1, 3), 333),
        Tranche(date(2002, 1, 3), 333),
        Tranche(date(2003, 1, 3), 334),
    )
    restated = split_tranches(tranches, D("1.5"))
    assert [t.shares for t in restated] == [499, 500, 501]
    assert [t.vest_date for t in restated] == [t.vest_date for t in tranches]
    assert sum(t.shares for t in restated) == split_shares(1000, D("1.5"))


def option(**changes: object) -> Award:
    return Award(
        award_id="G-1",
        participant_id="P-1",
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.NSO,
        grant_date=date(2000, 1, 3),
        shares_granted=12_000,
        exercise_price=D("31.125"),
        final_exercise_date=date(2010, 1, 3),
        tranches=(
            Tranche(date(2001, 1, 3), 4000),
            Tranche(date(2002, 1, 3), 4000),
            Tranche(date(2003, 1, 3), 4000),
        ),
        exercise_deadline=date(2010, 1, 3),
    ).evolve(**changes)


def test_1998_7b1_outstanding_award_restated() -> None:
    """At 1.5: 12,000 -> 18,000 granted, 3,001 -> 4,501 exercised (4,501.5 floored),
    withheld 501 -> 751, price 31.125 -> 20.75; tranches 6,000 each."""
    award = option(shares_exercised=3001, shares_withheld=501)
    split = split_award(award, D("1.5"))
    assert split.shares_granted == 18_000
    assert split.shares_exercised == 4501
    assert split.shares_withheld == 751
    assert split.exercise_price == D("20.75")
    assert [t.shares for t in split.tranches] == [6000, 6000, 6000]
    assert split.shares_outstanding == 18_000 - 4501
    assert split.exercise_deadline == award.exercise_deadline


def test_1998_7b1_restated_forfeited_and_expired() -> None:
    """Terminated award: 4,000 forfeited -> 8,000 at ratio 2; unvested stay unvested."""
    end = Termination("P-1", date(2002, 1, 3), TerminationReason.OTHER)
    award = terminate_award(option(), end).award
    split = split_award(award, D(2))
    assert (split.shares_granted, split.shares_forfeited) == (24_000, 8000)
    assert split.exercisable_shares(date(2002, 2, 1)) == 16_000


@pytest.mark.parametrize(
    "award",
    [
        pytest.param(option(shares_exercised=12_000), id="exercised"),
        pytest.param(option(shares_expired=12_000), id="expired"),
        pytest.param(option(shares_forfeited=4000, shares_expired=8000), id="forfeited-expired"),
    ],
)
def test_1998_7b1_closed_awards_untouched(award: Award) -> None:
    """Awards closed before the split day keep their figures (docs/plan-rules.md)."""
    assert split_award(award, D("1.5")) == award


def test_1998_7b1_award_without_price_restated() -> None:
    """Restricted stock has no exercise price; its shares are restated all the same."""
    award = option(award_type=AwardType.RESTRICTED_STOCK, exercise_price=None)
    split = split_award(award, D(2))
    assert split.exercise_price is None
    assert split.shares_granted == 24_000


def test_directors_4b_7a_split_fraction_of_pending_deferred_is_paid_in_cash_at_issue() -> None:
    """Directors §4(b), §4(c), §7(a) (docs/plan-rules.md "Splits and covered
    transactions"): pending 37 shares x 1.5 = 55.5 -> 55; the half share lost is paid in
    cash at issue, 0.5 x 40.00 / 1.5 = 13.333 -> $13.33, added to the fee's $20.00; the
    FMV stays 40.00."""
    pending = deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), D("1500.00"), D("40.00"))
    split = split_deferred(pending, D("1.5"))
    assert split.shares == 55
    assert split.fair_market_value == D("40.00")
    assert split.cash_in_lieu == D("33.33")
    assert split.issue_date == pending.issue_date


def test_directors_4c_a_whole_split_of_pending_deferred_adds_no_cash() -> None:
    """A ratio that leaves no fraction (37 x 2 = 74) pays nothing more in cash."""
    pending = deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), D("1500.00"), D("40.00"))
    split = split_deferred(pending, D(2))
    assert (split.shares, split.cash_in_lieu) == (74, D("20.00"))


def test_directors_4c_issued_deferred_untouched() -> None:
    """Stock issued before the split keeps its figures."""
    issued = issue(
        deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), D("1500.00"), D("40.00"))
    )
    assert split_deferred(issued, D(2)) == issued


# --- covered transactions ----------------------------------------------------------------

CT_DAY = date(2001, 6, 1)


def test_1998_7a_not_assumed_accelerates_and_terminates_on_d() -> None:
    """Only 4,000 had vested; the covered transaction vests all 12,000 immediately before D;
    not assumed: D becomes the deadline and the run of D+1 expires the rest (1998 §7.a)."""
    award = option(shares_exercised=1000)
    after = covered_transaction_award(award, CT_DAY, assumed=False)
    assert after.accelerated_on == CT_DAY
    assert after.exercise_deadline == CT_DAY
    assert after.exercisable_shares(CT_DAY) == 11_000
    assert award_schedule(after, CT_DAY)[0].day == date(2001, 6, 2)
    expired = expire_award(after, date(2001, 6, 2))
    assert (expired.shares_expired, expired.shares_outstanding) == (11_000, 0)


def test_1998_7a_not_assumed_keeps_an_earlier_deadline() -> None:
    """A termination window that already ends before D stays as it is."""
    award = option(exercise_deadline=date(2001, 5, 1))
    after = covered_transaction_award(award, CT_DAY, assumed=False)
    assert after.exercise_deadline == date(2001, 5, 1)


def test_directors_6j_assumed_keeps_deadlines_fully_vested() -> None:
    """Assumed: goes on fully vested with its deadline unchanged (Directors §6(j))."""
    award = option(plan=PlanCode.DIRECTORS_1999, award_type=AwardType.DISCRETIONARY_OPTION)
    after = covered_transaction_award(award, CT_DAY, assumed=True)
    assert after.exercise_deadline == date(2010, 1, 3)
    assert after.exercisable_shares(CT_DAY) == 12_000
    assert after.exercisable_shares(date(2001, 5, 31)) == 4000


def test_1998_7a_award_needing_no_exercise_vests_and_settles_on_d() -> None:
    """Restricted stock vests in full on D and is delivered then; it has no deadline."""
    award = option(
        award_type=AwardType.RESTRICTED_STOCK, exercise_price=None, exercise_deadline=None
    )
    after = covered_transaction_award(award, CT_DAY, assumed=False)
    assert after.exercise_deadline is None
    assert [i.day for i in award_schedule(after, CT_DAY)] == [CT_DAY]
    settled = settle_award(after, CT_DAY)
    assert (settled.shares_exercised, settled.shares_outstanding) == (12_000, 0)


def test_1998_7a_closed_award_untouched() -> None:
    """Awards no longer outstanding are not touched."""
    award = option(shares_exercised=12_000)
    assert covered_transaction_award(award, CT_DAY, assumed=False) == award


def test_directors_7b_ii_pending_deferred_issued_on_d() -> None:
    """Pending deferred stock is issued on D (Directors §7(b)(ii)): 2004-01-02 -> 2001-06-01."""
    pending = deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), D("1500.00"), D("40.00"))
    assert pending.issue_date == date(2004, 1, 2)
    after = covered_transaction_deferred(pending, CT_DAY)
    assert after.issue_date == CT_DAY
    assert after.status is DeferredStatus.PENDING
    # Already due earlier (service ended 2001-03-01): stays earlier.
    earlier = covered_transaction_deferred(replace(pending, issue_date=date(2001, 3, 1)), CT_DAY)
    assert earlier.issue_date == date(2001, 3, 1)
    issued = issue(pending)
    assert covered_transaction_deferred(issued, CT_DAY) == issued
