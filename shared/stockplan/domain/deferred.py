"""Deferred Stock Awards in lieu of directors' fees (Directors §3, §7, §8(a))."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from stockplan.domain.calendar import (
    day_before,
    first_business_day_of_january,
    first_business_day_of_nth_january_after,
)
from stockplan.domain.model import (
    DeferredStatus,
    DeferredStockAward,
    Election,
    ElectionAction,
    FeeType,
    Rejection,
)
from stockplan.domain.plans import DEFERRED


def election_in_force(elections: Iterable[Election], year: int) -> bool:
    """An `elect` dated in year Y covers Y+1 onward until revoked; a `revoke` dated in Y
    takes effect from Y+1; the current year's election stays irrevocable (§7(c))."""
    latest: Election | None = None
    for election in elections:
        if election.notice_date.year >= year:
            continue
        if latest is None or election.notice_date >= latest.notice_date:
            latest = election
    return latest is not None and latest.action is ElectionAction.ELECT


def check_election(election: Election) -> Rejection | None:
    """No elections may be made for fees for services after 2009-03-31 (§3)."""
    if election.action is ElectionAction.ELECT and election.notice_date.year >= (
        DEFERRED.last_service_day.year
    ):
        return Rejection(
            f"an election dated {election.notice_date.isoformat()} would cover fees for "
            f"services after {DEFERRED.last_service_day.isoformat()}, when no elections "
            "may be made",
            "Directors §3",
        )
    return None


@dataclass(frozen=True, slots=True)
class FeeTerms:
    """Which day prices the fee and the day the award is made (§7(a))."""

    fmv_day: date
    award_date: date


def fee_terms(fee_type: FeeType, fee_date: date) -> FeeTerms:
    if fee_type is FeeType.ANNUAL:
        first = first_business_day_of_january(fee_date.year)
        return FeeTerms(first, first)
    return FeeTerms(day_before(fee_date), fee_date)


def fee_after_cutoff(fee_type: FeeType, fee_date: date) -> bool:
    """No Deferred Stock Award for fees for services after 2009-03-31 (§3).

    A fee is judged by the day its award would be made (a meeting fee: the meeting; an
    annual fee: the first business day of its year), so an annual fee gets the same
    answer whichever day of its year the feed gives."""
    return fee_terms(fee_type, fee_date).award_date > DEFERRED.last_service_day


CENT = Decimal("0.01")


def deferrable_amount(fee_type: FeeType, fee_date: date, amount: Decimal) -> Decimal:
    """The part of a fee that may become deferred stock: no award for services after
    2009-03-31 (§3). An annual fee pays for its whole calendar year, so in the year of
    the cut-off only the days up to it count (2009: amount x 90 / 365), rounded down to
    the cent; the rest of the fee is paid in cash."""
    last = DEFERRED.last_service_day
    if fee_type is not FeeType.ANNUAL or fee_date.year != last.year:
        return amount
    first = date(last.year, 1, 1)
    served = (last - first).days + 1
    in_year = (date(last.year + 1, 1, 1) - first).days
    return (amount * served / in_year).quantize(CENT, rounding=ROUND_FLOOR)


def shares_wanted(fee_type: FeeType, fee_date: date, amount: Decimal, fmv: Decimal) -> int:
    """The shares a fee asks of the pool: floor(deferrable amount / FMV) (§3, §7(a))."""
    return shares_for_fee(deferrable_amount(fee_type, fee_date, amount), fmv)


def shares_for_fee(amount: Decimal, fmv: Decimal) -> int:
    """floor(amount / FMV): no fractional shares (§4(b))."""
    return int((amount / fmv).to_integral_value(rounding=ROUND_FLOOR))


def issue_date(award_date: date, service_ended: date | None = None) -> date:
    """The earliest of the first business day of the third January after the award,
    and the end of the director's service (§7(b)(i), (iii))."""
    scheduled = first_business_day_of_nth_january_after(award_date, DEFERRED.issue_january)
    if service_ended is not None:
        return min(scheduled, max(service_ended, award_date))
    return scheduled


def deferred_award(
    participant_id: str,
    fee_type: FeeType,
    fee_date: date,
    amount: Decimal,
    fmv: Decimal,
    shares: int | None = None,
    service_ended: date | None = None,
    price_day: date | None = None,
) -> DeferredStockAward:
    """The award for one fee; `shares` below floor(amount / FMV) when the pool is short,
    the rest of the fee paid in cash (§8(a)); in 2009 only the annual fee's part up to
    2009-03-31 is converted (§3), and `amount` stays the whole fee. `price_day`: the day
    of the Closing Price that set the FMV (its notices name it)."""
    terms = fee_terms(fee_type, fee_date)
    full = shares_wanted(fee_type, fee_date, amount, fmv)
    granted = full if shares is None else min(shares, full)
    return DeferredStockAward(
        participant_id=participant_id,
        fee_type=fee_type,
        fee_date=fee_date,
        amount=amount,
        fair_market_value=fmv,
        award_date=terms.award_date,
        shares=granted,
        cash_in_lieu=amount - fmv * granted,
        issue_date=issue_date(terms.award_date, service_ended),
        price_day=price_day,
    )


def issue(deferred: DeferredStockAward) -> DeferredStockAward:
    return replace(deferred, status=DeferredStatus.ISSUED)


def end_service(deferred: DeferredStockAward, service_ended: date) -> DeferredStockAward:
    """Pending stock is issued when the director's service ends (§7(b)(iii))."""
    if deferred.status is not DeferredStatus.PENDING:
        return deferred
    return replace(
        deferred, issue_date=min(deferred.issue_date, max(service_ended, deferred.award_date))
    )
