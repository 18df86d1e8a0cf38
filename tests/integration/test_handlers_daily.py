"""The DailyFunction (docs/interfaces.md §2): the day it works for, how it finds its work
(by date on the DueIndex, never a table scan) and how it catches up."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    DAILY_FUNCTION,
    PEOPLE_CSV,
    RecordingClient,
    award,
    emails,
    emails_besides,
    feed,
    notice_kind,
    plain,
    report,
    run_daily,
    schedule_event,
    subject,
    to,
)

MAR15 = date(2002, 3, 15)


@pytest.fixture
def option_ending_may1(local_stack: Any) -> Any:
    """G-1: 100 shares for Ann (E1), vested at grant, final exercise date 2002-05-01.

    Deadline 2002-05-01 -> reminders on 2002-04-01 (30 days) and 2002-04-24 (7 days);
    the run of 2002-05-02 expires what is left."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    feed(
        stack,
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date\n"
        "G-1,E1,incentive-1998,nso,2002-03-15,100,20.00,2002-05-01\n",
        MAR15,
    )
    # Ann is told of the grant that day (docs/plan-rules.md "Notices"); the tests below look at
    # what the daily job sends besides it.
    (granted,) = emails(stack)
    assert (notice_kind(granted), to(granted)) == ("grant", "ann.lee@ctc.example.com")
    assert subject(granted) == "Your stock option grant of 2002-03-15"
    return stack


def test_the_daily_job_reads_the_due_index_once_in_order_and_never_scans_the_table(
    option_ending_may1: Any,
) -> None:
    from stockplan.data.table import WINDOW_PEEK

    stack = option_ending_may1
    for day in (date(2002, 4, 1), date(2002, 4, 24)):
        run_daily(stack, day)
    recorder = RecordingClient(stack.runtime.dynamodb)
    stack.runtime.dynamodb = recorder
    try:
        result = run_daily(stack, date(2002, 5, 2))
    finally:
        stack.runtime.dynamodb = recorder._client

    assert result["applied"] == {"expiry": 1}
    assert "scan" not in recorder.operations()
    due_queries = [
        kwargs
        for name, kwargs in recorder.calls
        if name == "query"
        and kwargs.get("IndexName") == "DueIndex"
        and kwargs["ExpressionAttributeValues"][":pk"] == {"S": "DUE"}
    ]
    # One read of partition DUE from its start, in date order: the few items due by the
    # run day and the first after it (the marker's next due day) come in one page.
    assert len(due_queries) == 1, recorder.operations()
    assert due_queries[0]["KeyConditionExpression"] == "GSI1PK = :pk"
    assert due_queries[0]["Limit"] == WINDOW_PEEK
    # And the work was done: 100 shares expired, one notice.
    g1 = award(report(stack, date(2002, 5, 2)), "G-1")
    assert (g1["shares_expired"], g1["status"]) == (100, "expired")
    assert subject(emails(stack)[-1]) == (
        "Shares expired: 100 shares of award G-1 not exercised by 2002-05-01"
    )


def test_a_quiet_day_neither_scans_nor_queries_the_due_index(option_ending_may1: Any) -> None:
    stack = option_ending_may1
    run_daily(stack, date(2002, 4, 1))
    recorder = RecordingClient(stack.runtime.dynamodb)
    stack.runtime.dynamodb = recorder
    try:
        result = run_daily(stack, date(2002, 4, 2))  # nothing falls due on 2002-04-02
    finally:
        stack.runtime.dynamodb = recorder._client

    assert result["applied"] == {}
    assert recorder.operations() == ["get_item"]  # the schedule marker only


def test_reminders_go_out_30_and_7_days_before_the_deadline_then_the_expiry_notice(
    option_ending_may1: Any,
) -> None:
    stack = option_ending_may1
    sent: list[tuple[str, str, str]] = []
    for day in (date(2002, 4, 1), date(2002, 4, 24), date(2002, 5, 1), date(2002, 5, 2)):
        run_daily(stack, day)
        sent += [
            (to(m), subject(m), m["Date"].datetime.date().isoformat())
            for m in emails_besides(stack, "grant")[len(sent) :]
        ]
    assert sent == [
        (
            "ann.lee@ctc.example.com",
            "Reminder: 30 days left to exercise award G-1 (deadline 2002-05-01)",
            "2002-04-01",
        ),
        (
            "ann.lee@ctc.example.com",
            "Reminder: 7 days left to exercise award G-1 (deadline 2002-05-01)",
            "2002-04-24",
        ),
        (
            "ann.lee@ctc.example.com",
            "Shares expired: 100 shares of award G-1 not exercised by 2002-05-01",
            "2002-05-02",
        ),
    ]
    reminder = emails_besides(stack, "grant")[0]
    assert "2002-05-01" in plain(reminder) and "100" in plain(reminder)


def test_a_missed_schedule_is_caught_up_without_reminders_that_would_be_false(
    option_ending_may1: Any,
) -> None:
    stack = option_ending_may1
    # The schedule did not fire from 2002-03-16 to 2002-05-09. The run of 2002-05-10
    # does everything due by then: the expiry. A "30 days left" or "7 days left"
    # reminder dated 2002-05-10 for a 2002-05-01 deadline would be false: none is sent.
    result = run_daily(stack, date(2002, 5, 10))

    assert result["applied"] == {"reminder": 2, "expiry": 1}
    (notice,) = emails_besides(stack, "grant")
    assert subject(notice) == "Shares expired: 100 shares of award G-1 not exercised by 2002-05-01"
    assert notice["Date"].datetime.date() == date(2002, 5, 10)  # sent that day
    assert award(report(stack, date(2002, 5, 10)), "G-1")["shares_expired"] == 100


def test_a_late_run_sends_the_7_day_reminder_but_not_the_superseded_30_day_one(
    option_ending_may1: Any,
) -> None:
    stack = option_ending_may1
    # Missed 2002-04-01 and 2002-04-24; the run of 2002-04-25 is still before the
    # deadline: one reminder, the nearer one.
    run_daily(stack, date(2002, 4, 25))
    assert [subject(m) for m in emails_besides(stack, "grant")] == [
        "Reminder: 7 days left to exercise award G-1 (deadline 2002-05-01)"
    ]


def test_the_daily_job_works_for_the_new_york_calendar_day_of_the_event_time(
    option_ending_may1: Any,
) -> None:
    stack = option_ending_may1
    # 2002-05-02T03:30Z is 2002-05-01 23:30 in New York (EDT, UTC-4): still the
    # deadline day, nothing expires.
    late_evening = schedule_event(date(2002, 5, 2))
    late_evening["time"] = "2002-05-02T03:30:00Z"
    result = stack.invoke(DAILY_FUNCTION, late_evening)
    assert result["day"] == "2002-05-01"
    assert award(report(stack, date(2002, 5, 1)), "G-1")["shares_expired"] == 0

    # 2002-05-02T04:30Z is 00:30 on 2002-05-02 in New York: the expiry day.
    after_midnight = schedule_event(date(2002, 5, 2))
    after_midnight["time"] = "2002-05-02T04:30:00Z"
    result = stack.invoke(DAILY_FUNCTION, after_midnight)
    assert result["day"] == "2002-05-02"
    assert result["applied"]["expiry"] == 1


def _due_items(stack: Any, award_id: str) -> list[tuple[str, str]]:
    """(SK, GSI1SK) of the award's items on the due index."""
    table = stack.runtime.table()
    return [(i["SK"], i["GSI1SK"]) for i in table.query(f"DUE#{award_id}")]


def test_an_award_keeps_one_due_item_moved_on_to_its_next_effect_by_each_run(
    option_ending_may1: Any,
) -> None:
    """Issue 13: one item per award on the due index, at its next effect (the 30-day
    reminder, then the 7-day one, then the expiry), dropped once nothing is left."""
    stack = option_ending_may1
    assert _due_items(stack, "G-1") == [("NEXT", "2002-04-01#7-reminder#G-1#30@2002-05-01")]
    run_daily(stack, date(2002, 4, 1))
    assert _due_items(stack, "G-1") == [("NEXT", "2002-04-24#7-reminder#G-1#7@2002-05-01")]
    run_daily(stack, date(2002, 4, 24))
    assert _due_items(stack, "G-1") == [("NEXT", "2002-05-02#1-expiry#G-1#")]
    run_daily(stack, date(2002, 5, 2))
    assert _due_items(stack, "G-1") == []


def _as_stored_before_issue_13(stack: Any, award_id: str, owner: str) -> None:
    """Rewrite the award as a stack deployed before issue 13 holds it: no `next_due`, one
    due item per effect of its schedule."""
    from stockplan.data import records as rec
    from stockplan.data.table import Transaction
    from stockplan.service.reader import stored_award

    table = stack.runtime.table()
    raw = table.get(rec.participant_pk(owner), rec.award_sk(award_id))
    assert raw is not None
    raw.pop("next_due")
    tx = Transaction()
    tx.put(raw)
    tx.delete(*rec.award_due_key(award_id))
    for due in stored_award(raw).due:
        tx.put(rec.due_item(due, raw["PK"]))
    table.commit(tx)


def test_a_stack_stored_before_issue_13_is_caught_up_from_its_per_effect_items(
    option_ending_may1: Any,
) -> None:
    """The old items are applied as before; the award's first write replaces them with
    its one item, and no effect is applied twice."""
    stack = option_ending_may1
    _as_stored_before_issue_13(stack, "G-1", "E1")
    assert [sk for sk, _ in _due_items(stack, "G-1")] == [
        "1-expiry#2002-05-02#",
        "7-reminder#2002-04-01#30@2002-05-01",
        "7-reminder#2002-04-24#7@2002-05-01",
    ]
    run_daily(stack, date(2002, 4, 1))
    assert _due_items(stack, "G-1") == [("NEXT", "2002-04-24#7-reminder#G-1#7@2002-05-01")]
    result = run_daily(stack, date(2002, 5, 10))
    assert result["applied"] == {"reminder": 1, "expiry": 1}
    assert [subject(m) for m in emails_besides(stack, "grant")] == [
        "Reminder: 30 days left to exercise award G-1 (deadline 2002-05-01)",
        "Shares expired: 100 shares of award G-1 not exercised by 2002-05-01",
    ]
    assert _due_items(stack, "G-1") == []


def test_a_stack_stored_before_issue_13_caught_up_at_once_applies_each_effect_once(
    option_ending_may1: Any,
) -> None:
    stack = option_ending_may1
    _as_stored_before_issue_13(stack, "G-1", "E1")
    result = run_daily(stack, date(2002, 5, 10))
    assert result["applied"] == {"reminder": 2, "expiry": 1}
    (notice,) = emails_besides(stack, "grant")
    assert subject(notice) == "Shares expired: 100 shares of award G-1 not exercised by 2002-05-01"
    assert award(report(stack, date(2002, 5, 10)), "G-1")["shares_expired"] == 100
    assert _due_items(stack, "G-1") == []
