"""Large feed files fanned out in chunks through SQS (issue 13): the FeedFunction queues
them, the ChunkFunction applies each (the embedded AWS delivers the queue's messages
as Lambda's event source would), and the chunk that completes the file sends its
summary and errors CSV once. Every row once, as in one invocation (docs/interfaces.md §1a),
whatever SQS does: a crash between two chunks, a chunk delivered twice, a chunk that
fails for good (its rows are named in the summary as not applied)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    FEED_FUNCTION,
    emails,
    errors_csv,
    feed,
    notice_kind,
    plain,
    put_object,
    report,
    run_notices,
    s3_event,
    table_items,
    to,
)

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
PEOPLE = 8
KEY = "incoming/terminations/2002-10-02.csv"
# Rows 1-8: eight people quitting on 2002-10-01 (1998 §6.a.(5)(B)); row 9 names nobody
# (rejected by the rules), row 10 has no date (rejected when read).
TERMINATIONS = (
    "participant_id,termination_date,reason\n"
    + "".join(f"E{n},2002-10-01,voluntary\n" for n in range(PEOPLE))
    + "E99,2002-10-01,voluntary\nE7,someday,voluntary\n"
)
# Over 4 rows a file fans out, in chunks of 3 rows: 1-3, 4-6, 7-9, 10.
FANOUT_ROWS, CHUNK_ROWS, CHUNKS = 4, 3, 4


class Crash(Exception):
    """The Lambda dies here."""


class Killed(BaseException):
    """A timeout, out of memory or a kill: the process ends, no `except` of the
    handler runs (Lambda then reports the invocation as failed)."""


def small_chunks(stack: Any, monkeypatch: pytest.MonkeyPatch, fanout: bool = True) -> None:
    settings = stack.runtime.settings.model_copy(
        update={"fanout_rows": FANOUT_ROWS if fanout else 10_000, "chunk_rows": CHUNK_ROWS}
    )
    monkeypatch.setattr(stack.runtime, "settings", settings)


def crash_on(
    stack: Any,
    monkeypatch: pytest.MonkeyPatch,
    rows: set[int],
    times: int,
    death: type[BaseException] = Crash,
) -> None:
    """The chunk (or feed) invocation dies before any row of `rows`, `times` times."""
    from stockplan.service.feeds import FeedDeps

    runtime = stack.runtime
    crashes: list[int] = []

    def die(row: int) -> None:
        if row in rows and len(crashes) < times:
            crashes.append(row)
            raise death(f"died before row {row}")

    monkeypatch.setattr(
        runtime,
        "feed_deps",
        lambda table: FeedDeps(
            table,
            runtime.feed_store(),
            runtime.settings,
            before_row=die,
            chunks=runtime.chunk_queue(),
        ),
    )


def staff(stack: Any) -> None:
    """Eight employees, each granted 1,000 options vesting half on 2002-09-15."""
    people = "participant_id,name,email,role\n" + "".join(
        f"E{n},Person {n},e{n}@ctc.example.com,employee\n" for n in range(PEOPLE)
    )
    feed(stack, "participants", people, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    grants = (
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n"
    ) + "".join(
        f"G-{n},E{n},incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,"
        "2002-09-15:500;2003-03-15:500\n"
        for n in range(PEOPLE)
    )
    assert feed(stack, "grants", grants, MAR15)["accepted"] == PEOPLE


@pytest.fixture
def people(local_stack: Any) -> Any:
    staff(local_stack)
    return local_stack


def upload_terminations(stack: Any) -> dict[str, Any]:
    put_object(stack, KEY, TERMINATIONS.encode())
    files: list[dict[str, Any]] = stack.invoke(
        FEED_FUNCTION, s3_event(stack, "terminations", KEY, OCT2)
    )["files"]
    return files[0]


def summaries(stack: Any) -> list[str]:
    return [plain(m) for m in emails(stack) if to(m) == ADMIN and notice_kind(m) != "grant"]


def feed_file(stack: Any) -> dict[str, Any]:
    from stockplan.data.table import from_wire

    (item,) = [
        from_wire(i)
        for i in table_items(stack)
        if i.get("type", {}).get("S") == "feed_file" and i["key"]["S"] == KEY
    ]
    return item


def outcome(stack: Any) -> dict[str, Any]:
    """What a file leaves behind, as the administrator and the participants see it."""
    run_notices(stack, OCT2)
    closed = feed_file(stack)
    return {
        "report": report(stack, OCT2),
        "file": {k: closed[k] for k in ("status", "accepted", "unchanged", "rejected")},
        "summaries": summaries(stack),
        "errors": errors_csv(stack, KEY),
        "notices": sorted(
            (notice_kind(m), to(m)) for m in emails(stack) if notice_kind(m) != "grant"
        ),
    }


@pytest.fixture
def one_invocation() -> dict[str, Any]:
    """The same file applied in the FeedFunction's one invocation, on a stack of its own
    (closed before the test's own stack starts: one embedded AWS at a time)."""
    from stockplan.runtime import use_runtime
    from stockplan_cli.embedded import EmbeddedAws
    from stockplan_cli.simulate import EmbeddedStack

    with EmbeddedAws() as aws, pytest.MonkeyPatch.context() as patch:
        try:
            stack = EmbeddedStack(aws)
            staff(stack)
            small_chunks(stack, patch, fanout=False)
            assert upload_terminations(stack)["status"] == "processed"
            assert stack.chunk_deliveries == []
            return outcome(stack)
        finally:
            use_runtime(None)


def test_a_file_over_the_threshold_goes_through_chunks_and_ends_as_one_invocation_would(
    one_invocation: dict[str, Any], people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = people
    small_chunks(stack, monkeypatch)

    result = upload_terminations(stack)

    assert result["status"] == "fanned_out"
    # One ChunkFunction invocation a chunk, none failed.
    assert stack.chunk_deliveries == [(1, False)] * CHUNKS
    fanned = outcome(stack)
    assert fanned == one_invocation
    assert fanned["file"] == {"status": "done", "accepted": 8, "unchanged": 0, "rejected": 2}
    assert len(fanned["summaries"]) == 1
    assert [n for n in fanned["notices"] if n[0] == "termination"] == sorted(
        ("termination", f"e{n}@ctc.example.com") for n in range(PEOPLE)
    )


def test_a_crash_between_two_chunks_then_redelivery_applies_every_row_once(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk 1 is in when chunk 2's invocation dies before its first row; SQS delivers
    chunk 2 again and the file closes as if nothing had happened."""
    stack = people
    small_chunks(stack, monkeypatch)
    crash_on(stack, monkeypatch, rows={4}, times=1)

    upload_terminations(stack)

    assert stack.chunk_deliveries == [(1, False), (1, True), (1, False), (1, False), (1, False)]
    result = outcome(stack)
    assert result["file"] == {"status": "done", "accepted": 8, "unchanged": 0, "rejected": 2}
    assert {
        (a["shares_forfeited"], a["shares_outstanding"]) for a in result["report"]["awards"]
    } == {(500, 500)}
    # One termination notice each, one summary.
    assert [k for k, _ in result["notices"]].count("termination") == PEOPLE
    assert len(result["summaries"]) == 1


def test_a_chunk_crashing_half_way_is_applied_once_when_delivered_again(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk 2 dies before its last row, rows 4-5 collected in its open batch; its
    redelivery applies each of rows 4-6 once."""
    stack = people
    small_chunks(stack, monkeypatch)
    crash_on(stack, monkeypatch, rows={6}, times=1)

    upload_terminations(stack)

    result = outcome(stack)
    assert result["file"]["accepted"] == 8
    assert [k for k, _ in result["notices"]].count("termination") == PEOPLE
    audits = [
        i
        for i in table_items(stack)
        if i.get("type", {}).get("S") == "audit"
        and i.get("award_id", {}).get("S", "").startswith("G-")
    ]
    # One record of each grant and one of each termination, whatever ran twice.
    assert len(audits) == 2 * PEOPLE


def test_every_chunk_delivered_twice_applies_nothing_twice_and_sends_one_summary(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQS delivers at least once: each chunk message arrives twice, the second copy of
    the last one after the file closed."""
    from stockplan.data.aws import SqsChunkQueue

    stack = people
    small_chunks(stack, monkeypatch)
    send = SqsChunkQueue.send
    monkeypatch.setattr(
        SqsChunkQueue,
        "send",
        lambda self, messages: send(self, [m for m in messages for _ in range(2)]),
    )

    upload_terminations(stack)

    assert stack.chunk_deliveries == [(1, False)] * (2 * CHUNKS)
    result = outcome(stack)
    assert result["file"] == {"status": "done", "accepted": 8, "unchanged": 0, "rejected": 2}
    assert [k for k, _ in result["notices"]].count("termination") == PEOPLE
    assert len(result["summaries"]) == 1
    assert {
        (a["shares_forfeited"], a["shares_outstanding"]) for a in result["report"]["awards"]
    } == {(500, 500)}


def test_the_s3_event_delivered_again_after_the_file_closed_changes_nothing(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = people
    small_chunks(stack, monkeypatch)
    upload_terminations(stack)
    before = outcome(stack)

    again = stack.invoke(FEED_FUNCTION, s3_event(stack, "terminations", KEY, OCT2))["files"][0]

    assert again["status"] == "duplicate"
    assert outcome(stack) == before


def test_a_chunk_failing_for_good_goes_to_the_dead_letter_queue_and_the_summary_names_its_rows(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk 2 (rows 4-6) dies on every receive: on the third (the queue's
    maxReceiveCount) it records rows 4-6 as not applied and its message is parked in
    the dead-letter queue (alarmed); the other chunks close the file, and the one
    summary lists rows 4-6 beside the rows rejected on their merits."""
    stack = people
    small_chunks(stack, monkeypatch)
    crash_on(stack, monkeypatch, rows={4}, times=1_000)

    upload_terminations(stack)

    assert [failed for _, failed in stack.chunk_deliveries].count(True) == 3
    # Parked, then handed to the ChunkFunction by the dead-letter queue's event source:
    # the file was already closed, so nothing more happened.
    assert dead_letters(stack) == []
    result = outcome(stack)
    assert result["file"] == {"status": "done", "accepted": 5, "unchanged": 0, "rejected": 5}
    rows = {r["row"]: r for r in result["errors"]}
    assert sorted(rows, key=int) == ["4", "5", "6", "9", "10"]
    for row in ("4", "5", "6"):
        assert rows[row]["rejection_reason"].startswith("not applied: rows 4-6 (chunk 2 of 4)")
        assert rows[row]["participant_id"] == f"E{int(row) - 1}"
    (summary,) = result["summaries"]
    assert "not applied: rows 4-6" in summary
    # The people of rows 4-6 (E3-E5) are not terminated; the others are.
    forfeited = {a["award_id"]: a["shares_forfeited"] for a in result["report"]["awards"]}
    assert {a for a, shares in forfeited.items() if shares == 0} == {"G-3", "G-4", "G-5"}
    terminated = sorted(t for k, t in result["notices"] if k == "termination")
    assert terminated == sorted(f"e{n}@ctc.example.com" for n in (0, 1, 2, 6, 7))


def dead_letters(stack: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = stack.runtime.sqs.receive_message(
        QueueUrl=stack.stack.chunk_dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    ).get("Messages", [])
    return found


def test_a_chunk_killed_on_every_receive_is_closed_from_the_dead_letter_queue_naming_its_rows(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk 2 (rows 4-6) times out on each of its three receives: its handler's
    `except` never runs, so nothing is recorded when SQS parks it. The dead-letter
    queue hands it to the ChunkFunction, which records rows 4-6 as not applied and
    closes the file: one summary and one errors CSV name them. Delivered again from
    the dead-letter queue, it changes nothing and sends nothing."""
    stack = people
    small_chunks(stack, monkeypatch)
    crash_on(stack, monkeypatch, rows={4}, times=1_000, death=Killed)
    invoke = stack._run

    def lambda_runtime(function: str, event: dict[str, Any]) -> Any:
        try:
            return invoke(function, event)
        except Killed as death:  # what Lambda tells the event source
            raise RuntimeError("Task timed out") from death

    monkeypatch.setattr(stack, "_run", lambda_runtime)
    sent: list[str] = []
    monkeypatch.setattr(
        stack.runtime.sqs, "send_message", spy(stack.runtime.sqs.send_message, sent)
    )

    upload_terminations(stack)

    assert [failed for _, failed in stack.chunk_deliveries].count(True) == 3
    (parked,) = sent
    assert dead_letters(stack) == []
    result = outcome(stack)
    assert result["file"] == {"status": "done", "accepted": 5, "unchanged": 0, "rejected": 5}
    rows = {r["row"]: r for r in result["errors"]}
    assert sorted(rows, key=int) == ["4", "5", "6", "9", "10"]
    for row in ("4", "5", "6"):
        reason = rows[row]["rejection_reason"]
        assert reason.startswith("not applied: rows 4-6 (chunk 2 of 4)"), reason
        assert "a timeout" in reason and "upload these rows again" in reason
    (summary,) = result["summaries"]
    assert "not applied: rows 4-6" in summary
    forfeited = {a["award_id"]: a["shares_forfeited"] for a in result["report"]["awards"]}
    assert {a for a, shares in forfeited.items() if shares == 0} == {"G-3", "G-4", "G-5"}

    stack.runtime.sqs.send_message(QueueUrl=stack.stack.chunk_dlq_url, MessageBody=parked)
    assert stack.deliver_dead_chunks() == 1
    assert outcome(stack) == result


def spy(send: Any, bodies: list[str]) -> Any:
    def sending(**kwargs: Any) -> Any:
        bodies.append(kwargs["MessageBody"])
        return send(**kwargs)

    return sending
