"""What falls due on a day: the effects the daily job applies (docs/plan-rules.md "Notices",
"Vesting and termination", Directors §7(b)).

Catching up is the same as running every day: effects are applied in (day, order)
sequence and each effect's follow-ups are scheduled relative to the effect's own day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from stockplan.domain.calendar import day_after
from stockplan.domain.model import Award, AwardType, DeferredStatus, DeferredStockAward

REMINDER_DAYS = (30, 7)


class DueKind(StrEnum):
    # Values sort in the order effects of one day are applied: expiries of yesterday's
    # deadlines first, then settlements, corporate actions, grants, issues, reminders.
    EXPIRY = "1-expiry"
    SETTLE = "2-settle"
    # A fact fed ahead of its date (docs/plan-rules.md "Facts in time"): a termination before the
    # day's corporate action and meeting (a director whose service ended that day gets
    # no formula option), a grant before the split that restates it.
    SCHEDULED = "2s-scheduled"
    CORPORATE_ACTION = "3-corporate-action"
    MEETING = "4-meeting"
    FEE = "5-fee"
    ISSUE = "6-issue"
    REMINDER = "7-reminder"
    # 30 and 7 days before a covered transaction announced ahead, not assumed
    # (docs/plan-rules.md "Facts in time").
    COVERED_REMINDER = "7c-covered-reminder"


@dataclass(frozen=True, slots=True, order=True)
class DueItem:
    day: date
    kind: DueKind
    ref: str  # award id, deferred key, meeting date or action id
    detail: str = ""  # e.g. reminder "30@2003-02-28"

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}#{self.kind.value}#{self.ref}#{self.detail}"


def reminder_key(days: int, deadline: date) -> str:
    return f"{days}@{deadline.isoformat()}"


def award_schedule(award: Award, today: date) -> list[DueItem]:
    """Every future effect the award needs, given its state as of `today`."""
    if not award.is_outstanding:
        return []
    items: list[DueItem] = []
    if award.award_type.requires_exercise:
        deadline = award.exercise_deadline
        if deadline is None:
            return []
        # Marked expired by the run of the day after the (inclusive) deadline.
        items.append(DueItem(day_after(deadline), DueKind.EXPIRY, award.award_id))
        for days in REMINDER_DAYS:
            when = deadline - timedelta(days=days)
            key = reminder_key(days, deadline)
            if when >= today and key not in award.reminders_sent:
                items.append(DueItem(when, DueKind.REMINDER, award.award_id, key))
        return items
    if award.award_type is AwardType.PERFORMANCE:
        # Delivered only as the Committee certifies them (1998 §6.a.(9)).
        return []
    # Awards that need no exercise deliver their shares as they vest.
    next_vest = _next_settlement(award)
    if next_vest is not None:
        items.append(DueItem(next_vest, DueKind.SETTLE, award.award_id))
    return items


def next_due(award: Award, today: date) -> DueItem | None:
    """The one due item an award keeps on the due index (issue 13): the earliest effect
    of its schedule, or None when nothing is left to do. The daily job applies it on its
    day and moves the item on to the next; what the effect does on that day (a reminder
    caught up or skipped, an expiry after the deadline) is decided as for any due item
    (docs/plan-rules.md "Notices", "Vesting and termination")."""
    return min(award_schedule(award, today), default=None)


def _next_settlement(award: Award) -> date | None:
    if award.accelerated_on is not None:
        return award.accelerated_on
    if not award.tranches:
        return award.grant_date
    for tranche in sorted(award.tranches, key=lambda t: t.vest_date):
        if award.vested_shares(tranche.vest_date) > award.shares_exercised:
            if award.service_ended_on is not None and tranche.vest_date > award.service_ended_on:
                return None
            return tranche.vest_date
    return None


def deferred_schedule(deferred: DeferredStockAward) -> list[DueItem]:
    if deferred.status is not DeferredStatus.PENDING:
        return []
    return [DueItem(deferred.issue_date, DueKind.ISSUE, deferred.key)]


def expire_award(award: Award, day: date) -> Award:
    """The day after the deadline, every unexercised share expires."""
    deadline = award.exercise_deadline
    if not award.is_outstanding or deadline is None or day <= deadline:
        return award
    return award.evolve(shares_expired=award.shares_expired + award.shares_outstanding)


def settle_award(award: Award, day: date) -> Award:
    """Deliver the shares of an award that needs no exercise as they vest; a performance
    award's only as certified (1998 §6.a.(9))."""
    if (
        award.award_type.requires_exercise
        or award.award_type is AwardType.PERFORMANCE
        or not award.is_outstanding
    ):
        return award
    vested = min(award.vested_shares(day), award.shares_granted - award.shares_forfeited)
    delivered = max(award.shares_exercised, vested - award.shares_expired)
    return award.evolve(shares_exercised=delivered)


def reminder_due(award: Award, item: DueItem) -> bool:
    """A reminder goes out only if exercisable shares would expire at that deadline."""
    deadline = award.exercise_deadline
    return (
        deadline is not None
        and item.detail == reminder_key(int(item.detail.split("@")[0]), deadline)
        and item.detail not in award.reminders_sent
        and award.exercisable_shares(item.day) > 0
    )


def mark_reminded(award: Award, item: DueItem) -> Award:
    return award.evolve(reminders_sent=award.reminders_sent | {item.detail})
