"""Who the notices are from: what the configuration (stockplan.config) needs of the
notices, in a module of its own so that reading the configuration does not load the
notice classes and templates (a daily run with nothing to send never needs them)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SENDER_NAME = "CTC Stock Plan Administration"
DEFAULT_CONTACT_LINE = (
    "Questions about your awards? Reply to this email to reach Stock Plan Administration."
)


@dataclass(frozen=True, slots=True)
class Letterhead:
    """Who the notices are from, as configured (stockplan.config.Settings: SENDER_NAME,
    REPLY_TO_EMAIL, CONTACT_LINE): the From display name, the Reply-To address and the
    contact line every participant notice ends with."""

    sender_name: str = DEFAULT_SENDER_NAME
    reply_to: str | None = None
    contact_line: str = DEFAULT_CONTACT_LINE
