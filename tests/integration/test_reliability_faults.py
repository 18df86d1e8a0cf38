"""Faults injected into the embedded AWS and the clients the handlers use: redelivered
and reordered events, skipped and doubled schedule days, a handler dying after any row,
SES refusing or failing at the HTTP level (botocore's own retries and backoff run),
DynamoDB conditional-check failures, transaction conflicts and throttling, a price that
never arrives, and a termination fed after the deadline it creates.

Every test ends with the pool drift check (pool counters = the sum of the awards).
"""

from __future__ import annotations

import functools
import json
import random
from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError
from handlers_support import (
    ADMIN,
    FEED_FUNCTION,
    PEOPLE_CSV,
    assert_pools_match_awards,
    award,
    emails,
    emails_besides,
    errors_csv,
    feed,
    notice_kind,
    outbox,
    plain,
    put_object,
    report,
    run_daily,
    run_notices,
    s3_event,
    subject,
    table_items,
    to,
)
from reliability_support import Upload, fresh_stack, serial_states, state

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
ANN_QUITS = "participant_id,termination_date,reason\nE1,2002-10-01,voluntary\n"


class Crash(BaseException):
    """The Lambda dies here: a timeout or a kill, which no `except Exception` sees."""


def base(stack: Any) -> None:
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-100,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,"
        "2002-09-15:500;2003-03-15:500\n"
        "G-200,E2,incentive-1998,nso,2002-03-15,400,20.00,2012-03-15,\n",
        MAR15,
    )


@pytest.fixture
def granted(local_stack: Any) -> Any:
    base(local_stack)
    # Ann and Bob are each told of their grant (docs/plan-rules.md "Notices"), before any fault;
    # the tests look at the notices besides these two.
    assert sorted((notice_kind(m), to(m)) for m in emails(local_stack)) == [
        ("grant", "ann.lee@ctc.example.com"),
        ("grant", "bob.roe@ctc.example.com"),
    ]
    return local_stack


def outbox_besides_grants(stack: Any) -> list[dict[str, Any]]:
    return [n for n in outbox(stack) if n["kind"] != "grant"]


def deliver(stack: Any, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke(FEED_FUNCTION, event)["files"][0]
    return result


def sent(stack: Any) -> list[tuple[str, str]]:
    return sorted((to(m), subject(m)) for m in emails(stack))


# ----------------------------------------------------------------- delivery


def test_events_redelivered_after_a_later_upload_change_nothing(granted: Any) -> None:
    """E1 (prices, version 1 of a key), E2 (version 2 of the same key) and E3 (a
    termination under another key) are applied; then S3 delivers E1, E3 and E2 again,
    late and out of order: nothing changes and nothing is sent again."""
    stack = granted
    key = "incoming/prices/daily.csv"
    v1 = put_object(stack, key, b"date,last_sale\n2002-10-01,21.00\n")
    v2 = put_object(stack, key, b"date,last_sale\n2002-10-02,22.00\n")
    term_key = "incoming/terminations/2002-10-02.csv"
    put_object(stack, term_key, ANN_QUITS.encode())
    events = {
        "E1": s3_event(stack, "prices", key, OCT2, version=v1),
        "E2": s3_event(stack, "prices", key, OCT2, version=v2),
        "E3": s3_event(stack, "terminations", term_key, OCT2),
    }
    for name in ("E1", "E2", "E3"):
        assert deliver(stack, events[name])["status"] == "processed"
    before, mails = table_items(stack), sent(stack)
    assert [(to(m), subject(m)) for m in emails_besides(stack, "grant")] == [
        ("ann@home.example.com", "Your stock awards after your employment ended on 2002-10-01")
    ]

    for name in ("E1", "E3", "E2", "E2"):
        assert deliver(stack, events[name])["status"] == "duplicate"

    assert table_items(stack) == before
    assert sent(stack) == mails
    assert_pools_match_awards(stack)


def test_two_uploads_delivered_in_reverse_order_end_as_in_upload_order() -> None:
    """A price file and a termination uploaded one after the other, their events
    delivered the other way round: the same state as in upload order."""
    prices = Upload("prices", "date,last_sale\n2002-10-01,21.00\n", OCT2, "prices")
    quits = Upload("terminations", ANN_QUITS, OCT2, "quits")
    (in_order, mails), (reversed_state, reversed_mails) = serial_states(
        base, [(prices, quits), (quits, prices)], sent
    )
    assert reversed_state == in_order and reversed_mails == mails


def _deliver_uploads(
    stack: Any, uploads: list[tuple[str, str, str, str]], delivery: list[int]
) -> None:
    """Upload (kind, name, body, clock) in list order, all on OCT2, then deliver their
    S3 events in the order `delivery` names (indexes into `uploads`)."""
    events = []
    for kind, name, body, clock in uploads:
        key = f"incoming/{kind}/{name}.csv"
        version = put_object(stack, key, body.encode())
        events.append(s3_event(stack, kind, key, OCT2, clock=clock, version=version))
    for index in delivery:
        stack.invoke(FEED_FUNCTION, events[index])


def _without_audit(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The state less what records how it was reached: the audit trail (what each
    delivery did), the files' row markers and the items' write counters (a superseded
    row writes nothing)."""
    return [
        {k: v for k, v in i.items() if k != "version"}
        for i in items
        if not i["PK"]["S"].startswith(("AUDIT#", "FEED#"))
    ]


def test_a_price_correction_uploaded_last_stands_when_its_event_arrives_first() -> None:
    """Two uploads of the 2002-10-01 price, the correction an hour later; S3 delivers
    the correction's event first. The later upload's price stands (its stored
    provenance says so), as in upload order, and the grant priced on it passes the
    100% of FMV test of 1998 §6.a.(1) in both."""
    uploads = [
        ("prices", "first", "date,last_sale\n2002-10-01,25.00\n", "T14:00:00.000Z"),
        ("prices", "correction", "date,last_sale\n2002-10-01,24.00\n", "T15:00:00.000Z"),
        (
            "grants",
            "oct",
            GRANTS_HEADER + "G-900,M1,incentive-1998,iso,2002-10-01,100,24.00,2012-09-30,\n",
            "T16:00:00.000Z",
        ),
    ]
    found = []
    for delivery in ([0, 1, 2], [1, 0, 2]):
        with fresh_stack() as stack:
            base(stack)
            _deliver_uploads(stack, uploads, delivery)
            price = next(
                i
                for i in table_items(stack)
                if i["PK"]["S"] == "PRICES" and i["SK"]["S"] == "2002-10-01"
            )
            assert price["last_sale"] == {"S": "24.00"}
            assert price["price_upload"]["S"].endswith("#incoming/prices/correction.csv")
            assert award(report(stack, OCT2), "G-900")["exercise_price"] == "24.00"
            found.append(_without_audit(state(stack)))
            assert_pools_match_awards(stack)
    assert found[0] == found[1]


def test_a_new_address_uploaded_last_stands_when_the_older_file_arrives_late() -> None:
    """Ann's participants row moves her personal address; the file uploaded before it
    (her old address) is delivered after it. Her termination notice still goes to the
    new address, as in upload order: the feed, not the order of events, decides."""
    old = PEOPLE_CSV.replace("ann@home.example.com", "ann@old-home.example.com")
    new = PEOPLE_CSV.replace("ann@home.example.com", "ann@new-home.example.com")
    uploads = [
        ("participants", "old", old, "T14:00:00.000Z"),
        ("participants", "new", new, "T15:00:00.000Z"),
        ("terminations", "quits", ANN_QUITS, "T16:00:00.000Z"),
    ]
    found = []
    for delivery in ([0, 1, 2], [1, 0, 2]):
        with fresh_stack() as stack:
            base(stack)
            _deliver_uploads(stack, uploads, delivery)
            mails = [m for m in emails(stack) if "ann" in to(m)]
            assert mails and all("ann@new-home.example.com" in to(m) for m in mails[-1:])
            found.append((_without_audit(state(stack)), sent(stack)))
    assert found[0] == found[1]


# ----------------------------------------------------------------- schedule


def schedule_setup(stack: Any) -> None:
    """Expiries, reminders, a formula-option meeting, a deferred fee and a termination,
    all falling due between 2002-03-16 and 2002-07-15."""
    base(stack)
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n", MAR15, name="may")
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-300,E1,incentive-1998,nso,2002-03-15,300,20.00,2002-06-01,\n",
        MAR15,
        name="short",
    )
    feed(stack, "elections", "participant_id,notice_date,action\nD1,2001-12-03,elect\n", MAR15)
    feed(
        stack,
        "meetings",
        "meeting_date,participant_id,outcome\n2002-05-15,D1,reelected\n2002-05-15,D2,continuing\n",
        MAR15,
    )
    feed(
        stack,
        "fees",
        "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-05-15,1500\n",
        MAR15,
    )
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE2,2002-04-01,voluntary\n",
        MAR15,
    )


def run_schedule(stack: Any, days: list[date]) -> None:
    for day in days:
        run_daily(stack, day)


def settled(stack: Any) -> dict[str, Any]:
    """What the schedule decides (the report), less the day it is read on."""
    rep = report(stack, date(2002, 7, 15))
    return {"awards": rep["awards"], "deferred": rep["deferred_stock"], "pools": rep["pools"]}


@functools.cache
def one_run_a_day(days: tuple[date, ...]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    with fresh_stack() as reference:
        schedule_setup(reference)
        run_schedule(reference, list(days))
        return settled(reference), sent(reference)


@pytest.mark.parametrize("seed", [11, 12])
def test_skipped_and_doubled_schedule_days_lose_and_repeat_nothing(seed: int) -> None:
    """The daily schedule misses about a third of the days and fires twice on a fifth
    of them (the last day always runs): awards, deferred stock and pools end as with one
    run a day; no notice goes out twice; no reminder is sent that the daily run would
    not have sent; every expiry, grant and termination notice goes out."""
    days = [date(2002, 3, 16) + timedelta(days=n) for n in range(122)]
    rng = random.Random(seed)
    faulty: list[date] = []
    for day in days[:-1]:
        roll = rng.random()
        if roll < 0.33:
            continue
        faulty += [day, day] if roll > 0.8 else [day]
    faulty.append(days[-1])
    assert len(set(faulty)) < len(days) and len(faulty) > len(set(faulty))

    expected, expected_mails = one_run_a_day(tuple(days))
    with fresh_stack() as stack:
        schedule_setup(stack)
        run_schedule(stack, faulty)

        assert settled(stack) == expected
        mails = sent(stack)
        # A notice's id is its fact's (notices.mime.notice_id): no id twice. (Ann's two
        # grant notices of 2002-03-15, G-100 and G-300, share recipient and subject.)
        ids = [m["Message-ID"] for m in emails(stack)]
        assert len(ids) == len(set(ids)), "a notice went out twice"
        reminders = {m for m in mails if m[1].startswith("Reminder:")}
        assert reminders <= set(expected_mails)  # none the daily run would not send
        others = {m for m in expected_mails if not m[1].startswith("Reminder:")}
        assert others <= set(mails)  # every expiry, grant and termination notice
        assert_pools_match_awards(stack)


# ----------------------------------------------------------------- crashes


def test_a_handler_dying_before_any_row_loses_and_doubles_nothing(
    granted: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For every row N of a six-row grants file (one row names nobody): die before row
    N, redeliver, and check that every row is applied once and the pools add up."""
    from stockplan.service.feeds import FeedDeps

    stack = granted
    runtime = stack.runtime
    for n in range(1, 7):
        rows = "".join(
            f"X{n}-{i},{pid},incentive-1998,nso,2002-03-15,{10 * i},20.00,2012-03-15,\n"
            for i, pid in enumerate(["E1", "E2", "M1", "ZZ", "E1", "M1"], start=1)
        )
        died: list[int] = []

        def die(row: int, n: int = n, died: list[int] = died) -> None:
            if row == n and not died:
                died.append(row)
                raise Crash(f"died before row {row}")

        monkeypatch.setattr(
            runtime,
            "feed_deps",
            lambda table, die=die: FeedDeps(
                table, runtime.feed_store(), runtime.settings, before_row=die
            ),
        )
        key = f"incoming/grants/crash-{n}.csv"
        put_object(stack, key, (GRANTS_HEADER + rows).encode())
        event = s3_event(stack, "grants", key, MAR15)
        with pytest.raises(Crash):
            stack.invoke(FEED_FUNCTION, event)
        assert_pools_match_awards(stack)  # half a file: still no drift

        result = deliver(stack, event)

        assert (result["accepted"], result["rejected"]) == (5, 1)
        mine = [a for a in report(stack, MAR15)["awards"] if a["award_id"].startswith(f"X{n}-")]
        assert sorted((a["award_id"], a["shares_granted"]) for a in mine) == [
            (f"X{n}-{i}", 10 * i) for i in (1, 2, 3, 5, 6)
        ]
        assert deliver(stack, event)["status"] == "duplicate"
    assert_pools_match_awards(stack)
    # The grant notices of rows committed before a crash wait in the outbox for the
    # NoticeFunction's sweep; then every notice has gone out once.
    run_notices(stack, MAR15)
    assert {n["status"] for n in outbox(stack)} == {"sent"}
    # One summary per file for its row 4, none twice; a grant notice per award, once:
    # per file two for Ann (E1), one for Bob (E2), two for Max (M1), besides the
    # fixture's G-100 (Ann) and G-200 (Bob).
    assert Counter(to(m) for m in emails_besides(stack, "grant")) == Counter({ADMIN: 6})
    assert Counter(to(m) for m in emails(stack) if notice_kind(m) == "grant") == Counter(
        {
            "ann.lee@ctc.example.com": 1 + 6 * 2,
            "bob.roe@ctc.example.com": 1 + 6 * 1,
            "max.ives@ctc.example.com": 6 * 2,
        }
    )
    ids = [m["Message-ID"] for m in emails(stack)]
    assert len(ids) == len(set(ids))


@functools.cache
def busy_day_reference(day: date) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    with fresh_stack() as reference:
        schedule_setup(reference)
        run_daily(reference, day)
        return settled(reference), sent(reference)


@pytest.mark.parametrize("die_after", [1, 2, 3, 4])
def test_a_daily_run_dying_after_any_commit_is_completed_once_by_the_retry(
    die_after: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy day (formula options for two directors, deferred stock for a fee, an
    expiry): the run dies after its N-th commit; EventBridge retries it (twice)."""
    from stockplan.data.table import Table

    day = date(2002, 6, 2)
    expected, expected_mails = busy_day_reference(day)
    with fresh_stack() as stack:
        schedule_setup(stack)
        commit = Table.commit
        commits: list[int] = []

        def commit_then_die(self: Table, transaction: Any) -> None:
            commit(self, transaction)
            commits.append(1)
            if len(commits) == die_after:
                raise Crash(f"died after commit {die_after}")

        monkeypatch.setattr(Table, "commit", commit_then_die)
        with pytest.raises(Crash):
            run_daily(stack, day)
        monkeypatch.setattr(Table, "commit", commit)
        run_daily(stack, day)
        run_daily(stack, day)

        assert settled(stack) == expected
        assert sent(stack) == expected_mails
        assert_pools_match_awards(stack)


# ----------------------------------------------------------------- SES


class SesFaults:
    """The SES v2 client the Lambda runtime makes (standard retry mode, 5 attempts),
    with each HTTP attempt of SendEmail refused: by SES itself (moto's SES backend
    raises the service error, so botocore receives the genuine error response and
    nothing is recorded as sent) or by the network (the connection fails before the
    request leaves). botocore's own retry and backoff run as in Lambda; its sleeps are
    recorded instead of slept."""

    def __init__(self, stack: Any, monkeypatch: pytest.MonkeyPatch, fault: str, failures: int):
        import boto3
        import botocore.endpoint
        from botocore.config import Config
        from moto.sesv2.models import SESV2Backend

        self.fault = fault
        self.failures = failures
        self.attempts = 0
        self.sleeps: list[float] = []
        client = boto3.client(
            "sesv2",
            region_name="us-east-1",
            config=Config(retries={"mode": "standard", "max_attempts": 5}),
        )
        # First of the before-send handlers (moto's stubber is one of them).
        client.meta.events.register_first("before-send.sesv2.SendEmail", self._attempt)
        stack.runtime.ses = client
        monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=self.sleeps.append))
        send = SESV2Backend.send_raw_email
        faults = self

        def refusing(backend: Any, *args: Any, **kwargs: Any) -> Any:
            from moto.core.exceptions import JsonRESTError

            if faults.failing:
                status, code = FAULTS[faults.fault]
                error = JsonRESTError(code, f"injected {code}")
                error.code = status
                raise error
            return send(backend, *args, **kwargs)

        monkeypatch.setattr(SESV2Backend, "send_raw_email", refusing)

    @property
    def failing(self) -> bool:
        return self.attempts <= self.failures

    def _attempt(self, request: Any, **_: Any) -> None:
        from botocore.exceptions import EndpointConnectionError

        self.attempts += 1
        if self.fault == "connection" and self.failing:
            raise EndpointConnectionError(endpoint_url=request.url)


FAULTS = {
    "throttled": (429, "TooManyRequestsException"),
    "internal": (500, "InternalFailure"),
    "unavailable": (503, "ServiceUnavailable"),
    "rejected": (400, "MessageRejected"),
}
RETRIED_BY_BOTOCORE = {"throttled", "internal", "unavailable", "connection"}


@pytest.mark.parametrize("fault", ["throttled", "internal", "unavailable", "connection"])
def test_a_transient_ses_fault_is_retried_with_backoff_and_the_notice_sent_once(
    granted: Any, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    stack = granted
    ses = SesFaults(stack, monkeypatch, fault, failures=2)

    feed(stack, "terminations", ANN_QUITS, OCT2)

    assert ses.attempts == 3  # two faults, then SES took it: one send call
    assert len(ses.sleeps) == 2 and all(0 <= s <= 20 for s in ses.sleeps)
    (notice,) = outbox_besides_grants(stack)
    assert (notice["status"], notice["attempts"]) == ("sent", 0)
    assert [to(m) for m in emails_besides(stack, "grant")] == ["ann@home.example.com"]
    assert run_notices(stack, OCT2) == {"sent": 0, "retrying": 0, "dead": 0, "deferred": 0}
    assert len(emails_besides(stack, "grant")) == 1
    assert_pools_match_awards(stack)


@pytest.mark.parametrize("fault", ["throttled", "internal", "rejected", "connection"])
def test_a_lasting_ses_fault_keeps_the_notice_then_dead_letters_it_never_marked_sent(
    granted: Any, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    stack = granted
    ses = SesFaults(stack, monkeypatch, fault, failures=10_000)
    limit = stack.runtime.settings.max_send_attempts

    feed(stack, "terminations", ANN_QUITS, OCT2)  # send 1
    per_send = ses.attempts  # botocore's attempts in one send call
    if fault in RETRIED_BY_BOTOCORE:
        assert per_send > 1 and len(ses.sleeps) == per_send - 1  # backoff between them
    else:
        assert per_send == 1 and ses.sleeps == []  # MessageRejected is not retried
    for n in range(2, limit + 1):
        (notice,) = outbox_besides_grants(stack)
        assert notice["status"] == "pending" and "message_id" not in notice
        run_notices(stack, OCT2)  # the 15-minute sweep: send n
        assert ses.attempts == n * per_send

    (notice,) = outbox_besides_grants(stack)
    assert (notice["status"], notice["attempts"]) == ("failed", limit)
    assert "message_id" not in notice
    assert emails_besides(stack, "grant") == []  # nothing reached SES; nothing is marked sent
    messages = stack.runtime.sqs.receive_message(
        QueueUrl=stack.stack.notice_dlq_url, MaxNumberOfMessages=10
    )["Messages"]
    assert [json.loads(m["Body"])["notice_id"] for m in messages] == [notice["notice_id"]]
    run_notices(stack, OCT2)
    run_daily(stack, date(2002, 10, 3))
    assert ses.attempts == limit * per_send  # a dead notice is not retried


# ----------------------------------------------------------------- DynamoDB


class DynamoFaults:
    """The DynamoDB client, with `TransactWriteItems` calls refused as DynamoDB refuses
    them under contention: TransactionCanceledException (a condition failed, or a
    transaction conflict) or TransactionConflictException."""

    def __init__(self, client: Any, refuse: set[int], reason: str, naming: str = "") -> None:
        self._client = client
        self.refuse = refuse
        self.reason = reason
        # Only the calls whose request names this text (a person's partition) count.
        self.naming = naming
        self.calls = 0
        self.refused = 0

    def transact_write_items(self, **kwargs: Any) -> Any:
        if self.naming and self.naming not in json.dumps(kwargs, default=str):
            return self._client.transact_write_items(**kwargs)
        self.calls += 1
        if self.calls in self.refuse:
            self.refused += 1
            if self.reason == "TransactionConflictException":
                error = {"Code": "TransactionConflictException", "Message": "injected"}
                raise ClientError({"Error": error}, "TransactWriteItems")
            reasons = [{"Code": "None"}] * (len(kwargs["TransactItems"]) - 1)
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "injected"},
                    "CancellationReasons": [{"Code": self.reason}, *reasons],
                },
                "TransactWriteItems",
            )
        return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


TERMINATIONS = (
    "participant_id,termination_date,reason\n"
    "E1,2002-10-01,voluntary\n"
    "E2,2002-10-01,death\n"
    "ZZ,2002-10-01,voluntary\n"
)
REASONS = ["ConditionalCheckFailed", "TransactionConflict", "TransactionConflictException"]


@functools.cache
def reference_after(uploads: tuple[Upload, ...]) -> tuple[list[Any], list[tuple[str, str]]]:
    """The state and emails after `base` and the uploads, without faults (computed once
    per session: several tests compare with the same reference)."""
    ((expected, mails),) = serial_states(base, [uploads], sent)
    return expected, mails


@pytest.mark.parametrize("reason", REASONS)
def test_refused_transactions_are_retried_and_end_as_if_none_had_been(reason: str) -> None:
    """Each of the file's three commits (two rows, then the close that records the
    rejected row) is refused once, within the 5 attempts a row has: the file ends
    exactly as without faults."""
    upload = Upload("terminations", TERMINATIONS, OCT2, OCT2.isoformat())
    expected, mails = reference_after((upload,))
    with fresh_stack() as stack:
        base(stack)
        faults = DynamoFaults(stack.runtime.dynamodb, refuse={1, 3, 5}, reason=reason)
        stack.runtime.dynamodb = faults

        feed(stack, "terminations", TERMINATIONS, OCT2)

        assert faults.refused == 3
        assert state(stack) == expected
        assert sent(stack) == mails
        assert_pools_match_awards(stack)


@pytest.mark.parametrize("reason", REASONS)
def test_a_row_refused_every_time_is_rejected_and_the_rest_of_the_file_applies(
    reason: str,
) -> None:
    """Never silently dropped, never stopping the file: when every attempt of one row
    (Ann's termination) is refused, that row is rejected with the reason and the way
    out, the rows after it are applied, and the file closes with its summary; the row
    uploaded again is applied once."""
    upload = Upload("terminations", TERMINATIONS, OCT2, OCT2.isoformat())
    with fresh_stack() as stack:
        base(stack)
        healthy = stack.runtime.dynamodb
        stack.runtime.dynamodb = DynamoFaults(
            healthy, refuse=set(range(1, 100)), reason=reason, naming="P#E1"
        )

        outcome = feed(stack, "terminations", TERMINATIONS, OCT2)

        assert (outcome["accepted"], outcome["rejected"]) == (1, 2), outcome
        rows = {r["row"]: r["rejection_reason"] for r in errors_csv(stack, upload.key)}
        assert rows["1"] == (
            "not applied: it conflicted with a concurrent change 5 times; upload it again"
        )
        assert "unknown participant ZZ" in rows["3"]
        assert award(report(stack, OCT2), "G-100")["shares_forfeited"] == 0
        assert [to(m) for m in emails_besides(stack, "grant", "feed-rejections")] == [
            "bob.estate@law.example.com"
        ]
        assert_pools_match_awards(stack)

        stack.runtime.dynamodb = healthy
        again = feed(stack, "terminations", TERMINATIONS, OCT2, name="again")
        assert (again["accepted"], again["unchanged"], again["rejected"]) == (1, 1, 1)
        assert award(report(stack, OCT2), "G-100")["shares_forfeited"] == 500
        told = [to(m) for m in emails_besides(stack, "grant", "feed-rejections")]
        assert sorted(told) == ["ann@home.example.com", "bob.estate@law.example.com"]
        assert_pools_match_awards(stack)


def test_a_daily_run_refused_every_time_fails_and_its_retry_completes_it(granted: Any) -> None:
    from stockplan.data.table import ConflictError

    stack = granted
    feed(stack, "terminations", ANN_QUITS, OCT2)
    jan2 = date(2003, 1, 2)  # the 500 vested shares expire (deadline 2003-01-01)
    healthy = stack.runtime.dynamodb
    stack.runtime.dynamodb = DynamoFaults(healthy, set(range(1, 100)), "TransactionConflict")
    with pytest.raises(ConflictError):
        run_daily(stack, jan2)
    assert award(report(stack, jan2), "G-100")["shares_expired"] == 0
    stack.runtime.dynamodb = DynamoFaults(healthy, {1, 2}, "ConditionalCheckFailed")

    assert run_daily(stack, jan2)["applied"]["expiry"] == 1

    assert award(report(stack, jan2), "G-100")["shares_expired"] == 500
    assert [s for _, s in sent(stack) if "expired" in s] == [
        "Shares expired: 500 shares of award G-100 not exercised by 2003-01-01"
    ]
    assert_pools_match_awards(stack)


def test_dynamodb_throttling_is_absorbed_by_botocore_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DynamoDB answers every other request ProvisionedThroughputExceeded (without
    applying it) to a standard-retry client, as Lambda's: the same state as without."""
    import boto3
    import botocore.endpoint
    from botocore.config import Config
    from moto.dynamodb.responses import DynamoHandler

    upload = Upload("terminations", TERMINATIONS, OCT2, OCT2.isoformat())
    expected, mails = reference_after((upload,))
    with fresh_stack() as stack:
        base(stack)
        client = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            config=Config(retries={"mode": "standard", "max_attempts": 5}),
        )
        requests = [0]
        code = "ProvisionedThroughputExceededException"
        answer = moto_call = DynamoHandler.call_action

        def throttling(handler: Any) -> Any:
            requests[0] += 1
            if requests[0] % 2:
                return moto_call(handler)
            body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}"})
            return 400, {"x-amzn-ErrorType": code}, body

        monkeypatch.setattr(DynamoHandler, "call_action", throttling)
        sleeps: list[float] = []
        monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=sleeps.append))
        stack.runtime.dynamodb = client

        feed(stack, "terminations", TERMINATIONS, OCT2)

        monkeypatch.setattr(DynamoHandler, "call_action", answer)
        assert len(sleeps) >= 10
        assert state(stack) == expected
        assert sent(stack) == mails
        assert_pools_match_awards(stack)


# ----------------------------------------------------------------- late data


def test_a_price_that_never_arrives_keeps_the_meeting_due_and_tells_the_admin_once(
    local_stack: Any,
) -> None:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "elections", "participant_id,notice_date,action\nD1,2001-12-03,elect\n", MAR15)
    may15 = date(2002, 5, 15)
    feed(stack, "meetings", "meeting_date,participant_id,outcome\n2002-05-15,D1,reelected\n", may15)
    feed(
        stack, "fees", "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-05-15,900\n", may15
    )

    for n in range(30):  # a month of daily runs, no price on or before 2002-05-14
        result = run_daily(stack, may15 + timedelta(days=n))
        assert result["applied"] == {}
        assert len(result["waiting"]) == 2  # looked at again every day

    # One alert for the one missing day, naming both (docs/plan-rules.md "Fair Market Value").
    assert sorted(sent(stack)) == [
        (ADMIN, "Waiting for a price: the Closing Price of 2002-05-14"),
    ]
    rep = report(stack, may15 + timedelta(days=30))
    assert rep["awards"] == [] and rep["deferred_stock"] == []
    assert assert_pools_match_awards(stack) == {"incentive-1998": 0, "directors-1999": 0}


def test_a_termination_fed_after_its_deadline_is_noticed_at_once_and_expires_next_run(
    granted: Any,
) -> None:
    """Bob left on 2002-03-20 (deadline 2002-06-20: 3 months, 1998 §6.a.(5)(B)); HR
    sends the feed on 2002-07-01. He is told at once, with the past deadline; no
    reminder is sent (it would be false); the next daily run expires his 400 vested
    shares and tells him so, once."""
    stack = granted
    jul1 = date(2002, 7, 1)
    late = "participant_id,termination_date,reason\nE2,2002-03-20,voluntary\n"

    feed(stack, "terminations", late, jul1)

    (notice,) = emails_besides(stack, "grant")
    assert to(notice) == "bob.roe@ctc.example.com"
    assert notice["Date"].datetime.date() == jul1
    assert "Vested shares: 400" in plain(notice)
    assert "Last day to exercise: Thursday, 2002-06-20" in plain(notice)
    g200 = award(report(stack, jul1), "G-200")
    assert (g200["shares_outstanding"], g200["exercise_deadline"]) == (400, "2002-06-20")

    result = run_daily(stack, jul1)

    assert result["applied"]["expiry"] == 1
    g200 = award(report(stack, jul1), "G-200")
    assert (g200["shares_expired"], g200["status"]) == (400, "expired")
    assert [subject(m) for m in emails_besides(stack, "grant")] == [
        "Your stock awards after your employment ended on 2002-03-20",
        "Shares expired: 400 shares of award G-200 not exercised by 2002-06-20",
    ]
    run_daily(stack, jul1 + timedelta(days=1))
    assert len(emails_besides(stack, "grant")) == 2
    assert_pools_match_awards(stack)
