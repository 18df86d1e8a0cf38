"""Applying one accepted feed row to the state (docs/interfaces.md §1, docs/plan-rules.md).

Each function reads what it needs through `change.ledger`, asks the domain for a
decision and records it in `change`. A returned string is the row's rejection reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from stockplan.data import records as rec
from stockplan.data.table import Item
from stockplan.domain import deferred as dfr
from stockplan.domain.exercise import apply_exercise, check_exercise
from stockplan.domain.grants import GrantContext, granted_in_year, limit_bucket, validate_grant
from stockplan.domain.history import (
    AwardEvent,
    EventKind,
    exercise_event,
    grant_event,
    replay,
    termination_event,
)
from stockplan.domain.iso_limit import iso_shares_of_exercise, iso_splits
from stockplan.domain.model import (
    Award,
    AwardType,
    CorporateActionKind,
    PlanAction,
    PlanActionKind,
    PlanCode,
    Role,
    Service,
    Termination,
    TerminationReason,
)
from stockplan.domain.plans import plan_rules, plan_terminated_on, termination_section
from stockplan.domain.pools import PoolDelta
from stockplan.domain.roles import (
    ROLE_OF,
    RoleHistory,
    award_service,
    ends_award,
    goes_on,
    left_employment_unrecorded,
    role_change_rejection,
)
from stockplan.domain.schedule import DueItem, DueKind, expire_award
from stockplan.domain.termination import (
    AwardTermination,
    TerminationKind,
    apply_death_after_termination,
    classify_termination,
    open_on,
    terminate_award,
    window_section,
)
from stockplan.feeds import FeedKind
from stockplan.feeds import rows as fr
from stockplan.service import notify
from stockplan.service.form3921 import year_mark_item
from stockplan.service.ledger import Change, stored_award, stored_deferred


class Unchanged:
    """A row that states what is already recorded: nothing to apply, nothing to send."""

    def __repr__(self) -> str:
        return "UNCHANGED"


class Superseded:
    """A row whose values a later upload has already overwritten (S3 delivered the
    events out of order): applied as in upload order, with nothing left to write."""

    def __repr__(self) -> str:
        return "SUPERSEDED"


UNCHANGED = Unchanged()
SUPERSEDED = Superseded()
# None: applied; UNCHANGED; SUPERSEDED; or the reason the row is rejected.
RowResult = str | None | Unchanged | Superseded
RowApplier = Callable[[Change, Any], RowResult]


def _unknown(participant_id: str) -> str:
    return f"unknown participant {participant_id}: load them with the participants feed first"


def _superseded(change: Change, stored: Item | None, field: str) -> bool:
    """The stored values came from a later upload than this file (S3 may deliver the
    events of two uploads in either order; the last upload's values stand)."""
    mine = change.upload_order
    theirs = None if stored is None else stored.get(field)
    return mine is not None and theirs is not None and str(theirs) > mine


def apply_participant(change: Change, row: fr.ParticipantRow) -> RowResult:
    existing = change.ledger.participant_item(row.participant_id)
    if _superseded(change, existing, "details_upload"):
        return SUPERSEDED
    person = row.to_domain()
    before = None if existing is None else rec.role_history_from(existing)
    history = RoleHistory.of(person.role) if before is None else before
    if before is not None:
        rejection = role_change_rejection(before, person.role, row.effective_date)
        if rejection is not None:
            return str(rejection)
        if row.effective_date is not None:
            history = before.changed(person.role, row.effective_date)
    # The profile's role is the one of the day it is applied; what depends on the role
    # asks the history for the day that matters (a meeting, a grant date).
    person = replace(person, role=history.on(change.day))
    item = rec.participant_item(person, existing)
    item[rec.ROLES] = rec.role_history_value(history)
    _keep_other_relationship(item, history)
    # Which upload the details come from; unknown (a caller without the event) is none.
    item.pop("details_upload", None)
    if change.upload_order is not None:
        item["details_upload"] = change.upload_order
    if existing is not None and item == existing:
        return UNCHANGED
    change.save_profile(item, existing)
    change.audit(item["PK"], rec.PROFILE_SK, "participant", {"role": person.role.value})
    if before is not None and row.effective_date is not None and history != before:
        if row.effective_date > change.day:
            _schedule_role_change(change, row, person.role)
        else:
            _tell_unrecorded_end_of_employment(change, item, before, history, row.effective_date)
    return None


def _schedule_role_change(change: Change, row: fr.ParticipantRow, role: Role) -> None:
    """A role change dated ahead is a scheduled fact (docs/plan-rules.md "Facts in time"):
    its history is recorded now (eligibility asks it for the day that matters), and the
    daily job of its effective date makes it the profile's role and checks the end of
    employment then; `report --upcoming` lists it until then."""
    from stockplan.service import scheduled

    assert row.effective_date is not None
    cause = change.cause_info or {}
    scheduled.schedule(
        change,
        ROLE_CHANGE,
        row.participant_id,
        row.effective_date,
        {
            "participant_id": row.participant_id,
            "role": row.role.value,
            "effective_date": row.effective_date.isoformat(),
        },
        str(cause.get("key", "")),
        int(cause.get("row") or 0),
    )


# The scheduled records' kind of a role change dated ahead.
ROLE_CHANGE = "role_change"


def apply_role_change(change: Change, values: dict[str, str]) -> RowResult:
    """The daily job on a role change's effective date: the profile's role becomes the
    one of that day, and a change away from `employee` with no recorded end of
    employment by then is named to the administrator."""
    existing = change.ledger.participant_item(values["participant_id"])
    if existing is None:
        return _unknown(values["participant_id"])
    history = rec.role_history_from(existing)
    on = date.fromisoformat(values["effective_date"])
    role = history.on(change.day)
    if role.value == existing.get("role"):
        return UNCHANGED
    updated = {**existing, "role": role.value}
    change.save_profile(updated, existing)
    change.audit(updated["PK"], rec.PROFILE_SK, "participant", {"role": role.value})
    before = RoleHistory(tuple(s for s in history.spans if s[0] is None or s[0] < on))
    _tell_unrecorded_end_of_employment(change, updated, before, history, on)
    return None


def _keep_other_relationship(item: Item, history: RoleHistory) -> None:
    """A termination recorded for one named relationship before the role change that
    shows another going on (the feeds came in that order) is the end of that one
    relationship only: the person goes on in the new role."""
    ended = rec.termination_from(item)
    if ended is None or item.get("death") or not goes_on(ended, history):
        return
    assert ended.service is not None
    item.pop("termination")
    item[rec.SERVICE_ENDS] = {
        **dict(item.get(rec.SERVICE_ENDS) or {}),
        ended.service.value: rec.termination_value(ended),
    }


def _tell_unrecorded_end_of_employment(
    change: Change, person_item: Item | None, before: RoleHistory, after: RoleHistory, on: date
) -> None:
    """A role change away from `employee` with no recorded end of employment on or
    before its effective date is named to the administrator (docs/plan-rules.md "Facts
    in time"): the 1998 awards held in respect of the employment go on
    until HR records its end (1998 §6.a.(5), last paragraph)."""
    assert person_item is not None
    ended = rec.service_ends_from(person_item).get(Service.EMPLOYMENT) or rec.termination_from(
        person_item
    )
    if not left_employment_unrecorded(
        before, after, on, None if ended is None else ended.termination_date
    ):
        return
    pid = str(person_item["participant_id"])
    notify.admin_alert(
        change,
        f"Role change without an end of employment: {pid}",
        [
            f"{pid} becomes {after.on(on).value} on {on.isoformat()}, but no end of "
            f"employment is recorded on or before that day.",
            "The awards held in respect of the employment go on until it ends (1998 "
            "§6.a.(5), last paragraph): send a terminations row with service "
            "employment and the last day of employment.",
        ],
        "role-change",
        pid,
        on.isoformat(),
    )


def apply_price(change: Change, row: fr.PriceRow) -> RowResult:
    item = rec.price_item(row.to_domain())
    if change.upload_order is None:
        change.put(item)
    else:
        stored = change.table.get(item["PK"], item["SK"])
        if _superseded(change, stored, "price_upload"):
            return SUPERSEDED
        item["price_upload"] = change.upload_order
        if stored is not None and item == stored:
            return UNCHANGED
        # A later upload's price written since the read above fails this condition, and
        # the retry of the row reads it and stands down.
        change.tx.put_unless_later(item, "price_upload")
    change.audit(rec.PRICES, item["SK"], "price", {"day": item["SK"]})
    return None


def grant_rejection(
    change: Change,
    award: Award,
    person_item: Item,
    held: list[Award],
    *,
    given_back: int = 0,
) -> str | None:
    """Why a grant with these terms cannot be made for this person, or None: the one
    home of the checks a grants row and a correct_grant are both held to (docs/plan-rules.md
    "Corrections": every grant rule is checked again on corrected terms). `held`: the
    person's other awards; `given_back`: shares of the pool the award already holds."""
    termination = rec.termination_from(person_item)
    if termination is not None and termination.termination_date < award.grant_date:
        return (
            f"{award.participant_id}'s service ended on"
            f" {termination.termination_date.isoformat()}, before the grant date"
            f" {award.grant_date.isoformat()}"
        )
    # Eligibility is judged on the grant date: the role of that day (ISO: employee,
    # 1998 §5; directors-1999: non-employee director, Directors §5).
    roles = rec.role_history_from(person_item)
    relationship_end = rec.service_ends_from(person_item).get(award_service(award, roles))
    if relationship_end is not None and relationship_end.termination_date < award.grant_date:
        return (
            f"{award.participant_id}'s {relationship_end.service} ended on "
            f"{relationship_end.termination_date.isoformat()}, before the grant date "
            f"{award.grant_date.isoformat()}"
        )
    ahead = award.grant_date > change.day
    ctx = GrantContext(
        participant=replace(rec.participant_from(person_item), role=roles.on(award.grant_date)),
        # An ISO's price is held against the FMV, which then may not change (§1a); a
        # grant dated ahead is priced on its day (docs/plan-rules.md "Facts in time").
        fmv_on_grant=None
        if ahead
        else change.use_fmv(award.grant_date, f"grant {award.award_id}")
        if award.award_type is AwardType.ISO
        else change.ledger.fmv(award.grant_date),
        fmv_checked_later=ahead,
        pool_available=change.available(award.plan) + given_back,
        granted_this_year=granted_in_year(
            held,
            award.participant_id,
            award.plan,
            award.grant_date.year,
            limit_bucket(award.award_type),
        ),
        # The splits are kept on the 1998 pool's record, read once a file (Change.pool).
        splits=change.pool(PlanCode.INCENTIVE_1998).splits,
        plan_actions=change.pool(award.plan).actions,
        fmv_day=None if ahead else _price_day(change.ledger.fmv_with_day(award.grant_date)),
        latest_price_day=change.ledger.latest_price_day(award.grant_date),
    )
    reasons = validate_grant(award, ctx)
    return "; ".join(str(r) for r in reasons) if reasons else None


def with_grant_fmv(change: Change, award: Award) -> Award:
    """An ISO with the grant date's FMV kept on it: what its shares count against the
    $100,000 limit (Code §422(d)); other awards, and a grant dated ahead (kept when it is
    applied on its day), as they are."""
    if award.award_type is not AwardType.ISO or award.grant_date > change.day:
        return award
    return award.evolve(fmv_on_grant=change.ledger.fmv(award.grant_date))


def apply_grant(change: Change, row: fr.GrantRow) -> str | None:
    ledger = change.ledger
    award = row.to_domain()
    # Two reads: who holds the award id (ids are unique across people), and the
    # person's profile and awards (read ahead for the batch, or one Query).
    owner = ledger.award_owner(row.award_id)
    if owner is not None:
        # The same grant fed again never gets here (its row key makes it unchanged,
        # docs/interfaces.md §1a): this id belongs to another award, a formula option's.
        return f"award_id {row.award_id} is already used by another award"
    records = ledger.participant_holdings(row.participant_id)
    held = [stored_award(i) for i in records if i["SK"].startswith(rec.AWARD_PREFIX)]
    person_item = next((i for i in records if i["SK"] == rec.PROFILE_SK), None)
    if person_item is None:
        return _unknown(row.participant_id)
    rejection = grant_rejection(change, award, person_item, [s.award for s in held])
    if rejection is not None:
        return rejection
    termination = rec.termination_from(person_item)
    # What its shares count against the ISO $100,000 limit (Code §422(d)).
    award = with_grant_fmv(change, award)
    # A historical award of someone whose service already ended gets the termination
    # rules; one loaded after its deadline (its final exercise date, or the end of the
    # window its holder's termination left it) is recorded as expired at once, with no
    # expiry notice (docs/plan-rules.md "Vesting and termination").
    history = [grant_event(award)]
    if termination is not None:
        history.append(termination_event(termination))
        death = rec.termination_from(person_item, "death")
        if death is not None and death != termination:
            history.append(AwardEvent(EventKind.DEATH, death.termination_date))
    award = replay(history)
    if expire_award(award, change.day) != award:
        history.append(AwardEvent(EventKind.EXPIRE, change.day))
        award = replay(history)
    change.save_award(None, award, history=history)
    # Serialises the grant with a termination of the same person (ledger.save_profile).
    change.touch_profile(person_item)
    # The participant is told of each award fed through `grants`, on the day it is
    # applied; not of one already closed when loaded (docs/plan-rules.md "Notices").
    if award.is_outstanding:
        notify.grant(change, person_item, award)
    return None


def _price_day(found: tuple[date, Any] | None) -> date | None:
    return None if found is None else found[0]


def apply_termination(change: Change, row: fr.TerminationRow) -> RowResult:
    # The profile, awards and deferred stock: read ahead with the batch's other people
    # (BatchGetItem, issue 13), or one Query of the person's partition.
    records = change.ledger.participant_holdings(row.participant_id)
    person_item = next((i for i in records if i["SK"] == rec.PROFILE_SK), None)
    if person_item is None:
        return _unknown(row.participant_id)
    return terminate(change, records, person_item, row.to_domain())


def terminate(
    change: Change, records: list[Item], person_item: Item, incoming: Termination
) -> RowResult:
    """End the relationship `incoming` names (every one when blank or at a death), and
    the awards held in respect of it (1998 §6.a.(5); Directors §6(h), §6(i))."""
    if incoming.reason is TerminationReason.DEATH:
        incoming = replace(incoming, service=None)  # a death ends every relationship
    roles = rec.role_history_from(person_item)
    if rec.termination_from(person_item) is None and goes_on(incoming, roles):
        return _end_one_relationship(change, records, person_item, incoming, roles)
    recorded = rec.termination_from(person_item)
    death = rec.termination_from(person_item, "death")
    verdict = classify_termination(recorded, death, incoming)
    if verdict.kind is TerminationKind.DUPLICATE:
        return UNCHANGED
    if verdict.kind is TerminationKind.CONFLICT:
        assert verdict.rejection is not None
        return str(verdict.rejection)
    new = verdict.kind is TerminationKind.NEW
    ended_before = rec.service_ends_from(person_item)
    lines = _terminate_awards(change, records, incoming, new, roles, ended_before)
    if new and incoming.service in (None, Service.DIRECTORSHIP):
        _end_deferred_service(change, records, incoming.termination_date)
    updated = dict(person_item)
    field = "termination" if new else "death"
    updated[field] = rec.termination_value(incoming)
    if incoming.reason is TerminationReason.DEATH:
        updated["death"] = rec.termination_value(incoming)
    # Version-checked: an award made for the person since they were read fails this
    # commit, and the retry terminates it too.
    change.save_profile(updated, person_item)
    change.audit(
        updated["PK"],
        rec.PROFILE_SK,
        "termination",
        {
            "date": incoming.termination_date.isoformat(),
            "reason": incoming.reason.value,
        },
    )
    # No award open on that date: nothing to tell (docs/plan-rules.md "Vesting and termination"). A
    # death reported after every award closed is recorded above and changes nothing.
    if lines:
        role = None if incoming.service is None else ROLE_OF[incoming.service]
        notify.termination(change, updated, incoming, lines, role=role)
    return None


def _terminate_awards(
    change: Change,
    records: list[Item],
    incoming: Termination,
    new: bool,
    roles: RoleHistory,
    ended_before: dict[Service, Termination],
) -> list[tuple[Award, AwardTermination]]:
    """Apply a termination (`new`) or a death after one to the person's awards; the
    lines of its notice."""
    lines = []
    death = incoming.reason is TerminationReason.DEATH
    for stored in [stored_award(i) for i in records if i["SK"].startswith(rec.AWARD_PREFIX)]:
        # A death while the window of a relationship ended before is still open gives
        # its awards the death window (1998 §6.a.(5)(A)), as a death after termination.
        after_end = new and death and _ended_before(stored.award, roles, ended_before, incoming)
        if new and not after_end and not _ends_now(incoming, stored.award, roles, ended_before):
            continue  # held in respect of another relationship, or one that ended before
        # The notice names only awards still open on the termination (or death) date
        # (docs/plan-rules.md "Notices"); an award this very termination already ended, on an
        # attempt that died before the person was written, was open then.
        named = open_on(stored.award, incoming.termination_date) or (
            new and not after_end and stored.award.service_ended_on is not None
        )
        if new and not after_end:
            outcome = _terminate(stored.award, incoming)
        else:
            outcome = apply_death_after_termination(stored.award, incoming.termination_date)
            # The estate is told what can still be bought, whether or not the death
            # reopened the window (Directors awards keep their 3 months, §6(i)).
            still_exercisable = outcome.award.exercisable_shares(incoming.termination_date)
            outcome = replace(outcome, vested_shares=still_exercisable)
        if outcome.award != stored.award:
            change.save_award(stored, outcome.award, event=termination_event(incoming))
            change.maybe_flush()
        if named:
            lines.append((stored.award, outcome))
    return lines


def _ended_before(
    award: Award, roles: RoleHistory, ended: dict[Service, Termination], incoming: Termination
) -> bool:
    """The relationship the award is held in respect of ended before `incoming`."""
    before = ended.get(award_service(award, roles))
    return before is not None and before.termination_date <= incoming.termination_date


def _ends_now(
    incoming: Termination, award: Award, roles: RoleHistory, ended: dict[Service, Termination]
) -> bool:
    """`incoming` ends the award: it is held in respect of the relationship that ends,
    and that relationship did not end before (1998 §6.a.(5), last paragraph)."""
    if not ends_award(incoming, award, roles):
        return False
    before = ended.get(award_service(award, roles))
    return before is None or before.termination_date > incoming.termination_date


def _end_one_relationship(
    change: Change,
    records: list[Item],
    person_item: Item,
    incoming: Termination,
    roles: RoleHistory,
) -> RowResult:
    """One relationship ends while another goes on (a CEO who retires from employment
    and stays on the board): the awards held in respect of it end (1998 §6.a.(5), last
    paragraph; Directors §6(h), §6(i)), pending deferred stock is issued when it is the
    directorship (Directors §7(b)(iii)); the person's other awards, and their
    eligibility, go on."""
    assert incoming.service is not None
    ends = rec.service_ends_from(person_item)
    recorded = ends.get(incoming.service)
    if recorded == incoming:
        return UNCHANGED
    if recorded is not None:
        return (
            f"participant {incoming.participant_id}'s {incoming.service} already ended on "
            f"{recorded.termination_date.isoformat()} ({recorded.reason.value}): send a "
            "corrections row to change it (1998 §6.a.(5); Directors §6(i))"
        )
    lines = []
    for stored in [stored_award(i) for i in records if i["SK"].startswith(rec.AWARD_PREFIX)]:
        if not ends_award(incoming, stored.award, roles):
            continue
        named = open_on(stored.award, incoming.termination_date) or (
            stored.award.service_ended_on is not None
        )
        outcome = _terminate(stored.award, incoming)
        if outcome.award != stored.award:
            change.save_award(stored, outcome.award, event=termination_event(incoming))
            change.maybe_flush()
        if named:
            lines.append((stored.award, outcome))
    if incoming.service is Service.DIRECTORSHIP:
        _end_deferred_service(change, records, incoming.termination_date)
    updated = dict(person_item)
    updated[rec.SERVICE_ENDS] = {
        **dict(person_item.get(rec.SERVICE_ENDS) or {}),
        incoming.service.value: rec.termination_value(incoming),
    }
    change.save_profile(updated, person_item)
    change.audit(
        updated["PK"],
        rec.PROFILE_SK,
        "termination",
        {
            "date": incoming.termination_date.isoformat(),
            "reason": incoming.reason.value,
            "service": incoming.service.value,
        },
    )
    if lines:
        # About the end of a relationship: to the personal mailbox where there is one
        # (the work mailbox of that relationship closes); the others still go to email.
        notify.termination(
            change,
            updated,
            incoming,
            lines,
            address=str(updated.get("personal_email") or updated["email"]),
            role=ROLE_OF[incoming.service],
        )
    return None


def _terminate(award: Award, incoming: Termination) -> AwardTermination:
    """terminate_award, or what it did on an earlier attempt of this very row.

    A participant with many awards is written in several transactions and the person's
    termination last, so an attempt that died (or lost a race) after committing some
    awards leaves them terminated while the person is not. The retry must report what
    happened to them (vested, forfeited, deadline), not a second, empty termination.
    Only a termination sets service_ended_on."""
    if award.service_ended_on is None:
        return terminate_award(award, incoming)
    kept = award.shares_outstanding if award.award_type.requires_exercise else 0
    section = window_section(plan_rules(award.plan), incoming.reason)
    return AwardTermination(award, kept, award.shares_forfeited, award.exercise_deadline, section)


def _end_deferred_service(change: Change, records: list[Item], ended: date) -> None:
    """Pending deferred stock is issued when the director's service ends (Directors §7(b))."""
    for item in records:
        if item.get("type") != "deferred" or item.get("status") != "pending":
            continue
        stored = stored_deferred(item)
        after = dfr.end_service(stored.deferred, ended)
        if after != stored.deferred:
            change.save_deferred(stored, after)


def apply_meeting(change: Change, row: fr.MeetingRow) -> str | None:
    if change.ledger.participant_item(row.participant_id) is None:
        return _unknown(row.participant_id)
    meeting = row.meeting_date.isoformat()
    roster: Item = {
        "PK": rec.meeting_pk(meeting),
        "SK": rec.roster_sk(row.participant_id),
        "type": "roster",
        "participant_id": row.participant_id,
        "outcome": row.outcome.value,
        "meeting_date": meeting,
    }
    if row.meeting_date > change.day:
        # Listed as upcoming until the meeting (docs/plan-rules.md "Facts in time").
        roster.update(
            rec.upcoming_fields(row.meeting_date, "meetings", f"{meeting}#{row.participant_id}")
        )
    change.put(roster)
    change.put_due(DueItem(row.meeting_date, DueKind.MEETING, meeting), rec.meeting_pk(meeting))
    # Kept with the person too: a termination reversed later finds the meetings it
    # owes a formula option for (docs/plan-rules.md "Corrections").
    change.put(
        {
            "PK": rec.participant_pk(row.participant_id),
            "SK": rec.roster_sk(meeting),
            "type": "roster_entry",
            "meeting_date": meeting,
            "outcome": row.outcome.value,
        }
    )
    change.audit(
        rec.meeting_pk(meeting),
        rec.roster_sk(row.participant_id),
        "roster",
        {"outcome": row.outcome.value},
    )
    return None


def _director(change: Change, participant_id: str, what: str, on: date) -> str | None:
    """None when the person is a non-employee director on `on` (the role of that day,
    docs/plan-rules.md "Facts in time"), else why not."""
    item = change.ledger.participant_item(participant_id)
    if item is None:
        return _unknown(participant_id)
    role = rec.role_history_from(item).on(on)
    if role is not Role.DIRECTOR:
        return (
            f"{what} are for non-employee directors only; {participant_id} is "
            f"{'an' if role is Role.EMPLOYEE else 'a'} {role.value} on {on.isoformat()} "
            "(Directors §5, §7)"
        )
    return None


def apply_election(change: Change, row: fr.ElectionRow) -> str | None:
    problem = _director(change, row.participant_id, "Deferred Stock Elections", row.notice_date)
    if problem:
        return problem
    election = row.to_domain()
    rejection = dfr.check_election(election)
    if rejection is not None:
        return str(rejection)
    item = rec.election_item(election)
    change.put(item)
    change.audit(item["PK"], item["SK"], "election", {"action": row.action.value})
    return None


def apply_fee(change: Change, row: fr.FeeRow) -> str | None:
    problem = _director(change, row.participant_id, "fees in deferred stock", row.fee_date)
    if problem:
        return problem
    pk = rec.participant_pk(row.participant_id)
    sk = rec.fee_sk(row.fee_type, row.fee_date)
    existing = change.table.get(pk, sk)
    if existing is not None:
        if str(existing["amount"]) == str(row.amount) or existing["amount"] == row.amount:
            return None
        return (
            f"a {row.fee_type.value} fee of {row.participant_id} dated "
            f"{row.fee_date.isoformat()} is already recorded with amount {existing['amount']}"
        )
    cash = dfr.fee_after_cutoff(row.fee_type, row.fee_date)
    terms = dfr.fee_terms(row.fee_type, row.fee_date)
    fee: Item = {
        "PK": pk,
        "SK": sk,
        "type": "fee",
        "participant_id": row.participant_id,
        "fee_type": row.fee_type.value,
        "fee_date": row.fee_date.isoformat(),
        "amount": str(row.amount),
        "status": "cash" if cash else "due",
        "award_date": terms.award_date.isoformat(),
    }
    if not cash and terms.award_date > change.day:
        # Listed as upcoming until its award date (docs/plan-rules.md "Facts in time").
        fee.update(rec.upcoming_fields(terms.award_date, "fees", sk))
    change.put(fee)
    if not cash:
        ref = f"{row.participant_id}#{row.fee_type.value}#{row.fee_date.isoformat()}"
        change.put_due(DueItem(terms.award_date, DueKind.FEE, ref), pk)
    change.audit(pk, sk, "fee", {"amount": str(row.amount), "cash": cash})
    return None


def apply_exercise_row(change: Change, row: fr.ExerciseRow) -> str | None:
    stored = change.ledger.award_by_id(row.award_id)
    if stored is None:
        return f"unknown award {row.award_id}"
    check = check_exercise(
        stored.award,
        row.exercise_date,
        row.shares,
        row.shares_withheld,
        row.shares_tendered,
        row.payment_forms,
    )
    if check.rejection is not None:
        return str(check.rejection)
    if check.reopened and change.available(stored.award.plan) < check.reopened:
        return (
            f"the {check.reopened} shares expired after the exercise date are no longer in the "
            f"{stored.award.plan.value} pool"
        )
    iso = _iso_shares_exercised(change, stored.award, row.exercise_date, row.shares)
    after = apply_exercise(
        stored.award, row.shares, row.shares_withheld, check.reopened, row.shares_tendered
    )
    after = after.evolve(shares_iso_exercised=after.shares_iso_exercised + iso)
    event = exercise_event(
        row.exercise_date,
        row.shares,
        row.shares_withheld,
        row.exercise_id,
        row.shares_tendered,
        row.payment,
        iso_shares=iso,
    )
    change.save_award(stored, after, event=event)
    if iso:
        # Its holder gets a Form 3921 for the year (Code §6039).
        change.put(year_mark_item(row.exercise_date.year, after.participant_id))
    # A confirmation of each accepted exercise, to the award's participant (docs/plan-rules.md
    # "Notices"; 1998 §6.b.(1), Directors §6(e)).
    person_item = change.ledger.participant_item(after.participant_id)
    assert person_item is not None, f"participant {after.participant_id} is missing"
    notify.exercise_confirmation(
        change,
        person_item,
        after,
        row.exercise_date,
        row.shares,
        row.shares_withheld,
        row.exercise_id,
        iso_shares=iso,
        tendered=row.shares_tendered,
        payment=row.payment,
    )
    return None


def _iso_shares_exercised(change: Change, award: Award, on: date, shares: int) -> int:
    """Of an ISO exercise, the shares that keep ISO treatment under the $100,000 limit
    (Code §422(d)): read against every ISO award of the holder."""
    if award.award_type is not AwardType.ISO:
        return 0
    records = change.ledger.participant_records(award.participant_id)
    held = [stored_award(i).award for i in records if i["SK"].startswith(rec.AWARD_PREFIX)]
    splits = iso_splits([a for a in held if a.award_id != award.award_id] + [award])
    return iso_shares_of_exercise(award, splits.get(award.award_id), on, shares)


def apply_corporate_action(change: Change, row: fr.CorporateActionRow) -> str | None:
    action = row.to_domain()
    action_id = f"{row.action_date.isoformat()}#{row.action.value}"
    existing = change.table.get(f"CORP#{action_id}", "ACTION")
    if existing is not None:
        if rec.corporate_action_from(existing) == action:
            # Recorded by an attempt that stopped half way: its announcement goes on.
            _announce_if_ahead(change, action, action_id)
            return None
        return (
            f"a different {row.action.value} on {row.action_date.isoformat()} is already recorded"
        )
    if action.kind is CorporateActionKind.SPLIT and (row.ratio is None or row.ratio <= 0):
        return "a split needs a positive ratio (1998 §7.b.(1); Directors §4(c))"
    item = rec.corporate_action_item(action, action_id)
    if row.action_date > change.day:
        # Listed as upcoming until its date (docs/plan-rules.md "Facts in time").
        item.update(rec.upcoming_fields(row.action_date, "corporate_actions", action_id))
    change.put_new(item)
    change.put_due(DueItem(row.action_date, DueKind.CORPORATE_ACTION, action_id), item["PK"])
    change.audit(item["PK"], rec.ACTION_SK, "corporate_action", {"action": row.action.value})
    _announce_if_ahead(change, action, action_id)
    return None


def _announce_if_ahead(change: Change, action: Any, action_id: str) -> None:
    """A covered transaction recorded before its date is told to every holder at once
    (docs/plan-rules.md "Facts in time")."""
    if action.kind is CorporateActionKind.COVERED_TRANSACTION and action.action_date > change.day:
        from stockplan.service.covered_ahead import announce

        announce(change, action, action_id)


def apply_plan_action(change: Change, row: fr.PlanActionRow) -> str | None:
    """A change to a plan itself, recorded on its pool (docs/interfaces.md §1e; 1998 §9,
    Directors §8(f)): a reserve from its effective date, or the end of further grants."""
    action = row.to_domain()
    section = termination_section(action.plan)
    rules = plan_rules(action.plan)
    if action.effective_date < rules.effective_date:
        return (
            f"effective_date {action.effective_date.isoformat()} is before the {action.plan.value}"
            f" plan took effect ({rules.effective_date.isoformat()}) ({section})"
        )
    pool = change.pool(action.plan)
    if action.kind is PlanActionKind.TERMINATE_PLAN:
        ended = plan_terminated_on(action.plan, pool.actions)
        if ended is not None and ended.effective_date <= action.effective_date:
            return (
                f"the {action.plan.value} plan is already terminated as to further grants from "
                f"{ended.effective_date.isoformat()} (plan action {ended.request_id}) ({section})"
            )
    else:
        problem = _reserve_problem(change, action)
        if problem:
            return f"{problem} ({section})"
    change.add_plan_action(action)
    if action.effective_date > change.day:
        # Listed as upcoming until its date (docs/plan-rules.md "Facts in time").
        change.put(
            {
                "PK": f"PLANACTION#{action.request_id}",
                "SK": "ACTION",
                "type": "plan_action",
                "request_id": action.request_id,
                "action": action.kind.value,
                "plan": action.plan.value,
                "shares": action.shares,
                **rec.upcoming_fields(action.effective_date, "plan_actions", action.request_id),
            }
        )
    change.audit(
        rec.POOL,
        action.plan.value,
        "plan_action",
        {
            "request_id": action.request_id,
            "action": action.kind.value,
            "effective_date": action.effective_date.isoformat(),
            "shares": action.shares,
            "approved_on": None if action.approved_on is None else action.approved_on.isoformat(),
            "note": action.note,
        },
    )
    return None


def _reserve_problem(change: Change, action: PlanAction) -> str | None:
    """A reserve amended below what the plan has already granted and delivered would
    leave awards made without shares behind them."""
    pool = change.pool(action.plan)
    on = max(change.day, action.effective_date)
    before = change.available(action.plan)
    after = replace(pool, actions=(*pool.actions, action)).state(on)
    delta = change.deltas.get(action.plan, PoolDelta())
    available = after.apply(delta).available
    if available >= 0:
        return None
    used = after.outstanding + after.delivered + delta.takes
    return (
        f"a reserve of {action.shares} shares from {action.effective_date.isoformat()} is below "
        f"the {used} shares the {action.plan.value} plan has outstanding and delivered "
        f"(available now: {before}); amend it to at least that"
    )


def apply_correction_row(change: Change, row: Any) -> RowResult:
    # Imported with its first row: most feeds never carry one (cold start).
    from stockplan.service.corrections import apply_correction

    return apply_correction(change, row)


def apply_decision_row(change: Change, row: Any) -> RowResult:
    from stockplan.service.corrections import apply_decision

    return apply_decision(change, row)


APPLIERS: dict[FeedKind, RowApplier] = {
    FeedKind.PARTICIPANTS: apply_participant,
    FeedKind.PRICES: apply_price,
    FeedKind.GRANTS: apply_grant,
    FeedKind.TERMINATIONS: apply_termination,
    FeedKind.MEETINGS: apply_meeting,
    FeedKind.ELECTIONS: apply_election,
    FeedKind.FEES: apply_fee,
    FeedKind.EXERCISES: apply_exercise_row,
    FeedKind.CORPORATE_ACTIONS: apply_corporate_action,
    FeedKind.CORRECTIONS: apply_correction_row,
    FeedKind.DECISIONS: apply_decision_row,
    FeedKind.PLAN_ACTIONS: apply_plan_action,
}

__all__ = [
    "APPLIERS",
    "SUPERSEDED",
    "UNCHANGED",
    "PoolDelta",
    "RowResult",
    "Superseded",
    "Unchanged",
]
