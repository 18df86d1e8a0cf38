"""Deferred Stock Awards in lieu of directors' fees (Directors §3, §4(b), §7, §8(a))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.deferred import (
    check_election,
    deferred_award,
    election_in_force,
    end_service,
    fee_after_cutoff,
    fee_terms,
    issue,
    issue_date,
    shares_for_fee,
)
from stockplan.domain.model import DeferredStatus, Election, ElectionAction, FeeType
from stockplan.domain.pools import pro_rata

D = Decimal
E = ElectionAction.ELECT
V = ElectionAction.REVOKE


def notice(day: date, action: ElectionAction) -> Election:
    return Election("D-1", day, action)


@pytest.mark.parametrize(
    ("notices", "year", "in_force"),
    [
        pytest.param([], 2001, False, id="no-election"),
        # Elect in 2000 covers 2001, 2002, ... but not 2000 itself.
        pytest.param([notice(date(2000, 12, 1), E)], 2000, False, id="elect-not-same-year"),
        pytest.param([notice(date(2000, 12, 1), E)], 2001, True, id="elect-covers-next-year"),
        pytest.param([notice(date(2000, 12, 1), E)], 2005, True, id="elect-continues"),
        # Revoke in 2002: 2002 stays irrevocable, 2003 on is cash.
        pytest.param(
            [notice(date(2000, 12, 1), E), notice(date(2002, 6, 1), V)],
            2002,
            True,
            id="revoke-current-year-irrevocable",
        ),
        pytest.param(
            [notice(date(2000, 12, 1), E), notice(date(2002, 6, 1), V)],
            2003,
            False,
            id="revoke-effective-next-year",
        ),
        # Revoke in 2002 then elect again in 2003: 2004 on is deferred again.
        pytest.param(
            [
                notice(date(2003, 2, 1), E),
                notice(date(2000, 12, 1), E),
                notice(date(2002, 6, 1), V),
            ],
            2004,
            True,
            id="re-elect-after-revoke-any-order",
        ),
        # Two notices in the same year: the latest wins.
        pytest.param(
            [notice(date(2001, 3, 1), E), notice(date(2001, 9, 1), V)],
            2002,
            False,
            id="latest-notice-wins-revoke",
        ),
        pytest.param(
            [notice(date(2001, 9, 1), E), notice(date(2001, 3, 1), V)],
            2002,
            True,
            id="latest-notice-wins-elect",
        ),
        pytest.param([notice(date(2001, 3, 1), V)], 2002, False, id="revoke-alone"),
    ],
)
def test_directors_7c_election_in_force(notices: list[Election], year: int, in_force: bool) -> None:
    """An election made in Y covers Y+1 on until revoked; a revocation in Y takes effect from
    Y+1; the latest notice wins (Directors §7(c))."""
    assert election_in_force(notices, year) is in_force


@pytest.mark.parametrize(
    ("election", "rejected"),
    [
        pytest.param(notice(date(2008, 12, 31), E), False, id="elect-2008-covers-early-2009"),
        pytest.param(notice(date(2009, 1, 1), E), True, id="elect-2009-only-after-cutoff"),
        pytest.param(notice(date(2009, 6, 1), V), False, id="revoke-always-allowed"),
    ],
)
def test_directors_3_no_election_for_services_after_2009_03_31(
    election: Election, rejected: bool
) -> None:
    """An election in 2009 would only cover 2010 on: 'No elections may be made' (Directors §3)."""
    rejection = check_election(election)
    if rejected:
        assert rejection is not None
        assert rejection.section == "Directors §3"
        assert "2009-03-31" in rejection.reason
    else:
        assert rejection is None


@pytest.mark.parametrize(
    ("amount", "fmv", "shares", "cash"),
    [
        # 1500.00 / 40.00 = 37.5 -> 37 shares; 1500.00 - 37 x 40.00 = 20.00 in cash.
        pytest.param(D("1500.00"), D("40.00"), 37, D("20.00"), id="interfaces-example"),
        pytest.param(D("1000"), D("15.0625"), 66, D("5.8750"), id="sixteenths"),
        pytest.param(D("40.00"), D("40.00"), 1, D("0.00"), id="exactly-one"),
        pytest.param(D("39.99"), D("40.00"), 0, D("39.99"), id="less-than-one-share"),
    ],
)
def test_directors_7a_4b_shares_floor_and_cash_in_lieu(
    amount: Decimal, fmv: Decimal, shares: int, cash: Decimal
) -> None:
    """shares = floor(amount / FMV) (no fractional shares, §4(b)); the rest paid in cash."""
    assert shares_for_fee(amount, fmv) == shares
    award = deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), amount, fmv)
    assert award.shares == shares
    assert award.cash_in_lieu == cash


@pytest.mark.parametrize(
    ("fee_type", "fee_date", "fmv_day", "award_date"),
    [
        # Annual fee 2006: first business day of 2006 is 2006-01-03 (Jan 2 observed holiday).
        pytest.param(
            FeeType.ANNUAL, date(2006, 7, 1), date(2006, 1, 3), date(2006, 1, 3), id="annual-2006"
        ),
        pytest.param(
            FeeType.ANNUAL, date(2007, 1, 1), date(2007, 1, 3), date(2007, 1, 3), id="annual-2007"
        ),
        # Meeting fee: FMV the day before the meeting, award on the meeting date.
        pytest.param(
            FeeType.MEETING,
            date(2001, 2, 14),
            date(2001, 2, 13),
            date(2001, 2, 14),
            id="meeting-fee",
        ),
        pytest.param(
            FeeType.MEETING, date(2001, 3, 1), date(2001, 2, 28), date(2001, 3, 1), id="mar-1"
        ),
    ],
)
def test_directors_7a_fee_terms(
    fee_type: FeeType, fee_date: date, fmv_day: date, award_date: date
) -> None:
    """Annual Fee valued on the first business day of its calendar year; a Meeting Fee on the
    day before the meeting (Directors §7(a))."""
    terms = fee_terms(fee_type, fee_date)
    assert (terms.fmv_day, terms.award_date) == (fmv_day, award_date)


@pytest.mark.parametrize(
    ("award_date", "service_ended", "expected"),
    [
        pytest.param(date(2000, 1, 3), None, date(2003, 1, 2), id="third-january-2003"),
        pytest.param(date(2000, 1, 3), date(2001, 6, 30), date(2001, 6, 30), id="service-ends"),
        pytest.param(date(2000, 1, 3), date(2005, 1, 1), date(2003, 1, 2), id="ends-later"),
        # Service ended before the award date: issued on the award date, never before it.
        pytest.param(date(2001, 2, 14), date(2001, 1, 31), date(2001, 2, 14), id="ended-before"),
    ],
)
def test_directors_7b_issue_date(
    award_date: date, service_ended: date | None, expected: date
) -> None:
    """Earliest of the first business day of the third January following and the end of
    service (Directors §7(b)(i), (iii))."""
    assert issue_date(award_date, service_ended) == expected


def test_directors_7a_annual_award_full_record() -> None:
    """Annual fee 2000 of 1500.00 at FMV 40.00 on 2000-01-03 (first business day)."""
    award = deferred_award("D-1", FeeType.ANNUAL, date(2000, 6, 30), D("1500.00"), D("40.00"))
    assert award.award_date == date(2000, 1, 3)
    assert award.issue_date == date(2003, 1, 2)
    assert (award.shares, award.cash_in_lieu) == (37, D("20.00"))
    assert award.fair_market_value == D("40.00")
    assert award.status is DeferredStatus.PENDING
    assert award.key == "D-1#annual#2000-06-30"


def test_directors_7a_meeting_award_dated_meeting_day() -> None:
    """Meeting fee of 2001-02-14: award dated the meeting, issued 2004-01-02."""
    award = deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), D("1500.00"), D("40.00"))
    assert award.award_date == date(2001, 2, 14)
    assert award.issue_date == date(2004, 1, 2)


def test_directors_7b_iii_award_after_service_ended_issues_at_once() -> None:
    """A fee awarded after service ended is issued on the award date (§7(b)(iii))."""
    award = deferred_award(
        "D-1",
        FeeType.MEETING,
        date(2001, 2, 14),
        D("100"),
        D("10"),
        service_ended=date(2001, 2, 1),
    )
    assert award.issue_date == date(2001, 2, 14)


def test_directors_8a_pro_rata_when_pool_short() -> None:
    """Two fees want 37 and 63 shares (100) but 50 are available: floor(50 x 37 / 100) = 18 and
    floor(50 x 63 / 100) = 31; 1 share stays; the rest of each fee is cash (§8(a))."""
    wanted = {
        "A": shares_for_fee(D("1500.00"), D("40.00")),
        "B": shares_for_fee(D("2520.00"), D("40.00")),
    }
    assert wanted == {"A": 37, "B": 63}
    granted = pro_rata(wanted, 50)
    assert granted == {"A": 18, "B": 31}
    a = deferred_award("A", FeeType.ANNUAL, date(2001, 1, 2), D("1500.00"), D("40.00"), 18)
    b = deferred_award("B", FeeType.ANNUAL, date(2001, 1, 2), D("2520.00"), D("40.00"), 31)
    # 1500.00 - 18 x 40.00 = 780.00; 2520.00 - 31 x 40.00 = 1280.00.
    assert (a.shares, a.cash_in_lieu) == (18, D("780.00"))
    assert (b.shares, b.cash_in_lieu) == (31, D("1280.00"))


def test_directors_8a_shares_never_above_floor() -> None:
    """A cap above floor(amount / FMV) does not add shares."""
    award = deferred_award("A", FeeType.ANNUAL, date(2001, 1, 2), D("1500.00"), D("40.00"), 99)
    assert (award.shares, award.cash_in_lieu) == (37, D("20.00"))


@pytest.mark.parametrize(
    ("fee_type", "fee_date", "after"),
    [
        pytest.param(FeeType.MEETING, date(2009, 3, 31), False, id="meeting-2009-03-31-last-day"),
        pytest.param(FeeType.MEETING, date(2009, 4, 1), True, id="meeting-2009-04-01-after"),
        pytest.param(FeeType.MEETING, date(2010, 1, 4), True, id="meeting-2010"),
        # An annual fee is judged on its award date, the year's first business day.
        pytest.param(FeeType.ANNUAL, date(2009, 1, 15), False, id="annual-2009-january"),
        pytest.param(FeeType.ANNUAL, date(2009, 12, 1), False, id="annual-2009-december"),
        pytest.param(FeeType.ANNUAL, date(2010, 1, 4), True, id="annual-2010"),
    ],
)
def test_directors_3_no_award_for_fees_after_2009_03_31(
    fee_type: FeeType, fee_date: date, after: bool
) -> None:
    """'no Deferred Stock Awards shall be granted ... for services rendered after March 31,
    2009' (Directors §3)."""
    assert fee_after_cutoff(fee_type, fee_date) is after


def test_directors_7b_iii_end_service_and_issue() -> None:
    """Pending stock is issued when service ends (§7(b)(iii)); issued stock is untouched."""
    award = deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), D("1500.00"), D("40.00"))
    ended = end_service(award, date(2002, 5, 31))
    assert ended.issue_date == date(2002, 5, 31)
    # Service ending after the scheduled issue changes nothing.
    assert end_service(award, date(2005, 1, 1)).issue_date == date(2004, 1, 2)
    issued = issue(award)
    assert issued.status is DeferredStatus.ISSUED
    assert end_service(issued, date(2002, 5, 31)) == issued
