"""The in-memory table (stockplan_cli.memory, the service unit tier's) answers as
DynamoDB does: every intent write the data layer makes, run on it and on the same
table schema in plain moto, gives the same answers and leaves the same items.

The comparison runs in a fresh interpreter: the embedded AWS's moto patches, once an
earlier test in the same process applied them, stay on for the process (issue 17),
and plain moto is what this checks against."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from stockplan.data import marker
from stockplan.data import outbox as box
from stockplan.data.table import ConflictError, Table, Transaction, from_wire
from stockplan_cli.memory import MemoryTable

Step = Callable[[Table], Any]


@contextmanager
def dynamodb_table() -> Iterator[Table]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in ("PK", "SK", "GSI1PK", "GSI1SK", "message_id")
            ],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "DueIndex",
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "MessageIndex",
                    "KeySchema": [{"AttributeName": "message_id", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                },
            ],
        )
        yield Table(client, "t")


def _stale_pair(tx: Transaction) -> None:
    """A new item and a stale versioned write: neither may be written."""
    tx.put({"PK": "X", "SK": "1"})
    tx.put_versioned({"PK": "P#2", "SK": "PROFILE", "version": 3}, 1)


def _tx(build: Callable[[Transaction], None]) -> Step:
    def step(table: Table) -> str:
        tx = Transaction()
        build(tx)
        try:
            table.commit(tx)
        except ConflictError:
            return "conflict"
        return "committed"

    return step


NOTICE = {
    "PK": "OUTBOX#n1",
    "SK": "NOTICE",
    "type": "notice",
    "notice_id": "n1",
    "status": "pending",
    "raw": b"mime",
    "GSI1PK": "OUTBOX#PENDING",
    "GSI1SK": "2002-03-15#n1",
}


def _due(day: str) -> dict[str, Any]:
    return {"PK": f"DUE#{day}", "SK": "NEXT", "GSI1PK": "DUE", "GSI1SK": f"{day}#G-{day}"}


PRICE = {"PK": "PRICES", "SK": "2002-03-15", "type": "price", "last_sale": "20.00"}
STEPS: list[Step] = [
    # creation and optimistic locking
    lambda t: t.put_new({"PK": "P#1", "SK": "PROFILE", "n": 1}),
    lambda t: t.put_new({"PK": "P#1", "SK": "PROFILE", "n": 2}),
    _tx(lambda tx: tx.put_versioned({"PK": "P#2", "SK": "PROFILE", "version": 1}, None)),
    _tx(lambda tx: tx.put_versioned({"PK": "P#2", "SK": "PROFILE", "version": 2}, 1)),
    _tx(lambda tx: tx.put_versioned({"PK": "P#2", "SK": "PROFILE", "version": 2}, 1)),
    _tx(lambda tx: tx.put_over_unversioned({"PK": "P#1", "SK": "PROFILE", "version": 1})),
    _tx(lambda tx: tx.put_over_unversioned({"PK": "P#1", "SK": "PROFILE", "version": 9})),
    _tx(lambda tx: tx.put_over_unversioned({"PK": "P#9", "SK": "PROFILE", "version": 1})),
    # a transaction is all or nothing
    _tx(lambda tx: _stale_pair(tx)),
    # a feed file's closing record, written once
    _tx(lambda tx: tx.put_unless_status({"PK": "F", "SK": "FILE", "status": "done"}, "done")),
    _tx(lambda tx: tx.put_unless_status({"PK": "F", "SK": "FILE", "status": "x"}, "done")),
    # the latest upload's price stands
    _tx(lambda tx: tx.put_unless_later({**PRICE, "price_upload": "2002-03-15T10"}, "price_upload")),
    _tx(lambda tx: tx.put_unless_later({**PRICE, "price_upload": "2002-03-15T09"}, "price_upload")),
    _tx(lambda tx: tx.put_unless_later({**PRICE, "price_upload": "2002-03-15T11"}, "price_upload")),
    # the outbox: claim, a second claim, back to pending, claim again, sent, bounced
    lambda t: t.put(NOTICE),
    lambda t: box.claim(t, "n1", 1000, 100),
    lambda t: box.claim(t, "n1", 1001, 101),
    lambda t: box.back_to_pending(t, "n1", 1, "Throttling"),
    lambda t: box.claim(t, "n1", 1002, 5000),  # pending again: claimed whatever the stale
    lambda t: box.claim(t, "n1", 7000, 1500),  # a stale claim is taken over
    _tx(lambda tx: box.mark_sent(tx, "n1", "m-1")),
    _tx(
        lambda tx: box.mark_undelivered(
            tx, "n1", "bounced", "Bounce", "2002-03-16", "m-2", "d", "fb-1"
        )
    ),
    lambda t: t.keys_by_message_id("m-1"),
    lambda t: (t.put({**NOTICE, "PK": "OUTBOX#n2", "notice_id": "n2"}), None)[1],
    lambda t: box.mark_failed(t, "n2", 5, "MessageRejected", "2002-03-15"),
    lambda t: t.query_index("OUTBOX#PENDING"),
    lambda t: t.query_index("OUTBOX#UNDELIVERED"),
    # the schedule marker
    lambda t: marker.lower_due(t, date(2002, 4, 1)),
    lambda t: marker.lower_due(t, date(2002, 5, 1)),
    lambda t: marker.lower_due(t, date(2002, 3, 20)),
    lambda t: marker.mark_dirty(t),
    lambda t: marker.settle(t, marker.read(t), date(2002, 3, 21), date(2002, 3, 16), False),
    lambda t: marker.settle(t, marker.Marker(None, True, 1), None, date(2002, 3, 16), False),
    lambda t: marker.read(t),
    # the month reported is kept by a settle that names none (periodic.made_month)
    lambda t: marker.settle(t, marker.read(t), None, date(2002, 4, 1), False, "2002-03"),
    lambda t: marker.settle(t, marker.read(t), None, date(2002, 4, 2), False),
    lambda t: marker.read(t),
    # what falls due by a day, and the first after it (the daily run's one read when
    # fewer than `peek` are due; two more queries when more are)
    *[lambda t, d=d: t.put(_due(d)) for d in ("2002-03-01", "2002-03-05", "2002-03-09")],
    lambda t: t.index_window("DUE", "2002-02-28#~", 2),
    lambda t: t.index_window("DUE", "2002-03-01#~", 2),
    lambda t: t.index_window("DUE", "2002-03-05#~", 2),
    lambda t: t.index_window("DUE", "2002-03-09#~", 2),
    lambda t: t.index_window("DUE", "2002-03-05#~", 8),
    # reads
    lambda t: t.query("P#2"),
    lambda t: t.batch_get([("P#1", "PROFILE"), ("P#2", "PROFILE"), ("P#3", "PROFILE")]),
    lambda t: t.scan_types({"notice", "price"}),
]


def _all(table: Table) -> list[dict[str, Any]]:
    if isinstance(table, MemoryTable):
        return [found for key in table.items if (found := table.get(*key)) is not None]
    return [from_wire(i) for i in table.client.scan(TableName=table.name)["Items"]]


def _key(item: dict[str, Any]) -> tuple[str, str]:
    return str(item["PK"]), str(item["SK"])


def _plain(answer: Any) -> Any:
    if isinstance(answer, list):
        return sorted((_plain(a) for a in answer), key=repr)
    if isinstance(answer, dict):
        return {k: _plain(v) for k, v in sorted(answer.items())}
    if hasattr(answer, "value") and isinstance(getattr(answer, "value", None), bytes):
        return bytes(answer.value)
    return answer


def compare() -> None:
    memory = MemoryTable("t")
    with dynamodb_table() as dynamodb:
        for number, step in enumerate(STEPS):
            expected = _plain(step(dynamodb))
            assert _plain(step(memory)) == expected, f"step {number}"
            stored = sorted((_plain(i) for i in _all(dynamodb)), key=_key)
            assert sorted((_plain(i) for i in _all(memory)), key=_key) == stored, f"step {number}"


def test_every_intent_write_answers_and_stores_as_dynamodb_does() -> None:
    done = subprocess.run(
        [sys.executable, str(Path(__file__))],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


if __name__ == "__main__":
    compare()
