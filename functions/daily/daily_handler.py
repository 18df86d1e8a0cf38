"""EventBridge schedule, once a day -> the daily job for that plan day (interfaces.md §2)."""

from __future__ import annotations

from stockplan.coldstart import imports_done, pause_collection

pause_collection()  # until imports_done() below: see stockplan.coldstart

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from stockplan.events import schedule_time
from stockplan.metrics import DAILY_JOB_COMPLETED
from stockplan.runtime import runtime
from stockplan.service.daily import run_daily

logger = Logger()
metrics = Metrics()
# Only botocore is patched: patching every library X-Ray knows imports requests,
# sqlite3 and others this code never uses (about 40 ms of cold start).
tracer = Tracer(patch_modules=["botocore"])
imports_done()


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    rt = runtime()
    table = rt.table()
    day = rt.plan_day(schedule_time(event))
    logger.set_correlation_id(day.isoformat())
    outcome = run_daily(
        rt.daily_deps(table), day, rt.outbox_deps(table), context.get_remaining_time_in_millis
    )
    metrics.add_metric("AwardsExpired", MetricUnit.Count, outcome.applied.get("expiry", 0))
    metrics.add_metric("NoticesSent", MetricUnit.Count, outcome.sent)
    metrics.add_metric("NoticesDeferred", MetricUnit.Count, outcome.deferred)
    # The heartbeat: only a run that got here completed (its alarm: 26 hours without one).
    metrics.add_metric(DAILY_JOB_COMPLETED, MetricUnit.Count, 1)
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
