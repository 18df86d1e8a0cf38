"""Configuration from environment variables, validated once at start-up."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The defaults of infra/template.yaml's SenderName and ContactLine parameters.
from stockplan.notices.letterhead import DEFAULT_CONTACT_LINE, DEFAULT_SENDER_NAME, Letterhead

_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}")


def _printable_line(value: str, what: str, limit: int) -> str:
    """One line of printable text: no control, format (bidi) or separator characters
    but the plain space, none of which a header or a notice's line may carry."""
    text = value.strip()
    if not text:
        raise ValueError(f"{what} must not be empty")
    if len(text) > limit:
        raise ValueError(f"{what} is {len(text)} characters long; at most {limit}")
    for char in text:
        if char != " " and unicodedata.category(char)[0] in "CZ":
            raise ValueError(f"{what} must be one line of printable text: U+{ord(char):04X}")
    return text


def _go_live_date(value: str | None) -> date | None:
    """GO_LIVE_DATE: empty (no go-live) or a calendar date YYYY-MM-DD."""
    text = (value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"GO_LIVE_DATE must be a date YYYY-MM-DD or empty: {value!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"GO_LIVE_DATE is not a calendar date: {value!r}") from None


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=3, max_length=255)
    bucket_name: str = Field(min_length=3, max_length=63)
    sender_email: str = Field(min_length=3)
    admin_email: str = Field(min_length=3)
    notice_dlq_url: str | None = None
    # The SES configuration set notices are sent with: it publishes their bounces and
    # complaints to the BounceFunction (None: sent without one, e.g. in unit tests).
    configuration_set: str | None = None
    max_send_attempts: int = Field(default=5, ge=1, le=20)
    # Days a sent notice's raw MIME body is kept (DynamoDB TTL); the notice record stays.
    notice_body_retention_days: int = Field(default=90, ge=1, le=3653)
    # The notices' From display name, their Reply-To (None: none) and the contact line
    # every participant notice ends with (template parameters SenderName, ReplyToEmail,
    # ContactLine).
    sender_name: str = DEFAULT_SENDER_NAME
    reply_to_email: str | None = None
    contact_line: str = DEFAULT_CONTACT_LINE
    # The daily job's monthly report and annual statements (docs/interfaces.md §4). On unless
    # PERIODIC_MAIL=false: the handler tests of single rules turn them off.
    periodic_mail: bool = True
    # Notices a second the sender keeps under: the SES account's maximum send rate
    # (template parameter SesMaxSendRate). None: as fast as SES answers (the embedded
    # AWS, which has no quota).
    ses_send_rate: float | None = Field(default=None, gt=0)
    # Issue 13's fan-out: a feed file of more rows than `fanout_rows` is applied in
    # chunks of `chunk_rows` by the ChunkFunction, through the chunk queue (None: every
    # file in the feed invocation). `chunk_max_receives` is the queue's maxReceiveCount:
    # the receive that fails a chunk for good records its rows as not applied.
    chunk_queue_url: str | None = None
    fanout_rows: int = Field(default=5000, ge=1)
    chunk_rows: int = Field(default=1000, ge=1)
    chunk_max_receives: int = Field(default=3, ge=1, le=1000)
    # The chunk queue's dead-letter queue, which the ChunkFunction also consumes: a
    # message from it is a chunk that failed for good (closed as not applied).
    chunk_dead_letter_arn: str | None = None
    # The day the stack went live (template parameter GoLiveDate; None: none): facts
    # dated before it are history, applied but never announced to participants
    # (docs/plan-rules.md "Facts in time").
    go_live: date | None = None
    # The stack's NoticeFeedbackTopic (template: the BounceFunction's FEEDBACK_TOPIC_ARN):
    # the BounceFunction reads only Notifications of this topic (None: none is read).
    feedback_topic_arn: str | None = None

    @field_validator("feedback_topic_arn")
    @classmethod
    def _feedback_topic(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _TOPIC_ARN.fullmatch(value):
            raise ValueError(f"FEEDBACK_TOPIC_ARN is not an SNS topic ARN: {value!r}")
        return value

    @field_validator("sender_name")
    @classmethod
    def _sender_name(cls, value: str) -> str:
        text = _printable_line(value, "SENDER_NAME", 78)
        if any(char in text for char in '<>@"\\'):
            raise ValueError('SENDER_NAME may not contain < > @ " or \\')
        return text

    @field_validator("contact_line")
    @classmethod
    def _contact_line(cls, value: str) -> str:
        return _printable_line(value, "CONTACT_LINE", 300)

    @field_validator("reply_to_email")
    @classmethod
    def _reply_to(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip()
        if not _ADDRESS.fullmatch(text) or not text.isascii():
            raise ValueError(f"REPLY_TO_EMAIL is not an email address: {value!r}")
        return text

    def is_history(self, day: date) -> bool:
        """A fact about `day` is history: dated before go-live (docs/plan-rules.md
        "Facts in time")."""
        return self.go_live is not None and day < self.go_live

    @property
    def letterhead(self) -> Letterhead:
        """What the notices say of their sender (From name, Reply-To, contact line)."""
        return Letterhead(self.sender_name, self.reply_to_email, self.contact_line)

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Settings:
        return cls(
            table_name=env.get("TABLE_NAME", ""),
            bucket_name=env.get("BUCKET_NAME", ""),
            sender_email=env.get("SENDER_EMAIL", ""),
            admin_email=env.get("ADMIN_EMAIL", ""),
            notice_dlq_url=env.get("NOTICE_DLQ_URL") or None,
            configuration_set=env.get("CONFIGURATION_SET_NAME") or None,
            max_send_attempts=int(env.get("MAX_SEND_ATTEMPTS", "5")),
            notice_body_retention_days=int(env.get("NOTICE_BODY_RETENTION_DAYS", "90")),
            sender_name=env.get("SENDER_NAME") or DEFAULT_SENDER_NAME,
            reply_to_email=env.get("REPLY_TO_EMAIL") or None,
            contact_line=env.get("CONTACT_LINE") or DEFAULT_CONTACT_LINE,
            periodic_mail=env.get("PERIODIC_MAIL", "true").strip().lower() != "false",
            ses_send_rate=float(env["SES_MAX_SEND_RATE"]) if env.get("SES_MAX_SEND_RATE") else None,
            chunk_queue_url=env.get("CHUNK_QUEUE_URL") or None,
            fanout_rows=int(env.get("FANOUT_ROWS") or "5000"),
            chunk_rows=int(env.get("CHUNK_ROWS") or "1000"),
            chunk_max_receives=int(env.get("CHUNK_MAX_RECEIVES") or "3"),
            chunk_dead_letter_arn=env.get("CHUNK_DLQ_ARN") or None,
            go_live=_go_live_date(env.get("GO_LIVE_DATE")),
            feedback_topic_arn=env.get("FEEDBACK_TOPIC_ARN") or None,
        )
