"""Duplicate delivery (docs/interfaces.md §1, §2, §4): S3 and EventBridge deliver at least
once, so the same event, the same content under another key and the same schedule day
arrive twice. None of them may change the table again or send a second email.

"Changes nothing" is checked on a full dump of every item of the table, before and
after, compared attribute for attribute.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    FEED_FUNCTION,
    PEOPLE_CSV,
    award,
    bucket_keys,
    emails,
    emails_besides,
    feed,
    notice_kind,
    put_object,
    report,
    run_daily,
    s3_event,
    subject,
    table_items,
    to,
)

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
ANN_QUITS = "participant_id,termination_date,reason\nE1,2002-10-01,voluntary\n"
TERMINATIONS = (
    "participant_id,termination_date,reason\n"
    "E1,2002-10-01,voluntary\n"  # notice to Ann's personal mailbox
    "E2,2002-10-01,death\n"  # notice to Bob's estate
    "ZZ,2002-10-01,voluntary\n"  # unknown: errors CSV and an admin summary
)


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
        "2002-09-15:500;2003-03-15:500\n"
        "G-200,E2,incentive-1998,nso,2002-03-15,400,20.00,2012-03-15,\n",
        MAR15,
    )
    # Ann and Bob are each told of their grant (docs/plan-rules.md "Notices"); the tests count
    # what is sent besides these two.
    assert sorted((notice_kind(m), to(m)) for m in emails(stack)) == [
        ("grant", "ann.lee@ctc.example.com"),
        ("grant", "bob.roe@ctc.example.com"),
    ]
    return stack


def deliver(stack: Any, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke(FEED_FUNCTION, event)["files"][0]
    return result


def test_same_s3_event_twice_changes_nothing_and_sends_no_second_email(granted: Any) -> None:
    stack = granted
    key = "incoming/terminations/2002-10-02.csv"
    put_object(stack, key, TERMINATIONS.encode())
    event = s3_event(stack, "terminations", key, OCT2)

    first = deliver(stack, event)
    assert (first["status"], first["accepted"], first["rejected"]) == ("processed", 2, 1)
    # Ann's notice, Bob's estate's notice and the administrator's summary.
    assert sorted(to(m) for m in emails_besides(stack, "grant")) == [
        "ann@home.example.com",
        "bob.estate@law.example.com",
        ADMIN,
    ]
    before = table_items(stack)
    errors_before = stack.runtime.s3.get_object(
        Bucket=stack.stack.bucket, Key=f"errors/{key}.errors.csv"
    )["Body"].read()

    second = deliver(stack, event)

    assert second["status"] == "duplicate"
    assert table_items(stack) == before
    assert len(emails_besides(stack, "grant")) == 3
    errors_after = stack.runtime.s3.get_object(
        Bucket=stack.stack.bucket, Key=f"errors/{key}.errors.csv"
    )["Body"].read()
    assert errors_after == errors_before
    # Ann's award was terminated once: 500 forfeited, not 500 + 250.
    assert award(report(stack, OCT2), "G-100")["shares_forfeited"] == 500


def test_same_content_under_another_key_applies_nothing_twice_and_tells_the_admin(
    granted: Any,
) -> None:
    stack = granted
    feed(stack, "terminations", TERMINATIONS, OCT2)
    state = _plan_state(stack)
    assert len(emails_besides(stack, "grant")) == 3

    # HR uploads the very same bytes again under a new name: another S3 object, so it
    # is read row by row (docs/interfaces.md §1a); its two good rows are unchanged and the
    # bad row is tried again (and rejected again).
    again = feed(stack, "terminations", TERMINATIONS, date(2002, 10, 3), name="resend")

    assert (again["status"], again["accepted"], again["unchanged"], again["rejected"]) == (
        "processed",
        0,
        2,
        1,
    )
    assert _plan_state(stack) == state
    (summary,) = emails_besides(stack, "grant")[3:]
    assert to(summary) == ADMIN
    assert "0 applied, 2 unchanged" in summary.get_body(("plain",)).get_content()
    assert bucket_keys(stack, "errors/") == [
        "errors/incoming/terminations/2002-10-02.csv.errors.csv",
        "errors/incoming/terminations/resend.csv.errors.csv",
    ]


def _plan_state(stack: Any) -> list[Any]:
    """Every item but the bookkeeping of files, notices and the audit trail."""
    skip = ("FEED#", "OUTBOX#", "AUDIT#", "SCHEDULE")
    return [i for i in table_items(stack) if not i["PK"]["S"].startswith(skip)]


def test_a_rejected_file_delivered_twice_sends_one_admin_summary(granted: Any) -> None:
    stack = granted
    key = "incoming/grants/bad.csv"
    put_object(stack, key, b"award_id,participant_id\nG-1,E1\n")  # 4 required columns missing
    event = s3_event(stack, "grants", key, MAR15)

    assert deliver(stack, event)["status"] == "rejected"
    before = table_items(stack)
    assert [to(m) for m in emails_besides(stack, "grant")] == [ADMIN]

    assert deliver(stack, event)["status"] == "duplicate"
    assert table_items(stack) == before
    assert len(emails_besides(stack, "grant")) == 1


def test_a_termination_row_equal_to_one_applied_in_another_file_changes_nothing(
    granted: Any,
) -> None:
    stack = granted
    feed(stack, "terminations", ANN_QUITS, OCT2)
    state = _plan_state(stack)
    assert len(emails_besides(stack, "grant")) == 1

    # A different file (another row beside it) repeats the same termination (docs/plan-rules.md:
    # same person, date and reason is a duplicate).
    outcome = feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-10-01,Voluntary\n",
        date(2002, 10, 3),
    )

    assert (outcome["status"], outcome["accepted"], outcome["unchanged"]) == ("processed", 0, 1)
    # No person, award or pool changed; the participant is not told again, the
    # administrator is told that nothing in the file was new (docs/interfaces.md §1a).
    assert _plan_state(stack) == state
    assert [to(m) for m in emails_besides(stack, "grant")] == ["ann@home.example.com", ADMIN]
    assert subject(emails_besides(stack, "grant")[1]).startswith("Feed terminations: nothing new")


def test_same_schedule_day_twice_changes_nothing_and_sends_no_second_email(
    local_stack: Any,
) -> None:
    stack = local_stack
    may15 = date(2002, 5, 15)
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n", may15)
    feed(
        stack,
        "meetings",
        "meeting_date,participant_id,outcome\n2002-05-15,D1,reelected\n2002-05-15,D2,continuing\n",
        may15,
    )
    first = run_daily(stack, may15)
    assert first["applied"] == {"meeting": 1} and first["notices_sent"] == 2
    before = table_items(stack)

    second = run_daily(stack, may15)

    assert second["applied"] == {} and second["notices_sent"] == 0
    assert table_items(stack) == before
    assert len(emails(stack)) == 2
    # 2 x 10,000 shares, not 4 x.
    assert report(stack, may15)["pools"]["directors-1999"]["outstanding"] == 20000


def test_same_schedule_day_twice_repeats_nothing_even_without_the_schedule_marker(
    local_stack: Any,
) -> None:
    """The marker is a shortcut; the due index alone must already make a rerun a no-op."""
    stack = local_stack
    may15 = date(2002, 5, 15)
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n", may15)
    feed(stack, "meetings", "meeting_date,participant_id,outcome\n2002-05-15,D1,reelected\n", may15)
    run_daily(stack, may15)
    stack.runtime.table().client.delete_item(
        TableName=stack.stack.table, Key={"PK": {"S": "SCHEDULE"}, "SK": {"S": "MARKER"}}
    )
    before = table_items(stack)

    again = run_daily(stack, may15)

    assert again["applied"] == {} and again["notices_sent"] == 0
    assert [i for i in table_items(stack) if i["PK"]["S"] != "SCHEDULE"] == before
    assert len(emails(stack)) == 1


def test_an_expiry_day_delivered_twice_expires_once_and_sends_one_expiry_notice(
    granted: Any,
) -> None:
    stack = granted
    feed(stack, "terminations", ANN_QUITS, OCT2)
    # Deadline 2003-01-01 (3 months); the run of 2003-01-02 expires the 500 vested shares.
    jan2 = date(2003, 1, 2)
    first = run_daily(stack, jan2)
    assert first["applied"].get("expiry") == 1
    before = table_items(stack)
    sent = len(emails_besides(stack, "grant"))

    second = run_daily(stack, jan2)

    assert second["applied"] == {}
    assert table_items(stack) == before
    assert len(emails_besides(stack, "grant")) == sent
    g100 = award(report(stack, jan2), "G-100")
    assert (g100["shares_expired"], g100["shares_forfeited"], g100["status"]) == (
        500,
        500,
        "expired",  # tie 500/500: expired over forfeited (docs/interfaces.md §3)
    )
    expiry = [m for m in emails_besides(stack, "grant") if "expired" in str(m["Subject"])]
    assert [to(m) for m in expiry] == ["ann@home.example.com"]


def test_two_uploads_to_one_key_are_each_read_as_the_version_their_event_names(
    local_stack: Any,
) -> None:
    """HR uploads a file and, minutes later, another one under the same name. Each S3
    event names its object version (the bucket is versioned): both files are applied,
    whichever order the events arrive in, and a repeat of either changes nothing."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    key = "incoming/prices/today.csv"
    first = put_object(stack, key, b"date,last_sale\n2002-03-14,19.00\n")
    second = put_object(stack, key, b"date,last_sale\n2002-03-15,20.00\n")
    assert first and second and first != second

    late = deliver(stack, s3_event(stack, "prices", key, MAR15, version=first))
    assert (late["status"], late["accepted"]) == ("processed", 1)
    latest = deliver(stack, s3_event(stack, "prices", key, MAR15, version=second))
    assert (latest["status"], latest["accepted"]) == ("processed", 1)

    table = stack.runtime.table()
    assert table.get("PRICES", "2002-03-14")["last_sale"] == "19.00"
    assert table.get("PRICES", "2002-03-15")["last_sale"] == "20.00"
    before = table_items(stack)
    assert deliver(stack, s3_event(stack, "prices", key, MAR15, version=first))["status"] == (
        "duplicate"
    )
    assert table_items(stack) == before
