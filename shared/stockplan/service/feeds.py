"""Processing one uploaded feed file (docs/interfaces.md §1 and §4).

Every fact once, whatever is delivered or uploaded again (docs/interfaces.md §1a):
- the same S3 object (key and version) delivered twice is processed once; any other
  upload, a re-saved or corrected file included, is read row by row;
- each row is known by its key (stockplan.feeds.identity): a row equal to the fact
  already applied is unchanged, one that contradicts it is rejected (or updates it,
  where the kind allows), and a row rejected before is tried again;
- each row is applied in one transaction with its fact and its row marker, so a retry
  after a crash half way through skips the rows already applied and loses none; rows
  of different people share a transaction (`RowBatch`, up to 100 writes), which commits
  them all or none, and a batch that conflicts is applied again row by row;
- notices go to the outbox in the same transactions and are sent afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from stockplan.coldstart import lazy_module
from stockplan.config import Settings
from stockplan.data import records as rec
from stockplan.data.marker import Writes as MarkerWrites
from stockplan.data.ports import ChunkQueue, FeedStore
from stockplan.data.retry import attempts
from stockplan.data.table import (
    MAX_TRANSACTION_ITEMS,
    ConflictError,
    Table,
    ThrottledError,
    is_transient,
)
from stockplan.domain.model import PlanCode
from stockplan.feeds import (
    DEFAULT_LIMITS,
    MAX_KEY_BYTES,
    FeedKind,
    FeedLimits,
    FileRejected,
    KeyRejected,
    ParsedFeed,
    ParsedRow,
    RowRejection,
    content_digest,
    kind_from_key,
    parse_feed,
    render_errors_csv,
    render_file_rejection_csv,
)
from stockplan.feeds.capping import capped_record
from stockplan.feeds.identity import OnConflict, RowIdentity, differences, identify
from stockplan.feeds.rows import GrantRow, TerminationRow
from stockplan.service import notify, scheduled
from stockplan.service.ledger import BatchFull, Change, Ledger, PoolRecord, PoolShortError
from stockplan.service.rows import SUPERSEDED, UNCHANGED, RowResult, Unchanged

if TYPE_CHECKING:
    from stockplan.notices import model as nm
else:
    nm = lazy_module("stockplan.notices.model")

_T = TypeVar("_T")

MAX_ROW_ATTEMPTS = 5
# Kinds whose rows each read one person's profile and holdings: read ahead for the next
# PREFETCH_ROWS rows with BatchGetItem (one request for their profiles, one a hundred of
# their awards and deferred stock) instead of a Query a row (issue 13).
PREFETCHED_KINDS = frozenset({FeedKind.GRANTS, FeedKind.TERMINATIONS})
PREFETCH_ROWS = 100
# Rows a batch holds at most; the transaction's 100 writes usually bound it first.
BATCH_ROWS = 50
# Kinds whose rows are applied in batches. Each of their rows reads only what it then
# writes (the person's profile, the award, the fact), or what the batch's own change
# keeps (the pools), so an earlier row of the batch that touched the same thing shows
# as an item written twice (`Change.keys_since`). Corporate actions and corrections,
# which rewrite many awards in several transactions, stay row by row.
BATCHED_KINDS = frozenset(
    {
        FeedKind.PARTICIPANTS,
        FeedKind.PRICES,
        FeedKind.GRANTS,
        FeedKind.TERMINATIONS,
        FeedKind.EXERCISES,
    }
)


@dataclass
class FeedOutcome:
    key: str
    kind: str | None
    status: str  # processed | duplicate | rejected
    accepted: int = 0  # applied
    unchanged: int = 0
    rejected: int = 0
    # Applied rows dated before go-live (docs/plan-rules.md "Facts in time").
    history: int = 0
    file_reason: str | None = None
    notice_ids: list[str] = field(default_factory=list)
    # Rows rejected because judging or applying them raised: "row N: ErrorType" (for
    # the operators' log; never the row's values).
    row_errors: list[str] = field(default_factory=list)


@dataclass
class FeedDeps:
    table: Table
    files: FeedStore
    settings: Settings
    # Test hook: called before each row is applied (a crash half way through a file).
    before_row: Callable[[int], None] | None = None
    limits: FeedLimits = DEFAULT_LIMITS
    # Rows of a batch at most (1: every row in a transaction of its own).
    batch_rows: int = BATCH_ROWS
    # Where a file over Settings.fanout_rows is queued in chunks (None: applied here).
    chunks: ChunkQueue | None = None


def upload_order(uploaded_at: str | None, key: str) -> str | None:
    """A string that sorts uploads in the order S3 received them: the event time in UTC
    to the microsecond, then the key (two files uploaded in the same instant)."""
    if not uploaded_at:
        return None
    moment = datetime.fromisoformat(uploaded_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}Z#{key}"


def short_key(key: str, limit: int = MAX_KEY_BYTES) -> str:
    """The key itself, or (a key too long to build other keys from) its start and a
    digest that tells it apart."""
    if len(key.encode("utf-8")) <= limit:
        return key
    start = key.encode("utf-8")[: limit - 40].decode("utf-8", errors="ignore")
    return f"{start}~{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def errors_key(key: str) -> str:
    return f"errors/{short_key(key)}.errors.csv"


def too_large(size: int, limits: FeedLimits) -> str:
    return f"file too large: {size} bytes, the limit is {limits.max_bytes} bytes"


def object_pk(kind: str, key: str, version_id: str | None, fingerprint: str) -> str:
    """The record of one S3 object: the same key and version delivered again is
    processed once (docs/interfaces.md §1a); any other upload is read row by row. The
    fingerprint (the content digest, or the ETag of a file never read) tells two
    objects of an unversioned key apart. Hashed: a key may be 1,024 bytes long."""
    identity = f"{key}\n{version_id or ''}\n{fingerprint}".encode()
    return f"FEED#{kind}#{hashlib.sha256(identity).hexdigest()[:40]}"


@dataclass(frozen=True)
class UploadOrigin:
    """The S3 object a file's rows came from and who uploaded it: a key may later hold
    another object, so the audit trail names the version, its ETag and the uploader
    (the S3 event's userIdentity.principalId) beside the key and row."""

    version_id: str | None = None
    etag: str | None = None
    uploader: str | None = None


def feed_cause(kind: FeedKind, key: str, row: int | None, origin: UploadOrigin) -> dict[str, Any]:
    """The audit trail's cause of a change a feed row made (docs/interfaces.md §3)."""
    return {
        "kind": "feed",
        "feed": kind.value,
        "key": key,
        "row": row,
        "version_id": origin.version_id,
        "etag": origin.etag,
        "uploader": origin.uploader,
    }


@dataclass
class FileRun:
    """One delivery of one uploaded feed file, from its rows to its summary."""

    deps: FeedDeps
    kind: FeedKind
    key: str
    file_pk: str
    today: date
    order: str | None
    ledger: Ledger
    outcome: FeedOutcome
    # The schedule marker is written for the file, not for each row (its first due item
    # lowers it to the upload day at least; see MarkerWrites).
    writes: MarkerWrites
    # The pool counters as this file last committed them: each row's version-checked
    # write tells whether they are still current (a conflict reads them again).
    pools: dict[PlanCode, PoolRecord] = field(default_factory=dict)
    # The facts of the file's row keys, read in batches before the rows are applied
    # (BatchGetItem, 100 keys a request) and kept current as rows are applied.
    known: dict[str, rec.Fact | None] = field(default_factory=dict)
    rejections: list[RowRejection] = field(default_factory=list)
    # The most writes a row of this file has taken so far (a batch keeps room for it).
    largest_row: int = 0
    # Rows whose fact is dated before go-live: applied as history, told to nobody.
    history_rows: set[int] = field(default_factory=set)
    origin: UploadOrigin = field(default_factory=UploadOrigin)

    @property
    def table(self) -> Table:
        return self.deps.table

    def prefetch(self, identities: list[RowIdentity]) -> None:
        keys = list(dict.fromkeys(i.key for i in identities))
        found = self.table.batch_get([(rec.fact_pk(self.kind.value, k), rec.FACT_SK) for k in keys])
        by_pk = {item["PK"]: item for item in found}
        for key in keys:
            item = by_pk.get(rec.fact_pk(self.kind.value, key))
            self.known[key] = None if item is None else rec.fact_from(self.kind.value, key, [item])

    def fact(self, identity: RowIdentity, fresh: bool) -> rec.Fact | None:
        """The fact of a row's key: as read in the batch, or read again (a retry after a
        conflict; a price whose use decides, which the batch does not read)."""
        cached = self.known.get(identity.key)
        stale = fresh or identity.key not in self.known
        needs_use = (
            cached is not None and identity.rule.on_conflict is OnConflict.REPLACE_UNTIL_USED
        )
        if stale or needs_use:
            cached = self.ledger.fact(self.kind.value, identity.key)
            self.known[identity.key] = cached
        return cached

    def change(self, cause: str, row: int | None = None) -> Change:
        change = Change(
            self.ledger, self.today, cause, self.deps.settings, marker_writes=self.writes
        )
        change.upload_order = self.order
        change.cause_info = feed_cause(self.kind, self.key, row, self.origin)
        return change


def process_upload(
    deps: FeedDeps,
    bucket: str,
    key: str,
    today: date,
    version_id: str | None = None,
    *,
    size: int | None = None,
    etag: str | None = None,
    uploaded_at: str | None = None,
    uploader: str | None = None,
) -> FeedOutcome:
    """Run one uploaded feed file; `today` is the upload day in the plan's time zone.

    `version_id` is the object version the S3 event names (the bucket is versioned): a
    second upload under the same key must not stand in for the first. `size` and `etag`
    are the event's: a file over the size limit is refused whole without being read
    (nor is one whose stored length is over it, whatever the event said).

    `uploaded_at` is the event's time: S3 does not deliver events in upload order, so
    rows that overwrite (a day's price, a person's details) keep the latest upload's
    values whatever order the files arrive in (see `upload_order`). `uploader`: the
    event's principal, named with the version and ETag by the audit trail."""
    try:
        kind = kind_from_key(key)
    except KeyRejected as error:
        # Never read. An unknown kind folder or a file that is not .csv is reported to
        # the administrator, once per object (docs/interfaces.md §1a); a malformed key is
        # only refused.
        if not error.to_administrator:
            return FeedOutcome(key, None, "rejected", file_reason=error.reason)
        file_pk = object_pk("unknown", key, version_id, _etag(etag))
        return _refuse_unread(deps, None, key, file_pk, today, error.reason)
    body = _read_within_limit(deps, bucket, key, version_id, size)
    if isinstance(body, str):
        unread_pk = object_pk(kind.value, key, version_id, _etag(etag))
        return _refuse_unread(deps, kind, key, unread_pk, today, body)
    file_pk = object_pk(kind.value, key, version_id, content_digest(body))
    table = deps.table
    existing = table.get(*rec.feed_file_key(file_pk))
    if existing is not None and existing.get("status") == "done":
        return FeedOutcome(key, kind.value, "duplicate")
    if existing is None:
        table.put_new(_file_item(file_pk, kind.value, key, today, "processing"))
    ledger = Ledger(table)
    try:
        parsed = parse_feed(kind, body, deps.limits)
    except FileRejected as error:
        return _reject_file(deps, ledger, kind, key, file_pk, today, error.reason)
    if deps.chunks is not None and row_count(parsed) > deps.settings.fanout_rows:
        where = {"bucket": bucket, "key": key, "version_id": version_id, "file": file_pk}
        where |= {"etag": _etag(etag) or None, "uploader": uploader}
        moment = {"day": today.isoformat(), "order": upload_order(uploaded_at, key)}
        fan_out(deps.chunks, deps.settings.chunk_rows, parsed, {**where, **moment})
        return FeedOutcome(key, kind.value, "fanned_out")
    run = FileRun(
        deps,
        kind,
        key,
        file_pk,
        today,
        upload_order(uploaded_at, key),
        ledger,
        FeedOutcome(key, kind.value, "processed"),
        MarkerWrites(floor=today),
        origin=UploadOrigin(version_id, _etag(etag) or None, uploader),
    )
    return _apply_file(run, parsed)


def row_count(parsed: ParsedFeed) -> int:
    return len(parsed.rows) + len(parsed.rejections)


def chunk_ranges(parsed: ParsedFeed, chunk_rows: int) -> list[tuple[int, int]]:
    """The file's data rows in runs of `chunk_rows`, as (first, last) row numbers."""
    numbers = sorted(
        [r.row_number for r in parsed.rows] + [r.row_number for r in parsed.rejections]
    )
    return [
        (numbers[start], numbers[min(start + chunk_rows, len(numbers)) - 1])
        for start in range(0, len(numbers), chunk_rows)
    ]


def fan_out(
    queue: ChunkQueue,
    chunk_rows: int,
    parsed: ParsedFeed,
    source: dict[str, Any],
) -> None:
    """Queue the file's chunks (issue 13): the file's record stays "processing" until the
    chunk that completes it closes it (stockplan.service.chunks). Queued again when the
    S3 event is redelivered: a chunk applies its rows once however often it comes."""
    ranges = chunk_ranges(parsed, chunk_rows)
    queue.send(
        [
            {
                **source,
                "chunk": number,
                "chunks": len(ranges),
                "first": first,
                "last": last,
            }
            for number, (first, last) in enumerate(ranges, start=1)
        ]
    )


def _apply_file(run: FileRun, parsed: ParsedFeed) -> FeedOutcome:
    """Apply the rows this object has not applied yet, then close the file."""
    rejections = apply_parsed(run, parsed)
    run.outcome.rejected = len(rejections)
    _finish(run, parsed.header, rejections)
    return run.outcome


def apply_parsed(run: FileRun, parsed: ParsedFeed) -> list[RowRejection]:
    """Apply the rows of `parsed` (a whole file, or a chunk's part of it) that this
    object has not applied yet; their rejections, in row order."""
    table = run.table
    file_pk, kind = run.file_pk, run.kind
    # Rows this object already applied (a redelivery after a crash half way through).
    applied = {rec.feed_row_number(i) for i in table.query(file_pk, rec.FEED_ROW_PREFIX)}
    run.rejections = list(parsed.rejections)
    identities: dict[int, RowIdentity] = {}
    for row in parsed.rows:
        if row.row_number not in applied:
            found = _guarded(run, row, partial(identify, kind, row.value))
            if isinstance(found, RowIdentity):
                identities[row.row_number] = found
    run.prefetch(list(identities.values()))
    run.outcome.accepted += sum(1 for row in parsed.rows if row.row_number in applied)
    _apply_rows(
        run,
        [(row, identities[row.row_number]) for row in parsed.rows if row.row_number in identities],
    )
    return sorted(run.rejections, key=lambda r: r.row_number)


def _etag(etag: str | None) -> str:
    return (etag or "").strip('"')


def _read_within_limit(
    deps: FeedDeps, bucket: str, key: str, version_id: str | None, size: int | None
) -> bytes | str:
    """The file's bytes, or why it is refused unread: over the size limit by the event's
    size, its stored length, or what its stream holds."""
    limits = deps.limits
    if size is not None and size > limits.max_bytes:
        return too_large(size, limits)
    stored = deps.files.read(bucket, key, version_id, limits.max_bytes)
    if stored.body is None:
        return too_large(stored.size, limits)
    if len(stored.body) > limits.max_bytes:
        return too_large(len(stored.body), limits)
    return stored.body


def _count(run: FileRun, row: ParsedRow, result: RowResult) -> None:
    if result is None or result is SUPERSEDED:
        run.outcome.accepted += 1
        run.outcome.history += row.row_number in run.history_rows
    elif result is UNCHANGED:
        run.outcome.unchanged += 1
    else:
        assert isinstance(result, str)
        run.rejections.append(RowRejection(row.row_number, row.record, result))


class _Pending:
    """A row collected in the open batch: applied when the batch commits."""


class _Retry:
    """A row that does not join the open batch (it writes an item an earlier row of the
    batch wrote, or does not fit): the batch is committed and the row done again."""


PENDING = _Pending()
RETRY = _Retry()


@dataclass
class RowBatch:
    """Rows of different people collected in one transaction with their facts and row
    markers: committed together, or (a conflict) applied again row by row."""

    change: Change
    rows: list[tuple[ParsedRow, RowIdentity, dict[str, rec.Fact]]] = field(default_factory=list)
    keys: set[tuple[str, str]] = field(default_factory=set)

    def has_room(self, largest: int) -> bool:
        """Room for a row as large as the largest so far, and the pool counters."""
        return len(self.change.tx) + largest + len(PlanCode) <= MAX_TRANSACTION_ITEMS


def _apply_rows(run: FileRun, rows: list[tuple[ParsedRow, RowIdentity]]) -> None:
    batched = run.kind in BATCHED_KINDS and run.deps.batch_rows > 1
    batch = _new_batch(run)
    for index, (row, identity) in enumerate(rows):
        if batched and run.kind in PREFETCHED_KINDS and index % PREFETCH_ROWS == 0:
            # The people of the next rows, read ahead (issue 13): each row then reads
            # its person once from there instead of a Query; a second row of the same
            # person reads afresh (an earlier row may have changed them).
            ahead = rows[index : index + PREFETCH_ROWS]
            run.ledger.prefetch_people(_people(ahead))
        if run.deps.before_row is not None:
            run.deps.before_row(row.row_number)
        if not batched:
            _count(run, row, _apply_row(run, row, identity))
            continue
        if not batch.has_room(run.largest_row):
            # Committed before the row is read: a row that does not fit is read twice.
            _commit_batch(run, batch)
            batch = _new_batch(run)
        result = _guarded_batch_row(run, batch, row, identity)
        if result is RETRY:
            _commit_batch(run, batch)
            batch = _new_batch(run)
            result = _guarded_batch_row(run, batch, row, identity)
        if result is RETRY:  # too large for a batch even alone
            result = _apply_row(run, row, identity)
        if not isinstance(result, _Pending | _Retry):
            _count(run, row, result)
        if len(batch.rows) >= run.deps.batch_rows:
            _commit_batch(run, batch)
            batch = _new_batch(run)
    _commit_batch(run, batch)


def _guarded(run: FileRun, row: ParsedRow, step: Callable[[], _T]) -> _T | str:
    """`step()`, or the row's rejection when it raised an error of its own (a row's
    own error fails again the same way, and must not stop the rows after it). An
    infrastructure failure (throttling, an outage) is raised: the invocation fails and
    is delivered again, and the rows already applied are skipped by their markers."""
    try:
        return step()
    except Exception as error:
        if is_transient(error):
            raise
        return _row_failed(run, row, error)


def _row_failed(run: FileRun, row: ParsedRow, error: Exception) -> str:
    run.outcome.row_errors.append(f"row {row.row_number}: {type(error).__name__}")
    return (
        f"not applied: an unexpected error ({type(error).__name__}) stopped this row;"
        " the other rows of the file went on. Upload the row again; if it fails again,"
        " ask the plan's operators to look at it"
    )


def _guarded_batch_row(
    run: FileRun, batch: RowBatch, row: ParsedRow, identity: RowIdentity
) -> RowResult | _Pending | _Retry:
    point = batch.change.savepoint()
    try:
        return _batch_row(run, batch, row, identity)
    except Exception as error:
        batch.change.rollback(point)
        run.ledger.read_log = None
        if is_transient(error):
            raise
        return _row_failed(run, row, error)


def _people(rows: list[tuple[ParsedRow, RowIdentity]]) -> list[str]:
    return [
        str(r.value.participant_id)
        for r, _ in rows
        if isinstance(r.value, GrantRow | TerminationRow)
    ]


def _new_batch(run: FileRun) -> RowBatch:
    change = run.change(f"feed:{run.key}")
    change.pools = dict(run.pools)
    change.batching = True
    return RowBatch(change)


def _batch_row(
    run: FileRun, batch: RowBatch, row: ParsedRow, identity: RowIdentity
) -> RowResult | _Pending | _Retry:
    """Collect one row's writes in the batch's transaction, or judge it without writing
    (unchanged, rejected), or RETRY when it cannot join this batch."""
    fact = run.fact(identity, fresh=False)
    verdict = _judge(identity, fact)
    if verdict is UNCHANGED and _applied_by_this_object(run, fact, row.row_number):
        return None
    if verdict is not None:
        return verdict
    change = batch.change
    point = change.savepoint()
    # Each row's audit records name the row (docs/interfaces.md §3).
    change.cause = f"feed:{run.key}#row{row.row_number}"
    # Numbered from 1 for each row, as a row committed on its own numbers them.
    change.audit_seq = 0
    change.cause_info = feed_cause(run.kind, run.key, row.row_number, run.origin)
    run.ledger.read_log = set()
    result: RowResult | _Retry
    try:
        result = scheduled.apply_row(change, run.kind, row.value, identity, run.key, row.row_number)
    except PoolShortError as error:
        result = str(error)
    except BatchFull:
        result = RETRY
    finally:
        read, run.ledger.read_log = run.ledger.read_log, None
    if read & {pk for pk, _ in batch.keys}:
        # It read what an earlier row of the batch wrote, before that row committed.
        result = RETRY
    if isinstance(result, _Retry):
        change.rollback(point)
        return RETRY
    if result is not None:
        change.rollback(point)
        if isinstance(result, str) and fact is not None and not fact.matches(identity.values):
            return _conflict(identity, fact, f"{result}; send a corrections row to change it")
        return result
    written = _record_fact(change, identity, fact, run.key, row.row_number)
    change.put_new(rec.feed_row_item(run.file_pk, row.row_number))
    keys = change.keys_since(point)
    # Room for the pool counters, written with the batch's commit.
    full = len(change.tx) + len(PlanCode) > MAX_TRANSACTION_ITEMS
    if full or keys & batch.keys:
        change.rollback(point)
        return RETRY
    batch.keys |= keys
    batch.rows.append((row, identity, written))
    if change.is_history:
        run.history_rows.add(row.row_number)
    run.largest_row = max(run.largest_row, len(change.tx) - point.operations)
    return PENDING


def _commit_batch(run: FileRun, batch: RowBatch) -> None:
    if not batch.rows:
        return
    change = batch.change
    try:
        change.flush()
    except Exception as error:
        if is_transient(error):
            raise
        # Another writer moved something a row read (or the pool ran short with all of
        # them, or one row's write was refused): each row is read and applied again on
        # its own, in order, and judged on its own.
        run.pools.clear()
        # Rows a concurrent delivery of this very object applied are applied (its
        # notices are that delivery's to send), as _apply_row's own conflict check says.
        done = {rec.feed_row_number(i) for i in run.table.query(run.file_pk, rec.FEED_ROW_PREFIX)}
        for row, identity, _ in batch.rows:
            marked = row.row_number in done
            _count(run, row, None if marked else _apply_row(run, row, identity))
        return
    run.pools.update(change.pools)
    run.outcome.notice_ids += change.notice_ids
    for row, _, written in batch.rows:
        # Later rows of the file read the facts as this batch left them.
        run.known.update(written)
        _count(run, row, None)


def _file_item(
    file_pk: str, kind: str, key: str, today: date, status: str, **extra: Any
) -> dict[str, Any]:
    pk, sk = rec.feed_file_key(file_pk)
    return {
        "PK": pk,
        "SK": sk,
        "type": "feed_file",
        "key": key,
        "kind": kind,
        "status": status,
        "day": today.isoformat(),
        **extra,
    }


def _judge(identity: RowIdentity, fact: rec.Fact | None) -> Unchanged | str | None:
    """Before any rule runs, is this row's fact already known (docs/interfaces.md §1a)?
    UNCHANGED, a rejection reason, or None: go on and apply it."""
    if fact is None:
        return None
    if fact.voided_by is not None:
        return _voided(identity, fact.voided_by)
    if fact.matches(identity.values):
        return UNCHANGED
    rule = identity.rule
    if rule.on_conflict in (OnConflict.UPDATE, OnConflict.RULES_DECIDE):
        return None
    if rule.on_conflict is OnConflict.REPLACE_UNTIL_USED:
        if fact.used_by is None:
            return None
        return _conflict(
            identity,
            fact,
            f"{fact.used_by} used it as the Fair Market Value (Directors §6(c)): " + rule.remedy,
        )
    return _conflict(identity, fact, rule.remedy)


def _voided(identity: RowIdentity, request_id: str) -> str:
    """A row that repeats an exercise a correction voided (it did not happen)."""
    values = identity.values
    return (
        f"this exercise of {values.get('shares')} shares of {values.get('award_id')} on"
        f" {values.get('exercise_date')} was voided by void_exercise correction {request_id}"
        " and is not recorded again; if it did happen, send it with a new exercise_id"
    )


def _conflict(identity: RowIdentity, fact: rec.Fact, remedy: str) -> str:
    """A row that contradicts an applied one names where that one came from and what
    differs (docs/interfaces.md §1a)."""
    changed = "; ".join(differences(fact.values, identity.values))
    return (
        f"conflicts with {identity.kind.value} row {fact.source_row} of {fact.source_key},"
        f" already applied for the same {' + '.join(identity.rule.key_columns)}"
        f" ({changed}); {remedy}"
    )


def _apply_row(run: FileRun, row: ParsedRow, identity: RowIdentity) -> RowResult:
    """Apply one row with its fact record and its row marker in the same transactions:
    a retry after a crash skips it, a second upload finds it unchanged. Whatever the
    row raises of its own is its rejection (`_guarded`)."""
    return _guarded(run, row, lambda: _apply_row_once(run, row, identity))


def _apply_row_once(run: FileRun, row: ParsedRow, identity: RowIdentity) -> RowResult:
    cause = f"feed:{run.key}#row{row.row_number}"
    forced: str | None = None
    last_failure: Exception | None = None
    for attempt in attempts(MAX_ROW_ATTEMPTS):
        fact = run.fact(identity, fresh=attempt > 0)
        verdict = _judge(identity, fact) if forced is None else forced
        if verdict is UNCHANGED and _applied_by_this_object(run, fact, row.row_number):
            # A concurrent delivery of this very object applied the row.
            return None
        if verdict is not None:
            # Unchanged or rejected: nothing is written for the row (a retry judges it
            # the same way); rejected rows are recorded with the file's summary.
            return verdict
        change = run.change(cause, row.row_number)
        change.pools = dict(run.pools)
        try:
            result = scheduled.apply_row(
                change, run.kind, row.value, identity, run.key, row.row_number
            )
        except PoolShortError as error:
            result = str(error)
        except (ConflictError, ThrottledError) as error:
            # A large row's earlier transaction lost a race: read and apply it again.
            run.pools.clear()
            last_failure = error
            continue
        if isinstance(result, str) and fact is not None and not fact.matches(identity.values):
            # The rules refused a second row for a known key (a termination).
            return _conflict(identity, fact, f"{result}; send a corrections row to change it")
        if result is not None:
            return result  # rejected, unchanged, or overwritten by a later upload
        written = _record_fact(change, identity, fact, run.key, row.row_number)
        change.put_new(rec.feed_row_item(run.file_pk, row.row_number))
        if change.is_history:
            run.history_rows.add(row.row_number)
        try:
            change.flush()
        except PoolShortError as error:
            forced = str(error)
            continue
        except (ConflictError, ThrottledError) as error:
            run.pools.clear()  # another writer may have moved them: read them again
            if run.table.get(*rec.feed_row_key(run.file_pk, row.row_number)) is not None:
                # A concurrent delivery of the same object applied this row (its
                # notices are that delivery's to send).
                return None
            last_failure = error
            continue
        run.pools.update(change.pools)
        run.outcome.notice_ids += change.notice_ids
        # Later rows of the file read the facts as this row left them.
        run.known.update(written)
        return None
    if isinstance(last_failure, ThrottledError):
        raise last_failure  # DynamoDB, not another writer: the invocation is retried
    return (
        f"not applied: it conflicted with a concurrent change {MAX_ROW_ATTEMPTS} times;"
        " upload it again"
    )


def _applied_by_this_object(run: FileRun, fact: rec.Fact | None, row_number: int) -> bool:
    if fact is None or (fact.source_key, fact.source_row) != (run.key, row_number):
        return False
    return run.table.get(*rec.feed_row_key(run.file_pk, row_number)) is not None


def _record_fact(
    change: Change, identity: RowIdentity, fact: rec.Fact | None, key: str, row_number: int
) -> dict[str, rec.Fact]:
    """The row's values become the fact of its key: written once, or version-checked
    where a later row may change it (a participant's details, an unused price, a
    death after a termination). Returns the facts written, by key."""
    kind = identity.kind.value
    version = 1 if fact is None else fact.version + 1
    variants = () if fact is None else fact.variants
    if fact is not None and identity.rule.on_conflict is OnConflict.RULES_DECIDE:
        variants = (*variants, fact.values)
    item = rec.fact_item(kind, identity.key, identity.values, key, row_number, version, variants)
    change.put_versioned(item, None if fact is None else fact.version)
    used_by = None if fact is None else fact.used_by
    written = {
        identity.key: rec.Fact(
            kind, identity.key, identity.values, key, row_number, version, variants, used_by
        )
    }
    for alias in identity.aliases:
        # Another key of the same fact (an exercise's four columns): any row naming it
        # again is unchanged; the latest such exercise stands for it.
        change.put(rec.fact_item(kind, alias, identity.values, key, row_number, 1))
        written[alias] = rec.Fact(kind, alias, identity.values, key, row_number, 1)
    return written


def rejection(
    kind: FeedKind | None,
    key: str,
    row: int | None,
    record: dict[str, str],
    reason: str,
    today: date,
) -> rec.Rejection:
    """A rejected row or file as stored. The record keeps the columns the kind reads,
    cut to a size DynamoDB stores (the errors CSV has it whole)."""
    return rec.Rejection(
        feed=rec.UNKNOWN_FEED if kind is None else kind.value,
        key=key,
        row=row,
        reason=reason,
        record={} if kind is None else capped_record(record, kind.columns),
        day=today,
    )


def _refuse_unread(
    deps: FeedDeps, kind: FeedKind | None, key: str, file_pk: str, today: date, reason: str
) -> FeedOutcome:
    """A file refused whole without reading it (over the size limit, or a key that is
    no feed); its event delivered again reports it once."""
    existing = deps.table.get(*rec.feed_file_key(file_pk))
    if existing is not None and existing.get("status") == "done":
        return FeedOutcome(key, None if kind is None else kind.value, "duplicate")
    return _reject_file(deps, Ledger(deps.table), kind, key, file_pk, today, reason)


def _reject_file(
    deps: FeedDeps,
    ledger: Ledger,
    kind: FeedKind | None,
    key: str,
    file_pk: str,
    today: date,
    reason: str,
) -> FeedOutcome:
    """A file that cannot be read as a feed: nothing of it is applied."""
    kind_name = None if kind is None else kind.value
    outcome = FeedOutcome(key, kind_name, "rejected", file_reason=reason)
    deps.files.write(errors_key(key), render_file_rejection_csv(reason), "text/csv")
    change = Change(ledger, today, f"feed:{key}", deps.settings)
    change.put(rejection(kind, key, None, {}, reason, today).item(file_pk, short_key(key)))
    summary = nm.FeedRejectionSummary(
        kind_name or "unknown", key, 0, 0, 0, reason, (), errors_key(key)
    )
    notify.feed_summary(change, summary, file_pk)
    _put_done(
        change,
        _file_item(file_pk, kind_name or "unknown", key, today, "done", file_reason=reason),
    )
    if not _flush_unless_done_elsewhere(deps.table, change, file_pk):
        return FeedOutcome(key, kind_name, "duplicate")
    outcome.notice_ids = change.notice_ids
    return outcome


def _put_done(change: Change, item: dict[str, Any]) -> None:
    """The file's closing record, written once: a second delivery of the same object
    that raced the first to its end must not overwrite what the first one recorded."""
    change.tx.put_unless_status(item, "done")


def _flush_unless_done_elsewhere(table: Table, change: Change, file_pk: str) -> bool:
    """Commit the file's closing transaction; False when it conflicted because another
    delivery of the same object closed it first (its notices are that delivery's). Any
    other conflict is retried with backoff, then raised (the event is redelivered).
    The transaction moves no pool, so committing it again is safe."""
    for attempt in attempts(MAX_ROW_ATTEMPTS):
        try:
            change.flush()
        except ConflictError:
            closed = table.get(*rec.feed_file_key(file_pk))
            if closed is not None and closed.get("status") == "done":
                return False
            if attempt == MAX_ROW_ATTEMPTS - 1:
                raise
            continue
        return True
    raise AssertionError("unreachable")  # pragma: no cover


def record_rejections(run: FileRun, change: Change, rejections: list[RowRejection]) -> None:
    """The rejected rows as the rejections report reads them."""
    for rejected in rejections:
        stored = rejection(
            run.kind, run.key, rejected.row_number, rejected.record, rejected.reason, run.today
        )
        change.put(stored.item(run.file_pk, short_key(run.key)))
        change.maybe_flush()


def _finish(
    run: FileRun, header: list[str], rejections: list[RowRejection], *, recorded: bool = False
) -> None:
    """Record the rejected rows (unless the chunks of a fanned-out file `recorded` them),
    write the errors CSV, and tell the administrator when a row was rejected or nothing
    in the file was new (docs/interfaces.md §1a)."""
    deps, outcome, kind, key = run.deps, run.outcome, run.kind, run.key
    change = run.change(f"feed:{key}")
    if rejections:
        deps.files.write(errors_key(key), render_errors_csv(header, rejections), "text/csv")
        if not recorded:
            record_rejections(run, change, rejections)
    # A file with rows applied as history tells the administrator how many (go-live).
    if rejections or outcome.accepted == 0 or outcome.history:
        summary = nm.FeedRejectionSummary(
            kind.value,
            key,
            outcome.accepted + outcome.unchanged + len(rejections),
            outcome.accepted,
            len(rejections),
            None,
            tuple(nm.RejectedRow(r.row_number, r.reason) for r in rejections),
            errors_key(key) if rejections else None,
            outcome.unchanged,
            outcome.history,
            deps.settings.go_live,
        )
        notify.feed_summary(change, summary, run.file_pk)
    done = _file_item(
        run.file_pk,
        kind.value,
        key,
        run.today,
        "done",
        accepted=outcome.accepted,
        unchanged=outcome.unchanged,
        rejected=len(rejections),
        history=outcome.history,
    )
    _put_done(change, done)
    run.writes.before_last_commit(deps.table)
    if not _flush_unless_done_elsewhere(deps.table, change, run.file_pk):
        outcome.status = "duplicate"
        return
    outcome.notice_ids += change.notice_ids
