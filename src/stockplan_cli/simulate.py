"""`stockplan simulate`: the system on the embedded AWS, day by day (docs/interfaces.md §3)."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from stockplan_cli import infra_spec
from stockplan_cli.embedded import (
    EmbeddedAws,
    LambdaContext,
    Stack,
    create_stack,
    iter_days,
    load_handler,
    quiet_powertools,
    s3_event,
    schedule_event,
    sns_event,
    sqs_event,
    stack_environment,
)

FEED_FUNCTION = "FeedFunction"
DAILY_FUNCTION = "DailyFunction"
BOUNCE_FUNCTION = "BounceFunction"
CHUNK_FUNCTION = "ChunkFunction"

# The embedded AWS a simulation runs on: the in-memory services (fast, the default), or
# moto as it is (botocore's validation and moto's models of each service).
ENGINES = ("memory", "moto")
DEFAULT_ENGINE = "memory"


class Engine(Protocol):
    """What the stack needs of an embedded AWS (EmbeddedAws, MemoryAws)."""

    def __enter__(self) -> Engine: ...

    def __exit__(self, *exc: object) -> None: ...

    def client(self, service: str) -> Any: ...

    def runtime(self, settings: Any) -> Any: ...

    def objects(self, bucket: str, prefix: str) -> list[tuple[str, bytes]]: ...

    def sent_messages(self) -> list[Any]: ...


def make_engine(name: str) -> Engine:
    if name == "moto":
        return EmbeddedAws()
    if name == "memory":
        from stockplan_cli.memory_aws import MemoryAws

        return MemoryAws()
    raise ValueError(f"no engine {name!r}: choose one of {', '.join(ENGINES)}")


@dataclass
class Summary:
    start: date
    end: date
    days: int = 0
    files: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    files_rejected: int = 0
    emails: int = 0
    applied: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    report: dict[str, Any] = field(default_factory=dict)
    out_dir: Path | None = None
    # Awards whose history the OCF bundle could not reconcile with their figures.
    ocf_warnings: list[str] = field(default_factory=list)
    # The monthly reports the daily job wrote to the bucket, copied to OUT_DIR/reports/.
    monthly_reports: list[Path] = field(default_factory=list)
    # Annual statements sent (their .eml files under emails/).
    statements: int = 0


def scenario_feeds(scenario: Path) -> dict[date, dict[str, Path]]:
    """SCENARIO_DIR/feeds/<YYYY-MM-DD>/<kind>.csv"""
    feeds: dict[date, dict[str, Path]] = {}
    root = scenario / "feeds"
    if not root.is_dir():
        raise FileNotFoundError(f"{root} does not exist: a scenario keeps its files in feeds/")
    for day_dir in sorted(root.iterdir()):
        if not day_dir.is_dir():
            continue
        try:
            day = date.fromisoformat(day_dir.name)
        except ValueError as error:
            raise ValueError(f"{day_dir}: folder names must be YYYY-MM-DD") from error
        feeds[day] = {f.stem: f for f in sorted(day_dir.glob("*.csv"))}
    return feeds


class Progress:
    """A progress bar on a terminal; quiet otherwise."""

    def __init__(self, total: int, stream: Any = None) -> None:
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.last = -1

    def update(self, done: int, day: date) -> None:
        if not self.enabled:
            return
        percent = done * 100 // self.total
        if percent == self.last:
            return
        self.last = percent
        filled = percent * 30 // 100
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% {day}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


class EmbeddedStack:
    """The embedded stack plus the handlers the template names, wired to it."""

    def __init__(self, aws: Engine) -> None:
        import os

        from stockplan.config import Settings
        from stockplan.runtime import use_runtime

        quiet_powertools()
        self.aws = aws
        self.template = infra_spec.load_template()
        self.stack: Stack = create_stack(aws, self.template)
        os.environ.update(stack_environment(self.stack))
        self.runtime = aws.runtime(Settings.from_env(dict(os.environ)))
        use_runtime(self.runtime)
        specs = infra_spec.functions(self.template)
        self.handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = {
            name: load_handler(spec) for name, spec in specs.items()
        }
        self.contexts = {name: LambdaContext(name) for name in specs}
        self.uploads = 0
        # The SQS event source's batch size (one chunk an invocation).
        mapping = self.template["Resources"]["ChunkEventSource"]["Properties"]
        self.chunk_batch = int(mapping.get("BatchSize", 10))
        # Chunk invocations (messages handed over, failed) since the stack started.
        self.chunk_deliveries: list[tuple[int, bool]] = []
        self.delivering = False

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Run a handler as Lambda would; after the FeedFunction, as the chunk queue's
        event source would, hand every message it queued to the ChunkFunction (issue 13)."""
        try:
            return self._run(function, event)
        finally:
            # Only the FeedFunction queues chunks: no poll (a moto request) after the
            # thousands of daily runs of a long simulation.
            if function == FEED_FUNCTION and not self.delivering:
                self.deliver_chunks()

    def _run(self, function: str, event: dict[str, Any]) -> Any:
        handler = self.handlers[function]
        try:
            return handler(event, self.contexts[function])
        finally:
            # No CloudWatch here: drop the metrics Powertools would otherwise batch up.
            metrics = getattr(sys.modules.get(handler.__module__), "metrics", None)
            if metrics is not None:
                metrics.clear_metrics()

    def deliver_chunks(self) -> int:
        """Deliver the chunk queue's messages to the ChunkFunction until it is empty:
        a failed item (batchItemFailures, or the invocation raising) is received again
        at once, up to the queue's maxReceiveCount, then moved to its dead-letter
        queue, as SQS's redrive does. Returns the invocations made."""
        sqs = self.runtime.sqs
        url = self.stack.chunk_queue_url
        made = 0
        self.delivering = True
        try:
            while True:
                received = sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=self.chunk_batch,
                    AttributeNames=["All"],
                ).get("Messages", [])
                if not received:
                    return made + self.deliver_dead_chunks()
                made += 1
                failed = self._chunk_failures(received)
                self.chunk_deliveries.append((len(received), bool(failed)))
                for message in received:
                    self._settle(url, message, message["MessageId"] in failed)
        finally:
            self.delivering = False

    def deliver_dead_chunks(self) -> int:
        """As the dead-letter queue's event source does: hand each chunk that failed for
        good to the ChunkFunction, which closes its file. One it fails on stays in the
        queue (received again after its visibility timeout, not in this run)."""
        sqs = self.runtime.sqs
        url = self.stack.chunk_dlq_url
        made = 0
        while received := sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=1, AttributeNames=["All"]
        ).get("Messages", []):
            made += 1
            # A failed invocation or item stays in flight (not deleted).
            failed = self._chunk_failures(received, url)
            for message in received:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return made

    def _chunk_failures(self, received: list[dict[str, Any]], url: str = "") -> set[str]:
        try:
            response = self._run(
                CHUNK_FUNCTION, sqs_event(url or self.stack.chunk_queue_url, received)
            )
        except Exception:  # the invocation failed: every message of the batch returns
            return {m["MessageId"] for m in received}
        return {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}

    def _settle(self, url: str, message: dict[str, Any], failed: bool) -> None:
        sqs = self.runtime.sqs
        handle = message["ReceiptHandle"]
        if not failed:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
            return
        receives = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        if receives >= self.stack.chunk_max_receives:
            sqs.send_message(QueueUrl=self.stack.chunk_dlq_url, MessageBody=message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
        else:
            # Visible again at once, not after the visibility timeout: no clock here.
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)

    def upload(self, kind: str, body: bytes, day: date, name: str | None = None) -> Any:
        key = f"incoming/{kind}/{name or day.isoformat()}.csv"
        stored = self.runtime.s3.put_object(Bucket=self.stack.bucket, Key=key, Body=body)
        event = s3_event(
            self.stack.bucket,
            key,
            len(body),
            day,
            self.next_upload(),
            etag=stored["ETag"],
            version_id=stored.get("VersionId"),
        )
        return self.invoke(FEED_FUNCTION, event)

    def next_upload(self) -> int:
        """The sequence number of the next upload (orders their event times)."""
        self.uploads += 1
        return self.uploads

    def run_day(self, day: date) -> Any:
        return self.invoke(DAILY_FUNCTION, schedule_event(day))

    def deliver_feedback(self, message: dict[str, Any], timestamp: str) -> Any:
        """Publish an SES event (the JSON of `ses_feedback_message`) to the notices'
        feedback topic and hand the BounceFunction the notification SNS delivers."""
        import json

        body = json.dumps(message)
        published = self.aws.client("sns").publish(
            TopicArn=self.stack.feedback_topic_arn, Message=body
        )
        event = sns_event(self.stack.feedback_topic_arn, published["MessageId"], body, timestamp)
        return self.invoke(BOUNCE_FUNCTION, event)


@contextmanager
def go_live_setting(go_live: date | None) -> Iterator[None]:
    """GO_LIVE_DATE as the template's GoLiveDate parameter sets it, for one simulation."""
    before = os.environ.get("GO_LIVE_DATE")
    os.environ["GO_LIVE_DATE"] = "" if go_live is None else go_live.isoformat()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("GO_LIVE_DATE", None)
        else:
            os.environ["GO_LIVE_DATE"] = before


def simulate(
    scenario: Path,
    start: date,
    end: date,
    out_dir: Path,
    progress: Progress | None = None,
    while_up: Callable[[EmbeddedStack], None] | None = None,
    engine: str = DEFAULT_ENGINE,
    go_live: date | None = None,
) -> Summary:
    """Run the scenario's days on a fresh embedded stack and write the outputs;
    `while_up` is then called with the stack, still running (tests read it live).
    `engine` names the embedded AWS (ENGINES): the same handlers run on either.
    `go_live`: the stack's GoLiveDate (None: none)."""
    from stockplan.notices.templating import keep_compiled_templates
    from stockplan.runtime import use_runtime
    from stockplan.service.audit import AUDIT_TYPE, trail_from
    from stockplan.service.report import build_report, rejections, state_from, state_types

    if end < start:
        raise ValueError("--end is before --start")
    feeds = scenario_feeds(scenario)
    summary = Summary(start, end, out_dir=out_dir)
    keep_compiled_templates(template_cache())
    began = time.perf_counter()
    with make_engine(engine) as aws, collections_spaced(), go_live_setting(go_live):
        local = EmbeddedStack(aws)
        try:
            run_days(local, feeds, summary, progress)
            table = local.runtime.table()
            # The final state and the audit trail from one read of the table.
            items = table.scan_types(state_types(history=True) | {AUDIT_TYPE})
            state = state_from(items, history=True)
            summary.report = build_report(table, end, state)
            write_outputs(out_dir, summary.report, rejections(table), aws.sent_messages())
            write_audit(out_dir, trail_from(items))
            summary.ocf_warnings = write_ocf(out_dir / "ocf", state, end)
            summary.emails = len(aws.sent_messages())
            summary.monthly_reports = copy_reports(
                aws.objects(local.stack.bucket, "reports/"), out_dir / "reports"
            )
            summary.statements = len(list((out_dir / "emails").glob("*-annual-statement-*.eml")))
            summary.seconds = time.perf_counter() - began
            if while_up is not None:
                while_up(local)
        finally:
            use_runtime(None)
    return summary


def template_cache() -> Path:
    """The user's own cache folder for the notice templates' compiled code
    ($XDG_CACHE_HOME/stockplan/templates, ~/.cache/stockplan/templates by default)."""
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "stockplan" / "templates"


@contextmanager
def collections_spaced(young: int = 50_000) -> Iterator[None]:
    """The garbage collector's young pass every `young` new objects instead of Python's
    700 while a simulation runs: moto's store makes the heap large and long-lived, and
    the default spacing spent 0.46 s of the demo's 14.7 s of CPU collecting, and the
    wider one 0.19 s, for 16 MB more at the peak (237 MB against 221 MB)."""
    threshold = gc.get_threshold()
    gc.set_threshold(young, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def copy_reports(objects: list[tuple[str, bytes]], folder: Path) -> list[Path]:
    """The monthly reports the daily job wrote under reports/ (docs/interfaces.md §4:
    `objects`, each key and body), copied to `folder`, each with its workbook
    reports/YYYY-MM.xlsx made here from its .json (openpyxl is in the CLI's
    dependencies only, never in the Lambda layer)."""
    from stockplan_cli.desk import write_monthly_xlsx

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.*"):
        old.unlink()
    written: list[Path] = []
    for key, body in objects:
        path = folder / Path(key).name
        path.write_bytes(body)
        written.append(path)
    for document in sorted(folder.glob("*.json")):
        written.append(write_monthly_xlsx(document, document.with_suffix(".xlsx")))
    return sorted(p for p in written if p.suffix == ".html")


def write_audit(out_dir: Path, trail: list[dict[str, Any]]) -> None:
    """audit.jsonl: one JSON object a line, oldest first (docs/interfaces.md §3)."""
    with (out_dir / "audit.jsonl").open("w") as out:
        for entry in trail:
            out.write(json.dumps(entry, sort_keys=False) + "\n")


def run_days(
    local: EmbeddedStack,
    feeds: dict[date, dict[str, Path]],
    summary: Summary,
    progress: Progress | None = None,
) -> None:
    """Each day from summary.start to summary.end: that day's feeds in the order of
    docs/interfaces.md §3, then the daily schedule; counted in `summary`."""
    from stockplan.feeds import FEED_ORDER

    total = (summary.end - summary.start).days + 1
    progress = progress or Progress(total)
    for index, day in enumerate(iter_days(summary.start, summary.end)):
        for kind in FEED_ORDER:
            path = feeds.get(day, {}).get(kind.value)
            if path is None:
                continue
            result = local.upload(kind.value, path.read_bytes(), day)
            summary.files += 1
            for outcome in result["files"]:
                summary.rows_accepted += outcome["accepted"]
                summary.rows_rejected += outcome["rejected"]
                summary.files_rejected += outcome["file_reason"] is not None
        daily = local.run_day(day)
        summary.applied.update(daily["applied"])
        summary.days += 1
        progress.update(index + 1, day)
    progress.close()


def write_ocf(folder: Path, state: Any, end: date) -> list[str]:
    """The final state as an OCF bundle (docs/interfaces.md §3 `ocf/`), generated at the last
    daily run's time; returns what could not be reconciled (see stockplan_cli.ocf)."""
    from datetime import UTC, datetime, time

    from stockplan_cli import ocf

    if folder.is_dir():
        for old in folder.glob("*.ocf.json"):
            old.unlink()
    moment = datetime.combine(end, time(11), UTC)  # the daily schedule's time (UTC)
    return ocf.write_bundle(folder, state, end, generated_at=moment).warnings


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60]


def write_outputs(
    out_dir: Path, report: dict[str, Any], rejected: list[dict[str, Any]], messages: list[Any]
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / "rejections.json").write_text(json.dumps(rejected, indent=2) + "\n")
    emails = out_dir / "emails"
    emails.mkdir(exist_ok=True)
    for old in emails.glob("*.eml"):
        old.unlink()
    write_emails(emails, messages)


def write_emails(folder: Path, messages: list[Any], start: int = 0) -> None:
    """messages[start:] as NNNNN-<subject>.eml files (numbered from start + 1)."""
    from email import policy
    from email.parser import Parser

    # The subject is all the file name needs: the body is not parsed.
    headers = Parser(policy=policy.default)
    folder.mkdir(parents=True, exist_ok=True)
    for number, message in enumerate(messages[start:], start=start + 1):
        raw: str = message.raw_data
        subject = headers.parsestr(raw, headersonly=True)["Subject"] or "notice"
        (folder / f"{number:05d}-{_slug(str(subject))}.eml").write_bytes(raw.encode("utf-8"))
