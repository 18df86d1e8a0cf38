"""Corrections and administrator decisions (docs/interfaces.md §1b, §1c; docs/plan-rules.md
"Corrections", "Administrator decisions").

A correction changes a fact in an award's history (stockplan.domain.history) and
replays it: the award is then what it would be had the right row come in the first
place, as of the correction's day. A decision adds an event to the history. What differs
from before is written (pools move with it, reminders and expiry are scheduled anew from
the new state), told to the participant and recorded in the audit trail with the
request_id and note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from stockplan.data import records as rec
from stockplan.data.table import Item, Update
from stockplan.domain import deferred as dfr
from stockplan.domain.history import (
    AwardEvent,
    EventKind,
    as_of,
    find_exercise,
    granted_award,
    refused_exercises,
    replay,
    unvested_shares,
    with_acceleration,
    with_extension,
    with_grant_terms,
    with_termination,
    without_termination,
)
from stockplan.domain.model import (
    Award,
    AwardType,
    CorporateActionKind,
    CorrectionAction,
    DecisionAction,
    PlanCode,
    Service,
    Termination,
    TerminationReason,
)
from stockplan.domain.performance import certification_rejection
from stockplan.domain.roles import award_service
from stockplan.domain.schedule import DueItem, DueKind
from stockplan.feeds import CorrectionRow, DecisionRow, FeedKind
from stockplan.feeds.identity import canonical
from stockplan.feeds.rows import TerminationRow
from stockplan.service import notify, scheduled
from stockplan.service.ledger import Change, StoredAward, stored_award, stored_deferred
from stockplan.service.rows import grant_rejection, with_grant_fmv

CONSENT_SECTIONS = "1998 §3, §9; Directors §8(f)"


@dataclass(frozen=True, slots=True)
class Restated:
    """One award a correction or decision changed: before and after."""

    before: Award
    after: Award


def _request_cause(kind: str, row: CorrectionRow | DecisionRow) -> dict[str, str]:
    return {
        "kind": kind,
        "request_id": row.request_id,
        "action": row.action.value,
        "note": row.note or "",
    }


def _cause(change: Change, kind: str, row: CorrectionRow | DecisionRow) -> None:
    """The audit trail names the request and its note, beside the file and row."""
    change.cause_info = {**(change.cause_info or {}), **_request_cause(kind, row)}


def apply_correction(change: Change, row: CorrectionRow) -> str | None:
    _cause(change, "correction", row)
    if row.action is CorrectionAction.REVERSE_TERMINATION:
        return _reverse_termination(change, row)
    if row.action is CorrectionAction.CORRECT_TERMINATION:
        return _correct_termination(change, row)
    if row.action is CorrectionAction.VOID_EXERCISE:
        return _void_exercise(change, row)
    if row.action is CorrectionAction.WITHDRAW_CORPORATE_ACTION:
        return _withdraw_corporate_action(change, row)
    return _correct_grant(change, row)


def apply_decision(change: Change, row: DecisionRow) -> str | None:
    _cause(change, "decision", row)
    stored = change.ledger.award_by_id(row.award_id)
    if stored is None:
        return no_award(row.award_id)
    if row.action is DecisionAction.EXTEND_EXERCISE_PERIOD:
        return _extend(change, row, stored)
    if row.action is DecisionAction.CERTIFY_PERFORMANCE:
        return _certify(change, row, stored)
    return _accelerate(change, row, stored)


# --- shared steps ---------------------------------------------------------------------


def no_award(award_id: str) -> str:
    return (
        f"no award {award_id} is recorded: check the award_id (an award loaded through"
        " grants, or a formula option FO-<grant date>-<participant_id>)"
    )


def _rewrite(change: Change, stored: StoredAward, history: list[AwardEvent]) -> Restated | None:
    """Replay a changed history and write the award; shares whose deadline has passed
    by the day of the correction expire now (docs/plan-rules.md "Corrections")."""
    history = as_of(history, change.day)
    after = replay(history).evolve(reminders_sent=stored.award.reminders_sent)
    if after == stored.award and tuple(history) == stored.history:
        return None
    change.save_award(stored, after, history=history)
    return Restated(stored.award, after)


def _awards_of(records: list[Item]) -> list[StoredAward]:
    return [stored_award(i) for i in records if i.get("type") == "award"]


def _profile(records: list[Item]) -> Item | None:
    return next((i for i in records if i["SK"] == rec.PROFILE_SK), None)


def _audit(change: Change, row: CorrectionRow | DecisionRow, subject: str) -> None:
    change.audit(
        subject,
        "REQUEST",
        row.action.value,
        {"request_id": row.request_id, "note": row.note or ""},
    )


def _tell(
    change: Change,
    person: Item,
    row: CorrectionRow | DecisionRow,
    restated: list[Restated],
    *,
    also_personal: bool = False,
    decided_on: date | None = None,
) -> None:
    if restated:
        # A decision takes effect on its effective_date (accelerate_vesting) or its date.
        effective = (
            (row.effective_date or row.decision_date) if isinstance(row, DecisionRow) else None
        )
        notify.correction(
            change,
            person,
            row.request_id,
            row.action.value,
            restated,
            also_personal,
            decided_on=decided_on,
            effective_on=effective,
        )


# --- terminations -------------------------------------------------------------------------


def _reverse_termination(change: Change, row: CorrectionRow) -> str | None:
    assert row.participant_id is not None
    waiting = scheduled.scheduled(change, FeedKind.TERMINATIONS.value, row.participant_id)
    if waiting is not None:
        # Not applied yet (dated ahead): withdrawn, and nobody was told of it.
        change.fact_day = date.fromisoformat(str(waiting["day"]))
        scheduled.withdraw(change, waiting)
        change.tx.delete(rec.fact_pk(FeedKind.TERMINATIONS.value, row.participant_id), rec.FACT_SK)
        _audit(change, row, rec.participant_pk(row.participant_id))
        return None
    records = change.ledger.participant_records(row.participant_id)
    person = _profile(records)
    if person is not None and rec.termination_from(person) is None and person.get(rec.SERVICE_ENDS):
        return _reverse_service_end(change, row, records, person)
    if person is None or rec.termination_from(person) is None:
        return (
            f"no termination is recorded for {row.participant_id}: nothing to reverse"
            " (check the participant_id)"
        )
    ended = rec.termination_from(person)
    assert ended is not None
    # A correction is about the fact it corrects (go-live, docs/plan-rules.md "Facts in time").
    change.fact_day = ended.termination_date
    restated = []
    for stored in _awards_of(records):
        done = _rewrite(change, stored, without_termination(stored.history))
        if done is not None:
            restated.append(done)
            change.maybe_flush()
    _restore_deferred(change, records, None)
    updated = {k: v for k, v in person.items() if k not in ("termination", "death")}
    change.save_profile(updated, person)
    change.tx.delete(rec.fact_pk(FeedKind.TERMINATIONS.value, row.participant_id), rec.FACT_SK)
    _regrant_formula_options(change, records, ended.termination_date, row)
    _audit(change, row, person["PK"])
    # They were told their service had ended: the work and the personal mailbox hear.
    _tell(change, updated, row, restated, also_personal=True)
    return None


def _reverse_service_end(
    change: Change, row: CorrectionRow, records: list[Item], person: Item
) -> str | None:
    """The end of one relationship recorded while another went on (the latest one) is
    removed: the awards held in respect of it are restored, as a reversed termination
    restores them (docs/plan-rules.md "Corrections", "Facts in time"); a reversed
    directorship restores the formula options of the meetings held since."""
    assert row.participant_id is not None
    ends = rec.service_ends_from(person)
    ended = max(ends.values(), key=lambda t: t.termination_date)
    assert ended.service is not None
    change.fact_day = ended.termination_date
    roles = rec.role_history_from(person)
    restated = []
    for stored in _awards_of(records):
        if award_service(stored.award, roles) is not ended.service:
            continue
        done = _rewrite(change, stored, without_termination(stored.history))
        if done is not None:
            restated.append(done)
            change.maybe_flush()
    if ended.service is Service.DIRECTORSHIP:
        _restore_deferred(change, records, None)
    updated = dict(person)
    kept = {k: v for k, v in dict(person[rec.SERVICE_ENDS]).items() if k != ended.service.value}
    if kept:
        updated[rec.SERVICE_ENDS] = kept
    else:
        updated.pop(rec.SERVICE_ENDS)
    change.save_profile(updated, person)
    change.tx.delete(rec.fact_pk(FeedKind.TERMINATIONS.value, row.participant_id), rec.FACT_SK)
    if ended.service is Service.DIRECTORSHIP:
        _regrant_formula_options(change, records, ended.termination_date, row)
    _audit(change, row, person["PK"])
    _tell(change, updated, row, restated, also_personal=True)
    return None


def _correct_termination(change: Change, row: CorrectionRow) -> str | None:
    assert row.participant_id and row.termination_date and row.reason
    waiting = scheduled.scheduled(change, FeedKind.TERMINATIONS.value, row.participant_id)
    if waiting is not None:
        return _correct_scheduled_termination(change, row, waiting)
    records = change.ledger.participant_records(row.participant_id)
    person = _profile(records)
    recorded = None if person is None else rec.termination_from(person)
    if person is None or recorded is None:
        return (
            f"no termination is recorded for {row.participant_id}: nothing to correct"
            " (check the participant_id; a termination not yet recorded is fed as a"
            " terminations row)"
        )
    corrected = Termination(row.participant_id, row.termination_date, row.reason)
    change.fact_day = max(recorded.termination_date, corrected.termination_date)
    if corrected == recorded:
        return (
            f"the termination of {row.participant_id} is already recorded on"
            f" {corrected.termination_date.isoformat()} ({corrected.reason.value})"
        )
    restated = []
    for stored in _awards_of(records):
        history = with_termination(stored.history, corrected)
        if history is None:
            continue
        done = _rewrite(change, stored, history)
        if done is not None:
            restated.append(done)
            change.maybe_flush()
    _restore_deferred(change, records, corrected.termination_date)
    updated = dict(person)
    updated["termination"] = rec.termination_value(corrected)
    if corrected.reason is TerminationReason.DEATH:
        updated["death"] = rec.termination_value(corrected)
    elif recorded.reason is TerminationReason.DEATH:
        updated.pop("death", None)
    change.save_profile(updated, person)
    _replace_fact(
        change,
        FeedKind.TERMINATIONS,
        row.participant_id,
        {
            "participant_id": row.participant_id,
            "termination_date": corrected.termination_date.isoformat(),
            "reason": corrected.reason.value,
        },
    )
    if corrected.termination_date > recorded.termination_date:
        _regrant_formula_options(change, records, recorded.termination_date, row)
    _audit(change, row, person["PK"])
    _tell(change, updated, row, restated)
    return None


def _correct_scheduled_termination(change: Change, row: CorrectionRow, waiting: Item) -> str | None:
    """A termination fed ahead of its date, corrected before it: as if fed with the
    corrected date and reason; scheduled again while that date is still ahead, applied
    now once it is not (docs/plan-rules.md "Facts in time")."""
    assert row.participant_id and row.termination_date and row.reason
    values = {
        "participant_id": row.participant_id,
        "termination_date": row.termination_date.isoformat(),
        "reason": row.reason.value,
    }
    if values == {k: str(v) for k, v in waiting["values"].items()}:
        return (
            f"the termination of {row.participant_id} is already scheduled on"
            f" {row.termination_date.isoformat()} ({row.reason.value})"
        )
    ahead = row.termination_date > change.day
    change.fact_day = row.termination_date
    scheduled.withdraw(change, waiting, rescheduled=ahead)
    source_key, source_row = str(waiting["source_key"]), int(waiting["source_row"])
    if ahead:
        scheduled.schedule(
            change,
            FeedKind.TERMINATIONS.value,
            row.participant_id,
            row.termination_date,
            values,
            source_key,
            source_row,
        )
    else:
        from stockplan.service.rows import apply_termination

        result = apply_termination(change, TerminationRow.model_validate(values))
        if isinstance(result, str):
            return result
    _replace_fact(change, FeedKind.TERMINATIONS, row.participant_id, values)
    _audit(change, row, rec.participant_pk(row.participant_id))
    return None


def _withdraw_corporate_action(change: Change, row: CorrectionRow) -> str | None:
    """A split or covered transaction recorded ahead of its date that will not happen:
    removed, only before its date (docs/plan-rules.md "Facts in time")."""
    assert row.action_date is not None
    change.fact_day = row.action_date
    day = row.action_date.isoformat()
    kinds = [row.corporate_action] if row.corporate_action else list(CorporateActionKind)
    found = [
        item
        for kind in kinds
        if (item := change.table.get(f"CORP#{day}#{kind.value}", rec.ACTION_SK)) is not None
    ]
    if not found:
        what = row.corporate_action.value if row.corporate_action else "corporate action"
        return f"no {what} is recorded on {day}: nothing to withdraw"
    if len(found) > 1:
        return (
            f"a split and a covered_transaction are both recorded on {day}: name the one"
            " to withdraw in the corporate_action column"
        )
    action_item = found[0]
    if row.action_date <= change.day or action_item.get("applied"):
        return (
            f"the {action_item['action']} of {day} has taken effect: only a corporate"
            " action still ahead of its date can be withdrawn"
        )
    action = rec.corporate_action_from(action_item)
    action_id = str(action_item["action_id"])
    change.tx.delete(str(action_item["PK"]), rec.ACTION_SK)
    change.delete_due(DueItem(row.action_date, DueKind.CORPORATE_ACTION, action_id))
    change.tx.delete(
        rec.fact_pk(FeedKind.CORPORATE_ACTIONS.value, f"{day}|{action.kind.value}"), rec.FACT_SK
    )
    _audit(change, row, str(action_item["PK"]))
    if action.kind is CorporateActionKind.COVERED_TRANSACTION:
        from stockplan.service.covered_ahead import withdrawn

        withdrawn(change, action, action_id, row.request_id)
    return None


def _restore_deferred(change: Change, records: list[Item], ended: date | None) -> None:
    """Pending deferred stock is issued when service ends (Directors §7(b)): its issue
    date follows the corrected end of service. Stock already issued stays issued."""
    for item in records:
        if item.get("type") != "deferred" or item.get("status") != "pending":
            continue
        stored = stored_deferred(item)
        issue_on = dfr.issue_date(stored.deferred.award_date, ended)
        if issue_on != stored.deferred.issue_date:
            change.save_deferred(stored, replace(stored.deferred, issue_date=issue_on))


def _regrant_formula_options(
    change: Change, records: list[Item], since: date, row: CorrectionRow
) -> None:
    """A meeting held after `since` may owe the director a formula option now that
    their service did not end then: the meeting falls due again and the daily job
    grants what is missing, with the meeting's date and price (Directors §6(a)). The
    director's roster row of a meeting already held names the correction, which the
    audit record of such a grant gives as its cause."""
    assert row.participant_id is not None
    for item in records:
        if item.get("type") != "roster_entry":
            continue
        meeting = date.fromisoformat(str(item["meeting_date"]))
        if meeting <= since:
            continue
        if meeting <= change.day:
            change.tx.update(
                Update(
                    rec.meeting_pk(meeting.isoformat()),
                    rec.roster_sk(row.participant_id),
                    "SET restored_by = :cause",
                    {":cause": _request_cause("correction", row)},
                    condition="attribute_exists(PK)",
                )
            )
        change.put_due(
            DueItem(meeting, DueKind.MEETING, meeting.isoformat()),
            rec.meeting_pk(meeting.isoformat()),
        )


def _replace_fact(change: Change, kind: FeedKind, key: str, values: dict[str, str]) -> None:
    """The corrected values become the fact of the key: the corrected row uploaded
    again is unchanged, the original one a conflict (docs/plan-rules.md "Corrections")."""
    fact = change.ledger.fact(kind.value, key)
    version = 1 if fact is None else fact.version + 1
    source = ("correction", 0) if fact is None else (fact.source_key, fact.source_row)
    item = rec.fact_item(kind.value, key, values, source[0], source[1], version)
    change.put_versioned(item, None if fact is None else fact.version)


# --- exercises ----------------------------------------------------------------------------


def _void_exercise(change: Change, row: CorrectionRow) -> str | None:
    assert row.award_id and row.exercise_date and row.shares is not None
    stored = change.ledger.award_by_id(row.award_id)
    if stored is None:
        return no_award(row.award_id)
    index = find_exercise(stored.history, row.exercise_date, row.shares, row.exercise_id)
    if index is None:
        return (
            f"no exercise of {row.shares} shares of {row.award_id} on"
            f" {row.exercise_date.isoformat()}"
            + (f" with exercise_id {row.exercise_id}" if row.exercise_id else "")
            + " is recorded: nothing to void (check the award_id, exercise_date, shares"
            " and exercise_id against the exercise as it was fed)"
        )
    voided = stored.history[index]
    change.fact_day = row.exercise_date
    history = [e for i, e in enumerate(stored.history) if i != index]
    done = _rewrite(change, stored, history)
    # The exercise's row keys now say it was voided, and by which correction: the same
    # row sent again (a month's file re-sent) is rejected naming it, and an exercise
    # that did happen after all is recorded with a new exercise_id.
    withheld = voided.get("withheld")
    four = "|".join((row.award_id, row.exercise_date.isoformat(), str(row.shares), withheld))
    # AwardEvent.get gives "" for a field the event lacks: an exercise fed without an id.
    keys = [] if not voided.get("exercise_id") else [f"id:{voided.get('exercise_id')}"]
    if not any(_same_four(e, voided) for e in history):
        # No equal exercise (another exercise_id) stands for the four columns.
        keys.append(f"four:{four}")
    for key in keys:
        _void_fact(change, key, row.request_id)
    person = change.ledger.participant_item(stored.award.participant_id)
    assert person is not None
    _audit(change, row, person["PK"])
    _tell(change, person, row, [] if done is None else [done])
    return None


def _same_four(event: AwardEvent, voided: AwardEvent) -> bool:
    return (
        event.kind is EventKind.EXERCISE
        and all(event.get(name) == voided.get(name) for name in ("shares", "withheld"))
        and event.day == voided.day
    )


def _void_fact(change: Change, key: str, request_id: str) -> None:
    """The fact of an exercise's row key, marked voided by the correction `request_id`."""
    kind = FeedKind.EXERCISES.value
    fact = change.ledger.fact(kind, key)
    values = {} if fact is None else fact.values
    source = ("correction", 0) if fact is None else (fact.source_key, fact.source_row)
    version = 1 if fact is None else fact.version + 1
    item = rec.fact_item(kind, key, values, *source, version, voided_by=request_id)
    change.put(item)


# --- grants -------------------------------------------------------------------------------


def _correct_grant(change: Change, row: CorrectionRow) -> str | None:
    assert row.award_id
    stored = change.ledger.award_by_id(row.award_id)
    if stored is None or not stored.history:
        return no_award(row.award_id)
    old = granted_award(stored.history[0])
    new = _corrected_terms(old, row)
    change.fact_day = max(old.grant_date, new.grant_date)
    if new == old:
        return f"the correction of {row.award_id} changes none of its terms"
    records = change.ledger.participant_records(old.participant_id)
    person = _profile(records)
    assert person is not None
    # The grant rules of a fed grants row, word for word, against what is recorded now:
    # the person's service, their other awards, the pool with this award's shares back.
    held = [s.award for s in _awards_of(records) if s.award.award_id != new.award_id]
    rejection = grant_rejection(
        change, new, person, held, given_back=stored.award.shares_outstanding
    )
    if rejection is not None:
        return rejection
    adverse = _adverse(old, new)
    if adverse and not row.participant_consent:
        return (
            f"the correction is adverse to the participant ({'; '.join(adverse)}):"
            f" it needs participant_consent true ({CONSENT_SECTIONS})"
        )
    # The $100,000 limit counts the corrected grant date's value (Code §422(d)).
    new = with_grant_fmv(change, new)
    history = with_grant_terms(stored.history, new)
    rejection = _exercises_kept(row.award_id, stored.history, history)
    if rejection is not None:
        return rejection
    done = _rewrite(change, stored, history)
    _replace_fact(change, FeedKind.GRANTS, old.award_id, _granted_values(new))
    _audit(change, row, person["PK"])
    _tell(change, person, row, [] if done is None else [done])
    return None


def _exercises_kept(
    award_id: str, recorded: Sequence[AwardEvent], corrected: list[AwardEvent]
) -> str | None:
    """A corrected grant may not leave a recorded exercise outside what it allows: too
    many shares, before the grant date, after the final exercise date, not yet vested."""
    after = replay(corrected)
    if after.shares_outstanding < 0:
        return (
            f"{award_id} has {after.shares_exercised} shares exercised, more than the"
            f" corrected award allows: void the exercise first ({CONSENT_SECTIONS}:"
            " a correction cannot take back shares already delivered)"
        )
    allowed_before = refused_exercises(recorded)
    for index, rejection in refused_exercises(corrected).items():
        if index in allowed_before:
            continue  # refused already under the terms recorded: not this correction's
        exercise = corrected[index]
        return (
            f"the exercise of {exercise.get('shares')} shares on {exercise.day.isoformat()}"
            f" would not be allowed under the corrected terms of {award_id} ({rejection}):"
            f" void the exercise first ({CONSENT_SECTIONS}: a correction cannot take back"
            " shares already delivered)"
        )
    return None


def _corrected_terms(old: Award, row: CorrectionRow) -> Award:
    """The award as granted, with the terms the correction row states."""
    new = old.evolve(
        grant_date=row.grant_date or old.grant_date,
        shares_granted=old.shares_granted if row.shares is None else row.shares,
        exercise_price=row.exercise_price if row.exercise_price is not None else old.exercise_price,
        final_exercise_date=row.final_exercise_date or old.final_exercise_date,
        tranches=old.tranches if row.vesting is None else row.vesting,
    )
    return new.evolve(
        exercise_deadline=new.final_exercise_date if new.award_type.requires_exercise else None
    )


def _granted_values(award: Award) -> dict[str, str]:
    """The terms as a grants row states them (stockplan.feeds.identity)."""
    return {
        "award_id": award.award_id,
        "participant_id": award.participant_id,
        "plan": award.plan.value,
        "award_type": award.award_type.value,
        "grant_date": canonical(award.grant_date),
        "shares": str(award.shares_granted),
        "exercise_price": canonical(award.exercise_price),
        "final_exercise_date": canonical(award.final_exercise_date),
        "vesting": canonical(award.tranches),
        "performance_criteria": canonical(award.performance_criteria),
    }


def _adverse(old: Award, new: Award) -> list[str]:
    """What in a corrected grant is worse for the participant (docs/plan-rules.md "Corrections")."""
    found = []
    if new.shares_granted < old.shares_granted:
        found.append(f"shares {old.shares_granted} -> {new.shares_granted}")
    if (old.exercise_price or Decimal(0)) < (new.exercise_price or Decimal(0)):
        found.append(f"exercise_price {old.exercise_price} -> {new.exercise_price}")
    if (
        old.final_exercise_date is not None
        and new.final_exercise_date is not None
        and new.final_exercise_date < old.final_exercise_date
    ):
        found.append(
            f"final_exercise_date {old.final_exercise_date.isoformat()}"
            f" -> {new.final_exercise_date.isoformat()}"
        )
    days = sorted({t.vest_date for t in (*old.tranches, *new.tranches)} | {old.grant_date})
    if any(new.vested_shares(d) < min(old.vested_shares(d), new.shares_granted) for d in days):
        found.append("shares vest later")
    return found


# --- decisions ----------------------------------------------------------------------------


def _extend(change: Change, row: DecisionRow, stored: StoredAward) -> str | None:
    award = stored.award
    new_deadline = row.new_deadline
    assert new_deadline is not None
    section = "1998 §6.a.(5)" if award.plan is PlanCode.INCENTIVE_1998 else "Directors §6(h)"
    if not award.award_type.requires_exercise:
        return f"{award.award_id} is not an option or SAR: it has no exercise period ({section})"
    if award.service_ended_on is None or award.exercise_deadline is None:
        return (
            f"{award.participant_id}'s service has not ended: {award.award_id} has no"
            f" post-termination exercise period to extend ({section})"
        )
    person = change.ledger.participant_item(award.participant_id)
    assert person is not None
    if award.plan is PlanCode.DIRECTORS_1999 and not person.get("death"):
        return (
            "a directors-1999 option's exercise period may be extended only after a death"
            " (Directors §6(h)); after any other end of service §6(i) leaves no discretion"
        )
    # Judged as of the decision's date: one dated on or before the deadline applies
    # whatever day it is fed, and gives back the shares that expired at that deadline.
    if row.decision_date > award.exercise_deadline or (
        award.shares_outstanding + award.shares_expired == 0
    ):
        return (
            f"{award.award_id} closed on {award.exercise_deadline.isoformat()}; a decision"
            f" dated {row.decision_date.isoformat()} cannot revive it ({section})"
        )
    if new_deadline <= award.exercise_deadline:
        return (
            f"new_deadline {new_deadline.isoformat()} is not later than the current deadline"
            f" {award.exercise_deadline.isoformat()} ({section})"
        )
    final = award.final_exercise_date
    if final is not None and new_deadline > final:
        return (
            f"new_deadline {new_deadline.isoformat()} is after the final exercise date"
            f" {final.isoformat()} ({section})"
        )
    event = AwardEvent(
        EventKind.EXTEND, row.decision_date, {"new_deadline": new_deadline.isoformat()}
    )
    history = with_extension(stored.history, event)
    revived = replay(as_of(history, change.day)).shares_outstanding - award.shares_outstanding
    if revived > change.available(award.plan):
        return (
            f"the {revived} shares of {award.award_id} that expired on"
            f" {award.exercise_deadline.isoformat()} are no longer in the {award.plan.value}"
            f" pool ({section})"
        )
    done = _rewrite(change, stored, history)
    _audit(change, row, person["PK"])
    _tell(change, person, row, [] if done is None else [done], decided_on=row.decision_date)
    return None


def _accelerate(change: Change, row: DecisionRow, stored: StoredAward) -> str | None:
    award = stored.award
    effective = row.effective_date or row.decision_date
    if (
        award.plan is PlanCode.DIRECTORS_1999
        and award.award_type is not AwardType.DISCRETIONARY_OPTION
    ):
        return (
            "only discretionary options of the directors plan may vest early (Directors §6(e)(i))"
        )
    section = "1998 §6.a.(5)" if award.plan is PlanCode.INCENTIVE_1998 else "Directors §6(e)(i)"
    # Closed: its exercise period is over, or nothing is left that could vest (shares
    # forfeited at a termination are not: vesting before it brings them back).
    deadline_passed = award.exercise_deadline is not None and (
        row.decision_date > award.exercise_deadline
    )
    if deadline_passed or (not award.is_outstanding and award.shares_forfeited == 0):
        return f"{award.award_id} has closed: nothing is left to vest ({section})"
    if not award.grant_date <= effective <= row.decision_date:
        return (
            f"effective_date {effective.isoformat()} must lie between the grant date"
            f" {award.grant_date.isoformat()} and the decision date"
            f" {row.decision_date.isoformat()} ({section})"
        )
    if award.service_ended_on is not None and effective > award.service_ended_on:
        return (
            f"effective_date {effective.isoformat()} is after {award.participant_id}'s service"
            f" ended on {award.service_ended_on.isoformat()} ({section})"
        )
    unvested = unvested_shares(award, effective)
    shares = unvested if row.shares is None else row.shares
    if unvested == 0:
        return f"{award.award_id} has no unvested shares on {effective.isoformat()} ({section})"
    if shares > unvested:
        return (
            f"shares {shares} is more than the {unvested} shares of {award.award_id} not"
            f" vested on {effective.isoformat()} ({section})"
        )
    event = AwardEvent(EventKind.ACCELERATE, effective, {"shares": str(shares)})
    history = with_acceleration(stored.history, event)
    done = _rewrite(change, stored, history)
    person = change.ledger.participant_item(award.participant_id)
    assert person is not None
    _audit(change, row, person["PK"])
    _tell(change, person, row, [] if done is None else [done])
    return None


def _certify(change: Change, row: DecisionRow, stored: StoredAward) -> str | None:
    """The Committee's certification of a performance award (1998 §6.a.(9)): the shares
    earned for the tranches due by decision_date are delivered, the rest forfeited."""
    assert row.shares is not None
    rejection = certification_rejection(stored.award, row.decision_date, row.shares)
    if rejection is not None:
        return str(rejection)
    event = AwardEvent(EventKind.CERTIFY, row.decision_date, {"shares": str(row.shares)})
    done = _rewrite(change, stored, [*stored.history, event])
    person = change.ledger.participant_item(stored.award.participant_id)
    assert person is not None
    _audit(change, row, person["PK"])
    _tell(change, person, row, [] if done is None else [done])
    return None
