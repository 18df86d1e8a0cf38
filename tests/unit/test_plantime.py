"""The plan time zone, in one place (docs/plan-rules.md "Plan time zone"; docs/interfaces.md §2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from stockplan.domain.plans import PLAN_TIMEZONE
from stockplan.plantime import at_hour, plan_day, plan_today, plan_zone


def test_the_plan_time_zone_is_new_york() -> None:
    assert PLAN_TIMEZONE == "America/New_York"
    assert plan_zone().key == PLAN_TIMEZONE


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # EST (UTC-5): 04:59Z is still the evening before in New York.
        ("2003-03-02T04:59:59Z", date(2003, 3, 1)),
        ("2003-03-02T05:00:00Z", date(2003, 3, 2)),
        # EDT (UTC-4) in July.
        ("2003-07-02T03:59:59+00:00", date(2003, 7, 1)),
        ("2003-07-02T04:00:00.000Z", date(2003, 7, 2)),
        # An offset other than UTC is honoured.
        ("2003-07-01T23:30:00-05:00", date(2003, 7, 2)),
    ],
)
def test_an_event_time_is_read_as_its_day_in_new_york(moment: str, day: date) -> None:
    assert plan_day(moment) == day
    assert plan_day(datetime.fromisoformat(moment.replace("Z", "+00:00"))) == day


def test_nine_in_the_morning_follows_daylight_saving() -> None:
    assert at_hour(date(2007, 3, 10), 9).astimezone(UTC).hour == 14
    assert at_hour(date(2007, 3, 11), 9).astimezone(UTC).hour == 13


def test_today_is_the_new_york_day_of_now() -> None:
    now = datetime.now(UTC)
    assert plan_today() in {plan_day(now), plan_day(now + timedelta(seconds=5))}
