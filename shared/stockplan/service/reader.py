"""Reads state for the rules: a participant's records, an award, a fact, the pools and
the Fair Market Value, as the unit of work (`stockplan.service.ledger.Change`) and the
use cases need them. One `Ledger` per feed file or daily run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stockplan.data import records as rec
from stockplan.data.table import Item, Table
from stockplan.domain.fmv import fmv_with_day
from stockplan.domain.history import AwardEvent
from stockplan.domain.model import Award, DeferredStockAward, Participant, PlanAction, PlanCode
from stockplan.domain.pools import PoolState, Split, reserved_on
from stockplan.domain.schedule import DueItem, DueKind


@dataclass
class StoredAward:
    award: Award
    version: int
    due: tuple[DueItem, ...]
    # Corporate actions already applied to this award (a retried split never doubles).
    actions: tuple[str, ...] = ()
    # Every fact applied to it, in order: its state is `replay(history)`.
    history: tuple[AwardEvent, ...] = ()
    # Where its one due item stands on the due index (issue 13): at its next effect or
    # before it (a write that only delays the schedule leaves it for the daily job).
    next_due: DueItem | None = None

    @property
    def one_due_item(self) -> bool:
        """False: stored before issue 13, with one due item per effect of `due` (an
        award stored since keeps its one item's place, or has no effect left)."""
        return self.next_due is not None or not self.due

    @property
    def head(self) -> DueItem | None:
        """Its schedule's earliest effect."""
        return min(self.due, default=None)


@dataclass
class StoredDeferred:
    deferred: DeferredStockAward
    version: int
    actions: tuple[str, ...] = ()


@dataclass
class PoolRecord:
    plan: PlanCode
    version: int
    outstanding: int
    delivered: int
    splits: list[Split]
    # The plan actions fed for this plan (docs/interfaces.md §1e), the shipped ones aside.
    actions: tuple[PlanAction, ...] = ()

    def state(self, on: date) -> PoolState:
        reserved = reserved_on(self.plan, on, self.splits, self.actions)
        return PoolState(self.plan, reserved, self.outstanding, self.delivered)


def stored_award(item: Item) -> StoredAward:
    due = tuple(
        DueItem(date.fromisoformat(d), DueKind(k), item["award_id"], detail)
        for d, k, detail in item.get("due", [])
    )
    indexed = item.get("next_due")
    return StoredAward(
        rec.award_from(item),
        int(item.get("version", 0)),
        due,
        tuple(item.get("actions", [])),
        tuple(AwardEvent.from_stored(e) for e in item.get("history", [])),
        DueItem(date.fromisoformat(indexed[0]), DueKind(indexed[1]), item["award_id"], indexed[2])
        if indexed
        else None,
    )


def stored_deferred(item: Item) -> StoredDeferred:
    return StoredDeferred(
        rec.deferred_from(item), int(item.get("version", 0)), tuple(item.get("actions", []))
    )


class Ledger:
    """Reads. One per feed file or daily run; `table` is the injected data access."""

    def __init__(self, table: Table) -> None:
        self.table = table
        # Prices are only written by the prices feed, which never asks for a Fair Market
        # Value, so within one file or run an FMV once read stays true.
        self._fmv: dict[date, tuple[date, Decimal] | None] = {}
        self._latest_price: dict[date, date | None] = {}
        # Price days whose use is already recorded (rec.fact_use_item) by this run.
        self.price_uses_recorded: set[date] = set()
        # The partitions read while a batched feed row is applied (feeds.RowBatch): a row
        # that reads what an earlier row of its batch wrote must wait for that commit.
        self.read_log: set[str] | None = None
        # People read ahead for a batch of feed rows (`prefetch_people`), each used once.
        self._prefetched: dict[str, list[Item]] = {}
        # What each person's Query showed they hold, with their profile's version then:
        # a profile stored without its holdings list gets it from there when written.
        self._holdings: dict[str, tuple[int, list[str]]] = {}

    def _read(self, pk: str) -> str:
        if self.read_log is not None:
            self.read_log.add(pk)
        return pk

    def participant_item(self, participant_id: str) -> Item | None:
        return self.table.get(self._read(rec.participant_pk(participant_id)), rec.PROFILE_SK)

    def participant(self, participant_id: str) -> Participant | None:
        item = self.participant_item(participant_id)
        return None if item is None else rec.participant_from(item)

    def participant_records(self, participant_id: str) -> list[Item]:
        """Every record of the person's partition (one Query)."""
        pk = self._read(rec.participant_pk(participant_id))
        records = self.table.query(pk)
        profile = next((i for i in records if i["SK"] == rec.PROFILE_SK), None)
        if profile is not None:
            held = [str(i["SK"]) for i in records if rec.holds(str(i["SK"]))]
            self._holdings[pk] = (int(profile.get("version", 0)), held)
        return records

    def participant_holdings(self, participant_id: str) -> list[Item]:
        """The person's profile, awards and deferred stock (no profile: none): as read
        ahead for the batch, once, or by a Query (other records of theirs may come too)."""
        prefetched = self._prefetched.pop(participant_id, None)
        if prefetched is None:
            return self.participant_records(participant_id)
        self._read(rec.participant_pk(participant_id))
        return prefetched

    def prefetch_people(self, participant_ids: list[str]) -> None:
        """Read ahead the profiles of the people of a batch of rows (BatchGetItem, 100
        a request), then what their profiles list (issue 13). A person whose profile
        lists nothing (stored before the list) is left for a Query."""
        self._prefetched = {}
        wanted = list(dict.fromkeys(participant_ids))
        profiles = {
            str(i["participant_id"]): i
            for i in self.table.batch_get([rec.profile_key(pid) for pid in wanted])
        }
        keys: list[tuple[str, str]] = []
        for pid in wanted:
            profile = profiles.get(pid)
            listed = None if profile is None else rec.holding_keys(profile)
            if profile is None:
                self._prefetched[pid] = []
            elif listed is not None:
                keys += listed
        held: dict[str, list[Item]] = {}
        for item in self.table.batch_get(keys):
            held.setdefault(str(item["PK"]), []).append(item)
        for pid, profile in profiles.items():
            if rec.holding_keys(profile) is not None:
                self._prefetched[pid] = [profile, *held.get(str(profile["PK"]), [])]

    def holdings_known(self, pk: str, before: Item | None) -> list[str] | None:
        """What the person holds as of the profile `before` (None: a new profile, which
        holds nothing yet), when a Query of that very version showed it."""
        if before is None:
            return []
        listed = before.get(rec.HOLDINGS)
        if listed is not None:
            return [str(sk) for sk in listed]
        version, held = self._holdings.get(pk, (-1, []))
        return held if version == int(before.get("version", 0)) else None

    def award(self, participant_id: str, award_id: str) -> StoredAward | None:
        item = self.table.get(
            self._read(rec.participant_pk(participant_id)), rec.award_sk(award_id)
        )
        return None if item is None else stored_award(item)

    def award_owner(self, award_id: str) -> str | None:
        pk, sk = rec.award_owner_key(award_id)
        owner = self.table.get(self._read(pk), sk)
        return None if owner is None else str(owner["participant_id"])

    def award_by_id(self, award_id: str) -> StoredAward | None:
        owner = self.award_owner(award_id)
        return None if owner is None else self.award(owner, award_id)

    def deferred(self, participant_id: str, sk: str) -> StoredDeferred | None:
        item = self.table.get(self._read(rec.participant_pk(participant_id)), sk)
        if item is None:
            return None
        return stored_deferred(item)

    def fmv(self, on: date) -> Decimal | None:
        """FMV on `on` from the latest price on or before it (Directors §6(c))."""
        found = self.fmv_with_day(on)
        return None if found is None else found[1]

    def fmv_with_day(self, on: date) -> tuple[date, Decimal] | None:
        """The FMV on `on` and the day of the price that set it; None when the latest
        price is stale or missing (docs/plan-rules.md "Fair Market Value")."""
        if on not in self._fmv:
            items = self.table.query(rec.PRICES, sk_upto=on.isoformat(), newest_first=True, limit=5)
            bars = [rec.price_from(i) for i in items]
            self._latest_price[on] = bars[0].day if bars else None
            self._fmv[on] = fmv_with_day(bars, on)
        return self._fmv[on]

    def latest_price_day(self, on: date) -> date | None:
        """The day of the latest price recorded on or before `on`, stale or not."""
        self.fmv_with_day(on)
        return self._latest_price[on]

    def fact(self, kind: str, key: str) -> rec.Fact | None:
        """What a feed row with this key stated, as last applied (docs/interfaces.md §1a)."""
        return rec.fact_from(kind, key, self.table.query(self._read(rec.fact_pk(kind, key))))

    def pool(self, plan: PlanCode) -> PoolRecord:
        item = self.table.get(rec.POOL, plan.value)
        if item is None:
            return PoolRecord(plan, 0, 0, 0, [])
        return PoolRecord(
            plan,
            int(item["version"]),
            int(item["outstanding"]),
            int(item["delivered"]),
            rec.splits_from(item),
            rec.plan_actions_from(item),
        )

    def splits(self) -> list[Split]:
        return self.pool(PlanCode.INCENTIVE_1998).splits
