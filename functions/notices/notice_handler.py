"""Every 15 minutes -> retry the outbox notices a failed send left pending."""

from __future__ import annotations

from stockplan.coldstart import imports_done, pause_collection

pause_collection()  # until imports_done() below: see stockplan.coldstart

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from stockplan.metrics import OLDEST_PENDING_NOTICE_AGE
from stockplan.runtime import runtime
from stockplan.service.outbox import dispatch, oldest_pending_age

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
    deps = rt.outbox_deps(rt.table())
    outcome = dispatch(deps, None, context.get_remaining_time_in_millis)
    # What is still pending after the sweep, by age (0: none); alarmed past an hour.
    oldest = oldest_pending_age(deps)
    metrics.add_metric("NoticesSent", MetricUnit.Count, len(outcome.sent))
    metrics.add_metric("NoticesDeadLettered", MetricUnit.Count, len(outcome.dead))
    metrics.add_metric(OLDEST_PENDING_NOTICE_AGE, MetricUnit.Seconds, oldest)
    logger.info(
        "outbox retried",
        extra={
            "sent": len(outcome.sent),
            "retrying": len(outcome.retrying),
            "dead": len(outcome.dead),
            "deferred": len(outcome.deferred),
            "oldest_pending_seconds": oldest,
        },
    )
    return {
        "sent": len(outcome.sent),
        "retrying": len(outcome.retrying),
        "dead": len(outcome.dead),
        "deferred": len(outcome.deferred),
    }
