"""A failing send (interfaces.md §4: each notice is sent exactly once): the notice stays
in the outbox, the NoticeFunction retries it, and after `max_send_attempts` failures it
is marked failed and dead-lettered without personal data."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from botocore.exceptions import ClientError
from handlers_support import (
    PEOPLE_CSV,
    emails,
    feed,
    outbox,
    plain,
    run_daily,
    run_notices,
    to,
)

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
ANN_QUITS = "participant_id,termination_date,reason\nE1,2002-10-01,voluntary\n"


class FlakySes:
    """Stands in for the SES client: `send_email` fails `failures` times (Throttling),
    then delegates to moto's SES."""

    def __init__(self, client: Any, failures: int) -> None:
        self._client = client
        self.failures = failures
        self.calls = 0

    def send_email(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "x"}}, "SendEmail")
        return self._client.send_email(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.fixture
def granted(local_stack: Any) -> Any:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    feed(
        stack,
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n"
        "G-100,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,"
        "2002-09-15:500;2003-03-15:500\n",
        MAR15,
    )
    return stack


def flaky(stack: Any, failures: int) -> FlakySes:
    proxy = FlakySes(stack.runtime.ses, failures)
    stack.runtime.ses = proxy
    return proxy


def test_a_failed_first_send_stays_pending_and_the_notice_function_sends_it_exactly_once(
    granted: Any,
) -> None:
    stack = granted
    ses = flaky(stack, failures=1)

    outcome = feed(stack, "terminations", ANN_QUITS, OCT2)

    # The termination itself is applied; only the email failed.
    assert outcome["accepted"] == 1
    assert emails(stack) == []
    (notice,) = outbox(stack)
    assert notice["kind"] == "termination"
    assert (notice["status"], notice["attempts"], notice["last_error"]) == (
        "pending",
        1,
        "Throttling",
    )

    retry = run_notices(stack, OCT2)

    assert retry == {"sent": 1, "retrying": 0, "dead": 0}
    (message,) = emails(stack)
    assert to(message) == "ann@home.example.com"
    assert "Vested shares: 500" in plain(message)
    (notice,) = outbox(stack)
    assert notice["status"] == "sent" and notice["message_id"]
    assert "GSI1PK" not in notice  # off the pending index

    # Nothing is sent again: not by another retry, not by the next daily run.
    assert run_notices(stack, OCT2) == {"sent": 0, "retrying": 0, "dead": 0}
    run_daily(stack, date(2002, 10, 3))
    assert len(emails(stack)) == 1
    assert ses.calls == 2


def test_a_notice_left_pending_is_also_sent_by_the_next_daily_run(granted: Any) -> None:
    stack = granted
    flaky(stack, failures=1)
    feed(stack, "terminations", ANN_QUITS, OCT2)
    assert emails(stack) == []

    result = run_daily(stack, date(2002, 10, 3))

    assert result["notices_sent"] == 1
    assert [to(m) for m in emails(stack)] == ["ann@home.example.com"]


def test_after_max_send_attempts_the_notice_is_failed_and_dead_lettered_without_an_address(
    granted: Any,
) -> None:
    stack = granted
    limit = stack.runtime.settings.max_send_attempts
    assert limit == 5  # Settings default (the template sets no MAX_SEND_ATTEMPTS)
    ses = flaky(stack, failures=1000)

    feed(stack, "terminations", ANN_QUITS, OCT2)  # attempt 1
    for attempt in range(2, limit):
        assert run_notices(stack, OCT2) == {"sent": 0, "retrying": 1, "dead": 0}
        (notice,) = outbox(stack)
        assert (notice["status"], notice["attempts"]) == ("pending", attempt)
    assert run_notices(stack, OCT2) == {"sent": 0, "retrying": 0, "dead": 1}  # attempt 5

    (notice,) = outbox(stack)
    assert (notice["status"], notice["attempts"]) == ("failed", limit)
    assert "GSI1PK" not in notice
    assert emails(stack) == []

    sqs = stack.runtime.sqs
    received = sqs.receive_message(
        QueueUrl=stack.stack.notice_dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
    )
    (message,) = received["Messages"]
    body = message["Body"]
    assert json.loads(body) == {
        "notice_id": notice["notice_id"],
        "kind": "termination",
        "attempts": limit,
        "error": "Throttling",
    }
    # No personal data in the queue: no address, no name.
    assert "@" not in body and "Ann" not in body

    # A failed notice is not retried again.
    assert run_notices(stack, OCT2) == {"sent": 0, "retrying": 0, "dead": 0}
    run_daily(stack, date(2002, 10, 3))
    assert ses.calls == limit
