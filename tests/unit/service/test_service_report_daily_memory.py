"""The report (docs/interfaces.md §3) and the daily job (docs/interfaces.md §2) on the in-memory
stack: reminders 30 and 7 days before the deadline, then the expiry (docs/plan-rules.md
"Notices"); a quiet day reads only the schedule marker."""

from __future__ import annotations

from datetime import date

from memory_world import World

from stockplan.service.audit import award_trail, full_trail
from stockplan.service.report import build_report, read_state, upcoming


def test_the_report_shows_the_granted_option_and_its_pool(granted: World) -> None:
    report = build_report(granted.table, date(2002, 3, 15))
    (award,) = report["awards"]
    assert (award["award_id"], award["shares_outstanding"], award["exercisable_shares"]) == (
        "G-1",
        100,
        100,
    )
    assert report["pools"]["incentive-1998"]["outstanding"] == 100
    due = upcoming(read_state(granted.table), date(2002, 3, 15), 60)
    assert [d["what"] for d in due] == ["30-day reminder", "7-day reminder", "exercise deadline"]


def test_reminders_go_out_30_and_7_days_before_the_deadline_then_the_expiry(
    granted: World,
) -> None:
    runs = {day: granted.daily(day) for day in (date(2002, 4, 1), date(2002, 4, 24))}
    expiry = granted.daily(date(2002, 5, 2))
    assert [runs[d].sent for d in runs] == [1, 1]
    assert expiry.applied.get("expiry") == 1
    assert granted.subjects()[1:] == [
        "Reminder: 30 days left to exercise award G-1 (deadline 2002-05-01)",
        "Reminder: 7 days left to exercise award G-1 (deadline 2002-05-01)",
        "Shares expired: 100 shares of award G-1 not exercised by 2002-05-01",
    ]
    (award,) = build_report(granted.table, date(2002, 5, 2))["awards"]
    assert (award["shares_expired"], award["status"]) == (100, "expired")
    trail = award_trail(granted.table, "G-1")
    assert trail is not None and trail[-1]["change"]["shares_expired"] == [0, 100]


def test_a_quiet_day_after_a_run_is_settled_from_the_marker(granted: World) -> None:
    granted.daily(date(2002, 3, 16))
    assert granted.daily(date(2002, 3, 17)).quiet


def test_the_whole_audit_trail_holds_each_awards_trail_oldest_first(granted: World) -> None:
    granted.daily(date(2002, 5, 2))  # G-1 expires

    trail = full_trail(granted.table)

    assert [r for r in trail if r["award_id"] == "G-1"] == award_trail(granted.table, "G-1")
    assert [r["day"] for r in trail] == sorted(r["day"] for r in trail)
    # Both people (the profiles fed), besides the pools' records of no one.
    assert {r["participant_id"] for r in trail} == {"E1", "D1", None}


def test_a_run_sets_the_marker_to_the_next_due_day_its_one_index_read_found(
    granted: World,
) -> None:
    from stockplan.data import marker

    granted.daily(date(2002, 4, 1))  # the 30-day reminder; the 7-day one is next
    granted.daily(date(2002, 4, 20))  # nothing due: the marker says when to look again

    assert marker.read(granted.table).due == date(2002, 4, 24)
    assert granted.daily(date(2002, 4, 23)).quiet
    assert not granted.daily(date(2002, 4, 24)).quiet


def test_a_due_item_a_batch_writes_after_the_run_day_sets_the_next_due_day() -> None:
    from stockplan.service.daily import _Queue

    queue = _Queue("2002-04-24#~")
    read_after = {"PK": "DUE#G-1", "SK": "NEXT", "GSI1SK": "2002-05-02#x", "day": "2002-05-02"}
    moved_sooner = {"PK": "DUE#G-2", "SK": "NEXT", "GSI1SK": "2002-04-26#x", "day": "2002-04-26"}

    queue.push(read_after)
    queue.push(moved_sooner)

    assert queue.later == date(2002, 4, 26)
    assert queue.pop_batch() == []  # neither is due by the run day
