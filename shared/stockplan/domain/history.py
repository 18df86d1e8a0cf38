"""An award's history: the facts applied to it, in the order they were applied, and its
state derived from them (docs/plan-rules.md "Corrections").

Every change to an award is one event: its grant (the terms as granted), the end of its
holder's service, a death, an exercise, a split, a covered transaction, the daily rules
(expiry, delivery as it vests) and the Administrator's decisions. `replay` folds the
events with the same rules the feeds and the daily job apply one by one, so the state
of an award is a function of its history. A correction is a changed history: the
mistaken event replaced or removed, then `replay` again; what differs from the state
before is what gets written, scheduled and told. The result is what the system would
hold had the right row come in the first place, as of the day of the correction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from stockplan.domain.covered import covered_transaction_award
from stockplan.domain.exercise import check_exercise
from stockplan.domain.model import Award, Rejection, Termination, TerminationReason, Tranche
from stockplan.domain.performance import certify_award
from stockplan.domain.schedule import expire_award, settle_award
from stockplan.domain.splits import split_award
from stockplan.domain.termination import apply_death_after_termination, terminate_award


class EventKind(StrEnum):
    GRANT = "grant"
    TERMINATION = "termination"
    DEATH = "death"
    EXERCISE = "exercise"
    SPLIT = "split"
    COVERED = "covered"
    EXPIRE = "expire"
    SETTLE = "settle"
    EXTEND = "extend"
    ACCELERATE = "accelerate"
    CERTIFY = "certify"


# Events that read the vesting schedule: an acceleration effective before them must be
# in force when they are replayed (docs/plan-rules.md "Administrator decisions").
_READS_VESTING = frozenset(
    {EventKind.TERMINATION, EventKind.DEATH, EventKind.COVERED, EventKind.SETTLE}
)


@dataclass(frozen=True, slots=True)
class AwardEvent:
    kind: EventKind
    day: date
    # The event's own facts, as text (stored as they are): shares, reason, ratio...
    data: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.data.get(name, "")

    @property
    def applied(self) -> date | None:
        """The day the system applied it (a row is often fed after its date)."""
        text = self.data.get("applied")
        return None if not text else date.fromisoformat(text)

    def applied_on(self, day: date) -> AwardEvent:
        return AwardEvent(self.kind, self.day, {**self.data, "applied": day.isoformat()})

    def to_stored(self) -> list[Any]:
        return [self.kind.value, self.day.isoformat(), dict(self.data)]

    @staticmethod
    def from_stored(raw: Sequence[Any]) -> AwardEvent:
        kind, day, data = raw
        return AwardEvent(
            EventKind(kind), date.fromisoformat(day), {k: str(v) for k, v in data.items()}
        )


def grant_event(award: Award) -> AwardEvent:
    """The terms as granted: what a correct_grant changes and a split never does."""
    fmv = {} if award.fmv_on_grant is None else {"fmv_on_grant": str(award.fmv_on_grant)}
    if award.performance_criteria is not None:
        fmv["performance_criteria"] = award.performance_criteria
    return AwardEvent(
        EventKind.GRANT,
        award.grant_date,
        {
            **fmv,
            "award_id": award.award_id,
            "participant_id": award.participant_id,
            "plan": award.plan.value,
            "award_type": award.award_type.value,
            "shares": str(award.shares_granted),
            "exercise_price": "" if award.exercise_price is None else str(award.exercise_price),
            "final_exercise_date": ""
            if award.final_exercise_date is None
            else award.final_exercise_date.isoformat(),
            "vesting": ";".join(f"{t.vest_date.isoformat()}:{t.shares}" for t in award.tranches),
        },
    )


def granted_award(event: AwardEvent) -> Award:
    from stockplan.domain.model import AwardType, PlanCode

    award_type = AwardType(event.get("award_type"))
    final = event.get("final_exercise_date")
    price = event.get("exercise_price")
    vesting = event.get("vesting")
    fmv = event.get("fmv_on_grant")
    return Award(
        award_id=event.get("award_id"),
        participant_id=event.get("participant_id"),
        plan=PlanCode(event.get("plan")),
        award_type=award_type,
        grant_date=event.day,
        shares_granted=int(event.get("shares")),
        exercise_price=Decimal(price) if price else None,
        final_exercise_date=date.fromisoformat(final) if final else None,
        tranches=_tranches(vesting),
        exercise_deadline=date.fromisoformat(final)
        if final and award_type.requires_exercise
        else None,
        fmv_on_grant=Decimal(fmv) if fmv else None,
        performance_criteria=event.data.get("performance_criteria"),
    )


def _tranches(text: str) -> tuple[Tranche, ...]:
    if not text:
        return ()
    parts = (part.split(":") for part in text.split(";"))
    return tuple(Tranche(date.fromisoformat(d), int(n)) for d, n in parts)


def termination_event(termination: Termination) -> AwardEvent:
    kind = (
        EventKind.DEATH if termination.reason is TerminationReason.DEATH else EventKind.TERMINATION
    )
    return AwardEvent(kind, termination.termination_date, {"reason": termination.reason.value})


def exercise_event(
    day: date,
    shares: int,
    withheld: int,
    exercise_id: str | None,
    tendered: int = 0,
    payment: str = "cash",
    iso_shares: int = 0,
) -> AwardEvent:
    data = {"shares": str(shares), "withheld": str(withheld)}
    if iso_shares:
        # Of the shares, those exercised as ISO shares (Code §422(d)): Form 3921's figure.
        data["iso"] = str(iso_shares)
    if exercise_id:
        data["exercise_id"] = exercise_id
    # Kept only where given, so an exercise recorded before these columns reads the same.
    if tendered:
        data["tendered"] = str(tendered)
    if payment != "cash":
        data["payment"] = payment
    return AwardEvent(EventKind.EXERCISE, day, data)


def apply_event(award: Award, event: AwardEvent) -> Award:
    """One step, exactly as the feed or daily rule that recorded the event applies it."""
    kind = event.kind
    if kind is EventKind.TERMINATION or (
        kind is EventKind.DEATH and award.service_ended_on is None
    ):
        reason = TerminationReason(event.get("reason") or "death")
        termination = Termination(award.participant_id, event.day, reason)
        return terminate_award(award, termination).award
    if kind is EventKind.DEATH:
        return apply_death_after_termination(award, event.day).award
    if kind is EventKind.EXERCISE:
        shares, withheld = int(event.get("shares")), int(event.get("withheld"))
        # An exercise stays recorded (docs/plan-rules.md "Corrections"); what the award no longer
        # holds outstanding comes back from shares expired after it.
        reopened = min(award.shares_expired, max(0, shares - award.shares_outstanding))
        return award.evolve(
            shares_exercised=award.shares_exercised + shares,
            shares_withheld=award.shares_withheld + withheld,
            shares_tendered=award.shares_tendered + int(event.get("tendered") or 0),
            shares_expired=award.shares_expired - reopened,
            shares_iso_exercised=award.shares_iso_exercised + int(event.get("iso") or 0),
        )
    if kind is EventKind.SPLIT:
        return split_award(award, Decimal(event.get("ratio")))
    if kind is EventKind.COVERED:
        covered = covered_transaction_award(award, event.day, event.get("assumed") == "true")
        exchange = event.get("exchange_ratio")
        # Assumed with an exchange ratio: restated as a split of that ratio (1998 §7.a;
        # Directors §6(j)).
        return split_award(covered, Decimal(exchange)) if exchange else covered
    if kind is EventKind.EXPIRE:
        return expire_award(award, event.day)
    if kind is EventKind.SETTLE:
        return settle_award(award, event.day)
    if kind is EventKind.EXTEND:
        return extend_deadline(award, date.fromisoformat(event.get("new_deadline")))
    if kind is EventKind.ACCELERATE:
        return accelerate(award, event.day, int(event.get("shares")))
    if kind is EventKind.CERTIFY:
        return certify_award(award, event.day, int(event.get("shares")))
    raise ValueError(f"cannot replay an event of kind {kind}")  # pragma: no cover


def _steps(events: Iterable[AwardEvent]) -> Iterator[tuple[Award, AwardEvent | None]]:
    """The award as it stood before each event after the grant (None: after the last)."""
    ordered = list(events)
    if not ordered or ordered[0].kind is not EventKind.GRANT:
        raise ValueError("an award's history starts with its grant")
    award = granted_award(ordered[0])
    for event in ordered[1:]:
        if event.applied is not None:
            # The daily job had run every day before: what was past its deadline then
            # had expired (a corrected history may lack that expiry, docs/plan-rules.md
            # "Corrections"; a faithful one has it already, and this changes nothing).
            award = expire_award(award, event.applied - timedelta(days=1))
        yield award, event
        award = apply_event(award, event)
    yield award, None


def replay(events: Iterable[AwardEvent]) -> Award:
    """The award its history makes: the grant, then each event in the order applied."""
    return next(award for award, event in _steps(events) if event is None)


def refused_exercises(events: Iterable[AwardEvent]) -> dict[int, Rejection]:
    """The recorded exercises the award, as this history makes it, would not allow where
    they stand (by index in the history): what a corrected grant must not leave behind
    (docs/plan-rules.md "Corrections": void the exercise first)."""
    refused: dict[int, Rejection] = {}
    for index, (award, event) in enumerate(_steps(events), start=1):
        if event is None or event.kind is not EventKind.EXERCISE:
            continue
        shares, withheld = int(event.get("shares")), int(event.get("withheld") or 0)
        rejection = check_exercise(award, event.day, shares, withheld).rejection
        if rejection is not None:
            refused[index] = rejection
    return refused


def extend_deadline(award: Award, new_deadline: date) -> Award:
    """The Administrator gives a terminated participant's option more time (1998
    §6.a.(5); Directors §6(h)); never beyond the final exercise date."""
    if award.final_exercise_date is not None:
        new_deadline = min(new_deadline, award.final_exercise_date)
    if award.exercise_deadline is not None and new_deadline <= award.exercise_deadline:
        return award
    return award.evolve(exercise_deadline=new_deadline)


def accelerate(award: Award, effective: date, shares: int) -> Award:
    """`shares` unvested shares vest on `effective`, the earliest tranches first
    (docs/plan-rules.md "Administrator decisions")."""
    if not award.tranches:
        return award
    moved = 0
    kept: list[Tranche] = []
    early = 0
    for tranche in sorted(award.tranches, key=lambda t: t.vest_date):
        if tranche.vest_date <= effective or moved >= shares:
            kept.append(tranche)
            continue
        take = min(tranche.shares, shares - moved)
        moved += take
        early += take
        if tranche.shares > take:
            kept.append(Tranche(tranche.vest_date, tranche.shares - take))
    if early == 0:
        return award
    merged: dict[date, int] = {}
    for tranche in [*kept, Tranche(effective, early)]:
        merged[tranche.vest_date] = merged.get(tranche.vest_date, 0) + tranche.shares
    return award.evolve(tranches=tuple(Tranche(d, n) for d, n in sorted(merged.items())))


def with_acceleration(events: Sequence[AwardEvent], decision: AwardEvent) -> list[AwardEvent]:
    """The history with an acceleration in force from its effective date: before the
    first event on or after that day that reads the vesting schedule (a termination
    then counts the shares as vested, docs/plan-rules.md "Administrator decisions")."""
    result = list(events)
    for index, event in enumerate(result):
        if index and event.kind in _READS_VESTING and event.day >= decision.day:
            result.insert(index, decision)
            return result
    result.append(decision)
    return result


def with_extension(events: Sequence[AwardEvent], decision: AwardEvent) -> list[AwardEvent]:
    """The history with an extension in force from its decision date: before the first
    expiry after that day, which then expires nothing the new deadline keeps open (an
    extension dated in time applies whatever day it is fed, docs/plan-rules.md
    "Administrator decisions")."""
    result = list(events)
    for index, event in enumerate(result):
        if index and event.kind is EventKind.EXPIRE and event.day > decision.day:
            result.insert(index, decision)
            return result
    result.append(decision)
    return result


def unvested_shares(award: Award, on: date) -> int:
    """Shares whose vesting date is after `on` by the schedule (a termination's
    forfeiture aside): what an acceleration effective on `on` may move."""
    if not award.tranches:
        return 0
    return sum(t.shares for t in award.tranches if t.vest_date > on)


# --- corrections: a changed history (docs/plan-rules.md "Corrections") ---------------------------

_ENDS_SERVICE = (EventKind.TERMINATION, EventKind.DEATH)


def without_termination(events: Sequence[AwardEvent]) -> list[AwardEvent]:
    """reverse_termination: the end of service (and a death after it) removed."""
    return [e for e in events if e.kind not in _ENDS_SERVICE]


def with_termination(
    events: Sequence[AwardEvent], corrected: Termination
) -> list[AwardEvent] | None:
    """correct_termination: the recorded end of service replaced where it was applied;
    None when the award's history has none (it was closed before)."""
    result = list(events)
    for index, event in enumerate(result):
        if event.kind in _ENDS_SERVICE:
            # At the same point and on the same day as the row it corrects.
            replacement = termination_event(corrected)
            if event.applied is not None:
                replacement = replacement.applied_on(event.applied)
            result[index] = replacement
            return result
    return None


def find_exercise(
    events: Sequence[AwardEvent], day: date, shares: int, exercise_id: str | None
) -> int | None:
    """Where the exercise a void_exercise names stands in the history, if it does."""
    for index, event in enumerate(events):
        if (
            event.kind is EventKind.EXERCISE
            and event.day == day
            and event.get("shares") == str(shares)
            and (exercise_id is None or event.get("exercise_id") == exercise_id)
        ):
            return index
    return None


def with_grant_terms(events: Sequence[AwardEvent], corrected: Award) -> list[AwardEvent]:
    """correct_grant: the award as granted replaced; splits since apply again."""
    return [grant_event(corrected), *events[1:]]


def as_of(events: Sequence[AwardEvent], day: date) -> list[AwardEvent]:
    """The history brought to `day` by the daily rules: shares whose deadline has passed
    expire now (a corrected deadline already behind us, docs/plan-rules.md "Corrections"), and an
    award that needs no exercise delivers what has vested by then."""
    result = list(events)
    award = replay(result)
    for kind, rule in ((EventKind.EXPIRE, expire_award), (EventKind.SETTLE, settle_award)):
        if rule(award, day) != award:
            result.append(AwardEvent(kind, day))
            award = apply_event(award, result[-1])
    return result
