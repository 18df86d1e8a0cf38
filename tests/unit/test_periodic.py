"""When periodic mail falls due and the monthly report's figures (docs/interfaces.md §4;
docs/plan-rules.md "Calendar and dates": a business day is a day the NYSE is open)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from stockplan.domain.model import Award, AwardType, PlanCode
from stockplan.domain.periodic import (
    Month,
    PoolFigures,
    by_cause,
    first_business_day,
    first_business_week,
    next_periodic_day,
    pool_series,
    report_month,
    statement_year,
)
from stockplan.notices.chart import PLOT_HEIGHT, TOP, bars, nice_ceiling
from stockplan.service.periodic import report_csv, section_rows
from stockplan.service.report import State, upcoming
from stockplan_cli.notice_samples import monthly_report_document


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        # 2007-01-01 New Year's Day, 2007-01-02 closed in mourning for President Ford.
        pytest.param(Month(2007, 1), date(2007, 1, 3), id="2007-01-ford-closure"),
        pytest.param(Month(2006, 1), date(2006, 1, 3), id="2006-01-new-year-observed-monday"),
        pytest.param(Month(2001, 9), date(2001, 9, 4), id="2001-09-labor-day"),
        pytest.param(Month(2002, 6), date(2002, 6, 3), id="2002-06-weekend"),
        pytest.param(Month(2004, 7), date(2004, 7, 1), id="2004-07-a-thursday"),
    ],
)
def test_first_business_day_is_the_first_nyse_trading_day(month: Month, expected: date) -> None:
    assert first_business_day(month) == expected


def test_first_business_week_runs_from_the_first_business_day_to_its_friday() -> None:
    assert first_business_week(2007) == (date(2007, 1, 3), date(2007, 1, 5))
    assert first_business_week(2003) == (date(2003, 1, 2), date(2003, 1, 3))
    assert first_business_week(2001) == (date(2001, 1, 2), date(2001, 1, 5))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2007, 1, 2), None),  # before January's first business day: December waits
        (date(2007, 1, 3), Month(2006, 12)),
        (date(2007, 1, 20), Month(2006, 12)),  # a late run still owes December's report
        (date(2002, 4, 1), Month(2002, 3)),
        (date(2002, 3, 31), Month(2002, 2)),
    ],
)
def test_the_monthly_report_is_due_from_the_first_business_day_of_the_next_month(
    day: date, expected: Month | None
) -> None:
    assert report_month(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2007, 1, 2), None),
        (date(2007, 1, 3), 2007),
        (date(2007, 1, 31), 2007),  # a missed first business week is caught up in January
        (date(2007, 2, 1), None),  # a system started later in the year waits for the next
        (date(2007, 7, 2), None),
    ],
)
def test_annual_statements_are_due_from_the_first_business_day_of_january(
    day: date, expected: int | None
) -> None:
    assert statement_year(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2006, 12, 15), date(2007, 1, 3)),
        (date(2007, 1, 1), date(2007, 1, 3)),
        (date(2007, 1, 3), date(2007, 2, 1)),
        (date(2001, 8, 31), date(2001, 9, 4)),
    ],
)
def test_the_next_periodic_day_keeps_a_quiet_run_from_skipping_a_first_business_day(
    day: date, expected: date
) -> None:
    assert next_periodic_day(day) == expected


def test_months_count_back_across_years() -> None:
    assert Month(2003, 1).back(1) == Month(2002, 12)
    assert Month(2003, 1).back(24) == Month(2001, 1)
    assert Month(2002, 12).next() == Month(2003, 1)
    assert Month(2004, 2).last_day == date(2004, 2, 29)
    assert str(Month.parse("2002-03")) == "2002-03"


def test_pool_series_is_24_months_oldest_first_with_gaps_where_nothing_was_kept() -> None:
    kept = {Month(2002, 12): PoolFigures(2250000, 900, 100), Month(2001, 6): PoolFigures(5, 1, 1)}
    series = pool_series(kept, Month(2002, 12))
    assert len(series) == 24
    assert series[0].month == Month(2001, 1) and series[-1].month == Month(2002, 12)
    assert [p.month for p in series if p.figures is not None] == [Month(2001, 6), Month(2002, 12)]
    assert series[-1].figures is not None and series[-1].figures.available == 2250000 - 1000


def test_chart_bars_are_in_proportion_to_the_pool_figures() -> None:
    """1998 §4.a: delivered and outstanding both use the reserve; the chart stacks them."""
    series = pool_series(
        {Month(2002, 12): PoolFigures(1000, 300, 100), Month(2002, 11): PoolFigures(1000, 0, 0)},
        Month(2002, 12),
    )
    drawn, top = bars(series)
    assert top == 500 and len(drawn) == 24
    last = drawn[-1]
    assert last.outstanding_h == pytest.approx(3 * last.delivered_h)
    assert last.figures == (1000, 300, 100, 600)
    assert drawn[-2].delivered_h == 0 and drawn[-2].outstanding_h == 0
    assert drawn[0].figures is None and drawn[0].reserved_y is None
    assert all(a.x < b.x for a, b in pairwise(drawn))


def test_chart_is_scaled_to_the_shares_in_use_not_to_a_far_larger_reserve() -> None:
    """1998 §4.a and Amendment No. 1: 30,000 shares used of 2,250,000 reserved. Scaled to
    the reserve the bars were about a pixel high; scaled to the use they fill most of the
    plot, and the reserve, above the scale, gets no tick (the report states it)."""
    series = pool_series({Month(2002, 12): PoolFigures(2250000, 20000, 10000)}, Month(2002, 12))
    drawn, top = bars(series)
    last = drawn[-1]
    assert top == 50000
    assert last.delivered_h + last.outstanding_h == pytest.approx(PLOT_HEIGHT * 30000 / 50000)
    assert last.reserved_y is None


def test_chart_keeps_the_reserve_tick_when_the_reserve_is_within_the_scale() -> None:
    """Directors §4(a): a pool nearly used up (190,000 of 200,000) is drawn against its
    reserve, which tops the axis."""
    series = pool_series({Month(2002, 12): PoolFigures(200000, 150000, 40000)}, Month(2002, 12))
    drawn, top = bars(series)
    assert top == 200000
    assert drawn[-1].reserved_y == pytest.approx(TOP)


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (1, 1), (7, 10), (30000, 50000), (12001, 20000), (2400, 2500), (100, 100)],
)
def test_chart_axis_tops_are_round_numbers(value: int, ceiling: int) -> None:
    assert nice_ceiling(value) == ceiling


def _award(award_id: str, deadline: date) -> Award:
    return Award(
        award_id=award_id,
        participant_id="E1",
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.NSO,
        grant_date=date(2000, 1, 3),
        shares_granted=100,
        exercise_price=Decimal("10"),
        final_exercise_date=deadline,
        exercise_deadline=deadline,
    )


def test_deadlines_of_the_next_90_days_include_the_90th_day_and_not_the_91st() -> None:
    made_on = date(2003, 1, 2)
    state = State(
        awards=[_award("IN", date(2003, 4, 2)), _award("OUT", date(2003, 4, 3))],
        deferred=[],
        pools={},
        people={"E1": {"name": "Ann Lee"}},
    )
    due = [d for d in upcoming(state, made_on, 90) if d["what"] == "exercise deadline"]
    assert [(d["ref"], d["day"], d["name"]) for d in due] == [("IN", "2003-04-02", "Ann Lee")]


def test_changes_are_grouped_by_cause_feeds_first_then_daily_rules_then_corrections() -> None:
    records = [
        {"day": "2002-12-20", "cause": {"kind": "daily", "rule": "expiry", "section": "x"}},
        {"day": "2002-12-23", "cause": {"kind": "correction", "request_id": "R-1", "action": "a"}},
        {"day": "2002-12-16", "cause": {"kind": "feed", "key": "incoming/grants/b.csv"}},
        {"day": "2002-12-17", "cause": {"kind": "feed", "key": "incoming/grants/a.csv"}},
        {"day": "2002-12-18", "cause": {"kind": "feed", "key": "incoming/grants/b.csv"}},
    ]
    groups = by_cause(records)
    assert [(g.kind, g.label, len(g.changes)) for g in groups] == [
        ("feed", "feed incoming/grants/a.csv", 1),
        ("feed", "feed incoming/grants/b.csv", 2),
        ("daily", "daily rule expiry (x)", 1),
        ("correction", "correction R-1 (a)", 1),
    ]


def test_the_report_csv_holds_every_row_of_every_section_once() -> None:
    document = monthly_report_document()
    rows = list(csv.DictReader(io.StringIO(report_csv(document).decode("utf-8-sig"))))
    expected = {name: len(r) for name, r in section_rows(document).items() if r}
    counted: dict[str, int] = {}
    for row in rows:
        counted[row["section"]] = counted.get(row["section"], 0) + 1
    assert counted == expected
    assert expected["pools"] == 48  # 24 months of each plan
    last = [r for r in rows if r["section"] == "pools" and r["month"] == "2002-12"]
    assert {r["plan"]: r["available"] for r in last} == {
        "incentive-1998": "930000",
        "directors-1999": "131000",
    }
    changes = [r for r in rows if r["section"] == "changes"]
    # One row per changed field: the expiry changed two.
    assert [(r["cause_kind"], r["field"]) for r in changes] == [
        ("feed", "shares_exercised"),
        ("daily", "shares_expired"),
        ("daily", "status"),
        ("decision", "exercise_deadline"),
    ]
    assert changes[2]["before"] == "outstanding" and changes[2]["after"] == "expired"


def test_report_states_a_reserve_above_the_chart_scale_in_words() -> None:
    """1998 §4.a: the sample's pools use far less than their reserves, so the report file
    draws no reserve tick and says the reserve in words instead."""
    from stockplan.service.periodic import render_report
    from stockplan_cli.notice_samples import monthly_report_document

    page = render_report(monthly_report_document())
    assert 'class="reserved"' not in page
    assert "reserve 2,250,000: above this scale" in page
    assert "reserve 200,000: above this scale" in page
