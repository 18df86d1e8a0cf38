"""What the use cases need of AWS besides the table, as small ports (typing.Protocol).

The boto3 implementations are in stockplan.data.aws, the in-memory ones (unit tests, no
AWS at all) in stockplan_cli.memory. The use cases see these intents only: no client,
no request shape, no botocore error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class FeedObject:
    """An uploaded feed file as read: its stored length, and its bytes (at most the
    limit and one more), or None when the stored length alone is over the limit."""

    size: int
    body: bytes | None


class FeedStore(Protocol):
    """The feed bucket (S3): uploaded files in, reports (errors CSVs) out."""

    def read(self, bucket: str, key: str, version_id: str | None, limit: int) -> FeedObject:
        """One object version (the latest without `version_id`), never reading more
        than `limit` + 1 bytes."""
        ...

    def write(self, key: str, body: str | bytes, content_type: str) -> None:
        """Write a report object into the stack's bucket."""
        ...


class SendFailed(Exception):
    """The mail service refused or failed a send; `code` names why (no address)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Mailer(Protocol):
    """The mail service (SES v2): sends one raw MIME message."""

    def send(
        self, sender: str, recipient: str, raw: bytes, configuration_set: str | None
    ) -> str | None:
        """The message id the service gave the message; SendFailed when it did not
        take it."""
        ...


class DeadLetters(Protocol):
    """Where a notice that failed every send attempt is reported (SQS, alarmed)."""

    def send(self, message: dict[str, Any]) -> None: ...


class ChunkQueue(Protocol):
    """Where the chunks of a large feed file are queued for the ChunkFunction (SQS)."""

    def send(self, messages: list[dict[str, Any]]) -> None:
        """Queue each message (a JSON object) once; raises when one was not taken."""
        ...
