"""What every benchmark shares: import paths, the embedded AWS stack on either engine,
the DynamoDB requests and items counted at the table's port, and seeding.

The benchmarks run on the embedded AWS through the very handler functions
infra/template.yaml names, as `stockplan simulate` does: on the in-memory engine by
default (its table counts the requests DynamoDB would bill: one a page of a query), or
on moto (a DynamoDB client that counts what it passes on). The counts are the same on
both (the request pattern is the code's), which keeps docs/scale.md's cost model
measured.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for folder in ("shared", "src"):
    if str(ROOT / folder) not in sys.path:
        sys.path.insert(0, str(ROOT / folder))

READ_OPS = {"get_item", "query", "batch_get_item", "scan"}
WRITE_OPS = {
    "put_item",
    "update_item",
    "delete_item",
    "transact_write_items",
    "batch_write_item",
}


@dataclass
class Counts:
    """DynamoDB requests by operation, and the items they read and wrote."""

    requests: Counter[str] = field(default_factory=Counter)
    items_read: int = 0
    items_written: int = 0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def reads(self) -> int:
        return sum(n for op, n in self.requests.items() if op in READ_OPS)

    @property
    def writes(self) -> int:
        return sum(n for op, n in self.requests.items() if op in WRITE_OPS)

    def snapshot(self) -> Counts:
        return Counts(Counter(self.requests), self.items_read, self.items_written)

    def since(self, earlier: Counts) -> Counts:
        return Counts(
            self.requests - earlier.requests,
            self.items_read - earlier.items_read,
            self.items_written - earlier.items_written,
        )


class RecordingClient:
    """A boto3 DynamoDB client that counts every request it passes on."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.counts = Counts()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name not in READ_OPS | WRITE_OPS:
            return attr

        def call(**kwargs: Any) -> Any:
            response = attr(**kwargs)
            self.counts.requests[name] += 1
            self.counts.items_read += _items_read(name, kwargs, response)
            self.counts.items_written += _items_written(name, kwargs)
            return response

        return call


def _items_read(op: str, kwargs: dict[str, Any], response: dict[str, Any]) -> int:
    if op == "get_item":
        return 1 if "Item" in response else 0
    if op in ("query", "scan"):
        return len(response.get("Items", []))
    if op == "batch_get_item":
        return sum(len(v) for v in response.get("Responses", {}).values())
    if op == "update_item" and "Attributes" in response:
        return 1
    return 0


def _items_written(op: str, kwargs: dict[str, Any]) -> int:
    if op in ("put_item", "update_item", "delete_item"):
        return 1
    if op == "transact_write_items":
        return sum(1 for i in kwargs["TransactItems"] if "ConditionCheck" not in i)
    if op == "batch_write_item":
        return sum(len(v) for v in kwargs["RequestItems"].values())
    return 0


class MemoryCounts:
    """The in-memory table's own count of requests, as `Counts` (a transaction of one
    unconditional put is sent as a PutItem, as Table.commit does)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def snapshot(self) -> Counts:
        requests = Counter(self.table.requests)
        requests["put_item"] += requests.pop("commit_put_item", 0)
        return Counts(+requests, self.table.items_read, self.table.items_written)

    def since(self, earlier: Counts) -> Counts:
        return self.snapshot().since(earlier)


@contextmanager
def local_stack(engine: str = "memory") -> Iterator[Any]:
    """A fresh embedded stack (`stockplan_cli.simulate.EmbeddedStack`) on `engine`, its
    DynamoDB requests counted: `stack.counts` (`.snapshot()`, `.since(earlier)`)."""
    from stockplan.runtime import use_runtime
    from stockplan_cli.simulate import EmbeddedStack, make_engine

    with make_engine(engine) as aws:
        stack = EmbeddedStack(aws)
        if engine == "memory":
            stack.counts = MemoryCounts(stack.runtime.table())
        else:
            stack.runtime.dynamodb = RecordingClient(stack.runtime.dynamodb)
            stack.counts = stack.runtime.dynamodb.counts
        try:
            yield stack
        finally:
            use_runtime(None)


def seed(stack: Any, items: Iterable[dict[str, Any]]) -> int:
    """Put items straight into the stack's table, outside the counts (as BatchWriteItem
    would, 25 items a request, without the handlers)."""
    from stockplan.data.table import to_wire

    table = stack.runtime.table()
    if hasattr(table, "requests"):  # the in-memory table: its counts are put back
        before = (Counter(table.requests), table.items_read, table.items_written)
        written = sum(bool(table.put(item)) for item in items)
        table.requests, table.items_read, table.items_written = before
        return written
    client = getattr(stack.runtime.dynamodb, "_client", stack.runtime.dynamodb)
    batch: list[dict[str, Any]] = []
    written = 0
    for item in [*items, None]:
        if item is not None:
            batch.append({"PutRequest": {"Item": to_wire(item)}})
        if batch and (item is None or len(batch) == 25):
            client.batch_write_item(RequestItems={table.name: batch})
            written += len(batch)
            batch = []
    return written


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


class Stopwatch:
    def __init__(self) -> None:
        self.began = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.began
