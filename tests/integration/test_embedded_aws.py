"""The embedded AWS's shortcuts answer exactly as moto would without them.

`stockplan simulate` and the benchmarks run on moto with speed-ups (moto_speedups.py): a
query of the DueIndex reads the index partitions kept current by every write. Whatever
mix of writes comes first (puts,
updates moving an item between index partitions, deletes, transactions committed and
rolled back), each query returns what a scan of the whole table says it must.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

PARTITIONS = ("DUE", "OPEN", "DONE")


@pytest.fixture
def table() -> Iterator[tuple[Any, str]]:
    from stockplan_cli.embedded import EmbeddedAws, create_stack
    from stockplan_cli.infra_spec import load_template
    from stockplan_cli.moto_speedups import SPEEDUPS

    with EmbeddedAws(speedups=frozenset(s.name for s in SPEEDUPS)) as aws:
        stack = create_stack(aws, load_template())
        yield aws.client("dynamodb"), stack.table


def _item(pk: str, sk: str, partition: str | None, due: str) -> dict[str, Any]:
    item = {"PK": {"S": pk}, "SK": {"S": sk}, "due": {"S": due}}
    if partition is not None:
        item["GSI1PK"] = {"S": partition}
        item["GSI1SK"] = {"S": f"{due}#{pk}#{sk}"}
    return item


# Each sort key condition the service uses, and the others DynamoDB allows, with the
# test the truth applies to a scanned item's GSI1SK.
CONDITIONS: dict[str, tuple[str | None, Any]] = {
    "all": (None, lambda sk, a, b: True),
    "le": ("GSI1SK <= :a", lambda sk, a, b: sk <= a),
    "lt": ("GSI1SK < :a", lambda sk, a, b: sk < a),
    "gt": ("GSI1SK > :a", lambda sk, a, b: sk > a),
    "ge": ("GSI1SK >= :a", lambda sk, a, b: sk >= a),
    "eq": ("GSI1SK = :a", lambda sk, a, b: sk == a),
    "between": ("GSI1SK BETWEEN :a AND :b", lambda sk, a, b: a <= sk <= b),
    "begins": ("begins_with(GSI1SK, :a)", lambda sk, a, b: sk.startswith(a)),
}


def _truth(
    client: Any, name: str, partition: str, condition: str, a: str, b: str
) -> list[tuple[str, str]]:
    test = CONDITIONS[condition][1]
    scanned = client.scan(TableName=name)["Items"]
    hits = [
        (i["GSI1SK"]["S"], i["PK"]["S"], i["SK"]["S"])
        for i in scanned
        if i.get("GSI1PK", {}).get("S") == partition and test(i["GSI1SK"]["S"], a, b)
    ]
    return [(pk, sk) for _due, pk, sk in sorted(hits)]


def _query(
    client: Any, name: str, partition: str, condition: str, a: str, b: str, **extra: Any
) -> list[Any]:
    expression = "GSI1PK = :pk"
    values = {":pk": {"S": partition}}
    sort_condition = CONDITIONS[condition][0]
    if sort_condition:
        expression += f" AND {sort_condition}"
        values[":a"] = {"S": a}
        if ":b" in sort_condition:
            values[":b"] = {"S": b}
    answer = client.query(
        TableName=name,
        IndexName="DueIndex",
        KeyConditionExpression=expression,
        ExpressionAttributeValues=values,
        **extra,
    )
    return [(i["PK"]["S"], i["SK"]["S"]) for i in answer["Items"]]


def _random_write(client: Any, name: str, rng: random.Random) -> None:
    pk, sk = f"P#{rng.randrange(12)}", f"AWARD#{rng.randrange(4)}"
    due = f"20{rng.randrange(10, 30)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}"
    partition = rng.choice([*PARTITIONS, None])
    kind = rng.choice(["put", "move", "unindex", "delete", "transaction", "failed"])
    key = {"PK": {"S": pk}, "SK": {"S": sk}}
    if kind == "put":
        client.put_item(TableName=name, Item=_item(pk, sk, partition, due))
    elif kind == "move":
        client.update_item(
            TableName=name,
            Key=key,
            UpdateExpression="SET GSI1PK = :pk, GSI1SK = :sk",
            ExpressionAttributeValues={
                ":pk": {"S": rng.choice(PARTITIONS)},
                ":sk": {"S": f"{due}#{pk}#{sk}"},
            },
        )
    elif kind == "unindex":
        client.update_item(TableName=name, Key=key, UpdateExpression="REMOVE GSI1PK, GSI1SK")
    elif kind == "delete":
        client.delete_item(TableName=name, Key=key)
    else:
        other = {"PK": {"S": f"P#{rng.randrange(12)}"}, "SK": {"S": "AWARD#9"}}
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": name, "Item": _item(pk, sk, partition, due)}},
            {
                "Update": {
                    "TableName": name,
                    "Key": other,
                    "UpdateExpression": "SET GSI1PK = :pk, GSI1SK = :sk, due = :due",
                    "ExpressionAttributeValues": {
                        ":pk": {"S": "DUE"},
                        ":sk": {"S": f"{due}#{other['PK']['S']}#AWARD#9"},
                        ":due": {"S": due},
                    },
                }
            },
        ]
        if kind == "failed":
            # A condition that cannot hold: moto applies the writes, then rolls back.
            writes.append(
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": {"PK": {"S": "NOBODY"}, "SK": {"S": "NOTHING"}},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                }
            )
        try:
            client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            assert kind == "failed", error
            assert error.response["Error"]["Code"] == "TransactionCanceledException"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_index_queries_answer_as_a_full_scan_after_any_mix_of_writes(
    table: tuple[Any, str], seed: int
) -> None:
    client, name = table
    rng = random.Random(seed)
    for step in range(150):
        _random_write(client, name, rng)
        if step % 5 == 0:
            a = f"20{rng.randrange(10, 31)}-0{rng.randrange(1, 10)}"
            b = f"20{rng.randrange(20, 31)}-12-31#~"
            for partition in PARTITIONS:
                for condition in CONDITIONS:
                    expected = _truth(client, name, partition, condition, a, b)
                    seen = (seed, step, partition, condition)
                    assert _query(client, name, partition, condition, a, b) == expected, seen
                    first = _query(client, name, partition, condition, a, b, Limit=1)
                    assert first == expected[:1], seen
                    last = _query(
                        client, name, partition, condition, a, b, Limit=2, ScanIndexForward=False
                    )
                    assert last == expected[::-1][:2], seen


def test_paged_scans_return_every_item_once_in_key_order(table: tuple[Any, str]) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    client, name = table
    stored = dynamodb_backends[DEFAULT_ACCOUNT_ID][client.meta.region_name].get_table(name)
    rng = random.Random(7)
    for round_ in range(4):
        for _ in range(60):
            _random_write(client, name, rng)
        expected = sorted(
            (str(item.hash_key.value), str(item.range_key.value))
            for partition in stored.items.values()
            for item in partition.values()
        )
        seen: list[tuple[str, str]] = []
        kwargs: dict[str, Any] = {"TableName": name, "Limit": 7}
        while True:
            page = client.scan(**kwargs)
            seen += [(i["PK"]["S"], i["SK"]["S"]) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        assert seen == expected, round_


def test_old_versions_of_an_item_are_freed(table: tuple[Any, str]) -> None:
    # moto keeps every item object it makes for its dashboard: gigabytes over a
    # ten-year simulation.
    import gc

    from moto.dynamodb.models.dynamo_type import Item

    client, name = table
    key = {"PK": {"S": "P#FREED"}, "SK": {"S": "AWARD#1"}}
    for n in range(600):
        client.update_item(
            TableName=name,
            Key=key,
            UpdateExpression="SET GSI1PK = :pk, GSI1SK = :sk",
            ExpressionAttributeValues={":pk": {"S": "DUE"}, ":sk": {"S": f"2020-01-{n:05d}"}},
        )
    gc.collect()
    alive = [
        o
        for o in gc.get_objects()
        if isinstance(o, Item) and o.hash_key is not None and o.hash_key.value == "P#FREED"
    ]
    # The table's item (and at most one copy in flight).
    assert len(alive) <= 2, len(alive)


def test_the_query_shortcuts_follow_writes_without_a_stream(table: tuple[Any, str]) -> None:
    """The template's table has no stream (no deployed function reads one) and neither
    has the embedded one: the DueIndex partitions follow the writes themselves."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from stockplan_cli.infra_spec import load_template
    from stockplan_cli.moto_speedups import table_state

    client, name = table
    assert "StreamSpecification" not in load_template()["Resources"]["DataTable"]["Properties"]
    moto_table = dynamodb_backends[DEFAULT_ACCOUNT_ID][client.meta.region_name].get_table(name)
    assert moto_table.stream_shard is None
    client.put_item(TableName=name, Item=_item("P#1", "A", "DUE", "2020-01-01"))
    assert _query(client, name, "DUE", "all", "", "") == [("P#1", "A")]
    index = table_state(moto_table).indexes["DueIndex"]
    client.put_item(TableName=name, Item=_item("P#2", "B", "DUE", "2020-01-02"))
    assert table_state(moto_table).indexes["DueIndex"] is index  # followed, not rebuilt
    assert len(index.partitions[("S", "DUE")].items) == 2


def test_the_speedups_are_removed_when_the_embedded_aws_stops() -> None:
    import moto.dynamodb.models as models
    import moto.ses.models as ses_models
    from botocore.validate import ParamValidationDecorator
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoResult

    from stockplan_cli.embedded import EmbeddedAws
    from stockplan_cli.moto_speedups import SPEEDUPS, active

    owners = (models, DynamoDBBackend, Item, Table, DynamoResult)
    owners += (ses_models, ConditionExpressionParser, ParamValidationDecorator)
    plain = [dict(vars(owner)) for owner in owners]
    with EmbeddedAws(speedups=frozenset(s.name for s in SPEEDUPS)):
        assert Table.query is not plain[3]["query"]
        assert active() == {s.name for s in SPEEDUPS}
    assert [dict(vars(owner)) for owner in owners] == plain
    assert active() == frozenset()


def test_another_moto_version_runs_plain_moto_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.dynamodb.models.table import Table

    from stockplan_cli import moto_speedups
    from stockplan_cli.embedded import EmbeddedAws

    monkeypatch.setattr(moto_speedups, "moto_version", lambda: (5, 1, 22))
    plain = Table.query
    with pytest.warns(moto_speedups.MotoSpeedupsUnavailable, match="5.1.22"):
        aws = EmbeddedAws(speedups=frozenset({"queries"}))
        aws.start()
    try:
        assert aws.speedups == frozenset()
        assert Table.query is plain
    finally:
        aws.stop()


def test_the_speedups_are_chosen_by_name() -> None:
    from stockplan_cli.moto_speedups import SPEEDUPS, chosen

    every = {s.name for s in SPEEDUPS}
    assert chosen("all") == every
    assert chosen("none") == frozenset()
    assert chosen("-queries") == every - {"queries"}
    assert chosen("queries,responses") == {"queries", "responses"}
    with pytest.raises(ValueError, match="no speed-up named"):
        chosen("quick")
