"""The embedded local AWS: moto on 127.0.0.1 (or in-process), with the stack's bucket,
table, queues and SES identity created from infra/template.yaml itself.

moto runs no Lambda and fires no S3 notifications or schedules, so `LocalStack` delivers
the same S3 and EventBridge events a real account sends to the very handler functions
the template names (no second code path).
"""

from __future__ import annotations

import bisect
import hashlib
import importlib.util
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date
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


# An installed package carries its own copy of the template, the handlers and the demo
# scenario (setup.py copies them in at build time); a source checkout has them at its root.
BUNDLED = Path(__file__).resolve().parent / "project"


def project_root() -> Path:
    """The folder holding infra/template.yaml, the functions/ it names and scenarios/:
    the package's bundled copy when installed, else the source checkout above here."""
    if (BUNDLED / "infra" / "template.yaml").is_file():
        return BUNDLED
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "infra" / "template.yaml").is_file():
            return parent
    raise FileNotFoundError(
        f"infra/template.yaml is neither in {BUNDLED} nor above {here}: reinstall stockplan"
    )


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
    """moto snapshots a whole table with deepcopy for every transaction (to roll back
    on failure), which makes a long simulation quadratic. Snapshot only the items the
    transaction names instead: Put and Delete replace or remove an item (the old object
    is an exact snapshot), Update mutates it (a deep copy of that one item)."""
    import copy
    from types import SimpleNamespace

    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(DynamoDBBackend, "stockplan_fast_transactions", False):
        return

    def no_table_copy(value: Any, memo: Any = None) -> Any:
        # The rollback below restores the named items; a whole-table copy is not needed.
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = SimpleNamespace(deepcopy=no_table_copy, copy=copy.copy)  # type: ignore[assignment]
    original = DynamoDBBackend.transact_write_items
    missing = object()

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[Any, Any, Any, Any]] = []
        for entry in transact_items:
            kind, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            key = op.get("Item") if kind == "Put" else op.get("Key")
            if table is None or not key or table.hash_key_attr not in key:
                continue
            hash_key = DynamoType(key[table.hash_key_attr])
            range_attr = table.range_key_attr
            range_key = DynamoType(key[range_attr]) if range_attr in key else None
            partition = table.items.get(hash_key, {})
            old = partition.get(range_key, missing) if range_key is not None else missing
            if kind == "Update" and old is not missing:
                old = copy.deepcopy(old)
            saved.append((table, hash_key, range_key, old))
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, old in reversed(saved):
                if range_key is None:
                    continue
                current = table.items.get(hash_key, {}).get(range_key)
                if old is missing:
                    table.items.get(hash_key, {}).pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = old
                # The restore bypasses the stream, so the query indexes follow it here.
                reindex(table, current, None if old is missing else old)
            raise

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    DynamoDBBackend.stockplan_fast_transactions = True  # type: ignore[attr-defined]


def speed_up_moto_items() -> None:
    """moto checks DynamoDB's 400 KB item limit on every attribute it sets, re-measuring
    all the attributes set before: quadratic in an item's attributes, and the largest
    single cost of a feed here. Build a new item's attributes first and measure the
    whole item once (the same limit, the same error)."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    if getattr(Item, "stockplan_fast_items", False):
        return

    def item_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        values = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in values.items()) > 405000:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict()
        dict.update(self.attrs, values)

    Item.__init__ = item_init  # type: ignore[method-assign]
    Item.stockplan_fast_items = True  # type: ignore[attr-defined]


def speed_up_moto_dispatch() -> None:
    """moto lists a response class's methods with inspect.getmembers on every request
    to find the action's handler; the classes do not change, so list them once."""
    import functools

    import moto.core.responses as responses

    if getattr(responses, "stockplan_fast_dispatch", False):
        return
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)  # type: ignore[assignment]
    responses.stockplan_fast_dispatch = True  # type: ignore[attr-defined]


# A key condition's comparison as moto spells it -> one name for it.
_KEY_OPERATORS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}


def _key_operator(comparison: str) -> str:
    return _KEY_OPERATORS.get(comparison, comparison.upper())


def _limit_takes_the_first(given: dict[str, Any]) -> bool:
    """A Limit selects the first items in key order: no start key, no filter."""
    from moto.dynamodb.comparisons import OpDefault

    filtered = given.get("filter_expression")
    return not given.get("exclusive_start_key") and (
        filtered is None or isinstance(filtered, OpDefault)
    )


def speed_up_moto_queries() -> None:
    """moto answers every Query by sorting every item of the table and testing each:
    O(table) where DynamoDB reads one partition, so a benchmark or a long simulation
    would measure moto. Hand its query only the candidates DynamoDB would read: the
    items of the one partition (or carrying the index's hash key value) whose sort key
    meets the key condition, and with a Limit just the first Limit + 1 of them in key
    order. moto's own key conditions, sorting, limits and paging then run unchanged on
    that superset of its answer."""
    import heapq
    import threading

    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(Table, "stockplan_fast_queries", False):
        return
    original_query = Table.query
    original_scan = Table.scan
    original_all_items = Table.all_items
    asked = threading.local()  # the server answers requests on several threads

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        names = (
            "range_comparison",
            "range_objs",
            "limit",
            "exclusive_start_key",
            "scan_index_forward",
            "projection_expressions",
            "index_name",
            "consistent_read",
            "filter_expression",
        )
        given = dict(zip(names, args, strict=False)) | kwargs
        asked.only = (self, hash_key, given)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            asked.only = None

    def scan(self: Any, *args: Any, **kwargs: Any) -> Any:
        names = ("filters", "limit", "exclusive_start_key", "filter_expression", "index_name")
        given = dict(zip(names, args, strict=False)) | kwargs
        asked.scan = (self, given) if not given.get("index_name") else None
        try:
            return original_scan(self, *args, **kwargs)
        finally:
            asked.scan = None

    def all_items(self: Any) -> Any:
        scanning = getattr(asked, "scan", None)
        if scanning is not None and scanning[0] is self:
            return _scan_from(self, scanning[1].get("exclusive_start_key"))
        only = getattr(asked, "only", None)
        if only is None or only[0] is not self or not self.range_key_attr:
            return original_all_items(self)
        return _candidates(self, only[1], only[2])

    def _scan_from(self: Any, start: dict[str, Any] | None) -> list[Any]:
        """moto sorts the whole table for every page of a scan and walks it from the top
        to the page's start key. Sort once while the table does not change (every write
        counts, see follow_moto_streams) and hand each page the items from its start."""
        version = self.__dict__.get(_VERSION)
        if version is None or not self.range_key_attr:
            return original_all_items(self)  # type: ignore[no-any-return]
        cached = self.__dict__.get(_SORTED)
        if cached is None or cached[0] != version:
            cached = (version, original_all_items(self))
            self.__dict__[_SORTED] = cached
        ordered = cached[1]
        if not start or self.hash_key_attr not in start or self.range_key_attr not in start:
            return ordered  # type: ignore[no-any-return]
        at = bisect.bisect_left(
            ordered,
            (DynamoType(start[self.hash_key_attr]), DynamoType(start[self.range_key_attr])),
            key=lambda item: (item.hash_key, item.range_key),
        )
        # From the start key itself: moto skips it, as it skips all before it.
        return ordered[at:]  # type: ignore[no-any-return]

    def _candidates(self: Any, hash_key: Any, given: dict[str, Any]) -> list[Any]:
        index_name = given.get("index_name")
        if index_name:
            index = self.get_index(index_name)
            hash_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            range_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            conditions = given.get("hash_key_conditions") or []
            wanted = [(n, v.type, v.value) for n, v in conditions if v.type in ("S", "B")]
            partitions = index_partitions(self, index_name, hash_attrs, range_attrs)
            hash_value = next(((t, v) for n, t, v in wanted if n == hash_attrs[0]), None)
            if partitions is not None and hash_value is not None:
                indexed = partitions.get(hash_value)
                # Already narrowed to the key condition and Limit: moto does the rest.
                return [] if indexed is None else indexed.candidates(given)
            found = []
            for item in (i for partition in self.items.values() for i in partition.values()):
                attrs = item.attrs
                for name, type_, value in wanted:
                    got = attrs.get(name)
                    if got is None or got.type != type_ or got.value != value:
                        break
                else:
                    found.append(item)
            order = [*hash_attrs, *range_attrs, self.hash_key_attr, self.range_key_attr]
        else:
            found = list(self.items.get(hash_key, {}).values())
            range_attrs = [self.range_key_attr]
            order = [self.range_key_attr]
        comparison = given.get("range_comparison")
        one_range = len(range_attrs) == 1 and len(given.get("range_key_conditions") or []) <= 1
        if comparison and one_range:
            found = [i for i in found if _meets(i.attrs.get(range_attrs[0]), comparison, given)]
        limit = given.get("limit")
        if limit and _limit_takes_the_first(given) and len(found) > limit + 1:
            keyed = [(_sort_key(i, order), n, i) for n, i in enumerate(found)]
            if None not in (k for k, _n, _i in keyed):
                pick = heapq.nsmallest if given.get("scan_index_forward", True) else heapq.nlargest
                found = [i for _k, _n, i in pick(limit + 1, keyed)]
        return found

    def _sort_key(item: Any, order: list[str]) -> Any:
        values = []
        for name in order:
            value = item.attrs.get(name)
            if value is None or value.type != "S":
                return None
            values.append(value.value)
        return tuple(values)

    def _meets(value: Any, comparison: str, given: dict[str, Any]) -> bool:
        """The key condition on a string sort key; anything else is left to moto."""
        bounds = given.get("range_objs") or []
        if value is None:
            return False
        if value.type != "S" or any(b.type != "S" for b in bounds):
            return True
        v, b = value.value, [x.value for x in bounds]
        checks = {
            "EQ": lambda: v == b[0],
            "LT": lambda: v < b[0],
            "LE": lambda: v <= b[0],
            "GT": lambda: v > b[0],
            "GE": lambda: v >= b[0],
            "BETWEEN": lambda: b[0] <= v <= b[1],
            "BEGINS_WITH": lambda: v.startswith(b[0]),
        }
        check = checks.get(_key_operator(comparison))
        return True if check is None else bool(check())

    Table.query = query  # type: ignore[method-assign]
    Table.scan = scan  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.stockplan_fast_queries = True  # type: ignore[attr-defined]


# Each index's partitions, kept up to date from the table's stream (see below).
_INDEXES = "stockplan_index_partitions"
# Counts a followed table's writes: what was computed from its items is valid while equal.
_VERSION = "stockplan_version"
# A table's items in key order, with the _VERSION they were sorted at (for scans).
_SORTED = "stockplan_sorted"
# DynamoDB Streams keep 24 hours of records; the embedded table keeps its latest ones.
STREAM_RECORDS_KEPT = 1_000


class IndexPartition:
    """One hash key value of a global secondary index: its items, and those whose
    index sort key is a string in key order (index sort key, then the table's keys, the
    order moto sorts by), so a key condition is a slice found by bisection."""

    # `stockplan local` serves requests on several threads: a query's bisections must
    # not see the order shift under them.
    lock = threading.Lock()

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Any] = {}
        self.order: list[tuple[str, str, str]] = []
        self.unordered: set[tuple[str, str]] = set()

    def add(self, key: tuple[str, str], item: Any, sort_value: Any) -> None:
        with self.lock:
            self._add(key, item, sort_value)

    def remove(self, key: tuple[str, str], sort_value: Any) -> None:
        with self.lock:
            self._remove(key, sort_value)

    def candidates(self, given: dict[str, Any]) -> list[Any]:
        """A superset of the items the key condition (and a plain Limit) selects."""
        with self.lock:
            return self._candidates(given)

    def _add(self, key: tuple[str, str], item: Any, sort_value: Any) -> None:
        self.items[key] = item
        if sort_value is not None and sort_value.type == "S":
            bisect.insort(self.order, (sort_value.value, *key))
        else:
            self.unordered.add(key)

    def _remove(self, key: tuple[str, str], sort_value: Any) -> None:
        if self.items.pop(key, None) is None:
            return
        if key in self.unordered:
            self.unordered.discard(key)
            return
        entry = (sort_value.value, *key)
        at = bisect.bisect_left(self.order, entry)
        if at < len(self.order) and self.order[at] == entry:
            del self.order[at]

    def _candidates(self, given: dict[str, Any]) -> list[Any]:
        comparison = given.get("range_comparison")
        bounds = given.get("range_objs") or []
        if len(given.get("range_key_conditions") or []) > 1 or any(b.type != "S" for b in bounds):
            return list(self.items.values())
        lo, hi = 0, len(self.order)
        if comparison:
            op = _key_operator(comparison)
            values = [b.value for b in bounds]

            def left(v: str) -> int:
                return bisect.bisect_left(self.order, v, key=lambda e: e[0])

            def right(v: str) -> int:
                return bisect.bisect_right(self.order, v, key=lambda e: e[0])

            slices = {
                "EQ": lambda: (left(values[0]), right(values[0])),
                "LT": lambda: (0, left(values[0])),
                "LE": lambda: (0, right(values[0])),
                "GT": lambda: (right(values[0]), len(self.order)),
                "GE": lambda: (left(values[0]), len(self.order)),
                "BETWEEN": lambda: (left(values[0]), right(values[1])),
                "BEGINS_WITH": lambda: (left(values[0]), left(values[0] + "\U0010ffff")),
            }
            if op not in slices:
                return list(self.items.values())
            lo, hi = slices[op]()
        limit = given.get("limit")
        if limit and _limit_takes_the_first(given):
            if given.get("scan_index_forward", True):
                hi = min(hi, lo + limit + 1)
            else:
                lo = max(lo, hi - limit - 1)
        keys = [entry[1:] for entry in self.order[lo:hi]] + list(self.unordered)
        return [self.items[key] for key in keys]


def index_partitions(
    table: Any, index_name: str, hash_attrs: list[str], range_attrs: list[str]
) -> dict[tuple[str, Any], IndexPartition] | None:
    """The items of a global secondary index grouped by its hash key value, built on the
    first query of that index and then updated by every write (each write reaches the
    table's stream: put, update, delete, transactions). None without a stream or with a
    composite key: the caller then looks at every item, as moto does."""
    shard = table.stream_shard
    if (
        shard is None
        or len(hash_attrs) != 1
        or len(range_attrs) > 1
        or not getattr(shard, "stockplan_followed", False)
    ):
        return None
    indexes = table.__dict__.setdefault(_INDEXES, {})
    if index_name not in indexes:
        attrs = (hash_attrs[0], range_attrs[0] if range_attrs else None)
        grouped: dict[tuple[str, Any], IndexPartition] = {}
        for partition in table.items.values():
            for item in partition.values():
                _index_add(grouped, attrs, item)
        indexes[index_name] = (attrs, grouped)
    return indexes[index_name][1]  # type: ignore[no-any-return]


def _item_key(item: Any) -> tuple[str, str]:
    range_key = item.range_key
    return (str(item.hash_key.value), "" if range_key is None else str(range_key.value))


def _index_place(attrs: Any, item: Any) -> tuple[tuple[str, Any], Any] | None:
    """The index partition an item belongs to and its index sort value (None: not in it)."""
    hash_attr, range_attr = attrs
    value = item.attrs.get(hash_attr)
    if value is None or value.type not in ("S", "B"):
        return None
    return (value.type, value.value), item.attrs.get(range_attr) if range_attr else None


def _index_add(grouped: dict[tuple[str, Any], IndexPartition], attrs: Any, item: Any) -> None:
    place = _index_place(attrs, item)
    if place is not None:
        grouped.setdefault(place[0], IndexPartition()).add(_item_key(item), item, place[1])


def _index_remove(grouped: dict[tuple[str, Any], IndexPartition], attrs: Any, item: Any) -> None:
    place = _index_place(attrs, item)
    partition = None if place is None else grouped.get(place[0])
    if place is not None and partition is not None:
        partition.remove(_item_key(item), place[1])
        if not partition.items:
            del grouped[place[0]]


def reindex(table: Any, old: Any, new: Any) -> None:
    """One item of `table` changed from `old` to `new` (either may be None)."""
    table.__dict__[_VERSION] = table.__dict__.get(_VERSION, 0) + 1
    for attrs, grouped in table.__dict__.get(_INDEXES, {}).values():
        if old is not None:
            _index_remove(grouped, attrs, old)
        if new is not None:
            _index_add(grouped, attrs, new)


def follow_moto_streams() -> None:
    """Every write moto makes to a table with a stream goes through its stream shard:
    keep the query indexes above current there, and keep only the latest records, as
    DynamoDB keeps 24 hours of them (moto kept every record of every write: gigabytes
    in a ten-year simulation, and collector passes over all of them)."""
    from moto.dynamodb.models.table import StreamShard

    if getattr(StreamShard, "stockplan_followed", False):
        return
    original_add = StreamShard.add

    def add(self: Any, old: Any, new: Any) -> None:
        original_add(self, old, new)
        reindex(self.table, old, new)
        if len(self.items) > 2 * STREAM_RECORDS_KEPT:
            dropped = len(self.items) - STREAM_RECORDS_KEPT
            del self.items[:dropped]
            # Sequence numbers stay those of the records kept (moto counts from here).
            self.starting_sequence_number += dropped

    StreamShard.add = add  # type: ignore[method-assign]
    StreamShard.stockplan_followed = True  # type: ignore[attr-defined]


def untrack_moto_items() -> None:
    """moto keeps every model object it ever creates in a class-level list (for its
    dashboard): every version of every DynamoDB item (each update deep-copies one) and
    every stream record, for the life of the process. A ten-year simulation held
    gigabytes of them. Items and stream records are created untracked; the table and
    its stream still hold what DynamoDB would."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord

    def untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    for model in (Item, StreamRecord):
        model.__new__ = staticmethod(untracked)  # type: ignore[assignment]


def speed_up_moto_responses() -> None:
    """moto turns every DynamoDB answer into JSON by walking the API's response shapes,
    which costs more than the request itself for items with lists and maps. The item
    operations' answers are already in the wire form (binary values aside, which go out
    base64-encoded as the shape walk would send them): dump those directly."""
    import base64
    import json

    from moto.dynamodb.responses import DynamoResult

    if getattr(DynamoResult, "stockplan_fast_responses", False):
        return
    original = DynamoResult.execute_result
    item_operations = {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
    }

    def wire(value: Any) -> Any:
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii")
        raise TypeError(f"{type(value).__name__} is not plain JSON")

    def execute_result(self: Any, context: Any) -> Any:
        result = self.result
        if context.operation_model.name in item_operations and isinstance(result, dict):
            try:
                body = json.dumps(result, default=wire)
            except TypeError:
                return original(self, context)
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return original(self, context)

    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]
    DynamoResult.stockplan_fast_responses = True  # type: ignore[attr-defined]


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
        speed_up_moto_items()
        speed_up_moto_dispatch()
        speed_up_moto_queries()
        follow_moto_streams()
        untrack_moto_items()
        speed_up_moto_responses()
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
        from botocore import UNSIGNED
        from botocore.config import Config

        # In-process calls share the server's state and skip HTTP (~1 ms instead of ~5 ms).
        # DynamoDB unsigned: moto checks no signature there, and SigV4 cost a fifth of
        # each request. S3 stays signed: moto treats an unsigned request as anonymous.
        if service == "dynamodb":
            config = Config(signature_version=UNSIGNED)
            return boto3.client(service, region_name=REGION, config=config)
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
    configuration_set: str
    feedback_topic_arn: str
    notice_body_retention_days: int
    # The template's SenderName, ReplyToEmail (empty: AdminEmail) and ContactLine.
    sender_name: str = ""
    reply_to: str = ""
    contact_line: str = ""


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
        # The embedded AWS's own: every write moto makes reaches the table's stream, and
        # follow_moto_streams keeps the query indexes current there. No deployed function
        # reads a stream, so the template has none; this one is the emulator's.
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
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
        "PLAN_TIMEZONE": "America/New_York",
    }


def iter_days(start: date, end: date) -> Iterator[date]:
    from datetime import timedelta

    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
