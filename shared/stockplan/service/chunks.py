"""One chunk of a large feed file, fanned out by the FeedFunction (issue 13;
docs/interfaces.md §1 and §1a hold for every row as if the file ran in one invocation).

- The chunk re-reads the object version its message names and checks it is the one
  the file's record was made from (the content digest is part of the record's key).
- Its rows go through the file's own path (`feeds.apply_parsed`): each row commits
  with its row marker, so a chunk delivered again, or again after a crash, applies
  nothing twice.
- Its rejected rows and its counts are committed with a chunk marker (`CHUNK#nnnnn`
  under the file's record) once all its rows are in; a chunk whose marker exists only
  checks whether the file is complete.
- The invocation that finds every chunk marker closes the file with the very summary
  code of a file run in one invocation (`feeds._finish`): its closing record is written
  once (a conditional put), so the administrator's summary and the errors CSV come once
  whichever chunk finishes last, and however often.
- A chunk that fails on its last receive (Settings.chunk_max_receives, the queue's
  maxReceiveCount) records its rows that have no row marker as not applied, with a
  marker of its own, before its message goes to the dead-letter queue: the file then
  still closes, and its summary lists those rows. A chunk that died without its
  `except` running (a timeout, out of memory, a kill) is recorded the same way when
  the dead-letter queue delivers its message (`chunk_dead`): whichever comes first
  writes the marker, the other only closes the file if it is complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from stockplan.data import records as rec
from stockplan.data.marker import Writes as MarkerWrites
from stockplan.feeds import FeedKind, ParsedFeed, RowRejection, content_digest, kind_from_key
from stockplan.feeds import parse_feed as parse
from stockplan.service.feeds import (
    FeedDeps,
    FeedOutcome,
    FileRun,
    UploadOrigin,
    _finish,
    _read_within_limit,
    apply_parsed,
    object_pk,
    record_rejections,
)
from stockplan.service.ledger import Ledger

CHUNK_PREFIX = "CHUNK#"


class ChunkMismatch(Exception):
    """The object no longer reads as the file that was fanned out (never expected: the
    message names the object version)."""


@dataclass(frozen=True)
class Chunk:
    """What a chunk message says: the object version, the file's record, the rows."""

    bucket: str
    key: str
    version_id: str | None
    file: str
    day: date
    order: str | None
    number: int
    chunks: int
    first: int
    last: int
    origin: UploadOrigin = field(default_factory=UploadOrigin)

    @classmethod
    def from_message(cls, body: dict[str, Any]) -> Chunk:
        return cls(
            bucket=str(body["bucket"]),
            key=str(body["key"]),
            version_id=body.get("version_id") or None,
            file=str(body["file"]),
            day=date.fromisoformat(str(body["day"])),
            order=body.get("order") or None,
            number=int(body["chunk"]),
            chunks=int(body["chunks"]),
            first=int(body["first"]),
            last=int(body["last"]),
            origin=UploadOrigin(
                body.get("version_id") or None, body.get("etag"), body.get("uploader")
            ),
        )

    def holds(self, row_number: int) -> bool:
        return self.first <= row_number <= self.last


def chunk_key(file_pk: str, number: int) -> tuple[str, str]:
    return file_pk, f"{CHUNK_PREFIX}{number:05d}"


def process_chunk(deps: FeedDeps, chunk: Chunk) -> FeedOutcome:
    """Apply one chunk's rows (once), then close the file if this was its last chunk."""
    kind = kind_from_key(chunk.key)
    parsed = _parsed(deps, chunk, kind)
    run = _run(deps, chunk, kind)
    closed = deps.table.get(*rec.feed_file_key(chunk.file))
    if closed is not None and closed.get("status") == "done":
        run.outcome.status = "duplicate"
        return run.outcome
    if deps.table.get(*chunk_key(chunk.file, chunk.number)) is None:
        part = ParsedFeed(
            kind,
            parsed.header,
            [r for r in parsed.rows if chunk.holds(r.row_number)],
            [r for r in parsed.rejections if chunk.holds(r.row_number)],
        )
        rejections = apply_parsed(run, part)
        run.outcome.rejected = len(rejections)
        _record_chunk(run, chunk, rejections, "done")
    _close_if_complete(run, parsed, chunk.chunks)
    return run.outcome


# Why a chunk delivered by its dead-letter queue ended: its invocation did not say.
DIED = "its invocation ended before it finished: a timeout, out of memory or a stop"


def chunk_dead(deps: FeedDeps, chunk: Chunk) -> FeedOutcome:
    """The dead-letter queue's delivery of a chunk that failed for good, however it
    died: its unapplied rows recorded as not applied, then the file closed if complete.
    Delivered twice, or after the last receive's `except` recorded it, it changes
    nothing and the file's one summary is not sent again."""
    return chunk_failed(deps, chunk, DIED)


def chunk_failed(deps: FeedDeps, chunk: Chunk, why: str) -> FeedOutcome:
    """The chunk's last receive failed: its rows without a row marker are recorded as
    not applied (the summary lists them), and the file closes if it is complete. A
    chunk already recorded (done, or failed before) is not recorded again."""
    kind = kind_from_key(chunk.key)
    run = _run(deps, chunk, kind)
    closed = deps.table.get(*rec.feed_file_key(chunk.file))
    if closed is not None and closed.get("status") == "done":
        run.outcome.status = "duplicate"
        return run.outcome
    try:
        parsed: ParsedFeed | None = _parsed(deps, chunk, kind)
    except Exception:  # unreadable now: the rows are named by number only
        parsed = None
    marked = {
        n
        for n in (rec.feed_row_number(i) for i in deps.table.query(chunk.file, rec.FEED_ROW_PREFIX))
        if chunk.holds(n)
    }
    reason = (
        f"not applied: rows {chunk.first}-{chunk.last} (chunk {chunk.number} of {chunk.chunks})"
        f" failed {deps.settings.chunk_max_receives} times ({why}); upload these rows again"
    )
    if deps.table.get(*chunk_key(chunk.file, chunk.number)) is not None:
        # Recorded already (it finished, or an earlier failure recorded it).
        run.outcome.status = "duplicate"
        _close_if_complete(run, parsed or ParsedFeed(kind, []), chunk.chunks)
        return run.outcome
    if parsed is None:
        missing = [RowRejection(n, {}, reason) for n in range(chunk.first, chunk.last + 1)]
        parsed = ParsedFeed(kind, [])
    else:
        missing = [
            RowRejection(r.row_number, r.record, reason)
            for r in parsed.rows
            if chunk.holds(r.row_number) and r.row_number not in marked
        ]
        missing += [r for r in parsed.rejections if chunk.holds(r.row_number)]
    run.outcome.accepted = len(marked - {r.row_number for r in missing})
    run.outcome.rejected = len(missing)
    _record_chunk(run, chunk, sorted(missing, key=lambda r: r.row_number), "failed")
    _close_if_complete(run, parsed, chunk.chunks)
    return run.outcome


def _parsed(deps: FeedDeps, chunk: Chunk, kind: FeedKind) -> ParsedFeed:
    body = _read_within_limit(deps, chunk.bucket, chunk.key, chunk.version_id, None)
    if (
        isinstance(body, str)
        or object_pk(kind.value, chunk.key, chunk.version_id, content_digest(body)) != chunk.file
    ):
        raise ChunkMismatch(f"chunk {chunk.number}: the object is not the file fanned out")
    return parse(kind, body, deps.limits)


def _run(deps: FeedDeps, chunk: Chunk, kind: FeedKind) -> FileRun:
    return FileRun(
        deps,
        kind,
        chunk.key,
        chunk.file,
        chunk.day,
        chunk.order,
        Ledger(deps.table),
        FeedOutcome(chunk.key, kind.value, "processed"),
        MarkerWrites(floor=chunk.day),
        origin=chunk.origin,
    )


def _record_chunk(run: FileRun, chunk: Chunk, rejections: list[RowRejection], status: str) -> None:
    """The chunk's rejected rows and counts, committed after all its rows."""
    change = run.change(f"feed:{run.key}")
    record_rejections(run, change, rejections)
    pk, sk = chunk_key(run.file_pk, chunk.number)
    change.put(
        {
            "PK": pk,
            "SK": sk,
            "type": "feed_chunk",
            "status": status,
            "first": chunk.first,
            "last": chunk.last,
            "accepted": run.outcome.accepted,
            "unchanged": run.outcome.unchanged,
            "history": run.outcome.history,
            "rejected": len(rejections),
        }
    )
    run.writes.before_last_commit(run.table)
    change.flush()
    run.outcome.notice_ids += change.notice_ids


def _close_if_complete(run: FileRun, parsed: ParsedFeed, chunks: int) -> None:
    """With every chunk marker in, the file's summary from all of them (once)."""
    markers = run.table.query(run.file_pk, CHUNK_PREFIX)
    if len(markers) < chunks:
        return
    records = {r.row_number: r.record for r in parsed.rows}
    records.update({r.row_number: r.record for r in parsed.rejections})
    stored = [rec.Rejection.from_item(i) for i in run.table.query(run.file_pk, "REJECTED#")]
    rejections = [
        RowRejection(r.row, records.get(r.row, r.record), r.reason)
        for r in stored
        if r.row is not None
    ]
    outcome = run.outcome
    outcome.accepted = sum(int(m["accepted"]) for m in markers)
    outcome.unchanged = sum(int(m["unchanged"]) for m in markers)
    outcome.history = sum(int(m.get("history", 0)) for m in markers)
    outcome.rejected = len(rejections)
    _finish(run, parsed.header, sorted(rejections, key=lambda r: r.row_number), recorded=True)
