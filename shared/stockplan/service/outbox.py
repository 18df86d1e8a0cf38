"""Sending outbox notices exactly once (docs/plan-rules.md "Notices"; docs/interfaces.md §4).

A notice is claimed with a conditional write before it is sent and marked sent right
after, so two senders never both send it. A failed send goes back to pending with its
attempt count; after `max_send_attempts` it is marked failed (and listed as undelivered)
and its id (no personal data) goes to the dead-letter queue, whose alarm tells an
operator. Notices go out through the stack's SES configuration set, which publishes
their bounces and complaints to the BounceFunction (stockplan.service.bounces); the
message id SES answers with is stored, and indexed, to find the notice again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from stockplan.config import Settings
from stockplan.data import outbox as box
from stockplan.data import records as rec
from stockplan.data.ports import DeadLetters, Mailer, SendFailed
from stockplan.data.retry import attempts
from stockplan.data.table import ConflictError, Item, Table, Transaction, is_transient

# The attribute the table's time-to-live reads (infra/template.yaml TimeToLiveSpecification).
BODY_EXPIRY_ATTRIBUTE = "expires_at"
# A claim older than this is taken to be from a sender that died before sending.
STALE_CLAIM_SECONDS = 900
# Commits of the "sent" mark a conflict or a passing DynamoDB failure may cost (SES has
# the email already).
MARK_SENT_ATTEMPTS = 3
# Sending stops when the invocation has less than this left: the rest stay pending for
# the NoticeFunction's sweep, rather than the function timing out part way (a large
# feed's notices at SES's send rate can take longer than one invocation).
SEND_RESERVE_MS = 15_000


@dataclass
class DispatchOutcome:
    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)
    # Left pending because the invocation's time ran short (the sweep sends them).
    deferred: list[str] = field(default_factory=list)


@dataclass
class OutboxDeps:
    table: Table
    mailer: Mailer
    settings: Settings
    dead_letters: DeadLetters | None = None
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


def pending_ids(table: Table, limit: int | None = None) -> list[str]:
    return [i["notice_id"] for i in table.query_index(rec.PENDING_NOTICES, limit=limit)]


def oldest_pending_age(deps: OutboxDeps) -> int:
    """Seconds since the oldest notice still pending was queued (0 when none is).

    A notice written before `queued_at` was stored counts from the start of its
    `send_on` day (UTC): older than it is, never younger."""
    from datetime import UTC, datetime

    now = deps.clock()
    oldest = now
    for item in deps.table.query_index(rec.PENDING_NOTICES):
        queued = item.get("queued_at")
        if queued is None and item.get("send_on"):
            day = datetime.fromisoformat(str(item["send_on"])).replace(tzinfo=UTC)
            queued = day.timestamp()
        if queued is not None:
            oldest = min(oldest, float(queued))
    return max(0, int(now - oldest))


def dispatch(
    deps: OutboxDeps,
    notice_ids: Iterable[str] | None = None,
    time_left_ms: Callable[[], int] | None = None,
) -> DispatchOutcome:
    """Send the given notices (or every pending one) that are still pending, while the
    invocation has more than SEND_RESERVE_MS left (`time_left_ms`: the Lambda context's
    get_remaining_time_in_millis)."""
    ids = pending_ids(deps.table) if notice_ids is None else list(dict.fromkeys(notice_ids))
    outcome = DispatchOutcome()
    pace = _Pace(deps)
    for index, nid in enumerate(ids):
        if time_left_ms is not None and time_left_ms() < SEND_RESERVE_MS:
            outcome.deferred = ids[index:]
            break
        pace.wait()
        _send_one(deps, nid, outcome)
    return outcome


class _Pace:
    """Sends no faster than the SES account's rate (settings.ses_send_rate): SES refuses
    the messages over it (Throttling), each of which would cost a retry. What the
    invocation has no time left for stays pending for the sweep (SEND_RESERVE_MS)."""

    def __init__(self, deps: OutboxDeps) -> None:
        self.deps = deps
        rate = deps.settings.ses_send_rate
        self.interval = 0.0 if rate is None else 1.0 / rate
        self.next_at: float | None = None

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.deps.clock()
        if self.next_at is not None and self.next_at > now:
            self.deps.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


def _send_one(deps: OutboxDeps, nid: str, outcome: DispatchOutcome) -> None:
    now = int(deps.clock())
    item = box.claim(deps.table, nid, now, now - STALE_CLAIM_SECONDS)
    if item is None:
        return  # sent already, or another sender holds it
    settings = deps.settings
    try:
        message_id = deps.mailer.send(
            settings.sender_email, item["recipient"], bytes(item["raw"]), settings.configuration_set
        )
    except SendFailed as error:
        _failed(deps, item, error.code, outcome)
        return
    _mark_sent(deps, item, message_id)
    outcome.sent.append(nid)


def body_item(nid: str, raw: bytes, expires_at: int) -> Item:
    """A sent notice's raw MIME body, dropped by DynamoDB's time-to-live at `expires_at`
    (epoch seconds): once sent and logged, the email's text need not be kept."""
    return rec.notice_body_item(nid, raw, expires_at, BODY_EXPIRY_ATTRIBUTE)


def _mark_sent(deps: OutboxDeps, item: Item, message_id: str | None) -> None:
    """Sent: the body moves to an item of its own that expires after
    `notice_body_retention_days`; the notice record stays, off the pending index, with
    the message id SES gave it (the MessageIndex key a bounce is matched by).

    One transaction (one request): should it fail, the notice is still pending with its
    body and a later sweep sends it again (as for a lost SES reply)."""
    nid = item["notice_id"]
    days = deps.settings.notice_body_retention_days
    tx = Transaction()
    tx.put(body_item(nid, bytes(item["raw"]), int(deps.clock()) + days * 86_400))
    box.mark_sent(tx, nid, message_id)
    for attempt in attempts(MARK_SENT_ATTEMPTS):
        try:
            deps.table.commit(tx)
            return
        except Exception as error:
            # Its writes have no condition: a conflict is another request touching the
            # notice at that moment, and DynamoDB failing for a while may pass. Committed
            # again rather than left for a sweep that would send the email twice.
            retried = isinstance(error, ConflictError) or is_transient(error)
            if not retried or attempt == MARK_SENT_ATTEMPTS - 1:
                raise


def _failed(deps: OutboxDeps, item: Item, code: str, outcome: DispatchOutcome) -> None:
    nid = item["notice_id"]
    attempts = int(item.get("attempts", 0)) + 1
    if attempts < deps.settings.max_send_attempts:
        box.back_to_pending(deps.table, nid, attempts, code)
        outcome.retrying.append(nid)
        return
    # Off the pending index, onto the undelivered one (`stockplan report` lists it).
    box.mark_failed(deps.table, nid, attempts, code, str(item.get("send_on", "")))
    if deps.dead_letters is not None:
        deps.dead_letters.send(
            {"notice_id": nid, "kind": item.get("kind"), "attempts": attempts, "error": code}
        )
    outcome.dead.append(nid)
