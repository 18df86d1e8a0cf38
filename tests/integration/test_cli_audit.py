"""`stockplan audit` against a running `stockplan local` stack (docs/interfaces.md §3): a
separate process, reaching the embedded AWS over HTTP with the settings `stockplan
local` prints, prints every change of an award or a person, oldest first, with its
cause."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

MAR15 = date(2002, 3, 15)
PEOPLE = "participant_id,name,email,role\nE1,Ann Lee,ann@ctc.example.com,employee\n"
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,2002-09-15:500;2003-03-15:500\n"
)
GRANTS_KEY = "incoming/grants/2002-03-15.csv"
QUITS = "participant_id,termination_date,reason\nE1,2002-10-01,voluntary\n"
CORRECTION = "request_id,action,participant_id,note\nREQ-7,reverse_termination,E1,Wrong person\n"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    from stockplan.runtime import use_runtime
    from stockplan_cli.embedded import EmbeddedAws
    from stockplan_cli.localrun import LocalRunner
    from stockplan_cli.simulate import EmbeddedStack

    with EmbeddedAws(server=True, port=0) as aws:
        stack = EmbeddedStack(aws)
        try:
            runner = LocalRunner(stack, tmp_path / "emails", MAR15)
            yield aws, stack, runner
        finally:
            use_runtime(None)


def upload(stack: Any, runner: Any, kind: str, body: str, day: date) -> None:
    runner.day = day
    key = f"incoming/{kind}/{day.isoformat()}.csv"
    stack.runtime.s3.put_object(Bucket=stack.stack.bucket, Key=key, Body=body.encode())
    (result,) = runner.poll_uploads()
    assert result["files"][0]["rejected"] == 0, result


def stockplan(aws: Any, stack: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": aws.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "TABLE_NAME": stack.stack.table,
    }
    command = [sys.executable, "-m", "stockplan_cli.main", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_stockplan_audit_prints_an_awards_changes_with_their_causes(served: Any) -> None:
    aws, stack, runner = served
    upload(stack, runner, "participants", PEOPLE, MAR15)
    upload(stack, runner, "grants", GRANTS, MAR15)
    upload(stack, runner, "terminations", QUITS, date(2002, 10, 2))
    upload(stack, runner, "corrections", CORRECTION, date(2002, 10, 9))

    done = stockplan(aws, stack, "audit", "--award", "G-1", "--json")

    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["day"] for r in records] == ["2002-03-15", "2002-10-02", "2002-10-09"]
    granted, ended, reversed_ = records
    assert granted["change"]["shares_granted"] == [None, 1000]
    head = stack.runtime.s3.head_object(Bucket=stack.stack.bucket, Key=GRANTS_KEY)
    # The object the row came from and who uploaded it (the S3 event's principal).
    assert granted["cause"] == {
        "kind": "feed",
        "feed": "grants",
        "key": GRANTS_KEY,
        "row": 1,
        "version_id": head["VersionId"],
        "etag": head["ETag"].strip('"'),
        "uploader": "AWS:LOCAL",
    }
    # Voluntary, 2002-10-01: 500 unvested forfeited, 3 months to exercise (1998 §6.a.(5)(B)).
    assert ended["change"]["shares_forfeited"] == [0, 500]
    assert ended["change"]["exercise_deadline"] == ["2012-03-15", "2003-01-01"]
    assert reversed_["change"]["shares_forfeited"] == [500, 0]
    assert reversed_["cause"]["kind"] == "correction"
    assert (reversed_["cause"]["request_id"], reversed_["cause"]["note"]) == (
        "REQ-7",
        "Wrong person",
    )

    people = stockplan(aws, stack, "audit", "--participant", "E1")
    assert people.returncode == 0, people.stderr
    lines = people.stdout.splitlines()
    assert lines[0].startswith("2002-03-15  E1  role - -> employee")
    assert "correction REQ-7 reverse_termination: Wrong person" in lines[-1]


def test_stockplan_audit_of_an_unknown_award_fails_with_a_reason(served: Any) -> None:
    aws, stack, _runner = served
    done = stockplan(aws, stack, "audit", "--award", "G-404")
    assert done.returncode != 0
    assert "no award G-404 is recorded" in done.stderr
