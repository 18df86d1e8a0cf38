"""S3 ObjectCreated under incoming/<kind>/ -> run that feed (interfaces.md §1, §2)."""

from __future__ import annotations

from stockplan.coldstart import imports_done, pause_collection

pause_collection()  # until imports_done() below: see stockplan.coldstart

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from stockplan.events import s3_uploads
from stockplan.runtime import runtime
from stockplan.service.feeds import process_upload
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
    for upload in s3_uploads(event):
        logger.set_correlation_id(upload.key)
        # The event's size lets a file over the limit be refused without reading it.
        outcome = process_upload(
            rt.feed_deps(table),
            upload.bucket,
            upload.key,
            rt.plan_day(upload.event_time),
            upload.version_id,
            size=upload.size,
            etag=upload.etag,
            uploaded_at=upload.event_time,
        )
        sent = dispatch(
            rt.outbox_deps(table), outcome.notice_ids, context.get_remaining_time_in_millis
        )
        metrics.add_metric("RowsAccepted", MetricUnit.Count, outcome.accepted)
        metrics.add_metric("RowsUnchanged", MetricUnit.Count, outcome.unchanged)
        metrics.add_metric("RowsRejected", MetricUnit.Count, outcome.rejected)
        metrics.add_metric("NoticesSent", MetricUnit.Count, len(sent.sent))
        metrics.add_metric("NoticesDeferred", MetricUnit.Count, len(sent.deferred))
        logger.info(
            "feed processed",
            extra={
                "status": outcome.status,
                "kind": outcome.kind,
                "accepted": outcome.accepted,
                "unchanged": outcome.unchanged,
                "rejected": outcome.rejected,
                "notices_sent": len(sent.sent),
                "notices_deferred": len(sent.deferred),
            },
        )
        results.append(
            {
                "key": upload.key,
                "status": outcome.status,
                "accepted": outcome.accepted,
                "unchanged": outcome.unchanged,
                "rejected": outcome.rejected,
                "file_reason": outcome.file_reason,
            }
        )
    return {"files": results}
