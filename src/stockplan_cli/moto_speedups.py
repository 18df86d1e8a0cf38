"""Speed-ups of moto's DynamoDB for the embedded AWS (`stockplan_cli.embedded`).

moto is written to be correct, not fast: a ten-year simulation on plain moto does not
finish. Each speed-up below replaces one piece of moto's private internals, so:

- each is a small unit (`SPEEDUPS`) with the reason it was measured to pay for itself;
- they are applied by `EmbeddedAws.start()` and removed by its `stop()` (`enabled`),
  never left on for the process; nested embedded AWSs share one application;
- they are applied only to the moto versions they were written against
  (`SUPPORTED_MOTO`): any other version runs plain moto (slower, still correct) with a
  `MotoSpeedupsUnavailable` warning saying so, instead of failing at start;
- `tests/integration/test_moto_speedups_differential.py` runs random operation
  sequences against patched and plain moto and compares every answer.

`STOCKPLAN_MOTO_SPEEDUPS` picks them for a run: "all" (the default), "none", or a comma
list of names, where "-name" drops one from all (how each was measured: the demo with
and without it).
"""

from __future__ import annotations

import bisect
import copy
import heapq
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

# moto releases the patches were written and measured against: [low, high).
SUPPORTED_MOTO = ((5, 2), (5, 3))
ENVIRONMENT = "STOCKPLAN_MOTO_SPEEDUPS"


class MotoSpeedupsUnavailable(UserWarning):
    """moto is not a version the speed-ups were written for: plain moto runs."""


# --- applying and removing ---------------------------------------------------------------


class Patcher:
    """Replaces attributes and remembers how to put each back."""

    def __init__(self) -> None:
        self.undo: list[Callable[[], None]] = []

    def replace(self, owner: Any, name: str, value: Any) -> None:
        had = name in vars(owner)
        old = vars(owner).get(name)
        setattr(owner, name, value)
        if had:
            self.undo.append(lambda: setattr(owner, name, old))
        else:
            self.undo.append(lambda: delattr(owner, name))

    def restore(self) -> None:
        while self.undo:
            self.undo.pop()()


@dataclass(frozen=True)
class Speedup:
    name: str
    # Why it is here: what it costs moto without it, measured on `stockplan demo`.
    reason: str
    apply: Callable[[Patcher], None]


@dataclass
class _Applied:
    users: int = 0
    names: frozenset[str] = frozenset()
    patcher: Patcher = field(default_factory=Patcher)


_LOCK = threading.Lock()
_APPLIED = _Applied()
# Bumped at every application: per-table state of an earlier one is stale (writes made
# while the patches were off did not reach it).
_EPOCH = [0]


def moto_version() -> tuple[int, ...]:
    from importlib.metadata import version

    return tuple(int(part) for part in version("moto").split(".")[:3] if part.isdigit())


def supported(found: tuple[int, ...] | None = None) -> bool:
    found = moto_version() if found is None else found
    low, high = SUPPORTED_MOTO
    return low <= found[:2] < high


def chosen(setting: str | None = None) -> frozenset[str]:
    """The speed-ups a run asks for (see the module docstring)."""
    setting = os.environ.get(ENVIRONMENT, "all") if setting is None else setting
    known = {s.name for s in SPEEDUPS}
    words = [w.strip() for w in setting.split(",") if w.strip()]
    names: set[str] = set()
    for word in words:
        if word == "all":
            names |= known
        elif word.startswith("-"):
            names.discard(word[1:])
        elif word != "none":
            names.add(word)
    if words and all(w.startswith("-") for w in words):
        names = known - {w[1:] for w in words}
    unknown = names - known
    if unknown:
        raise ValueError(
            f"{ENVIRONMENT}: no speed-up named {sorted(unknown)}; known: {sorted(known)}"
        )
    return frozenset(names)


def apply(names: frozenset[str]) -> frozenset[str]:
    """Apply `names` (or join an application already on); returns what is on."""
    with _LOCK:
        if _APPLIED.users:
            if names != _APPLIED.names:
                raise RuntimeError(
                    f"moto speed-ups {sorted(_APPLIED.names)} are on in this process; "
                    f"an embedded AWS asking for {sorted(names)} must wait until it stops"
                )
            _APPLIED.users += 1
            return _APPLIED.names
        on = names if names and supported() else frozenset()
        if names and not on:
            warnings.warn(
                f"moto {'.'.join(map(str, moto_version()))} is not a version the embedded "
                f"AWS's speed-ups were written for ({SUPPORTED_MOTO[0]} to before "
                f"{SUPPORTED_MOTO[1]}): running plain moto, which is much slower",
                MotoSpeedupsUnavailable,
                stacklevel=3,
            )
        _EPOCH[0] += 1
        try:
            for speedup in SPEEDUPS:
                if speedup.name in on:
                    speedup.apply(_APPLIED.patcher)
        except (ImportError, AttributeError) as error:
            _APPLIED.patcher.restore()
            warnings.warn(
                f"moto's internals differ from what the speed-ups expect ({error}): "
                "running plain moto",
                MotoSpeedupsUnavailable,
                stacklevel=3,
            )
            on = frozenset()
        _APPLIED.users, _APPLIED.names = 1, on
        return on


def remove() -> None:
    """Leave the application; the last to leave puts moto back as it was."""
    with _LOCK:
        if _APPLIED.users == 0:
            return
        _APPLIED.users -= 1
        if _APPLIED.users == 0:
            _APPLIED.patcher.restore()
            _APPLIED.names = frozenset()


@contextmanager
def enabled(names: frozenset[str] | None = None) -> Iterator[frozenset[str]]:
    on = apply(chosen() if names is None else names)
    try:
        yield on
    finally:
        remove()


def active() -> frozenset[str]:
    return _APPLIED.names


# --- per-table state: indexes kept current by every write ---------------------------------

_STATE = "stockplan_speedups"


class IndexPartition:
    """One hash key value of a global secondary index: its items, and those whose
    index sort key is a string in key order (index sort key, then the table's keys, the
    order moto sorts by), so a key condition is a slice found by bisection."""

    # `stockplan local` serves requests on several threads: a query's bisections must
    # not see the order shift under them.
    lock = threading.Lock()

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Any] = {}
        self.order: list[tuple[str, str, str]] = []
        self.unordered: set[tuple[str, str]] = set()

    def add(self, key: tuple[str, str], item: Any, sort_value: Any) -> None:
        with self.lock:
            self.items[key] = item
            if sort_value is not None and sort_value.type == "S":
                bisect.insort(self.order, (sort_value.value, *key))
            else:
                self.unordered.add(key)

    def remove(self, key: tuple[str, str], sort_value: Any) -> None:
        with self.lock:
            if self.items.pop(key, None) is None:
                return
            if key in self.unordered:
                self.unordered.discard(key)
                return
            entry = (sort_value.value, *key)
            at = bisect.bisect_left(self.order, entry)
            if at < len(self.order) and self.order[at] == entry:
                del self.order[at]

    def candidates(self, given: dict[str, Any]) -> list[Any]:
        """A superset of the items the key condition (and a plain Limit) selects."""
        with self.lock:
            lo, hi = _slice(self.order, given)
            if lo is None:
                return list(self.items.values())
            keys = [entry[1:] for entry in self.order[lo:hi]] + list(self.unordered)
            return [self.items[key] for key in keys]


@dataclass
class GlobalIndex:
    """A single-attribute global secondary index, grouped by its hash key value."""

    hash_attr: str
    range_attr: str | None
    partitions: dict[tuple[str, Any], IndexPartition] = field(default_factory=dict)
    # Where each indexed item sits: its partition and index sort value.
    places: dict[tuple[str, str], tuple[tuple[str, Any], Any]] = field(default_factory=dict)

    def put(self, key: tuple[str, str], item: Any) -> None:
        self.drop(key)
        value = item.attrs.get(self.hash_attr)
        if value is None or value.type not in ("S", "B"):
            return  # a sparse index: the item is not in it
        where = (value.type, value.value)
        sort_value = item.attrs.get(self.range_attr) if self.range_attr else None
        self.places[key] = (where, sort_value)
        self.partitions.setdefault(where, IndexPartition()).add(key, item, sort_value)

    def drop(self, key: tuple[str, str]) -> None:
        place = self.places.pop(key, None)
        if place is None:
            return
        partition = self.partitions[place[0]]
        partition.remove(key, place[1])
        if not partition.items:
            del self.partitions[place[0]]


@dataclass
class TableState:
    epoch: int
    writes: int = 0
    indexes: dict[str, GlobalIndex] = field(default_factory=dict)
    # The table's items in key order and the `writes` they were sorted at (scans).
    in_order: tuple[int, list[Any]] | None = None


def table_state(table: Any) -> TableState:
    state: TableState | None = table.__dict__.get(_STATE)
    if state is None or state.epoch != _EPOCH[0]:
        state = TableState(_EPOCH[0])
        table.__dict__[_STATE] = state
    return state


def every_item(table: Any) -> Iterator[Any]:
    for partition in table.items.values():
        if table.range_key_attr:
            yield from partition.values()
        else:
            yield partition


def stored_item(table: Any, hash_key: Any, range_key: Any) -> Any:
    if range_key is None:
        return table.items.get(hash_key)
    partition = table.items.get(hash_key)
    return None if partition is None else partition.get(range_key)


def item_key(hash_key: Any, range_key: Any) -> tuple[str, str]:
    return (str(hash_key.value), "" if range_key is None else str(range_key.value))


def written(table: Any, hash_key: Any, range_key: Any) -> None:
    """The item at (hash_key, range_key) of `table` changed: follow it."""
    state = table_state(table)
    state.writes += 1
    if not state.indexes:
        return
    item = stored_item(table, hash_key, range_key)
    key = item_key(hash_key, range_key)
    for index in state.indexes.values():
        if item is None:
            index.drop(key)
        else:
            index.put(key, item)


def global_index(table: Any, index_name: str) -> GlobalIndex | None:
    """The index's items grouped by hash key value, built at its first query and then
    followed by every write; None for a composite key (moto then looks at every item)."""
    state = table_state(table)
    if index_name in state.indexes:
        return state.indexes[index_name]
    schema = table.get_index(index_name).schema
    hash_attrs = [k["AttributeName"] for k in schema if k["KeyType"] == "HASH"]
    range_attrs = [k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"]
    if len(hash_attrs) != 1 or len(range_attrs) > 1:
        return None
    index = GlobalIndex(hash_attrs[0], range_attrs[0] if range_attrs else None)
    for item in every_item(table):
        index.put(item_key(item.hash_key, item.range_key), item)
    state.indexes[index_name] = index
    return index


# --- speed-up: writes --------------------------------------------------------------------


def _follow_writes(patcher: Patcher) -> None:
    """Every write reaches `written` (the query indexes and the scan order follow it)."""
    from moto.dynamodb.exceptions import ConditionalCheckFailed
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    put_item, delete_item = Table.put_item, Table.delete_item
    update_item = DynamoDBBackend.update_item

    def put(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = put_item(self, *args, **kwargs)
        written(self, item.hash_key, item.range_key)
        return item

    def delete(self: Any, hash_key: Any, range_key: Any) -> Any:
        item = delete_item(self, hash_key, range_key)
        if item is not None:
            written(self, hash_key, range_key)
        return item

    def update(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            item = update_item(self, table_name, *args, **kwargs)
        except ConditionalCheckFailed:
            raise  # checked before anything changed
        except Exception:
            # moto may have changed the item before failing: rebuild at the next query.
            table = self.tables.get(table_name)
            if table is not None:
                table.__dict__.pop(_STATE, None)
            raise
        written(self.get_table(table_name), item.hash_key, item.range_key)
        return item

    patcher.replace(Table, "put_item", put)
    patcher.replace(Table, "delete_item", delete)
    patcher.replace(DynamoDBBackend, "update_item", update)


# --- speed-up: transactions --------------------------------------------------------------

_MISSING = object()


@dataclass
class _Saved:
    table: Any
    hash_key: Any
    range_key: Any
    old: Any


def _no_table_copy(value: Any, memo: Any = None) -> Any:
    from moto.dynamodb.models.table import Table

    # The rollback below restores the named items; a whole-table copy is not needed.
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _save(backend: Any, entry: dict[str, Any]) -> _Saved | None:
    """What the item an entry of a transaction names holds before it runs."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    kind, op = next(iter(entry.items()))
    table = backend.tables.get(op.get("TableName"))
    key = op.get("Item") if kind == "Put" else op.get("Key")
    if table is None or not isinstance(key, dict) or table.hash_key_attr not in key:
        return None  # moto rejects the entry before writing anything for it
    range_attr = table.range_key_attr
    if range_attr and range_attr not in key:
        return None
    try:
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[range_attr]) if range_attr else None
    except Exception:
        return None
    old = stored_item(table, hash_key, range_key)
    # Put and Delete replace or remove the stored object (it stays an exact snapshot);
    # Update changes it in place, so it needs a copy.
    if kind == "Update" and old is not None:
        old = copy.deepcopy(old)
    return _Saved(table, hash_key, range_key, _MISSING if old is None else old)


def _restore(saved: _Saved) -> None:
    table, hash_key, range_key = saved.table, saved.hash_key, saved.range_key
    if range_key is None:  # a hash-key-only table keeps the item itself
        if saved.old is _MISSING:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = saved.old
    else:
        partition = table.items[hash_key]
        if saved.old is _MISSING:
            partition.pop(range_key, None)
            if not partition:
                del table.items[hash_key]
        else:
            partition[range_key] = saved.old
    written(table, hash_key, range_key)


def _transactions(patcher: Patcher) -> None:
    """Snapshot only the items a transaction names instead of the whole table."""
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = [s for s in (_save(self, e) for e in transact_items) if s is not None]
        try:
            original(self, transact_items)
        except Exception:
            for entry in reversed(saved):
                _restore(entry)
            raise

    # moto's own rollback deep-copies every table the transaction names (through this
    # module global); the copy is now the table itself and the restore above undoes.
    patcher.replace(models, "copy", SimpleNamespace(deepcopy=_no_table_copy, copy=copy.copy))
    patcher.replace(DynamoDBBackend, "transact_write_items", transact_write_items)


# --- speed-up: untracked items -----------------------------------------------------------


def _untracked_items(patcher: Patcher) -> None:
    """Create items without moto's class-level registry of every model object."""
    from moto.dynamodb.models.dynamo_type import Item

    def untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    patcher.replace(Item, "__new__", staticmethod(untracked))


def _item_sizes(patcher: Patcher) -> None:
    """moto checks a new item's size as it adds each attribute, summing every attribute
    added before (quadratic in the attributes: an award, a notice or an audit record has
    tens): the size summed once, with the same limit and the same error when the whole
    item is over it (sizes are never negative, so the sum passes the limit at some
    attribute exactly when the whole does). Later writes to the item are checked by
    moto as before."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    def init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > 405000:
            raise ItemSizeTooLarge  # moto's own limit (dynamo_type.LimitedSizeDict)
        built = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.update(built, converted)
        self.attrs = built

    patcher.replace(Item, "__init__", init)


# --- speed-up: responses -----------------------------------------------------------------

_ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
    }
)


def _wire(value: Any) -> Any:
    import base64

    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not plain JSON")


def _responses(patcher: Patcher) -> None:
    """Dump the item operations' answers (already in wire form) as JSON directly."""
    import json

    from moto.dynamodb.responses import DynamoResult

    original = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        result = self.result
        if context.operation_model.name in _ITEM_OPERATIONS and isinstance(result, dict):
            try:
                body = json.dumps(result, default=_wire)
            except TypeError:
                return original(self, context)
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return original(self, context)

    patcher.replace(DynamoResult, "execute_result", execute_result)


# --- speed-up: queries and scans ---------------------------------------------------------

# What the current thread's Table.query / Table.scan asked (the server has several).
_ASKED = threading.local()
_QUERY_ARGS = (
    "range_comparison",
    "range_objs",
    "limit",
    "exclusive_start_key",
    "scan_index_forward",
    "projection_expressions",
    "index_name",
    "consistent_read",
    "filter_expression",
)
_SCAN_ARGS = ("filters", "limit", "exclusive_start_key", "filter_expression", "index_name")
# A key condition's comparison as moto spells it -> one name for it.
_KEY_OPERATORS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}


def _key_operator(comparison: str) -> str:
    return _KEY_OPERATORS.get(comparison, comparison.upper())


def _limit_takes_the_first(given: dict[str, Any]) -> bool:
    """A Limit selects the first items in key order: no start key, no filter."""
    from moto.dynamodb.comparisons import OpDefault

    filtered = given.get("filter_expression")
    return not given.get("exclusive_start_key") and (
        filtered is None or isinstance(filtered, OpDefault)
    )


def _bounds(order: list[tuple[str, str, str]], op: str, values: list[str]) -> tuple[int, int]:
    """The slice of `order` (sorted by its first element) a key condition selects."""

    def left(v: str) -> int:
        return bisect.bisect_left(order, v, key=lambda e: e[0])

    def right(v: str) -> int:
        return bisect.bisect_right(order, v, key=lambda e: e[0])

    end = len(order)
    slices: dict[str, Callable[[], tuple[int, int]]] = {
        "EQ": lambda: (left(values[0]), right(values[0])),
        "LT": lambda: (0, left(values[0])),
        "LE": lambda: (0, right(values[0])),
        "GT": lambda: (right(values[0]), end),
        "GE": lambda: (left(values[0]), end),
        "BETWEEN": lambda: (left(values[0]), right(values[1])),
        "BEGINS_WITH": lambda: (left(values[0]), left(values[0] + "\U0010ffff")),
    }
    return slices[op]()


def _slice(order: list[tuple[str, str, str]], given: dict[str, Any]) -> tuple[Any, int]:
    """(lo, hi) of the ordered entries a query can answer from; (None, 0): all items."""
    comparison = given.get("range_comparison")
    bounds = given.get("range_objs") or []
    if len(given.get("range_key_conditions") or []) > 1 or any(b.type != "S" for b in bounds):
        return None, 0
    lo, hi = 0, len(order)
    if comparison:
        op = _key_operator(comparison)
        if op not in ("EQ", "LT", "LE", "GT", "GE", "BETWEEN", "BEGINS_WITH"):
            return None, 0
        lo, hi = _bounds(order, op, [b.value for b in bounds])
    limit = given.get("limit")
    if limit and _limit_takes_the_first(given):
        if given.get("scan_index_forward", True):
            hi = min(hi, lo + limit + 1)
        else:
            lo = max(lo, hi - limit - 1)
    return lo, hi


def _meets(value: Any, comparison: str, given: dict[str, Any]) -> bool:
    """The key condition on a string sort key; anything else is left to moto."""
    bounds = given.get("range_objs") or []
    if value is None:
        return False
    if value.type != "S" or any(b.type != "S" for b in bounds):
        return True
    v, b = value.value, [x.value for x in bounds]
    checks: dict[str, Callable[[], bool]] = {
        "EQ": lambda: v == b[0],
        "LT": lambda: v < b[0],
        "LE": lambda: v <= b[0],
        "GT": lambda: v > b[0],
        "GE": lambda: v >= b[0],
        "BETWEEN": lambda: b[0] <= v <= b[1],
        "BEGINS_WITH": lambda: v.startswith(b[0]),
    }
    check = checks.get(_key_operator(comparison))
    return True if check is None else bool(check())


def _sort_key(item: Any, order: list[str]) -> tuple[str, ...] | None:
    values = []
    for name in order:
        value = item.attrs.get(name)
        if value is None or value.type != "S":
            return None
        values.append(value.value)
    return tuple(values)


def _first_of(found: list[Any], order: list[str], given: dict[str, Any]) -> list[Any]:
    """With a plain Limit, only the first Limit + 1 in key order can be answered."""
    limit = given.get("limit")
    if not (limit and _limit_takes_the_first(given) and len(found) > limit + 1):
        return found
    keyed = [(_sort_key(i, order), n, i) for n, i in enumerate(found)]
    if any(k is None for k, _n, _i in keyed):
        return found
    pick = heapq.nsmallest if given.get("scan_index_forward", True) else heapq.nlargest
    return [i for _k, _n, i in pick(limit + 1, keyed)]


def _index_candidates(table: Any, given: dict[str, Any]) -> list[Any]:
    index_name = given["index_name"]
    schema = table.get_index(index_name).schema
    hash_attrs = [k["AttributeName"] for k in schema if k["KeyType"] == "HASH"]
    range_attrs = [k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"]
    conditions = given.get("hash_key_conditions") or []
    wanted = [(n, v.type, v.value) for n, v in conditions if v.type in ("S", "B")]
    hash_value = next(((t, v) for n, t, v in wanted if n == hash_attrs[0]), None)
    index = global_index(table, index_name)
    if index is not None and hash_value is not None:
        partition = index.partitions.get(hash_value)
        # Already narrowed to the key condition and Limit: moto does the rest.
        return [] if partition is None else partition.candidates(given)
    found = [i for i in every_item(table) if _has_all(i.attrs, wanted)]
    order = [*hash_attrs, *range_attrs, table.hash_key_attr, table.range_key_attr]
    return _first_of(_in_range(found, range_attrs, given), order, given)


def _has_all(attrs: dict[str, Any], wanted: list[tuple[str, str, Any]]) -> bool:
    for name, type_, value in wanted:
        got = attrs.get(name)
        if got is None or got.type != type_ or got.value != value:
            return False
    return True


def _in_range(found: list[Any], range_attrs: list[str], given: dict[str, Any]) -> list[Any]:
    comparison = given.get("range_comparison")
    one_range = len(range_attrs) == 1 and len(given.get("range_key_conditions") or []) <= 1
    if not (comparison and one_range):
        return found
    return [i for i in found if _meets(i.attrs.get(range_attrs[0]), comparison, given)]


def _candidates(table: Any, hash_key: Any, given: dict[str, Any]) -> list[Any]:
    """The items DynamoDB would read for a query: a superset of moto's answer."""
    if given.get("index_name"):
        return _index_candidates(table, given)
    found = list(table.items.get(hash_key, {}).values())
    range_attrs = [table.range_key_attr]
    return _first_of(_in_range(found, range_attrs, given), range_attrs, given)


def _scan_from(table: Any, start: dict[str, Any] | None, all_items: Any) -> list[Any]:
    """moto sorts the whole table for every page of a scan and walks it from the top to
    the page's start key. Sort once while the table does not change (every write counts,
    see `written`) and hand each page the items from its start."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    state = table_state(table)
    if state.in_order is None or state.in_order[0] != state.writes:
        state.in_order = (state.writes, all_items(table))
    ordered = state.in_order[1]
    if not start or table.hash_key_attr not in start or table.range_key_attr not in start:
        return ordered
    at = bisect.bisect_left(
        ordered,
        (DynamoType(start[table.hash_key_attr]), DynamoType(start[table.range_key_attr])),
        key=lambda item: (item.hash_key, item.range_key),
    )
    # From the start key itself: moto skips it, as it skips all before it.
    return ordered[at:]


def _queries(patcher: Patcher) -> None:
    """Hand moto's query only the items DynamoDB would read, and a scan the sorted
    table from its page's start; moto's own conditions, order, limits and paging then
    run unchanged on that superset of its answer."""
    from moto.dynamodb.models.table import Table

    _follow_writes(patcher)
    original_query, original_scan = Table.query, Table.scan
    original_all_items = Table.all_items

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        _ASKED.query = (self, hash_key, dict(zip(_QUERY_ARGS, args, strict=False)) | kwargs)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _ASKED.query = None

    def scan(self: Any, *args: Any, **kwargs: Any) -> Any:
        given = dict(zip(_SCAN_ARGS, args, strict=False)) | kwargs
        _ASKED.scan = (self, given) if not given.get("index_name") else None
        try:
            return original_scan(self, *args, **kwargs)
        finally:
            _ASKED.scan = None

    def all_items(self: Any) -> Any:
        if not self.range_key_attr:
            return original_all_items(self)
        scanning = getattr(_ASKED, "scan", None)
        if scanning is not None and scanning[0] is self:
            return _scan_from(self, scanning[1].get("exclusive_start_key"), original_all_items)
        asked = getattr(_ASKED, "query", None)
        if asked is None or asked[0] is not self:
            return original_all_items(self)
        return _candidates(self, asked[1], asked[2])

    patcher.replace(Table, "query", query)
    patcher.replace(Table, "scan", scan)
    patcher.replace(Table, "all_items", all_items)


# --- speed-ups: the fixed cost of every request ---------------------------------------------


def _method_names(patcher: Patcher) -> None:
    """moto lists a response class's methods (inspect.getmembers) on every request to
    find the action's handler: once per class instead (the classes do not change while
    the patches are on)."""
    from moto.core import responses

    original = responses.method_names_from_class  # type: ignore[attr-defined]
    found: dict[type, frozenset[str]] = {}

    def method_names(clazz: Any) -> frozenset[str]:
        names = found.get(clazz)
        if names is None:
            names = found[clazz] = frozenset(original(clazz))
        return names

    patcher.replace(responses, "method_names_from_class", method_names)


def _random_strings(patcher: Patcher) -> None:
    """moto draws each request id (52 characters) one `choice` call a character: one
    `choices` call instead (the same characters, equally likely, from moto's own
    random source)."""
    import string

    from moto.moto_api._internal.moto_random import MotoRandom

    def get_random_string(
        self: Any, length: int = 20, include_digits: bool = True, lower_case: bool = False
    ) -> str:
        pool = string.ascii_letters + (string.digits if include_digits else "")
        text = "".join(self.choices(pool, k=length))
        return text.lower() if lower_case else text

    patcher.replace(MotoRandom, "get_random_string", get_random_string)


def _user_agent(patcher: Patcher) -> None:
    """botocore rebuilds each request's User-Agent header from a few fixed pieces,
    cleaning every piece character by character: each piece is cleaned once (the
    cleaning is a pure function of the piece)."""
    import functools

    from botocore import useragent

    cached = functools.lru_cache(maxsize=1024)(useragent.sanitize_user_agent_string_component)
    patcher.replace(useragent, "sanitize_user_agent_string_component", cached)


_DYNAMODB_URL = r"https?://dynamodb\.[^/]+\.amazonaws\.com/$"


class _DynamoRequest:
    """What moto's DynamoDB handler reads of a request (`setup_class`, `parse_parameters`):
    the method, the URL (a DynamoDB request's is its host and "/"), the headers and the
    JSON body. moto's own Request is a werkzeug request built from a WSGI environ, whose
    form, files and values are worked out (all empty for a JSON body) on each request:
    0.7 ms of the 5 ms of a DynamoDB request under cProfile."""

    from_wsgi_server = False
    content_encoding = None

    def __init__(self, method: str, url: str, headers: Any, body: Any) -> None:
        from urllib.parse import urlsplit

        from werkzeug.datastructures import Headers, ImmutableMultiDict

        data = body if isinstance(body, bytes) else (body or "").encode("utf-8")
        items = [
            (key, value.decode("utf-8") if isinstance(value, bytes) else value)
            for key, value in headers.items()
            if key.lower() != "transfer-encoding"
        ]
        self.headers = Headers(items)
        # As werkzeug's request from these parts has them (moto's from_primitives).
        self.headers.setdefault("Host", urlsplit(url).netloc)
        self.headers.setdefault("Content-Length", str(len(data)))
        self.method = method
        self.raw_url = url
        self.path = self.raw_path = urlsplit(url).path or "/"
        self.data = data
        self.content_type = self.headers.get("Content-Type")
        self.form: Any = ImmutableMultiDict()
        self.files: Any = ImmutableMultiDict()
        self.values: Any = ImmutableMultiDict()
        self.environ: dict[str, Any] = {}


def _direct_dynamodb(patcher: Patcher) -> None:
    """A DynamoDB request of a client on the in-process mock goes straight to moto's
    DynamoDB handler: botocore still checks and serialises the parameters and parses
    the answer (errors and their modelled fields too), but does not sign the request,
    rebuild its User-Agent, run the send loop's events or have moto's stubber match
    the URL against every service's (moto answers in-process calls without a
    signature: the embedded AWS checks no credentials)."""
    import re

    from botocore.awsrequest import AWSResponse
    from botocore.client import BaseClient
    from botocore.endpoint import convert_to_response_dict
    from moto.core.botocore_stubber import MockRawResponse
    from moto.core.models import botocore_stubber
    from moto.dynamodb.responses import DynamoHandler

    original = BaseClient._make_request
    url = re.compile(_DYNAMODB_URL)

    def make_request(
        self: Any, operation_model: Any, request_dict: dict[str, Any], context: Any
    ) -> Any:
        if not botocore_stubber.enabled or not url.match(request_dict["url"]):
            return original(self, operation_model, request_dict, context)
        request = _DynamoRequest(
            request_dict["method"],
            request_dict["url"],
            request_dict["headers"],
            request_dict["body"],
        )
        status, headers, body = DynamoHandler.dispatch(request, request.raw_url, request.headers)
        http = AWSResponse(request_dict["url"], status, headers, MockRawResponse(body))
        response = convert_to_response_dict(http, operation_model)
        endpoint = self._endpoint
        parser = endpoint._response_parser_factory.create_parser(
            operation_model.service_model.resolved_protocol
        )
        parsed = parser.parse(response, operation_model.output_shape)
        if http.status_code >= 300:
            endpoint._add_modeled_error_fields(response, parsed, operation_model, parser)
        return http, parsed

    patcher.replace(BaseClient, "_make_request", make_request)


def _unchecked_parameters(patcher: Patcher) -> None:
    """botocore checks every request's parameters against the API's shapes before it
    serialises them, walking each attribute value of an item: the embedded AWS's clients
    serialise them unchecked (the code under test is checked: the integration tier and
    the differential test run plain moto with botocore's checks on, as AWS's clients do)."""
    from botocore.validate import ParamValidationDecorator

    def serialize_to_request(self: Any, parameters: Any, operation_model: Any) -> Any:
        return self._serializer.serialize_to_request(parameters, operation_model)

    patcher.replace(ParamValidationDecorator, "serialize_to_request", serialize_to_request)


def _ses_headers_only(patcher: Patcher) -> None:
    """moto's SES parses a raw email whole (every MIME part of its body) to read the
    From, To, Cc and Bcc headers: the headers alone are parsed, into the same message
    object for those reads (email.parser's headersonly, the same default policy)."""
    from email.parser import Parser
    from types import ModuleType

    import moto.ses.models as ses_models

    headers = Parser()
    shim = ModuleType("email", "moto's SES reads headers only")
    shim.message_from_string = lambda text: headers.parsestr(text, headersonly=True)  # type: ignore[attr-defined]
    patcher.replace(ses_models, "email", shim)


def _condition_tokens(patcher: Patcher) -> None:
    """moto splits a condition expression into tokens for every request, trying a dozen
    regular expressions compiled afresh at each token: the tokens of each text are kept
    (they depend on the text alone: the names and values are resolved after, and no
    step changes a token). A text that fails to split is not kept."""
    from collections import deque

    from moto.dynamodb.comparisons import ConditionExpressionParser

    original = ConditionExpressionParser._lex_condition_expression
    split: dict[str, tuple[Any, ...]] = {}

    def lex(self: Any) -> Any:
        text = self.condition_expression
        tokens = split.get(text)
        if tokens is None:
            tokens = tuple(original(self))
            if len(split) < 1024:  # the code's expressions are few
                split[text] = tokens
        return deque(tokens)

    patcher.replace(ConditionExpressionParser, "_lex_condition_expression", lex)


def _update_traversals(patcher: Patcher) -> None:
    """moto checks and applies an update expression with ten depth-first passes over its
    syntax tree, and each pass rebuilds the tuple of node types it processes (a dict
    and a tuple made per node visited): the same walk with that tuple taken once per
    pass (each pass's node types are fixed by its class), and the no-op hook before
    each child skipped where the pass does not define one."""
    from moto.dynamodb.parsing.ast_nodes import (  # type: ignore[attr-defined]
        DepthFirstTraverser,
        Node,
    )

    no_hook = DepthFirstTraverser.pre_processing_of_child

    def traverse(self: Any, node: Any) -> Any:
        kinds = self.nodes_to_be_processed()
        hook = (
            None if type(self).pre_processing_of_child is no_hook else self.pre_processing_of_child
        )

        def walk(node: Any, child_id: int = -1) -> Any:
            if isinstance(node, Node):
                parent_node = node.parent
                if node.children is not None:
                    for i, child_node in enumerate(node.children):
                        if hook is not None:
                            hook(node, i)
                        walk(child_node, i)
                if isinstance(node, kinds):
                    node = self.process(node)
                    node.parent = parent_node
                    if parent_node:
                        parent_node.children[child_id] = node
            return node

        return walk(node)

    patcher.replace(DepthFirstTraverser, "traverse", traverse)


def _update_expressions(patcher: Patcher) -> None:
    """moto parses an update expression's text twice a request (its handler, to list
    the names and values used; its backend, to apply it): each text is parsed once and
    its syntax tree kept (the code only reads it: the validator that resolves values
    into it works on a deep copy). An expression that fails to parse is not kept."""
    from moto.dynamodb.parsing.expressions import (  # type: ignore[attr-defined]
        UpdateExpressionParser,
    )

    original = UpdateExpressionParser.make.__func__
    parsed: dict[tuple[Any, str], Any] = {}

    def make(cls: Any, expression_str: str) -> Any:
        tree = parsed.get((cls, expression_str))
        if tree is None:
            tree = original(cls, expression_str)
            if len(parsed) < 1024:  # the code's expressions are few
                parsed[(cls, expression_str)] = tree
        return tree

    patcher.replace(UpdateExpressionParser, "make", classmethod(make))


def _request_ids(patcher: Patcher) -> None:
    """moto writes each answer's request id into its body's <RequestId> element with a
    regular expression that scans the whole body, a JSON answer too (a notice's body is
    tens of kilobytes): scanned only when the body holds the element's tag (the
    expression cannot match otherwise)."""
    from moto.core.responses import BaseResponse
    from moto.utilities.aws_headers import gen_amzn_requestid_long

    original = BaseResponse._enrich_response

    def enrich_response(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        if not isinstance(body, str) or "<RequestId>" in body:
            return original(headers, body)
        if "status" in headers:
            headers["status"] = str(headers["status"])
        gen_amzn_requestid_long(headers)
        return headers, body

    patcher.replace(BaseResponse, "_enrich_response", staticmethod(enrich_response))


# Measured on `stockplan demo` (CPU seconds and peak memory of the whole process, the
# median machine being shared and noisy; moto 5.2.5) with all of them on, 30.9 s and
# 178 MB, against the same run with one of them off. Dropped for not paying for
# themselves there: caching moto's per-request method listing (30.2 s without it).
# Measuring a new item's size once (item_sizes) was dropped there too (31.1 s without
# it) and is back since the feed's and the demo's profiles showed it (see its reason).
SPEEDUPS: tuple[Speedup, ...] = (
    Speedup(
        "transactions",
        "moto deep-copies every table a transaction names, to roll back: without this "
        "the demo took 89 s and 1.9 GB and did not finish in 400 s of wall time",
        _transactions,
    ),
    Speedup(
        "untracked_items",
        "moto keeps every item object it ever makes (an update makes one) for its "
        "dashboard: 199 MB at the demo's peak without this, 178 MB with it, and it "
        "grows with every write (gigabytes over a ten-year simulation); no time saved",
        _untracked_items,
    ),
    Speedup(
        "item_sizes",
        "moto sums every attribute's size again as it adds each one to a new item: "
        "1.3 s of the demo's 41.6 s under cProfile (3,833 items put, 36,491 attributes)",
        _item_sizes,
    ),
    Speedup(
        "responses",
        "moto writes each answer's JSON by walking the API's response shapes: the demo "
        "took 38.0 s without this",
        _responses,
    ),
    Speedup(
        "queries",
        "moto tests every item of the table for each query and re-sorts it for every "
        "page of a scan: without this the demo had used 51 s and not finished in 400 s "
        "of wall time",
        _queries,
    ),
    Speedup(
        "method_names",
        "moto lists the response class's methods (inspect.getmembers) for each of the "
        "demo's 13,135 requests: 9.1 s of its 254 s under cProfile",
        _method_names,
    ),
    Speedup(
        "random_strings",
        "moto draws each request id one character a call: 3.2 s of the demo's 254 s under cProfile",
        _random_strings,
    ),
    Speedup(
        "user_agent",
        "botocore cleans every User-Agent piece character by character for each "
        "request: 8.2 s of the demo's 254 s under cProfile",
        _user_agent,
    ),
    Speedup(
        "update_traversals",
        "moto's ten passes over an update expression rebuild their node types at each "
        "node: 5 ms of an UpdateItem's 10 ms under cProfile (the demo makes 2,000 updates)",
        _update_traversals,
    ),
    Speedup(
        "update_expressions",
        "moto parses each update expression twice a request: 2.2 ms of an UpdateItem's "
        "10 ms under cProfile",
        _update_expressions,
    ),
    Speedup(
        "request_ids",
        "moto scans every answer's body for a <RequestId> element to fill in: 0.5 s of "
        "the demo's 134 s under cProfile, most of it on the notices' bodies",
        _request_ids,
    ),
    Speedup(
        "direct_dynamodb",
        "a DynamoDB request's signing, User-Agent, send loop and moto's URL matching: "
        "2.5 ms of CPU a GetItem without this, 1.4 ms with it (the demo makes 11,600); "
        "handing moto only the request's parts its DynamoDB handler reads, not a "
        "werkzeug request: 1.3 ms a GetItem before, 1.0 ms after",
        _direct_dynamodb,
    ),
    Speedup(
        "unchecked_parameters",
        "botocore checks each request's parameters against the API's shapes: 1.45 s of "
        "the demo's 40.4 s under cProfile (11,358 requests); the demo took 13.4-13.9 s of "
        "CPU without this, 13.3-13.4 s with it",
        _unchecked_parameters,
    ),
    Speedup(
        "ses_headers_only",
        "moto's SES parses each raw email's whole body to read four headers: an SES send "
        "took 1.9 ms of CPU without this, 1.6 ms with it (the demo sends 417 emails of "
        "30 KB on average; 13.6-13.7 s of CPU without this, 13.3-13.4 s with it)",
        _ses_headers_only,
    ),
    Speedup(
        "condition_tokens",
        "moto splits each condition expression into tokens afresh for every request: "
        "0.6 s of the demo's 36 s under cProfile (6,300 conditions); the demo took "
        "13.7-13.9 s of CPU without this, 13.3-13.4 s with it",
        _condition_tokens,
    ),
)
