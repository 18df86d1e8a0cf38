"""Fair Market Value and Closing Price (Directors §6(c)(A), (B); docs/plan-rules.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.fmv import closing_price, fair_market_value
from stockplan.domain.model import PriceBar

D = Decimal


@pytest.mark.parametrize(
    ("bar", "expected"),
    [
        pytest.param(PriceBar(date(2001, 2, 13), D("40.00")), D("40.00"), id="last-sale"),
        pytest.param(
            PriceBar(date(2001, 2, 13), D("40.00"), D("39"), D("41")),
            D("40.00"),
            id="last-sale-wins-over-quotes",
        ),
        # (15 + 15.125) / 2 = 30.125 / 2 = 15.0625 exactly (1/16ths stay exact).
        pytest.param(
            PriceBar(date(2001, 2, 13), None, D("15"), D("15.125")),
            D("15.0625"),
            id="mean-bid-ask-15-15.125",
        ),
        pytest.param(PriceBar(date(2001, 2, 13), None, D("15"), None), None, id="bid-only"),
        pytest.param(PriceBar(date(2001, 2, 13), None, None, D("15")), None, id="ask-only"),
        pytest.param(PriceBar(date(2001, 2, 13)), None, id="nothing"),
    ],
)
def test_directors_6cB_closing_price(bar: PriceBar, expected: Decimal | None) -> None:
    """Closing Price = last sale, else mean of highest bid and lowest ask (Directors §6(c)(B))."""
    assert closing_price(bar) == expected


def test_directors_6cB_mean_is_exact_decimal() -> None:
    """15.0625 is kept exactly: no float, no rounding (docs/plan-rules.md Fair Market Value)."""
    price = closing_price(PriceBar(date(2001, 2, 13), None, D("15"), D("15.125")))
    assert isinstance(price, Decimal)
    assert str(price) == "15.0625"


BARS = (
    PriceBar(date(2001, 2, 9), D("38.50")),
    PriceBar(date(2001, 2, 12), None, D("39.00"), D("39.50")),  # no sale: mean 39.25
    PriceBar(date(2001, 2, 13), None, D("39.00"), None),  # no Closing Price at all
    PriceBar(date(2001, 2, 15), D("41.00")),
)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(date(2001, 2, 9), D("38.50"), id="price-on-the-day"),
        pytest.param(date(2001, 2, 11), D("38.50"), id="weekend-uses-friday"),
        pytest.param(date(2001, 2, 12), D("39.25"), id="bid-ask-mean-on-the-day"),
        # 02-13 has a bar but no Closing Price: the latest earlier day with one, 02-12.
        pytest.param(date(2001, 2, 13), D("39.25"), id="bar-without-price-skipped"),
        pytest.param(date(2001, 2, 14), D("39.25"), id="no-bar-uses-latest-before"),
        pytest.param(date(2001, 2, 15), D("41.00"), id="later-bar-not-used-before"),
        pytest.param(date(2010, 1, 1), D("41.00"), id="long-after"),
        pytest.param(date(2001, 2, 8), None, id="no-price-yet"),
    ],
)
def test_directors_6cA_fmv_on_or_before(on: date, expected: Decimal | None) -> None:
    """FMV on D = Closing Price on D, else on the latest earlier day that has one (§6(c)(A));
    None ("no price yet") where there is none on or before D."""
    assert fair_market_value(BARS, on) == expected
    # Order of the bars does not matter.
    assert fair_market_value(reversed(BARS), on) == expected


def test_directors_6cA_no_price_is_none_not_zero() -> None:
    """'No price yet' is a distinct outcome (None), never a zero price."""
    assert fair_market_value([], date(2001, 1, 1)) is None
    result = fair_market_value([PriceBar(date(2001, 1, 2), D("0.01"))], date(2001, 1, 2))
    assert result == D("0.01")
