"""Helpers for the reliability tests (tests/integration/test_reliability_*.py): a stack
served on a real 127.0.0.1 endpoint, per-thread clients on it, fault injection into the
clients, and a comparison of the whole state with what serial processing gives.

The handler helpers (`feed`, `run_daily`, `table_items`, ...) are in handlers_support.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from handlers_support import load_event, put_object, table_items

# Attributes that say when or through which connection something happened, not what.
VOLATILE = {"message_id", "claimed_at", "expires_at", "queued_at"}
T = TypeVar("T")


@contextmanager
def linearizable_moto() -> Iterator[None]:
    """moto applies a transaction by snapshotting the table and restoring the snapshot
    when a condition fails, which under concurrent requests would also undo another
    request's committed write: a fault DynamoDB does not have. Requests to the served
    endpoint are therefore handled one at a time (each request atomic, as in DynamoDB);
    the threads still interleave freely between requests, which is where optimistic
    concurrency control has to hold."""
    from moto.moto_server import werkzeug_app

    cls = werkzeug_app.DomainDispatcherApplication
    original = cls.__call__
    lock = threading.Lock()

    def serialised(self: Any, environ: Any, start_response: Any) -> Any:
        with lock:
            return list(original(self, environ, start_response))

    cls.__call__ = serialised  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls.__call__ = original  # type: ignore[method-assign]


@contextmanager
def served_stack() -> Iterator[Any]:
    """A fresh stack (as `local_stack`) whose moto also listens on 127.0.0.1."""
    from stockplan.runtime import use_runtime
    from stockplan_cli.embedded import EmbeddedAws
    from stockplan_cli.simulate import EmbeddedStack

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request
    with linearizable_moto(), EmbeddedAws(server=True) as aws:
        try:
            yield EmbeddedStack(aws)
        finally:
            use_runtime(None)


@contextmanager
def fresh_stack() -> Iterator[Any]:
    """A fresh in-process stack, for the serial reference runs."""
    from stockplan.runtime import use_runtime
    from stockplan_cli.embedded import EmbeddedAws
    from stockplan_cli.simulate import EmbeddedStack

    with EmbeddedAws() as aws:
        try:
            yield EmbeddedStack(aws)
        finally:
            use_runtime(None)


@dataclass
class Worker:
    """One concurrent Lambda: its own boto3 clients on the served endpoint."""

    feed_deps: Any
    outbox_deps: Any
    clients: dict[str, Any]


def worker(stack: Any) -> Worker:
    """Clients are made here, in the calling thread (boto3's default session is not
    safe to share while it creates clients); each worker uses only its own."""
    import boto3
    from botocore.config import Config

    from stockplan.data.aws import S3FeedStore, SesMailer, SqsDeadLetters
    from stockplan.data.table import Table
    from stockplan.service.feeds import FeedDeps
    from stockplan.service.outbox import OutboxDeps

    session = boto3.session.Session()
    config = Config(retries={"mode": "standard", "max_attempts": 5})
    clients = {
        name: session.client(
            name, endpoint_url=stack.aws.endpoint, region_name="us-east-1", config=config
        )
        for name in ("dynamodb", "s3", "sesv2", "sqs")
    }
    settings = stack.runtime.settings
    table = Table(clients["dynamodb"], stack.stack.table)
    return Worker(
        FeedDeps(table, S3FeedStore(clients["s3"], settings.bucket_name), settings),
        OutboxDeps(
            table,
            SesMailer(clients["sesv2"]),
            settings,
            SqsDeadLetters(clients["sqs"], settings.notice_dlq_url)
            if settings.notice_dlq_url
            else None,
        ),
        clients,
    )


@dataclass(frozen=True)
class Upload:
    kind: str
    body: str
    day: date
    name: str

    @property
    def key(self) -> str:
        return f"incoming/{self.kind}/{self.name}.csv"


def process(w: Worker, bucket: str, upload: Upload, version: str | None) -> Any:
    """What the FeedFunction does with one S3 event: the feed, then its notices."""
    from stockplan.service.feeds import process_upload
    from stockplan.service.outbox import dispatch

    # The event time handlers_support.s3_event gives an upload on that day, and the
    # ETag and uploader of its sample event (which the audit trail names).
    uploaded_at = f"{upload.day.isoformat()}T14:00:00.000Z"
    sample = load_event(f"s3_put_{upload.kind}.json")["Records"][0]
    outcome = process_upload(
        w.feed_deps,
        bucket,
        upload.key,
        upload.day,
        version,
        uploaded_at=uploaded_at,
        etag=sample["s3"]["object"].get("eTag"),
        uploader=sample["userIdentity"]["principalId"],
    )
    dispatch(w.outbox_deps, outcome.notice_ids)
    return outcome


def run_concurrently(stack: Any, jobs: Sequence[tuple[Worker, Upload]]) -> list[Any]:
    """Upload every file (each distinct one once: the same upload in two jobs is one
    S3 event delivered twice), then process them all at once, one thread each (a
    barrier starts them together). Re-raises the first error of any thread."""
    versions: dict[Upload, str | None] = {}
    for _, upload in jobs:
        if upload not in versions:
            versions[upload] = put_object(stack, upload.key, upload.body.encode())
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        w, upload = jobs[index]
        try:
            barrier.wait(timeout=30)
            results[index] = process(w, stack.stack.bucket, upload, versions[upload])
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    if errors:
        raise errors[0]
    return results


def run_serially(stack: Any, uploads: Sequence[Upload]) -> None:
    from handlers_support import feed

    for upload in uploads:
        feed(stack, upload.kind, upload.body, upload.day, name=upload.name)


def state(stack: Any) -> list[dict[str, Any]]:
    """Every item of the table (low-level form), less the schedule marker (a cache of
    the due index whose version counts writers) and the volatile attributes. A feed
    file's records are named by its S3 key, not by the object's version (which S3
    draws anew in every run)."""
    items = table_items(stack)
    files = {
        i["PK"]["S"]: f"FEED#{i['kind']['S']}#{i['key']['S']}"
        for i in items
        if i["PK"]["S"].startswith("FEED#") and i["SK"]["S"] == "FILE"
    }
    # The administrator's summary of a file is known by the object too: name it by
    # its subject (which names the key) wherever its id appears.
    summaries = {
        i["notice_id"]["S"]: "summary:" + i["subject"]["S"]
        for i in items
        if i.get("kind", {}).get("S") == "feed-rejections"
    }
    named = []
    for item in items:
        if item["PK"]["S"] == "SCHEDULE":
            continue
        kept = {k: v for k, v in item.items() if k not in VOLATILE}
        cause = kept.get("cause", {}).get("M")
        if cause is not None and "version_id" in cause:
            # The object version an audit cause names: S3 draws a new one for every
            # upload (the key, row and ETag say which upload it was).
            kept["cause"] = {"M": {k: v for k, v in cause.items() if k != "version_id"}}
        if item["PK"]["S"] in files:
            kept["PK"] = {"S": files[item["PK"]["S"]]}
        if kept.get("notice_id", {}).get("S") in summaries:
            # Its Message-ID and MIME boundary derive from the object's id; what it
            # says is compared through its subject and the emails sent.
            kept.pop("raw", None)
        named.append(_renamed(kept, summaries) if summaries else kept)
    return sorted(named, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """`value` with every old name in its strings replaced by the new one."""
    if isinstance(value, str):
        for old, new in names.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def serial_states(
    setup: Callable[[Any], None],
    orders: Sequence[Sequence[Upload]],
    observe: Callable[[Any], T],
) -> list[tuple[list[dict[str, Any]], T]]:
    """(state, observe(stack)) after `setup` and then each order of uploads, one at a
    time, each on a fresh stack."""
    found = []
    for order in orders:
        with fresh_stack() as stack:
            setup(stack)
            run_serially(stack, order)
            found.append((state(stack), observe(stack)))
    return found


def on_call(client: Any, operation: str, hook: Callable[[int], None], after: bool = False) -> None:
    """Run `hook(n)` before (or after) the n-th call of `operation` made by `client`."""
    service = client.meta.service_model.service_id.hyphenize()
    event = f"{'after' if after else 'before'}-call.{service}.{operation}"
    count = [0]

    def handler(**_: Any) -> None:
        count[0] += 1
        hook(count[0])

    client.meta.events.register(event, handler)


# Errors an HTTP attempt of a call may get, by service and operation ("*": any):
# (HTTP status, error code, whether botocore retries it). A DynamoDB transaction may
# also be cancelled as a concurrent change, which botocore does not retry.
CALL_FAULTS: dict[str, dict[str, list[tuple[int, str, bool]]]] = {
    "dynamodb": {
        "*": [(500, "InternalServerError", True), (400, "ThrottlingException", True)],
        "transact_write_items": [(400, "TransactionCanceledException", False)],
    },
    "s3": {"*": [(503, "SlowDown", True), (500, "InternalError", True)]},
    "sesv2": {"*": [(429, "TooManyRequestsException", True), (500, "InternalFailure", True)]},
}
# botocore's attempts of a call in Lambda's default (legacy) retry mode.
ATTEMPTS = {"dynamodb": 10, "s3": 5, "sesv2": 5}


class FaultyClient:
    """A boto3 client whose HTTP attempts fail at `rate` (drawn from `rng`) with one
    of the service's CALL_FAULTS: a retried fault fails the call only when every one
    of botocore's attempts failed; a fault botocore does not retry fails it at once.
    `lost_rate`: calls that fail whatever the retries (the network gone). Raised as
    botocore raises it; every other call, and every attribute, is the client's own.
    `injected` counts the attempts refused by operation, `failed` the calls."""

    def __init__(
        self, client: Any, service: str, rate: float, rng: Any, lost_rate: float = 0.0
    ) -> None:
        self._client = client
        self._service = service
        self._rate = rate
        self._lost_rate = lost_rate
        self._rng = rng
        self.injected: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        self.enabled = True

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith("_") or name == "meta":
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.enabled:
                self._attempts(name)
            return attribute(*args, **kwargs)

        return call

    def _attempts(self, operation: str) -> None:
        faults = CALL_FAULTS[self._service]
        choices = faults["*"] + faults.get(operation, [])
        if self._rng.random() < self._lost_rate:
            self._refuse(operation, *self._rng.choice(faults["*"])[:2])
        for _ in range(ATTEMPTS[self._service]):
            if self._rng.random() >= self._rate:
                return
            status, code, retried = self._rng.choice(choices)
            self.injected[operation] = self.injected.get(operation, 0) + 1
            if not retried:
                self._refuse(operation, status, code)
        self._refuse(operation, status, code)

    def _refuse(self, operation: str, status: int, code: str) -> None:
        from botocore.exceptions import ClientError

        self.failed[operation] = self.failed.get(operation, 0) + 1
        response: dict[str, Any] = {
            "Error": {"Code": code, "Message": "injected"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        if code == "TransactionCanceledException":
            response["CancellationReasons"] = [{"Code": "TransactionConflict"}]
        raise ClientError(response, operation)  # type: ignore[arg-type]
