"""Bounces and complaints of sent notices (SES configuration set -> SNS -> BounceFunction).

A notice that bounced (or whose recipient marked it as unwanted) did not reach its
reader: a legal notice must not be taken as given. For each bounce or complaint SES
publishes:

- the notice is found by the message id SES answered its send with (MessageIndex), or
  failing that by its own Message-ID header (made from the notice id);
- it is marked `delivery` = bounced / complained with SES's verdict, and listed with
  the undelivered notices (`stockplan report`);
- the administrator is emailed, through the outbox and in the same transaction, once
  per notice, however many bounces or complaints SES reports for it and however often
  SNS delivers them (the email's notice id is made from the notice id alone): which
  notice, to whom, and the participant's other addresses on file, to reach them
  another way. A later feedback id for the same notice updates its verdict only.

The addresses travel only in that email: nothing here logs them. A notice addressed to
the administrator is marked but not mailed about (the mail would go to the mailbox that
bounced, and its own bounce would start a loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stockplan.config import Settings
from stockplan.data import outbox as box
from stockplan.data import records as rec
from stockplan.data.retry import attempts
from stockplan.data.table import ConflictError, Item, Table, Transaction
from stockplan.events import SesFeedback
from stockplan.notices.mime import notice_id_from_message_id
from stockplan.service import notify

# Where a participant's notices may go, in the order they are offered to the administrator.
ADDRESS_FIELDS = (
    ("personal_email", "personal address"),
    ("email", "work address"),
    ("estate_email", "estate's address"),
)
COMMIT_ATTEMPTS = 4


@dataclass
class FeedbackOutcome:
    # recorded: marked (and the administrator's email queued, unless they were told of
    # this notice already); duplicate: this very feedback, or a later one for the same
    # notice, was recorded before; unmatched: no notice of ours has this message id.
    status: str
    notice_id: str | None = None
    delivery: str | None = None
    # The administrator's notice about it, to send now (None: none is due).
    alert_id: str | None = None


@dataclass
class BounceDeps:
    table: Table
    settings: Settings


def find_notice(table: Table, feedback: SesFeedback) -> Item | None:
    """The outbox notice SES's message id (or the message's Message-ID header) names."""
    for pk, sk in table.keys_by_message_id(feedback.message_id):
        item = table.get(pk, sk)
        if item is not None and item.get("type") == "notice":
            return item
    nid = notice_id_from_message_id(feedback.header_message_id)
    if nid is None:
        return None
    return table.get(*rec.notice_key(nid))


def _verdict(feedback: SesFeedback) -> str:
    detail = feedback.detail + (f" ({feedback.sub_detail})" if feedback.sub_detail else "")
    return f"{feedback.event_type}: {detail}"


def alert_lines(notice: Item, person: Item | None, feedback: SesFeedback) -> list[str]:
    """The administrator's email: which notice did not arrive, and where else to send it."""
    kind, nid = notice.get("kind", "notice"), notice["notice_id"]
    sent = f"the {kind} notice {nid}, sent on {notice.get('send_on', '?')} to {notice['recipient']}"
    if feedback.event_type == "Bounce":
        detail = feedback.detail + (f", {feedback.sub_detail}" if feedback.sub_detail else "")
        lines = [f"SES could not deliver {sent}: the mail server refused it ({detail} bounce)."]
    else:
        lines = [f"The recipient of {sent} marked it as unwanted ({feedback.detail})."]
    lines.append(f"Subject: {notice.get('subject', '')}")
    if person is None:
        pid = notice.get("participant_id")
        lines.append(
            f"No participant {pid} is on file." if pid else "The notice names no participant."
        )
        return lines
    lines.append(f"Participant: {person.get('name', '')} ({person['participant_id']}).")
    recipient = str(notice["recipient"]).lower()
    others = [
        f"{label}: {person[field]}"
        for field, label in ADDRESS_FIELDS
        if person.get(field) and str(person[field]).lower() != recipient
    ]
    if others:
        lines.append("Other addresses on file: " + "; ".join(others) + ".")
        lines.append(
            "The notice was not sent again. To send it, as it was written, to one of these"
            f" addresses: stockplan resend --notice {nid} --to ADDRESS. Correct the"
            " participant's addresses with a participants feed so later notices go there."
        )
    else:
        lines.append(
            "No other address is on file: reach the participant another way (stockplan"
            f" resend --notice {nid} --to ADDRESS sends the notice to an address you"
            " obtain), and correct the address with a participants feed."
        )
    return lines


def record_feedback(deps: BounceDeps, feedback: SesFeedback, day: date) -> FeedbackOutcome:
    """Mark the notice a bounce or complaint concerns and queue the administrator's
    email about it (once per notice). `day`: the plan day the feedback arrived."""
    table = deps.table
    notice = find_notice(table, feedback)
    if notice is None:
        return FeedbackOutcome("unmatched")
    nid = notice["notice_id"]
    delivery = "bounced" if feedback.event_type == "Bounce" else "complained"
    alert = _alert(deps, notice, feedback, delivery, day)
    for attempt in attempts(COMMIT_ATTEMPTS):
        told = alert is not None and table.get(*rec.notice_key(alert["notice_id"])) is not None
        if told and (
            notice.get("feedback_id") == feedback.feedback_id
            # SNS does not keep order: an earlier verdict arriving late stays behind.
            or str(notice.get("feedback_at") or "") > feedback.timestamp
        ):
            return FeedbackOutcome("duplicate", nid, delivery, None)
        tx = Transaction()
        # A bounce proves SES accepted the message: it is sent, whatever a lost reply
        # left the status at, and must not be sent again to the same address.
        box.mark_undelivered(
            tx,
            nid,
            delivery,
            _verdict(feedback),
            day.isoformat(),
            feedback.message_id,
            str(notice.get("send_on", "")),
            feedback.feedback_id,
            feedback.timestamp,
        )
        if alert is not None and not told:
            tx.put_new(alert)
        try:
            table.commit(tx)
        except ConflictError:
            if attempt + 1 == COMMIT_ATTEMPTS:
                raise
            # Another delivery wrote the administrator's email meanwhile: read again.
            notice = table.get(*rec.notice_key(nid)) or notice
            continue
        sent = None if alert is None or told else str(alert["notice_id"])
        return FeedbackOutcome("recorded", nid, delivery, sent)
    raise AssertionError("unreachable")  # pragma: no cover


def _alert(
    deps: BounceDeps, notice: Item, feedback: SesFeedback, delivery: str, day: date
) -> Item | None:
    """The administrator's email about the notice, named by the notice alone (one per
    notice); None for a notice addressed to the administrator (its own bounce would
    start a loop)."""
    if str(notice["recipient"]).lower() == deps.settings.admin_email.lower():
        return None
    pid = notice.get("participant_id")
    person = deps.table.get(*rec.profile_key(pid)) if pid else None
    subject = (
        f"Notice not delivered: {notice.get('kind', 'notice')} notice"
        if delivery == "bounced"
        else f"Notice marked as unwanted: {notice.get('kind', 'notice')} notice"
    )
    if pid:
        subject += f" for participant {pid}"
    return notify.admin_alert_item(
        deps.settings,
        day,
        subject,
        alert_lines(notice, person, feedback),
        "undelivered",
        notice["notice_id"],
    )
