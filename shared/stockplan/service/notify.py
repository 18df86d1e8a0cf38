"""Turning decisions into outbox notices: who gets them (docs/plan-rules.md "Notices") and their
ids.

A notice is written to the outbox in the same transaction as the change it reports;
`stockplan.service.outbox` sends it exactly once. Addresses come only from the
participants feed (or the configured administrator), never from another feed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stockplan.coldstart import lazy_module
from stockplan.config import Settings
from stockplan.data import records as rec
from stockplan.data.table import Item
from stockplan.domain.exercise import ServiceEnd, deadline_section
from stockplan.domain.model import (
    Award,
    AwardType,
    CorporateAction,
    DeferredStockAward,
    Participant,
    Role,
    Termination,
)
from stockplan.domain.schedule import REMINDER_DAYS
from stockplan.domain.termination import AwardTermination
from stockplan.notices.letterhead import Letterhead

if TYPE_CHECKING:
    from stockplan.notices import model as nm
    from stockplan.notices.render import RenderedNotice
else:
    nm = lazy_module("stockplan.notices.model")


def outbox_item(
    notice: nm.Notice,
    recipient: str,
    sender: str,
    day: date,
    *id_parts: str,
    letterhead: Letterhead | None = None,
    rendered: RenderedNotice | None = None,
) -> Item:
    """The pending outbox item of `notice`. `queued_at` (epoch seconds, the clock's) is
    when it was written: the NoticeFunction's age of the oldest pending notice, which
    an alarm watches, counts from it. `letterhead`: the configured sender name,
    Reply-To and contact line (Settings.letterhead; defaults without it). `rendered`:
    `notice` already rendered with that letterhead (the monthly report reuses its HTML
    for the report file), not rendered again."""
    from stockplan.notices.mime import ascii_address, build_mime, notice_id
    from stockplan.notices.render import render

    nid = notice_id(notice.kind, *id_parts)
    # SES's destination and the To: header are the same plain (IDNA) address.
    recipient = ascii_address(recipient)
    letterhead = letterhead or Letterhead()
    rendered = rendered or render(notice, letterhead)
    raw = build_mime(
        sender,
        recipient,
        rendered,
        day,
        nid,
        sender_name=letterhead.sender_name,
        reply_to=letterhead.reply_to,
    )
    pk, sk = rec.notice_key(nid)
    item: Item = {
        "PK": pk,
        "SK": sk,
        "type": "notice",
        "notice_id": nid,
        "kind": notice.kind,
        "status": "pending",
        "attempts": 0,
        "recipient": recipient,
        "subject": rendered.subject,
        "raw": raw,
        "send_on": day.isoformat(),
        "queued_at": int(time.time()),
        "GSI1PK": rec.PENDING_NOTICES,
        "GSI1SK": f"{day.isoformat()}#{nid}",
    }
    participant_id = getattr(notice, "participant_id", None)
    if participant_id:
        # Whose notice it is: a bounce names the person's other addresses on file.
        item["participant_id"] = participant_id
    return item


def _queue(change: Any, notice: nm.Notice, recipient: str, *id_parts: str) -> None:
    if getattr(notice, "participant_id", None) and change.is_history:
        # History loaded at go-live is announced to nobody; the administrator's mail
        # still goes (docs/plan-rules.md "Facts in time").
        return
    settings = change.settings
    change.add_notice(
        outbox_item(
            notice,
            recipient,
            settings.sender_email,
            change.notice_day,
            *id_parts,
            letterhead=settings.letterhead,
        )
    )


def termination(
    change: Any,
    person_item: Item,
    incoming: Termination,
    lines: Sequence[tuple[Award, AwardTermination]],
    *,
    address: str | None = None,
    role: Role | None = None,
) -> None:
    """`address` and `role`: where the notice of the end of one relationship goes and
    whose relationship it was, while another goes on (default: the person's)."""
    deceased = bool(person_item.get("death"))
    notice = nm.TerminationNotice(
        participant_id=incoming.participant_id,
        participant_name=person_item["name"],
        termination_date=incoming.termination_date,
        reason=incoming.reason,
        deceased=deceased,
        awards=tuple(
            _termination_line(outcome, incoming.termination_date) for _b, outcome in lines
        ),
        role=role or _role(person_item),
    )
    _queue(
        change,
        notice,
        address or change.addresses.for_participant(person_item),
        incoming.participant_id,
        incoming.termination_date.isoformat(),
        incoming.reason.value,
        *([] if incoming.service is None else [incoming.service.value]),
    )


def _role(person_item: Item) -> Role | None:
    try:
        return Role(str(person_item.get("role")))
    except ValueError:
        return None


def _termination_line(outcome: AwardTermination, ended: date) -> nm.TerminationLine:
    award = outcome.award
    if award.award_type.requires_exercise:
        vested, section = outcome.vested_shares, outcome.section
    else:
        # Restricted, deferred and performance awards keep what vested by the end of
        # service and forfeit the rest: the main rule of 1998 §6.a.(5), not (A)-(C).
        vested, section = award.vested_shares(ended), "1998 §6.a.(5)"
    return nm.TerminationLine(
        award_id=award.award_id,
        plan=award.plan,
        award_type=award.award_type,
        vested_shares=vested,
        exercise_price=award.exercise_price,
        deadline=outcome.deadline,
        forfeited_shares=outcome.forfeited_shares,
        section=section,
    )


def _section(award: Award, person_item: Item) -> str:
    """The rule that set the award's deadline, for reminder and expiry notices."""
    end = ServiceEnd(rec.termination_from(person_item), rec.termination_from(person_item, "death"))
    return deadline_section(award, end)


def _deadline_fields(award: Award, person_item: Item) -> dict[str, Any]:
    """What a reminder and an expiry notice both say about the award and its deadline."""
    return {
        "participant_id": award.participant_id,
        "participant_name": person_item["name"],
        "award_id": award.award_id,
        "plan": award.plan,
        "award_type": award.award_type,
        "deadline": award.exercise_deadline,
        "exercise_price": award.exercise_price,
        "section": _section(award, person_item),
        "deceased": bool(person_item.get("death")),
    }


def reminder(change: Any, person_item: Item, award: Award, days: int, shares: int) -> None:
    assert award.exercise_deadline is not None
    fields = _deadline_fields(award, person_item)
    notice = nm.ReminderNotice(**fields, days_left=days, exercisable_shares=shares)
    recipient = change.addresses.for_participant(person_item)
    _queue(change, notice, recipient, award.award_id, str(days), fields["deadline"].isoformat())


def expiry(change: Any, person_item: Item, award: Award, expired: int) -> None:
    assert award.exercise_deadline is not None
    notice = nm.ExpiryNotice(**_deadline_fields(award, person_item), expired_shares=expired)
    recipient = change.addresses.for_participant(person_item)
    _queue(change, notice, recipient, award.award_id, award.exercise_deadline.isoformat())


def formula_grant(
    change: Any, person_item: Item, award: Award, requested: int, price_day: date | None = None
) -> None:
    person = rec.participant_from(person_item)
    notice = nm.FormulaGrantNotice.of(award, person, requested, price_day)
    _queue(change, notice, change.addresses.for_participant(person_item), award.award_id)


def deferred_award(change: Any, person_item: Item, award: DeferredStockAward) -> None:
    person: Participant = rec.participant_from(person_item)
    notice = nm.DeferredAwardNotice.of(award, person)
    _queue(change, notice, change.addresses.for_participant(person_item), award.key)


def deferred_issue(change: Any, person_item: Item, award: DeferredStockAward) -> None:
    person = rec.participant_from(person_item)
    notice = nm.DeferredIssueNotice.of(
        award, person, change.day, deceased=bool(person_item.get("death"))
    )
    _queue(change, notice, change.addresses.for_participant(person_item), award.key)


def grant(change: Any, person_item: Item, award: Award) -> None:
    """An award fed through `grants`, on the day it is applied (docs/plan-rules.md "Notices");
    its id is the award's, so a grant applied once is told once."""
    person = rec.participant_from(person_item)
    notice = nm.GrantNotice.of(award, person, deceased=bool(person_item.get("death")))
    _queue(change, notice, change.addresses.for_participant(person_item), award.award_id)


def exercise_confirmation(
    change: Any,
    person_item: Item,
    award: Award,
    exercise_date: date,
    shares: int,
    withheld: int,
    exercise_id: str | None,
    *,
    iso_shares: int = 0,
    tendered: int = 0,
    payment: str = "cash",
) -> None:
    """A confirmation of an accepted exercise (docs/plan-rules.md "Notices"). `award` is the award
    after the exercise. The id is the exercise's key (docs/interfaces.md §1a): the same
    exercise is confirmed once, however often its row is delivered."""
    person = rec.participant_from(person_item)
    notice = nm.ExerciseConfirmation.of(
        award,
        person,
        exercise_date,
        shares,
        withheld,
        change.notice_day,
        deceased=bool(person_item.get("death")),
        iso_shares=iso_shares,
        tendered=tendered,
        payment=payment,
    )
    parts = (
        award.award_id,
        exercise_date.isoformat(),
        str(shares),
        str(withheld),
        exercise_id or "",
    )
    # The same exercise never comes here twice: its row key (docs/interfaces.md §1a) makes a
    # second row for it unchanged before any rule runs.
    _queue(change, notice, change.addresses.for_participant(person_item), *parts)


def correction(
    change: Any,
    person_item: Item,
    request_id: str,
    action: str,
    restated: Sequence[Any],
    also_personal: bool = False,
    *,
    decided_on: date | None = None,
    effective_on: date | None = None,
) -> None:
    """One notice per correction or decision: each award it changed, before and after
    (docs/plan-rules.md "Corrections"); after a reversed termination to the work and the personal
    mailbox both (they were told their service had ended). `decided_on`: a decision's
    date, stated when it is earlier than the day it is applied (it applies as of it);
    `effective_on`: the day a decision takes effect, which its notice states."""
    day = change.notice_day
    changed = tuple(
        nm.ChangedAward(
            r.after.award_id,
            r.after.award_type,
            nm.AwardFigures.of(r.before, day),
            nm.AwardFigures.of(r.after, day),
            r.after.plan,
        )
        for r in restated
    )
    notice = nm.CorrectionNotice(
        participant_id=str(person_item["participant_id"]),
        participant_name=str(person_item["name"]),
        request_id=request_id,
        action=action,
        awards=changed,
        deceased=bool(person_item.get("death")),
        iso_extended=action == "extend_exercise_period"
        and any(r.after.award_type is AwardType.ISO for r in restated),
        decided_on=decided_on if decided_on is not None and decided_on < change.day else None,
        reminders_not_sent=_reminders_passed(restated, change.day),
        effective_on=effective_on,
    )
    recipients = [change.addresses.for_participant(person_item)]
    personal = person_item.get("personal_email")
    if also_personal and personal and personal not in recipients:
        recipients.append(str(personal))
    for recipient in recipients:
        _queue(change, notice, recipient, request_id, recipient)


def _reminders_passed(restated: Sequence[Any], day: date) -> tuple[date, ...]:
    """The reminder days of a deadline the change moved that were already past on its
    day: those reminders are not sent late (docs/plan-rules.md "Vesting and termination")."""
    passed: set[date] = set()
    for r in restated:
        deadline = r.after.exercise_deadline
        if deadline is None or deadline == r.before.exercise_deadline or not r.after.is_outstanding:
            continue
        passed |= {d for d in (deadline - timedelta(days=n) for n in REMINDER_DAYS) if d < day}
    return tuple(sorted(passed))


def _person_fields(person_item: Item) -> dict[str, Any]:
    """Whom a notice about a corporate action is for (the estate after a death)."""
    return {
        "participant_id": person_item["participant_id"],
        "participant_name": person_item["name"],
        "deceased": bool(person_item.get("death")),
    }


def _queue_action(change: Any, notice: nm.Notice, person_item: Item, action_id: str) -> None:
    """One notice per participant and corporate action: told once however often applied."""
    recipient = change.addresses.for_participant(person_item)
    _queue(change, notice, recipient, person_item["participant_id"], action_id)


def split(
    change: Any,
    person_item: Item,
    action_id: str,
    split_date: date,
    ratio: Decimal,
    awards: Sequence[tuple[Award, Award]],
    deferred: Sequence[tuple[DeferredStockAward, DeferredStockAward]],
) -> None:
    """The awards a split restated, before and after (1998 §7.b.(1); Directors §4(c)),
    in one notice per participant; its id is the participant's and the action's, so a
    split applied once is told once."""
    notice = nm.SplitNotice(
        **_person_fields(person_item),
        split_date=split_date,
        ratio=ratio,
        awards=tuple(nm.SplitLine.of(before, after) for before, after in awards),
        deferred=tuple(nm.SplitDeferredLine.of(before, after) for before, after in deferred),
    )
    _queue_action(change, notice, person_item, action_id)


def covered_transaction(
    change: Any,
    person_item: Item,
    action_id: str,
    day: date,
    action: CorporateAction,
    awards: Sequence[tuple[Award, Award]],
    deferred: Sequence[tuple[DeferredStockAward, DeferredStockAward]],
) -> None:
    """What a covered transaction did to the participant's awards: vested in full and,
    unless assumed, the new deadline; when assumed, the acquirer and the exchange ratio
    that restated shares and prices (1998 §7.a; Directors §6(j), §7(b)(ii)), on the day
    it is applied; one notice per participant and transaction."""
    notice = nm.CoveredTransactionNotice(
        **_person_fields(person_item),
        transaction_date=day,
        assumed=bool(action.assumed),
        acquirer=action.acquirer if action.assumed else None,
        exchange_ratio=action.restating_ratio,
        awards=tuple(nm.CoveredLine.of(before, after, day) for before, after in awards),
        deferred=tuple(nm.CoveredDeferredLine.of(before, after) for before, after in deferred),
    )
    _queue_action(change, notice, person_item, action_id)


def told(change: Any, kind: str, *id_parts: str) -> bool:
    """The notice of `kind` and `id_parts` is already in the outbox (a step repeated
    after a commit that queued it: told once)."""
    from stockplan.notices.mime import notice_id

    return change.table.get(*rec.notice_key(notice_id(kind, *id_parts))) is not None


def covered_announcement(
    change: Any, person_item: Item, action_id: str, notice: nm.CoveredTransactionAnnouncement
) -> None:
    """A covered transaction recorded ahead of its date, told to one holder at once
    (docs/plan-rules.md "Facts in time"); once per participant and transaction."""
    _queue_action(change, notice, person_item, action_id)


def covered_reminder(
    change: Any, person_item: Item, award: Award, days: int, on: date, action_id: str
) -> None:
    """`days` before a covered transaction that ends the award (not assumed): every share
    vests immediately before it (docs/plan-rules.md "Facts in time"; 1998 §7.a;
    Directors §6(j))."""
    fields = _deadline_fields(award, person_item)
    fields.update(deadline=on, section=nm.covered_section(award.plan))
    notice = nm.ReminderNotice(
        **fields,
        days_left=days,
        exercisable_shares=award.shares_outstanding,
        covered_transaction=True,
    )
    recipient = change.addresses.for_participant(person_item)
    _queue(change, notice, recipient, award.award_id, str(days), on.isoformat(), action_id)


def feed_summary(change: Any, summary: nm.FeedRejectionSummary, digest: str) -> None:
    _queue(change, summary, change.settings.admin_email, digest)


def admin_alert_item(
    settings: Settings, day: date, subject: str, lines: Sequence[str], *id_parts: str
) -> Item:
    """An outbox item for the administrator, outside a ledger change (bounces)."""
    alert = nm.AdminAlert(subject, tuple(lines))
    return outbox_item(
        alert,
        settings.admin_email,
        settings.sender_email,
        day,
        *id_parts,
        letterhead=settings.letterhead,
    )


def admin_alert(change: Any, subject: str, lines: Sequence[str], *id_parts: str) -> None:
    _queue(change, nm.AdminAlert(subject, tuple(lines)), change.settings.admin_email, *id_parts)
