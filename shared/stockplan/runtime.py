"""Wiring for the Lambda handlers: settings and AWS clients, created once per container,
and the one function each handler calls with its parsed event (the use case, its
notices sent, its metrics and its log line).

The settings are validated (stockplan.config.Settings, pydantic) when the container's
first invocation builds the runtime: a misconfigured function fails at once, before it
reads anything. Tests and the local runner hand in their own `Runtime` (clients on the
embedded AWS) through `use_runtime`; nothing else creates clients.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from stockplan.config import Settings
from stockplan.data.aws import S3FeedStore, SesMailer, SqsDeadLetters
from stockplan.data.table import Table
from stockplan.metrics import DAILY_JOB_COMPLETED, OLDEST_PENDING_NOTICE_AGE
from stockplan.observability import count, logger, seconds
from stockplan.service.bounces import BounceDeps, record_feedback
from stockplan.service.daily import DailyDeps, run_daily
from stockplan.service.feeds import FeedDeps, process_upload
from stockplan.service.outbox import OutboxDeps, dispatch, oldest_pending_age

if TYPE_CHECKING:
    from stockplan.events import S3Upload, SesFeedback

TimeLeft = Callable[[], int]


@dataclass
class Runtime:
    settings: Settings
    dynamodb: Any
    s3: Any
    ses: Any
    sqs: Any

    @classmethod
    def from_env(cls) -> Runtime:
        import boto3
        from botocore.config import Config

        # Standard retries back off exponentially on throttling (SES, DynamoDB).
        config = Config(retries={"mode": "standard", "max_attempts": 5})
        return cls(
            settings=Settings.from_env(dict(os.environ)),
            dynamodb=boto3.client("dynamodb", config=config),
            s3=boto3.client("s3", config=config),
            ses=boto3.client("sesv2", config=config),
            sqs=boto3.client("sqs", config=config),
        )

    def table(self) -> Table:
        return Table(self.dynamodb, self.settings.table_name)

    def feed_store(self) -> S3FeedStore:
        return S3FeedStore(self.s3, self.settings.bucket_name)

    def mailer(self) -> SesMailer:
        return SesMailer(self.ses)

    def dead_letters(self) -> SqsDeadLetters | None:
        url = self.settings.notice_dlq_url
        return None if not url else SqsDeadLetters(self.sqs, url)

    def feed_deps(self, table: Table) -> FeedDeps:
        return FeedDeps(table, self.feed_store(), self.settings)

    def daily_deps(self, table: Table) -> DailyDeps:
        return DailyDeps(table, self.settings)

    def bounce_deps(self, table: Table) -> BounceDeps:
        return BounceDeps(table, self.settings)

    def outbox_deps(self, table: Table) -> OutboxDeps:
        return OutboxDeps(table, self.mailer(), self.settings, self.dead_letters())

    def plan_day(self, moment: str) -> date:
        """The calendar day of an event time in the plan's time zone (interfaces.md §2)."""
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        return parsed.astimezone(ZoneInfo(self.settings.plan_timezone)).date()


_current: Runtime | None = None


def runtime() -> Runtime:
    global _current
    if _current is None:
        _current = Runtime.from_env()
    return _current


def use_runtime(value: Runtime | None) -> None:
    """Hand in a runtime (tests, the local runner); None goes back to the environment."""
    global _current
    _current = value


# --- the use cases as the handlers run them ----------------------------------------------


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
        )
        sent = dispatch(rt.outbox_deps(table), outcome.notice_ids, time_left)
        figures = {
            "accepted": outcome.accepted,
            "unchanged": outcome.unchanged,
            "rejected": outcome.rejected,
        }
        count(
            RowsAccepted=outcome.accepted,
            RowsUnchanged=outcome.unchanged,
            RowsRejected=outcome.rejected,
            NoticesSent=len(sent.sent),
            NoticesDeferred=len(sent.deferred),
        )
        logger.info(
            "feed processed",
            extra={
                "status": outcome.status,
                "kind": outcome.kind,
                **figures,
                "notices_sent": len(sent.sent),
                "notices_deferred": len(sent.deferred),
            },
        )
        results.append(
            {
                "key": upload.key,
                "status": outcome.status,
                **figures,
                "file_reason": outcome.file_reason,
            }
        )
    return {"files": results}


def daily_job(event_time: str, time_left: TimeLeft) -> dict[str, Any]:
    """DailyFunction: the daily job for the plan day of the schedule's time."""
    rt = runtime()
    table = rt.table()
    day = rt.plan_day(event_time)
    logger.set_correlation_id(day.isoformat())
    outcome = run_daily(rt.daily_deps(table), day, rt.outbox_deps(table), time_left)
    count(
        AwardsExpired=outcome.applied.get("expiry", 0),
        NoticesSent=outcome.sent,
        NoticesDeferred=outcome.deferred,
    )
    # The heartbeat: only a run that got here completed (its alarm: 26 hours without one).
    count(**{DAILY_JOB_COMPLETED: 1})
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


def delivery_feedback(feedback: Iterable[SesFeedback], time_left: TimeLeft) -> dict[str, Any]:
    """BounceFunction: mark each bounced or complained-of notice, tell the administrator."""
    rt = runtime()
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
