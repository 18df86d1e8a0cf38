"""Bounces and complaints (stockplan.service.bounces) on the in-memory stack: the notice
is marked undelivered and the administrator told once per bounce."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from memory_world import ADMIN, World

from stockplan.data import records as rec
from stockplan.data.table import ConflictError
from stockplan.events import SesFeedback
from stockplan.service.bounces import BounceDeps, record_feedback
from stockplan.service.report import undelivered_notices

MAR16 = date(2002, 3, 16)


def _bounce(
    message_id: str, feedback_id: str = "fb-1", at: str = "2002-03-16T16:00:00Z"
) -> SesFeedback:
    return SesFeedback("Bounce", message_id, None, feedback_id, at, "Permanent", "General")


def test_a_bounced_notice_is_marked_and_the_administrator_is_told_once(granted: World) -> None:
    (mail,) = granted.mailer.sent
    deps = BounceDeps(granted.table, granted.settings)

    outcome = record_feedback(deps, _bounce(mail.message_id), MAR16)
    again = record_feedback(deps, _bounce(mail.message_id), MAR16)

    assert (outcome.status, outcome.delivery) == ("recorded", "bounced")
    assert again.status == "duplicate"
    assert outcome.notice_id is not None and outcome.alert_id is not None
    notice = granted.table.get(*rec.notice_key(outcome.notice_id))
    assert notice is not None
    assert (notice["status"], notice["delivery"], notice["GSI1PK"]) == (
        "sent",
        "bounced",
        rec.UNDELIVERED_NOTICES,
    )
    granted.send_pending()
    alert = granted.emails()[-1]
    assert str(alert["To"]) == ADMIN
    assert str(alert["Subject"]) == "Notice not delivered: grant notice for participant E1"
    assert "ann@home.example.com" in alert.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (listed,) = undelivered_notices(granted.table)
    assert (listed["notice_id"], listed["delivery"]) == (outcome.notice_id, "bounced")


def test_feedback_for_a_message_we_never_sent_is_unmatched(world: World) -> None:
    outcome = record_feedback(BounceDeps(world.table, world.settings), _bounce("not-ours"), MAR16)
    assert outcome.status == "unmatched"
    assert world.table.items == {}


def test_a_second_feedback_id_for_the_same_notice_does_not_mail_the_administrator_again(
    granted: World,
) -> None:
    (mail,) = granted.mailer.sent
    deps = BounceDeps(granted.table, granted.settings)

    first = record_feedback(deps, _bounce(mail.message_id, "fb-1"), MAR16)
    second = record_feedback(deps, _bounce(mail.message_id, "fb-2"), MAR16)
    again = record_feedback(deps, _bounce(mail.message_id, "fb-2"), MAR16)

    assert first.alert_id is not None
    assert (second.status, second.alert_id) == ("recorded", None)
    assert again.status == "duplicate"
    granted.send_pending()
    assert [str(m["To"]) for m in granted.emails()].count(ADMIN) == 1
    notice = granted.table.get(*rec.notice_key(str(first.notice_id)))
    assert notice is not None and notice["feedback_id"] == "fb-2"


def test_two_deliveries_of_one_bounce_racing_mail_the_administrator_once(
    granted: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SNS delivers at least once: a delivery whose commit loses to another delivery of
    the same bounce (which wrote the mark and the administrator's email first) reads
    again and stands down."""
    (mail,) = granted.mailer.sent
    deps = BounceDeps(granted.table, granted.settings)
    commit = granted.table.commit
    raced: list[bool] = []

    def the_other_delivery_wins(tx: Any) -> None:
        if not raced:
            raced.append(True)
            commit(tx)  # the other delivery's identical transaction
            raise ConflictError("condition failed")
        commit(tx)

    monkeypatch.setattr(granted.table, "commit", the_other_delivery_wins)
    outcome = record_feedback(deps, _bounce(mail.message_id), MAR16)

    assert outcome.status == "duplicate" and raced == [True]
    assert len([n for n in granted.of_type("notice") if n["recipient"] == ADMIN]) == 1


def test_an_earlier_feedback_arriving_after_a_later_one_leaves_the_later_verdict(
    granted: World,
) -> None:
    """SNS delivers in any order: the notice keeps the latest verdict SES gave."""
    (mail,) = granted.mailer.sent
    deps = BounceDeps(granted.table, granted.settings)
    later = record_feedback(deps, _bounce(mail.message_id, "fb-2", "2002-03-16T18:00:00Z"), MAR16)
    earlier = record_feedback(deps, _bounce(mail.message_id, "fb-1", "2002-03-16T16:00:00Z"), MAR16)
    assert (later.status, earlier.status, earlier.alert_id) == ("recorded", "duplicate", None)
    notice = granted.table.get(*rec.notice_key(str(later.notice_id)))
    assert notice is not None
    assert (notice["feedback_id"], notice["feedback_at"]) == ("fb-2", "2002-03-16T18:00:00Z")
