"""The embedded AWS's moto speed-ups (stockplan_cli.moto_speedups) answer exactly as
plain moto does.

Hypothesis draws random sequences of DynamoDB operations (puts, conditional puts,
updates that move an item between partitions of a sparse index, deletes, gets, queries
with begins_with and <=, index queries with and without Limit, transactions that commit
or are cancelled, batch gets, paged scans) on the stack's table (its keys and indexes
from infra/template.yaml) and on a hash-key-only table. Each sequence runs once with
every speed-up on and once on plain moto; every answer (items, their order, errors) and
the final contents of both tables must be the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HASH_ONLY = {
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}

PKS = st.sampled_from(["P#1", "P#2", "P#3"])
SKS = st.sampled_from(["A#1", "A#2", "A#10", "B#1", "B#2", "C"])
IDS = st.sampled_from(["x", "y", "z"])
PARTITIONS = st.sampled_from(["DUE", "OPEN"])
DUES = st.sampled_from(["2001-01-01", "2001-06-30", "2002-01-01", "2003-12-31"])
PREFIXES = st.sampled_from(["A", "A#1", "B", "C", "Z"])
BOUNDS = st.sampled_from(["A#1", "A#2", "B", "B#1", "C", "D"])


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    pk, sk = draw(PKS), draw(SKS)
    item: dict[str, Any] = {
        "PK": {"S": pk},
        "SK": {"S": sk},
        "v": {"N": str(draw(st.integers(0, 3)))},
    }
    if draw(st.booleans()):  # the DueIndex is sparse: only some items are in it
        item["GSI1PK"] = {"S": draw(PARTITIONS)}
        item["GSI1SK"] = {"S": f"{draw(DUES)}#{pk}#{sk}"}
    if draw(st.booleans()):
        item["message_id"] = {"S": draw(st.sampled_from(["m1", "m2"]))}
    if draw(st.booleans()):
        item["nested"] = {"M": {"list": {"L": [{"S": "a"}, {"N": "1"}]}, "b": {"B": b"\x00\x01"}}}
    return item


def keys(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


CONDITIONS = st.sampled_from([None, "attribute_not_exists(PK)", "attribute_exists(PK)", "v = :v"])


def put(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    args: dict[str, Any] = {"TableName": "{main}", "Item": draw(items())}
    condition = draw(CONDITIONS)
    if condition:
        args["ConditionExpression"] = condition
        if ":v" in condition:
            args["ExpressionAttributeValues"] = {":v": {"N": str(draw(st.integers(0, 3)))}}
    return "put_item", args


def update(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    pk, sk = draw(PKS), draw(SKS)
    args: dict[str, Any] = {"TableName": "{main}", "Key": keys(pk, sk), "ReturnValues": "ALL_NEW"}
    kind = draw(st.sampled_from(["move", "unindex", "count"]))
    if kind == "move":
        args["UpdateExpression"] = "SET GSI1PK = :p, GSI1SK = :s"
        args["ExpressionAttributeValues"] = {
            ":p": {"S": draw(PARTITIONS)},
            ":s": {"S": f"{draw(DUES)}#{pk}#{sk}"},
        }
    elif kind == "unindex":
        args["UpdateExpression"] = "REMOVE GSI1PK, GSI1SK"
    else:
        args["UpdateExpression"] = "ADD v :one"
        args["ExpressionAttributeValues"] = {":one": {"N": "1"}}
    if draw(st.booleans()):
        args["ConditionExpression"] = "attribute_exists(PK)"
    return "update_item", args


def delete(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    args: dict[str, Any] = {"TableName": "{main}", "Key": keys(draw(PKS), draw(SKS))}
    if draw(st.booleans()):
        args["ConditionExpression"] = "attribute_exists(PK)"
    args["ReturnValues"] = "ALL_OLD"
    return "delete_item", args


def get(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    return "get_item", {"TableName": "{main}", "Key": keys(draw(PKS), draw(SKS))}


def limits(draw: st.DrawFn, args: dict[str, Any]) -> dict[str, Any]:
    if draw(st.booleans()):
        args["Limit"] = draw(st.integers(1, 3))
    args["ScanIndexForward"] = draw(st.booleans())
    return args


def query(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    args: dict[str, Any] = {"TableName": "{main}"}
    values: dict[str, Any] = {":pk": {"S": draw(PKS)}}
    condition = draw(st.sampled_from(["", "begins_with(SK, :x)", "SK <= :x"]))
    if condition:
        values[":x"] = {"S": draw(PREFIXES if "begins" in condition else BOUNDS)}
    args["KeyConditionExpression"] = "PK = :pk" + (f" AND {condition}" if condition else "")
    args["ExpressionAttributeValues"] = values
    return "query", limits(draw, args)


def index_query(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    if draw(st.integers(0, 3)) == 0:
        return "query", limits(
            draw,
            {
                "TableName": "{main}",
                "IndexName": "MessageIndex",
                "KeyConditionExpression": "message_id = :m",
                "ExpressionAttributeValues": {":m": {"S": draw(st.sampled_from(["m1", "m2"]))}},
            },
        )
    values: dict[str, Any] = {":p": {"S": draw(PARTITIONS)}}
    condition = draw(st.sampled_from(["", "GSI1SK <= :d", "begins_with(GSI1SK, :d)"]))
    if condition:
        values[":d"] = {"S": draw(DUES)[: draw(st.integers(4, 10))]}
    args = {
        "TableName": "{main}",
        "IndexName": "DueIndex",
        "KeyConditionExpression": "GSI1PK = :p" + (f" AND {condition}" if condition else ""),
        "ExpressionAttributeValues": values,
    }
    return "query", limits(draw, args)


def transaction_entry(draw: st.DrawFn, used: set[str]) -> dict[str, Any] | None:
    if draw(st.booleans()):
        ident = draw(IDS)
        if f"h{ident}" in used:
            return None
        used.add(f"h{ident}")
        kind = draw(st.sampled_from(["Put", "Delete", "Update", "ConditionCheck"]))
        key = {"id": {"S": ident}}
        table = "{hash}"
    else:
        pk, sk = draw(PKS), draw(SKS)
        if f"m{pk}{sk}" in used:
            return None
        used.add(f"m{pk}{sk}")
        kind = draw(st.sampled_from(["Put", "Delete", "Update", "ConditionCheck"]))
        key = keys(pk, sk)
        table = "{main}"
    op: dict[str, Any] = {"TableName": table}
    if kind == "Put":
        op["Item"] = key | {"n": {"N": str(draw(st.integers(0, 9)))}}
    else:
        op["Key"] = key
    if kind == "Update":
        op["UpdateExpression"] = "SET n = :n"
        op["ExpressionAttributeValues"] = {":n": {"N": str(draw(st.integers(0, 9)))}}
    condition = draw(st.sampled_from([None, "attribute_exists(#k)", "attribute_not_exists(#k)"]))
    if kind == "ConditionCheck" or condition:
        op["ConditionExpression"] = condition or "attribute_exists(#k)"
        op["ExpressionAttributeNames"] = {"#k": next(iter(key))}
    return {kind: op}


def transaction(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    used: set[str] = set()
    entries = [transaction_entry(draw, used) for _ in range(draw(st.integers(1, 4)))]
    return "transact_write_items", {"TransactItems": [e for e in entries if e is not None]}


def hash_put(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    item = {"id": {"S": draw(IDS)}, "n": {"N": str(draw(st.integers(0, 9)))}}
    return "put_item", {"TableName": "{hash}", "Item": item}


def batch_get(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    main = draw(st.lists(st.tuples(PKS, SKS), min_size=1, max_size=4, unique=True))
    hashes = draw(st.lists(IDS, max_size=2, unique=True))
    request: dict[str, Any] = {"{main}": {"Keys": [keys(pk, sk) for pk, sk in main]}}
    if hashes:
        request["{hash}"] = {"Keys": [{"id": {"S": i}} for i in hashes]}
    return "batch_get_item", {"RequestItems": request}


def scan(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    return "scan_all", {"TableName": draw(st.sampled_from(["{main}", "{hash}"])), "Limit": 3}


OPERATIONS = (put, put, update, delete, get, query, index_query, transaction, transaction)
OPERATIONS += (hash_put, batch_get, scan)


@st.composite
def operation(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    return draw(st.sampled_from(OPERATIONS))(draw)


def named(value: Any, main: str, hash_only: str) -> Any:
    """The operation with the run's table names in place of {main} and {hash}."""
    if isinstance(value, dict):
        return {named(k, main, hash_only): named(v, main, hash_only) for k, v in value.items()}
    if isinstance(value, list):
        return [named(v, main, hash_only) for v in value]
    if value == "{main}":
        return main
    if value == "{hash}":
        return hash_only
    return value


def answer(client: Any, name: str, args: dict[str, Any]) -> Any:
    """What DynamoDB said: the answer less its metadata, or the error's code, message
    and cancellation reasons."""
    try:
        if name == "scan_all":
            pages = []
            while True:
                page = client.scan(**args)
                pages.append([page["Items"], page.get("LastEvaluatedKey")])
                if "LastEvaluatedKey" not in page:
                    return pages
                args = args | {"ExclusiveStartKey": page["LastEvaluatedKey"]}
        result = getattr(client, name)(**args)
    except ClientError as error:
        return ("error", error.response["Error"], error.response.get("CancellationReasons"))
    result.pop("ResponseMetadata", None)
    return result


def dump(client: Any, table: str) -> list[dict[str, Any]]:
    return answer(client, "scan_all", {"TableName": table})  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def moto_client() -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    from stockplan_cli.embedded import REGION, fake_credentials

    fake_credentials()
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


def run(client: Any, speedups: frozenset[str], operations: list[Any]) -> list[Any]:
    from stockplan_cli import infra_spec, moto_speedups

    main, hash_only = "main", "hash-only"  # both runs: the names are in the answers
    with moto_speedups.enabled(speedups) as on:
        assert on == speedups
        client.create_table(TableName=main, **infra_spec.table_definition())
        client.create_table(TableName=hash_only, **HASH_ONLY)
        try:
            answers = [
                answer(client, name, named(args, main, hash_only)) for name, args in operations
            ]
            return [answers, dump(client, main), dump(client, hash_only)]
        finally:
            client.delete_table(TableName=main)
            client.delete_table(TableName=hash_only)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation(), min_size=1, max_size=25))
def test_the_speedups_answer_every_operation_as_plain_moto(
    moto_client: Any, operations: list[tuple[str, dict[str, Any]]]
) -> None:
    from stockplan_cli import moto_speedups

    fast = run(moto_client, frozenset(s.name for s in moto_speedups.SPEEDUPS), operations)
    plain = run(moto_client, frozenset(), operations)
    assert fast == plain


def test_a_cancelled_transaction_on_a_hash_key_only_table_writes_nothing(moto_client: Any) -> None:
    """DynamoDB applies a TransactWriteItems whole or not at all, whatever the table's
    key schema: a Put before a failing ConditionCheck leaves nothing behind."""
    from stockplan_cli import moto_speedups

    operations: list[tuple[str, dict[str, Any]]] = [
        (
            "transact_write_items",
            {
                "TransactItems": [
                    {"Put": {"TableName": "{hash}", "Item": {"id": {"S": "x"}}}},
                    {"Put": {"TableName": "{main}", "Item": keys("P#1", "A#1")}},
                    {
                        "ConditionCheck": {
                            "TableName": "{hash}",
                            "Key": {"id": {"S": "nobody"}},
                            "ConditionExpression": "attribute_exists(id)",
                        }
                    },
                ]
            },
        )
    ]
    fast = run(moto_client, frozenset(s.name for s in moto_speedups.SPEEDUPS), operations)
    assert fast[0][0][0] == "error"
    assert fast[1:] == [[[[], None]], [[[], None]]]  # both tables empty
    assert fast == run(moto_client, frozenset(), operations)


@pytest.mark.parametrize("padding", [404_900, 405_100])
def test_an_item_at_the_size_limit_is_refused_or_kept_as_plain_moto_does(
    moto_client: Any, padding: int
) -> None:
    """item_sizes sums a new item's size once: the same items pass and fail moto's
    limit, with the same error, put alone or in a transaction."""

    item = {**keys("P#1", "A#1"), "pad": {"S": "x" * padding}, "n": {"N": "1"}}
    operations: list[tuple[str, dict[str, Any]]] = [
        ("put_item", {"TableName": "{main}", "Item": item}),
        (
            "transact_write_items",
            {
                "TransactItems": [
                    {"Put": {"TableName": "{main}", "Item": {**item, **keys("P#2", "A#2")}}}
                ]
            },
        ),
    ]
    fast = run(moto_client, frozenset({"item_sizes"}), operations)
    assert fast == run(moto_client, frozenset(), operations)
    outcomes = [answer[0] == "error" for answer in fast[0] if isinstance(answer, tuple)]
    assert outcomes == ([True, True] if padding > 405_000 else [])


RAW_EMAILS = [
    # recipients in To, Cc and Bcc; a body line that looks like a header is body
    b"From: Plans <plans@stockplan.local>\r\nTo: Ann Lee <ann@example.com>\r\n"
    b"Cc: hr@example.com, legal@example.com\r\nBcc: audit@example.com\r\n"
    b'Subject: Grant\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="b"'
    b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nTo: not-a-recipient@example.com\r\n"
    b"--b\r\nContent-Type: text/html\r\n\r\n<p>Grant</p>\r\n--b--\r\n",
    # no sender given with the request: the From header must be a verified identity
    b"From: someone@elsewhere.example\r\nTo: ann@example.com\r\nSubject: x\r\n\r\nbody\r\n",
    b"To: ann@example.com\r\nSubject: no sender\r\n\r\nbody\r\n",
]


def send_raw(speedups: frozenset[str], raw: bytes, sender: str | None) -> Any:
    """What moto's SES records of one raw email (sender, recipients), or its error."""
    import boto3
    from moto.ses.models import ses_backends

    from stockplan_cli import moto_speedups
    from stockplan_cli.embedded import ACCOUNT, REGION

    with moto_speedups.enabled(speedups):
        ses = boto3.client("sesv2", region_name=REGION)
        ses.create_email_identity(EmailIdentity="stockplan.local")
        args: dict[str, Any] = {"Content": {"Raw": {"Data": raw}}}
        if sender:
            args["FromEmailAddress"] = sender
        try:
            ses.send_email(**args)
        except ClientError as error:
            return ("error", error.response["Error"])
        sent = ses_backends[ACCOUNT][REGION].sent_messages[-1]
        return (sent.source, sorted(sent.destinations), sent.raw_data)


@pytest.mark.parametrize("raw", RAW_EMAILS)
@pytest.mark.parametrize("sender", [None, "plans@stockplan.local"])
def test_ses_takes_the_same_sender_and_recipients_from_the_headers_alone(
    moto_client: Any, raw: bytes, sender: str | None
) -> None:
    """ses_headers_only parses a raw email's headers, not its body: the same recipients
    (To, Cc, Bcc; never a line of the body) and the same refusals as plain moto."""
    fast = send_raw(frozenset({"ses_headers_only"}), raw, sender)
    assert fast == send_raw(frozenset(), raw, sender)
    if raw is RAW_EMAILS[0]:
        assert "not-a-recipient@example.com" not in str(fast[1])
        assert len(fast[1]) == 4


@pytest.mark.parametrize(
    "condition", ["v = = :v", "v = :missing", "attribute_exists(#undefined)", "v BETWEEN :v"]
)
def test_a_condition_that_fails_to_parse_fails_alike_every_time(
    moto_client: Any, condition: str
) -> None:
    """condition_tokens keeps a text's tokens only once it splits: a bad condition gives
    plain moto's error at its first and at any later use."""
    fast = conditional_puts(moto_client, frozenset({"condition_tokens"}), condition)
    assert all(outcome != "written" for outcome in fast)
    assert fast == conditional_puts(moto_client, frozenset(), condition)


def conditional_puts(client: Any, speedups: frozenset[str], condition: str) -> list[Any]:
    """Two puts under `condition`: each one's error (moto raises some as Python's own)."""
    from stockplan_cli import infra_spec, moto_speedups

    outcomes: list[Any] = []
    with moto_speedups.enabled(speedups):
        client.create_table(TableName="main", **infra_spec.table_definition())
        try:
            for _ in range(2):
                try:
                    client.put_item(
                        TableName="main",
                        Item=keys("P#1", "A#1"),
                        ConditionExpression=condition,
                        ExpressionAttributeValues={":v": {"N": "1"}},
                    )
                    outcomes.append("written")
                except ClientError as error:
                    outcomes.append(error.response["Error"])
                except (ValueError, KeyError) as error:
                    outcomes.append((type(error).__name__, str(error)))
        finally:
            client.delete_table(TableName="main")
    return outcomes


def test_botocore_checks_the_parameters_on_plain_moto_and_not_with_the_speedup(
    moto_client: Any,
) -> None:
    """unchecked_parameters leaves the checking to the plain-moto tier: there a wrong
    parameter type is botocore's ParamValidationError, as with AWS's clients."""
    from botocore.exceptions import ParamValidationError

    from stockplan_cli import moto_speedups

    wrong = {"TableName": "main", "Key": {"PK": {"S": 1}}}
    with moto_speedups.enabled(frozenset()), pytest.raises(ParamValidationError):
        moto_client.get_item(**wrong)
    # Unchecked, the request reaches moto, which answers that there is no such table.
    with moto_speedups.enabled(frozenset({"unchecked_parameters"})), pytest.raises(ClientError):
        moto_client.get_item(**wrong)
