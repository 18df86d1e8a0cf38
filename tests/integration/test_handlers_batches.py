"""Feed rows of different people applied in batches (issue 13): several rows, their
facts and their row markers in one transaction. A batch commits whole or not at all,
so a crash in the middle of one loses it whole and the redelivery applies each row
once; a batch that conflicts is applied again row by row (docs/interfaces.md §1a)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    FEED_FUNCTION,
    assert_pools_match_awards,
    emails,
    emails_besides,
    feed,
    notice_kind,
    put_object,
    report,
    run_notices,
    s3_event,
    table_items,
    to,
)

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
PEOPLE = 8
KEY = "incoming/terminations/2002-10-02.csv"
# Eight people, each quitting on 2002-10-01 (1998 §6.a.(5)(B): 3 months to exercise).
TERMINATIONS = "participant_id,termination_date,reason\n" + "".join(
    f"E{n},2002-10-01,voluntary\n" for n in range(PEOPLE)
)


class Crash(BaseException):
    """The Lambda dies here: a timeout or a kill, which no `except Exception` sees."""


@pytest.fixture
def staff(local_stack: Any) -> Any:
    """Eight employees, each granted 1,000 options vesting half on 2002-09-15."""
    stack = local_stack
    people = "participant_id,name,email,role\n" + "".join(
        f"E{n},Person {n},e{n}@ctc.example.com,employee\n" for n in range(PEOPLE)
    )
    feed(stack, "participants", people, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    grants = (
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n"
    ) + "".join(
        f"G-{n},E{n},incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,"
        "2002-09-15:500;2003-03-15:500\n"
        for n in range(PEOPLE)
    )
    assert feed(stack, "grants", grants, MAR15)["accepted"] == PEOPLE
    return stack


def terminations_event(stack: Any) -> dict[str, Any]:
    put_object(stack, KEY, TERMINATIONS.encode())
    return s3_event(stack, "terminations", KEY, OCT2)


def assert_each_person_terminated_once(stack: Any) -> None:
    rep = report(stack, OCT2)
    # 1998 §6.a.(5): the 500 unvested shares of each award are forfeited, once.
    assert {(a["shares_forfeited"], a["shares_outstanding"]) for a in rep["awards"]} == {(500, 500)}
    assert assert_pools_match_awards(stack)["incentive-1998"] == 500 * PEOPLE
    # The notices of a batch committed before a crash wait in the outbox for the
    # NoticeFunction's sweep.
    run_notices(stack, OCT2)
    notices = sorted(to(m) for m in emails(stack) if notice_kind(m) == "termination")
    assert notices == sorted(f"e{n}@ctc.example.com" for n in range(PEOPLE))
    audits = [
        i
        for i in table_items(stack)
        if i.get("type", {}).get("S") == "audit"
        and i.get("award_id", {}).get("S", "").startswith("G-")
    ]
    # One record of each grant and one of each termination, whatever ran twice.
    assert len(audits) == 2 * PEOPLE


def count_commits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of row markers each committed transaction carries."""
    from stockplan.data.table import Table

    commit = Table.commit
    markers: list[int] = []

    def counting(self: Table, transaction: Any) -> None:
        commit(self, transaction)
        rows = [op for op in transaction.operations if "ROW#" in str(op.get("Put", {}).get("Item"))]
        if rows:
            markers.append(len(rows))

    monkeypatch.setattr(Table, "commit", counting)
    return markers


def test_rows_of_different_people_commit_together_in_one_transaction(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = count_commits(monkeypatch)

    result = staff.invoke(FEED_FUNCTION, terminations_event(staff))["files"][0]

    assert (result["accepted"], result["rejected"]) == (PEOPLE, 0)
    # Each row writes fewer than 25 items, so the 100-item transaction holds several.
    assert sum(markers) == PEOPLE
    assert len(markers) < PEOPLE
    assert_each_person_terminated_once(staff)


def test_a_crash_in_a_batch_loses_it_whole_and_redelivery_applies_each_row_once(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = staff
    from stockplan.service.feeds import FeedDeps

    def die_before_row_3(row: int) -> None:
        if row == 3:
            raise Crash("died before row 3, rows 1-2 collected but not committed")

    runtime = stack.runtime
    with monkeypatch.context() as patch:
        patch.setattr(
            runtime,
            "feed_deps",
            lambda table: FeedDeps(
                table, runtime.feed_store(), runtime.settings, before_row=die_before_row_3
            ),
        )
        with pytest.raises(Crash):
            stack.invoke(FEED_FUNCTION, terminations_event(stack))

    # Nothing of the open batch is in: no award forfeited, no notice, no row marker.
    rep = report(stack, OCT2)
    assert {a["shares_forfeited"] for a in rep["awards"]} == {0}
    assert emails_besides(stack, "grant") == []
    assert not [
        i
        for i in table_items(stack)
        if i["SK"]["S"].startswith("ROW#") and "terminations" in str(i)
    ]

    result = stack.invoke(FEED_FUNCTION, s3_event(stack, "terminations", KEY, OCT2))["files"][0]

    assert (result["status"], result["accepted"]) == ("processed", PEOPLE)
    assert_each_person_terminated_once(stack)


def test_a_crash_after_the_first_batch_commits_then_redelivery_applies_the_rest_once(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = staff
    from stockplan.data.table import Table
    from stockplan.service.feeds import FeedDeps

    commit = Table.commit
    batches: list[int] = []
    runtime = stack.runtime
    # Eight termination rows fit one transaction (issue 13: 11 writes a row): batches of
    # three make the file several batches.
    monkeypatch.setattr(
        runtime,
        "feed_deps",
        lambda table: FeedDeps(table, runtime.feed_store(), runtime.settings, batch_rows=3),
    )

    def die_after_first_batch(self: Table, transaction: Any) -> None:
        commit(self, transaction)
        if any("ROW#" in str(op.get("Put", {}).get("Item")) for op in transaction.operations):
            batches.append(1)
            raise Crash("died after the first batch committed")

    event = terminations_event(stack)
    with monkeypatch.context() as patch:
        patch.setattr(Table, "commit", die_after_first_batch)
        with pytest.raises(Crash):
            stack.invoke(FEED_FUNCTION, event)
    half = report(stack, OCT2)
    done = sum(1 for a in half["awards"] if a["shares_forfeited"] == 500)
    assert 1 < done < PEOPLE  # a batch of several rows, not the whole file

    assert stack.invoke(FEED_FUNCTION, event)["files"][0]["accepted"] == PEOPLE
    assert_each_person_terminated_once(stack)


def test_the_same_file_delivered_again_after_batches_is_a_duplicate_and_sends_nothing(
    staff: Any,
) -> None:
    stack = staff
    event = terminations_event(stack)
    stack.invoke(FEED_FUNCTION, event)
    before = table_items(stack)
    sent = len(emails(stack))

    again = stack.invoke(FEED_FUNCTION, event)["files"][0]
    assert again["status"] == "duplicate"
    # The same rows under another key: every row unchanged, one admin summary.
    copy = feed(stack, "terminations", TERMINATIONS, OCT2, name="2002-10-02-copy")

    assert (copy["accepted"], copy["unchanged"], copy["rejected"]) == (0, PEOPLE, 0)
    assert [notice_kind(m) for m in emails(stack)[sent:]] == ["feed-rejections"]
    after = [i for i in table_items(stack) if i not in before]
    assert not [i for i in after if i.get("type", {}).get("S") in {"award", "audit", "participant"}]
    assert_each_person_terminated_once(stack)


def test_a_batch_that_conflicts_is_applied_again_row_by_row(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer moves the pool counters between the batch's read and its commit:
    the batch's version-checked pool write fails, nothing of it commits, and each of
    its rows is read and applied again on its own."""
    stack = staff
    from stockplan.data.table import ConflictError, Table

    commit = Table.commit
    raced: list[int] = []
    committed: list[int] = []  # row markers of each committed transaction

    def race_the_first_batch(self: Table, transaction: Any) -> None:
        rows = len(
            [op for op in transaction.operations if "ROW#" in str(op.get("Put", {}).get("Item"))]
        )
        if rows > 1 and not raced:
            raced.append(rows)
            pool = self.get("POOL", "incentive-1998")
            assert pool is not None
            self.put({**pool, "version": pool["version"] + 1})  # the other writer
        try:
            commit(self, transaction)
        except ConflictError:
            committed.append(-rows)
            raise
        if rows:
            committed.append(rows)

    monkeypatch.setattr(Table, "commit", race_the_first_batch)
    result = stack.invoke(FEED_FUNCTION, terminations_event(stack))["files"][0]

    assert (result["accepted"], result["rejected"]) == (PEOPLE, 0)
    # The raced batch failed whole; its rows then committed one a transaction.
    batch = raced[0]
    assert committed[: batch + 1] == [-batch] + [1] * batch
    assert sum(n for n in committed if n > 0) == PEOPLE
    assert_each_person_terminated_once(stack)


def test_a_second_grant_to_the_same_person_in_a_batch_counts_the_first_against_the_yearly_limit(
    local_stack: Any,
) -> None:
    """1998 §4.c: at most 1,000,000 options a person a calendar year. Rows 1 and 3 name
    E1: row 3 reads E1's awards only after row 1's batch has committed, so the limit
    counts row 1's 600,000 and refuses row 3's 500,000; E2's row shares row 1's batch."""
    stack = local_stack
    feed(
        stack,
        "participants",
        "participant_id,name,email,role\n"
        "E1,Ann Lee,ann@ctc.example.com,employee\n"
        "E2,Bob Roe,bob@ctc.example.com,employee\n",
        MAR15,
    )
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    header = (
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n"
    )
    rows = (
        "G-1,E1,incentive-1998,nso,2002-03-15,600000,20.00,2012-03-15,\n"
        "G-2,E2,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,\n"
        "G-3,E1,incentive-1998,nso,2002-03-15,500000,20.00,2012-03-15,\n"
    )

    result = feed(stack, "grants", header + rows, MAR15)

    assert (result["accepted"], result["rejected"]) == (2, 1)
    rep = report(stack, MAR15)
    assert sorted(a["award_id"] for a in rep["awards"]) == ["G-1", "G-2"]
    rejected = [i for i in table_items(stack) if i["SK"]["S"] == "REJECTED#000003"]
    assert "above the limit of 1000000" in rejected[0]["reason"]["S"]
