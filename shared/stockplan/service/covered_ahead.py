"""A covered transaction recorded before its date (docs/plan-rules.md "Facts in time").

Every holder of an award outstanding when it is recorded is told at once what it will
do on its date D (1998 §7.a; Directors §6(j), §7(b)(ii)); when the awards are not
assumed, every option and SAR holder is reminded 30 and 7 days before D; the
administrator gets one mail listing the holders told. Each step is repeatable: a holder
already told (their notice is in the outbox) is not told again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from stockplan.coldstart import lazy_module
from stockplan.data import records as rec
from stockplan.data.table import Item
from stockplan.domain.covered import covered_transaction_award, covered_transaction_deferred
from stockplan.domain.model import Award, CorporateAction, DeferredStatus, DeferredStockAward
from stockplan.domain.schedule import REMINDER_DAYS, DueItem, DueKind
from stockplan.domain.splits import split_award
from stockplan.service import notify
from stockplan.service.ledger import Change, stored_award, stored_deferred

if TYPE_CHECKING:
    from stockplan.notices import model as nm
else:
    nm = lazy_module("stockplan.notices.model")

ANNOUNCEMENT = "covered-announcement"


def announce(change: Change, action: CorporateAction, action_id: str) -> None:
    """Tell every holder of an award outstanding now, and the administrator, of the
    covered transaction `action` of a later day."""
    on = action.action_date
    assumed = bool(action.assumed)
    # Assumed: the acquirer's shares per share (restating awards as a split would) and
    # its name, where the row gave them.
    ratio, acquirer = action.exchange_ratio, action.acquirer
    awards = [stored_award(raw).award for raw in change.table.query_index(rec.OPEN_AWARDS)]
    deferred = [
        stored_deferred(raw).deferred for raw in change.table.query_index(rec.OPEN_DEFERRED)
    ]
    holders: list[str] = []
    for pid, held, pending in _by_participant(awards, deferred):
        person = change.ledger.participant_item(pid)
        if person is None:
            continue
        holders.append(f"{pid} {person.get('name', '')}: {_counted(held, pending)}")
        if not assumed:
            _schedule_reminders(change, held, on, action_id)
        if notify.told(change, ANNOUNCEMENT, pid, action_id):
            continue
        notice = nm.CoveredTransactionAnnouncement(
            participant_id=pid,
            participant_name=str(person["name"]),
            transaction_date=on,
            assumed=assumed,
            awards=tuple(
                nm.AnnouncedLine.of(a, change.day, *_after(a, on, assumed, ratio)) for a in held
            ),
            deferred=tuple(
                nm.CoveredDeferredLine.of(d, covered_transaction_deferred(d, on)) for d in pending
            ),
            acquirer=acquirer if assumed else None,
            exchange_ratio=ratio if assumed else None,
            deceased=bool(person.get("death")),
        )
        notify.covered_announcement(change, person, action_id, notice)
        change.maybe_flush()
    _tell_administrator(change, action, action_id, holders)


def _after(
    award: Award, on: date, assumed: bool, ratio: Decimal | None
) -> tuple[Award, Award | None]:
    after = covered_transaction_award(award, on, assumed)
    restated = split_award(after, ratio) if assumed and ratio is not None else None
    return after, restated


def _counted(held: list[Award], pending: list[DeferredStockAward]) -> str:
    parts = [f"{len(held)} award{'s' if len(held) != 1 else ''}"] if held else []
    if pending:
        parts.append(
            f"{len(pending)} pending deferred stock award{'s' if len(pending) != 1 else ''}"
        )
    return ", ".join(parts)


def _by_participant(
    awards: Iterable[Award], deferred: Iterable[DeferredStockAward]
) -> list[tuple[str, list[Award], list[DeferredStockAward]]]:
    held: dict[str, tuple[list[Award], list[DeferredStockAward]]] = {}
    for award in awards:
        if award.is_outstanding:
            held.setdefault(award.participant_id, ([], []))[0].append(award)
    for item in deferred:
        if item.status is DeferredStatus.PENDING:
            held.setdefault(item.participant_id, ([], []))[1].append(item)
    return [(pid, *held[pid]) for pid in sorted(held)]


def _schedule_reminders(change: Change, held: list[Award], on: date, action_id: str) -> None:
    """The 30- and 7-day reminders of `on` for each option and SAR (vested or not: all
    of it vests before the transaction); none whose day has passed is sent late."""
    for award in held:
        if not award.award_type.requires_exercise:
            continue
        for days in REMINDER_DAYS:
            when = on - timedelta(days=days)
            if when >= change.day:
                due = DueItem(
                    when, DueKind.COVERED_REMINDER, f"{action_id}#{award.award_id}", str(days)
                )
                change.put_due(due, f"CORP#{action_id}")


def _tell_administrator(
    change: Change, action: CorporateAction, action_id: str, holders: list[str]
) -> None:
    if notify.told(change, "admin-alert", action_id, "announced"):
        return
    day = action.action_date.isoformat()
    what = "assumed" if action.assumed else "not assumed: options and SARs terminate that day"
    notify.admin_alert(
        change,
        f"Covered transaction of {day} announced to {len(holders)} holder"
        f"{'s' if len(holders) != 1 else ''}",
        [
            f"The covered transaction of {day} ({what}) was recorded ahead of its date;"
            " these holders of outstanding awards were told at once (1998 §7.a;"
            " Directors §6(j), §7(b)(ii)):",
            *holders,
        ]
        if holders
        else [f"The covered transaction of {day} was recorded; nobody holds an outstanding award."],
        action_id,
        "announced",
    )


def withdrawn(change: Change, action: CorporateAction, action_id: str, request_id: str) -> None:
    """An announced covered transaction withdrawn before its date: its reminders are
    not sent (`remind` finds it gone) and the administrator is told which holders had
    been told of it, so they can be told it will not happen."""
    awards = [stored_award(raw).award for raw in change.table.query_index(rec.OPEN_AWARDS)]
    deferred = [
        stored_deferred(raw).deferred for raw in change.table.query_index(rec.OPEN_DEFERRED)
    ]
    told = [
        pid
        for pid, _, _ in _by_participant(awards, deferred)
        if notify.told(change, ANNOUNCEMENT, pid, action_id)
    ]
    if not told:
        return
    day = action.action_date.isoformat()
    notify.admin_alert(
        change,
        f"Covered transaction of {day} withdrawn: {len(told)} holder"
        f"{'s were' if len(told) != 1 else ' was'} told of it",
        [
            f"Correction {request_id} withdrew the covered transaction of {day}. These"
            " holders were told of it when it was recorded; their awards go on as before"
            " and no reminder of it will be sent:",
            *told,
        ],
        action_id,
        "withdrawn",
        request_id,
    )


def remind(change: Change, batch: list[tuple[DueItem, Item]]) -> str | None:
    """The daily job: a 30- or 7-day reminder of a covered transaction announced ahead,
    while it is still recorded and the award still ends on it."""
    due, item = batch[0]
    change.drop_due(item)
    action_id, award_id = due.ref.rsplit("#", 1)
    action_item = change.table.get(f"CORP#{action_id}", rec.ACTION_SK)
    stored = change.ledger.award_by_id(award_id)
    days = int(due.detail)
    on = due.day + timedelta(days=days)
    if action_item is None or action_item.get("applied") or stored is None:
        change.skipped = True  # withdrawn, applied, or the award is gone
        return None
    award = stored.award
    deadline = award.exercise_deadline
    late = change.notice_day > on or any(
        d < days and on - timedelta(days=d) <= change.notice_day for d in REMINDER_DAYS
    )
    if not award.is_outstanding or deadline is None or deadline < on or late:
        # Closed, its own deadline comes first (its own reminders say so), or caught up
        # past it (docs/plan-rules.md "Notices": no reminder that says something false).
        change.skipped = True
        return None
    person = change.ledger.participant_item(award.participant_id)
    assert person is not None, f"participant {award.participant_id} is missing"
    notify.covered_reminder(change, person, award, days, on, action_id)
    return None


__all__ = ["announce", "remind", "withdrawn"]
