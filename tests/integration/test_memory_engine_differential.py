"""The in-memory engine (stockplan_cli.memory, stockplan_cli.memory_aws) answers as
plain moto does.

Hypothesis draws random sequences of operations, errors included, and runs each on the
in-memory engine and on moto (nothing patched):
- the table, through the data layer's port (`Table`: what every use case calls): puts
  with and without conditions, updates that move an item between partitions of the
  sparse indexes or out of them, transactions that commit, are cancelled by a
  condition or refused (an item twice, over the item or key size limits), gets, batch
  gets, queries by prefix and bound, newest first, with limits, index queries and
  windows, the MessageIndex, scans by type;
- S3 (a versioned bucket): puts, reads of the latest or of a version, missing keys
  and versions;
- SQS: sends, batches, receives with and without a visibility timeout, deletes and
  visibility changes by receipt handle (stale ones too), a redrive policy's move to
  the dead-letter queue;
- SES v2: raw sends from verified and unverified senders.
Every answer (items and their order, ETags, bodies, receive counts, error codes) and
the final contents must be the same. Ids each service draws at random (S3 versions,
SQS message ids and receipt handles, SES message ids) are compared by the order they
were given in.

`test_a_planted_divergence_is_found` shows the comparison is not blind: with one
bound of the in-memory query off by one, Hypothesis finds a sequence that differs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from stockplan.data.table import ConflictError, Table, Transaction, Update, from_wire
from stockplan_cli.memory import MemoryTable

Step = tuple[str, tuple[Any, ...]]

PKS = st.sampled_from(["P#1", "P#2", "PRICES"])
SKS = st.sampled_from(["A#1", "A#2", "A#10", "B#1", "C", "2002-03-15"])
PARTITIONS = st.sampled_from(["DUE", "OPEN"])
DUES = st.sampled_from(["2001-01-01", "2001-06-30", "2002-01-01"])
BOUNDS = st.sampled_from(["A", "A#1", "A#2", "B", "C", "2002", "Z"])
# Sizes well inside or well outside the limits: moto measures an item a little
# differently from DynamoDB's documented rule, which the in-memory table follows.
PADDING = st.sampled_from([300_000, 430_000])
LONG_KEYS = st.sampled_from([None, "PK", "SK", "GSI1SK"])


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    pk, sk = draw(PKS), draw(SKS)
    item: dict[str, Any] = {"PK": pk, "SK": sk, "type": draw(st.sampled_from(["a", "b"]))}
    if draw(st.booleans()):
        item["version"] = draw(st.integers(0, 3))
    if draw(st.booleans()):  # the sparse DueIndex
        item["GSI1PK"] = draw(PARTITIONS)
        item["GSI1SK"] = f"{draw(DUES)}#{pk}#{sk}"
    if draw(st.booleans()):
        item["message_id"] = draw(st.sampled_from(["m1", "m2"]))
    if draw(st.booleans()):
        item["nested"] = {"list": ["a", 1, True], "raw": b"\x00\x01", "tags": {"x", "y"}}
    if draw(st.integers(0, 9)) == 0:  # moto copies big items slowly: a few
        item["pad"] = "x" * draw(PADDING)
    long_key = draw(LONG_KEYS) if draw(st.integers(0, 5)) == 0 else None
    if long_key == "GSI1SK":
        item.update(GSI1PK="DUE", GSI1SK="2001-01-01#" + "k" * 1100)
    elif long_key:
        item[long_key] = "k" * (2100 if long_key == "PK" else 1100)
    return item


def _put(draw: st.DrawFn) -> Step:
    item = draw(items())
    condition = draw(st.sampled_from(["none", "new", "versioned"]))
    return "put", (item, condition, draw(st.integers(0, 3)))


def _update(draw: st.DrawFn) -> Step:
    pk, sk = draw(PKS), draw(SKS)
    kind = draw(st.sampled_from(["move", "unindex", "count", "dirty"]))
    if kind == "move":
        values = {":p": draw(PARTITIONS), ":s": f"{draw(DUES)}#{pk}#{sk}"}
        change = Update(pk, sk, "SET GSI1PK = :p, GSI1SK = :s", values)
    elif kind == "unindex":
        change = Update(pk, sk, "REMOVE GSI1PK, GSI1SK")
    elif kind == "count":
        change = Update(pk, sk, "ADD version :one", {":one": 1}, "attribute_exists(PK)")
    else:
        change = Update(pk, sk, "SET dirty = :t ADD version :one", {":t": True, ":one": 1})
    return "update", (change,)


def _transaction(draw: st.DrawFn) -> Step:
    entries = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["put", "new", "versioned", "update", "delete", "check"]))
        entries.append((kind, draw(items()), draw(st.integers(0, 3))))
    return "commit", (entries,)


def _read(draw: st.DrawFn) -> Step:
    kinds = ["get", "batch", "query", "query", "query", "index", "index", "window", "message"]
    kind = draw(st.sampled_from([*kinds, "scan"]))
    if kind == "get":
        return "get", (draw(PKS), draw(SKS))
    if kind == "batch":
        return "batch_get", (draw(st.lists(st.tuples(PKS, SKS), min_size=1, max_size=4)),)
    if kind == "query":
        shape = draw(st.sampled_from(["all", "prefix", "upto"]))
        bound = draw(BOUNDS)
        limit = draw(st.sampled_from([None, 1, 2]))
        return "query", (draw(PKS), shape, bound, draw(st.booleans()), limit)
    if kind == "index":
        shape = draw(st.sampled_from(["all", "upto", "after"]))
        return "query_index", (
            draw(PARTITIONS),
            shape,
            draw(DUES),
            draw(st.sampled_from([None, 1])),
        )
    if kind == "window":
        return "index_window", (draw(PARTITIONS), draw(DUES) + "#~", draw(st.integers(1, 3)))
    if kind == "message":
        return "keys_by_message_id", (draw(st.sampled_from(["m1", "m2"])),)
    return "scan_types", (draw(st.sampled_from([["a"], ["a", "b"]])),)


@st.composite
def table_step(draw: st.DrawFn) -> Step:
    return draw(st.sampled_from([_put, _put, _update, _transaction, _read, _read]))(draw)


TABLE_STEPS = st.lists(table_step(), min_size=1, max_size=20)


def _transaction_of(entries: list[tuple[str, dict[str, Any], int]]) -> Transaction:
    tx = Transaction()
    for kind, item, seen in entries:
        if kind == "put":
            tx.put(item)
        elif kind == "new":
            tx.put_new(item)
        elif kind == "versioned":
            tx.put_versioned(item, seen)
        elif kind == "update":
            tx.update(Update(item["PK"], item["SK"], "ADD version :one", {":one": 1}))
        elif kind == "delete":
            tx.delete(item["PK"], item["SK"], "attribute_exists(PK)")
        else:
            tx.check(item["PK"], item["SK"], "attribute_not_exists(PK)")
    return tx


def apply(table: Table, step: Step) -> Any:
    """The port's answer, or what it raised (its kind and AWS's error code)."""
    name, args = step
    try:
        if name == "put":
            item, condition, seen = args
            if condition == "new":
                return table.put_new(item)
            if condition == "versioned":
                return table.put(item, "version = :v", {":v": seen})
            return table.put(item)
        if name == "update":
            return table.update(args[0])
        if name == "commit":
            table.commit(_transaction_of(args[0]))
            return "committed"
        if name == "query":
            pk, shape, bound, newest_first, limit = args
            prefix = bound if shape == "prefix" else None
            upto = bound if shape == "upto" else None
            return table.query(pk, prefix, sk_upto=upto, newest_first=newest_first, limit=limit)
        if name == "query_index":
            partition, shape, bound, limit = args
            upto = bound if shape == "upto" else None
            after = bound if shape == "after" else None
            return table.query_index(partition, upto, limit, after)
        return getattr(table, name)(*args)
    except ConflictError:
        return "conflict"
    except ClientError as error:
        return ("error", error.response["Error"]["Code"])


def _plain(value: Any) -> Any:
    """Answers in one comparable shape (boto3's Binary as bytes; unordered answers
    sorted: batch gets, scans, the MessageIndex)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    if hasattr(value, "value") and isinstance(value.value, bytes):
        return bytes(value.value)
    return value


UNORDERED = {"batch_get", "scan_types", "keys_by_message_id"}


def answers(table: Table, steps: list[Step]) -> list[Any]:
    said = []
    for step in steps:
        answer = _plain(apply(table, step))
        if step[0] in UNORDERED and isinstance(answer, list):
            answer = sorted(answer, key=repr)
        said.append(answer)
    said.append(sorted((_plain(i) for i in _contents(table)), key=repr))
    return said


def _contents(table: Table) -> list[dict[str, Any]]:
    if isinstance(table, MemoryTable):
        return list(table.items.values())
    pages, request = [], {"TableName": table.name}
    while True:
        page = table.client.scan(**request)
        pages += [from_wire(i) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return pages
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.fixture(scope="module")
def moto() -> Iterator[Callable[[str], Any]]:
    import boto3
    from moto import mock_aws

    from stockplan_cli.embedded import REGION, fake_credentials

    fake_credentials()
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)


@contextmanager
def moto_table(client: Any) -> Iterator[Table]:
    from stockplan_cli import infra_spec

    client.create_table(TableName="main", **infra_spec.table_definition())
    try:
        yield Table(client, "main")
    finally:
        client.delete_table(TableName="main")


def table_divergence(client: Any, steps: list[Step]) -> tuple[Any, Any] | None:
    with moto_table(client) as dynamodb:
        expected = answers(dynamodb, steps)
    found = answers(MemoryTable("main"), steps)
    return None if found == expected else (found, expected)


SLOW = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SLOW
@given(steps=TABLE_STEPS)
def test_the_memory_table_answers_every_operation_as_moto_does(
    moto: Callable[[str], Any], steps: list[Step]
) -> None:
    assert table_divergence(moto("dynamodb"), steps) is None


def test_a_planted_divergence_is_found(
    moto: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With newest-first queries planted to come back oldest first in the in-memory
    table, the random comparison finds a sequence whose answers differ (the same
    search finds none without it: the test above)."""
    client = moto("dynamodb")
    answer = MemoryTable._query

    def oldest_first(self: MemoryTable, *args: Any, **extra: Any) -> list[dict[str, Any]]:
        extra.pop("ScanIndexForward", None)
        return answer(self, *args, **extra)

    monkeypatch.setattr(MemoryTable, "_query", oldest_first)

    # Found, not shrunk: shrinking a failing sequence is what the real run would do.
    found = settings(max_examples=300, deadline=None, database=None, derandomize=True)

    @settings(found, phases=[Phase.generate])
    @given(steps=TABLE_STEPS)
    def the_differential(steps: list[Step]) -> None:
        assert table_divergence(client, steps) is None

    with pytest.raises(AssertionError):
        the_differential()


# --- S3, SQS and SES --------------------------------------------------------------------


class Ids:
    """Ids a service draws at random, named by the order they were first seen."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        return self.seen.setdefault(value, f"id-{len(self.seen) + 1}")


def _call(client: Any, name: str, **kwargs: Any) -> Any:
    try:
        answer = getattr(client, name)(**kwargs)
    except ClientError as error:
        return ("error", error.response["Error"]["Code"])
    answer.pop("ResponseMetadata", None)
    return answer


S3_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["put", "put", "get", "get_version", "get_missing"]),
        st.sampled_from(["incoming/a.csv", "incoming/b.csv", "reports/r.json"]),
        st.binary(max_size=40),
        st.integers(0, 5),
    ),
    min_size=1,
    max_size=15,
)


def s3_answers(client: Any, steps: list[tuple[str, str, bytes, int]]) -> list[Any]:
    ids, versions, said = Ids(), [], []
    client.create_bucket(Bucket="feeds")
    client.put_bucket_versioning(Bucket="feeds", VersioningConfiguration={"Status": "Enabled"})
    for kind, key, body, pick in steps:
        if kind == "put":
            answer = _call(client, "put_object", Bucket="feeds", Key=key, Body=body)
            versions.append(answer["VersionId"])
            said.append([answer["ETag"], ids(answer["VersionId"])])
            continue
        where: dict[str, Any] = {"Bucket": "feeds", "Key": key}
        if kind == "get_version" and versions:
            where["VersionId"] = versions[pick % len(versions)]
        elif kind == "get_missing":
            where["Key"] = "incoming/missing.csv"
        answer = _call(client, "get_object", **where)
        if isinstance(answer, dict):
            version = ids(str(answer.get("VersionId")))
            answer = [answer["ETag"], answer["Body"].read(), answer["ContentLength"], version]
        said.append(answer)
    return said


@SLOW
@given(steps=S3_STEPS)
def test_the_memory_s3_answers_as_moto_does(
    moto: Callable[[str], Any], steps: list[tuple[str, str, bytes, int]]
) -> None:
    from stockplan_cli.memory_aws import MemoryS3

    client = moto("s3")
    try:
        expected = s3_answers(client, steps)
    finally:
        for version in client.list_object_versions(Bucket="feeds").get("Versions", []):
            client.delete_object(Bucket="feeds", Key=version["Key"], VersionId=version["VersionId"])
        client.delete_bucket(Bucket="feeds")
    assert s3_answers(MemoryS3(), steps) == expected


SQS_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.integers(1, 3)),
        st.tuples(st.just("receive"), st.integers(1, 4), st.sampled_from([0, 600])),
        st.tuples(st.just("delete"), st.integers(0, 9)),
        st.tuples(st.just("release"), st.integers(0, 9), st.sampled_from([0, 600])),
        st.tuples(st.just("dead"), st.integers(1, 10)),
    ),
    min_size=1,
    max_size=20,
)
# moto shows a message again only strictly after its visibility ends, to the
# millisecond: each receive waits for the clock to pass the last change.
TICK = 0.003


def sqs_answers(client: Any, steps: list[tuple[Any, ...]]) -> list[Any]:
    ids, handles, said, sent = Ids(), [], [], 0
    dead = client.create_queue(QueueName="dead")["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])
    policy = {"deadLetterTargetArn": arn["Attributes"]["QueueArn"], "maxReceiveCount": 2}
    url = client.create_queue(
        QueueName="chunks",
        Attributes={"VisibilityTimeout": "600", "RedrivePolicy": json.dumps(policy)},
    )["QueueUrl"]
    for step in steps:
        kind = step[0]
        if kind == "send":
            entries = [{"Id": str(n), "MessageBody": f"m{sent + n}"} for n in range(step[1])]
            sent += step[1]
            answer = _call(client, "send_message_batch", QueueUrl=url, Entries=entries)
            said.append(sorted((e["Id"], ids(e["MessageId"])) for e in answer["Successful"]))
        elif kind == "receive":
            time.sleep(TICK)
            answer = _call(
                client,
                "receive_message",
                QueueUrl=url,
                MaxNumberOfMessages=step[1],
                VisibilityTimeout=step[2],
                AttributeNames=["All"],
            )
            messages = answer.get("Messages", [])
            handles += [m["ReceiptHandle"] for m in messages]
            said.append(
                [
                    (ids(m["MessageId"]), m["Body"], m["Attributes"]["ApproximateReceiveCount"])
                    for m in messages
                ]
            )
        elif kind == "dead":
            time.sleep(TICK)
            answer = _call(client, "receive_message", QueueUrl=dead, MaxNumberOfMessages=10)
            said.append(sorted(m["Body"] for m in answer.get("Messages", [])))
        elif handles:
            handle = handles[step[1] % len(handles)]
            if kind == "delete":
                said.append(_call(client, "delete_message", QueueUrl=url, ReceiptHandle=handle))
            else:
                said.append(
                    _call(
                        client,
                        "change_message_visibility",
                        QueueUrl=url,
                        ReceiptHandle=handle,
                        VisibilityTimeout=step[2],
                    )
                )
    return said


@SLOW
@given(steps=SQS_STEPS)
def test_the_memory_sqs_answers_as_moto_does(
    moto: Callable[[str], Any], steps: list[tuple[Any, ...]]
) -> None:
    from stockplan_cli.memory_aws import MemorySqs

    client = moto("sqs")
    try:
        expected = sqs_answers(client, steps)
    finally:
        for url in client.list_queues().get("QueueUrls", []):
            client.delete_queue(QueueUrl=url)
    assert sqs_answers(MemorySqs(), steps) == expected


SES_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["stock-plans@ctc.example.com", "someone@elsewhere.example.com"]),
        st.sampled_from(["ann@ctc.example.com", "bob@home.example.com"]),
        st.sampled_from([None, "notices"]),
    ),
    min_size=1,
    max_size=6,
)


def ses_answers(client: Any, steps: list[tuple[str, str, str | None]]) -> list[Any]:
    ids, said = Ids(), []
    client.create_email_identity(EmailIdentity="stock-plans@ctc.example.com")
    client.create_configuration_set(ConfigurationSetName="notices")
    for sender, recipient, configuration_set in steps:
        raw = f"From: {sender}\r\nTo: {recipient}\r\nSubject: A notice\r\n\r\nBody\r\n"
        request: dict[str, Any] = {
            "FromEmailAddress": sender,
            "Destination": {"ToAddresses": [recipient]},
            "Content": {"Raw": {"Data": raw.encode()}},
        }
        if configuration_set:
            request["ConfigurationSetName"] = configuration_set
        answer = _call(client, "send_email", **request)
        said.append(ids(answer["MessageId"]) if isinstance(answer, dict) else answer)
    return said


def _sent(messages: list[Any]) -> list[Any]:
    return [(m.source, list(m.destinations), m.raw_data) for m in messages]


@SLOW
@given(steps=SES_STEPS)
def test_the_memory_ses_answers_and_keeps_what_was_sent_as_moto_does(
    moto: Callable[[str], Any], steps: list[tuple[str, str, str | None]]
) -> None:
    from moto.ses.models import ses_backends

    from stockplan_cli.embedded import ACCOUNT, REGION
    from stockplan_cli.memory_aws import MemorySesV2

    backend = ses_backends[ACCOUNT][REGION]
    before = len(backend.sent_messages)
    client = moto("sesv2")
    try:
        expected = ses_answers(client, steps)
        expected_sent = _sent(backend.sent_messages[before:])
    finally:
        client.delete_email_identity(EmailIdentity="stock-plans@ctc.example.com")
        client.delete_configuration_set(ConfigurationSetName="notices")
    memory = MemorySesV2()
    assert ses_answers(memory, steps) == expected
    assert _sent(memory.sent_messages) == expected_sent


def test_the_memory_ses_throttles_sends_over_the_account_rate() -> None:
    """SES refuses the sends over the account's maximum send rate (a second's worth)."""
    from stockplan_cli.memory_aws import MemorySesV2

    now = [1000.0]
    ses = MemorySesV2(clock=lambda: now[0], max_send_rate=2)
    ses.create_email_identity(EmailIdentity="stock-plans@ctc.example.com")
    steps = [("stock-plans@ctc.example.com", "ann@ctc.example.com", None)] * 3
    assert ses_answers(ses, steps)[2] == ("error", "TooManyRequestsException")
    now[0] += 1
    assert ses_answers(ses, steps[:1]) == ["id-1"]
