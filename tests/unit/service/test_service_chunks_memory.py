"""The fan-out of a large feed file on the in-memory ports (issue 13): the FeedFunction's
use case queues chunks through the ChunkQueue port, each chunk's use case applies its
rows once, and the last one closes the file (docs/interfaces.md §1a)."""

from __future__ import annotations

import dataclasses

from memory_world import MAR15, World

from stockplan.data import records as rec
from stockplan.service.chunks import Chunk, chunk_failed, process_chunk
from stockplan.service.feeds import FeedDeps, process_upload
from stockplan_cli.memory import MemoryChunkQueue

# Five people, one with no email (row 5: rejected when read).
PEOPLE = (
    "participant_id,name,email,role\n"
    + "".join(f"E{n},Person {n},e{n}@ctc.example.com,employee\n" for n in range(1, 5))
    + "E5,Person 5,,employee\n"
)
KEY = "incoming/participants/people.csv"


def fanned_out(world: World) -> tuple[FeedDeps, list[Chunk]]:
    queue = MemoryChunkQueue()
    settings = world.settings.model_copy(update={"fanout_rows": 2, "chunk_rows": 2})
    deps = dataclasses.replace(world.feed_deps(), settings=settings, chunks=queue)
    version = world.store.upload(KEY, PEOPLE.encode())
    outcome = process_upload(deps, world.store.bucket, KEY, MAR15, version)
    assert outcome.status == "fanned_out"
    return deps, [Chunk.from_message(m) for m in queue.messages]


def closed(world: World) -> dict[str, object] | None:
    (file,) = world.of_type("feed_file")
    return None if file["status"] != "done" else file


def test_chunks_applied_in_any_order_and_twice_close_the_file_once(world: World) -> None:
    deps, chunks = fanned_out(world)
    assert [(c.first, c.last) for c in chunks] == [(1, 2), (3, 4), (5, 5)]

    outcomes = [process_chunk(deps, c) for c in (chunks[2], chunks[0], chunks[0], chunks[1])]

    assert [o.status for o in outcomes] == ["processed"] * 4
    assert closed(world) is not None
    assert (closed(world) or {})["accepted"] == 4
    assert len(world.of_type("participant")) == 4
    # The summary (a row was rejected) is in the outbox once.
    assert [n["kind"] for n in world.of_type("notice")] == ["feed-rejections"]
    assert process_chunk(deps, chunks[1]).status == "duplicate"


def test_a_chunk_failed_for_good_names_its_rows_as_not_applied(world: World) -> None:
    deps, chunks = fanned_out(world)
    process_chunk(deps, chunks[0])
    process_chunk(deps, chunks[2])

    chunk_failed(deps, chunks[1], "Crash")

    assert (closed(world) or {})["rejected"] == 3
    reasons = {
        i["row"]: i["reason"] for i in world.of_type("feed_row") if i.get("status") == "rejected"
    }
    assert sorted(reasons) == [3, 4, 5]
    assert reasons[3].startswith("not applied: rows 3-4 (chunk 2 of 3)")
    assert world.table.get(*rec.feed_row_key(chunks[0].file, 3)) is None


def test_a_dead_chunk_delivered_by_the_dead_letter_queue_is_recorded_once_however_often(
    world: World,
) -> None:
    """Killed without its `except` (nothing recorded), then handed over by the
    dead-letter queue twice, and once more after its file closed: one record of its
    rows, one summary."""
    from stockplan.service.chunks import DIED, chunk_dead

    deps, chunks = fanned_out(world)
    process_chunk(deps, chunks[0])
    process_chunk(deps, chunks[2])
    assert closed(world) is None  # chunk 2 died: the file is open

    first = chunk_dead(deps, chunks[1])
    again = chunk_dead(deps, chunks[1])

    assert first.status == "processed" and again.status == "duplicate"
    assert (closed(world) or {})["rejected"] == 3
    rejected = [i for i in world.of_type("feed_row") if i.get("status") == "rejected"]
    assert sorted(i["row"] for i in rejected) == [3, 4, 5]
    assert DIED in next(i["reason"] for i in rejected if i["row"] == 3)
    assert [n["kind"] for n in world.of_type("notice")] == ["feed-rejections"]


def test_a_chunk_that_finished_then_died_is_not_recorded_as_failed(world: World) -> None:
    """Its marker is in (its rows were applied): the dead-letter delivery only closes
    the file the chunk died before closing."""
    from stockplan.service.chunks import chunk_dead

    deps, chunks = fanned_out(world)
    for chunk in chunks:
        process_chunk(deps, chunk)
    (file,) = world.of_type("feed_file")
    world.table.put({**file, "status": "processing"})  # died before the close committed
    world.table.items.pop(
        next(
            k
            for k, v in world.table.items.items()
            if v.get("kind") == "feed-rejections" and v.get("type") == "notice"
        )
    )

    outcome = chunk_dead(deps, chunks[1])

    assert outcome.status == "duplicate"
    assert (closed(world) or {})["accepted"] == 4
    assert not any("not applied" in str(i.get("reason")) for i in world.of_type("feed_row"))
