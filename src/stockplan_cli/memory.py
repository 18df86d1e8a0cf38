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

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from stockplan.data.ports import FeedObject, SendFailed
from stockplan.data.table import (
    BATCH_GET_KEYS,
    DUE_INDEX,
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
    """The item as DynamoDB stores and returns it (a copy)."""
    return from_wire(to_wire(item))


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


# The sort key of each index (the MessageIndex has none).
_INDEX_SORT_KEY: dict[str | None, str | None] = {
    None: "SK",
    DUE_INDEX: "GSI1SK",
    MESSAGE_INDEX: None,
}


class MemoryTable(Table):
    """The table in a dict. `before_commit` (a test hook) runs before each transaction
    is checked: a racing writer's write lands there."""

    def __init__(self, name: str = "memory") -> None:
        super().__init__(None, name)
        self.items: dict[Key, Item] = {}
        self.before_commit: Callable[[Transaction], None] | None = None
        # Test hook: the keys of a BatchGetItem request left unprocessed.
        self.unprocessed: Callable[[list[Key]], list[Key]] | None = None
        self.batch_gets = 0
        self.commits = 0

    # --- reads ------------------------------------------------------------------------

    def get(self, pk: str, sk: str) -> Item | None:
        found = self.items.get((pk, sk))
        return None if found is None else _stored(found)

    def _batch_get_page(
        self, keys: list[tuple[str, str]]
    ) -> tuple[list[Item], list[tuple[str, str]]]:
        """As DynamoDB answers one BatchGetItem: at most 100 keys; `unprocessed` (a test
        hook) picks the keys left for the caller to ask again (throttling)."""
        if len(keys) > BATCH_GET_KEYS:
            raise ValueError(f"BatchGetItem takes at most {BATCH_GET_KEYS} keys")
        self.batch_gets += 1
        left = [] if self.unprocessed is None else self.unprocessed(keys)
        return [_stored(self.items[k]) for k in keys if k in self.items and k not in left], left

    def _query(
        self, key: PartitionKey, condition: SortCondition | None, limit: int | None, **extra: Any
    ) -> list[Item]:
        """Table._query's one request, answered from the dict: the items of one
        partition (of the table or of a sparse index, which holds only the items that
        carry its keys) in sort-key order, narrowed by the key condition."""
        attribute, value = key
        sort = _INDEX_SORT_KEY.get(extra.get("IndexName"), "SK")
        clause, placeholder, bound = condition or ("", "", "")
        found = sorted(
            ((str(i.get(sort, "")) if sort else "", stored_key), i)
            for stored_key, i in self.items.items()
            if i.get(attribute) == value
            and (sort is None or sort in i)
            and _passes(i, clause, None, {placeholder: bound})
        )
        if not extra.get("ScanIndexForward", True):
            found.reverse()
        return [_stored(item) for _, item in found[:limit]]

    def scan_types(self, types: Collection[str]) -> list[Item]:
        return [_stored(i) for i in self.items.values() if i.get("type") in types]

    # --- single writes ----------------------------------------------------------------

    def put(self, item: Item, condition: str | None = None, values: Item | None = None) -> bool:
        key = (str(item["PK"]), str(item["SK"]))
        if not _passes(self.items.get(key), condition, None, values):
            return False
        self.items[key] = _stored(item)
        return True

    def update(self, change: Update) -> Item | None:
        key = (change.pk, change.sk)
        before = self.items.get(key)
        if not _passes(before, change.condition, change.names, change.values):
            return None
        self.items[key] = _updated(
            key, before, change.expression, change.names, change.values or {}
        )
        return _stored(self.items[key])

    # --- transactions -----------------------------------------------------------------

    def commit(self, transaction: Transaction) -> None:
        """All or nothing: every condition is checked before anything is written."""
        if not transaction.operations:
            return
        if self.before_commit is not None:
            self.before_commit(transaction)
        writes: dict[Key, Item | None] = {}
        for operation in transaction.operations:
            kind, request = next(iter(operation.items()))
            key = _request_key(request)
            if key in writes:
                raise ValueError(f"a transaction may not write {key} twice")
            values = from_wire(request.get("ExpressionAttributeValues", {}))
            names = request.get("ExpressionAttributeNames")
            before = self.items.get(key)
            if not _passes(before, request.get("ConditionExpression"), names, values):
                raise ConflictError(f"{kind} of {key}: the condition failed")
            if kind == "Put":
                writes[key] = from_wire(request["Item"])
            elif kind == "Update":
                writes[key] = _updated(key, before, request["UpdateExpression"], names, values)
            elif kind == "Delete":
                writes[key] = None
        for key, written in writes.items():
            if written is None:
                self.items.pop(key, None)
            else:
                self.items[key] = written
        self.commits += 1


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
