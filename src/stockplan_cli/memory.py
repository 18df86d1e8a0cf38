"""In-memory stand-ins for the table and the ports: the use cases run on them with no
AWS at all (the unit tier, tests/unit/service, and `stockplan simulate`'s default
engine). Never deployed: they live in the command's package, not the Lambda layer.

They keep DynamoDB's rules that the use cases rely on: items are read back as
DynamoDB returns them (numbers as Decimal, no None attributes), every condition and
update expression the data layer writes is evaluated (a conditional put that fails
returns False, a transaction whose condition fails raises ConflictError and writes
nothing), queries come back in sort-key order and the sparse indexes hold only the
items that carry their keys.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError

from stockplan.data.ports import FeedObject, SendFailed
from stockplan.data.table import (
    BATCH_GET_KEYS,
    DUE_INDEX,
    MAX_TRANSACTION_ITEMS,
    MESSAGE_INDEX,
    ConflictError,
    Item,
    PartitionKey,
    SortCondition,
    Table,
    Transaction,
    Update,
    from_wire,
    to_wire,
)

Key = tuple[str, str]

_TOKEN = re.compile(r"\s*(<>|<=|>=|[=<>(),+]|[#:]?[A-Za-z_][A-Za-z0-9_]*)")


def _tokens(text: str) -> list[str]:
    found: list[str] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"cannot read the expression {text!r} at {position}")
        found.append(match.group(1))
        position = match.end()
    return found


_MISSING = object()


@dataclass
class _Expression:
    """One condition or update expression, read token by token against one item."""

    tokens: list[str]
    names: dict[str, str]
    values: Item
    position: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def at(self, word: str) -> bool:
        """The next token is `word` (a keyword, in any case)."""
        found = self.peek()
        return found is not None and found.upper() == word

    def take(self, expected: str | None = None) -> str:
        token = self.tokens[self.position]
        if expected is not None and token.upper() != expected:
            raise ValueError(f"expected {expected}, found {token}")
        self.position += 1
        return token

    def attribute(self) -> str:
        token = self.take()
        return self.names[token] if token.startswith("#") else token

    def operand(self, item: Item) -> Any:
        word = self.peek() or ""
        if word.startswith(":"):
            self.take()
            return self.values[word]
        if word == "if_not_exists":
            self.take()
            self.take("(")
            name = self.attribute()
            self.take(",")
            default = self.operand(item)
            self.take(")")
            return item.get(name, default)
        return item.get(self.attribute(), _MISSING)

    # --- conditions -----------------------------------------------------------------

    def condition(self, item: Item) -> bool:
        return self._chain(item, "OR", self._conjunction)

    def _conjunction(self, item: Item) -> bool:
        return self._chain(item, "AND", self._unary)

    def _chain(self, item: Item, keyword: str, operand: Callable[[Item], bool]) -> bool:
        """`operand (keyword operand)*`; every operand is read (no short cut) so the
        tokens are consumed whatever the values."""
        results = [operand(item)]
        while self.at(keyword):
            self.take()
            results.append(operand(item))
        return any(results) if keyword == "OR" else all(results)

    def _unary(self, item: Item) -> bool:
        if self.at("NOT"):
            self.take()
            return not self._unary(item)
        if self.at("("):
            self.take()
            result = self.condition(item)
            self.take(")")
            return result
        if self.peek() in ("attribute_exists", "attribute_not_exists", "begins_with"):
            return self._function(item)
        return self._comparison(item)

    def _function(self, item: Item) -> bool:
        function = self.take()
        self.take("(")
        name = self.attribute()
        if function == "begins_with":
            self.take(",")
            prefix = self.operand(item)
            self.take(")")
            return isinstance(item.get(name), str) and str(item[name]).startswith(prefix)
        self.take(")")
        return (name in item) == (function == "attribute_exists")

    def _comparison(self, item: Item) -> bool:
        left = self.operand(item)
        operator = self.take()
        if operator.upper() == "IN":
            self.take("(")
            options = [self.operand(item)]
            while self.peek() == ",":
                self.take()
                options.append(self.operand(item))
            self.take(")")
            return left in options
        right = self.operand(item)
        if operator == "<>":
            return bool(left is _MISSING or right is _MISSING or left != right)
        if left is _MISSING or right is _MISSING:
            return False
        return _compare(operator, left, right)

    # --- updates --------------------------------------------------------------------

    def update(self, item: Item) -> Item:
        after = dict(item)
        while self.peek() is not None:
            clause = self.take().upper()
            while True:
                if clause == "SET":
                    name = self.attribute()
                    self.take("=")
                    after[name] = self.operand(item)
                elif clause == "ADD":
                    name = self.attribute()
                    after[name] = after.get(name, 0) + self.operand(item)
                elif clause == "REMOVE":
                    after.pop(self.attribute(), None)
                else:
                    raise ValueError(f"unsupported update clause {clause}")
                if self.peek() != ",":
                    break
                self.take()
        return after


def _compare(operator: str, left: Any, right: Any) -> bool:
    if type(left) is not type(right) and not (
        _number(left) and _number(right)
    ):  # DynamoDB: values of different types never compare
        return False
    if operator == "=":
        return bool(left == right)
    if operator == "<":
        return bool(left < right)
    if operator == "<=":
        return bool(left <= right)
    if operator == ">":
        return bool(left > right)
    if operator == ">=":
        return bool(left >= right)
    raise ValueError(f"unsupported comparison {operator}")


def _number(value: Any) -> bool:
    return hasattr(value, "as_integer_ratio") and not isinstance(value, bool)


def _stored(item: Item) -> Item:
    """The item as DynamoDB stores it: numbers as Decimal, bytes as Binary, no None
    attributes; a float or another type DynamoDB cannot hold raises as boto3 does."""
    return from_wire(to_wire(item))


def _copy(value: Any) -> Any:
    """A copy of a stored value (its strings, numbers and binaries are immutable)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, set):
        return set(value)
    return value


def _copy_item(item: Item) -> Item:
    return {k: _copy(v) for k, v in item.items()}


def _passes(
    item: Item | None, condition: str | None, names: dict[str, str] | None, values: Item | None
) -> bool:
    if not condition:
        return True
    expression = _Expression(_tokens(condition), names or {}, values or {})
    result = expression.condition(item or {})
    if expression.peek() is not None:
        raise ValueError(f"cannot read the condition {condition!r}")
    return result


# DynamoDB's quotas the code relies on ("Service, account, and table quotas in Amazon
# DynamoDB"): an item, a key attribute, a transaction's items, one Query or Scan page.
ITEM_BYTES = 400 * 1024
PARTITION_KEY_BYTES = 2048
SORT_KEY_BYTES = 1024
TRANSACTION_BYTES = 4 * 1024 * 1024
PAGE_BYTES = 1024 * 1024

# Each index: its partition key attribute and its sort key attribute (the MessageIndex
# has none). None is the table itself.
_INDEXES: dict[str | None, tuple[str, str | None]] = {
    None: ("PK", "SK"),
    DUE_INDEX: ("GSI1PK", "GSI1SK"),
    MESSAGE_INDEX: ("message_id", None),
}


def item_size(item: Item) -> int:
    """An item's size as DynamoDB counts it against its limits: each attribute's name
    and value ("Item sizes and formats" in the DynamoDB developer guide)."""
    return sum(len(name.encode("utf-8")) + _value_size(v) for name, v in item.items())


def _value_size(value: Any) -> int:
    if type(value) is str:
        return len(value) if value.isascii() else len(value.encode("utf-8"))
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, Binary):
        return len(value.value)
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, dict):  # 3 bytes, and 1 for each element with its name
        return 3 + sum(1 + len(k.encode("utf-8")) + _value_size(v) for k, v in value.items())
    if isinstance(value, list):
        return 3 + sum(1 + _value_size(v) for v in value)
    if isinstance(value, set | frozenset):
        return sum(_value_size(v) for v in value)
    # A number: one byte for each two significant digits, and one.
    digits = Decimal(value).normalize().as_tuple().digits
    return (len(digits) + 1) // 2 + 1


def _invalid(message: str, operation: str) -> ClientError:
    """DynamoDB's answer to a request over a limit (boto3 raises it as a ClientError)."""
    return ClientError({"Error": {"Code": "ValidationException", "Message": message}}, operation)


def _check_limits(item: Item, operation: str) -> int:
    """The item's size; a ValidationException when it or a key is over DynamoDB's limit."""
    for index, (partition, sort) in _INDEXES.items():
        for attribute, limit in ((partition, PARTITION_KEY_BYTES), (sort, SORT_KEY_BYTES)):
            value = item.get(attribute) if attribute else None
            if isinstance(value, str) and len(value.encode("utf-8")) > limit:
                where = "the table" if index is None else index
                raise _invalid(f"{attribute} of {where} is over {limit} bytes", operation)
    size = item_size(item)
    if size > ITEM_BYTES:
        raise _invalid("Item size has exceeded the maximum allowed size", operation)
    return size


def _key_of(sort_value: str, key: Key) -> tuple[str, str, str]:
    return (sort_value, key[0], key[1])


class MemoryTable(Table):
    """The table in a dict, with each partition of the table and of its indexes kept in
    sort-key order (a query finds its range by bisection, never by reading the table).

    Requests are counted as DynamoDB would bill them (`requests`, by operation, with
    the items read and written), one for each 1 MB page of a query or a scan.
    `before_commit` (a test hook) runs before each transaction is checked: a racing
    writer's write lands there."""

    def __init__(self, name: str = "memory") -> None:
        super().__init__(None, name)
        self.items: dict[Key, Item] = {}
        self._sizes: dict[Key, int] = {}
        # (index, partition value) -> [(sort value, PK, SK)], sorted.
        self._partitions: dict[tuple[str | None, str], list[tuple[str, str, str]]] = {}
        self.before_commit: Callable[[Transaction], None] | None = None
        # Test hook: the keys of a BatchGetItem request left unprocessed.
        self.unprocessed: Callable[[list[Key]], list[Key]] | None = None
        self.requests: Counter[str] = Counter()
        self.items_read = 0
        self.items_written = 0

    @property
    def batch_gets(self) -> int:
        return self.requests["batch_get_item"]

    @property
    def commits(self) -> int:
        return self.requests["transact_write_items"] + self.requests["commit_put_item"]

    # --- the partitions ---------------------------------------------------------------

    def _entries(self, key: Key, item: Item) -> Iterator[tuple[tuple[str | None, str], Any]]:
        for index, (partition, sort) in _INDEXES.items():
            value = item.get(partition)
            if not isinstance(value, str):
                continue  # a sparse index holds only the items that carry its keys
            if sort is None:
                yield (index, value), _key_of("", key)
            elif isinstance(item.get(sort), str):
                yield (index, value), _key_of(str(item[sort]), key)

    def _write(self, key: Key, item: Item | None, size: int = 0) -> None:
        before = self.items.get(key)
        if before is not None:
            for where, entry in self._entries(key, before):
                entries = self._partitions[where]
                del entries[bisect.bisect_left(entries, entry)]
                if not entries:
                    del self._partitions[where]
        if item is None:
            self.items.pop(key, None)
            self._sizes.pop(key, None)
            return
        self.items[key] = item
        self._sizes[key] = size
        for where, entry in self._entries(key, item):
            bisect.insort(self._partitions.setdefault(where, []), entry)

    # --- reads ------------------------------------------------------------------------

    def get(self, pk: str, sk: str) -> Item | None:
        self.requests["get_item"] += 1
        found = self.items.get((pk, sk))
        if found is None:
            return None
        self.items_read += 1
        return _copy_item(found)

    def _batch_get_page(
        self, keys: list[tuple[str, str]]
    ) -> tuple[list[Item], list[tuple[str, str]]]:
        """As DynamoDB answers one BatchGetItem: at most 100 keys; `unprocessed` (a test
        hook) picks the keys left for the caller to ask again (throttling)."""
        if len(keys) > BATCH_GET_KEYS:
            raise _invalid(f"BatchGetItem takes at most {BATCH_GET_KEYS} keys", "BatchGetItem")
        self.requests["batch_get_item"] += 1
        left = [] if self.unprocessed is None else self.unprocessed(keys)
        found = [_copy_item(self.items[k]) for k in keys if k in self.items and k not in left]
        self.items_read += len(found)
        return found, left

    def _query(
        self, key: PartitionKey, condition: SortCondition | None, limit: int | None, **extra: Any
    ) -> list[Item]:
        """Table._query's requests, answered from the partition's sorted entries: the
        range the key condition names is found by bisection."""
        attribute, value = key
        index = extra.get("IndexName")
        if _INDEXES[index][0] != attribute:
            raise _invalid(f"{attribute} is not the partition key of {index}", "Query")
        entries = self._partitions.get((index, value), [])
        low, high = _bounds(entries, condition)
        chosen = entries[low:high]
        if not extra.get("ScanIndexForward", True):
            chosen = chosen[::-1]
        if limit is not None:
            chosen = chosen[:limit]
        keys = [(pk, sk) for _, pk, sk in chosen]
        self._count_pages("query", keys)
        self.items_read += len(keys)
        return [_copy_item(self.items[key]) for key in keys]

    def _count_pages(self, operation: str, keys: Collection[Key]) -> None:
        """One request for each 1 MB page read."""
        pages, page = 1, 0
        for key in keys:
            size = self._sizes[key]
            page += size
            if page > PAGE_BYTES:
                pages, page = pages + 1, size
        self.requests[operation] += pages

    def scan_types(self, types: Collection[str]) -> list[Item]:
        self._count_pages("scan", self.items.keys())  # read whole, the wanted ones sent
        found = [_copy_item(i) for i in self.items.values() if i.get("type") in types]
        self.items_read += len(found)
        return found

    # --- single writes ----------------------------------------------------------------

    def put(self, item: Item, condition: str | None = None, values: Item | None = None) -> bool:
        stored = _stored(item)
        size = _check_limits(stored, "PutItem")
        key = (str(stored["PK"]), str(stored["SK"]))
        self.requests["put_item"] += 1
        if not _passes(self.items.get(key), condition, None, values):
            return False
        self.items_written += 1
        self._write(key, stored, size)
        return True

    def update(self, change: Update) -> Item | None:
        key = (change.pk, change.sk)
        before = self.items.get(key)
        self.requests["update_item"] += 1
        if not _passes(before, change.condition, change.names, change.values):
            return None
        after = _updated(key, before, change.expression, change.names, change.values or {})
        size = _check_limits(after, "UpdateItem")
        self.items_written += 1
        self.items_read += 1  # ALL_NEW
        self._write(key, after, size)
        return _copy_item(after)

    # --- transactions -----------------------------------------------------------------

    def commit(self, transaction: Transaction) -> None:
        """All or nothing: every condition is checked before anything is written; over
        DynamoDB's limits (100 items, 4 MB, an item twice) nothing is checked at all."""
        operations = transaction.operations
        if not operations:
            return
        if len(operations) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} writes")
        if self.before_commit is not None:
            self.before_commit(transaction)
        single = len(operations) == 1 and "Put" in operations[0]
        single = single and "ConditionExpression" not in operations[0]["Put"]
        name = "PutItem" if single else "TransactWriteItems"
        writes = self._transaction_writes(operations, name)
        self.requests["commit_put_item" if single else "transact_write_items"] += 1
        for key, (written, size) in writes.items():
            self._write(key, written, size)
        self.items_written += sum(1 for o in operations if "ConditionCheck" not in o)

    def _transaction_writes(
        self, operations: list[dict[str, Any]], name: str
    ) -> dict[Key, tuple[Item | None, int]]:
        """Each key's item as the transaction leaves it (None: deleted), and its size."""
        writes: dict[Key, tuple[Item | None, int]] = {}
        checked: set[Key] = set()
        failed: list[Key] = []
        size = 0
        for operation in operations:
            kind, request = next(iter(operation.items()))
            key = _request_key(request)
            if key in checked:
                raise _invalid(
                    "Transaction request cannot include multiple operations on one item", name
                )
            checked.add(key)
            before = self.items.get(key)
            values = from_wire(request.get("ExpressionAttributeValues", {}))
            names = request.get("ExpressionAttributeNames")
            if not _passes(before, request.get("ConditionExpression"), names, values):
                failed.append(key)  # as moto answers: a failed write's item is not sized
                continue
            if kind == "ConditionCheck":
                continue
            written: Item | None = None
            if kind == "Put":
                written = from_wire(request["Item"])
            elif kind == "Update":
                written = _updated(key, before, request["UpdateExpression"], names, values)
            written_size = 0 if written is None else _check_limits(written, name)
            size += written_size
            writes[key] = (written, written_size)
        if size > TRANSACTION_BYTES:
            raise _invalid(f"a transaction's items are over {TRANSACTION_BYTES} bytes", name)
        if failed:
            raise ConflictError(f"{name}: the condition of {failed} failed")
        return writes


def _bounds(
    entries: list[tuple[str, str, str]], condition: SortCondition | None
) -> tuple[int, int]:
    """The slice of a partition's sorted entries a sort-key condition selects."""
    if condition is None:
        return 0, len(entries)
    clause, _placeholder, bound = condition
    if clause.startswith("begins_with"):
        low = bisect.bisect_left(entries, (bound,))
        high = low
        while high < len(entries) and entries[high][0].startswith(bound):
            high += 1
        return low, high
    operator = clause.split()[1]
    below = bisect.bisect_left(entries, bound, key=_sort_value)
    above = bisect.bisect_right(entries, bound, key=_sort_value)
    return {
        "<=": (0, above),
        "<": (0, below),
        ">": (above, len(entries)),
        ">=": (below, len(entries)),
        "=": (below, above),
    }[operator]


def _sort_value(entry: tuple[str, str, str]) -> str:
    return entry[0]


def _request_key(request: dict[str, Any]) -> Key:
    wire = request["Item"] if "Item" in request else request["Key"]
    return wire["PK"]["S"], wire["SK"]["S"]


def _updated(
    key: Key, before: Item | None, expression: str, names: dict[str, str] | None, values: Item
) -> Item:
    item = dict(before or {"PK": key[0], "SK": key[1]})
    return _stored(_Expression(_tokens(expression), names or {}, values).update(item))


# --- the ports ---------------------------------------------------------------------------


@dataclass
class MemoryFeedStore:
    """The bucket: every version of every object, and the reports written."""

    bucket: str = "feeds"
    objects: dict[tuple[str, str], list[bytes]] = field(default_factory=dict)

    def upload(self, key: str, body: bytes, bucket: str | None = None) -> str:
        """Store a new version; returns its version id."""
        versions = self.objects.setdefault((bucket or self.bucket, key), [])
        versions.append(body)
        return f"v{len(versions)}"

    def read(self, bucket: str, key: str, version_id: str | None, limit: int) -> FeedObject:
        versions = self.objects[(bucket, key)]
        body = versions[int(version_id[1:]) - 1] if version_id else versions[-1]
        if len(body) > limit:
            return FeedObject(len(body), None)
        return FeedObject(len(body), body[: limit + 1])

    def write(self, key: str, body: str | bytes, content_type: str) -> None:
        self.upload(key, body.encode("utf-8") if isinstance(body, str) else body)

    def latest(self, key: str) -> bytes:
        return self.objects[(self.bucket, key)][-1]


@dataclass(frozen=True)
class SentMail:
    sender: str
    recipient: str
    raw: bytes
    configuration_set: str | None
    message_id: str


@dataclass
class MemoryMailer:
    """Accepts every message, or refuses the next ones with the codes in `failures`."""

    sent: list[SentMail] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def send(
        self, sender: str, recipient: str, raw: bytes, configuration_set: str | None
    ) -> str | None:
        if self.failures:
            raise SendFailed(self.failures.pop(0))
        message_id = f"mail-{len(self.sent) + 1:04d}"
        self.sent.append(SentMail(sender, recipient, bytes(raw), configuration_set, message_id))
        return message_id


@dataclass
class MemoryDeadLetters:
    messages: list[dict[str, Any]] = field(default_factory=list)

    def send(self, message: dict[str, Any]) -> None:
        self.messages.append(dict(message))


@dataclass
class MemoryChunkQueue:
    """The chunk queue: messages in the order sent (a test hands them to the chunks)."""

    messages: list[dict[str, Any]] = field(default_factory=list)

    def send(self, messages: list[dict[str, Any]]) -> None:
        self.messages.extend(dict(message) for message in messages)
