"""Processing one uploaded feed file (interfaces.md §1 and §4).

Exactly once, whatever is delivered twice:
- the file is known by its content digest: the same content under any key is a no-op;
- each row is applied in one transaction together with its row marker, so a retry after
  a crash half way through skips the rows already applied and loses none;
- notices go to the outbox in the same transactions and are sent afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from stockplan.config import Settings
from stockplan.data import records as rec
from stockplan.data.marker import Writes as MarkerWrites
from stockplan.data.table import ConflictError, Table
from stockplan.domain.model import PlanCode
from stockplan.feeds import (
    DEFAULT_LIMITS,
    FeedKind,
    FeedLimits,
    FileRejected,
    KeyRejected,
    ParsedRow,
    RowRejection,
    content_digest,
    kind_from_key,
    parse_feed,
    render_errors_csv,
    render_file_rejection_csv,
)
from stockplan.notices.model import FeedRejectionSummary, RejectedRow
from stockplan.service import notify
from stockplan.service.ledger import Change, Ledger, PoolRecord, PoolShortError
from stockplan.service.rows import APPLIERS

MAX_ROW_ATTEMPTS = 5


@dataclass
class FeedOutcome:
    key: str
    kind: str | None
    status: str  # processed | duplicate | rejected
    accepted: int = 0
    rejected: int = 0
    file_reason: str | None = None
    notice_ids: list[str] = field(default_factory=list)


@dataclass
class FeedDeps:
    table: Table
    s3: Any
    settings: Settings
    # Test hook: called before each row is applied (a crash half way through a file).
    before_row: Callable[[int], None] | None = None
    limits: FeedLimits = DEFAULT_LIMITS


def upload_order(uploaded_at: str | None, key: str) -> str | None:
    """A string that sorts uploads in the order S3 received them: the event time in UTC
    to the microsecond, then the key (two files uploaded in the same instant)."""
    if not uploaded_at:
        return None
    moment = datetime.fromisoformat(uploaded_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}Z#{key}"


def errors_key(key: str) -> str:
    return f"errors/{key}.errors.csv"


def too_large(size: int, limits: FeedLimits) -> str:
    return f"file too large: {size} bytes, the limit is {limits.max_bytes} bytes"


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
) -> FeedOutcome:
    """Run one uploaded feed file; `today` is the upload day in the plan's time zone.

    `version_id` is the object version the S3 event names (the bucket is versioned): a
    second upload under the same key must not stand in for the first. `size` and `etag`
    are the event's: a file over the size limit is refused whole without being read
    (nor is one whose stored length is over it, whatever the event said).

    `uploaded_at` is the event's time: S3 does not deliver events in upload order, so
    rows that overwrite (a day's price, a person's details) keep the latest upload's
    values whatever order the files arrive in (see `upload_order`)."""
    table = deps.table
    try:
        kind = kind_from_key(key)
    except KeyRejected as error:
        # Never read: keys outside incoming/<kind>/ are not feeds.
        return FeedOutcome(key, None, "rejected", file_reason=error.reason)
    limits = deps.limits
    if size is not None and size > limits.max_bytes:
        return _refuse_unread(deps, kind, key, today, too_large(size, limits), etag, version_id)
    location = {"Bucket": bucket, "Key": key}
    if version_id:
        location["VersionId"] = version_id
    response = deps.s3.get_object(**location)
    stored = int(response.get("ContentLength", 0))
    if stored > limits.max_bytes:
        response["Body"].close()
        refusal = too_large(stored, limits)
        return _refuse_unread(
            deps, kind, key, today, refusal, response.get("ETag") or etag, version_id
        )
    # Never more than the limit and one byte, whatever the stream holds.
    body = response["Body"].read(limits.max_bytes + 1)
    if len(body) > limits.max_bytes:
        refusal = too_large(len(body), limits)
        return _refuse_unread(deps, kind, key, today, refusal, etag, version_id)
    digest = content_digest(body)
    file_pk = f"FEED#{kind.value}#{digest}"
    existing = table.get(file_pk, "FILE")
    if existing is not None and existing.get("status") == "done":
        return FeedOutcome(key, kind.value, "duplicate")
    if existing is None:
        table.put(
            {
                "PK": file_pk,
                "SK": "FILE",
                "type": "feed_file",
                "key": key,
                "kind": kind.value,
                "status": "processing",
                "day": today.isoformat(),
            },
            "attribute_not_exists(PK)",
        )
    ledger = Ledger(table)
    try:
        parsed = parse_feed(kind, body, limits)
    except FileRejected as error:
        return _reject_file(deps, ledger, kind, key, file_pk, today, error.reason)

    done = {int(i["SK"].split("#")[1]): i for i in table.query(file_pk, "ROW#")}
    # The schedule marker is written for the file, not for each row (its first due item
    # lowers it to the upload day at least; see MarkerWrites).
    writes = MarkerWrites(floor=today)
    # The pool counters as this file last committed them: each row's version-checked
    # write tells whether they are still current (a conflict reads them again).
    pools: dict[PlanCode, PoolRecord] = {}
    rejections: list[RowRejection] = list(parsed.rejections)
    outcome = FeedOutcome(key, kind.value, "processed")
    order = upload_order(uploaded_at, key)
    for row in parsed.rows:
        if row.row_number in done:
            marker = done[row.row_number]
            if marker.get("status") == "rejected":
                rejections.append(RowRejection(row.row_number, row.record, marker["reason"]))
            else:
                outcome.accepted += 1
            continue
        if deps.before_row is not None:
            deps.before_row(row.row_number)
        reason = _apply_row(
            deps, ledger, kind, file_pk, key, row, today, outcome, writes, pools, order
        )
        if reason is None:
            outcome.accepted += 1
        else:
            rejections.append(RowRejection(row.row_number, row.record, reason))
    rejections.sort(key=lambda r: r.row_number)
    outcome.rejected = len(rejections)
    _finish(deps, ledger, kind, key, file_pk, today, parsed.header, rejections, outcome, writes)
    return outcome


def _apply_row(
    deps: FeedDeps,
    ledger: Ledger,
    kind: FeedKind,
    file_pk: str,
    key: str,
    row: ParsedRow,
    today: date,
    outcome: FeedOutcome,
    writes: MarkerWrites,
    pools: dict[PlanCode, PoolRecord],
    order: str | None,
) -> str | None:
    cause = f"feed:{key}#row{row.row_number}"
    forced: str | None = None
    for attempt in range(MAX_ROW_ATTEMPTS):
        change = Change(ledger, today, cause, deps.settings, marker_writes=writes)
        change.upload_order = order
        change.pools = dict(pools)
        reason = forced
        if reason is None:
            try:
                reason = APPLIERS[kind](change, row.value)
            except PoolShortError as error:
                reason = str(error)
        if reason is not None:
            # A rejected row changes nothing but its own marker.
            change = Change(ledger, today, cause, deps.settings, marker_writes=writes)
        marker = {
            "PK": file_pk,
            "SK": f"ROW#{row.row_number:06d}",
            "type": "feed_row",
            "status": "accepted" if reason is None else "rejected",
            "reason": reason,
        }
        if reason is not None:
            marker.update(_rejection_fields(kind, key, row.row_number, row.record, reason, today))
        change.put(marker, "attribute_not_exists(PK)")
        try:
            change.flush()
        except PoolShortError as error:
            forced = str(error)
            continue
        except ConflictError:
            pools.clear()  # another writer may have moved them: read them again
            applied = ledger.table.get(file_pk, f"ROW#{row.row_number:06d}")
            if applied is not None:
                # A concurrent delivery of the same file dealt with this row: report it
                # as that one did (its notices are that delivery's to send).
                return str(applied["reason"]) if applied.get("status") == "rejected" else None
            time.sleep(0.01 * (2**attempt))
            continue
        pools.update(change.pools)
        outcome.notice_ids += change.notice_ids
        return reason
    raise ConflictError(f"row {row.row_number} of {key} kept conflicting")


def _rejection_fields(
    kind: FeedKind, key: str, row: int | None, record: dict[str, str], reason: str, today: date
) -> dict[str, Any]:
    return {
        "GSI1PK": rec.REJECTIONS,
        "GSI1SK": f"{today.isoformat()}#{key}#{'file' if row is None else f'{row:06d}'}",
        "feed": kind.value,
        "key": key,
        "row": row,
        "record": record,
        "reason": reason,
    }


def _refuse_unread(
    deps: FeedDeps,
    kind: FeedKind,
    key: str,
    today: date,
    reason: str,
    etag: str | None,
    version_id: str | None,
) -> FeedOutcome:
    """A file over the size limit, refused whole without reading it.

    Known by its ETag (the same bytes uploaded again have the same one) or, without
    one, by its key and version, so a redelivered event reports it once."""
    tag = (etag or "").strip('"') or f"{key}@{version_id or ''}"
    file_pk = f"FEED#{kind.value}#unread#{tag}"
    existing = deps.table.get(file_pk, "FILE")
    if existing is not None and existing.get("status") == "done":
        return FeedOutcome(key, kind.value, "duplicate")
    return _reject_file(deps, Ledger(deps.table), kind, key, file_pk, today, reason)


def _reject_file(
    deps: FeedDeps, ledger: Ledger, kind: FeedKind, key: str, file_pk: str, today: date, reason: str
) -> FeedOutcome:
    """A file that is not CSV, has no header or lacks a column: nothing of it is applied."""
    outcome = FeedOutcome(key, kind.value, "rejected", file_reason=reason)
    deps.s3.put_object(
        Bucket=deps.settings.bucket_name,
        Key=errors_key(key),
        Body=render_file_rejection_csv(reason),
        ContentType="text/csv",
    )
    change = Change(ledger, today, f"feed:{key}", deps.settings)
    change.put(
        {
            "PK": file_pk,
            "SK": "REJECTED",
            "type": "feed_rejection",
            **_rejection_fields(kind, key, None, {}, reason, today),
        }
    )
    summary = FeedRejectionSummary(kind.value, key, 0, 0, 0, reason, (), errors_key(key))
    notify.feed_summary(change, summary, file_pk)
    _put_done(
        change,
        {
            "PK": file_pk,
            "SK": "FILE",
            "type": "feed_file",
            "key": key,
            "kind": kind.value,
            "status": "done",
            "day": today.isoformat(),
            "file_reason": reason,
        },
    )
    if not _flush_unless_done_elsewhere(deps, change, file_pk):
        return FeedOutcome(key, kind.value, "duplicate")
    outcome.notice_ids = change.notice_ids
    return outcome


def _put_done(change: Change, item: dict[str, Any]) -> None:
    """The file's closing record, written once: a second delivery of the same file that
    raced the first to its end must not overwrite what the first one recorded."""
    change.put(item, "attribute_not_exists(PK) OR #s <> :done", {":done": "done"}, {"#s": "status"})


def _flush_unless_done_elsewhere(deps: FeedDeps, change: Change, file_pk: str) -> bool:
    """Commit the file's closing transaction; False when it conflicted because another
    delivery of the same file closed it first (its notices are that delivery's). Any
    other conflict is retried with backoff, then raised (the event is redelivered).
    The transaction moves no pool, so committing it again is safe."""
    for attempt in range(MAX_ROW_ATTEMPTS):
        try:
            change.flush()
        except ConflictError:
            closed = deps.table.get(file_pk, "FILE")
            if closed is not None and closed.get("status") == "done":
                return False
            if attempt == MAX_ROW_ATTEMPTS - 1:
                raise
            time.sleep(0.01 * (2**attempt))
            continue
        return True
    raise AssertionError("unreachable")  # pragma: no cover


def _finish(
    deps: FeedDeps,
    ledger: Ledger,
    kind: FeedKind,
    key: str,
    file_pk: str,
    today: date,
    header: list[str],
    rejections: list[RowRejection],
    outcome: FeedOutcome,
    writes: MarkerWrites,
) -> None:
    change = Change(ledger, today, f"feed:{key}", deps.settings, marker_writes=writes)
    if rejections:
        deps.s3.put_object(
            Bucket=deps.settings.bucket_name,
            Key=errors_key(key),
            Body=render_errors_csv(header, rejections),
            ContentType="text/csv",
        )
        for rejection in rejections:
            # Parser rejections have no row marker yet: record them for the report.
            change.put(
                {
                    "PK": file_pk,
                    "SK": f"ROW#{rejection.row_number:06d}",
                    "type": "feed_row",
                    "status": "rejected",
                    "reason": rejection.reason,
                    **_rejection_fields(
                        kind, key, rejection.row_number, rejection.record, rejection.reason, today
                    ),
                }
            )
            change.maybe_flush()
        summary = FeedRejectionSummary(
            kind.value,
            key,
            outcome.accepted + len(rejections),
            outcome.accepted,
            len(rejections),
            None,
            tuple(RejectedRow(r.row_number, r.reason) for r in rejections),
            errors_key(key),
        )
        notify.feed_summary(change, summary, file_pk)
    _put_done(
        change,
        {
            "PK": file_pk,
            "SK": "FILE",
            "type": "feed_file",
            "key": key,
            "kind": kind.value,
            "status": "done",
            "day": today.isoformat(),
            "accepted": outcome.accepted,
            "rejected": len(rejections),
        },
    )
    writes.before_last_commit(deps.table)
    if not _flush_unless_done_elsewhere(deps, change, file_pk):
        outcome.status = "duplicate"
        return
    outcome.notice_ids += change.notice_ids
