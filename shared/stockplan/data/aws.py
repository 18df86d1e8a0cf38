"""The ports of stockplan.data.ports on boto3 clients (S3, SES v2, SQS)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from stockplan.data.ports import FeedObject, SendFailed


class S3FeedStore:
    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def read(self, bucket: str, key: str, version_id: str | None, limit: int) -> FeedObject:
        location = {"Bucket": bucket, "Key": key}
        if version_id:
            location["VersionId"] = version_id
        response = self.client.get_object(**location)
        stored = int(response.get("ContentLength", 0))
        if stored > limit:
            response["Body"].close()
            return FeedObject(stored, None)
        # Never more than the limit and one byte, whatever the stream holds.
        return FeedObject(stored, response["Body"].read(limit + 1))

    def write(self, key: str, body: str | bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)


class SesMailer:
    def __init__(self, client: Any) -> None:
        self.client = client

    def send(
        self, sender: str, recipient: str, raw: bytes, configuration_set: str | None
    ) -> str | None:
        request: dict[str, Any] = {
            "FromEmailAddress": sender,
            "Destination": {"ToAddresses": [recipient]},
            "Content": {"Raw": {"Data": raw}},
        }
        if configuration_set:
            # SES publishes the message's bounces and complaints through this set.
            request["ConfigurationSetName"] = configuration_set
        try:
            response = self.client.send_email(**request)
        except ClientError as error:
            raise SendFailed(error.response["Error"]["Code"]) from error
        except BotoCoreError as error:
            raise SendFailed(type(error).__name__) from error
        message_id = response.get("MessageId")
        return None if message_id is None else str(message_id)


class SqsDeadLetters:
    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def send(self, message: dict[str, Any]) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message))


# SendMessageBatch takes ten messages at most.
SQS_BATCH = 10


class SqsChunkQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def send(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), SQS_BATCH):
            entries = [
                {"Id": str(number), "MessageBody": json.dumps(message)}
                for number, message in enumerate(messages[start : start + SQS_BATCH])
            ]
            response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            if response.get("Failed"):
                # The feed's S3 event is retried; a chunk queued twice applies once.
                codes = sorted({str(f.get("Code")) for f in response["Failed"]})
                raise RuntimeError(f"SQS refused {len(response['Failed'])} chunk(s): {codes}")
