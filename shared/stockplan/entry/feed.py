"""The FeedFunction's use case as its handler calls it with the parsed event: run
with the runtime's dependencies, its notices sent, its metrics and its log line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stockplan.entry.figures import report_rows
from stockplan.events import S3Upload
from stockplan.observability import TimeLeft, logger
from stockplan.runtime import runtime
from stockplan.service.feeds import process_upload
from stockplan.service.outbox import dispatch


def feed_files(uploads: Iterable[S3Upload], time_left: TimeLeft) -> dict[str, Any]:
    """FeedFunction: run each uploaded feed file, then send its notices."""
    rt = runtime()
    table = rt.table()
    results = []
    for upload in uploads:
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
            uploader=upload.uploader,
        )
        sent = dispatch(rt.outbox_deps(table), outcome.notice_ids, time_left)
        report_rows("feed processed", outcome, sent, kind=outcome.kind)
        results.append(
            {
                "key": upload.key,
                "status": outcome.status,
                "accepted": outcome.accepted,
                "unchanged": outcome.unchanged,
                "history": outcome.history,
                "rejected": outcome.rejected,
                "file_reason": outcome.file_reason,
            }
        )
    return {"files": results}
