"""The BounceFunction's use case as its handler calls it with the parsed event: run
with the runtime's dependencies, its notices sent, its metrics and its log line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stockplan.events import SesFeedback, ses_feedback
from stockplan.observability import TimeLeft, count, logger
from stockplan.runtime import runtime
from stockplan.service.bounces import record_feedback
from stockplan.service.outbox import dispatch


def delivery_feedback(event: dict[str, Any], time_left: TimeLeft) -> dict[str, Any]:
    """BounceFunction: mark each bounced or complained-of notice, tell the administrator.
    Only Notifications of the stack's own feedback topic are read; any other record is
    refused, counted and logged by number and reason (its message is not read)."""
    rt = runtime()
    parsed = ses_feedback(event, rt.settings.feedback_topic_arn)
    if parsed.refused:
        count(FeedbackRefused=len(parsed.refused))
        logger.warning(
            "SNS records refused: not a Notification of the stack's feedback topic",
            extra={"refused": [{"record": r.number, "reason": r.reason} for r in parsed.refused]},
        )
    result = _record(rt, parsed.feedback, time_left)
    result["refused"] = len(parsed.refused)
    return result


def _record(rt: Any, feedback: Iterable[SesFeedback], time_left: TimeLeft) -> dict[str, Any]:
    table = rt.table()
    results = []
    alerts = []
    for one in feedback:
        # SES's id of the bounce: it names no one.
        logger.set_correlation_id(one.feedback_id)
        outcome = record_feedback(rt.bounce_deps(table), one, rt.plan_day(one.timestamp))
        if outcome.alert_id is not None:
            alerts.append(outcome.alert_id)
        results.append(
            {"notice_id": outcome.notice_id, "status": outcome.status, "delivery": outcome.delivery}
        )
    sent = dispatch(rt.outbox_deps(table), alerts, time_left)
    statuses = [r["status"] for r in results]
    deliveries = [r["delivery"] for r in results if r["status"] == "recorded"]
    count(
        NoticesBounced=deliveries.count("bounced"),
        NoticesComplained=deliveries.count("complained"),
        FeedbackUnmatched=statuses.count("unmatched"),
        NoticesSent=len(sent.sent),
    )
    logger.info(
        "bounces and complaints recorded",
        extra={
            "feedback": results,  # notice ids and outcomes only: no address
            "alerts_sent": len(sent.sent),
            "alerts_deferred": len(sent.deferred),
        },
    )
    return {"feedback": results, "alerts_sent": len(sent.sent)}
