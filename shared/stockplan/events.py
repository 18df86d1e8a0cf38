"""The AWS events the handlers receive, read into small typed values.

Powertools' event data classes would do the same, but importing them loads every event
class Powertools knows (about 35 ms of each cold start) to read five fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


class EventError(ValueError):
    """The event is not the shape AWS sends; nothing was done with it."""


@dataclass(frozen=True)
class S3Upload:
    bucket: str
    key: str
    event_time: str
    version_id: str | None
    size: int | None
    etag: str | None
    # Who put the object (the event's userIdentity.principalId): the audit trail names
    # the uploader of every row it applies.
    uploader: str | None = None


def _numbered_records(event: dict[str, Any], source: str) -> list[tuple[int, Any]]:
    """The event's Records, numbered from 1 as its errors name them."""
    records = event.get("Records")
    if not isinstance(records, list):
        raise EventError(f"not an {source} event: no Records list")
    return list(enumerate(records, start=1))


def s3_uploads(event: dict[str, Any]) -> list[S3Upload]:
    """The objects of an S3 ObjectCreated notification, keys decoded.

    S3 URL-encodes the key in the event (a space arrives as '+'), so it is decoded here
    before anything reads the object.
    """
    uploads = []
    for number, record in _numbered_records(event, "S3"):
        try:
            s3 = record["s3"]
            obj = s3["object"]
            size = obj.get("size")
            uploads.append(
                S3Upload(
                    bucket=str(s3["bucket"]["name"]),
                    key=unquote_plus(str(obj["key"])),
                    event_time=str(record["eventTime"]),
                    version_id=obj.get("versionId") or None,
                    size=None if size is None else int(size),
                    etag=obj.get("eTag") or None,
                    uploader=_principal(record),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EventError(f"S3 event record {number} lacks {exc}") from None
    return uploads


def _principal(record: dict[str, Any]) -> str | None:
    identity = record.get("userIdentity")
    principal = identity.get("principalId") if isinstance(identity, dict) else None
    return str(principal) if principal else None


def schedule_time(event: dict[str, Any]) -> str:
    """The `time` of an EventBridge (scheduled) event: the moment the schedule fired."""
    moment = event.get("time")
    if not isinstance(moment, str) or not moment:
        raise EventError("not an EventBridge event: no time")
    return moment


# The SES events (configuration-set event publishing, or identity notifications) the
# BounceFunction acts on; others (Send, Delivery, Open...) are ignored.
FEEDBACK_TYPES = ("Bounce", "Complaint")


@dataclass(frozen=True)
class SesFeedback:
    """One bounce or complaint SES published for a sent message. No address is kept:
    the notice it concerns says who it was for."""

    event_type: str  # "Bounce" or "Complaint"
    # The id SES answered the send with (the outbox stores it on the notice).
    message_id: str
    # The message's own Message-ID header, <notice id@stockplan.local>, when SES
    # passes the headers on (a second way to find the notice).
    header_message_id: str | None
    # SES's id of this bounce or complaint: one administrator email per feedback id.
    feedback_id: str
    timestamp: str
    # Bounce: Permanent, Transient or Undetermined, and its sub-type; complaint: the
    # feedback type the mailbox provider reported (abuse, not-spam...), if any.
    detail: str
    sub_detail: str | None


def _header_message_id(mail: dict[str, Any]) -> str | None:
    common = mail.get("commonHeaders") or {}
    value = common.get("messageId")
    if isinstance(value, str) and value.strip():
        return value.strip()
    for header in mail.get("headers") or []:
        if isinstance(header, dict) and str(header.get("name", "")).lower() == "message-id":
            return str(header.get("value", "")).strip() or None
    return None


@dataclass(frozen=True)
class RefusedRecord:
    """An SNS record the BounceFunction does not act on: not a Notification of the
    stack's own feedback topic and account. Named by its number and why only: its
    message (which may carry addresses) is not read."""

    number: int
    reason: str  # "type" | "topic" | "account"


@dataclass(frozen=True)
class FeedbackEvent:
    feedback: list[SesFeedback]
    refused: list[RefusedRecord]


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _refusal(sns: dict[str, Any], topic_arn: str | None) -> str | None:
    """Why the record is not the stack's own feedback: SNS sends a SubscriptionConfirmation
    or UnsubscribeConfirmation as well as Notifications; any other topic (or account) is
    not the configuration set's."""
    if sns.get("Type") != "Notification":
        return "type"
    arn = str(sns.get("TopicArn") or "")
    if topic_arn is None:
        return "topic"  # no feedback topic configured: nothing is the stack's own
    if arn != topic_arn:
        return "account" if _account(arn) != _account(topic_arn) else "topic"
    return None


def ses_feedback(event: dict[str, Any], topic_arn: str | None) -> FeedbackEvent:
    """The bounces and complaints in an SNS notification of SES events.

    Only Notifications of `topic_arn` (the stack's NoticeFeedbackTopic) are read; any
    other record is refused unread. Each Notification's Message is the JSON SES
    publishes (`eventType` for a configuration set's event destination,
    `notificationType` for an identity's notification topic); messages of other types
    are skipped, and one sent from another account than the topic's is refused.
    """
    found = []
    refused = []
    for number, record in _numbered_records(event, "SNS"):
        try:
            sns = record["Sns"]
            reason = _refusal(sns, topic_arn)
            if reason is not None:
                refused.append(RefusedRecord(number, reason))
                continue
            message = json.loads(sns["Message"])
            sender = message.get("mail", {}).get("sendingAccountId")
            if sender is not None and str(sender) != _account(str(topic_arn)):
                refused.append(RefusedRecord(number, "account"))
                continue
            one = _feedback(message, sns)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EventError(f"SNS record {number} is not an SES event: {exc!r}") from None
        if one is not None:
            found.append(one)
    return FeedbackEvent(found, refused)


def _feedback(message: dict[str, Any], sns: dict[str, Any]) -> SesFeedback | None:
    kind = message.get("eventType") or message.get("notificationType")
    if kind not in FEEDBACK_TYPES:
        return None
    mail = message["mail"]
    body = message["bounce"] if kind == "Bounce" else message["complaint"]
    if kind == "Bounce":
        detail = str(body.get("bounceType") or "Undetermined")
        sub_detail = body.get("bounceSubType")
    else:
        detail = str(body.get("complaintFeedbackType") or "complaint")
        sub_detail = body.get("complaintSubType")
    return SesFeedback(
        event_type=kind,
        message_id=str(mail["messageId"]),
        header_message_id=_header_message_id(mail),
        feedback_id=str(body["feedbackId"]),
        timestamp=str(body.get("timestamp") or sns["Timestamp"]),
        detail=detail,
        sub_detail=None if sub_detail is None else str(sub_detail),
    )
