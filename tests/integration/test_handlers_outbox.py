"""A failing send (docs/interfaces.md §4: each notice is sent exactly once): the notice stays
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
    emails_besides,
    feed,
    notice_kind,
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
    # Ann is told of her grant (docs/plan-rules.md "Notices"), sent before any send fails; the
    # tests look at the notices besides it.
    (granted,) = emails(stack)
    assert (notice_kind(granted), to(granted)) == ("grant", "ann.lee@ctc.example.com")
    assert [(n["kind"], n["status"]) for n in outbox(stack)] == [("grant", "sent")]
    return stack


def outbox_besides_grant(stack: Any) -> list[dict[str, Any]]:
    return [n for n in outbox(stack) if n["kind"] != "grant"]


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
    assert emails_besides(stack, "grant") == []
    (notice,) = outbox_besides_grant(stack)
    assert notice["kind"] == "termination"
    assert (notice["status"], notice["attempts"], notice["last_error"]) == (
        "pending",
        1,
        "Throttling",
    )

    retry = run_notices(stack, OCT2)

    assert retry == {"sent": 1, "retrying": 0, "dead": 0, "deferred": 0}
    (message,) = emails_besides(stack, "grant")
    assert to(message) == "ann@home.example.com"
    assert "Vested shares: 500" in plain(message)
    (notice,) = outbox_besides_grant(stack)
    assert notice["status"] == "sent" and notice["message_id"]
    assert "GSI1PK" not in notice  # off the pending index

    # Nothing is sent again: not by another retry, not by the next daily run.
    assert run_notices(stack, OCT2) == {"sent": 0, "retrying": 0, "dead": 0, "deferred": 0}
    run_daily(stack, date(2002, 10, 3))
    assert len(emails_besides(stack, "grant")) == 1
    assert ses.calls == 2


def test_a_notice_left_pending_is_also_sent_by_the_next_daily_run(granted: Any) -> None:
    stack = granted
    flaky(stack, failures=1)
    feed(stack, "terminations", ANN_QUITS, OCT2)
    assert emails_besides(stack, "grant") == []

    result = run_daily(stack, date(2002, 10, 3))

    assert result["notices_sent"] == 1
    assert [to(m) for m in emails_besides(stack, "grant")] == ["ann@home.example.com"]


def test_after_max_send_attempts_the_notice_is_failed_and_dead_lettered_without_an_address(
    granted: Any,
) -> None:
    stack = granted
    limit = stack.runtime.settings.max_send_attempts
    assert limit == 5  # Settings default (the template sets no MAX_SEND_ATTEMPTS)
    ses = flaky(stack, failures=1000)

    feed(stack, "terminations", ANN_QUITS, OCT2)  # attempt 1
    for attempt in range(2, limit):
        assert run_notices(stack, OCT2) == {"sent": 0, "retrying": 1, "dead": 0, "deferred": 0}
        (notice,) = outbox_besides_grant(stack)
        assert (notice["status"], notice["attempts"]) == ("pending", attempt)
    # attempt 5
    assert run_notices(stack, OCT2) == {"sent": 0, "retrying": 0, "dead": 1, "deferred": 0}

    (notice,) = outbox_besides_grant(stack)
    assert (notice["status"], notice["attempts"]) == ("failed", limit)
    # Off the pending index, listed with the undelivered notices.
    assert notice["GSI1PK"] == "OUTBOX#UNDELIVERED"
    assert emails_besides(stack, "grant") == []

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
    assert run_notices(stack, OCT2) == {"sent": 0, "retrying": 0, "dead": 0, "deferred": 0}
    run_daily(stack, date(2002, 10, 3))
    assert ses.calls == limit


class RunningOutContext:
    """A Lambda context whose remaining time drops by `step_ms` at every look: the
    function is near its timeout after a few notices."""

    def __init__(self, base: Any, start_ms: int, step_ms: int) -> None:
        self._base = base
        self.left = start_ms
        self.step = step_ms

    def get_remaining_time_in_millis(self) -> int:
        self.left -= self.step
        return self.left

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


def test_notices_a_feed_has_no_time_left_to_send_stay_pending_for_the_sweep(
    local_stack: Any,
) -> None:
    """Three terminations, three notices; the FeedFunction has time for one before its
    reserve (outbox.SEND_RESERVE_MS). The other two stay in the outbox, pending, and the
    NoticeFunction's sweep sends them: each of the three goes out once."""
    from handlers_support import FEED_FUNCTION

    from stockplan.service.outbox import SEND_RESERVE_MS

    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    grants = "".join(
        f"G-{n},{pid},incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,2002-09-15:100\n"
        for n, pid in ((1, "E1"), (2, "E2"), (3, "M1"))
    )
    feed(
        stack,
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n" + grants,
        MAR15,
    )
    before = len(emails(stack))
    stack.contexts[FEED_FUNCTION] = RunningOutContext(
        stack.contexts[FEED_FUNCTION], start_ms=SEND_RESERVE_MS + 1500, step_ms=1000
    )
    quits = "participant_id,termination_date,reason\n" + "".join(
        f"{pid},2002-10-01,voluntary\n" for pid in ("E1", "E2", "M1")
    )
    result = feed(stack, "terminations", quits, OCT2)
    assert result["accepted"] == 3
    assert len(emails(stack)) == before + 1
    pending = [n for n in outbox(stack) if n["status"] == "pending"]
    assert len(pending) == 2
    swept = run_notices(stack, OCT2)
    assert swept == {"sent": 2, "retrying": 0, "dead": 0, "deferred": 0}
    sent = emails(stack)[before:]
    assert sorted(to(m) for m in sent) == sorted(
        ["ann@home.example.com", "bob.roe@ctc.example.com", "max.ives@ctc.example.com"]
    )
    assert all(n["status"] == "sent" for n in outbox(stack) if n["kind"] == "termination")


def test_a_sent_notices_body_moves_to_an_item_that_expires_and_the_record_stays(
    granted: Any,
) -> None:
    """Retention: once SES accepted it, the notice keeps its record (kind, recipient,
    subject, message id) and its raw body goes to an item the table's time-to-live
    removes after SentNoticeBodyRetentionDays; the notice went out with the stack's
    configuration set (its bounces reach the BounceFunction)."""
    import time

    from handlers_support import item, table_items

    stack = granted
    requests: list[dict[str, Any]] = []
    ses = stack.runtime.ses

    class Recording:
        def send_email(self, **kwargs: Any) -> Any:
            requests.append(kwargs)
            return ses.send_email(**kwargs)

    stack.runtime.ses = Recording()
    before = int(time.time())

    feed(stack, "terminations", ANN_QUITS, OCT2)

    (request,) = requests
    assert request["ConfigurationSetName"] == "stockplan-local-notices"
    (notice,) = outbox_besides_grant(stack)
    nid = notice["notice_id"]
    assert notice["status"] == "sent" and notice["message_id"]
    assert "raw" not in notice
    assert (notice["kind"], notice["recipient"]) == ("termination", "ann@home.example.com")
    body = item(stack, f"OUTBOX#{nid}", "BODY")
    assert body is not None
    assert bytes(body["raw"]) == request["Content"]["Raw"]["Data"]
    days = stack.runtime.settings.notice_body_retention_days
    assert days == 90  # the template's default
    assert before + days * 86_400 <= int(body["expires_at"]) <= time.time() + days * 86_400
    # The notice records themselves carry no expiry: only bodies are dropped.
    # (Ann's grant notice, sent by the fixture, has its body item too.)
    expiring = [i["SK"]["S"] for i in table_items(stack) if "expires_at" in i]
    assert expiring == ["BODY", "BODY"]
