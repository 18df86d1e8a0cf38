"""The unit of work: writes the rules' decisions back, atomically, with an audit record,
the due schedule and the outbox notice of each change (`Change`). The reads are
`stockplan.service.reader`'s, the recipient rule `stockplan.service.recipients`'s; both
are named here too, where the use cases have always found them.

Every write of an award or deferred award goes through `Change`, which keeps the pool
counters equal to the sum of the awards (same transaction, version-checked) and the
due index equal to the award's schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from stockplan.config import Settings
from stockplan.data import marker
from stockplan.data import records as rec
from stockplan.data.table import MAX_TRANSACTION_ITEMS, Item, Table, Transaction
from stockplan.domain.history import AwardEvent, grant_event
from stockplan.domain.model import Award, DeferredStockAward, PlanAction, PlanCode
from stockplan.domain.pools import PoolDelta, Split, award_pool_delta, deferred_pool_delta
from stockplan.domain.schedule import DueItem, award_schedule, deferred_schedule
from stockplan.service.reader import (
    Ledger,
    PoolRecord,
    StoredAward,
    StoredDeferred,
    stored_award,
    stored_deferred,
)
from stockplan.service.recipients import Addresses

# A transaction holds at most 100 writes; flush before an award change could overflow it.
FLUSH_AT = 80


class BatchFull(Exception):
    """A change made in batch mode needs a second transaction: the rows of a batch
    commit together or not at all, so the batch is committed and the row done again."""


@dataclass(frozen=True)
class Savepoint:
    """Where a batched change stood before a row: rolled back to when the row is
    rejected, collides with an earlier row of the batch, or does not fit."""

    operations: int
    deltas: dict[PlanCode, PoolDelta]
    notices: int
    earliest_due: date | None
    new_notice: bool
    profile_versions: dict[str, int]
    profiles_in_tx: frozenset[str]
    price_uses_in_tx: frozenset[date]
    due_written: int = 0
    new_holdings: dict[str, frozenset[str]] = field(default_factory=dict)


class PoolShortError(Exception):
    def __init__(self, plan: PlanCode, available: int, needed: int) -> None:
        super().__init__(f"{plan.value} pool has {available} shares available; {needed} needed")
        self.plan = plan
        self.available = available
        self.needed = needed


@dataclass
class Change:
    """One unit of work: state writes, pool counters, due items, audit and outbox."""

    ledger: Ledger
    day: date
    cause: str
    settings: Settings
    tx: Transaction = field(default_factory=Transaction)
    pools: dict[PlanCode, PoolRecord] = field(default_factory=dict)
    deltas: dict[PlanCode, PoolDelta] = field(default_factory=dict)
    notice_ids: list[str] = field(default_factory=list)
    audit_seq: int = 0
    committed: int = 0  # writes already flushed
    # The day the notices of this change are sent (their Date header, docs/interfaces.md §3):
    # the run day, which is later than `day` when the daily job catches up.
    sent_on: date | None = None
    # Feeds keep the schedule marker a lower bound; the daily job settles it itself.
    track_marker: bool = True
    earliest_due: date | None = None
    new_notice: bool = False
    # Shared by the changes of one feed file: the marker is written once for the file,
    # not before every commit (None: before every commit that needs it).
    marker_writes: marker.Writes | None = None
    # Participant profiles: the version each one has after this change's writes, and
    # those written in the open transaction (an item may appear once per transaction).
    profile_versions: dict[str, int] = field(default_factory=dict)
    profiles_in_tx: set[str] = field(default_factory=set)
    # Where the feed file stands among uploads (feeds.upload_order); None: not known.
    upload_order: str | None = None
    # The cause as the audit trail tells it (docs/interfaces.md §3): the feed file and row,
    # the daily rule and its section, or a correction's request_id and note.
    cause_info: dict[str, Any] | None = None
    # Price days whose use this open transaction records.
    price_uses_in_tx: set[date] = field(default_factory=set)
    # The award whose due item the daily job is handling: it moves to the award's next
    # effect even when that is later (other writers only ever move it earlier).
    advancing: str | None = None
    # The daily job's item was not applied (stale, or moved on to its award's next effect).
    skipped: bool = False
    # Awards and deferred stock added in the open transaction whose person's profile is
    # not written in it yet (its holdings list gets them when it is), by profile PK.
    new_holdings: dict[str, set[str]] = field(default_factory=dict)
    # Where each profile written in the open transaction is, and what it holds.
    profile_puts: dict[str, tuple[int, Item]] = field(default_factory=dict)
    # The due items this change put (the daily job applies those due by its day).
    due_written: list[Item] = field(default_factory=list)
    # Several feed rows share this change's transaction (feeds.RowBatch): a row that
    # would need a commit of its own raises BatchFull instead of committing the others.
    batching: bool = False
    # A row dated ahead is checked by applying it without committing anything (its
    # writes are rolled back and the row is scheduled, docs/plan-rules.md "Facts in time").
    checking_ahead: bool = False
    # The date the fact being applied is about (docs/interfaces.md §1d), where it is not
    # `day` (a feed row's date; the daily job's effects are about their own day).
    fact_day: date | None = None

    @property
    def is_history(self) -> bool:
        """The fact is dated before go-live: applied with every rule, announced to no
        participant (docs/plan-rules.md "Facts in time")."""
        return self.settings.is_history(self.fact_day or self.day)

    @property
    def notice_day(self) -> date:
        return self.sent_on or self.day

    @property
    def table(self) -> Table:
        return self.ledger.table

    @property
    def addresses(self) -> Addresses:
        return Addresses(self.settings.admin_email)

    # --- prices -----------------------------------------------------------------------

    def use_fmv(self, on: date, used_by: str) -> Decimal | None:
        """The FMV on `on`, recording that `used_by` used its price: from then on a
        different price for that day is rejected, not replaced (docs/interfaces.md §1a)."""
        found = self.ledger.fmv_with_day(on)
        if found is None:
            return None
        price_day, value = found
        if price_day not in self.ledger.price_uses_recorded | self.price_uses_in_tx:
            self.tx.put(rec.fact_use_item("prices", price_day.isoformat(), used_by))
            self.price_uses_in_tx.add(price_day)
        return value

    # --- pools ------------------------------------------------------------------------

    def pool(self, plan: PlanCode) -> PoolRecord:
        if plan not in self.pools:
            self.pools[plan] = self.ledger.pool(plan)
        return self.pools[plan]

    def available(self, plan: PlanCode) -> int:
        delta = self.deltas.get(plan, PoolDelta())
        return self.pool(plan).state(self.day).apply(delta).available

    def move_pool(self, plan: PlanCode, delta: PoolDelta) -> None:
        if delta.outstanding == 0 and delta.delivered == 0:
            return
        self.deltas[plan] = self.deltas.get(plan, PoolDelta()) + delta

    # --- awards -----------------------------------------------------------------------

    def save_award(
        self,
        before: StoredAward | None,
        after: Award,
        *,
        action: str | None = None,
        count_delivered: bool = True,
        event: AwardEvent | None = None,
        history: Sequence[AwardEvent] | None = None,
        schedule: Sequence[DueItem] | None = None,
    ) -> StoredAward:
        """Write an award with the fact that changed it: `event` is added to its history
        (a new award's history is its grant), or `history` replaces it (a correction).

        `count_delivered` is False for a split: the pool's delivered figure is restated
        as a whole, not award by award. `schedule`: the award's effects as already
        computed (the daily job moving an unchanged award on); by default computed as
        of this change's day."""
        version = 0 if before is None else before.version
        if history is None:
            history = (grant_event(after),) if before is None else before.history
            if event is not None:
                history = (*history, event.applied_on(self.day))
        schedule = tuple(award_schedule(after, self.day) if schedule is None else schedule)
        item = rec.award_item(after, version + 1)
        item["due"] = [[d.day.isoformat(), d.kind.value, d.detail] for d in schedule]
        indexed = self._index_award(before, min(schedule, default=None), after.award_id, item["PK"])
        item["next_due"] = rec.due_value(indexed)
        item["history"] = [e.to_stored() for e in history]
        actions = _with_action(item, () if before is None else before.actions, action)
        self.tx.put_versioned(item, None if before is None else version)
        if before is None:
            self.tx.put_new(rec.award_owner_item(after))
            self._add_holding(item["PK"], item["SK"])
        delta = award_pool_delta(None if before is None else before.award, after)
        if not count_delivered:
            delta = PoolDelta(delta.outstanding, 0)
        self.move_pool(after.plan, delta)
        self.audit_award(None if before is None else before.award, after, version + 1)
        return StoredAward(after, version + 1, schedule, actions, tuple(history), indexed)

    def _index_award(
        self, before: StoredAward | None, head: DueItem | None, award_id: str, owner: str
    ) -> DueItem | None:
        """Keep the award's one due item (issue 13) at or before its next effect `head`;
        returns where it stands. Moved earlier at once; a later head is left for the
        daily job to move on (`advancing`), which saves a feed row its due writes."""
        if before is not None and not before.one_due_item:
            # Stored before issue 13: its per-effect items give way to the one item.
            for stale in before.due:
                self.tx.delete(*rec.due_key(stale))
        elif before is not None and award_id != self.advancing:
            current = before.next_due
            if current is not None and (head is None or current <= head):
                return current
        if head is not None:
            self._put_due(rec.award_due_item(head, owner), head.day)
        elif before is not None and before.next_due is not None:
            self.tx.delete(*rec.award_due_key(award_id))
        return head

    def save_deferred(
        self,
        before: StoredDeferred | None,
        after: DeferredStockAward,
        *,
        action: str | None = None,
    ) -> None:
        version = 0 if before is None else before.version
        item = rec.deferred_item(after, version + 1)
        _with_action(item, () if before is None else before.actions, action)
        self.tx.put_versioned(item, None if before is None else version)
        if before is None:
            self._add_holding(item["PK"], item["SK"])
        old = deferred_schedule(before.deferred) if before else []
        self._replace_due(tuple(old), tuple(deferred_schedule(after)), item["PK"])
        self.move_pool(
            PlanCode.DIRECTORS_1999,
            deferred_pool_delta(None if before is None else before.deferred, after),
        )
        self.audit(
            item["PK"],
            item["SK"],
            "deferred_stock",
            {
                "shares": after.shares,
                "status": after.status.value,
                "issue_date": after.issue_date.isoformat(),
            },
        )

    def _replace_due(self, old: tuple[DueItem, ...], new: tuple[DueItem, ...], owner: str) -> None:
        for stale in set(old) - set(new):
            self.tx.delete(*rec.due_key(stale))
        for fresh in set(new) - set(old):
            self.put_due(fresh, owner)

    def put_due(self, item: DueItem, owner: str) -> None:
        self._put_due(rec.due_item(item, owner), item.day)

    def _put_due(self, item: Item, day: date) -> None:
        self.tx.put(item)
        self.due_written.append(item)
        if self.earliest_due is None or day < self.earliest_due:
            self.earliest_due = day

    def delete_due(self, item: DueItem) -> None:
        self.tx.delete(*rec.due_key(item))

    def drop_due(self, stored_item: Item) -> None:
        """Delete a due item as read from the index (either kind of key)."""
        self.tx.delete(stored_item["PK"], stored_item["SK"])

    # --- participant profiles -----------------------------------------------------------

    def save_profile(self, item: Item, before: Item | None) -> None:
        """Write a participant's profile, version-checked against the one read.

        The profile's version orders every change that depends on the person's state:
        a termination, an update of the person, and every new award or deferred stock
        award (which `touch_profile`s it). Two such changes racing each other cannot
        both commit on what they read: the loser re-reads and retries, so concurrent
        feeds end as if one had come after the other."""
        pk = item["PK"]
        if pk in self.profiles_in_tx:
            if self.batching:
                raise BatchFull()  # an earlier row of the batch wrote it
            raise ValueError(f"profile {pk} is already written in this transaction")
        seen = self._profile_version(pk, before)
        written = dict(item)
        written["version"] = seen + 1
        # The awards and deferred stock it lists: as read, with those added since
        # (version-checked with it); not listed when what it holds is not known.
        written.pop(rec.HOLDINGS, None)
        held = self.ledger.holdings_known(pk, before)
        added = self.new_holdings.pop(pk, set())
        if held is not None:
            written[rec.HOLDINGS] = sorted({*held, *added})
        if before is not None and seen == 0:
            # A profile written before profiles carried a version.
            self.tx.put_over_unversioned(written)
        else:
            self.tx.put_versioned(written, None if before is None else seen)
        self.profile_puts[pk] = (len(self.tx) - 1, written)
        self.profile_versions[pk] = seen + 1
        self.profiles_in_tx.add(pk)

    def _add_holding(self, pk: str, sk: str) -> None:
        """A new award or deferred stock award joins its person's holdings list, written
        with the profile in the same transaction."""
        if pk not in self.profiles_in_tx:
            self.new_holdings.setdefault(pk, set()).add(sk)
            return
        index, written = self.profile_puts[pk]
        if rec.HOLDINGS in written:
            written[rec.HOLDINGS] = sorted({*written[rec.HOLDINGS], sk})
            self.tx.replace_put(index, written)

    def touch_profile(self, person_item: Item) -> None:
        """A change that depends on the person's state (a new award for them) bumps
        the profile's version, so a termination read before it cannot commit after it
        without re-reading the awards."""
        if person_item["PK"] in self.profiles_in_tx:
            return  # already written, and version-checked, in this transaction
        self.save_profile(person_item, person_item)

    def _profile_version(self, pk: str, before: Item | None) -> int:
        if pk in self.profile_versions:
            return self.profile_versions[pk]
        return 0 if before is None else int(before.get("version", 0))

    # --- plain items, audit, outbox ----------------------------------------------------

    def put(self, item: Item) -> None:
        """An unconditional write in this change (conditions go through the intent
        methods: `put_new`, `put_versioned`)."""
        self.tx.put(item)

    def put_new(self, item: Item) -> None:
        self.tx.put_new(item)

    def put_versioned(self, item: Item, seen: int | None) -> None:
        self.tx.put_versioned(item, seen)

    def audit(self, pk: str, sk: str, action: str, detail: dict[str, Any]) -> None:
        """An audit record of a change to a record that is not an award (a person, a
        price, a fee...): what it now holds, with its cause."""
        self._audit_record(pk, sk, action, None, {k: [None, v] for k, v in detail.items()})

    def audit_award(self, before: Award | None, after: Award, version: int) -> None:
        """An audit record of what changed in an award, before and after, with its cause
        (docs/interfaces.md §3 audit.jsonl). A change the books do not show (a reminder sent)
        records nothing."""
        old = {} if before is None else _award_summary(before)
        new = _award_summary(after)
        # A new award states every figure, empty ones included.
        changed = {k: [old.get(k), v] for k, v in new.items() if before is None or old.get(k) != v}
        if changed:
            pk = rec.participant_pk(after.participant_id)
            self._audit_record(
                pk, rec.award_sk(after.award_id), "award", after.award_id, changed, version
            )

    def _audit_record(
        self,
        pk: str,
        sk: str,
        action: str,
        award_id: str | None,
        changed: dict[str, Any],
        version: int = 0,
    ) -> None:
        # Kept with the person (or the record) it is about, in the order written, so
        # `stockplan audit` reads one partition.
        self.audit_seq += 1
        owner = pk.removeprefix("P#") if pk.startswith("P#") else None
        self.tx.put(
            {
                "PK": rec.audit_pk(owner or pk),
                "SK": rec.audit_sk(self.day, self.cause, self.audit_seq),
                "type": "audit",
                "day": self.day.isoformat(),
                "participant_id": owner,
                "award_id": award_id,
                # The record's version after the change: an award's changes of one day
                # in the order they were made (the daily job and a feed may both act).
                "version": version,
                "entity": f"{pk}|{sk}",
                "action": action,
                "change": changed,
                "cause": self.cause_info or {"kind": "other", "ref": self.cause},
                # The day's changes, for the monthly report (stockplan.service.periodic).
                "GSI1PK": rec.changes_partition(self.day),
                "GSI1SK": f"{self.day.isoformat()}|{pk}|{sk}|{self.cause}|{self.audit_seq:03d}",
            }
        )

    def add_notice(self, notice_item: Item) -> None:
        self.tx.put_new(notice_item)
        self.notice_ids.append(notice_item["notice_id"])
        self.new_notice = True

    def maybe_flush(self) -> None:
        if self.checking_ahead:
            return  # nothing of a check is committed
        if self.batching:
            # A batch commits whole: only a transaction that cannot take the pool
            # counters any more stops the row (the batch commits, the row is done again).
            if len(self.tx) > MAX_TRANSACTION_ITEMS - len(PlanCode):
                raise BatchFull()
            return
        if len(self.tx) >= FLUSH_AT:
            self.flush()

    # --- several rows in one transaction (feeds.RowBatch) --------------------------------

    def savepoint(self) -> Savepoint:
        return Savepoint(
            len(self.tx),
            dict(self.deltas),
            len(self.notice_ids),
            self.earliest_due,
            self.new_notice,
            dict(self.profile_versions),
            frozenset(self.profiles_in_tx),
            frozenset(self.price_uses_in_tx),
            len(self.due_written),
            {pk: frozenset(sks) for pk, sks in self.new_holdings.items()},
        )

    def rollback(self, point: Savepoint) -> None:
        """Forget what was collected since `point` (nothing of it is committed)."""
        del self.tx.operations[point.operations :]
        self.deltas = dict(point.deltas)
        del self.notice_ids[point.notices :]
        self.earliest_due = point.earliest_due
        self.new_notice = point.new_notice
        self.profile_versions = dict(point.profile_versions)
        self.profiles_in_tx = set(point.profiles_in_tx)
        self.price_uses_in_tx = set(point.price_uses_in_tx)
        del self.due_written[point.due_written :]
        self.new_holdings = {pk: set(sks) for pk, sks in point.new_holdings.items()}

    def keys_since(self, point: Savepoint) -> set[tuple[str, str]]:
        """The items written since `point`: DynamoDB refuses a transaction that names
        one item twice, and a row that writes what an earlier row of the batch wrote
        read it before that row's write."""
        return {_key_of(op) for op in self.tx.operations[point.operations :]}

    def flush(self) -> None:
        """Commit what is collected (with the pool counters) and start a new transaction."""
        if self.checking_ahead:
            raise RuntimeError("a row checked ahead of its date commits nothing")
        for plan, delta in self.deltas.items():
            pool = self.pool(plan)
            state = pool.state(self.day).apply(delta)
            if delta.takes > 0 and state.available < 0:
                raise PoolShortError(plan, state.available + delta.takes, delta.takes)
            item = {
                "PK": rec.pool_key(plan)[0],
                "SK": rec.pool_key(plan)[1],
                "type": "pool",
                "version": pool.version + 1,
                "outstanding": state.outstanding,
                "delivered": state.delivered,
                "splits": [[s.day.isoformat(), str(s.ratio)] for s in pool.splits],
                "plan_actions": [rec.plan_action_value(a) for a in pool.actions],
            }
            self.tx.put_versioned(item, pool.version or None)
            self.pools[plan] = PoolRecord(
                plan,
                pool.version + 1,
                state.outstanding,
                state.delivered,
                pool.splits,
                pool.actions,
            )
        for pk in self.new_holdings:
            # Added without its profile written alongside: the profile stops listing
            # (its readers Query the partition) rather than list too little.
            self.tx.update(rec.holdings_dropped(pk))
        self.new_holdings = {}
        if self.track_marker and len(self.tx):
            # Before the commit, so the marker never promises a quiet day wrongly.
            writes = self.marker_writes or marker.Writes()
            writes.before_commit(self.table, self.earliest_due, self.new_notice)
        self.table.commit(self.tx)
        self.committed += len(self.tx)
        self.ledger.price_uses_recorded |= self.price_uses_in_tx
        self.price_uses_in_tx = set()
        self.tx = Transaction()
        self.profiles_in_tx = set()
        self.profile_puts = {}
        self.deltas = {}
        self.earliest_due = None
        self.new_notice = False

    def set_splits(
        self, plan: PlanCode, splits: list[Split], outstanding: int, delivered: int
    ) -> None:
        """Restate a pool after a split (docs/plan-rules.md: every pool figure times the ratio)."""
        pool = self.pool(plan)
        self.pools[plan] = PoolRecord(
            plan, pool.version, outstanding, delivered, splits, pool.actions
        )
        self.deltas.setdefault(plan, PoolDelta())
        # Written by the next flush through the same versioned put.
        self.deltas[plan] = self.deltas[plan] + PoolDelta()

    def add_plan_action(self, action: PlanAction) -> None:
        """Record a fed plan action on its pool's record (docs/interfaces.md §1e): every
        reader of the pool (its reserve, the grant checks) sees it from the commit on."""
        pool = self.pool(action.plan)
        self.pools[action.plan] = PoolRecord(
            action.plan,
            pool.version,
            pool.outstanding,
            pool.delivered,
            pool.splits,
            (*pool.actions, action),
        )
        self.deltas.setdefault(action.plan, PoolDelta())


def _award_summary(a: Award) -> dict[str, Any]:
    """The award's figures as report.json names them (docs/interfaces.md §3), and its
    vesting schedule: a decision that only makes shares vest early changes that alone."""
    return {
        "grant_date": a.grant_date.isoformat(),
        # None: vested at grant.
        "vesting": ";".join(f"{t.vest_date.isoformat()}:{t.shares}" for t in a.tranches) or None,
        "shares_granted": a.shares_granted,
        "exercise_price": None if a.exercise_price is None else str(a.exercise_price),
        "final_exercise_date": _iso(a.final_exercise_date),
        "shares_exercised": a.shares_exercised,
        "shares_withheld": a.shares_withheld,
        "shares_forfeited": a.shares_forfeited,
        "shares_expired": a.shares_expired,
        "exercise_deadline": None
        if a.exercise_deadline is None
        else a.exercise_deadline.isoformat(),
        "status": a.status().value,
    }


def _key_of(operation: dict[str, Any]) -> tuple[str, str]:
    """(PK, SK) of the item a transaction operation writes or checks (wire form)."""
    op = next(iter(operation.values()))
    key = op.get("Item") or op["Key"]
    return str(key["PK"]["S"]), str(key["SK"]["S"])


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


__all__ = [
    "FLUSH_AT",
    "Addresses",
    "BatchFull",
    "Change",
    "Ledger",
    "PoolRecord",
    "PoolShortError",
    "Savepoint",
    "StoredAward",
    "StoredDeferred",
    "stored_award",
    "stored_deferred",
]


def _with_action(item: Item, actions: tuple[str, ...], action: str | None) -> tuple[str, ...]:
    """The administrator actions applied to a stored award: `action` added, kept on the
    item so a repeated request is recognised."""
    if action is not None:
        actions = (*actions, action)
    if actions:
        item["actions"] = list(actions)
    return actions
