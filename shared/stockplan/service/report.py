"""The state as report.json (docs/interfaces.md §3), and the notices that did not arrive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from stockplan.data import records as rec
from stockplan.data.table import Item, Table
from stockplan.domain.iso_limit import IsoSplit, iso_and_nso, iso_splits
from stockplan.domain.model import (
    Award,
    DeferredStatus,
    DeferredStockAward,
    PlanCode,
    PriceBar,
)
from stockplan.domain.performance import is_performance, shares_awaiting_certification
from stockplan.domain.pools import PoolState, Split
from stockplan.domain.schedule import DueKind, award_schedule


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class ExerciseRecord:
    """One applied exercises row, as its fact keeps it (the shares as fed that day)."""

    award_id: str
    exercise_date: date
    shares: int
    shares_withheld: int
    exercise_id: str | None
    source_key: str
    source_row: int
    # Previously owned shares tendered and the payment, as fed (blank: 0 and cash).
    shares_tendered: int = 0
    payment: str = "cash"


@dataclass
class State:
    """Everything the administrator's views read, from one pass over the table."""

    awards: list[Award]
    deferred: list[DeferredStockAward]
    pools: dict[str, Item]
    # Participant profiles as stored (name, role, termination, death).
    people: dict[str, Item]
    # Raw award items by award id: the split actions that restated each award.
    award_items: dict[str, Item] = field(default_factory=dict)
    exercises: list[ExerciseRecord] = field(default_factory=list)
    prices: list[PriceBar] = field(default_factory=list)
    # What was fed ahead of its date (docs/plan-rules.md "Facts in time"), as listed on the
    # DueIndex's UPCOMING partition: scheduled facts, corporate actions, meetings, fees.
    ahead: list[Item] = field(default_factory=list)

    def name(self, participant_id: str | None) -> str:
        person = self.people.get(participant_id or "")
        return "" if person is None else str(person.get("name", ""))

    @property
    def splits(self) -> list[Split]:
        return rec.splits_from(self.pools.get(PlanCode.INCENTIVE_1998.value))


def state_types(*, history: bool = False) -> set[str]:
    """The item types `read_state` reads."""
    types = {"award", "deferred", "pool", "participant"}
    return types | {"fact", "price"} if history else types


def read_state(table: Table, *, history: bool = False) -> State:
    """Awards, deferred stock, pools and people; with `history` also the exercises
    applied (their facts) and the prices, which the OCF export needs."""
    state = state_from(table.scan_types(state_types(history=history)), history=history)
    state.ahead = table.query_index(rec.UPCOMING)
    return state


def state_from(items: list[Item], *, history: bool = False) -> State:
    """`read_state` from items already read (of its types, and of any other)."""
    award_items = {i["award_id"]: i for i in items if i["type"] == "award"}
    awards = sorted(
        (rec.award_from(i) for i in award_items.values()),
        key=lambda a: (a.grant_date, a.award_id),
    )
    deferred = sorted(
        (rec.deferred_from(i) for i in items if i["type"] == "deferred"),
        key=lambda d: (d.award_date, d.participant_id, d.fee_type.value, d.fee_date),
    )
    state = State(
        awards=awards,
        deferred=deferred,
        pools={i["SK"]: i for i in items if i["type"] == "pool"},
        people={i["participant_id"]: i for i in items if i["type"] == "participant"},
        award_items=award_items,
    )
    if history:
        state.exercises = _exercises(i for i in items if i["type"] == "fact")
        state.prices = sorted(
            (rec.price_from(i) for i in items if i["type"] == "price"), key=lambda b: b.day
        )
    return state


def _exercises(facts: Any) -> list[ExerciseRecord]:
    """Each applied exercises row once: an exercise with an exercise_id is stored under
    its id and under its four columns (docs/interfaces.md §1a), both naming its row."""
    found: dict[tuple[str, int], ExerciseRecord] = {}
    for item in facts:
        if not str(item["PK"]).startswith(rec.fact_pk("exercises", "")):
            continue
        if item.get("voided_by") is not None:
            continue  # a void_exercise took it back: the fact only keeps its key
        values = item["values"]
        source = (str(item["source_key"]), int(item["source_row"]))
        # The id is the fact's key, never one of its values (feeds.identity).
        key = str(item["PK"]).removeprefix(rec.fact_pk("exercises", ""))
        exercise_id = key.removeprefix("id:") if key.startswith("id:") else None
        if source in found and exercise_id is None:
            continue  # the four-column record of an exercise read under its id already
        found[source] = ExerciseRecord(
            award_id=str(values["award_id"]),
            exercise_date=date.fromisoformat(str(values["exercise_date"])),
            shares=int(values["shares"]),
            shares_withheld=int(values.get("shares_withheld") or 0),
            exercise_id=exercise_id,
            source_key=source[0],
            source_row=source[1],
            shares_tendered=int(values.get("shares_tendered") or 0),
            payment=str(values.get("payment") or "cash"),
        )
    return sorted(found.values(), key=lambda e: (e.exercise_date, e.source_key, e.source_row))


def build_report(table: Table, as_of: date, state: State | None = None) -> dict[str, Any]:
    """report.json (docs/interfaces.md §3) of the state read from `table` (or given)."""
    state = state or read_state(table)
    pools: dict[str, dict[str, int]] = {}
    for plan in PlanCode:
        raw = state.pools.get(plan.value)
        pool = PoolState(
            plan,
            _reserved(plan, as_of, raw),
            int(raw["outstanding"]) if raw else 0,
            int(raw["delivered"]) if raw else 0,
        )
        pools[plan.value] = {
            "reserved": pool.reserved,
            "outstanding": pool.outstanding,
            "delivered": pool.delivered,
            "available": pool.available,
        }
    iso = iso_splits(state.awards)
    return {
        "as_of": as_of.isoformat(),
        "awards": [
            {
                "award_id": a.award_id,
                "participant_id": a.participant_id,
                "plan": a.plan.value,
                "award_type": a.award_type.value,
                "grant_date": a.grant_date.isoformat(),
                "exercise_price": _money(a.exercise_price),
                "final_exercise_date": _day(a.final_exercise_date),
                "shares_granted": a.shares_granted,
                "shares_exercised": a.shares_exercised,
                "shares_forfeited": a.shares_forfeited,
                "shares_expired": a.shares_expired,
                "shares_outstanding": a.shares_outstanding,
                "exercisable_shares": a.exercisable_shares(as_of),
                "exercise_deadline": _day(a.exercise_deadline),
                "status": a.status().value,
                **_iso_fields(a, iso),
                **_performance_fields(a, as_of),
            }
            for a in state.awards
        ],
        "deferred_stock": [
            {
                "participant_id": d.participant_id,
                "fee_type": d.fee_type.value,
                "fee_date": d.fee_date.isoformat(),
                "amount": _money(d.amount),
                "fair_market_value": _money(d.fair_market_value),
                "award_date": d.award_date.isoformat(),
                "shares": d.shares,
                "cash_in_lieu": _money(d.cash_in_lieu),
                "issue_date": d.issue_date.isoformat(),
                "status": d.status.value if d.status is DeferredStatus.ISSUED else "pending",
            }
            for d in state.deferred
        ],
        "pools": pools,
    }


def _iso_fields(award: Award, splits: dict[str, IsoSplit]) -> dict[str, int]:
    """`iso_shares`, `nso_shares` (docs/interfaces.md §3; Code §422(d))."""
    iso_shares, nso_shares = iso_and_nso(award, splits)
    return {"iso_shares": iso_shares, "nso_shares": nso_shares}


def _performance_fields(award: Award, as_of: date) -> dict[str, int]:
    """Performance awards: the shares certified (delivered) and those of tranches due
    and not yet certified (docs/interfaces.md §3; 1998 §6.a.(9))."""
    if not is_performance(award):
        return {}
    return {
        "shares_certified": award.shares_exercised,
        "shares_awaiting_certification": shares_awaiting_certification(award, as_of),
    }


def upcoming(state: State, as_of: date, days: int) -> list[dict[str, Any]]:
    """What falls due from `as_of` to `days` days after it (both included), by day:
    the last day to exercise an open award, the 30- and 7-day reminders still to be sent
    (docs/plan-rules.md "Notices"; one goes out only if shares can still be exercised then), and
    pending deferred stock to be issued (Directors §7(b)). The same schedule the daily
    job keeps (stockplan.domain.schedule), worked out from the state."""
    if days < 0:
        raise ValueError("the number of days ahead cannot be negative")
    last = as_of + timedelta(days=days)
    found: list[dict[str, Any]] = []
    for award in state.awards:
        if not award.is_outstanding:
            continue
        deadline = award.exercise_deadline
        if award.award_type.requires_exercise and deadline and as_of <= deadline <= last:
            found.append(
                _due(
                    state,
                    deadline,
                    "exercise deadline",
                    award.participant_id,
                    award.award_id,
                    award.exercisable_shares(deadline),
                    f"last day to exercise; unexercised shares expire on "
                    f"{(deadline + timedelta(days=1)).isoformat()}",
                )
            )
        for item in award_schedule(award, as_of):
            if item.kind is DueKind.REMINDER and as_of <= item.day <= last:
                before = item.detail.split("@")[0]
                found.append(
                    _due(
                        state,
                        item.day,
                        f"{before}-day reminder",
                        award.participant_id,
                        award.award_id,
                        award.exercisable_shares(item.day),
                        f"reminder of the {deadline.isoformat() if deadline else ''} deadline",
                    )
                )
    for deferred in state.deferred:
        if deferred.status is DeferredStatus.PENDING and as_of <= deferred.issue_date <= last:
            found.append(
                _due(
                    state,
                    deferred.issue_date,
                    "deferred stock issue",
                    deferred.participant_id,
                    f"{deferred.fee_type.value} fee of {deferred.fee_date.isoformat()}",
                    deferred.shares,
                    f"deferred stock awarded {deferred.award_date.isoformat()} is issued",
                )
            )
    found += [
        entry
        for item in state.ahead
        if as_of <= date.fromisoformat(str(item["GSI1SK"])[:10]) <= last
        and (entry := _ahead_entry(state, item)) is not None
    ]
    order = {"exercise deadline": 0, "30-day reminder": 1, "7-day reminder": 2}
    found.sort(key=lambda d: (d["day"], order.get(d["what"], 3), d["participant_id"], d["ref"]))
    return found


def _ahead_entry(state: State, item: Item) -> dict[str, Any] | None:
    """A fact fed ahead of its date, as `upcoming` lists it; None once it is done."""
    day = date.fromisoformat(str(item["GSI1SK"])[:10])
    describe = _AHEAD.get(str(item.get("type")))
    return None if describe is None else describe(state, day, item)


def _scheduled_entry(state: State, day: date, item: Item) -> dict[str, Any] | None:
    """A scheduled fact (a termination, grant or role change fed ahead) as listed."""
    values = {k: str(v) for k, v in item["values"].items()}
    kind = str(item["kind"])
    shares = int(values.get("shares") or 0)
    if kind == "role_change":
        what, ref, detail = "role change", values["role"], "new role from this day"
    elif kind == "terminations":
        what, ref, detail = "termination", values["reason"], "ends service (scheduled)"
    elif kind == "grants":
        what, ref = "grant", values["award_id"]
        detail = f"{values['plan']} {values['award_type']} granted (scheduled)"
    else:
        what, ref, detail = kind, str(item["key"]), "scheduled"
    source = f"; row {item['source_row']} of {item['source_key']}"
    return _due(state, day, what, values.get("participant_id", ""), ref, shares, detail + source)


def _action_entry(state: State, day: date, item: Item) -> dict[str, Any] | None:
    return None if item.get("applied") else _corporate_action_ahead(state, day, item)


def _plan_action_entry(state: State, day: date, item: Item) -> dict[str, Any] | None:
    """A reserve amendment or the end of a plan's grants (docs/interfaces.md §1e)."""
    what = str(item["action"]).replace("_", " ")
    shares = int(item.get("shares") or 0)
    return _due(state, day, what, "", str(item["request_id"]), shares, str(item["plan"]))


def _roster_entry(state: State, day: date, item: Item) -> dict[str, Any] | None:
    pid, meeting = str(item["participant_id"]), str(item["meeting_date"])
    return _due(state, day, "annual meeting", pid, meeting, 0, str(item["outcome"]))


def _fee_entry(state: State, day: date, item: Item) -> dict[str, Any] | None:
    if item.get("status") != "due":
        return None
    ref = f"{item['fee_type']} fee of {item['fee_date']}"
    amount = f"amount {item['amount']}"
    return _due(state, day, "fee", str(item["participant_id"]), ref, 0, amount)


_AHEAD: dict[str, Callable[[State, date, Item], dict[str, Any] | None]] = {
    "scheduled": _scheduled_entry,
    "corporate_action": _action_entry,
    "plan_action": _plan_action_entry,
    "roster": _roster_entry,
    "fee": _fee_entry,
}


def _corporate_action_ahead(state: State, day: date, item: Item) -> dict[str, Any]:
    """A split, or a covered transaction with its acquirer and exchange ratio when
    assumed (1998 §7.a; Directors §6(j))."""
    if item["action"] == "split":
        what, detail = "split", f"ratio {item.get('ratio')}"
    else:
        assumed = item.get("assumed")
        what = "covered transaction"
        detail = "assumed by the acquirer" if assumed else "not assumed: options terminate"
        if assumed and (item.get("acquirer") or item.get("exchange_ratio")):
            detail = (
                f"assumed by {item.get('acquirer') or 'the acquirer'}, exchange ratio "
                f"{item.get('exchange_ratio') or 1}"
            )
    return _due(state, day, what, "", str(item["action_id"]), 0, detail)


def _due(
    state: State,
    day: date,
    what: str,
    participant_id: str,
    ref: str,
    shares: int,
    detail: str,
) -> dict[str, Any]:
    return {
        "day": day.isoformat(),
        "what": what,
        "participant_id": participant_id,
        "name": state.name(participant_id),
        "ref": ref,
        "shares": shares,
        "detail": detail,
    }


def _reserved(plan: PlanCode, as_of: date, raw: Item | None) -> int:
    from stockplan.domain.pools import reserved_on

    return reserved_on(plan, as_of, rec.splits_from(raw), rec.plan_actions_from(raw))


def rejections(table: Table) -> list[dict[str, Any]]:
    """Every rejected row or file, oldest first (rejections.json)."""
    found = [rec.Rejection.from_item(i) for i in table.query_index(rec.REJECTIONS)]
    return [
        {"feed": r.feed, "key": r.key, "row": r.row, "reason": r.reason, "record": r.record}
        for r in found
    ]


def undelivered_notices(table: Table) -> list[dict[str, Any]]:
    """Notices that did not reach their reader, by the day they were sent: bounced or
    complained about (SES's verdict), or failed after every send attempt. Ids, kinds and
    participants only: the addresses stay in the table (and in the administrator's
    email about each bounce)."""
    found = []
    for item in table.query_index(rec.UNDELIVERED_NOTICES):
        delivery = item.get("delivery") or ("failed" if item.get("status") == "failed" else "")
        found.append(
            {
                "notice_id": item["notice_id"],
                "kind": item.get("kind"),
                "participant_id": item.get("participant_id"),
                "send_on": item.get("send_on"),
                "delivery": delivery,
                "detail": item.get("feedback") or item.get("last_error"),
                "reported_on": item.get("feedback_on"),
            }
        )
    return found
