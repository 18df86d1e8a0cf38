"""The daily job: apply everything due on or before the run day (docs/interfaces.md §2).

It reads only the DueIndex (items due up to the day), never scans: the cost of a run
follows what is due, not the history. Each effect re-reads its record and commits in
its own transaction, so a doubled or missed schedule repeats and loses nothing.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from stockplan.config import Settings
from stockplan.data import marker
from stockplan.data import records as rec
from stockplan.data.ports import FeedStore
from stockplan.data.retry import attempts
from stockplan.data.table import ConflictError, Item, Table
from stockplan.domain import deferred as dfr
from stockplan.domain.calendar import day_after, day_before
from stockplan.domain.covered import covered_transaction_award, covered_transaction_deferred
from stockplan.domain.fmv import missing_price_reason
from stockplan.domain.formula import (
    RosterEntry,
    eligible_directors,
    formula_award_id,
    formula_grant_size,
    formula_grants,
)
from stockplan.domain.history import AwardEvent, EventKind
from stockplan.domain.model import (
    Award,
    CorporateActionKind,
    DeferredStatus,
    DeferredStockAward,
    FeeType,
    MeetingOutcome,
    PlanCode,
    Service,
    Termination,
    TerminationReason,
)
from stockplan.domain.plans import plan_terminated_on
from stockplan.domain.pools import Split, pro_rata
from stockplan.domain.schedule import (
    REMINDER_DAYS,
    DueItem,
    DueKind,
    expire_award,
    mark_reminded,
    reminder_due,
    settle_award,
)
from stockplan.domain.splits import split_award, split_deferred, split_shares
from stockplan.service import covered_ahead, notify, periodic, scheduled
from stockplan.service.ledger import (
    Change,
    Ledger,
    StoredAward,
    StoredDeferred,
    stored_award,
    stored_deferred,
)
from stockplan.service.outbox import OutboxDeps, dispatch
from stockplan.service.rows import terminate

MAX_ATTEMPTS = 5
# The plan sections behind each daily rule, for the audit trail (docs/interfaces.md §3).
RULE_SECTIONS: dict[DueKind, str] = {
    DueKind.EXPIRY: "1998 §6.a.(5), §6.b; Directors §6(d), §6(h), §6(i)",
    DueKind.SETTLE: "1998 §6.a.(1)",
    DueKind.SCHEDULED: "the fact's own rule, on its date",
    DueKind.CORPORATE_ACTION: "1998 §7; Directors §4(c), §6(j)",
    DueKind.MEETING: "Directors §6(a)",
    DueKind.FEE: "Directors §7(a)",
    DueKind.ISSUE: "Directors §7(b)",
    DueKind.REMINDER: "the deadline of 1998 §6.a.(5); Directors §6(h), §6(i)",
    DueKind.COVERED_REMINDER: "1998 §7.a; Directors §6(j)",
}


@dataclass(frozen=True)
class PriceWait:
    """A due item that waits for the Closing Price of `price_day` (docs/plan-rules.md
    "Fair Market Value"): `what` names it for the administrator."""

    due_key: str
    price_day: date
    what: str


@dataclass
class DailyOutcome:
    day: date
    applied: dict[str, int] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)
    # What waits for a price, by the day whose Closing Price is missing.
    price_waits: dict[date, list[str]] = field(default_factory=dict)

    notice_ids: list[str] = field(default_factory=list)
    quiet: bool = False  # the schedule marker showed nothing to do
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    deferred: int = 0  # notices left for the sweep: the invocation's time ran short

    def count(self, kind: DueKind) -> None:
        name = kind.name.lower()
        self.applied[name] = self.applied.get(name, 0) + 1


@dataclass
class DailyDeps:
    table: Table
    settings: Settings
    reports: FeedStore | None = None  # where the monthly report's files go (None: not written)


def run_daily(
    deps: DailyDeps,
    day: date,
    outbox: OutboxDeps | None = None,
    time_left_ms: Callable[[], int] | None = None,
) -> DailyOutcome:
    """Apply every effect due on or before `day` that is not done yet, in date order,
    then send the notices (and, when the marker says so, any left pending)."""
    table = deps.table
    seen_marker = marker.read(table)
    outcome = DailyOutcome(day)
    if seen_marker.quiet_on(day):
        outcome.quiet = True
        return outcome
    # The monthly report due by this day (docs/interfaces.md §4), on the state before this
    # day's rules: the month's close.
    own = marker.Own(seen_marker)
    outcome.notice_ids += periodic.monthly(deps, day, own)
    ledger = Ledger(table)
    upto = f"{day.isoformat()}#~"
    # One read of the index: every due item a batch writes comes back from it
    # (Change.due_written), and what it wrote due by the day (an award's item moved on
    # to its next effect) is applied in its (day, kind) place, as a daily run would. A
    # feed's write meanwhile moves the marker on, so this run's settle fails and the
    # next run reads the index again.
    queue = _Queue(upto)
    due, upcoming = table.index_window(rec.DUE, upto)
    if upcoming is not None:
        queue.push(upcoming)
    for item in due:
        queue.push(item)
    while batch := queue.pop_batch():
        for item in _apply_batch(deps, ledger, batch, outcome):
            queue.push(item)
    _tell_price_waits(deps, ledger, outcome)
    # The annual statements due by this day, after its rules (docs/interfaces.md §4).
    outcome.notice_ids += periodic.annual(deps, day, own)
    dirty = False
    if outbox is not None:
        sends = [dispatch(outbox, outcome.notice_ids, time_left_ms)]
        if seen_marker.dirty:
            sends.append(dispatch(outbox, None, time_left_ms))
        outcome.sent = sum(len(s.sent) for s in sends)
        outcome.retrying = sum(len(s.retrying) for s in sends)
        outcome.dead = sum(len(s.dead) for s in sends)
        outcome.deferred = sum(len(s.deferred) for s in sends)
        dirty = outcome.retrying > 0 or outcome.deferred > 0
    if outcome.waiting:
        next_due: date | None = day_after(day)  # look again tomorrow: a price may arrive
    else:
        # From what the run read and wrote: an item read as due later that a batch then
        # moved or removed leaves the day early, which costs a run, never a miss.
        next_due = queue.later
    next_due = periodic.sooner(deps, next_due, day)
    marker.settle(
        table,
        own.settled_from(),
        next_due,
        day,
        # Without an outbox nothing was sent: what waited, and what the run queued, waits.
        dirty or (outbox is None and (seen_marker.dirty or own.marked)),
        periodic.made_month(deps, day),
    )
    return outcome


def _identity(item: Item) -> tuple[str, str, str]:
    """A due item at one place of the index (an award's item moves from place to place)."""
    return str(item["PK"]), str(item["SK"]), str(item["GSI1SK"])


@dataclass
class _Queue:
    """The items due by the run day, in (day, kind) order; each place applied once."""

    upto: str
    seen: set[tuple[str, str, str]] = field(default_factory=set)
    entries: list[tuple[DueItem, tuple[str, str, str], int, Item]] = field(default_factory=list)
    pushed: int = 0
    # The earliest day of the items pushed that fall due after the run day.
    later: date | None = None

    def push(self, item: Item) -> None:
        identity = _identity(item)
        if identity[2] > self.upto:
            day = date.fromisoformat(item["day"])
            self.later = day if self.later is None else min(self.later, day)
        elif identity not in self.seen:
            self.pushed += 1
            heapq.heappush(self.entries, (rec.due_from(item), identity, self.pushed, item))

    def _pop(self) -> tuple[DueItem, Item] | None:
        while self.entries:
            due, identity, _, item = heapq.heappop(self.entries)
            if identity not in self.seen:
                self.seen.add(identity)
                return due, item
        return None

    def pop_batch(self) -> list[tuple[DueItem, Item]]:
        """The next item, with the fees of the same day after a meeting or a fee: the
        formula options and deferred stock of one day share a short pool (Directors
        §8(a))."""
        first = self._pop()
        if first is None:
            return []
        batch = [first]
        while (
            first[0].kind in (DueKind.MEETING, DueKind.FEE)
            and self.entries
            and self.entries[0][0].kind is DueKind.FEE
            and self.entries[0][0].day == first[0].day
        ):
            entry = self._pop()
            if entry is not None:
                batch.append(entry)
        return batch


def _apply_batch(
    deps: DailyDeps, ledger: Ledger, batch: list[tuple[DueItem, Item]], outcome: DailyOutcome
) -> list[Item]:
    """Apply one batch in its own transaction; the due items it wrote."""
    due = batch[0][0]
    applier = APPLIERS[due.kind]
    for _attempt in attempts(MAX_ATTEMPTS):
        change = Change(
            ledger,
            due.day,
            f"daily:{due.day.isoformat()}#{due.kind.name.lower()}#{due.ref}",
            deps.settings,
            sent_on=outcome.day,
            track_marker=False,
            cause_info={
                "kind": "daily",
                "rule": due.kind.name.lower(),
                "section": RULE_SECTIONS[due.kind],
                "due": due.day.isoformat(),
            },
        )
        try:
            waiting = applier(change, batch)
            change.flush()
        except ConflictError:
            continue
        waits = [waiting] if isinstance(waiting, str) else list(waiting or [])
        keys = []
        for wait in waits:
            if isinstance(wait, PriceWait):
                outcome.waiting.append(f"{wait.due_key}: waiting for the price of {wait.price_day}")
                outcome.price_waits.setdefault(wait.price_day, []).append(wait.what)
                keys.append(wait.due_key)
            else:
                outcome.waiting.append(wait)
                keys.append(wait)
        if not change.skipped:
            # Each kind of the batch (a meeting and the day's fees) that did not wait.
            for kind in dict.fromkeys(d.kind for d, _ in batch):
                if not any(k.startswith(f"{due.day.isoformat()}#{kind.value}#") for k in keys):
                    outcome.count(kind)
        outcome.notice_ids += change.notice_ids
        return change.due_written
    raise ConflictError(f"{due.key} kept conflicting")


# What an applier leaves waiting: why (a scheduled fact), or what waits for a price.
DueApplier = Callable[[Change, list[tuple[DueItem, Item]]], "str | list[PriceWait] | None"]


def _award_for(change: Change, due: DueItem, item: Item) -> StoredAward | None:
    """The award whose effect `due` is to be applied now, or None: the award is gone
    (the item is dropped), the item has moved since it was read, or its effect is not
    the award's next one (the item moves on to that one, issue 13)."""
    owner = str(item["owner"])
    raw = change.table.get(owner, rec.award_sk(due.ref))
    if raw is None:
        change.drop_due(item)
        return None
    stored = stored_award(raw)
    if not rec.is_award_due(item):
        # One item per effect, as stored before issue 13: applied as then; the award's
        # next write replaces them all with its one item (Change.save_award).
        if stored.one_due_item or due not in stored.due:
            change.drop_due(item)
            return None
        return stored
    if stored.next_due != due:
        return None  # read before it moved: its new place is what is due
    change.advancing = stored.award.award_id
    if stored.head != due:
        # Stood before the award's next effect (a write that only delayed the schedule
        # leaves it): moved on to that effect, or dropped when none is left. The
        # schedule is the one the award's last write computed: recomputed as of this
        # item's earlier day, it would bring back an effect that write left out (a
        # reminder whose day had passed) and stand here again, skipped by this run.
        change.save_award(stored, stored.award, schedule=stored.due)
        return None
    return stored


def _on_award(handler: Callable[[Change, DueItem, StoredAward], None]) -> DueApplier:
    """A due item about one stored award: `handler` runs on the award when the item is
    the award's next effect; its write moves the item on (`_award_for`)."""

    def apply(change: Change, batch: list[tuple[DueItem, Item]]) -> str | None:
        due, item = batch[0]
        stored = _award_for(change, due, item)
        if stored is None:
            change.skipped = True  # nothing applied: not counted
        else:
            handler(change, due, stored)
        return None

    return apply


def _event_if(
    stored: StoredAward,
    after: Award,
    kind: EventKind,
    day: date,
    data: dict[str, str] | None = None,
) -> AwardEvent | None:
    """The rule's event for the award's history, when it changed the award (a retried
    or caught-up run that changes nothing adds nothing)."""
    return None if after == stored.award else AwardEvent(kind, day, data or {})


def _person(change: Change, participant_id: str) -> Item:
    item = change.ledger.participant_item(participant_id)
    assert item is not None, f"participant {participant_id} is missing"
    return item


@_on_award
def handle_expiry(change: Change, due: DueItem, stored: StoredAward) -> None:
    after = expire_award(stored.award, due.day)
    expired = after.shares_expired - stored.award.shares_expired
    change.save_award(stored, after, event=_event_if(stored, after, EventKind.EXPIRE, due.day))
    if expired > 0:
        notify.expiry(change, _person(change, after.participant_id), after, expired)


@_on_award
def handle_reminder(change: Change, due: DueItem, stored: StoredAward) -> None:
    award = stored.award
    days = int(due.detail.split("@")[0])
    if reminder_due(award, due) and not _reminder_outdated(award, days, change.notice_day):
        assert days in REMINDER_DAYS
        notify.reminder(
            change,
            _person(change, award.participant_id),
            award,
            days,
            award.exercisable_shares(due.day),
        )
    change.save_award(stored, mark_reminded(award, due))


def _reminder_outdated(award: Award, days: int, run_day: date) -> bool:
    """A catch-up run sends no reminder that would say something false: none once the
    deadline has passed (the expiry notice follows), and not the 30-day one when the
    7-day one is due too (docs/plan-rules.md "Notices": 30 and 7 days before a deadline)."""
    deadline = award.exercise_deadline
    if deadline is None or run_day > deadline:
        return True
    return any(d < days and deadline - timedelta(days=d) <= run_day for d in REMINDER_DAYS)


@_on_award
def handle_settle(change: Change, due: DueItem, stored: StoredAward) -> None:
    after = settle_award(stored.award, due.day)
    change.save_award(stored, after, event=_event_if(stored, after, EventKind.SETTLE, due.day))


def handle_issue(change: Change, batch: list[tuple[DueItem, Item]]) -> str | None:
    due = batch[0][0]
    participant_id, fee_type, fee_date = due.ref.split("#")
    sk = rec.deferred_sk(FeeType(fee_type), date.fromisoformat(fee_date))
    stored = change.ledger.deferred(participant_id, sk)
    if (
        stored is None
        or stored.deferred.status is not DeferredStatus.PENDING
        or (stored.deferred.issue_date != due.day)
    ):
        change.delete_due(due)
        return None
    issued = dfr.issue(stored.deferred)
    change.save_deferred(stored, issued)
    notify.deferred_issue(change, _person(change, participant_id), issued)
    return None


@dataclass
class _FormulaRequest:
    """The formula options a meeting owes: who, at what price and size."""

    due: DueItem
    pending: list[str]
    fmv: Decimal
    size: int
    people: dict[str, Item]
    # The correction that restored a director's service, by participant: the cause of
    # the formula option it owes (the meeting's roster row names it).
    restored_by: dict[str, Any] = field(default_factory=dict)
    price_day: date | None = None  # the day of the Closing Price (notices name it)


@dataclass
class _FeeRequest:
    due: DueItem
    fee: Item
    person: Item
    fmv: Decimal
    price_day: date | None = None  # the day of the Closing Price (notices name it)


def handle_grants_of_day(
    change: Change, batch: list[tuple[DueItem, Item]]
) -> list[PriceWait] | None:
    """The formula options of a meeting and the Deferred Stock Awards of the fees of one
    day. When the pool cannot cover them all they are cut together: with f = available
    / the shares of every award due, each gets floor(shares x f) and the rest stays in
    the pool; a fee's uncovered part is paid in cash (Directors §6(a), §7(a), §8(a))."""
    waiting: list[PriceWait] = []
    options: _FormulaRequest | None = None
    for due, _item in batch:
        if due.kind is DueKind.MEETING:
            found = _formula_request(change, due)
            if isinstance(found, PriceWait):
                waiting.append(found)
            else:
                options = found
    fees, fees_waiting = _fee_requests(change, [b for b in batch if b[0].kind is DueKind.FEE])
    waiting += fees_waiting
    wanted = {f"fee#{ref}": _fee_shares(r) for ref, r in fees.items()}
    if options is not None:
        wanted |= {f"option#{pid}": options.size for pid in options.pending}
    cut = pro_rata(wanted, change.available(PlanCode.DIRECTORS_1999))
    if options is not None:
        _grant_formula_options(change, options, {p: cut[f"option#{p}"] for p in options.pending})
    _award_fees(change, fees, {ref: cut[f"fee#{ref}"] for ref in fees})
    return waiting or None


def _directors_plan_ended_by(change: Change, day: date) -> bool:
    """Terminated as to further grants on or before `day` (Directors §8(f))."""
    ended = plan_terminated_on(
        PlanCode.DIRECTORS_1999, change.pool(PlanCode.DIRECTORS_1999).actions
    )
    return ended is not None and ended.effective_date <= day


def _formula_request(change: Change, due: DueItem) -> _FormulaRequest | PriceWait | None:
    """The formula options a meeting owes (Directors §6(a), §6(c)); None when none (the
    due item is done), or why they wait."""
    meeting = due.day
    table = change.table
    roster_items = table.query(rec.meeting_pk(meeting.isoformat()), rec.ROSTER_PREFIX)
    roster = [RosterEntry(i["participant_id"], MeetingOutcome(i["outcome"])) for i in roster_items]
    people = {
        i["participant_id"]: i
        for i in table.batch_get([rec.profile_key(r.participant_id) for r in roster])
    }
    _end_not_continuing(change, meeting, roster, people)
    # Eligibility is judged on the meeting date (Directors §5, §6(a)): the role of that
    # day, and whether the directorship has ended by then.
    participants = {
        pid: replace(rec.participant_from(i), role=rec.role_history_from(i).on(meeting))
        for pid, i in people.items()
    }
    ended = {pid: end for pid, i in people.items() if (end := _directorship_end(i)) is not None}
    eligible = eligible_directors(meeting, roster, participants, ended)

    pending = [
        pid
        for pid in eligible
        if table.get(rec.participant_pk(pid), rec.award_sk(formula_award_id(meeting, pid))) is None
    ]
    if not pending or _directors_plan_ended_by(change, meeting):
        change.delete_due(due)
        return None
    price_day = day_before(meeting)
    fmv = change.use_fmv(price_day, f"the formula options of the {meeting.isoformat()} meeting")
    if fmv is None:
        # The FMV of the day before the meeting (Directors §6(c)): the options wait for it.
        what = (
            f"the formula options of the {meeting.isoformat()} annual meeting "
            f"({', '.join(pending)}; Directors §6(a), §6(c))"
        )
        return PriceWait(due.key, price_day, what)
    size = formula_grant_size(meeting, change.ledger.splits())
    restored = {
        str(i["participant_id"]): i["restored_by"] for i in roster_items if "restored_by" in i
    }
    return _FormulaRequest(
        due,
        pending,
        fmv,
        size,
        people,
        restored_by=restored,
        price_day=_closing_day(change, price_day),
    )


def _grant_formula_options(change: Change, req: _FormulaRequest, cut: dict[str, int]) -> None:
    grants = formula_grants(req.due.day, req.pending, req.fmv, 0, req.size, cut)
    daily_cause = change.cause_info
    for award in grants.awards:
        change.cause_info = _granted_because(daily_cause, req.restored_by.get(award.participant_id))
        change.save_award(None, award)
        # Serialised with a termination of the director racing this run.
        change.touch_profile(req.people[award.participant_id])
        notify.formula_grant(
            change, req.people[award.participant_id], award, req.size, req.price_day
        )
        change.maybe_flush()
    change.cause_info = daily_cause
    change.delete_due(req.due)


def _granted_because(daily: dict[str, Any] | None, restored_by: Any) -> dict[str, Any] | None:
    """A formula option owed because a correction restored the director's service
    names that correction as its cause, with the daily rule that granted it."""
    if not isinstance(restored_by, dict) or daily is None:
        return daily
    return {**restored_by, **{k: v for k, v in daily.items() if k != "kind"}}


def _directorship_end(person_item: Item) -> date | None:
    """The day the person's directorship ended: every relationship's end, or the end of
    the directorship while another relationship went on."""
    days = [
        t.termination_date
        for t in (
            rec.termination_from(person_item),
            rec.service_ends_from(person_item).get(Service.DIRECTORSHIP),
        )
        if t is not None
    ]
    return min(days, default=None)


def _end_not_continuing(
    change: Change, meeting: date, roster: list[RosterEntry], people: dict[str, Item]
) -> None:
    """`not_continuing` ends the directorship on the meeting date, as a termination with
    service directorship and reason other (3-month window, Directors §6(i); pending
    deferred stock issued that day, §7(b)(iii)), unless an end of that directorship
    was already recorded."""
    for entry in roster:
        person = people.get(entry.participant_id)
        if entry.outcome is not MeetingOutcome.NOT_CONTINUING or person is None:
            continue
        if _directorship_end(person) is not None:
            continue
        records = change.ledger.participant_records(entry.participant_id)
        current = next(i for i in records if i["SK"] == rec.PROFILE_SK)
        ending = Termination(
            entry.participant_id, meeting, TerminationReason.OTHER, Service.DIRECTORSHIP
        )
        terminate(change, records, current, ending)
        updated = change.profile_puts.get(current["PK"])
        if updated is not None:
            people[entry.participant_id] = updated[1]
        change.maybe_flush()


def _closing_day(change: Change, on: date) -> date | None:
    """The day of the Closing Price that set the FMV of `on` (notices name it)."""
    found = change.ledger.fmv_with_day(on)
    return None if found is None else found[0]


def _tell_price_waits(deps: DailyDeps, ledger: Ledger, outcome: DailyOutcome) -> None:
    """The administrator is told once per missing day, naming what waits for it
    (docs/plan-rules.md "Fair Market Value"); each waits, stays due and is made with its
    own date and that day's FMV once the price arrives."""
    if not outcome.price_waits:
        return
    for _attempt in attempts(MAX_ATTEMPTS):
        change = Change(
            ledger,
            outcome.day,
            f"daily:{outcome.day.isoformat()}#price-wait",
            deps.settings,
            sent_on=outcome.day,
            track_marker=False,
            cause_info={"kind": "daily", "rule": "price_wait", "section": "Directors §6(c)"},
        )
        for price_day, waiting in sorted(outcome.price_waits.items()):
            flag = f"PRICE#{price_day.isoformat()}"
            if change.table.get(*rec.wait_flag_key(flag)) is not None:
                continue
            change.put(rec.wait_flag_item(flag))
            reason = missing_price_reason(price_day, ledger.latest_price_day(price_day))
            notify.admin_alert(
                change,
                f"Waiting for a price: the Closing Price of {price_day.isoformat()}",
                [
                    f"{reason[0].upper()}{reason[1:]}.",
                    "Waiting for it: " + "; ".join(waiting) + ".",
                    "Each is made with its own date and the Fair Market Value of that day "
                    "once the price arrives (Directors §6(c)).",
                ],
                "price-wait",
                price_day.isoformat(),
            )
        try:
            change.flush()
        except ConflictError:
            continue  # another run told it meanwhile: read again
        outcome.notice_ids += change.notice_ids
        return


def _fee_shares(req: _FeeRequest) -> int:
    fee = req.fee
    return dfr.shares_wanted(
        FeeType(fee["fee_type"]),
        date.fromisoformat(fee["fee_date"]),
        Decimal(fee["amount"]),
        req.fmv,
    )


def _fee_requests(
    change: Change, batch: list[tuple[DueItem, Item]]
) -> tuple[dict[str, _FeeRequest], list[PriceWait]]:
    """The fees of the batch that become Deferred Stock Awards now (Directors §7(a)); a
    fee with no election in force, or under a plan terminated by its award date, is paid
    in cash (§7(c); §8(f))."""
    requests: dict[str, _FeeRequest] = {}
    waiting: list[PriceWait] = []
    for due, _item in batch:
        participant_id, fee_type, fee_date = due.ref.split("#")
        pk = rec.participant_pk(participant_id)
        fee = change.table.get(pk, rec.fee_sk(FeeType(fee_type), date.fromisoformat(fee_date)))
        if fee is None or fee.get("status") != "due":
            change.delete_due(due)
            continue
        records = change.ledger.participant_records(participant_id)
        person = next(i for i in records if i["SK"] == rec.PROFILE_SK)
        elections = [rec.election_from(i) for i in records if i.get("type") == "election"]
        fee_day = date.fromisoformat(fee_date)
        terms = dfr.fee_terms(FeeType(fee_type), fee_day)
        if not dfr.election_in_force(elections, fee_day.year) or _directors_plan_ended_by(
            change, terms.award_date
        ):
            fee["status"] = "cash"
            change.put(fee)
            change.delete_due(due)
            continue
        fmv = change.use_fmv(
            terms.fmv_day, f"deferred stock of {participant_id} for fees of {fee_date}"
        )
        if fmv is None:
            # Fees of one award date share their FMV day: one alert names them all.
            what = f"deferred stock for the {fee_type} fee of {participant_id} of {fee_date}"
            waiting.append(PriceWait(due.key, terms.fmv_day, what + " (Directors §7(a))"))
            continue
        requests[due.ref] = _FeeRequest(due, fee, person, fmv, _closing_day(change, terms.fmv_day))
    return requests, waiting


def _award_fees(change: Change, requests: dict[str, _FeeRequest], cut: dict[str, int]) -> None:
    for ref, req in requests.items():
        fee, person = req.fee, req.person
        award = dfr.deferred_award(
            person["participant_id"],
            FeeType(fee["fee_type"]),
            date.fromisoformat(fee["fee_date"]),
            Decimal(fee["amount"]),
            req.fmv,
            shares=cut[ref],
            # Issued when the directorship ends (Directors §7(b)(iii)).
            service_ended=_directorship_end(person),
            price_day=req.price_day,
        )
        fee["status"] = "awarded"
        change.put(fee)
        change.delete_due(req.due)
        if award.shares > 0:
            change.save_deferred(None, award)
            # Serialised with a termination (which issues pending deferred stock).
            change.touch_profile(person)
            notify.deferred_award(change, person, award)
        change.maybe_flush()


def handle_corporate_action(change: Change, batch: list[tuple[DueItem, Item]]) -> str | None:
    due, item = batch[0]
    action_item = change.table.get(str(item["owner"]), "ACTION")
    if action_item is None or action_item.get("applied"):
        change.delete_due(due)
        return None
    action = rec.corporate_action_from(action_item)
    action_id = str(action_item["action_id"])
    open_awards = [stored_award(raw) for raw in change.table.query_index(rec.OPEN_AWARDS)]
    open_deferred = [stored_deferred(raw) for raw in change.table.query_index(rec.OPEN_DEFERRED)]
    if action.kind is CorporateActionKind.SPLIT:
        assert action.ratio is not None
        _restate_pools(change, due, action.ratio)
    exchange = action.restating_ratio
    if exchange is not None:
        # Pending deferred stock is issued on the day first (Directors §7(b)(ii)), then
        # the pools and awards are restated as a split of the exchange ratio would
        # restate them, so the pool arithmetic keeps holding (1998 §7.a; §6(j)).
        _issue_before_exchange(change, due, action_id, open_deferred)
        _restate_pools(change, due, exchange)
        open_deferred = [
            stored_deferred(raw) for raw in change.table.query_index(rec.OPEN_DEFERRED)
        ]
    for person_id, awards, deferred in _by_participant(open_awards, open_deferred):
        _apply_action(change, due, action, action_id, person_id, awards, deferred)
    action_item["applied"] = True
    change.put(action_item)
    change.delete_due(due)
    change.audit(
        action_item["PK"], rec.ACTION_SK, "corporate_action_applied", {"action": action.kind.value}
    )
    return None


def _issue_before_exchange(
    change: Change, due: DueItem, action_id: str, deferred: list[StoredDeferred]
) -> None:
    for stored in deferred:
        if f"{action_id}#issue" in stored.actions:
            continue
        issued = dfr.issue(covered_transaction_deferred(stored.deferred, due.day))
        if issued == stored.deferred:
            continue
        change.save_deferred(stored, issued, action=f"{action_id}#issue")
        notify.deferred_issue(change, _person(change, stored.deferred.participant_id), issued)
        change.maybe_flush()
    change.flush()


def _by_participant(
    awards: list[StoredAward], deferred: list[StoredDeferred]
) -> list[tuple[str, list[StoredAward], list[StoredDeferred]]]:
    people = sorted(
        {a.award.participant_id for a in awards} | {d.deferred.participant_id for d in deferred}
    )
    return [
        (
            pid,
            [a for a in awards if a.award.participant_id == pid],
            [d for d in deferred if d.deferred.participant_id == pid],
        )
        for pid in people
    ]


def _apply_action(
    change: Change,
    due: DueItem,
    action: Any,
    action_id: str,
    person_id: str,
    awards: list[StoredAward],
    deferred: list[StoredDeferred],
) -> None:
    """A split or covered transaction for one participant's open awards and pending
    deferred stock, and the participant's notice of it (docs/plan-rules.md "Notices").

    Each restated record carries the action id, so a retry after a crash half way
    restates nothing twice. The notice is queued before the participant's records, in
    the same or an earlier transaction: a participant with a record already carrying
    the id has been told."""
    split = action.kind is CorporateActionKind.SPLIT
    todo = [s for s in awards if action_id not in s.actions]
    todo_d = [s for s in deferred if action_id not in s.actions]
    restate = _split_targets if split else _covered_targets
    after, after_d, told, told_d = restate(action, due, todo, todo_d)
    already_told = len(todo) < len(awards) or len(todo_d) < len(deferred)
    if (told or told_d) and not already_told:
        person = _person(change, person_id)
        if split:
            notify.split(change, person, action_id, due.day, action.ratio, told, told_d)
        else:
            notify.covered_transaction(change, person, action_id, due.day, action, told, told_d)
    exchange = action.restating_ratio
    if split:
        kind, facts = EventKind.SPLIT, {"ratio": str(action.ratio)}
    else:
        kind, facts = EventKind.COVERED, {"assumed": "true" if action.assumed else "false"}
        if exchange is not None:
            facts["exchange_ratio"] = str(exchange)
    # A split or an exchange restates the pool's delivered figure whole (_restate_pools).
    restated = split or exchange is not None
    for stored, award in after:
        event = _event_if(stored, award, kind, due.day, facts)
        change.save_award(
            stored, award, action=action_id, count_delivered=not restated, event=event
        )
        change.maybe_flush()
    for stored_d, award_d in after_d:
        change.save_deferred(stored_d, award_d, action=action_id)
        change.maybe_flush()


_Restated = tuple[
    list[tuple[StoredAward, Award]],
    list[tuple[StoredDeferred, DeferredStockAward]],
    list[tuple[Award, Award]],
    list[tuple[DeferredStockAward, DeferredStockAward]],
]


def _split_targets(
    action: Any, due: DueItem, todo: list[StoredAward], todo_d: list[StoredDeferred]
) -> _Restated:
    """The awards and deferred stock a split restates; those whose figures changed are
    in the notice (1998 §7.b.(1); Directors §4(c))."""
    after = [(s, split_award(s.award, action.ratio)) for s in todo]
    after_d = [(s, split_deferred(s.deferred, action.ratio)) for s in todo_d]
    told = [(s.award, a) for s, a in after if a != s.award]
    told_d = [(s.deferred, d) for s, d in after_d if d != s.deferred]
    return after, after_d, told, told_d


def _covered_targets(
    action: Any, due: DueItem, todo: list[StoredAward], todo_d: list[StoredDeferred]
) -> _Restated:
    """What a covered transaction does to each open award and pending deferred stock;
    every one of them is in the notice (1998 §7.a; Directors §6(j), §7(b)(ii))."""
    assumed = bool(action.assumed)
    exchange = action.restating_ratio
    after = [(s, covered_transaction_award(s.award, due.day, assumed)) for s in todo]
    if exchange is not None:
        after = [(s, split_award(a, exchange)) for s, a in after]
    after_d = [(s, covered_transaction_deferred(s.deferred, due.day)) for s in todo_d]
    told = [(s.award, a) for s, a in after if s.award.is_outstanding]
    told_d = [(s.deferred, d) for s, d in after_d if s.deferred.status is DeferredStatus.PENDING]
    return after, after_d, told, told_d


def _restate_pools(change: Change, due: DueItem, ratio: Decimal) -> None:
    """Every pool figure times the ratio (docs/plan-rules.md "Splits"), once per split day."""
    for plan in PlanCode:
        pool = change.pool(plan)
        if any(s.day == due.day for s in pool.splits):
            continue
        splits = [*pool.splits, Split(due.day, ratio)]
        change.set_splits(plan, splits, pool.outstanding, split_shares(pool.delivered, ratio))
    change.flush()


APPLIERS: dict[DueKind, DueApplier] = {
    DueKind.EXPIRY: handle_expiry,
    DueKind.REMINDER: handle_reminder,
    DueKind.SETTLE: handle_settle,
    DueKind.ISSUE: handle_issue,
    DueKind.MEETING: handle_grants_of_day,
    DueKind.FEE: handle_grants_of_day,
    DueKind.CORPORATE_ACTION: handle_corporate_action,
    DueKind.SCHEDULED: scheduled.apply_due,
    DueKind.COVERED_REMINDER: covered_ahead.remind,
}
