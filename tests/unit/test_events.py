"""Reading the S3, EventBridge and SNS (SES feedback) events the handlers receive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stockplan.events import (
    EventError,
    FeedbackEvent,
    RefusedRecord,
    S3Upload,
    SesFeedback,
    s3_uploads,
    schedule_time,
    ses_feedback,
)

EVENTS = Path(__file__).resolve().parents[2] / "events"


def test_s3_upload_fields_come_from_the_sample_event() -> None:
    event = json.loads((EVENTS / "s3_put_terminations.json").read_text())
    [upload] = s3_uploads(event)
    record = event["Records"][0]
    assert upload == S3Upload(
        bucket=record["s3"]["bucket"]["name"],
        key=record["s3"]["object"]["key"],
        event_time="2002-03-15T14:07:00.000Z",
        version_id=record["s3"]["object"].get("versionId"),
        size=record["s3"]["object"]["size"],
        etag=record["s3"]["object"].get("eTag"),
        uploader=record["userIdentity"]["principalId"],
    )


def test_s3_key_is_url_decoded_as_s3_encodes_it() -> None:
    event = {
        "Records": [
            {
                "eventTime": "2002-03-15T14:07:00.000Z",
                "s3": {
                    "bucket": {"name": "b"},
                    "object": {"key": "incoming/terminations/march+2002%2C+final.csv"},
                },
            }
        ]
    }
    [upload] = s3_uploads(event)
    assert upload.key == "incoming/terminations/march 2002, final.csv"
    assert (upload.size, upload.version_id, upload.etag) == (None, None, None)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({}, "no Records list"),
        ({"Records": "x"}, "no Records list"),
        ({"Records": [{"s3": {"bucket": {"name": "b"}}}]}, "record 1 lacks"),
        ({"Records": [{"eventTime": "t", "s3": {"object": {"key": "k"}}}]}, "lacks 'bucket'"),
    ],
)
def test_malformed_s3_event_is_refused_with_the_missing_field(
    event: dict[str, object], reason: str
) -> None:
    with pytest.raises(EventError, match=reason):
        s3_uploads(event)  # type: ignore[arg-type]


def test_schedule_time_is_the_eventbridge_time() -> None:
    event = json.loads((EVENTS / "schedule_daily.json").read_text())
    assert schedule_time(event) == event["time"]


@pytest.mark.parametrize("event", [{}, {"time": ""}, {"time": 5}])
def test_event_without_a_time_is_not_a_schedule_event(event: dict[str, object]) -> None:
    with pytest.raises(EventError, match="no time"):
        schedule_time(event)  # type: ignore[arg-type]


def test_upload_order_sorts_by_event_time_in_utc_then_key() -> None:
    from stockplan.service.feeds import upload_order

    earlier = upload_order("2002-10-02T14:00:00.000Z", "incoming/prices/b.csv")
    later = upload_order("2002-10-02T10:00:00.001-04:00", "incoming/prices/a.csv")
    assert earlier == "2002-10-02T14:00:00.000000Z#incoming/prices/b.csv"
    assert later == "2002-10-02T14:00:00.001000Z#incoming/prices/a.csv"
    assert earlier is not None and later is not None and earlier < later
    same_instant = upload_order("2002-10-02T14:00:00.000Z", "incoming/prices/c.csv")
    assert same_instant is not None and earlier < same_instant
    assert upload_order(None, "incoming/prices/a.csv") is None


TOPIC = "arn:aws:sns:us-east-1:123456789012:stockplan-dev-notice-feedback"


def test_an_ses_bounce_comes_from_the_sample_sns_event_without_any_address() -> None:
    event = json.loads((EVENTS / "sns_ses_bounce.json").read_text())
    assert ses_feedback(event, TOPIC).feedback == [
        SesFeedback(
            event_type="Bounce",
            message_id="0100018d2f6a4f10-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000",
            header_message_id="<termination-0123456789abcdef0123456789abcdef@stockplan.local>",
            feedback_id="0100018d2f6a5a44-4b1c2d3e-5f60-4a7b-8c9d-0e1f2a3b4c5d-000000",
            timestamp="2002-03-16T16:00:00.000Z",
            detail="Permanent",
            sub_detail="General",
        )
    ]
    assert "@home" not in repr(ses_feedback(event, TOPIC))


def test_ses_events_other_than_bounces_and_complaints_are_skipped() -> None:
    event = json.loads((EVENTS / "sns_ses_bounce.json").read_text())
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    message["eventType"] = "Delivery"
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    assert ses_feedback(event, TOPIC) == FeedbackEvent([], [])
    # An identity's notification topic says notificationType instead of eventType.
    del message["eventType"]
    message["notificationType"] = "Bounce"
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    assert [f.event_type for f in ses_feedback(event, TOPIC).feedback] == ["Bounce"]


def test_an_sns_message_that_is_not_ses_json_is_an_event_error() -> None:
    sns = {"Type": "Notification", "TopicArn": TOPIC, "Message": "not json", "Timestamp": "x"}
    with pytest.raises(EventError, match="SNS record 1 is not an SES event"):
        ses_feedback({"Records": [{"Sns": sns}]}, TOPIC)
    with pytest.raises(EventError):
        ses_feedback({}, TOPIC)


def _changed(**sns: str) -> dict[str, object]:
    event: dict[str, object] = json.loads((EVENTS / "sns_ses_bounce.json").read_text())
    event["Records"][0]["Sns"].update(sns)  # type: ignore[index]
    return event


@pytest.mark.parametrize(
    ("sns", "topic", "reason"),
    [
        ({"Type": "SubscriptionConfirmation", "Message": "You have chosen..."}, TOPIC, "type"),
        ({"TopicArn": TOPIC.replace("notice-feedback", "other")}, TOPIC, "topic"),
        ({"TopicArn": TOPIC.replace("123456789012", "999999999999")}, TOPIC, "account"),
        ({}, None, "topic"),
    ],
)
def test_a_record_not_of_the_stacks_own_topic_is_refused_unread(
    sns: dict[str, str], topic: str | None, reason: str
) -> None:
    """Only SNS Notifications of the stack's NoticeFeedbackTopic are feedback; the
    message of any other record is not even parsed."""
    assert ses_feedback(_changed(**sns), topic) == FeedbackEvent([], [RefusedRecord(1, reason)])


def test_an_ses_event_sent_from_another_account_is_refused() -> None:
    event = _changed()
    sns = event["Records"][0]["Sns"]  # type: ignore[index]
    sns["Message"] = sns["Message"].replace('"123456789012"', '"999999999999"')
    assert ses_feedback(event, TOPIC).refused == [RefusedRecord(1, "account")]
