"""S3 ObjectCreated under incoming/<kind>/ -> run that feed (interfaces.md §1, §2)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.typing import LambdaContext

from stockplan.runtime import runtime
from stockplan.service.feeds import process_upload
from stockplan.service.outbox import dispatch

logger = Logger()
metrics = Metrics()
tracer = Tracer()


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    rt = runtime()
    table = rt.table()
    results = []
    for record in S3Event(event).records:
        # S3 URL-encodes the key in the event (a space arrives as '+'); the data class
        # hands it over as it is, so decode it before reading the object.
        key = unquote_plus(record.s3.get_object.key)
        logger.set_correlation_id(key)
        # The event's size lets a file over the limit be refused without reading it.
        size = record.s3.get_object.get("size")
        outcome = process_upload(
            rt.feed_deps(table),
            record.s3.bucket.name,
            key,
            rt.plan_day(record.event_time),
            record.s3.get_object.version_id,
            size=None if size is None else int(size),
            etag=record.s3.get_object.etag or None,
        )
        sent = dispatch(rt.outbox_deps(table), outcome.notice_ids)
        metrics.add_metric("RowsAccepted", MetricUnit.Count, outcome.accepted)
        metrics.add_metric("RowsRejected", MetricUnit.Count, outcome.rejected)
        metrics.add_metric("NoticesSent", MetricUnit.Count, len(sent.sent))
        logger.info(
            "feed processed",
            extra={
                "status": outcome.status,
                "kind": outcome.kind,
                "accepted": outcome.accepted,
                "rejected": outcome.rejected,
                "notices_sent": len(sent.sent),
            },
        )
        results.append(
            {
                "key": key,
                "status": outcome.status,
                "accepted": outcome.accepted,
                "rejected": outcome.rejected,
                "file_reason": outcome.file_reason,
            }
        )
    return {"files": results}
