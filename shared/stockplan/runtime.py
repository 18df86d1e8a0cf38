"""Wiring for the Lambda handlers: settings and AWS clients, created once per container,
and each use case's dependencies (stockplan.entry runs the use cases with them).

The settings are validated (stockplan.config.Settings, pydantic) when the container's
first invocation builds the runtime: a misconfigured function fails at once, before it
reads anything. Tests and the local runner hand in their own `Runtime` (clients on the
embedded AWS) through `use_runtime`; nothing else creates clients.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from stockplan.config import Settings
from stockplan.data.aws import S3FeedStore, SesMailer, SqsChunkQueue, SqsDeadLetters
from stockplan.data.table import Table
from stockplan.plantime import plan_day

if TYPE_CHECKING:  # each handler imports only the use case it runs (cold start)
    from stockplan.service.bounces import BounceDeps
    from stockplan.service.daily import DailyDeps
    from stockplan.service.feeds import FeedDeps
    from stockplan.service.outbox import OutboxDeps


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

    def chunk_queue(self) -> SqsChunkQueue | None:
        url = self.settings.chunk_queue_url
        return None if not url else SqsChunkQueue(self.sqs, url)

    def feed_deps(self, table: Table) -> FeedDeps:
        from stockplan.service.feeds import FeedDeps

        return FeedDeps(table, self.feed_store(), self.settings, chunks=self.chunk_queue())

    def daily_deps(self, table: Table) -> DailyDeps:
        from stockplan.service.daily import DailyDeps

        return DailyDeps(table, self.settings, self.feed_store())

    def bounce_deps(self, table: Table) -> BounceDeps:
        from stockplan.service.bounces import BounceDeps

        return BounceDeps(table, self.settings)

    def outbox_deps(self, table: Table) -> OutboxDeps:
        from stockplan.service.outbox import OutboxDeps

        return OutboxDeps(table, self.mailer(), self.settings, self.dead_letters())

    def plan_day(self, moment: str) -> date:
        """The calendar day of an event time in the plan's time zone (docs/interfaces.md §2)."""
        return plan_day(moment)


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
