"""The DailyFunction's use case as its handler calls it with the parsed event: run
with the runtime's dependencies, its notices sent, its metrics and its log line."""

from __future__ import annotations

from typing import Any

from stockplan.metrics import DAILY_JOB_COMPLETED
from stockplan.observability import TimeLeft, count, logger
from stockplan.runtime import runtime
from stockplan.service.daily import run_daily


def daily_job(event_time: str, time_left: TimeLeft) -> dict[str, Any]:
    """DailyFunction: the daily job for the plan day of the schedule's time."""
    rt = runtime()
    table = rt.table()
    day = rt.plan_day(event_time)
    logger.set_correlation_id(day.isoformat())
    outcome = run_daily(rt.daily_deps(table), day, rt.outbox_deps(table), time_left)
    count(
        AwardsExpired=outcome.applied.get("expiry", 0),
        NoticesSent=outcome.sent,
        NoticesDeferred=outcome.deferred,
    )
    # The heartbeat: only a run that got here completed (its alarm: 26 hours without one).
    count(**{DAILY_JOB_COMPLETED: 1})
    logger.info(
        "daily job done",
        extra={
            "applied": outcome.applied,
            "quiet": outcome.quiet,
            "waiting": len(outcome.waiting),
            "notices_sent": outcome.sent,
            "notices_deferred": outcome.deferred,
        },
    )
    return {
        "day": day.isoformat(),
        "applied": outcome.applied,
        "waiting": outcome.waiting,
        "notices_sent": outcome.sent,
        "notices_retrying": outcome.retrying,
        "notices_dead": outcome.dead,
        "notices_deferred": outcome.deferred,
    }
