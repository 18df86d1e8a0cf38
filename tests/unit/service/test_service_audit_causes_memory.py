"""The audit trail's feed cause names the S3 object (version id, ETag) and its uploader,
for a file applied in one invocation and for one fanned out in chunks (docs/interfaces.md
§3 audit.jsonl); on the in-memory stack."""

from __future__ import annotations

import dataclasses

from memory_world import MAR15, World

from stockplan.service.audit import participant_trail
from stockplan.service.chunks import Chunk, process_chunk
from stockplan.service.feeds import process_upload
from stockplan_cli.memory import MemoryChunkQueue

PEOPLE = "participant_id,name,email,role\n" + "".join(
    f"E{n},Person {n},e{n}@ctc.example.com,employee\n" for n in range(1, 4)
)
KEY = "incoming/participants/people.csv"


def _causes(world: World) -> dict[str, dict[str, object]]:
    return {pid: participant_trail(world.table, pid)[0]["cause"] for pid in ("E1", "E2", "E3")}


def test_a_file_applied_at_once_names_its_object_and_uploader(world: World) -> None:
    version = world.store.upload(KEY, PEOPLE.encode())
    process_upload(
        world.feed_deps(),
        world.store.bucket,
        KEY,
        MAR15,
        version,
        etag='"abc123"',
        uploader="AWS:HR",
    )
    assert _causes(world)["E2"] == {
        "kind": "feed",
        "feed": "participants",
        "key": KEY,
        "row": 2,
        "version_id": version,
        "etag": "abc123",
        "uploader": "AWS:HR",
    }


def test_a_file_fanned_out_in_chunks_names_its_object_and_uploader_in_every_chunk(
    world: World,
) -> None:
    queue = MemoryChunkQueue()
    settings = world.settings.model_copy(update={"fanout_rows": 2, "chunk_rows": 2})
    deps = dataclasses.replace(world.feed_deps(), settings=settings, chunks=queue)
    version = world.store.upload(KEY, PEOPLE.encode())
    outcome = process_upload(
        deps, world.store.bucket, KEY, MAR15, version, etag="abc123", uploader="AWS:HR"
    )
    assert outcome.status == "fanned_out"
    for message in queue.messages:
        process_chunk(deps, Chunk.from_message(message))

    causes = _causes(world)
    assert [c["row"] for c in causes.values()] == [1, 2, 3]
    assert {(c["version_id"], c["etag"], c["uploader"]) for c in causes.values()} == {
        (version, "abc123", "AWS:HR")
    }
