"""What every benchmark shares: import paths, the embedded AWS stack, a DynamoDB client
that counts requests and items, and fast seeding with BatchWriteItem.

The benchmarks run against the embedded AWS (moto in this process) through the very
handler functions infra/template.yaml names, as `stockplan simulate` does.
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


@contextmanager
def local_stack() -> Iterator[Any]:
    """A fresh embedded stack (`stockplan_cli.simulate.EmbeddedStack`) whose handlers use a
    counting DynamoDB client: `stack.runtime.dynamodb.counts`."""
    from stockplan.runtime import use_runtime
    from stockplan_cli.embedded import EmbeddedAws
    from stockplan_cli.simulate import EmbeddedStack

    with EmbeddedAws() as aws:
        stack = EmbeddedStack(aws)
        stack.raw_dynamodb = stack.runtime.dynamodb
        stack.runtime.dynamodb = RecordingClient(stack.runtime.dynamodb)
        try:
            yield stack
        finally:
            use_runtime(None)


def seed(table: str, items: Iterable[dict[str, Any]]) -> int:
    """Put items straight into the embedded table, outside any counter (as a
    BatchWriteItem would, without the HTTP and parsing work of 25 items a request)."""
    from moto.dynamodb.models import dynamodb_backends

    from stockplan.data.table import to_wire
    from stockplan_cli.embedded import ACCOUNT, REGION

    target = dynamodb_backends[ACCOUNT][REGION].get_table(table)
    written = 0
    for item in items:
        target.put_item(to_wire(item))
        written += 1
    return written


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


class Stopwatch:
    def __init__(self) -> None:
        self.began = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.began
