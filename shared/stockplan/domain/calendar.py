"""Calendar rules (docs/plan-rules.md "Calendar and dates"): clamped month arithmetic, NYSE days."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """Same day number `months` later, clamped to the month's end (2002-11-30 + 3 = 2003-02-28)."""
    result: date = day + relativedelta(months=months)
    return result


def add_years(day: date, years: int) -> date:
    """Same day `years` later, clamped (2004-02-29 + 1 year = 2005-02-28)."""
    return add_months(day, 12 * years)


def day_before(day: date) -> date:
    return day - ONE_DAY


def day_after(day: date) -> date:
    return day + ONE_DAY


@lru_cache(maxsize=256)
def _nyse_closures(year: int) -> frozenset[date]:
    # Observed holidays and special closures (2001-09-11..14, 2004-06-11, 2007-01-02, ...).
    # Imported here: the package loads every country's calendars (a tenth of a second
    # of each Lambda cold start), and most runs never ask for a trading day.
    import holidays

    return frozenset(holidays.financial_holidays("NYSE", years=year).keys())


def is_trading_day(day: date) -> bool:
    """A day the New York Stock Exchange is open."""
    return day.weekday() < 5 and day not in _nyse_closures(day.year)


def next_trading_day_on_or_after(day: date) -> date:
    while not is_trading_day(day):
        day += ONE_DAY
    return day


def first_business_day_of_january(year: int) -> date:
    return next_trading_day_on_or_after(date(year, 1, 1))


def first_business_day_of_nth_january_after(day: date, nth: int) -> date:
    """The first business day of the nth January following `day` (Directors §7(b)(i)
    uses the third: award 2000-01-03 -> 2003-01-02)."""
    return first_business_day_of_january(day.year + nth)
