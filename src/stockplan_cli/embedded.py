"""The embedded local AWS: moto on 127.0.0.1 (or in-process), with the stack's bucket,
table, queues and SES identity created from infra/template.yaml itself.

moto runs no Lambda and fires no S3 notifications or schedules, so `LocalStack` delivers
the same S3 and EventBridge events a real account sends to the very handler functions
the template names (no second code path).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
STAGE = "local"
SENDER = "stock-plans@ctc.example.com"
ADMIN = "plan-admin@ctc.example.com"
# S3 upload and schedule times (UTC) that fall on the same day in New York.
UPLOAD_TIME = "T15:00:00.000Z"
SCHEDULE_TIME = "T11:00:00Z"


def project_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "infra" / "template.yaml").is_file():
            return parent
    raise FileNotFoundError("infra/template.yaml not found above " + str(here))


def load_template(path: Path | None = None) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    path = path or project_root() / "infra" / "template.yaml"
    result: dict[str, Any] = yaml_parse(path.read_text())
    return result


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    module: str
    function: str


def function_specs(template: dict[str, Any], root: Path | None = None) -> dict[str, FunctionSpec]:
    """Every AWS::Serverless::Function of the template: where its code is and its handler."""
    root = root or project_root()
    specs = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        module, function = props["Handler"].rsplit(".", 1)
        code_dir = (root / "infra" / props["CodeUri"]).resolve()
        specs[logical_id] = FunctionSpec(logical_id, code_dir, module, function)
    return specs


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
    handler: Callable[[dict[str, Any], Any], Any] = getattr(module, spec.function)
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


def s3_event(bucket: str, key: str, size: int, day: date) -> dict[str, Any]:
    """The ObjectCreated:Put notification S3 sends (keys URL-encoded, as S3 does)."""
    from urllib.parse import quote_plus

    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": day.isoformat() + UPLOAD_TIME,
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
                    "object": {
                        "key": quote_plus(key, safe="/"),
                        "size": size,
                        "eTag": "0",
                        "sequencer": "0",
                    },
                },
            }
        ]
    }


def schedule_event(day: date, rule: str = "daily") -> dict[str, Any]:
    """The event EventBridge Scheduler hands the daily function (interfaces.md §2)."""
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


def speed_up_moto_transactions() -> None:
    """moto snapshots a whole table with deepcopy for every write of a transaction (to
    roll back on failure), which makes a long simulation quadratic. Our transactions
    hold only Put, Delete and ConditionCheck, which replace items rather than mutate
    them, so a copy of the item maps is an equally good snapshot."""
    import copy
    from collections import defaultdict
    from types import SimpleNamespace

    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    if getattr(models.copy, "stockplan_fast", False):
        return

    def snapshot(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table):
            clone = copy.copy(value)
            clone.items = defaultdict(
                dict, {k: dict(v) if isinstance(v, dict) else v for k, v in value.items.items()}
            )
            return clone
        return copy.deepcopy(value, memo)

    models.copy = SimpleNamespace(deepcopy=snapshot, copy=copy.copy, stockplan_fast=True)  # type: ignore[assignment]


class EmbeddedAws:
    """moto in this process; with `server=True` also a real endpoint on 127.0.0.1."""

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
        speed_up_moto_transactions()
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

    def client(self, service: str) -> Any:
        import boto3

        # In-process calls share the server's state and skip HTTP (~1 ms instead of ~5 ms).
        return boto3.client(service, region_name=REGION)

    def sent_messages(self) -> list[Any]:
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


def _resolve_bucket_name(template: dict[str, Any]) -> str:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    raw = variables["BUCKET_NAME"]
    pattern = raw["Fn::Sub"] if isinstance(raw, dict) else str(raw)
    return (
        pattern.replace("${Stage}", STAGE)
        .replace("${AWS::AccountId}", ACCOUNT)
        .replace("${AWS::Region}", REGION)
    )


def create_stack(aws: EmbeddedAws, template: dict[str, Any]) -> Stack:
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
        StreamSpecification={
            "StreamEnabled": True,
            **table_props.get("StreamSpecification", {}),
        },
    )
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
    sesv2 = aws.client("sesv2")
    sesv2.create_email_identity(EmailIdentity=SENDER)
    return Stack(bucket, table_name, SENDER, ADMIN, notice_dlq, feed_dlq)


def stack_environment(stack: Stack) -> dict[str, str]:
    return {
        "TABLE_NAME": stack.table,
        "BUCKET_NAME": stack.bucket,
        "SENDER_EMAIL": stack.sender,
        "ADMIN_EMAIL": stack.admin,
        "NOTICE_DLQ_URL": stack.notice_dlq_url,
        "PLAN_TIMEZONE": "America/New_York",
    }


def iter_days(start: date, end: date) -> Iterator[date]:
    from datetime import timedelta

    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
