"""Helpers for the handler integration tests (tests/integration/test_handlers_*.py).

The handlers run on the embedded moto stack (`local_stack` fixture) with the sample
events of `events/`, rewritten to the test's bucket, key and time: the same events S3
and EventBridge send, the same handler functions the template names.
"""

from __future__ import annotations

import copy
import csv
import email
import io
import json
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"

FEED_FUNCTION = "FeedFunction"
DAILY_FUNCTION = "DailyFunction"
NOTICE_FUNCTION = "NoticeFunction"

ADMIN = "plan-admin@ctc.example.com"

# The people most tests start from. E1 has a personal mailbox for after termination,
# E2 an estate address for after death; D1-D3 are non-employee directors and M1 an
# employee-director (role employee: no formula option, Directors §6(a)).
PEOPLE_CSV = (
    "participant_id,name,email,role,personal_email,estate_email,ten_percent_holder\n"
    "E1,Ann Lee,ann.lee@ctc.example.com,employee,ann@home.example.com,,false\n"
    "E2,Bob Roe,bob.roe@ctc.example.com,employee,,bob.estate@law.example.com,false\n"
    "D1,Dana Fox,dana.fox@board.example.com,director,,,\n"
    "D2,Eli Gray,eli.gray@board.example.com,director,,,\n"
    "D3,Fay Hill,fay.hill@board.example.com,director,,,\n"
    "M1,Max Ives,max.ives@ctc.example.com,employee,,,\n"
)


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return data


def s3_event(
    stack: Any,
    kind: str,
    key: str,
    day: date,
    clock: str = "T14:00:00.000Z",
    version: str | None = None,
) -> dict[str, Any]:
    """events/s3_put_<kind>.json, pointed at our bucket, key and object version,
    uploaded on `day` (14:00 UTC is 09:00/10:00 in New York: the same calendar day).
    Without `version`, the version the key holds now."""
    event = copy.deepcopy(load_event(f"s3_put_{kind}.json"))
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = stack.stack.bucket
    record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{stack.stack.bucket}"
    record["s3"]["object"]["key"] = quote_plus(key, safe="/")  # S3 URL-encodes keys
    if version is None:
        head = stack.runtime.s3.head_object(Bucket=stack.stack.bucket, Key=key)
        version = head.get("VersionId")
    if version is None:
        record["s3"]["object"].pop("versionId", None)
    else:
        record["s3"]["object"]["versionId"] = version  # the bucket is versioned
    record["eventTime"] = day.isoformat() + clock
    return event


def put_object(stack: Any, key: str, body: bytes) -> str | None:
    """Upload; returns the new object version (the bucket is versioned)."""
    put = stack.runtime.s3.put_object(Bucket=stack.stack.bucket, Key=key, Body=body)
    version: str | None = put.get("VersionId")
    return version


def feed(
    stack: Any, kind: str, body: str | bytes, day: date, name: str | None = None
) -> dict[str, Any]:
    """Upload a feed under incoming/<kind>/ and deliver its S3 event to the FeedFunction;
    returns the handler's answer for the one file."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    key = f"incoming/{kind}/{name or day.isoformat()}.csv"
    version = put_object(stack, key, data)
    result = stack.invoke(FEED_FUNCTION, s3_event(stack, kind, key, day, version=version))
    files: list[dict[str, Any]] = result["files"]
    assert len(files) == 1
    return files[0]


def schedule_event(day: date, name: str = "schedule_daily.json") -> dict[str, Any]:
    """events/schedule_daily.json for `day` (11:00 UTC is 06:00/07:00 in New York)."""
    event = copy.deepcopy(load_event(name))
    event["time"] = f"{day.isoformat()}T11:00:00Z"
    return event


def run_daily(stack: Any, day: date) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke(DAILY_FUNCTION, schedule_event(day))
    return result


def run_notices(stack: Any, day: date) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke(
        NOTICE_FUNCTION, schedule_event(day, "schedule_notices.json")
    )
    return result


# --- reading back what happened -------------------------------------------------------


def emails(stack: Any) -> list[EmailMessage]:
    """Every email moto's SES accepted, parsed as a mail reader would."""
    parsed = []
    for sent in stack.aws.sent_messages():
        message = email.message_from_string(sent.raw_data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        parsed.append(message)
    return parsed


def notice_kind(message: EmailMessage) -> str:
    """The kind of notice an email is ("grant", "exercise", "termination", ...): its
    Message-ID is <kind>-<32 hex>@... (notices.mime.notice_id)."""
    local = str(message["Message-ID"]).strip().strip("<>").split("@")[0]
    return local.rsplit("-", 1)[0]


def emails_besides(stack: Any, *kinds: str) -> list[EmailMessage]:
    """Every email SES accepted except the notices of `kinds` (e.g. the grant notices
    of a fixture's grants, which the test checked itself)."""
    return [m for m in emails(stack) if notice_kind(m) not in kinds]


def subject(message: EmailMessage) -> str:
    return str(message["Subject"])


def plain(message: EmailMessage) -> str:
    """The text/plain part, with the wire's CRLF line ends read as newlines."""
    part = message.get_body(("plain",))
    assert part is not None, "every notice has a text/plain part"
    text: str = part.get_content()  # type: ignore[attr-defined]
    return text.replace("\r\n", "\n")


def html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None, "every notice has a text/html part"
    text: str = part.get_content()  # type: ignore[attr-defined]
    return text


def to(message: EmailMessage) -> str:
    return str(message["To"])


def table_items(stack: Any) -> list[dict[str, Any]]:
    """A full dump of the table (low-level scan: test-side only), sorted by key."""
    client = stack.aws.client("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": stack.stack.table, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


def item(stack: Any, pk: str, sk: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = stack.runtime.table().get(pk, sk)
    return found


def report(stack: Any, as_of: date) -> dict[str, Any]:
    from stockplan.service.report import build_report

    result: dict[str, Any] = build_report(stack.runtime.table(), as_of)
    return result


def award(rep: dict[str, Any], award_id: str) -> dict[str, Any]:
    matches = [a for a in rep["awards"] if a["award_id"] == award_id]
    assert len(matches) == 1, f"{award_id} in {[a['award_id'] for a in rep['awards']]}"
    found: dict[str, Any] = matches[0]
    return found


def bucket_keys(stack: Any, prefix: str = "") -> list[str]:
    listed = stack.runtime.s3.list_objects_v2(Bucket=stack.stack.bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def errors_csv(stack: Any, key: str) -> list[dict[str, str]]:
    """errors/<key>.errors.csv as a list of {column: value}."""
    body = stack.runtime.s3.get_object(Bucket=stack.stack.bucket, Key=f"errors/{key}.errors.csv")
    text = body["Body"].read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def outbox(stack: Any) -> list[dict[str, Any]]:
    """Every outbox notice item (few in a test; read by type from the dump)."""
    from stockplan.data.table import from_wire

    return [from_wire(i) for i in table_items(stack) if i.get("type", {}).get("S") == "notice"]


def assert_awards_are_their_history(items: list[dict[str, Any]]) -> None:
    """Every award is what replaying its history gives (docs/plan-rules.md "Corrections": the
    state is derived from the facts), reminders sent aside (they are not the books)."""
    from stockplan.data import records as rec
    from stockplan.domain.history import AwardEvent, replay

    for item in items:
        if item.get("type") != "award":
            continue
        stored = rec.award_from(item)
        derived = replay(AwardEvent.from_stored(e) for e in item["history"])
        assert derived == stored.evolve(reminders_sent=frozenset()), stored.award_id


def assert_pools_match_awards(stack: Any) -> dict[str, int]:
    """The drift check: every POOL item's `outstanding` equals the figure recomputed from
    all award and deferred-stock items (`outstanding_from_records`), and, while no split
    has restated the pools as a whole, `delivered` equals the shares the awards and the
    issued deferred stock delivered. Returns {plan: outstanding}."""
    from stockplan.data import records as rec
    from stockplan.data.table import from_wire
    from stockplan.domain.model import DeferredStatus, PlanCode
    from stockplan.domain.pools import outstanding_from_records

    items = [from_wire(i) for i in table_items(stack)]
    awards = [rec.award_from(i) for i in items if i.get("type") == "award"]
    assert_awards_are_their_history(items)
    deferred = [rec.deferred_from(i) for i in items if i.get("type") == "deferred"]
    pools = {i["SK"]: i for i in items if i.get("type") == "pool"}
    figures: dict[str, int] = {}
    for plan in PlanCode:
        expected = outstanding_from_records(plan, awards, deferred)
        pool = pools.get(plan.value)
        stored = int(pool["outstanding"]) if pool else 0
        assert stored == expected, f"{plan.value}: pool says {stored}, awards say {expected}"
        if pool is not None and not pool.get("splits"):
            delivered = sum(a.shares_delivered for a in awards if a.plan is plan)
            if plan is PlanCode.DIRECTORS_1999:
                delivered += sum(d.shares for d in deferred if d.status is DeferredStatus.ISSUED)
            assert int(pool["delivered"]) == delivered, f"{plan.value}: delivered drifted"
        figures[plan.value] = stored
    return figures


class RecordingClient:
    """Stands in for the DynamoDB client: records every operation, then delegates."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            return attribute(*args, **kwargs)

        return call

    def operations(self) -> list[str]:
        return [name for name, _ in self.calls]
