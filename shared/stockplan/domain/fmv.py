"""Fair Market Value (Directors §6(c); docs/plan-rules.md uses it for both plans)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from stockplan.domain.model import PriceBar

TWO = Decimal(2)


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


def fmv_with_day(bars: Iterable[PriceBar], on: date) -> tuple[date, Decimal] | None:
    """The Fair Market Value on `on` and the day whose price set it."""
    best: tuple[date, Decimal] | None = None
    for bar in bars:
        if bar.day > on:
            continue
        price = closing_price(bar)
        if price is not None and (best is None or bar.day > best[0]):
            best = (bar.day, price)
    return best
