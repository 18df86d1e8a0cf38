"""The notices' letterhead from configuration (issue 15): SENDER_NAME, REPLY_TO_EMAIL and
CONTACT_LINE, validated by Settings at start-up like every other variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from stockplan.config import Settings
from stockplan.notices.letterhead import DEFAULT_CONTACT_LINE, DEFAULT_SENDER_NAME, Letterhead

BASE = {
    "TABLE_NAME": "tbl",
    "BUCKET_NAME": "bucket",
    "SENDER_EMAIL": "stock-plans@ctc.example.com",
    "ADMIN_EMAIL": "plan-admin@ctc.example.com",
}


def test_defaults_when_the_variables_are_absent() -> None:
    settings = Settings.from_env(BASE)
    assert settings.letterhead == Letterhead(DEFAULT_SENDER_NAME, None, DEFAULT_CONTACT_LINE)


def test_the_configured_name_reply_to_and_contact_line_reach_the_letterhead() -> None:
    settings = Settings.from_env(
        BASE
        | {
            "SENDER_NAME": "  CTC Equity Plans ",
            "REPLY_TO_EMAIL": "equity@ctc.example.com",
            "CONTACT_LINE": "Call Stock Plan Administration at 781-555-0100.",
        }
    )
    assert settings.letterhead == Letterhead(
        "CTC Equity Plans",
        "equity@ctc.example.com",
        "Call Stock Plan Administration at 781-555-0100.",
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SENDER_NAME", "Plans <evil@x.example>"),  # would forge an address in From
        ("SENDER_NAME", "Plans\r\nBcc: x@y.example"),  # a header injection
        ("SENDER_NAME", "x" * 79),
        ("SENDER_NAME", "Plans \u202e"),  # a bidi override
        ("REPLY_TO_EMAIL", "not an address"),
        ("REPLY_TO_EMAIL", "a@b.example\r\nBcc: c@d.example"),
        ("CONTACT_LINE", "two\nlines"),
        ("CONTACT_LINE", "y" * 301),
    ],
)
def test_a_value_a_header_or_a_notice_line_cannot_carry_is_refused_at_start_up(
    variable: str, value: str
) -> None:
    with pytest.raises(ValidationError, match=variable):
        Settings.from_env(BASE | {variable: value})


def test_the_feedback_topic_is_an_sns_topic_arn_or_none() -> None:
    """FEEDBACK_TOPIC_ARN: the stack's NoticeFeedbackTopic, the one topic the
    BounceFunction reads; anything but a topic ARN is refused at start-up."""
    base = {
        "TABLE_NAME": "stockplan-data",
        "BUCKET_NAME": "stockplan-bucket",
        "SENDER_EMAIL": "s@ctc.example.com",
        "ADMIN_EMAIL": "a@ctc.example.com",
    }
    arn = "arn:aws:sns:us-east-1:123456789012:stockplan-prod-notice-feedback"
    assert Settings.from_env({**base, "FEEDBACK_TOPIC_ARN": arn}).feedback_topic_arn == arn
    assert Settings.from_env(base).feedback_topic_arn is None
    for bad in ("stockplan-prod-notice-feedback", "arn:aws:sqs:us-east-1:123456789012:q"):
        with pytest.raises(ValidationError, match="FEEDBACK_TOPIC_ARN"):
            Settings.from_env({**base, "FEEDBACK_TOPIC_ARN": bad})
