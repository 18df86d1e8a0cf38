"""The only code that talks to DynamoDB: one table, keys PK/SK, sparse index DueIndex.

Access patterns:
- a participant's profile, awards, deferred stock, fees, elections: Query PK = P#<id>
- an award by id: AWARD#<id>/OWNER points to its participant
- what falls due up to a day: DueIndex GSI1PK = DUE, GSI1SK <= <day>#~ (never a scan)
- open awards (splits, covered transactions), pending notices, rejections: other
  GSI1PK partitions of the same sparse index
- FMV: Query PK = PRICES, SK <= day, newest first
- a sent notice by the message id SES gave it: MessageIndex message_id = <id> (bounces)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

Item = dict[str, Any]

DUE_INDEX = "DueIndex"
# Sparse, keys only: the sent notices, by the message id SES answered the send with.
MESSAGE_INDEX = "MessageIndex"
MAX_TRANSACTION_ITEMS = 100

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_wire(item: Item) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def from_wire(raw: dict[str, Any]) -> Item:
    return {k: _deserializer.deserialize(v) for k, v in raw.items()}


# The condition of a write that creates an item (every item has a PK).
NOT_EXISTS = "attribute_not_exists(PK)"


class ConflictError(Exception):
    """A conditional write or transaction lost a race: re-read and try again."""


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
            self.put(item, "version = :v", {":v": seen})

    def update(
        self,
        pk: str,
        sk: str,
        expression: str,
        values: Item,
        condition: str | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        op: dict[str, Any] = {
            "Key": to_wire({"PK": pk, "SK": sk}),
            "UpdateExpression": expression,
        }
        self._condition(op, condition, values, names)
        self.operations.append({"Update": op})

    def delete(
        self, pk: str, sk: str, condition: str | None = None, values: Item | None = None
    ) -> None:
        op: dict[str, Any] = {"Key": to_wire({"PK": pk, "SK": sk})}
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
        op: dict[str, Any] = {"Key": to_wire({"PK": pk, "SK": sk})}
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

    def __len__(self) -> int:
        return len(self.operations)


class Table:
    """Thin typed access to the table; the client is injected (tests hand in moto's)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.name = table_name
        self.requests = 0  # DynamoDB requests made (benchmarks read this)
        self.items_read = 0

    def get(self, pk: str, sk: str) -> Item | None:
        self.requests += 1
        raw = self.client.get_item(
            TableName=self.name, Key=to_wire({"PK": pk, "SK": sk}), ConsistentRead=True
        )
        if "Item" not in raw:
            return None
        self.items_read += 1
        return from_wire(raw["Item"])

    def batch_get(self, keys: Sequence[tuple[str, str]]) -> list[Item]:
        found: list[Item] = []
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 100):
            pending: dict[str, Any] = {
                self.name: {
                    "Keys": [
                        to_wire({"PK": pk, "SK": sk}) for pk, sk in unique[start : start + 100]
                    ],
                    "ConsistentRead": True,
                }
            }
            while pending:
                self.requests += 1
                raw = self.client.batch_get_item(RequestItems=pending)
                items = raw.get("Responses", {}).get(self.name, [])
                self.items_read += len(items)
                found += [from_wire(i) for i in items]
                pending = raw.get("UnprocessedKeys") or {}
        return found

    def query(
        self,
        pk: str,
        sk_prefix: str | None = None,
        *,
        sk_upto: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Item]:
        expression = "PK = :pk"
        values: Item = {":pk": pk}
        if sk_prefix is not None:
            expression += " AND begins_with(SK, :prefix)"
            values[":prefix"] = sk_prefix
        elif sk_upto is not None:
            expression += " AND SK <= :upto"
            values[":upto"] = sk_upto
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": expression,
            "ExpressionAttributeValues": to_wire(values),
            "ConsistentRead": True,
            "ScanIndexForward": not newest_first,
        }
        if limit is not None:
            kwargs["Limit"] = limit
        return list(self._pages(kwargs, limit))

    def query_index(
        self,
        partition: str,
        upto: str | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> list[Item]:
        """Items of one DueIndex partition, in sort-key order, up to `upto` inclusive
        (or strictly after `after`)."""
        expression = "GSI1PK = :pk"
        values: Item = {":pk": partition}
        if upto is not None:
            expression += " AND GSI1SK <= :upto"
            values[":upto"] = upto
        elif after is not None:
            expression += " AND GSI1SK > :after"
            values[":after"] = after
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "IndexName": DUE_INDEX,
            "KeyConditionExpression": expression,
            "ExpressionAttributeValues": to_wire(values),
        }
        if limit is not None:
            kwargs["Limit"] = limit
        return list(self._pages(kwargs, limit))

    def keys_by_message_id(self, message_id: str) -> list[tuple[str, str]]:
        """(PK, SK) of the notices SES accepted under `message_id` (MessageIndex)."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "IndexName": MESSAGE_INDEX,
            "KeyConditionExpression": "message_id = :mid",
            "ExpressionAttributeValues": to_wire({":mid": message_id}),
        }
        return [(str(i["PK"]), str(i["SK"])) for i in self._pages(kwargs, None)]

    def _pages(self, kwargs: dict[str, Any], limit: int | None) -> Iterator[Item]:
        returned = 0
        while True:
            self.requests += 1
            raw = self.client.query(**kwargs)
            items = raw.get("Items", [])
            self.items_read += len(items)
            for item in items:
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
        self.requests += 1
        try:
            self.client.put_item(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def put_new(self, item: Item) -> bool:
        """Put an item that must not exist yet; False when it already does."""
        return self.put(item, NOT_EXISTS)

    def update(
        self,
        pk: str,
        sk: str,
        expression: str,
        values: Item,
        condition: str | None = None,
        names: dict[str, str] | None = None,
    ) -> bool:
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": to_wire({"PK": pk, "SK": sk}),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": to_wire(values),
        }
        if condition:
            kwargs["ConditionExpression"] = condition
        if names:
            kwargs["ExpressionAttributeNames"] = names
        self.requests += 1
        try:
            self.client.update_item(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def update_returning(
        self,
        pk: str,
        sk: str,
        expression: str,
        values: Item,
        condition: str | None = None,
        names: dict[str, str] | None = None,
    ) -> Item | None:
        """Update and return the item as written; None when the condition failed."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": to_wire({"PK": pk, "SK": sk}),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": to_wire(values),
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            kwargs["ConditionExpression"] = condition
        if names:
            kwargs["ExpressionAttributeNames"] = names
        self.requests += 1
        try:
            raw = self.client.update_item(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        self.items_read += 1
        return from_wire(raw["Attributes"])

    def commit(self, transaction: Transaction) -> None:
        """Commit atomically; ConflictError when a condition failed or another write raced."""
        ops = transaction.operations
        if not ops:
            return
        if len(ops) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} writes")
        for op in ops:
            next(iter(op.values()))["TableName"] = self.name
        self.requests += 1
        try:
            if len(ops) == 1 and "Put" in ops[0] and "ConditionExpression" not in ops[0]["Put"]:
                self.client.put_item(**ops[0]["Put"])
            else:
                self.client.transact_write_items(TransactItems=ops)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in {
                "TransactionCanceledException",
                "ConditionalCheckFailedException",
                "TransactionConflictException",
            }:
                raise ConflictError(str(error)) from error
            raise
