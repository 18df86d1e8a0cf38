"""Inputs that once made the FeedFunction fail on every retry (issue 14): a rejected row
over DynamoDB's 400 KB item limit, an administrator summary over it, and keys too long
to build DynamoDB sort keys from. Each now ends in a clear rejection, the file closes,
its summary goes out once and a redelivery is a duplicate.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    FEED_FUNCTION,
    PEOPLE_CSV,
    bucket_keys,
    emails,
    errors_csv,
    feed,
    outbox,
    plain,
    put_object,
    s3_event,
    table_items,
    to,
)

MAR15 = date(2002, 3, 15)
DYNAMODB_ITEM_LIMIT = 400 * 1024


def deliver(stack: Any, key: str, body: bytes, kind: str) -> dict[str, Any]:
    version = put_object(stack, key, body)
    event = s3_event(stack, kind, key, MAR15, version=version)
    result: dict[str, Any] = stack.invoke(FEED_FUNCTION, event)["files"][0]
    again = stack.invoke(FEED_FUNCTION, event)["files"][0]
    assert again["status"] == "duplicate"
    return result


def largest_item_bytes(stack: Any) -> int:
    return max(len(repr(item).encode()) for item in table_items(stack))


def test_a_rejected_row_with_huge_extra_columns_is_stored_cut_and_the_file_closes(
    local_stack: Any,
) -> None:
    stack = local_stack
    huge = "x" * 120_000
    header = "participant_id,name,email,role,note1,note2,note3,note4\n"
    body = (
        header
        + "P-1,Ann Lee,ann@ctc.example.com,employee,,,,\n"
        + f"P-2,Bob Roe,not-an-address,employee,{huge},{huge},{huge},{huge}\n"
    ).encode()
    assert len(body) > 480_000

    result = deliver(stack, "incoming/participants/big.csv", body, "participants")

    assert (result["status"], result["accepted"], result["rejected"]) == ("processed", 1, 1)
    assert stack.runtime.table().get("P#P-1", "PROFILE") is not None
    (row,) = errors_csv(stack, "incoming/participants/big.csv")
    assert row["note1"].startswith("x")  # the errors CSV keeps the row whole
    assert [to(m) for m in emails(stack)] == [ADMIN]
    assert largest_item_bytes(stack) < DYNAMODB_ITEM_LIMIT


def test_a_summary_of_hundreds_of_long_accented_rejections_fits_one_outbox_item(
    local_stack: Any,
) -> None:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    cell = "é" * 999
    header = "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price\n"
    rows = "".join(f"{cell},{cell},{cell},{cell},{cell},{cell},{cell}\n" for _ in range(300))

    result = deliver(stack, "incoming/grants/accents.csv", (header + rows).encode(), "grants")

    assert (result["accepted"], result["rejected"]) == (0, 300)
    (summary,) = [m for m in emails(stack) if to(m) == ADMIN]
    assert "more rejected rows (see the errors file)" in plain(summary)
    (notice,) = [n for n in outbox(stack) if n["kind"] == "feed-rejections"]
    assert len(repr(notice).encode()) < DYNAMODB_ITEM_LIMIT
    assert len(errors_csv(stack, "incoming/grants/accents.csv")) == 300


@pytest.mark.parametrize("size", [513, 1008, 1024])
def test_a_key_too_long_for_the_tables_keys_is_refused_whole_with_a_summary(
    local_stack: Any, size: int
) -> None:
    stack = local_stack
    prefix = "incoming/participants/"
    key = prefix + "a" * (size - len(prefix) - len(".csv")) + ".csv"
    assert len(key.encode()) == size

    result = deliver(stack, key, PEOPLE_CSV.encode(), "participants")

    assert result["status"] == "rejected"
    assert f"the key is {size} bytes long" in result["file_reason"]
    assert stack.runtime.table().get("P#E1", "PROFILE") is None  # nothing applied
    (summary,) = emails(stack)
    assert to(summary) == ADMIN and "a shorter name" in plain(summary)
    (errors,) = bucket_keys(stack, "errors/")
    assert len(errors.encode()) <= 1024


def test_a_key_of_512_bytes_is_still_a_feed(local_stack: Any) -> None:
    stack = local_stack
    prefix = "incoming/participants/"
    key = prefix + "a" * (512 - len(prefix) - len(".csv")) + ".csv"

    result = deliver(stack, key, PEOPLE_CSV.encode(), "participants")

    assert (result["status"], result["accepted"]) == ("processed", 6)
