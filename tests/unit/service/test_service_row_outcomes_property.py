"""Property: whatever uploads of exercise rows and corrections arrive (new rows, rows
re-sent, exercises voided and sent again, rows whose commits keep conflicting, rows
whose judging raises an error of their own, events delivered twice), every file ends
closed, with one administrator summary where one is owed (a rejected row, or nothing
new), and every row applied, unchanged or rejected with a reason (docs/interfaces.md
§1a). On the in-memory World: fast."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from memory_world import PEOPLE_CSV, World

from stockplan.data import records as rec
from stockplan.data.table import ConflictError, Transaction
from stockplan.feeds import FeedKind
from stockplan.service import feeds
from stockplan.service.feeds import errors_key, process_upload
from stockplan.service.rows import APPLIERS

MAR15 = date(2002, 3, 15)
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date\n"
    "G-1,E1,incentive-1998,nso,2002-03-15,5000,20.00,2012-03-15\n"
    "G-2,E1,incentive-1998,nso,2002-03-15,5000,20.00,2012-03-15\n"
)
EXERCISES = "award_id,exercise_date,shares,shares_withheld,exercise_id\n"
CORRECTIONS = (
    "request_id,action,participant_id,award_id,exercise_id,exercise_date,termination_date,"
    "reason,grant_date,shares,exercise_price,final_exercise_date,vesting,participant_consent,"
    "note\n"
)
# Rows of this many shares raise while they are applied: a bug of their own.
POISONED_SHARES = 13


@dataclass(frozen=True)
class Exercise:
    award: str
    day: int  # of April 2002
    shares: int
    exercise_id: str

    @property
    def csv(self) -> str:
        return f"{self.award},2002-04-{self.day:02d},{self.shares},0,{self.exercise_id}\n"


exercises = st.builds(
    Exercise,
    st.sampled_from(["G-1", "G-2", "G-9"]),  # G-9: no such award (rejected on its merits)
    st.integers(1, 3),
    st.sampled_from([10, 20, POISONED_SHARES]),
    st.sampled_from(["", "", "X-1", "X-2"]),
)


@dataclass(frozen=True)
class Upload:
    new: tuple[Exercise, ...]
    resend: tuple[int, ...]  # rows of earlier uploads sent again (indices into the sent)
    void: tuple[int, ...]  # earlier rows to void with a correction first
    conflicts: frozenset[int]  # the upload's commits refused as a concurrent change
    redeliver: bool  # its S3 event delivered twice


uploads = st.builds(
    Upload,
    st.lists(exercises, max_size=4).map(tuple),
    st.lists(st.integers(0, 30), max_size=3).map(tuple),
    st.lists(st.integers(0, 30), max_size=2).map(tuple),
    st.frozensets(st.integers(0, 12), max_size=8),
    st.booleans(),
)


@contextmanager
def poisoned_and_contended(world: World, refused: set[int]) -> Iterator[None]:
    """Exercise rows of POISONED_SHARES raise a bug-level error; the table refuses its
    commits numbered in `refused` (counted from 0 for each upload) as a concurrent
    change; retries do not sleep."""
    apply = APPLIERS[FeedKind.EXERCISES]
    commits = [0]

    def buggy(change: Any, row: Any) -> Any:
        if row.shares == POISONED_SHARES:
            raise ZeroDivisionError("a bug in one row's rules")
        return apply(change, row)

    def contended(transaction: Transaction) -> None:
        commits[0] += 1
        if commits[0] - 1 in refused:
            raise ConflictError("refused: a concurrent change")

    def no_sleep(limit: int, *args: Any, **kwargs: Any) -> Iterator[int]:
        yield from range(limit)

    world.table.before_commit = contended
    try:
        with (
            mock.patch.dict(APPLIERS, {FeedKind.EXERCISES: buggy}),
            mock.patch.object(feeds, "attempts", no_sleep),
        ):
            yield
    finally:
        world.table.before_commit = None


def deliver(world: World, key: str, day: date, version: str) -> feeds.FeedOutcome:
    """The S3 event, delivered until an invocation completes (a failed invocation is
    delivered again, as Lambda's retries and the failure queue's redrive do)."""
    for _ in range(3):
        try:
            return process_upload(
                world.feed_deps(), world.store.bucket, key, day, version, uploaded_at=f"{day}"
            )
        except ConflictError:
            continue  # the file's closing commit kept conflicting: the event comes again
    raise AssertionError(f"{key} never completed")


def summaries_of(world: World, key: str) -> list[dict[str, Any]]:
    return [
        n
        for n in world.of_type("notice")
        if n.get("kind") == "feed-rejections" and key in str(n.get("subject"))
    ]


def errors_of(world: World, key: str) -> dict[int, str]:
    found = world.store.objects.get((world.store.bucket, errors_key(key)))
    if not found:
        return {}
    reader = csv.DictReader(io.StringIO(found[-1].decode("utf-8-sig")))
    return {int(r["row"]): r["reason"] for r in reader}


def check_file(world: World, key: str, rows: int, outcome: feeds.FeedOutcome) -> dict[int, str]:
    """The file is closed, each row is counted once, and the summary is owed and sent
    once exactly when a row was rejected or nothing was new; returns the rejections."""
    files = [i for i in world.of_type("feed_file") if i["key"] == key]
    assert [f["status"] for f in files] == ["done"], files
    (closed,) = files
    assert closed["accepted"] + closed["unchanged"] + closed["rejected"] == rows
    rejected = errors_of(world, key)
    assert len(rejected) == closed["rejected"]
    assert all(reason.strip() for reason in rejected.values())
    stored = [
        rec.Rejection.from_item(i)
        for i in world.table.query_index(rec.REJECTIONS)
        if i["key"] == key
    ]
    assert sorted(r.row for r in stored if r.row is not None) == sorted(rejected)
    assert all(r.feed == "exercises" for r in stored)
    owed = closed["rejected"] > 0 or closed["accepted"] == 0
    assert len(summaries_of(world, key)) == (1 if owed else 0)
    assert outcome.status in {"processed", "duplicate"}
    return rejected


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(uploads, min_size=1, max_size=5))
def test_every_row_of_every_upload_ends_applied_unchanged_or_rejected_and_every_file_closes(
    steps: list[Upload],
) -> None:
    world = World()
    world.feed("participants", PEOPLE_CSV, MAR15)
    world.feed("prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    world.feed("grants", GRANTS, MAR15)
    sent: list[Exercise] = []
    # The rows voided since they were last applied, with the correction's request_id.
    voided: dict[Exercise, str] = {}
    for number, step in enumerate(steps):
        day = date(2002, 5, 1) + timedelta(days=number)
        for index in step.void:
            if not sent:
                break
            target = sent[index % len(sent)]
            request = f"R-{number}-{index}"
            body = CORRECTIONS + (
                f"{request},void_exercise,,{target.award},{target.exercise_id},"
                f"2002-04-{target.day:02d},,,,{target.shares},,,,,re-sent test\n"
            )
            done = world.upload("corrections", body, day, name=f"void-{number}-{index}")
            assert done.status == "processed" and done.accepted + done.rejected == 1
            if done.accepted:
                voided[target] = request
        rows = list(step.new) + [sent[i % len(sent)] for i in step.resend if sent]
        if not rows:
            continue
        key = f"incoming/exercises/upload-{number}.csv"
        version = world.store.upload(key, (EXERCISES + "".join(r.csv for r in rows)).encode())
        with poisoned_and_contended(world, set(step.conflicts)):
            outcome = deliver(world, key, day, version)
        if step.redeliver:
            again = deliver(world, key, day, version)
            assert again.status == "duplicate"
        rejected = check_file(world, key, len(rows), outcome)
        requests = set(voided.values())
        for row_number, row in enumerate(rows, start=1):
            reason = rejected.get(row_number)
            if row.award == "G-9" or row.shares == POISONED_SHARES:
                assert reason is not None  # never applied: no such award, or its bug
            if reason is not None and "was voided by" in reason:
                assert any(f"correction {r} " in reason for r in requests), reason
                assert "new exercise_id" in reason
            if row in voided and row.exercise_id:
                # Its exercise_id names the voided exercise: never recorded again.
                assert reason is not None and voided[row] in reason, (row, reason)
            if reason is None and row not in voided:
                sent.append(row)
