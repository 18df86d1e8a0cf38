"""The only code that talks to DynamoDB: one table, keys PK/SK, sparse index DueIndex.

Access patterns:
- a participant's profile, awards, deferred stock, fees, elections: Query PK = P#<id>
- a batch of feed rows' people: BatchGetItem of their profiles, then of the awards and
  deferred stock each profile lists (`holdings`)
- an award by id: AWARD#<id>/OWNER points to its participant
- what falls due up to a day, and the next due day: DueIndex GSI1PK = DUE from its start
  (never a scan; the first few items hold both on most days, `index_window`); an
  award's one item is DUE#<award>/NEXT, at its next effect
- open awards (splits, covered transactions), pending notices, rejections: other
  GSI1PK partitions of the same sparse index
- FMV: Query PK = PRICES, SK <= day, newest first
- a sent notice by the message id SES gave it: MessageIndex message_id = <id> (bounces)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from stockplan.data.retry import attempts

Item = dict[str, Any]

DUE_INDEX = "DueIndex"
# Items a daily run's first DueIndex read asks for: a day rarely has more due than this.
WINDOW_PEEK = 3
# Sparse, keys only: the sent notices, by the message id SES answered the send with.
MESSAGE_INDEX = "MessageIndex"
MAX_TRANSACTION_ITEMS = 100
# BatchGetItem: 100 keys a request; unprocessed keys are asked again this often at most.
BATCH_GET_KEYS = 100
BATCH_GET_ATTEMPTS = 8

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_wire(item: Item) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def from_wire(raw: dict[str, Any]) -> Item:
    return {k: _deserializer.deserialize(v) for k, v in raw.items()}


# The condition of a write that creates an item (every item has a PK).
NOT_EXISTS = "attribute_not_exists(PK)"
# Optimistic locking: the version read is still the stored one.
VERSION_IS = "version = :v"
OVER_UNVERSIONED = "attribute_exists(PK) AND attribute_not_exists(version)"
STATUS_IS_NOT = "attribute_not_exists(PK) OR #s <> :status"


def _not_later(order_field: str) -> str:
    return (
        f"attribute_not_exists(PK) OR attribute_not_exists({order_field}) OR {order_field} <= :mine"
    )


def _key(pk: str, sk: str) -> dict[str, Any]:
    return to_wire({"PK": pk, "SK": sk})


# A query's partition (key attribute, value) and its sort-key condition (clause,
# placeholder, value), as Table._query takes them.
PartitionKey = tuple[str, str]
SortCondition = tuple[str, str, str]


@dataclass(frozen=True)
class Update:
    """One UpdateItem (alone, or one write of a transaction): the update expression,
    its condition, and the values and names both use."""

    pk: str
    sk: str
    expression: str
    values: Item | None = None
    condition: str | None = None
    names: dict[str, str] | None = None

    def request(self) -> dict[str, Any]:
        request: dict[str, Any] = {
            "Key": _key(self.pk, self.sk),
            "UpdateExpression": self.expression,
        }
        if self.condition:
            request["ConditionExpression"] = self.condition
        if self.values:
            request["ExpressionAttributeValues"] = to_wire(self.values)
        if self.names:
            request["ExpressionAttributeNames"] = self.names
        return request


class ConflictError(Exception):
    """A conditional write or transaction lost a race: re-read and try again."""


class ThrottledError(Exception):
    """DynamoDB kept leaving a batch read's keys unprocessed, or refused a transaction
    for throughput: the invocation fails and is retried (nothing was written)."""


# Error codes of AWS refusing for a while, whatever was asked (throughput, capacity,
# an outage): asking again later succeeds.
TRANSIENT_CODES = frozenset(
    {
        "InternalFailure",
        "InternalServerError",
        "LimitExceededException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "TransactionInProgressException",
    }
)
# Why a transaction was cancelled when DynamoDB, not a condition, refused it.
THROTTLED_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})


def is_transient(error: BaseException) -> bool:
    """An infrastructure failure (throttling, an outage, the network, memory): the
    invocation must fail and be retried. Anything else raised while one feed row is
    judged or applied is that row's own (it would fail again the same way)."""
    if isinstance(error, ThrottledError | BotoCoreError | MemoryError | OSError):
        return True
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return code in TRANSIENT_CODES or status >= 500
    return False


@dataclass
class Transaction:
    """Writes that commit together or not at all."""

    operations: list[dict[str, Any]] = field(default_factory=list)

    def put(
        self,
        item: Item,
        condition: str | None = None,
        values: Item | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        op: dict[str, Any] = {"Item": to_wire(item)}
        self._condition(op, condition, values, names)
        self.operations.append({"Put": op})

    def put_new(self, item: Item) -> None:
        """Put an item that must not exist yet (a second writer of the same key loses)."""
        self.put(item, NOT_EXISTS)

    def put_versioned(self, item: Item, seen: int | None) -> None:
        """Put over the version read (`seen`), or as new when nothing was read (None):
        optimistic locking, a write raced since the read fails the transaction."""
        if seen is None:
            self.put_new(item)
        else:
            self.put(item, VERSION_IS, {":v": seen})

    def put_over_unversioned(self, item: Item) -> None:
        """Put over an item written before it carried a version (it must still lack
        one: a writer that versioned it since wins)."""
        self.put(item, OVER_UNVERSIONED)

    def put_unless_status(self, item: Item, status: str) -> None:
        """Put unless the stored item's `status` is already `status` (a record closed
        once is not overwritten by a racing second writer)."""
        self.put(item, STATUS_IS_NOT, {":status": status}, {"#s": "status"})

    def put_unless_later(self, item: Item, order_field: str) -> None:
        """Put unless the stored item holds a later `order_field` than this one (the
        latest upload's values stand, whatever order the uploads are applied in)."""
        self.put(item, _not_later(order_field), {":mine": item[order_field]})

    def update(self, change: Update) -> None:
        self.operations.append({"Update": change.request()})

    def delete(
        self, pk: str, sk: str, condition: str | None = None, values: Item | None = None
    ) -> None:
        op: dict[str, Any] = {"Key": _key(pk, sk)}
        self._condition(op, condition, values, None)
        self.operations.append({"Delete": op})

    def check(
        self,
        pk: str,
        sk: str,
        condition: str,
        values: Item | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        op: dict[str, Any] = {"Key": _key(pk, sk)}
        self._condition(op, condition, values, names)
        self.operations.append({"ConditionCheck": op})

    @staticmethod
    def _condition(
        op: dict[str, Any], condition: str | None, values: Item | None, names: dict[str, str] | None
    ) -> None:
        if condition:
            op["ConditionExpression"] = condition
        if values:
            op["ExpressionAttributeValues"] = to_wire(values)
        if names:
            op["ExpressionAttributeNames"] = names

    def replace_put(self, index: int, item: Item) -> None:
        """The item of the put at `index` becomes `item` (its condition stays)."""
        self.operations[index]["Put"]["Item"] = to_wire(item)

    def __len__(self) -> int:
        return len(self.operations)


class Table:
    """Thin typed access to the table; the client is injected (tests hand in moto's)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.name = table_name

    def get(self, pk: str, sk: str) -> Item | None:
        raw = self.client.get_item(TableName=self.name, Key=_key(pk, sk), ConsistentRead=True)
        return from_wire(raw["Item"]) if "Item" in raw else None

    def batch_get(self, keys: Sequence[tuple[str, str]]) -> list[Item]:
        """The items of `keys` that exist (strongly consistent), BatchGetItem's 100 keys
        a request; keys it leaves unprocessed (throttled) are asked again with backoff."""
        found: list[Item] = []
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), BATCH_GET_KEYS):
            pending = unique[start : start + BATCH_GET_KEYS]
            for _attempt in attempts(BATCH_GET_ATTEMPTS):
                page, pending = self._batch_get_page(pending)
                found += page
                if not pending:
                    break
            else:
                raise ThrottledError(f"{len(pending)} keys still unprocessed by BatchGetItem")
        return found

    def _batch_get_page(
        self, keys: list[tuple[str, str]]
    ) -> tuple[list[Item], list[tuple[str, str]]]:
        """One BatchGetItem: the items found, and the keys left unprocessed."""
        raw = self.client.batch_get_item(
            RequestItems={
                self.name: {"Keys": [_key(pk, sk) for pk, sk in keys], "ConsistentRead": True}
            }
        )
        items = [from_wire(i) for i in raw.get("Responses", {}).get(self.name, [])]
        left = (raw.get("UnprocessedKeys") or {}).get(self.name, {}).get("Keys", [])
        return items, [(k["PK"]["S"], k["SK"]["S"]) for k in left]

    def query(
        self,
        pk: str,
        sk_prefix: str | None = None,
        *,
        sk_upto: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Item]:
        condition = None
        if sk_prefix is not None:
            condition = ("begins_with(SK, :prefix)", ":prefix", sk_prefix)
        elif sk_upto is not None:
            condition = ("SK <= :upto", ":upto", sk_upto)
        return self._query(
            ("PK", pk), condition, limit, ConsistentRead=True, ScanIndexForward=not newest_first
        )

    def query_index(
        self,
        partition: str,
        upto: str | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> list[Item]:
        """Items of one DueIndex partition, in sort-key order, up to `upto` inclusive
        (or strictly after `after`)."""
        condition = None
        if upto is not None:
            condition = ("GSI1SK <= :upto", ":upto", upto)
        elif after is not None:
            condition = ("GSI1SK > :after", ":after", after)
        return self._query(("GSI1PK", partition), condition, limit, IndexName=DUE_INDEX)

    def index_window(
        self, partition: str, upto: str, peek: int = WINDOW_PEEK
    ) -> tuple[list[Item], Item | None]:
        """The items of one DueIndex partition up to `upto` inclusive, in sort-key order,
        and the first item after it (None: there is none). A day with fewer than `peek`
        items due takes one request (the first `peek` of the partition hold both);
        a busier day reads the rest, and the first after, as two queries more."""
        first = self._query(("GSI1PK", partition), None, peek, IndexName=DUE_INDEX)
        if len(first) < peek or str(first[-1]["GSI1SK"]) > upto:
            within = [i for i in first if str(i["GSI1SK"]) <= upto]
            return within, first[len(within)] if len(within) < len(first) else None
        after = self.query_index(partition, after=upto, limit=1)
        return self.query_index(partition, upto=upto), after[0] if after else None

    def keys_by_message_id(self, message_id: str) -> list[tuple[str, str]]:
        """(PK, SK) of the notices SES accepted under `message_id` (MessageIndex)."""
        items = self._query(("message_id", message_id), None, None, IndexName=MESSAGE_INDEX)
        return [(str(i["PK"]), str(i["SK"])) for i in items]

    def scan_types(self, types: Collection[str]) -> list[Item]:
        """Every item of the given `type`s: a read of the whole table, for the
        operator's reports (never on a Lambda path)."""
        names = sorted(types)
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            # DynamoDB reads every item either way; the filter only spares sending the rest.
            "FilterExpression": "#type IN (" + ", ".join(f":t{n}" for n in range(len(names))) + ")",
            "ExpressionAttributeNames": {"#type": "type"},
            "ExpressionAttributeValues": to_wire({f":t{n}": name for n, name in enumerate(names)}),
        }
        items: list[Item] = []
        while True:
            raw = self.client.scan(**kwargs)
            items += [from_wire(i) for i in raw.get("Items", [])]
            if "LastEvaluatedKey" not in raw:
                return [i for i in items if i.get("type") in types]
            kwargs["ExclusiveStartKey"] = raw["LastEvaluatedKey"]

    def _query(
        self, key: PartitionKey, condition: SortCondition | None, limit: int | None, **extra: Any
    ) -> list[Item]:
        """Items whose key attribute `key[0]` is `key[1]`, narrowed by one sort-key
        `condition` (clause, placeholder, value), read page by page up to `limit`."""
        attribute, value = key
        expression = f"{attribute} = :pk"
        values: Item = {":pk": value}
        if condition is not None:
            clause, placeholder, bound = condition
            expression += f" AND {clause}"
            values[placeholder] = bound
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": expression,
            "ExpressionAttributeValues": to_wire(values),
            **extra,
        }
        if limit is not None:
            kwargs["Limit"] = limit
        return list(self._pages(kwargs, limit))

    def _pages(self, kwargs: dict[str, Any], limit: int | None) -> Iterator[Item]:
        returned = 0
        while True:
            raw = self.client.query(**kwargs)
            for item in raw.get("Items", []):
                yield from_wire(item)
                returned += 1
            if "LastEvaluatedKey" not in raw or (limit is not None and returned >= limit):
                return
            kwargs["ExclusiveStartKey"] = raw["LastEvaluatedKey"]

    def put(self, item: Item, condition: str | None = None, values: Item | None = None) -> bool:
        """Put; False when the condition failed."""
        kwargs: dict[str, Any] = {"TableName": self.name, "Item": to_wire(item)}
        if condition:
            kwargs["ConditionExpression"] = condition
        if values:
            kwargs["ExpressionAttributeValues"] = to_wire(values)
        return _unless_condition_failed(lambda: self.client.put_item(**kwargs)) is not None

    def put_new(self, item: Item) -> bool:
        """Put an item that must not exist yet; False when it already does."""
        return self.put(item, NOT_EXISTS)

    def update(self, change: Update) -> Item | None:
        """Update; the item as written, or None when the condition failed."""
        raw = _unless_condition_failed(
            lambda: self.client.update_item(
                TableName=self.name, ReturnValues="ALL_NEW", **change.request()
            )
        )
        return None if raw is None else from_wire(raw["Attributes"])

    def commit(self, transaction: Transaction) -> None:
        """Commit atomically; ConflictError when a condition failed or another write raced."""
        ops = transaction.operations
        if not ops:
            return
        if len(ops) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} writes")
        for op in ops:
            next(iter(op.values()))["TableName"] = self.name
        try:
            if len(ops) == 1 and "Put" in ops[0] and "ConditionExpression" not in ops[0]["Put"]:
                self.client.put_item(**ops[0]["Put"])
            else:
                self.client.transact_write_items(TransactItems=ops)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            reasons = {str(r.get("Code")) for r in error.response.get("CancellationReasons", [])}
            if reasons & THROTTLED_REASONS:
                raise ThrottledError(f"transaction refused for throughput: {code}") from error
            if code in {
                "TransactionCanceledException",
                "ConditionalCheckFailedException",
                "TransactionConflictException",
            }:
                raise ConflictError(str(error)) from error
            raise


def _unless_condition_failed(call: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    """The answer of a conditional write, or None when its condition failed."""
    try:
        return call()
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
