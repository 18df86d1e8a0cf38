"""What the FeedFunction and the ChunkFunction both report about the rows they applied."""

from __future__ import annotations

from typing import Any

from stockplan.observability import count, logger
from stockplan.service.feeds import FeedOutcome
from stockplan.service.outbox import DispatchOutcome


def report_rows(message: str, outcome: FeedOutcome, sent: DispatchOutcome, **extra: Any) -> None:
    """The metrics and the log line of a feed file or a chunk of one (the same figures,
    so the dashboards add them up)."""
    count(
        RowsAccepted=outcome.accepted,
        RowsUnchanged=outcome.unchanged,
        RowsRejected=outcome.rejected,
        RowsFailed=len(outcome.row_errors),
        NoticesSent=len(sent.sent),
        NoticesDeferred=len(sent.deferred),
    )
    logger.info(
        message,
        extra={
            **extra,
            "status": outcome.status,
            "accepted": outcome.accepted,
            "unchanged": outcome.unchanged,
            "rejected": outcome.rejected,
            # Rows rejected because an error of their own stopped them (row number and
            # error type only): what the operators look into.
            "row_errors": outcome.row_errors,
            "notices_sent": len(sent.sent),
            "notices_deferred": len(sent.deferred),
        },
    )
