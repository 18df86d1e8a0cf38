"""`stockplan local`: the embedded AWS on 127.0.0.1, kept running.

Uploads to the local bucket (for example with `aws s3 cp ... --endpoint-url`) reach the
feed handler as S3 events; the daily schedule fires once per plan day and again after
each batch of uploads (a meeting or a fee uploaded on a day that stays put is then
granted that day: the daily job is idempotent, so the extra runs repeat nothing); every
email SES receives is written to a folder as an .eml file. The plan day is kept in the
stack's table, where `stockplan report`, `statement` and `export` read their default
--as-of.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from stockplan.data.marker import write_plan_day
from stockplan.plantime import plan_today
from stockplan_cli.embedded import REGION, EmbeddedAws, s3_event
from stockplan_cli.simulate import EmbeddedStack, write_emails

POLL_SECONDS = 1.0


class LocalRunner:
    def __init__(self, local: EmbeddedStack, emails: Path, day: date) -> None:
        self.local = local
        self.emails = emails
        self.day = day
        # (key, version id, ETag) of every object version already delivered.
        self.seen: set[tuple[str, str, str]] = set()
        self.written = 0
        self.last_run: date | None = None

    def poll_uploads(self) -> list[dict[str, Any]]:
        """Deliver an S3 event for every object version stored under incoming/ since the
        last poll, oldest first: each with its own ETag and VersionId, as S3 sends one
        event per upload (two uploads to one key between polls are two events, and the
        first reads its own version, not the second's)."""
        s3 = self.local.runtime.s3
        bucket = self.local.stack.bucket
        new: list[dict[str, Any]] = []
        paginator = s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=bucket, Prefix="incoming/"):
            for version in page.get("Versions", []):
                seen = (version["Key"], version.get("VersionId") or "null", version["ETag"])
                if seen not in self.seen:
                    self.seen.add(seen)
                    new.append(version)
        # S3 lists a key's versions newest first: reversed, then a stable sort by time,
        # keeps two uploads of one key within the same second in upload order.
        new.reverse()
        new.sort(key=lambda version: version["LastModified"])
        results = []
        for version in new:
            event = s3_event(
                bucket,
                version["Key"],
                version["Size"],
                self.day,
                self.local.next_upload(),
                etag=version["ETag"],
                version_id=version.get("VersionId"),
            )
            results.append(self.local.invoke("FeedFunction", event))
        return results

    def fire_schedule(self, uploaded: bool = False) -> dict[str, Any] | None:
        """The daily job for the plan day: once when the day starts, and again after
        uploads (what they scheduled for today is done today, not never)."""
        if self.last_run == self.day and not uploaded:
            return None
        if self.last_run != self.day:
            write_plan_day(self.local.runtime.table(), self.day)
        self.last_run = self.day
        result: dict[str, Any] = self.local.run_day(self.day)
        return result

    def write_emails(self) -> int:
        messages = self.local.aws.sent_messages()
        if len(messages) == self.written:
            return 0
        write_emails(self.emails, messages, self.written)
        new = len(messages) - self.written
        self.written = len(messages)
        return new


def environment(endpoint: str, table: str) -> dict[str, str]:
    """What `stockplan report` (and the AWS CLI) need to reach the embedded AWS: its
    region, dummy credentials (moto accepts any), its endpoint and the stack's table."""
    return {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": endpoint,
        "TABLE_NAME": table,
    }


def environment_lines(endpoint: str, table: str) -> list[str]:
    return [f"export {name}={value}" for name, value in environment(endpoint, table).items()]


def run_local(args: argparse.Namespace) -> int:
    day = args.day or plan_today()
    # A given --day stays put unless --seconds-per-day moves it; otherwise follow the clock.
    follow_calendar = args.day is None and not args.seconds_per_day
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # Each line as it is printed, also into a pipe: the environment is read before Ctrl-C.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(line_buffering=True)
    with EmbeddedAws(server=True, port=args.port) as aws:
        local = EmbeddedStack(aws)
        runner = LocalRunner(local, args.emails, day)
        print(f"Embedded AWS at {aws.endpoint}")
        print(f"Bucket: {local.stack.bucket}   Table: {local.stack.table}")
        print("In another shell, this environment reaches it (any credentials do):")
        for line in environment_lines(aws.endpoint or "", local.stack.table):
            print(f"  {line}")
        print("then, for example:")
        print(f"  aws s3 cp terminations.csv s3://{local.stack.bucket}/incoming/terminations/t.csv")
        print("  stockplan report")
        print(f"Emails appear in {args.emails}/")
        print(f"Plan day {runner.day}. Ctrl-C stops.")
        next_day_at = time.monotonic() + args.seconds_per_day if args.seconds_per_day else None
        try:
            while True:
                results = runner.poll_uploads()
                for result in results:
                    for f in result["files"]:
                        print(
                            f"{runner.day} {f['key']}: {f['status']}, {f['accepted']} "
                            f"accepted, {f['rejected']} rejected"
                        )
                daily = runner.fire_schedule(uploaded=bool(results))
                if daily is not None and daily["applied"]:
                    print(f"{runner.day} daily job: {daily['applied']}")
                new = runner.write_emails()
                if new:
                    print(f"{runner.day} {new} new email(s) in {args.emails}/")
                time.sleep(POLL_SECONDS)
                if next_day_at is not None and time.monotonic() >= next_day_at:
                    runner.day += timedelta(days=1)
                    next_day_at = time.monotonic() + args.seconds_per_day
                elif follow_calendar:
                    runner.day = max(runner.day, plan_today())
        except KeyboardInterrupt:
            print("stopped")
    return 0


__all__ = ["LocalRunner", "environment", "environment_lines", "run_local"]
