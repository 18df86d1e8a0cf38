"""The events the embedded AWS delivers are the ones S3 sends: every upload's own ETag,
VersionId and a rising sequencer (`stockplan simulate` and `stockplan local`), so the
FeedFunction reads the very version an event names."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

MAR15 = date(2002, 3, 15)
KEY = "incoming/participants/people.csv"
HEADER = "participant_id,name,email,role\n"


def delivered(stack: Any) -> list[dict[str, Any]]:
    """Record the event of every FeedFunction invocation of `stack`."""
    events: list[dict[str, Any]] = []
    invoke = stack.invoke

    def recording(function: str, event: dict[str, Any]) -> Any:
        if function == "FeedFunction":
            events.append(event)
        return invoke(function, event)

    stack.invoke = recording
    return events


def versions(stack: Any, key: str) -> list[dict[str, Any]]:
    """The key's versions, oldest first (S3 lists them newest first)."""
    listed = stack.runtime.s3.list_object_versions(Bucket=stack.stack.bucket, Prefix=key)
    return list(reversed(listed["Versions"]))


def test_a_simulated_upload_carries_its_objects_etag_version_and_a_rising_sequencer(
    local_stack: Any,
) -> None:
    stack = local_stack
    events = delivered(stack)
    stack.upload(
        "participants",
        (HEADER + "P-1,Ann Lee,a@x.example.com,employee\n").encode(),
        MAR15,
        "people",
    )
    stack.upload(
        "participants",
        (HEADER + "P-2,Bob Roe,b@x.example.com,employee\n").encode(),
        MAR15,
        "people",
    )

    objects = [event["Records"][0]["s3"]["object"] for event in events]
    stored = versions(stack, KEY)
    assert [o["versionId"] for o in objects] == [v["VersionId"] for v in stored]
    assert [o["eTag"] for o in objects] == [v["ETag"].strip('"') for v in stored]
    assert len({o["eTag"] for o in objects}) == 2 and "0" not in {o["eTag"] for o in objects}
    first, second = (o["sequencer"] for o in objects)
    assert int(first, 16) < int(second, 16) and first < second


def test_stockplan_local_delivers_each_version_uploaded_between_two_polls(
    local_stack: Any, tmp_path: Path
) -> None:
    """Two uploads to one key before the runner looks: two events, each reading its own
    version (before, one event for the latest ETag: the first file was never read)."""
    from stockplan_cli.localrun import LocalRunner

    stack = local_stack
    events = delivered(stack)
    runner = LocalRunner(stack, tmp_path / "emails", MAR15)
    s3, bucket = stack.runtime.s3, stack.stack.bucket
    s3.put_object(Bucket=bucket, Key=KEY, Body=HEADER + "P-1,Ann Lee,a@x.example.com,employee\n")
    s3.put_object(Bucket=bucket, Key=KEY, Body=HEADER + "P-2,Bob Roe,b@x.example.com,employee\n")

    results = runner.poll_uploads()

    assert [r["files"][0]["accepted"] for r in results] == [1, 1]
    table = stack.runtime.table()
    assert table.get("P#P-1", "PROFILE") is not None
    assert table.get("P#P-2", "PROFILE") is not None
    objects = [event["Records"][0]["s3"]["object"] for event in events]
    stored = versions(stack, KEY)
    assert [(o["versionId"], o["eTag"]) for o in objects] == [
        (v["VersionId"], v["ETag"].strip('"')) for v in stored
    ]
    assert objects[0]["sequencer"] < objects[1]["sequencer"]
    assert runner.poll_uploads() == []  # each version is delivered once
