"""Stock splits (1998 §7.b.(1); Directors §4(c);
docs/plan-rules.md "Splits and covered transactions")."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

from stockplan.domain.model import Award, DeferredStatus, DeferredStockAward, Tranche

SIX_PLACES = Decimal("0.000001")


def split_shares(shares: int, ratio: Decimal) -> int:
    """Share figures are multiplied by the ratio and floored to whole shares (§4(b))."""
    return int((Decimal(shares) * ratio).to_integral_value(rounding=ROUND_FLOOR))


def split_price(price: Decimal, ratio: Decimal) -> Decimal:
    """Price / ratio: exact where it ends within 6 places, else rounded up at the 6th
    (10.00 / 1.5 = 6.666667)."""
    with localcontext() as ctx:
        ctx.prec = 60
        quotient = price / ratio
        rounded = quotient.quantize(SIX_PLACES, rounding=ROUND_CEILING)
        if rounded == quotient:
            return _plain(quotient)
        return rounded


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def split_tranches(tranches: tuple[Tranche, ...], ratio: Decimal) -> tuple[Tranche, ...]:
    """Restate cumulatively so the tranches still add up to the restated grant."""
    result: list[Tranche] = []
    cumulative = 0
    restated_before = 0
    for tranche in tranches:
        cumulative += tranche.shares
        restated = split_shares(cumulative, ratio)
        result.append(Tranche(tranche.vest_date, restated - restated_before))
        restated_before = restated
    return tuple(result)


def split_award(award: Award, ratio: Decimal) -> Award:
    """Restate an award outstanding on the split day; closed awards keep their figures."""
    if not award.is_outstanding:
        return award
    return award.evolve(
        shares_granted=split_shares(award.shares_granted, ratio),
        shares_exercised=split_shares(award.shares_exercised, ratio),
        shares_withheld=split_shares(award.shares_withheld, ratio),
        shares_tendered=split_shares(award.shares_tendered, ratio),
        shares_forfeited=split_shares(award.shares_forfeited, ratio),
        shares_expired=split_shares(award.shares_expired, ratio),
        tranches=split_tranches(award.tranches, ratio),
        exercise_price=None
        if award.exercise_price is None
        else split_price(award.exercise_price, ratio),
        shares_iso_exercised=split_shares(award.shares_iso_exercised, ratio),
        fmv_on_grant=None if award.fmv_on_grant is None else split_price(award.fmv_on_grant, ratio),
    )


CENT = Decimal("0.01")


def split_deferred(deferred: DeferredStockAward, ratio: Decimal) -> DeferredStockAward:
    """Pending deferred stock is multiplied; its fair market value stays as it was.
    The fractional share lost to the floor is paid in cash at issue, as the fee's own
    fraction was: fraction x FMV / ratio, rounded down to the cent, added to its
    cash_in_lieu (Directors §4(b), §7(a)). Stock already issued keeps its figures."""
    if deferred.status is not DeferredStatus.PENDING:
        return deferred
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(deferred.shares) * ratio
        shares = split_shares(deferred.shares, ratio)
        cash = ((exact - shares) * deferred.fair_market_value / ratio).quantize(
            CENT, rounding=ROUND_FLOOR
        )
    return replace(deferred, shares=shares, cash_in_lieu=deferred.cash_in_lieu + cash)
