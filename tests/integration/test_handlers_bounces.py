"""Bounces and complaints of sent notices, through the embedded AWS: SES's event JSON is
published to the notices' feedback topic and SNS's notification goes to the
BounceFunction the template names. The notice is marked, the administrator is told once
per bounce (with the participant's other addresses), and `stockplan report` lists it."""

from __future__ import annotations

import json
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
