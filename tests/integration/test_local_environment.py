"""`stockplan local` prints the exact environment `stockplan report` needs, and the report
reads the running embedded AWS with it (or with --endpoint-url instead); a report whose
reader has already gone ends quietly. Real processes, talking over 127.0.0.1."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

PEOPLE = "participant_id,name,email,role\nE1,Ann Lee,ann.lee@ctc.example.com,employee\n"
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2005-01-10,\n"
)
STOCKPLAN = [sys.executable, "-m", "stockplan_cli.main"]


def _clean_environment() -> dict[str, str]:
    """This process's environment without any AWS setting or table name: only what
    `stockplan local` prints may reach the stack."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "TABLE_NAME"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def local(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """`stockplan local` running; its printed environment, bucket and banner."""
    process = subprocess.Popen(
        [*STOCKPLAN, "local", "--port", str(_free_port()), "--day", "2002-03-15"],
        cwd=tmp_path,
        env=_clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True
    ).start()
    banner: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while not banner or "Ctrl-C stops" not in banner[-1]:
            assert process.poll() is None, "".join(banner)
            try:
                banner.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail("stockplan local printed no banner: " + "".join(banner))
        exported = dict(
            line.strip().removeprefix("export ").split("=", 1)
            for line in banner
            if line.strip().startswith("export ")
        )
        bucket = next(line.split()[1] for line in banner if line.startswith("Bucket:"))
        yield {"environment": exported, "bucket": bucket, "banner": banner}
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _stockplan(*args: str, env: dict[str, str], **kwargs: Any) -> Any:
    return subprocess.run(
        [*STOCKPLAN, *args], env=env, capture_output=True, text=True, timeout=120, **kwargs
    )


def test_report_reads_the_local_stack_with_the_environment_local_printed(
    local: dict[str, Any],
) -> None:
    env = local["environment"]
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["TABLE_NAME"] == "stockplan-local-data"

    s3 = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    s3.put_object(Bucket=local["bucket"], Key="incoming/participants/p.csv", Body=PEOPLE)
    s3.put_object(Bucket=local["bucket"], Key="incoming/grants/g.csv", Body=GRANTS)

    with_printed = _clean_environment() | env
    deadline = time.monotonic() + 90
    while True:  # the local stack polls the bucket every second
        done = _stockplan("report", "--json", "--as-of", "2002-03-15", env=with_printed)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        if report["awards"] or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert [(a["award_id"], a["shares_granted"]) for a in report["awards"]] == [("G1", 1000)]
    assert report["participant_names"] == {"E1": "Ann Lee"}

    # The endpoint and table as options instead of the environment.
    options_only = _clean_environment() | {
        k: v for k, v in env.items() if k not in ("AWS_ENDPOINT_URL", "TABLE_NAME")
    }
    done = _stockplan(
        "report",
        "--endpoint-url",
        env["AWS_ENDPOINT_URL"],
        "--table",
        env["TABLE_NAME"],
        "--as-of",
        "2002-03-15",
        env=options_only,
    )
    assert done.returncode == 0, done.stderr
    (row,) = [line.split() for line in done.stdout.splitlines() if line.startswith("G1 ")]
    assert row[:4] == ["G1", "E1", "Ann", "Lee"]

    # `stockplan report --json | head -1` once head has gone: no traceback, no message.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        closed = subprocess.run(
            [*STOCKPLAN, "report", "--json"],
            env=with_printed,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (closed.returncode, closed.stderr) == (141, "")


DIRECTOR = "participant_id,name,email,role\nD1,Dana Diaz,dana.diaz@board.example.com,director\n"
PRICE_BEFORE_MEETING = "date,last_sale\n2002-03-14,12.50\n"
MEETING = "meeting_date,participant_id,outcome\n2002-03-15,D1,reelected\n"


def test_a_meeting_uploaded_on_a_frozen_day_is_granted_that_day_and_report_defaults_to_it(
    local: dict[str, Any],
) -> None:
    """Directors §6(a): a reelected director's formula option is granted on the meeting
    date. `stockplan local --day` stays on its day; the meeting roster uploaded after the
    day's first daily run is processed by the run that follows the upload, and `report`
    without --as-of reads the state as of the stack's plan day, not the wall clock's."""
    env = local["environment"]
    s3 = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    s3.put_object(Bucket=local["bucket"], Key="incoming/participants/d.csv", Body=DIRECTOR)
    s3.put_object(Bucket=local["bucket"], Key="incoming/prices/p.csv", Body=PRICE_BEFORE_MEETING)
    time.sleep(3)  # the first uploads and the day's first run are behind us
    s3.put_object(Bucket=local["bucket"], Key="incoming/meetings/m.csv", Body=MEETING)

    with_printed = _clean_environment() | env
    deadline = time.monotonic() + 90
    while True:
        done = _stockplan("report", "--json", env=with_printed)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        if report["awards"] or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert report["as_of"] == "2002-03-15"
    (option,) = report["awards"]
    assert option["award_id"] == "FO-2002-03-15-D1"
    assert (option["shares_granted"], option["exercise_price"]) == (10000, "12.50")
    assert option["status"] == "outstanding" and option["exercisable_shares"] == 10000
