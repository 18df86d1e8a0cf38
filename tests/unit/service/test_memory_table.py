"""The in-memory table keeps DynamoDB's rules the use cases rely on: conditional
writes, all-or-nothing transactions, sort-key order and sparse indexes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from stockplan.data.table import ConflictError, Transaction, Update
from stockplan_cli.memory import MemoryTable


def test_a_put_versioned_over_a_version_raced_since_the_read_raises_conflict() -> None:
    table = MemoryTable()
    tx = Transaction()
    tx.put_versioned({"PK": "P#1", "SK": "PROFILE", "version": 1}, None)
    table.commit(tx)
    racing = Transaction()
    racing.put_versioned({"PK": "P#1", "SK": "PROFILE", "version": 2}, 1)
    table.commit(racing)

    stale = Transaction()
    stale.put_versioned({"PK": "P#1", "SK": "PROFILE", "version": 2, "who": "late"}, 1)
    with pytest.raises(ConflictError):
        table.commit(stale)
    assert table.get("P#1", "PROFILE") == {"PK": "P#1", "SK": "PROFILE", "version": 2}


def test_a_transaction_with_one_failed_condition_writes_nothing() -> None:
    table = MemoryTable()
    assert table.put_new({"PK": "A", "SK": "1", "n": 1})
    tx = Transaction()
    tx.put({"PK": "B", "SK": "1"})
    tx.update(Update("A", "1", "ADD n :one", {":one": 1}))
    tx.put_new({"PK": "A", "SK": "1"})  # exists: fails the whole transaction
    with pytest.raises(ClientError, match="multiple operations on one item"):
        table.commit(tx)  # DynamoDB refuses two writes of one item in a transaction
    tx = Transaction()
    tx.put({"PK": "B", "SK": "1"})
    tx.update(Update("A", "1", "ADD n :one", {":one": 1}))
    tx.put_new({"PK": "C", "SK": "1"})
    tx.check("D", "1", "attribute_exists(PK)")  # no such item: the transaction fails
    with pytest.raises(ConflictError):
        table.commit(tx)
    assert table.get("B", "1") is None and table.get("C", "1") is None
    assert table.get("A", "1") == {"PK": "A", "SK": "1", "n": Decimal(1)}


def test_put_new_refuses_an_existing_item_and_reads_come_back_as_dynamodb_returns_them() -> None:
    table = MemoryTable()
    assert table.put_new({"PK": "A", "SK": "1", "n": 3, "gone": None})
    assert not table.put_new({"PK": "A", "SK": "1", "n": 4})
    assert table.get("A", "1") == {"PK": "A", "SK": "1", "n": Decimal(3)}


def test_update_conditions_and_expressions_follow_dynamodb() -> None:
    table = MemoryTable()
    table.put({"PK": "N", "SK": "NOTICE", "status": "pending", "GSI1PK": "Q", "GSI1SK": "1"})
    claimed = table.update(
        Update(
            "N",
            "NOTICE",
            "SET #s = :sending, at = if_not_exists(at, :now) REMOVE GSI1PK, GSI1SK ADD tries :one",
            {":sending": "sending", ":pending": "pending", ":now": 5, ":one": 1},
            condition="#s = :pending OR (#s = :sending AND at < :now)",
            names={"#s": "status"},
        )
    )
    assert claimed == {
        "PK": "N",
        "SK": "NOTICE",
        "status": "sending",
        "at": Decimal(5),
        "tries": Decimal(1),
    }
    # Claimed already, and not stale: the same claim fails.
    assert not table.update(
        Update(
            "N",
            "NOTICE",
            "SET #s = :sending",
            {":sending": "sending", ":pending": "pending", ":now": 5},
            condition="#s = :pending OR (#s = :sending AND at < :now)",
            names={"#s": "status"},
        )
    )
    assert table.query_index("Q") == []


def test_queries_come_in_sort_key_order_and_the_index_holds_only_items_with_its_keys() -> None:
    table = MemoryTable()
    for sk in ("b", "a", "c"):
        table.put({"PK": "P", "SK": sk, "GSI1PK": "DUE", "GSI1SK": f"2002-0{ord(sk) - 96}"})
    table.put({"PK": "P", "SK": "z"})
    assert [i["SK"] for i in table.query("P")] == ["a", "b", "c", "z"]
    assert [i["SK"] for i in table.query("P", newest_first=True, limit=2)] == ["z", "c"]
    assert [i["SK"] for i in table.query("P", sk_upto="b")] == ["a", "b"]
    assert [i["SK"] for i in table.query_index("DUE", upto="2002-02")] == ["a", "b"]
    assert [i["SK"] for i in table.query_index("DUE", after="2002-02")] == ["c"]


def _filled(count: int) -> MemoryTable:
    table = MemoryTable()
    for n in range(count):
        table.put({"PK": f"P#{n:03d}", "SK": "PROFILE", "n": n})
    return table


def test_batch_get_asks_100_keys_a_request_as_dynamodb_takes_them() -> None:
    table = _filled(250)
    keys = [(f"P#{n:03d}", "PROFILE") for n in range(250)] + [("P#none", "PROFILE")]

    found = table.batch_get(keys)

    assert sorted(i["n"] for i in found) == list(range(250))
    assert table.batch_gets == 3  # 100 + 100 + 51 keys


def test_batch_get_asks_again_for_the_keys_left_unprocessed() -> None:
    """DynamoDB may answer part of a BatchGetItem (UnprocessedKeys): those keys are
    asked again, with the retry helper's backoff (data/retry.py), until answered."""
    table = _filled(10)
    throttled: list[int] = []

    def leave_half(keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if len(throttled) < 2:
            throttled.append(len(keys))
            return keys[len(keys) // 2 :]
        return []

    table.unprocessed = leave_half
    found = table.batch_get([(f"P#{n:03d}", "PROFILE") for n in range(10)])

    assert sorted(i["n"] for i in found) == list(range(10))
    assert throttled == [10, 5]
    assert table.batch_gets == 3


def test_batch_get_keys_never_answered_raise_rather_than_read_too_little() -> None:
    from stockplan.data.table import ThrottledError

    table = _filled(3)
    table.unprocessed = lambda keys: keys[-1:]
    with pytest.raises(ThrottledError):
        table.batch_get([(f"P#{n:03d}", "PROFILE") for n in range(3)])


@pytest.mark.parametrize(
    ("upto", "peek", "within", "after"),
    [
        ("2002-02-28#~", 2, [], "2002-03-01"),  # nothing due yet: the first item is next
        ("2002-03-01#~", 2, ["2002-03-01"], "2002-03-05"),  # fewer than peek due
        ("2002-03-05#~", 2, ["2002-03-01", "2002-03-05"], "2002-03-09"),  # peek due: read on
        ("2002-03-09#~", 2, ["2002-03-01", "2002-03-05", "2002-03-09"], None),  # all due
        ("2002-03-05#~", 8, ["2002-03-01", "2002-03-05"], "2002-03-09"),
    ],
)
def test_the_index_window_is_every_item_due_by_the_day_in_order_and_the_first_after(
    upto: str, peek: int, within: list[str], after: str | None
) -> None:
    table = MemoryTable()
    for day in ("2002-03-09", "2002-03-01", "2002-03-05"):
        table.put({"PK": f"DUE#{day}", "SK": "NEXT", "GSI1PK": "DUE", "GSI1SK": f"{day}#x"})
    table.put({"PK": "OUT#1", "SK": "NOTICE", "GSI1PK": "OUTBOX", "GSI1SK": "2002-03-02#n"})

    due, upcoming = table.index_window("DUE", upto, peek)

    assert [i["GSI1SK"][:10] for i in due] == within
    assert (None if upcoming is None else upcoming["GSI1SK"][:10]) == after
