"""The NoticeFunction's use case as its handler calls it with the parsed event: run
with the runtime's dependencies, its notices sent, its metrics and its log line."""

from __future__ import annotations

from typing import Any

from stockplan.metrics import OLDEST_PENDING_NOTICE_AGE
from stockplan.observability import TimeLeft, count, logger, seconds
from stockplan.runtime import runtime
from stockplan.service.outbox import dispatch, oldest_pending_age


def notice_sweep(time_left: TimeLeft) -> dict[str, Any]:
    """NoticeFunction: send every notice still pending (a failed send's retry)."""
    rt = runtime()
    deps = rt.outbox_deps(rt.table())
    outcome = dispatch(deps, None, time_left)
    # What is still pending after the sweep, by age (0: none); alarmed past an hour.
    oldest = oldest_pending_age(deps)
    figures = {
        "sent": len(outcome.sent),
        "retrying": len(outcome.retrying),
        "dead": len(outcome.dead),
        "deferred": len(outcome.deferred),
    }
    count(NoticesSent=figures["sent"], NoticesDeadLettered=figures["dead"])
    seconds(OLDEST_PENDING_NOTICE_AGE, oldest)
    logger.info("outbox retried", extra={**figures, "oldest_pending_seconds": oldest})
    return figures
