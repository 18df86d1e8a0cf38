"""Hostile and broken input through the FeedFunction (the parser's own fuzzing is in
tests/unit/test_feeds_hostile.py): files too big to read, keys that try to leave
incoming/, cells that would run in a spreadsheet, and feeds that try to choose who
gets an email. Every case ends in a clear rejection, no crash and no partial state."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    FEED_FUNCTION,
    PEOPLE_CSV,
    assert_pools_match_awards,
    emails,
    errors_csv,
    feed,
    put_object,
    s3_event,
    table_items,
    to,
)

MAR15 = date(2002, 3, 15)
TEN_MIB = 10 * 1024 * 1024


class S3Spy:
    """The S3 client, recording GetObject calls and how much of each body was read."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.gets: list[str] = []
        self.reads: list[int] = []

    def get_object(self, **kwargs: Any) -> Any:
        self.gets.append(kwargs["Key"])
        response = self._client.get_object(**kwargs)
        body = response["Body"]
        spy = self

        class Body:
            def read(self, amount: int | None = None) -> bytes:
                data: bytes = body.read(amount)
                spy.reads.append(len(data))
                return data

            def close(self) -> None:
                body.close()

        response["Body"] = Body()
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.fixture
def people(local_stack: Any) -> Any:
    feed(local_stack, "participants", PEOPLE_CSV, MAR15)
    feed(local_stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    return local_stack


def spy_s3(stack: Any) -> S3Spy:
    spy = S3Spy(stack.runtime.s3)
    stack.runtime.s3 = spy
    return spy


def deliver(stack: Any, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke(FEED_FUNCTION, event)["files"][0]
    return result


def not_feed_state(stack: Any) -> list[dict[str, Any]]:
    """Everything but the bookkeeping of feed files and the notices about them."""
    return [
        i
        for i in table_items(stack)
        if not i["PK"]["S"].startswith(("FEED#", "OUTBOX#", "AUDIT#", "SCHEDULE"))
    ]


# ------------------------------------------------------------------ file size


def test_a_file_over_10_mib_is_refused_whole_without_being_read(people: Any) -> None:
    stack = people
    key = "incoming/grants/huge.csv"
    header = b"award_id,participant_id,plan,award_type,grant_date,shares\n"
    row = b"G-1,E1,incentive-1998,restricted_stock,2002-03-15,1\n"
    body = header + row * ((TEN_MIB - len(header)) // len(row) + 1)
    assert len(body) > TEN_MIB
    put_object(stack, key, body)
    event = s3_event(stack, "grants", key, MAR15)
    event["Records"][0]["s3"]["object"]["size"] = len(body)  # as S3 sends it
    before = not_feed_state(stack)
    spy = spy_s3(stack)

    result = deliver(stack, event)

    assert result["status"] == "rejected"
    assert result["file_reason"] == (
        f"file too large: {len(body)} bytes, the limit is {TEN_MIB} bytes"
    )
    assert spy.gets == []  # refused on the event's size: not a byte was read
    assert not_feed_state(stack) == before
    assert errors_csv(stack, key) == [{"row": "", "reason": result["file_reason"]}]
    assert [to(m) for m in emails(stack)] == [ADMIN]
    # The same event again: reported once.
    assert deliver(stack, event)["status"] == "duplicate"
    assert len(emails(stack)) == 1


def test_an_event_understating_the_size_is_caught_by_the_stored_length_before_reading(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored object's ContentLength is checked before its body is read, whatever
    the event said (here a limit of 1,000 bytes and an event claiming 10)."""
    from stockplan.feeds import FeedLimits
    from stockplan.service.feeds import FeedDeps

    stack = people
    runtime = stack.runtime
    spy = spy_s3(stack)
    monkeypatch.setattr(
        runtime,
        "feed_deps",
        lambda table: FeedDeps(table, spy, runtime.settings, limits=FeedLimits(max_bytes=1000)),
    )
    key = "incoming/prices/long.csv"
    body = b"date,last_sale\n" + b"2002-03-14,20.00\n" * 100
    put_object(stack, key, body)
    event = s3_event(stack, "prices", key, MAR15)
    event["Records"][0]["s3"]["object"]["size"] = 10
    before = not_feed_state(stack)

    result = deliver(stack, event)

    assert result["file_reason"] == f"file too large: {len(body)} bytes, the limit is 1000 bytes"
    assert spy.gets == [key] and spy.reads == []  # opened, never read
    assert not_feed_state(stack) == before
    assert deliver(stack, event)["status"] == "duplicate"
    assert [to(m) for m in emails(stack)] == [ADMIN]


def test_too_many_rows_and_an_over_long_cell_are_refused_with_their_reasons(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stockplan.feeds import FeedLimits
    from stockplan.service.feeds import FeedDeps

    stack = people
    runtime = stack.runtime
    monkeypatch.setattr(
        runtime,
        "feed_deps",
        lambda table: FeedDeps(
            table, runtime.s3, runtime.settings, limits=FeedLimits(max_rows=50, max_cell=100)
        ),
    )
    before = not_feed_state(stack)
    many = "date,last_sale\n" + "".join(f"2001-01-{d:02d},20.00\n" for d in range(1, 29)) * 2
    result = feed(stack, "prices", many, MAR15, name="many")
    assert result["file_reason"] == "too many data rows: more than 50; split the file"
    assert not_feed_state(stack) == before  # not even the first 50 rows

    long_name = "x" * 101
    result = feed(
        stack,
        "participants",
        "participant_id,name,email,role\n"
        f"P-9,{long_name},p9@ctc.example.com,employee\n"
        "P-10,Short Name,p10@ctc.example.com,employee\n",
        MAR15,
        name="long",
    )
    assert (result["accepted"], result["rejected"]) == (1, 1)
    (rejected,) = errors_csv(stack, "incoming/participants/long.csv")
    assert rejected["reason"] == "name: longer than 100 characters"
    assert stack.runtime.table().get("P#P-9", "PROFILE") is None
    assert_pools_match_awards(stack)
