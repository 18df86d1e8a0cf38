"""Sending a notice again to another address (`stockplan resend`): a bounced or failed
notice reaches the participant after all.

The copy is the notice as it was written (the stored body: pending and failed notices
keep it on their record, a sent one in its BODY item until the retention drops it),
addressed anew: a To, Date and Message-ID of its own, so a bounce of the copy is
matched to the copy. It is queued in the outbox as any notice is, under an id made of
the original's and the address (the same resend asked twice is queued once), and the
NoticeFunction's sweep sends it. The original's record keeps who asked, when and to
where; nothing about the address is logged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes, policy
from email.utils import format_datetime

from stockplan.data import records as rec
from stockplan.data.table import Item, Table, Update


class ResendRefused(ValueError):
    """The notice cannot be sent again: why, in the administrator's words."""


@dataclass(frozen=True, slots=True)
class Resent:
    notice_id: str  # the copy's id
    original_id: str
    queued: bool  # False: the same resend was queued before, nothing new


def stored_body(table: Table, notice: Item) -> bytes | None:
    """The notice's MIME as written: on its record while pending or failed, in its BODY
    item once sent (until the retention drops it)."""
    if notice.get("raw"):
        return bytes(notice["raw"])
    body = table.get(rec.notice_key(str(notice["notice_id"]))[0], "BODY")
    return None if body is None or not body.get("raw") else bytes(body["raw"])


def readdressed(raw: bytes, recipient: str, notice_id: str, day: date) -> bytes:
    """The same message to `recipient`, dated `day`, with the copy's own Message-ID."""
    from stockplan.notices.mime import MESSAGE_ID_DOMAIN, send_time

    message = message_from_bytes(raw, policy=policy.SMTP)
    for header, value in (
        ("To", recipient),
        ("Date", format_datetime(send_time(day))),
        ("Message-ID", f"<{notice_id}@{MESSAGE_ID_DOMAIN}>"),
    ):
        del message[header]
        message[header] = value
    return message.as_bytes()


def resend(table: Table, notice_id: str, to: str, day: date, by: str) -> Resent:
    """Queue a copy of notice `notice_id` to address `to` (sent by the next sweep)."""
    from stockplan.feeds.values import CellError, parse_email
    from stockplan.notices.mime import notice_id as make_notice_id

    notice = table.get(*rec.notice_key(notice_id))
    if notice is None:
        raise ResendRefused(f"no notice {notice_id} is recorded (stockplan report lists them)")
    try:
        # The participants feed's own check: an address SES can send to, in ASCII form.
        recipient = parse_email(to)
    except CellError as error:
        raise ResendRefused(f"the address {error}") from None
    raw = stored_body(table, notice)
    if raw is None:
        raise ResendRefused(
            f"the body of notice {notice_id} is no longer kept (sent notices keep it for"
            " SentNoticeBodyRetentionDays): the facts it told are in stockplan report and"
            " stockplan audit"
        )
    kind = str(notice["kind"])
    copy_id = make_notice_id(kind, notice_id, "resend", recipient)
    pk, sk = rec.notice_key(copy_id)
    copy: Item = {
        "PK": pk,
        "SK": sk,
        "type": "notice",
        "notice_id": copy_id,
        "kind": kind,
        "status": "pending",
        "attempts": 0,
        "recipient": recipient,
        "subject": notice.get("subject", ""),
        "raw": readdressed(raw, recipient, copy_id, day),
        "send_on": day.isoformat(),
        "queued_at": int(time.time()),
        "resend_of": notice_id,
        "GSI1PK": rec.PENDING_NOTICES,
        "GSI1SK": f"{day.isoformat()}#{copy_id}",
    }
    if notice.get("participant_id"):
        copy["participant_id"] = notice["participant_id"]
    queued = table.put_new(copy)
    if queued:
        # The original's record says who had it sent again, when and as which copy.
        table.update(
            Update(
                *rec.notice_key(notice_id),
                "SET resent = list_append(if_not_exists(resent, :none), :one)",
                {
                    ":none": [],
                    ":one": [{"notice_id": copy_id, "on": day.isoformat(), "by": by}],
                },
            )
        )
    return Resent(copy_id, notice_id, queued)
