"""Bounces and complaints of sent notices, through the embedded AWS: SES's event JSON is
published to the notices' feedback topic and SNS's notification goes to the
BounceFunction the template names. The notice is marked, the administrator is told once
per bounce (with the participant's other addresses), and `stockplan report` lists it."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    PEOPLE_CSV,
    emails,
    emails_besides,
    feed,
    item,
    outbox,
    plain,
    subject,
    to,
)

from stockplan.data.table import Update

MAR15 = date(2002, 3, 15)
MAR16 = date(2002, 3, 16)
ARRIVED = "2002-03-16T16:00:00.000Z"
ANN_QUITS = "participant_id,termination_date,reason\nE1,2002-03-15,other\n"
ANN_GRANT = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\nG-1,E1,incentive-1998,nso,2002-03-01,100,10.00,2012-03-01,\n"
)


@pytest.fixture
def sent_notice(local_stack: Any) -> tuple[Any, Any, dict[str, Any]]:
    """Ann (E1) has left: her termination notice went to her personal address. (The
    grant notice of her award, sent before, is left out of what the tests count.)"""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    # An open award: a termination of someone without one sends no notice (docs/plan-rules.md).
    feed(stack, "grants", ANN_GRANT, MAR15)
    feed(stack, "terminations", ANN_QUITS, MAR15)
    (notice,) = [n for n in outbox(stack) if n["kind"] == "termination"]
    (sent,) = [m for m in stack.aws.sent_messages() if m.id == notice["message_id"]]
    assert notice["recipient"] == "ann@home.example.com"
    return stack, sent, notice


def bounce(stack: Any, sent: Any, event_type: str = "Bounce", **kwargs: Any) -> dict[str, Any]:
    from stockplan_cli.embedded import ses_feedback_message

    message = ses_feedback_message(sent, event_type, MAR16, **kwargs)
    result: dict[str, Any] = stack.deliver_feedback(message, ARRIVED)
    return result


def test_a_bounced_notice_is_marked_and_the_administrator_is_told_once_with_the_other_addresses(
    sent_notice: tuple[Any, Any, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    from stockplan.service.report import undelivered_notices
    from stockplan_cli.main import main

    stack, sent, notice = sent_notice
    nid = notice["notice_id"]
    assert notice["message_id"] == sent.id  # stored when SES accepted it

    result = bounce(stack, sent)

    assert result["feedback"] == [{"notice_id": nid, "status": "recorded", "delivery": "bounced"}]
    assert result["alerts_sent"] == 1
    marked = item(stack, f"OUTBOX#{nid}", "NOTICE")
    assert marked is not None
    assert (marked["status"], marked["delivery"]) == ("sent", "bounced")
    assert marked["feedback"] == "Bounce: Permanent (General)"
    assert marked["GSI1PK"] == "OUTBOX#UNDELIVERED"
    _, alert = emails_besides(stack, "grant")
    assert to(alert) == ADMIN
    assert subject(alert) == "Notice not delivered: termination notice for participant E1"
    text = " ".join(plain(alert).split())
    assert f"the termination notice {nid}, sent on 2002-03-15 to ann@home.example.com" in text
    assert "Permanent, General bounce" in text
    assert "Participant: Ann Lee (E1)." in text
    assert "Other addresses on file: work address: ann.lee@ctc.example.com." in text
    # The command that sends it again, as it was written (stockplan resend).
    assert f"stockplan resend --notice {nid} --to ADDRESS" in text

    # SNS delivers at least once: the same notification again tells no one again.
    again = bounce(stack, sent)
    assert again["feedback"][0]["status"] == "duplicate"
    assert again["alerts_sent"] == 0
    assert len(emails_besides(stack, "grant")) == 2

    (listed,) = undelivered_notices(stack.runtime.table())
    assert listed == {
        "notice_id": nid,
        "kind": "termination",
        "participant_id": "E1",
        "send_on": "2002-03-15",
        "delivery": "bounced",
        "detail": "Bounce: Permanent (General)",
        "reported_on": "2002-03-16",
    }
    assert main(["report", "--table", stack.stack.table, "--as-of", "2002-03-16"]) == 0
    printed = capsys.readouterr().out
    assert "Undelivered notices: 1" in printed
    assert nid in printed and "bounced" in printed
    assert "@" not in printed.split("Undelivered notices")[1]  # no address in the report
    assert main(["report", "--table", stack.stack.table, "--as-of", "2002-03-16", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["undelivered_notices"] == [listed]


def test_a_complaint_is_marked_and_reported_to_the_administrator(
    sent_notice: tuple[Any, Any, dict[str, Any]],
) -> None:
    stack, sent, notice = sent_notice

    result = bounce(stack, sent, "Complaint")

    assert result["feedback"][0]["delivery"] == "complained"
    marked = item(stack, f"OUTBOX#{notice['notice_id']}", "NOTICE")
    assert marked is not None and marked["delivery"] == "complained"
    _, alert = emails_besides(stack, "grant")
    assert subject(alert) == "Notice marked as unwanted: termination notice for participant E1"
    assert "marked it as unwanted (abuse)" in " ".join(plain(alert).split())


def test_a_notice_whose_sent_mark_was_lost_is_found_by_its_message_id_header(
    sent_notice: tuple[Any, Any, dict[str, Any]],
) -> None:
    """SES accepted it but the reply was lost: no message id stored, the notice still
    'sending'. Its Message-ID header (made from the notice id) finds it, and it is never
    sent again to the address that bounced."""
    stack, sent, notice = sent_notice
    nid = notice["notice_id"]
    stack.runtime.table().update(
        Update(
            f"OUTBOX#{nid}",
            "NOTICE",
            "SET #s = :s REMOVE message_id",
            {":s": "sending"},
            names={"#s": "status"},
        )
    )

    result = bounce(stack, sent)

    assert result["feedback"][0] == {"notice_id": nid, "status": "recorded", "delivery": "bounced"}
    marked = item(stack, f"OUTBOX#{nid}", "NOTICE")
    assert marked is not None
    assert (marked["status"], marked["message_id"]) == ("sent", sent.id)


def test_feedback_for_a_message_that_is_not_a_notice_changes_nothing(
    sent_notice: tuple[Any, Any, dict[str, Any]],
) -> None:
    stack, sent, _ = sent_notice
    sent.id = "0100000000000000-unknown-000000"
    sent.raw_data = sent.raw_data.replace("@stockplan.local>", "@elsewhere.example>")
    before = outbox(stack)

    result = bounce(stack, sent)

    assert result["feedback"] == [{"notice_id": None, "status": "unmatched", "delivery": None}]
    assert outbox(stack) == before
    assert len(emails_besides(stack, "grant")) == 1


def test_a_bounced_administrator_notice_is_marked_but_not_mailed_about(local_stack: Any) -> None:
    """The administrator's own mailbox bounced: a mail about it would bounce too."""
    stack = local_stack
    feed(stack, "participants", "participant_id,name\nP-1,Ann\n", MAR15)  # file rejected
    (sent,) = stack.aws.sent_messages()
    (notice,) = outbox(stack)
    assert notice["recipient"] == ADMIN

    result = bounce(stack, sent)

    assert result["feedback"][0]["status"] == "recorded"
    assert result["alerts_sent"] == 0
    assert len(emails(stack)) == 1
    marked = item(stack, f"OUTBOX#{notice['notice_id']}", "NOTICE")
    assert marked is not None and marked["delivery"] == "bounced"


# --- only the stack's own feedback is read -------------------------------------------


def deliver(stack: Any, sent: Any, sns: dict[str, Any], **mail: Any) -> dict[str, Any]:
    """Hand the BounceFunction an SNS record of a bounce of `sent`, with the record's
    `sns` fields and the SES message's `mail` fields changed."""
    from stockplan_cli.embedded import ses_feedback_message, sns_event

    message = ses_feedback_message(sent, "Bounce", MAR16)
    message["mail"].update(mail)
    event = sns_event(stack.stack.feedback_topic_arn, "m-forged", json.dumps(message), ARRIVED)
    event["Records"][0]["Sns"].update(sns)
    result: dict[str, Any] = stack.invoke("BounceFunction", event)
    return result


def _other_topic(stack: Any, name: str | None = None, account: str | None = None) -> str:
    parts = stack.stack.feedback_topic_arn.split(":")
    if name is not None:
        parts[5] = name
    if account is not None:
        parts[4] = account
    return ":".join(parts)


@pytest.mark.parametrize(
    ("sns", "mail", "reason"),
    [
        pytest.param({"Type": "SubscriptionConfirmation"}, {}, "type", id="subscription"),
        pytest.param({"Type": "UnsubscribeConfirmation"}, {}, "type", id="unsubscribe"),
        pytest.param({"TopicArn": "other-topic"}, {}, "topic", id="forged-topic"),
        pytest.param({"TopicArn": "other-account"}, {}, "account", id="other-account-topic"),
        pytest.param({}, {"sendingAccountId": "999999999999"}, "account", id="other-account-mail"),
    ],
)
def test_only_notifications_of_the_stacks_own_feedback_topic_and_account_are_read(
    sent_notice: tuple[Any, Any, dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    sns: dict[str, Any],
    mail: dict[str, Any],
    reason: str,
) -> None:
    """A SubscriptionConfirmation, a record of another topic or another account is not
    feedback on our notices: it is refused unread, counted (FeedbackRefused) and
    logged by record number and reason, without an address; nothing is marked and
    nobody is mailed."""
    from stockplan import observability

    stack, sent, notice = sent_notice
    if sns.get("TopicArn") == "other-topic":
        sns = {"TopicArn": _other_topic(stack, name="someone-elses-topic")}
    elif sns.get("TopicArn") == "other-account":
        sns = {"TopicArn": _other_topic(stack, account="999999999999")}
    seen: list[tuple[str, float]] = []
    add = observability.metrics.add_metric
    monkeypatch.setattr(
        observability.metrics,
        "add_metric",
        lambda name, unit, value, *a, **k: (seen.append((name, value)), add(name, unit, value)),
    )
    before = len(emails(stack))
    handler_logger = logging.getLogger("stockplan")  # the handlers' Powertools logger
    monkeypatch.setattr(handler_logger, "handlers", [*handler_logger.handlers, caplog.handler])
    caplog.set_level(logging.INFO, logger="stockplan")

    result = deliver(stack, sent, sns, **mail)

    assert result["feedback"] == []  # not handled as feedback
    assert (result["refused"], result["alerts_sent"]) == (1, 0)
    marked = item(stack, f"OUTBOX#{notice['notice_id']}", "NOTICE")
    assert marked is not None and "delivery" not in marked
    assert len(emails(stack)) == before
    assert ("FeedbackRefused", 1) in seen
    # The record reaches caplog once through the logger and once through the root.
    (line,) = {id(r): r for r in caplog.records if "refused" in r.getMessage()}.values()
    assert line.levelno == logging.WARNING
    assert line.__dict__["refused"] == [{"record": 1, "reason": reason}]
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "@" not in logged and sent.id not in logged


def test_one_administrator_email_per_notice_however_many_feedback_ids(
    sent_notice: tuple[Any, Any, dict[str, Any]],
) -> None:
    """The same notice bounced again under a second feedbackId (SES reported it twice,
    or a complaint followed the bounce) updates the notice's verdict but does not mail
    the administrator again."""
    stack, sent, notice = sent_notice
    first = bounce(stack, sent, feedback_id="0100aaaa-first-000000")
    second = bounce(
        stack,
        sent,
        bounce_type="Transient",
        bounce_subtype="MailboxFull",
        feedback_id="0100bbbb-second-000000",
    )
    third = bounce(stack, sent, "Complaint", feedback_id="0100cccc-third-000000")

    assert first["alerts_sent"] == 1
    assert [r["feedback"][0]["status"] for r in (second, third)] == ["recorded", "recorded"]
    assert (second["alerts_sent"], third["alerts_sent"]) == (0, 0)
    alerts = [m for m in emails_besides(stack, "grant") if to(m) == ADMIN]
    assert len(alerts) == 1
    marked = item(stack, f"OUTBOX#{notice['notice_id']}", "NOTICE")
    assert marked is not None and marked["delivery"] == "complained"
    # The second feedback delivered again is a duplicate: nothing is written or sent.
    again = bounce(stack, sent, "Complaint", feedback_id="0100cccc-third-000000")
    assert again["feedback"][0]["status"] == "duplicate"
