"""Fair Market Value (Directors §6(c); docs/plan-rules.md uses it for both plans)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from stockplan.domain.calendar import ONE_DAY, is_trading_day
from stockplan.domain.model import PriceBar

TWO = Decimal(2)
# A Closing Price more than this many NYSE trading days before the day is stale: the
# fallback to an earlier day covers days without trading, not a prices feed that stopped
# (docs/plan-rules.md "Fair Market Value").
FRESH_TRADING_DAYS = 5


def closing_price(bar: PriceBar) -> Decimal | None:
    """Last sale; where none was reported, the mean of highest bid and lowest ask (§6(c)(B))."""
    if bar.last_sale is not None:
        return bar.last_sale
    if bar.high_bid is not None and bar.low_ask is not None:
        return (bar.high_bid + bar.low_ask) / TWO
    return None


def fair_market_value(bars: Iterable[PriceBar], on: date) -> Decimal | None:
    """Closing Price on `on`, else on the latest earlier day with one (§6(c)(A)).

    None means "no price yet": whatever needs it stays due until a price arrives.
    """
    found = fmv_with_day(bars, on)
    return None if found is None else found[1]


def oldest_fresh_day(on: date) -> date:
    """The earliest day whose Closing Price may set the FMV of `on`: the 5th NYSE
    trading day before it (a price of that day or later is not stale)."""
    day, counted = on, 0
    while counted < FRESH_TRADING_DAYS:
        day -= ONE_DAY
        if is_trading_day(day):
            counted += 1
    return day


def missing_price_reason(on: date, latest: date | None) -> str:
    """Why no FMV of `on` can be had, in the words the administrator acts on."""
    found = "none is recorded" if latest is None else f"the latest is {latest.isoformat()}"
    return (
        f"no Closing Price for {on.isoformat()} or the {FRESH_TRADING_DAYS} trading days "
        f"before it; {found} \N{EM DASH} upload prices"
    )


def fmv_with_day(bars: Iterable[PriceBar], on: date) -> tuple[date, Decimal] | None:
    """The Fair Market Value on `on` and the day whose price set it; None when no
    Closing Price of `on` or of the 5 trading days before it exists (a stale one is
    a missing one)."""
    best: tuple[date, Decimal] | None = None
    oldest = oldest_fresh_day(on)
    for bar in bars:
        if bar.day > on or bar.day < oldest:
            continue
        price = closing_price(bar)
        if price is not None and (best is None or bar.day > best[0]):
            best = (bar.day, price)
    return best
