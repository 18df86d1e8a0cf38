"""The audit trail names the cause of every change to an award (docs/interfaces.md §3;
docs/plan-rules.md "Administrator decisions": each decision is recorded with its
request_id and note in the audit trail of every award it changes), through the handlers
on moto and `stockplan audit`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from handlers_support import (
    FEED_FUNCTION,
    PEOPLE_CSV,
    feed,
    put_object,
    run_daily,
    s3_event,
)

MAR15 = date(2002, 3, 15)
GRANT_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
G1 = "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,2002-09-15:500;2003-03-15:500\n"
DECISIONS = "request_id,action,award_id,decision_date,new_deadline,shares,effective_date,note\n"
CORRECTIONS = "request_id,action,participant_id,note\n"


def audit(stack: Any, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    """`stockplan audit ... --json` against the stack's table."""
    from stockplan_cli.main import main

    capsys.readouterr()
    assert main(["audit", "--table", stack.stack.table, *args, "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def audit_lines(stack: Any, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    from stockplan_cli.main import main

    capsys.readouterr()
    assert main(["audit", "--table", stack.stack.table, *args]) == 0
    lines: list[str] = capsys.readouterr().out.splitlines()
    return lines


def test_an_accelerate_vesting_decision_leaves_a_record_on_the_award_naming_it(
    local_stack: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """1998 §6.a.(5): the 500 shares due on 2003-03-15 vest on 2002-10-15 instead; the
    award's trail shows its vesting before and after, with the decision's request_id
    and note."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "grants", GRANT_HEADER + G1, MAR15)
    decision = DECISIONS + "D-4,accelerate_vesting,G-1,2002-10-15,,,,Board minute 2002-41\n"
    assert feed(stack, "decisions", decision, date(2002, 10, 15))["accepted"] == 1

    *_, record = audit(stack, capsys, "--award", "G-1")

    assert record["day"] == "2002-10-15"
    assert record["change"] == {
        "vesting": ["2002-09-15:500;2003-03-15:500", "2002-09-15:500;2002-10-15:500"]
    }
    cause = record["cause"]
    assert (cause["kind"], cause["request_id"], cause["action"], cause["note"]) == (
        "decision",
        "D-4",
        "accelerate_vesting",
        "Board minute 2002-41",
    )
    (line,) = [x for x in audit_lines(stack, capsys, "--award", "G-1") if "D-4" in x]
    assert "decision D-4 accelerate_vesting: Board minute 2002-41" in line


def test_a_formula_option_owed_after_a_reversed_termination_names_the_correction(
    local_stack: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Directors §6(a): Dana (D1) was recorded as gone on 2002-05-01 and so got no
    formula option at the 2002-06-06 meeting; the reverse_termination of 2002-07-01
    restores her service and the daily job grants the option with the meeting's date.
    Its audit record names the correction (request_id, note) and the daily rule."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-06-05,25.00\n", date(2002, 6, 5))
    feed(stack, "meetings", "meeting_date,participant_id,outcome\n2002-06-06,D1,reelected\n", MAR15)
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nD1,2002-05-01,other\n",
        date(2002, 5, 2),
    )
    run_daily(stack, date(2002, 6, 6))
    reversal = CORRECTIONS + "R-7,reverse_termination,D1,Dana never left the board\n"
    assert feed(stack, "corrections", reversal, date(2002, 7, 1))["accepted"] == 1
    run_daily(stack, date(2002, 7, 1))

    (granted,) = audit(stack, capsys, "--award", "FO-2002-06-06-D1")

    assert granted["change"]["shares_granted"] == [None, 10000]
    cause = granted["cause"]
    assert (cause["kind"], cause["request_id"], cause["action"], cause["note"]) == (
        "correction",
        "R-7",
        "reverse_termination",
        "Dana never left the board",
    )
    assert (cause["rule"], cause["section"]) == ("meeting", "Directors §6(a)")
    (line,) = audit_lines(stack, capsys, "--award", "FO-2002-06-06-D1")
    assert "correction R-7 reverse_termination: Dana never left the board" in line
    assert "daily rule meeting (Directors §6(a))" in line


def upload(stack: Any, key: str, body: str, day: date, uploader: str) -> tuple[str, str]:
    """Upload a new object version under `key` and deliver S3's event for it, as sent
    by `uploader`; returns the version id and the ETag S3 gave it."""
    version = put_object(stack, key, body.encode())
    assert version is not None  # the bucket is versioned
    head = stack.runtime.s3.head_object(Bucket=stack.stack.bucket, Key=key, VersionId=version)
    etag = str(head["ETag"]).strip('"')
    event = s3_event(stack, "grants", key, day, version=version)
    record = event["Records"][0]
    record["s3"]["object"]["eTag"] = etag
    record["userIdentity"]["principalId"] = uploader
    stack.invoke(FEED_FUNCTION, event)
    return version, etag


def test_a_feed_cause_names_the_object_version_its_etag_and_the_uploader(
    local_stack: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two uploads under one key: each grant's record names the object its row came
    from (version id, ETag) and who uploaded it, so "grants.csv row 1" still points at
    the row that made the change after the key holds another file."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    key = "incoming/grants/grants.csv"
    first = upload(stack, key, GRANT_HEADER + G1, MAR15, "AWS:AIDAHRFIRST")
    second_body = GRANT_HEADER + G1.replace("G-1,E1", "G-2,E2")
    second = upload(stack, key, second_body, date(2002, 3, 18), "AWS:AIDAHRSECOND")
    assert first != second

    (g1,) = audit(stack, capsys, "--award", "G-1")
    (g2,) = audit(stack, capsys, "--award", "G-2")

    for record, (version, etag), who in (
        (g1, first, "AWS:AIDAHRFIRST"),
        (g2, second, "AWS:AIDAHRSECOND"),
    ):
        assert record["cause"] == {
            "kind": "feed",
            "feed": "grants",
            "key": key,
            "row": 1,
            "version_id": version,
            "etag": etag,
            "uploader": who,
        }
    (line,) = audit_lines(stack, capsys, "--award", "G-2")
    assert f"feed {key} row 1 (version {second[0]}, ETag {second[1]}, by AWS:AIDAHRSECOND)" in (
        line
    )
