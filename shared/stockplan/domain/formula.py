"""Formula options at annual meetings (Directors §3, §6(a), §6(c), §6(d), §6(e), §8(a))."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stockplan.domain.calendar import add_years
from stockplan.domain.model import (
    Award,
    AwardType,
    MeetingOutcome,
    Participant,
    PlanCode,
    Role,
)
from stockplan.domain.plans import FORMULA
from stockplan.domain.pools import Split, pro_rata
from stockplan.domain.splits import split_shares

GRANTING_OUTCOMES = frozenset({MeetingOutcome.REELECTED, MeetingOutcome.CONTINUING})


@dataclass(frozen=True, slots=True)
class RosterEntry:
    participant_id: str
    outcome: MeetingOutcome


def within_plan_term(meeting_date: date) -> bool:
    """No formula option for a meeting before 1999-07-27 or after 2009-07-27 (§3)."""
    return FORMULA.first_meeting <= meeting_date <= FORMULA.last_meeting


def formula_grant_size(meeting_date: date, splits: Sequence[Split] = ()) -> int:
    """10,000 shares as adjusted by the splits on or before the meeting (§6(a)); only
    splits from the plan's effective date on count (§4(c): "occurring after the
    effective date"; a split on that day applies, as it does to the reserve)."""
    size = FORMULA.shares
    for split in sorted(splits, key=lambda s: s.day):
        if FORMULA.first_meeting <= split.day <= meeting_date:
            size = split_shares(size, split.ratio)
    return size


def eligible_directors(
    meeting_date: date,
    roster: Sequence[RosterEntry],
    participants: Mapping[str, Participant],
    service_ended: Mapping[str, date],
) -> list[str]:
    """Directors re-elected or continuing whose service has not ended on or before the
    meeting (§6(a)); first elections and employee-directors get no formula option."""
    if not within_plan_term(meeting_date):
        return []
    chosen: set[str] = set()
    for entry in roster:
        person = participants.get(entry.participant_id)
        if person is None or person.role is not Role.DIRECTOR:
            continue
        if entry.outcome not in GRANTING_OUTCOMES:
            continue
        ended = service_ended.get(entry.participant_id)
        if ended is not None and ended <= meeting_date:
            continue
        chosen.add(entry.participant_id)
    return sorted(chosen)


def formula_award_id(meeting_date: date, participant_id: str) -> str:
    return f"FO-{meeting_date.isoformat()}-{participant_id}"


@dataclass(frozen=True, slots=True)
class FormulaGrants:
    awards: tuple[Award, ...]
    requested_each: int
    leftover: int  # shares a short pool keeps (§8(a))

    @property
    def pro_rated(self) -> bool:
        return any(a.shares_granted < self.requested_each for a in self.awards)


def formula_grants(
    meeting_date: date,
    director_ids: Sequence[str],
    fmv_day_before: Decimal,
    available: int,
    grant_size: int,
    cut: Mapping[str, int] | None = None,
) -> FormulaGrants:
    """Grant each director `grant_size` shares at the FMV of the day before the meeting,
    exercisable at once, for 5 years; pro rata floor(available / n) when short (§8(a)).
    `cut`: the shares of each option as cut together with the day's deferred stock
    (§8(a)), in place of the cut of the options alone."""
    requests = {pid: grant_size for pid in director_ids}
    granted = dict(cut) if cut is not None else pro_rata(requests, available)
    awards = tuple(
        Award(
            award_id=formula_award_id(meeting_date, pid),
            participant_id=pid,
            plan=PlanCode.DIRECTORS_1999,
            award_type=AwardType.FORMULA_OPTION,
            grant_date=meeting_date,
            shares_granted=granted[pid],
            exercise_price=fmv_day_before,
            final_exercise_date=add_years(meeting_date, FORMULA.term_years),
            exercise_deadline=add_years(meeting_date, FORMULA.term_years),
        )
        for pid in director_ids
        if granted[pid] > 0
    )
    used = sum(a.shares_granted for a in awards)
    return FormulaGrants(awards, grant_size, max(0, available - used))
