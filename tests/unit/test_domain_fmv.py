"""Fair Market Value and Closing Price (Directors §6(c)(A), (B); docs/plan-rules.md)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from stockplan.domain.fmv import (
    closing_price,
    fair_market_value,
    fmv_with_day,
    missing_price_reason,
    oldest_fresh_day,
)
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
        # A Closing Price more than 5 trading days old is stale: a missing price
        # (docs/plan-rules.md "Fair Market Value").
        pytest.param(date(2010, 1, 1), None, id="long-after-is-stale"),
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


@pytest.mark.parametrize(
    ("on", "oldest"),
    [
        # Thursday: Wed, Tue, Mon, Fri, Thu before it.
        pytest.param(date(2001, 6, 14), date(2001, 6, 7), id="weekday"),
        # Saturday: Fri, Thu, Wed, Tue, Mon.
        pytest.param(date(2002, 8, 31), date(2002, 8, 26), id="saturday"),
        # 2001-01-02: 2000-12-29, 28, 27, 26 and 22 (12-25 is a holiday).
        pytest.param(date(2001, 1, 2), date(2000, 12, 22), id="over-a-holiday"),
        # The 2001-09-11..14 closures do not count.
        pytest.param(date(2001, 9, 18), date(2001, 9, 5), id="over-special-closures"),
    ],
)
def test_a_price_is_fresh_back_to_the_5th_trading_day_before(on: date, oldest: date) -> None:
    """docs/plan-rules.md "Fair Market Value": a Closing Price more than 5 NYSE trading days
    before D is not used."""
    assert oldest_fresh_day(on) == oldest
    assert fmv_with_day([PriceBar(oldest, last_sale=D("1"))], on) == (oldest, D("1"))
    assert fmv_with_day([PriceBar(oldest - timedelta(days=1), last_sale=D("1"))], on) is None


def test_the_missing_price_reason_names_the_day_and_the_latest_price() -> None:
    assert missing_price_reason(date(2002, 6, 13), date(2001, 6, 1)) == (
        "no Closing Price for 2002-06-13 or the 5 trading days before it; the latest is "
        "2001-06-01 \N{EM DASH} upload prices"
    )
    assert "none is recorded" in missing_price_reason(date(2002, 6, 13), None)
