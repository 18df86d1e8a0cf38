"""The in-memory engine of `stockplan simulate` (`--engine memory`, the default): S3,
SQS, SES v2 and SNS as small in-memory services answering the boto3 calls this code
makes, in boto3's shapes and with its errors (botocore's ClientError, the codes AWS
and moto give), and the table as `stockplan_cli.memory.MemoryTable` behind the
Runtime's port. The handlers, the use cases and the data layer's boto3 adapters run
on them unchanged: they cannot tell this engine from moto's
(tests/integration/test_memory_engine_differential.py holds the two equal).

What each service keeps, because this code relies on it:
- S3: every version of every object (a versioned bucket), its ETag (the MD5 of the
  body, in quotes) and version id; reads of a version or of the latest.
- SQS: message order, receive counts, visibility (a message received is invisible
  until its timeout passes or is changed), delete by receipt handle, and the redrive
  policy's move to the dead-letter queue on the receive after maxReceiveCount.
- SES v2: verified identities (a sender not verified is refused), the raw message as
  sent, and the account's sending rate (a send over it is throttled) when one is set.
"""

from __future__ import annotations

import email
import hashlib
import io
import itertools
import json
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr
from typing import Any

from botocore.exceptions import ClientError

from stockplan.config import Settings
from stockplan.data.table import Table
from stockplan.runtime import Runtime
from stockplan_cli.memory import MemoryTable

ACCOUNT = "123456789012"
REGION = "us-east-1"
Clock = Callable[[], float]


def _error(code: str, message: str, operation: str, status: int = 400) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


def _ids(prefix: str) -> Callable[[], str]:
    """Unique ids of one kind (as random as AWS's are not needed: unique is)."""
    counter = itertools.count(1)
    return lambda: f"{prefix}{uuid.UUID(int=next(counter))}"


# --- S3 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredObject:
    body: bytes
    etag: str
    version_id: str
    content_type: str


class MemoryS3:
    """The S3 calls of this code: buckets, versioning, PutObject and GetObject."""

    def __init__(self) -> None:
        self.buckets: dict[str, dict[str, list[StoredObject]]] = {}
        self.versioned: set[str] = set()
        self._version = _ids("")

    def create_bucket(self, Bucket: str, **_: Any) -> dict[str, Any]:
        self.buckets.setdefault(Bucket, {})
        return {"Location": f"/{Bucket}"}

    def put_bucket_versioning(
        self,
        Bucket: str,
        VersioningConfiguration: dict[str, str],
    ) -> dict[str, Any]:
        self._bucket(Bucket, "PutBucketVersioning")
        if VersioningConfiguration.get("Status") == "Enabled":
            self.versioned.add(Bucket)
        else:
            self.versioned.discard(Bucket)
        return {}

    def put_object(
        self,
        Bucket: str,
        Key: str,
        Body: bytes | str = b"",
        ContentType: str = "binary/octet-stream",
    ) -> dict[str, Any]:
        keys = self._bucket(Bucket, "PutObject")
        body = Body.encode("utf-8") if isinstance(Body, str) else bytes(Body)
        etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
        versioned = Bucket in self.versioned
        stored = StoredObject(body, etag, self._version() if versioned else "null", ContentType)
        versions = keys.setdefault(Key, [])
        if not versioned:
            versions.clear()  # an unversioned bucket keeps the latest only
        versions.append(stored)
        answer: dict[str, Any] = {"ETag": etag}
        if versioned:
            answer["VersionId"] = stored.version_id
        return answer

    def get_object(
        self,
        Bucket: str,
        Key: str,
        VersionId: str | None = None,
    ) -> dict[str, Any]:
        versions = self._bucket(Bucket, "GetObject").get(Key, [])
        if VersionId is not None:  # of this key, or S3 knows no such version
            versions = [v for v in versions if v.version_id == VersionId]
            if not versions:
                raise _error("NoSuchVersion", "The specified version does not exist.", "GetObject")
        if not versions:
            raise _error("NoSuchKey", "The specified key does not exist.", "GetObject", 404)
        found = versions[-1]
        answer: dict[str, Any] = {
            "Body": io.BytesIO(found.body),
            "ContentLength": len(found.body),
            "ETag": found.etag,
            "ContentType": found.content_type,
        }
        if Bucket in self.versioned:
            answer["VersionId"] = found.version_id
        return answer

    def objects(self, bucket: str, prefix: str) -> list[tuple[str, bytes]]:
        """The latest version of each object under `prefix`, in key order."""
        keys = self.buckets.get(bucket, {})
        return sorted((k, v[-1].body) for k, v in keys.items() if k.startswith(prefix) and v)

    def _bucket(self, name: str, operation: str) -> dict[str, list[StoredObject]]:
        if name not in self.buckets:
            raise _error("NoSuchBucket", "The specified bucket does not exist", operation, 404)
        return self.buckets[name]


# --- SQS ------------------------------------------------------------------------------


@dataclass
class _Message:
    message_id: str
    body: str
    sent_at: float
    receives: int = 0
    visible_at: float = 0.0
    handles: list[str] = field(default_factory=list)


@dataclass
class _Queue:
    url: str
    arn: str
    visibility_timeout: int = 30
    redrive: dict[str, Any] | None = None
    messages: list[_Message] = field(default_factory=list)
    # Receipt handles of messages already deleted: deleting one again succeeds, as on
    # SQS and moto (a redelivered handler deletes what it already deleted).
    deleted: set[str] = field(default_factory=set)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class MemorySqs:
    """The SQS calls of this code, standard queues only. `clock` gives the time the
    visibility timeouts count in (seconds)."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self.queues: dict[str, _Queue] = {}
        self._message_id = _ids("")
        self._handle = _ids("handle-")

    def create_queue(
        self,
        QueueName: str,
        Attributes: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{QueueName}"
        if url not in self.queues:
            self.queues[url] = _Queue(url, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QueueName}")
            self.set_queue_attributes(url, Attributes or {})
        return {"QueueUrl": url}

    def set_queue_attributes(
        self,
        QueueUrl: str,
        Attributes: dict[str, str],
    ) -> dict[str, Any]:
        queue = self._queue(QueueUrl, "SetQueueAttributes")
        if "VisibilityTimeout" in Attributes:
            queue.visibility_timeout = int(Attributes["VisibilityTimeout"])
        if "RedrivePolicy" in Attributes:
            policy = json.loads(Attributes["RedrivePolicy"])
            queue.redrive = {
                "deadLetterTargetArn": policy["deadLetterTargetArn"],
                "maxReceiveCount": int(policy["maxReceiveCount"]),
            }
        return {}

    def send_message(self, QueueUrl: str, MessageBody: str) -> dict[str, Any]:
        message = self._add(self._queue(QueueUrl, "SendMessage"), MessageBody)
        return {"MessageId": message.message_id, "MD5OfMessageBody": _md5(MessageBody)}

    def send_message_batch(
        self,
        QueueUrl: str,
        Entries: list[dict[str, Any]],
    ) -> dict[str, Any]:
        queue = self._queue(QueueUrl, "SendMessageBatch")
        if not Entries or len(Entries) > 10:
            code = "EmptyBatchRequest" if not Entries else "TooManyEntriesInBatchRequest"
            raise _error(f"AWS.SimpleQueueService.{code}", code, "SendMessageBatch")
        successful = []
        for entry in Entries:
            message = self._add(queue, entry["MessageBody"])
            successful.append(
                {
                    "Id": entry["Id"],
                    "MessageId": message.message_id,
                    "MD5OfMessageBody": _md5(entry["MessageBody"]),
                }
            )
        return {"Successful": successful, "Failed": []}

    def receive_message(
        self,
        QueueUrl: str,
        MaxNumberOfMessages: int = 1,
        VisibilityTimeout: int | None = None,
        AttributeNames: list[str] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        """Up to MaxNumberOfMessages visible messages, oldest first. A visible message
        already received maxReceiveCount times goes to the dead-letter queue instead
        (the redrive policy), as the receive meets it."""
        queue = self._queue(QueueUrl, "ReceiveMessage")
        if not 1 <= MaxNumberOfMessages <= 10:
            raise _error("InvalidParameterValue", "MaxNumberOfMessages", "ReceiveMessage")
        timeout = queue.visibility_timeout if VisibilityTimeout is None else VisibilityTimeout
        now = self.clock()
        received: list[dict[str, Any]] = []
        for message in list(queue.messages):
            if message.visible_at > now:
                continue
            if queue.redrive and message.receives >= queue.redrive["maxReceiveCount"]:
                queue.messages.remove(message)
                self._dead_letter_queue(queue).messages.append(message)
                continue
            message.receives += 1
            message.visible_at = now + timeout
            message.handles.append(self._handle())
            received.append(self._shape(message, AttributeNames))
            if len(received) >= MaxNumberOfMessages:
                break
        return {"Messages": received} if received else {}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> dict[str, Any]:
        queue = self._queue(QueueUrl, "DeleteMessage")
        if ReceiptHandle in queue.deleted:
            return {}
        message = self._by_handle(queue, ReceiptHandle, "DeleteMessage")
        queue.messages.remove(message)
        queue.deleted.update(message.handles)
        return {}

    def change_message_visibility(
        self,
        QueueUrl: str,
        ReceiptHandle: str,
        VisibilityTimeout: int,
    ) -> dict[str, Any]:
        queue = self._queue(QueueUrl, "ChangeMessageVisibility")
        message = self._by_handle(queue, ReceiptHandle, "ChangeMessageVisibility")
        message.visible_at = self.clock() + VisibilityTimeout
        return {}

    def get_queue_attributes(self, QueueUrl: str, **_: Any) -> dict[str, Any]:
        queue = self._queue(QueueUrl, "GetQueueAttributes")
        now = self.clock()
        visible = sum(1 for m in queue.messages if m.visible_at <= now)
        return {
            "Attributes": {
                "QueueArn": queue.arn,
                "ApproximateNumberOfMessages": str(visible),
                "ApproximateNumberOfMessagesNotVisible": str(len(queue.messages) - visible),
                "VisibilityTimeout": str(queue.visibility_timeout),
            }
        }

    def _add(self, queue: _Queue, body: str) -> _Message:
        message = _Message(self._message_id(), body, self.clock())
        queue.messages.append(message)
        return message

    def _shape(self, message: _Message, names: list[str] | None) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            "MessageId": message.message_id,
            "ReceiptHandle": message.handles[-1],
            "MD5OfBody": _md5(message.body),
            "Body": message.body,
        }
        if names:
            shaped["Attributes"] = {
                "SenderId": ACCOUNT,
                "SentTimestamp": str(int(message.sent_at * 1000)),
                "ApproximateReceiveCount": str(message.receives),
                "ApproximateFirstReceiveTimestamp": str(int(message.sent_at * 1000)),
            }
        return shaped

    def _by_handle(self, queue: _Queue, handle: str, operation: str) -> _Message:
        for message in queue.messages:
            if handle in message.handles:
                return message
        raise _error("ReceiptHandleIsInvalid", "The input receipt handle is invalid.", operation)

    def _dead_letter_queue(self, queue: _Queue) -> _Queue:
        assert queue.redrive is not None
        arn = queue.redrive["deadLetterTargetArn"]
        return next(q for q in self.queues.values() if q.arn == arn)

    def _queue(self, url: str, operation: str) -> _Queue:
        if url not in self.queues:
            raise _error(
                "AWS.SimpleQueueService.NonExistentQueue",
                "The specified queue does not exist.",
                operation,
            )
        return self.queues[url]


# --- SES v2 and SNS ---------------------------------------------------------------------


@dataclass(frozen=True)
class SentMessage:
    """A message SES took, as moto's SES keeps it (`id`, `source`, `destinations`,
    `raw_data`): what the outputs and the bounce path read. The raw message is kept
    compressed: a long simulation sends tens of thousands (ten years of 1,000 people,
    22,433 of some 32 KB each)."""

    id: str
    source: str
    destinations: list[str]
    packed: bytes

    @classmethod
    def of(cls, message_id: str, source: str, destinations: list[str], raw: str) -> SentMessage:
        return cls(message_id, source, destinations, zlib.compress(raw.encode("utf-8"), 1))

    @property
    def raw_data(self) -> str:
        return zlib.decompress(self.packed).decode("utf-8")


class MemorySesV2:
    """SES v2's SendEmail of raw messages from verified identities, at most
    `max_send_rate` a second when set (SES throttles the sends over it)."""

    def __init__(self, clock: Clock = time.time, max_send_rate: float | None = None) -> None:
        self.clock = clock
        self.max_send_rate = max_send_rate
        self.identities: set[str] = set()
        self.configuration_sets: set[str] = set()
        self.sent_messages: list[SentMessage] = []
        self._second: tuple[int, int] = (-1, 0)
        self._message_id = _ids("")

    def create_email_identity(self, EmailIdentity: str, **_: Any) -> dict[str, Any]:
        self.identities.add(EmailIdentity)
        return {"IdentityType": "EMAIL_ADDRESS", "VerifiedForSendingStatus": True}

    def create_configuration_set(self, ConfigurationSetName: str, **_: Any) -> dict[str, Any]:
        self.configuration_sets.add(ConfigurationSetName)
        return {}

    def send_email(
        self,
        FromEmailAddress: str,
        Destination: dict[str, list[str]],
        Content: dict[str, Any],
        ConfigurationSetName: str | None = None,
    ) -> dict[str, Any]:
        _, source = parseaddr(FromEmailAddress)
        if source not in self.identities and source.split("@")[-1] not in self.identities:
            raise _error(
                "MessageRejected",
                f"Did not have authority to send from email {source}",
                "SendEmail",
            )
        if ConfigurationSetName and ConfigurationSetName not in self.configuration_sets:
            raise _error("NotFoundException", "Configuration set does not exist", "SendEmail")
        self._throttle()
        raw = bytes(Content["Raw"]["Data"]).decode("utf-8")
        # As moto keeps them: the destination, then the addresses of the To header.
        headers = email.message_from_string(raw)
        found = [headers[h] for h in ("TO", "CC", "BCC") if h in headers]
        destinations = list(Destination.get("ToAddresses", []))
        destinations += [address for _, address in getaddresses(found) if address]
        message = SentMessage.of(self._message_id(), FromEmailAddress, destinations, raw)
        self.sent_messages.append(message)
        return {"MessageId": message.id}

    def _throttle(self) -> None:
        if self.max_send_rate is None:
            return
        second, sent = self._second
        now = int(self.clock())
        sent = sent + 1 if now == second else 1
        if sent > self.max_send_rate:
            raise _error("TooManyRequestsException", "Maximum sending rate exceeded.", "SendEmail")
        self._second = (now, sent)


class MemorySns:
    def __init__(self) -> None:
        self.topics: dict[str, list[str]] = {}
        self._message_id = _ids("")

    def create_topic(self, Name: str, **_: Any) -> dict[str, Any]:
        arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{Name}"
        self.topics.setdefault(arn, [])
        return {"TopicArn": arn}

    def publish(self, TopicArn: str, Message: str, **_: Any) -> dict[str, Any]:
        if TopicArn not in self.topics:
            raise _error("NotFound", "Topic does not exist", "Publish", 404)
        self.topics[TopicArn].append(Message)
        return {"MessageId": self._message_id()}


class MemoryDynamoDB:
    """The table's control plane: the stack's table is created here (its schema is the
    template's, which MemoryTable's partitions follow); items go through the port."""

    def __init__(self) -> None:
        self.tables: dict[str, MemoryTable] = {}

    def create_table(self, TableName: str, **_: Any) -> dict[str, Any]:
        self.tables[TableName] = MemoryTable(TableName)
        return {"TableDescription": {"TableName": TableName, "TableStatus": "ACTIVE"}}

    def update_time_to_live(self, TableName: str, **_: Any) -> dict[str, Any]:
        return {}


# --- the engine -----------------------------------------------------------------------


class MemoryRuntime(Runtime):
    """The Lambda runtime's wiring with the table on the in-memory engine."""

    def table(self) -> Table:
        tables: dict[str, MemoryTable] = self.dynamodb.tables
        return tables[self.settings.table_name]


class MemoryAws:
    """The embedded AWS in this process's memory: what `EmbeddedAws` offers the stack
    (clients, the runtime, the sent messages, the bucket's objects), without moto."""

    server = False
    endpoint: str | None = None

    def __init__(self, clock: Clock = time.time) -> None:
        self.services: dict[str, Any] = {}
        self.clock = clock

    def __enter__(self) -> MemoryAws:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.services = {
            "dynamodb": MemoryDynamoDB(),
            "s3": MemoryS3(),
            "sqs": MemorySqs(self.clock),
            "sesv2": MemorySesV2(self.clock),
            "sns": MemorySns(),
        }

    def stop(self) -> None:
        self.services = {}

    def client(self, service: str) -> Any:
        return self.services[service]

    def runtime(self, settings: Settings) -> Runtime:
        return MemoryRuntime(
            settings=settings,
            dynamodb=self.client("dynamodb"),
            s3=self.client("s3"),
            ses=self.client("sesv2"),
            sqs=self.client("sqs"),
        )

    def objects(self, bucket: str, prefix: str) -> list[tuple[str, bytes]]:
        s3: MemoryS3 = self.client("s3")
        return s3.objects(bucket, prefix)

    def sent_messages(self) -> list[SentMessage]:
        ses: MemorySesV2 = self.client("sesv2")
        return ses.sent_messages
