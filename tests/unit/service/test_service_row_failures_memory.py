"""What one row raises is that row's own unless AWS itself is failing (docs/interfaces.md
§1a): a row's own error rejects it and the file goes on; throttling or an outage fails
the invocation, and its redelivery applies what is left once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from memory_world import MAR15, PEOPLE_CSV, World

from stockplan.data.table import ConflictError, Table, ThrottledError, Transaction, is_transient
from stockplan.feeds import FeedKind
from stockplan.service import feeds
from stockplan.service.feeds import process_upload
from stockplan.service.rows import APPLIERS

MEETINGS = (
    "meeting_date,participant_id,outcome\n2002-03-01,D1,continuing\n2002-03-08,D1,continuing\n"
)


def error(code: str, status: int = 400, **extra: Any) -> ClientError:
    response: Any = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError({**response, **extra}, "Op")


@pytest.mark.parametrize(
    ("raised", "transient"),
    [
        (ThrottledError("keys unprocessed"), True),
        (error("ProvisionedThroughputExceededException"), True),
        (error("ThrottlingException"), True),
        (error("SlowDown", 503), True),
        (error("AnythingElse", 502), True),
        (EndpointConnectionError(endpoint_url="https://dynamodb"), True),
        (ConnectionResetError(), True),
        (MemoryError(), True),
        (error("ValidationException"), False),  # this row's item: it fails the same way
        (ConflictError("lost a race"), False),
        (KeyError("a bug"), False),
    ],
)
def test_only_aws_failing_for_a_while_is_transient(raised: Exception, transient: bool) -> None:
    assert is_transient(raised) is transient


def test_a_transaction_cancelled_for_throughput_is_throttling_not_a_conflict() -> None:
    class Refusing:
        def transact_write_items(self, **_: Any) -> None:
            raise error(
                "TransactionCanceledException",
                CancellationReasons=[{"Code": "None"}, {"Code": "ThrottlingError"}],
            )

    tx = Transaction()
    tx.put({"PK": "a", "SK": "b"}, "attribute_not_exists(PK)")
    with pytest.raises(ThrottledError):
        Table(Refusing(), "t").commit(tx)


@pytest.fixture
def people(world: World) -> World:
    world.feed("participants", PEOPLE_CSV, MAR15)
    return world


@pytest.fixture
def no_sleep() -> Iterator[None]:
    def attempts(limit: int, *_: Any, **__: Any) -> Iterator[int]:
        yield from range(limit)

    with mock.patch.object(feeds, "attempts", attempts):
        yield


def rejected(world: World, key: str) -> dict[int, str]:
    return {
        int(i["row"]): str(i["reason"])
        for i in world.of_type("feed_row")
        if i.get("status") == "rejected" and i["key"] == key
    }


def test_a_row_raising_an_error_of_its_own_is_rejected_and_the_next_row_applied(
    people: World,
) -> None:
    """Meetings go row by row (not batched): the first row's rules raise a bug."""
    apply = APPLIERS[FeedKind.MEETINGS]

    def buggy(change: Any, row: Any) -> Any:
        if row.meeting_date.day == 1:
            raise KeyError("a bug in one row's rules")
        return apply(change, row)

    with mock.patch.dict(APPLIERS, {FeedKind.MEETINGS: buggy}):
        outcome = people.upload("meetings", MEETINGS, MAR15, name="board")

    assert (outcome.status, outcome.accepted, outcome.rejected) == ("processed", 1, 1)
    assert outcome.row_errors == ["row 1: KeyError"]
    (reason,) = rejected(people, "incoming/meetings/board.csv").values()
    assert reason.startswith("not applied: an unexpected error (KeyError) stopped this row")
    assert "Upload the row again" in reason


def test_a_large_rows_earlier_transaction_losing_a_race_is_read_and_applied_again(
    people: World, no_sleep: None
) -> None:
    apply = APPLIERS[FeedKind.MEETINGS]
    raced: list[int] = []

    def racing(change: Any, row: Any) -> Any:
        if not raced:
            raced.append(1)
            raise ConflictError("an earlier transaction of the row lost a race")
        return apply(change, row)

    with mock.patch.dict(APPLIERS, {FeedKind.MEETINGS: racing}):
        outcome = people.upload("meetings", MEETINGS, MAR15, name="board")

    assert (outcome.accepted, outcome.rejected) == (2, 0)


def test_a_row_throttled_on_every_attempt_fails_the_invocation_and_its_redelivery_applies_it(
    people: World, no_sleep: None
) -> None:
    key = "incoming/meetings/board.csv"
    version = people.store.upload(key, MEETINGS.encode())

    def throttled(transaction: Transaction) -> None:
        raise ThrottledError("transaction refused for throughput")

    people.table.before_commit = throttled
    with pytest.raises(ThrottledError):
        process_upload(people.feed_deps(), people.store.bucket, key, MAR15, version)
    people.table.before_commit = None

    outcome = process_upload(people.feed_deps(), people.store.bucket, key, MAR15, version)

    assert (outcome.status, outcome.accepted, outcome.rejected) == ("processed", 2, 0)
    assert rejected(people, key) == {}


def test_a_batch_whose_commit_is_refused_for_a_rows_item_applies_its_rows_one_by_one(
    people: World,
) -> None:
    """A batch commit refused for a reason of its own (not a race, not AWS failing):
    each row is applied on its own, so only a row whose write is refused is rejected."""
    refused: list[int] = []

    def refuse_the_batch(transaction: Transaction) -> None:
        if len(transaction) > 4 and not refused:
            refused.append(len(transaction))
            raise ValueError("an item over the size DynamoDB stores")

    people.table.before_commit = refuse_the_batch
    body = "participant_id,name,email,role\nE7,Gus Ray,gus@ctc.example.com,employee\n"
    body += "E8,Hal Roy,hal@ctc.example.com,employee\n"
    outcome = people.upload("participants", body, MAR15, name="more")

    assert refused
    assert (outcome.accepted, outcome.rejected) == (2, 0)


def test_a_row_conflicting_past_its_attempts_is_rejected_with_the_way_out(
    people: World, no_sleep: None
) -> None:
    """Every commit of the first meeting row loses a race: after 5 attempts it is
    rejected (upload it again) and the second row is applied."""
    import json

    def racing(transaction: Transaction) -> None:
        if "MEETING#2002-03-01" in json.dumps(transaction.operations, default=str):
            raise ConflictError("a concurrent change")

    people.table.before_commit = racing
    outcome = people.upload("meetings", MEETINGS, MAR15, name="board")
    people.table.before_commit = None

    assert (outcome.accepted, outcome.rejected) == (1, 1)
    assert rejected(people, "incoming/meetings/board.csv") == {
        1: "not applied: it conflicted with a concurrent change 5 times; upload it again"
    }
