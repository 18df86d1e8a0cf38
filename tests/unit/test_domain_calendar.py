"""Calendar rules (docs/plan-rules.md "Calendar and dates"; Directors §7(a), §7(b)(i);
1998 §6.a.(5))."""

from __future__ import annotations

from datetime import date

import pytest

from stockplan.domain.calendar import (
    add_months,
    add_years,
    day_after,
    day_before,
    first_business_day_of_january,
    first_business_day_of_nth_january_after,
    is_trading_day,
    next_trading_day_on_or_after,
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # 2002-11-30 + 3 months: February 2003 has no 30th -> its last day, the 28th.
        pytest.param(date(2002, 11, 30), 3, date(2003, 2, 28), id="rules-example-nov30-plus-3"),
        pytest.param(date(2003, 11, 30), 3, date(2004, 2, 29), id="leap-year-feb-29"),
        pytest.param(date(2001, 5, 31), 1, date(2001, 6, 30), id="31st-into-30-day-month"),
        pytest.param(date(2001, 1, 15), 3, date(2001, 4, 15), id="plain-same-day"),
        pytest.param(date(2001, 10, 31), 3, date(2002, 1, 31), id="across-year-end"),
        pytest.param(date(2001, 1, 31), 0, date(2001, 1, 31), id="zero-months"),
    ],
)
def test_1998_6a5B_directors_6i_three_months_clamped(
    start: date, months: int, expected: date
) -> None:
    """'Three months' (1998 §6.a.(5)(B), Directors §6(i)) = same day number, else month end."""
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        # 2005 is no leap year: 2004-02-29 + 1 year -> 2005-02-28.
        pytest.param(date(2004, 2, 29), 1, date(2005, 2, 28), id="rules-example-feb29-plus-1y"),
        pytest.param(date(2004, 2, 29), 4, date(2008, 2, 29), id="leap-to-leap"),
        pytest.param(date(1999, 7, 27), 5, date(2004, 7, 27), id="formula-5-years-directors-6d"),
        pytest.param(date(2002, 5, 31), 1, date(2003, 5, 31), id="death-1-year"),
    ],
)
def test_1998_6a5A_directors_6d_6h_years_clamped(start: date, years: int, expected: date) -> None:
    """'One year' (1998 §6.a.(5)(A), Directors §6(h)) and 'five years' (§6(d)), clamped."""
    assert add_years(start, years) == expected


@pytest.mark.parametrize(
    ("day", "before", "after"),
    [
        pytest.param(date(2003, 3, 1), date(2003, 2, 28), date(2003, 3, 2), id="march-1-non-leap"),
        pytest.param(date(2004, 3, 1), date(2004, 2, 29), date(2004, 3, 2), id="march-1-leap"),
        pytest.param(date(2000, 1, 1), date(1999, 12, 31), date(2000, 1, 2), id="new-year"),
    ],
)
def test_directors_6c_day_before_and_after(day: date, before: date, after: date) -> None:
    """'The day before the date the option is granted' (Directors §6(c)) is a calendar day."""
    assert day_before(day) == before
    assert day_after(day) == after


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        pytest.param(date(2001, 9, 10), True, id="2001-09-10-monday-open"),
        pytest.param(date(2001, 9, 11), False, id="2001-09-11-closed"),
        pytest.param(date(2001, 9, 12), False, id="2001-09-12-closed"),
        pytest.param(date(2001, 9, 13), False, id="2001-09-13-closed"),
        pytest.param(date(2001, 9, 14), False, id="2001-09-14-closed"),
        pytest.param(date(2001, 9, 17), True, id="2001-09-17-reopened"),
        pytest.param(date(2004, 6, 11), False, id="2004-06-11-reagan-funeral"),
        pytest.param(date(2007, 1, 2), False, id="2007-01-02-ford-mourning"),
        pytest.param(date(2004, 7, 5), False, id="july-4-sunday-observed-monday"),
        pytest.param(date(2006, 1, 2), False, id="new-year-sunday-observed-monday"),
        # NYSE does not close on Friday 2004-12-31 for a Saturday New Year's Day.
        pytest.param(date(2004, 12, 31), True, id="no-friday-close-for-saturday-new-year"),
        pytest.param(date(2002, 12, 25), False, id="christmas"),
        pytest.param(date(2003, 4, 18), False, id="good-friday"),
        pytest.param(date(2003, 4, 19), False, id="saturday"),
        pytest.param(date(2003, 4, 20), False, id="sunday"),
        pytest.param(date(2003, 4, 21), True, id="ordinary-monday"),
    ],
)
def test_directors_6c_7a_trading_days_nyse(day: date, open_: bool) -> None:
    """Business/trading day = NYSE open day with observed holidays and special closures."""
    assert is_trading_day(day) is open_


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2001, 9, 11), date(2001, 9, 17), id="after-9-11-closures"),
        pytest.param(date(2001, 9, 10), date(2001, 9, 10), id="open-day-itself"),
        pytest.param(date(2004, 6, 11), date(2004, 6, 14), id="reagan-friday-to-monday"),
    ],
)
def test_directors_6c_next_trading_day(day: date, expected: date) -> None:
    """The first NYSE open day on or after a day."""
    assert next_trading_day_on_or_after(day) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # Jan 1 2006 is a Sunday, observed Monday Jan 2 -> Tuesday Jan 3.
        pytest.param(2006, date(2006, 1, 3), id="2006-observed-new-year"),
        # Jan 1 2007 holiday, Jan 2 2007 closed for President Ford -> Jan 3.
        pytest.param(2007, date(2007, 1, 3), id="2007-ford-closure"),
        pytest.param(2000, date(2000, 1, 3), id="2000-saturday-new-year"),
        pytest.param(2003, date(2003, 1, 2), id="2003-wednesday-new-year"),
    ],
)
def test_directors_7a_first_business_day_of_january(year: int, expected: date) -> None:
    """Annual Fee priced 'on the first business day of the calendar year' (Directors §7(a))."""
    assert first_business_day_of_january(year) == expected


@pytest.mark.parametrize(
    ("award_date", "expected"),
    [
        # Januaries following 2000-01-03: 2001, 2002, 2003; first NYSE day of 2003 = Jan 2.
        pytest.param(date(2000, 1, 3), date(2003, 1, 2), id="rules-example-2000-01-03"),
        pytest.param(date(2001, 2, 14), date(2004, 1, 2), id="meeting-fee-2001"),
        pytest.param(date(2003, 12, 31), date(2006, 1, 3), id="into-observed-2006"),
        pytest.param(date(2004, 6, 1), date(2007, 1, 3), id="into-ford-2007"),
    ],
)
def test_directors_7b_i_first_business_day_of_third_january(
    award_date: date, expected: date
) -> None:
    """Directors §7(b)(i): issued on the first business day of the third January following."""
    assert first_business_day_of_nth_january_after(award_date, 3) == expected
