"""The ChunkFunction's use case as its handler calls it with the SQS event: each chunk
of a fanned-out feed file applied (issue 13), its notices sent, its metrics and its log
line. A failed chunk is reported alone (ReportBatchItemFailures): SQS delivers it again
and the others of the batch are done. A message of the chunk queue's dead-letter queue
is a chunk that failed for good, however it died: its file is closed without it."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from stockplan.entry.figures import report_rows
from stockplan.metrics import CHUNKS_FAILED
from stockplan.observability import TimeLeft, count, logger
from stockplan.runtime import runtime
from stockplan.service.chunks import Chunk, chunk_dead, chunk_failed, process_chunk
from stockplan.service.outbox import dispatch


def chunk_messages(event: dict[str, Any], context: Any, time_left: TimeLeft) -> dict[str, Any]:
    """ChunkFunction: apply each queued chunk; the batch item failures for SQS."""

    def one(record: SQSRecord) -> None:
        _chunk(record, time_left)

    processor = BatchProcessor(event_type=EventType.SQS)
    response = process_partial_response(
        event=event, record_handler=one, processor=processor, context=context
    )
    return dict(response)


def _chunk(record: SQSRecord, time_left: TimeLeft) -> None:
    rt = runtime()
    table = rt.table()
    chunk = Chunk.from_message(json.loads(record.body))
    logger.set_correlation_id(chunk.key)
    deps = rt.feed_deps(table)
    dead_letters = rt.settings.chunk_dead_letter_arn
    if dead_letters is not None and record.event_source_arn == dead_letters:
        outcome = chunk_dead(deps, chunk)
        sent = dispatch(rt.outbox_deps(table), outcome.notice_ids, time_left)
        if outcome.status != "duplicate":
            count(**{CHUNKS_FAILED: 1})
        report_rows("chunk dead-lettered", outcome, sent, chunk=chunk.number, chunks=chunk.chunks)
        return
    try:
        outcome = process_chunk(deps, chunk)
    except Exception as error:
        receives = int(record.attributes.approximate_receive_count or "1")
        if receives >= rt.settings.chunk_max_receives:
            # Its last receive: the message goes to the dead-letter queue (alarmed),
            # and the file's summary names the rows it leaves unapplied.
            outcome = chunk_failed(deps, chunk, type(error).__name__)
            dispatch(rt.outbox_deps(table), outcome.notice_ids, time_left)
            count(**{CHUNKS_FAILED: 1})
        raise
    sent = dispatch(rt.outbox_deps(table), outcome.notice_ids, time_left)
    count(ChunksApplied=1)
    report_rows("chunk processed", outcome, sent, chunk=chunk.number, chunks=chunk.chunks)
