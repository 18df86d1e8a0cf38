"""Share pools (1998 §4.a and Amendment No. 1; Directors §4(a), §8(a);
docs/plan-rules.md "Share pools")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stockplan.domain.model import (
    Award,
    DeferredStatus,
    DeferredStockAward,
    PlanAction,
    PlanCode,
)
from stockplan.domain.plans import reserve_steps
from stockplan.domain.splits import split_shares


@dataclass(frozen=True, slots=True)
class Split:
    day: date
    ratio: Decimal


def reserved_on(
    plan: PlanCode,
    day: date,
    splits: Sequence[Split] = (),
    actions: Sequence[PlanAction] = (),
) -> int:
    """Shares reserved on `day`: the plan's reserve step in force (its start, Amendment
    No. 1 and every fed `amend_reserve`, each in the shares of its date), times the
    splits since that step (1998 §4.a, §7.b.(1), §9; Directors §4(a), §4(c), §8(f))."""
    events: list[tuple[date, int, Decimal | int]] = [
        (step.effective, 0, step.shares) for step in reserve_steps(plan, actions)
    ]
    events += [(s.day, 1, s.ratio) for s in splits]
    reserved = 0
    for when, kind, value in sorted(events, key=lambda e: (e[0], e[1])):
        if when > day:
            break
        reserved = int(value) if kind == 0 else split_shares(reserved, Decimal(value))
    return reserved


@dataclass(frozen=True, slots=True)
class PoolState:
    """available = reserved - outstanding - delivered; it never goes below zero."""

    plan: PlanCode
    reserved: int
    outstanding: int = 0
    delivered: int = 0

    @property
    def available(self) -> int:
        return self.reserved - self.outstanding - self.delivered

    def apply(self, delta: PoolDelta) -> PoolState:
        return PoolState(
            self.plan,
            self.reserved,
            self.outstanding + delta.outstanding,
            self.delivered + delta.delivered,
        )


@dataclass(frozen=True, slots=True)
class PoolDelta:
    outstanding: int = 0
    delivered: int = 0

    @property
    def takes(self) -> int:
        """Shares this change takes from `available` (negative: returns them)."""
        return self.outstanding + self.delivered

    def __add__(self, other: PoolDelta) -> PoolDelta:
        return PoolDelta(self.outstanding + other.outstanding, self.delivered + other.delivered)


def award_pool_delta(before: Award | None, after: Award) -> PoolDelta:
    """How an award change moves its pool: expiry and forfeiture return shares,
    exercises deliver them less the shares withheld (1998 §4.a(i)-(iv); Directors §4(a))."""
    old_outstanding = 0 if before is None else before.shares_outstanding
    old_delivered = 0 if before is None else before.shares_delivered
    return PoolDelta(
        after.shares_outstanding - old_outstanding, after.shares_delivered - old_delivered
    )


def deferred_pool_delta(before: DeferredStockAward | None, after: DeferredStockAward) -> PoolDelta:
    def figures(d: DeferredStockAward | None) -> tuple[int, int]:
        if d is None:
            return 0, 0
        return (d.shares, 0) if d.status is DeferredStatus.PENDING else (0, d.shares)

    old = figures(before)
    new = figures(after)
    return PoolDelta(new[0] - old[0], new[1] - old[1])


def outstanding_from_records(
    plan: PlanCode, awards: Iterable[Award], deferred: Iterable[DeferredStockAward] = ()
) -> int:
    """Recompute a pool's outstanding figure from the awards (the drift check)."""
    total = sum(a.shares_outstanding for a in awards if a.plan is plan)
    if plan is PlanCode.DIRECTORS_1999:
        total += sum(d.shares for d in deferred if d.status is DeferredStatus.PENDING)
    return total


def pro_rata(requests: dict[str, int], available: int) -> dict[str, int]:
    """Each request gets floor(available x request / total) when the pool is short;
    the left-over stays in the pool (Directors §8(a); no fractional shares, §4(b))."""
    total = sum(requests.values())
    if total <= max(available, 0):
        return dict(requests)
    if available <= 0 or total == 0:
        return {key: 0 for key in requests}
    return {key: (available * wanted) // total for key, wanted in requests.items()}
