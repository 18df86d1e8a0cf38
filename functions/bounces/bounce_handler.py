"""SES bounces and complaints of sent notices (SNS, from the notices' configuration set)
-> mark the notice undelivered and tell the administrator (once per bounce)."""

from __future__ import annotations

from stockplan.coldstart import imports_done, pause_collection

pause_collection()  # until imports_done() below: see stockplan.coldstart

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from stockplan.events import ses_feedback
from stockplan.runtime import runtime
from stockplan.service.bounces import record_feedback
from stockplan.service.outbox import dispatch

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
    results = []
    alerts = []
    for feedback in ses_feedback(event):
        # SES's id of the bounce: it names no one.
        logger.set_correlation_id(feedback.feedback_id)
        outcome = record_feedback(rt.bounce_deps(table), feedback, rt.plan_day(feedback.timestamp))
        if outcome.alert_id is not None:
            alerts.append(outcome.alert_id)
        results.append(
            {
                "notice_id": outcome.notice_id,
                "status": outcome.status,
                "delivery": outcome.delivery,
            }
        )
    sent = dispatch(rt.outbox_deps(table), alerts, context.get_remaining_time_in_millis)
    statuses = [r["status"] for r in results]
    deliveries = [r["delivery"] for r in results if r["status"] == "recorded"]
    metrics.add_metric("NoticesBounced", MetricUnit.Count, deliveries.count("bounced"))
    metrics.add_metric("NoticesComplained", MetricUnit.Count, deliveries.count("complained"))
    metrics.add_metric("FeedbackUnmatched", MetricUnit.Count, statuses.count("unmatched"))
    metrics.add_metric("NoticesSent", MetricUnit.Count, len(sent.sent))
    logger.info(
        "bounces and complaints recorded",
        extra={
            "feedback": results,  # notice ids and outcomes only: no address
            "alerts_sent": len(sent.sent),
            "alerts_deferred": len(sent.deferred),
        },
    )
    return {"feedback": results, "alerts_sent": len(sent.sent)}
