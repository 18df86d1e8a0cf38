"""The embedded local AWS: moto on 127.0.0.1 (or in-process), with the stack's bucket,
table, queues and SES identity created from infra/template.yaml itself.

moto runs no Lambda and fires no S3 notifications or schedules, so `EmbeddedStack` delivers
the same S3 and EventBridge events a real account sends to the very handler functions
the template names (no second code path).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date
from types import ModuleType
from typing import Any

from stockplan_cli.infra_spec import FunctionSpec
from stockplan_cli.infra_spec import project_root as project_root  # main.py reads it here

ACCOUNT = "123456789012"
REGION = "us-east-1"
STAGE = "local"
SENDER = "stock-plans@ctc.example.com"
ADMIN = "plan-admin@ctc.example.com"
# S3 upload and schedule times (UTC) that fall on the same day in New York.
UPLOAD_TIME = "T15:00:00.000Z"
SCHEDULE_TIME = "T11:00:00Z"


def load_handler(spec: FunctionSpec) -> Callable[[dict[str, Any], Any], Any]:
    path = spec.code_dir / f"{spec.module}.py"
    name = f"stockplan_fn_{spec.logical_id}"
    module: ModuleType | None = sys.modules.get(name)
    if module is None:
        loader_spec = importlib.util.spec_from_file_location(name, path)
        assert loader_spec is not None and loader_spec.loader is not None
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[name] = module
        loader_spec.loader.exec_module(module)
    handler: Callable[[dict[str, Any], Any], Any] = getattr(module, spec.handler)
    return handler


class LambdaContext:
    """What a handler reads from the Lambda context."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self.aws_request_id = "local"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def s3_event(
    bucket: str,
    key: str,
    size: int,
    day: date,
    sequence: int,
    *,
    etag: str,
    version_id: str | None,
) -> dict[str, Any]:
    """The ObjectCreated:Put notification S3 sends (keys URL-encoded, as S3 does) for the
    object version just stored: its ETag (without the quotes S3's API puts around it),
    its VersionId (S3 leaves it out for an unversioned bucket, and so does this) and a
    sequencer that rises with every upload, as S3's does for each key.

    The n-th upload of a run (`sequence`) is stamped n milliseconds after UPLOAD_TIME on
    `day`: the feeds keep the latest upload's prices and personal details, and the event
    time is how they tell which upload came last."""
    from datetime import datetime, timedelta
    from urllib.parse import quote_plus

    uploaded = datetime.fromisoformat(day.isoformat() + UPLOAD_TIME.replace("Z", "+00:00"))
    uploaded += timedelta(milliseconds=sequence)
    event_time = uploaded.astimezone(UTC).isoformat(timespec="milliseconds")
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag.strip('"')}
    if version_id and version_id != "null":
        obj["versionId"] = version_id
    # S3's sequencer is a hexadecimal string; a later event for a key has a greater one.
    obj["sequencer"] = f"{sequence:018X}"

    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": event_time.replace("+00:00", "Z"),
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:LOCAL"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {"x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL"},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "incoming-csv",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "LOCAL"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": obj,
                },
            }
        ]
    }


def ses_feedback_message(
    sent: Any,
    event_type: str,
    day: date,
    *,
    bounce_type: str = "Permanent",
    bounce_subtype: str = "General",
    feedback_id: str | None = None,
) -> dict[str, Any]:
    """The JSON SES publishes through a configuration set's event destination for a
    Bounce or Complaint of `sent` (a message moto's SES accepted), as documented in
    "Contents of event data that Amazon SES publishes to Amazon SNS"."""
    import email
    from email import policy

    parsed = email.message_from_string(sent.raw_data, policy=policy.default)
    destinations = (
        sent.destinations.get("ToAddresses", [])
        if isinstance(sent.destinations, dict)
        else list(dict.fromkeys(sent.destinations))
    )
    moment = f"{day.isoformat()}T16:00:00.000Z"
    if feedback_id is None:
        digest = hashlib.sha256(f"{sent.id}/{event_type}".encode()).hexdigest()[:16]
        feedback_id = f"0100{digest}-feedback-000000"
    message: dict[str, Any] = {
        "eventType": event_type,
        "mail": {
            "timestamp": moment,
            "source": sent.source,
            "sourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{SENDER}",
            "sendingAccountId": ACCOUNT,
            "messageId": sent.id,
            "destination": destinations,
            "headersTruncated": False,
            "headers": [{"name": k, "value": str(v)} for k, v in parsed.items()],
            "commonHeaders": {
                "from": [str(parsed["From"])],
                "to": [str(parsed["To"])],
                "messageId": str(parsed["Message-ID"]),
                "subject": str(parsed["Subject"]),
            },
            "tags": {"ses:configuration-set": [f"stockplan-{STAGE}-notices"]},
        },
    }
    if event_type == "Bounce":
        message["bounce"] = {
            "bounceType": bounce_type,
            "bounceSubType": bounce_subtype,
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
                for address in destinations
            ],
            "timestamp": moment,
            "feedbackId": feedback_id,
            "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com",
        }
    elif event_type == "Complaint":
        message["complaint"] = {
            "complainedRecipients": [{"emailAddress": a} for a in destinations],
            "timestamp": moment,
            "feedbackId": feedback_id,
            "complaintFeedbackType": "abuse",
            "userAgent": "Mail provider feedback loop",
        }
    else:
        raise ValueError(f"not an SES feedback event type: {event_type!r}")
    return message


def sns_event(topic_arn: str, message_id: str, message: str, timestamp: str) -> dict[str, Any]:
    """The event SNS hands a subscribed Lambda function for one notification."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:local-subscription",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": None,
                    "Message": message,
                    "Timestamp": timestamp,
                    "SignatureVersion": "1",
                    "Signature": "LOCAL",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/local.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def queue_arn(queue_url: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_url.rsplit('/', 1)[-1]}"


def sqs_event(queue_url: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda's SQS event source hands a function for received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": dict(m.get("Attributes", {})),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn(queue_url),
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def schedule_event(day: date, rule: str = "daily") -> dict[str, Any]:
    """The event EventBridge Scheduler hands the daily function (docs/interfaces.md §2)."""
    return {
        "version": "0",
        "id": f"local-{day.isoformat()}",
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": ACCOUNT,
        "time": day.isoformat() + SCHEDULE_TIME,
        "region": REGION,
        "resources": [f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/{rule}"],
        "detail": {},
    }


def quiet_powertools() -> None:
    """Local runs keep stdout for the person: no EMF metrics, no X-Ray, warnings only."""
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "stockplan")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Stockplan")
    import warnings

    warnings.filterwarnings("ignore", message="No application metrics to publish")


def fake_credentials() -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        os.environ[name] = value


class EmbeddedAws:
    """moto in this process, as it is (nothing of it patched); with `server=True` also
    a real endpoint on 127.0.0.1."""

    def __init__(self, server: bool = False, port: int = 0) -> None:
        self.server = server
        self.port = port
        self.endpoint: str | None = None
        self._mock: Any = None
        self._server: Any = None

    def __enter__(self) -> EmbeddedAws:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        fake_credentials()
        from moto import mock_aws

        self._mock = mock_aws()
        self._mock.start()
        if self.server:
            from moto.server import ThreadedMotoServer

            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port)
            self._server.start()
            host, port = self._server.get_host_and_port()
            self.endpoint = f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    def runtime(self, settings: Any) -> Any:
        """The Lambda runtime's wiring on this engine's clients."""
        from stockplan.runtime import Runtime

        return Runtime(
            settings=settings,
            dynamodb=self.client("dynamodb"),
            s3=self.client("s3"),
            ses=self.client("sesv2"),
            sqs=self.client("sqs"),
        )

    def client(self, service: str) -> Any:
        import boto3
        from botocore import UNSIGNED
        from botocore.config import Config

        # In-process calls share the server's state and skip HTTP (~1 ms instead of ~5 ms).
        # DynamoDB unsigned: moto checks no signature there, and SigV4 cost a fifth of
        # each request. S3 stays signed: moto treats an unsigned request as anonymous.
        if service == "dynamodb":
            config = Config(signature_version=UNSIGNED)
            return boto3.client(service, region_name=REGION, config=config)
        return boto3.client(service, region_name=REGION)

    def objects(self, bucket: str, prefix: str) -> list[tuple[str, bytes]]:
        """The latest version of each object under `prefix` in `bucket`, in key order."""
        s3 = self.client("s3")
        found = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for listed in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket, Key=listed["Key"])["Body"].read()
                found.append((str(listed["Key"]), bytes(body)))
        return sorted(found)

    def sent_messages(self) -> list[Any]:
        """What SES accepted, as moto keeps it for tests to read (its documented way)."""
        from moto.ses.models import ses_backends

        messages: list[Any] = ses_backends[ACCOUNT][REGION].sent_messages
        return messages


@dataclass
class Stack:
    bucket: str
    table: str
    sender: str
    admin: str
    notice_dlq_url: str
    feed_dlq_url: str
    configuration_set: str
    feedback_topic_arn: str
    notice_body_retention_days: int
    # The template's SenderName, ReplyToEmail (empty: AdminEmail) and ContactLine.
    sender_name: str = ""
    reply_to: str = ""
    contact_line: str = ""
    # Issue 13's chunk queue, its dead-letter queue and its maxReceiveCount.
    chunk_queue_url: str = ""
    chunk_dlq_url: str = ""
    chunk_max_receives: int = 3


def _resolve_bucket_name(template: dict[str, Any]) -> str:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    raw = variables["BUCKET_NAME"]
    pattern = raw["Fn::Sub"] if isinstance(raw, dict) else str(raw)
    return (
        pattern.replace("${Stage}", STAGE)
        .replace("${AWS::AccountId}", ACCOUNT)
        .replace("${AWS::Region}", REGION)
    )


def create_stack(aws: Any, template: dict[str, Any]) -> Stack:
    """Create the stateful resources exactly as the template defines them."""
    resources = template["Resources"]
    table_props = resources["DataTable"]["Properties"]
    table_name = f"stockplan-{STAGE}-data"
    dynamodb = aws.client("dynamodb")
    dynamodb.create_table(
        TableName=table_name,
        KeySchema=table_props["KeySchema"],
        AttributeDefinitions=table_props["AttributeDefinitions"],
        BillingMode=table_props.get("BillingMode", "PAY_PER_REQUEST"),
        GlobalSecondaryIndexes=table_props.get("GlobalSecondaryIndexes", []),
    )
    ttl = table_props.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)
    bucket = _resolve_bucket_name(template)
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=bucket)
    bucket_props = resources["DataBucket"]["Properties"]
    if bucket_props.get("VersioningConfiguration"):
        s3.put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration=bucket_props["VersioningConfiguration"]
        )
    sqs = aws.client("sqs")
    notice_dlq = sqs.create_queue(QueueName="stockplan-local-notice-dlq")["QueueUrl"]
    feed_dlq = sqs.create_queue(QueueName="stockplan-local-feed-failures")["QueueUrl"]
    # No redrive policy on the embedded queue: EmbeddedStack moves a chunk to the
    # dead-letter queue itself, on the receive the template's maxReceiveCount names.
    chunk_props = resources["ChunkQueue"]["Properties"]
    chunk_queue = sqs.create_queue(
        QueueName="stockplan-local-chunks",
        Attributes={"VisibilityTimeout": str(chunk_props["VisibilityTimeout"])},
    )["QueueUrl"]
    chunk_dlq = sqs.create_queue(QueueName="stockplan-local-chunk-dlq")["QueueUrl"]
    sesv2 = aws.client("sesv2")
    sesv2.create_email_identity(EmailIdentity=SENDER)
    # The notices' configuration set and the topic its bounces and complaints go to.
    names = {"NoticeConfigurationSet": "Name", "NoticeFeedbackTopic": "TopicName"}
    resolved = {}
    for logical_id, prop in names.items():
        raw = resources[logical_id]["Properties"][prop]
        pattern = raw["Fn::Sub"] if isinstance(raw, dict) else str(raw)
        resolved[logical_id] = pattern.replace("${Stage}", STAGE)
    configuration_set = resolved["NoticeConfigurationSet"]
    sesv2.create_configuration_set(ConfigurationSetName=configuration_set)
    topic = aws.client("sns").create_topic(Name=resolved["NoticeFeedbackTopic"])["TopicArn"]
    parameters = template["Parameters"]
    retention = int(parameters["SentNoticeBodyRetentionDays"]["Default"])
    return Stack(
        bucket,
        table_name,
        SENDER,
        ADMIN,
        notice_dlq,
        feed_dlq,
        configuration_set,
        topic,
        retention,
        sender_name=str(parameters["SenderName"]["Default"]),
        reply_to=str(parameters["ReplyToEmail"]["Default"]) or ADMIN,
        contact_line=str(parameters["ContactLine"]["Default"]),
        chunk_queue_url=chunk_queue,
        chunk_dlq_url=chunk_dlq,
        chunk_max_receives=int(chunk_props["RedrivePolicy"]["maxReceiveCount"]),
    )


def stack_environment(stack: Stack) -> dict[str, str]:
    return {
        "TABLE_NAME": stack.table,
        "BUCKET_NAME": stack.bucket,
        "SENDER_EMAIL": stack.sender,
        "ADMIN_EMAIL": stack.admin,
        "NOTICE_DLQ_URL": stack.notice_dlq_url,
        "CONFIGURATION_SET_NAME": stack.configuration_set,
        "NOTICE_BODY_RETENTION_DAYS": str(stack.notice_body_retention_days),
        "SENDER_NAME": stack.sender_name,
        "REPLY_TO_EMAIL": stack.reply_to,
        "CONTACT_LINE": stack.contact_line,
        "CHUNK_QUEUE_URL": stack.chunk_queue_url,
        "CHUNK_MAX_RECEIVES": str(stack.chunk_max_receives),
        "CHUNK_DLQ_ARN": queue_arn(stack.chunk_dlq_url),
        # The template gives it to the BounceFunction: the only topic it reads.
        "FEEDBACK_TOPIC_ARN": stack.feedback_topic_arn,
    }


def iter_days(start: date, end: date) -> Iterator[date]:
    from datetime import timedelta

    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
