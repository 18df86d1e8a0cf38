"""The plan's time zone (docs/plan-rules.md "Plan time zone"): the one place where a moment
becomes a plan day, or a plan day and hour a moment.

The zone's name is a plan reading and lives with the others in
stockplan.domain.plans; its rules (daylight saving included) come from the IANA
database: the system's, or the `tzdata` package the layer ships where a system has none.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from stockplan.domain.plans import PLAN_TIMEZONE

__all__ = ["PLAN_TIMEZONE", "at_hour", "plan_day", "plan_today", "plan_zone"]


@cache
def plan_zone() -> ZoneInfo:
    return ZoneInfo(PLAN_TIMEZONE)


def plan_day(moment: str | datetime) -> date:
    """The calendar day of an instant (an ISO 8601 event time, `Z` or an offset) in the
    plan's time zone (docs/interfaces.md §2)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(plan_zone()).date()


def at_hour(day: date, hour: int) -> datetime:
    """`hour`:00 of `day` in the plan's time zone."""
    return datetime.combine(day, time(hour), tzinfo=plan_zone())


def plan_today() -> date:
    return datetime.now(plan_zone()).date()
