"""The outbox's writes: claiming a notice, marking it sent, pending again, failed or
undelivered. Each is one conditional or plain update of the notice record (its key
from stockplan.data.records); the use case (stockplan.service.outbox) decides which.
"""

from __future__ import annotations

from stockplan.data import records as rec
from stockplan.data.table import Item, Table, Transaction, Update

# `status` is a reserved word in DynamoDB's expressions.
_STATUS = {"#s": "status"}


def claim(table: Table, notice_id: str, now: int, stale_before: int) -> Item | None:
    """Take a pending notice (or one whose claim is older than `stale_before`: its
    sender died before sending) for sending; the notice as claimed, or None when it
    is sent already or another sender holds it. One request, no second read."""
    return table.update(
        Update(
            *rec.notice_key(notice_id),
            "SET #s = :sending, claimed_at = :now",
            {":sending": "sending", ":pending": "pending", ":now": now, ":stale": stale_before},
            condition="#s = :pending OR (#s = :sending AND claimed_at < :stale)",
            names=_STATUS,
        )
    )


def mark_sent(tx: Transaction, notice_id: str, message_id: str | None) -> None:
    """Sent: off the pending index, without its body (kept apart, see
    records.notice_body_item), with the message id a bounce is matched by."""
    expression = "SET #s = :sent"
    values: Item = {":sent": "sent"}
    if message_id:  # an index key may not be empty
        expression += ", message_id = :mid"
        values[":mid"] = message_id
    tx.update(
        Update(
            *rec.notice_key(notice_id),
            expression + " REMOVE GSI1PK, GSI1SK, #raw",
            values,
            names={**_STATUS, "#raw": "raw"},  # both are reserved words
        )
    )


def back_to_pending(table: Table, notice_id: str, attempts: int, error: str) -> None:
    table.update(
        Update(
            *rec.notice_key(notice_id),
            "SET #s = :pending, attempts = :a, last_error = :e",
            {":pending": "pending", ":a": attempts, ":e": error},
            names=_STATUS,
        )
    )


def mark_failed(table: Table, notice_id: str, attempts: int, error: str, send_on: str) -> None:
    """Failed after every attempt: off the pending index, onto the undelivered one."""
    table.update(
        Update(
            *rec.notice_key(notice_id),
            "SET #s = :failed, attempts = :a, last_error = :e, GSI1PK = :gone, GSI1SK = :at",
            {
                ":failed": "failed",
                ":a": attempts,
                ":e": error,
                ":gone": rec.UNDELIVERED_NOTICES,
                ":at": f"{send_on}#{notice_id}",
            },
            names=_STATUS,
        )
    )


def mark_undelivered(
    tx: Transaction,
    notice_id: str,
    delivery: str,
    verdict: str,
    day: str,
    message_id: str,
    send_on: str,
    feedback_id: str,
    feedback_at: str = "",
) -> None:
    """A bounce or complaint: the notice was sent (SES took it), whatever a lost reply
    left its status at, and did not arrive; listed with the undelivered notices. The
    latest verdict, SES's id of it and its time are kept."""
    tx.update(
        Update(
            *rec.notice_key(notice_id),
            "SET #s = :sent, delivery = :d, feedback = :f, feedback_on = :day,"
            " feedback_id = :fid, feedback_at = :fat,"
            " message_id = if_not_exists(message_id, :mid), GSI1PK = :gone, GSI1SK = :at",
            {
                ":sent": "sent",
                ":d": delivery,
                ":f": verdict,
                ":day": day,
                ":fid": feedback_id,
                ":fat": feedback_at,
                ":mid": message_id,
                ":gone": rec.UNDELIVERED_NOTICES,
                ":at": f"{send_on}#{notice_id}",
            },
            names=_STATUS,
        )
    )
