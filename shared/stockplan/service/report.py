"""The state as report.json (interfaces.md §3), and the notices that did not arrive."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from stockplan.data import records as rec
from stockplan.data.table import Item, Table
from stockplan.domain.model import DeferredStatus, PlanCode
from stockplan.domain.pools import PoolState


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _scan_types(table: Table, types: set[str]) -> list[Item]:
    """The report reads everything once; it is an operator's tool, not on the daily path."""
    items: list[Item] = []
    names = sorted(types)
    kwargs: dict[str, Any] = {
        "TableName": table.name,
        # DynamoDB reads every item either way; the filter only spares sending the rest.
        "FilterExpression": "#type IN (" + ", ".join(f":t{n}" for n in range(len(names))) + ")",
        "ExpressionAttributeNames": {"#type": "type"},
        "ExpressionAttributeValues": {f":t{n}": {"S": name} for n, name in enumerate(names)},
    }
    while True:
        table.requests += 1
        raw = table.client.scan(**kwargs)
        for wire in raw.get("Items", []):
            if wire.get("type", {}).get("S") in types:
                items.append(rec.from_wire_item(wire))
        if "LastEvaluatedKey" not in raw:
            return items
        kwargs["ExclusiveStartKey"] = raw["LastEvaluatedKey"]


def build_report(table: Table, as_of: date) -> dict[str, Any]:
    items = _scan_types(table, {"award", "deferred", "pool"})
    awards = sorted(
        (rec.award_from(i) for i in items if i["type"] == "award"),
        key=lambda a: (a.grant_date, a.award_id),
    )
    deferred = sorted(
        (rec.deferred_from(i) for i in items if i["type"] == "deferred"),
        key=lambda d: (d.award_date, d.participant_id, d.fee_type.value, d.fee_date),
    )
    pools_raw = {i["SK"]: i for i in items if i["type"] == "pool"}
    pools: dict[str, dict[str, int]] = {}
    for plan in PlanCode:
        raw = pools_raw.get(plan.value)
        state = PoolState(
            plan,
            _reserved(plan, as_of, raw),
            int(raw["outstanding"]) if raw else 0,
            int(raw["delivered"]) if raw else 0,
        )
        pools[plan.value] = {
            "reserved": state.reserved,
            "outstanding": state.outstanding,
            "delivered": state.delivered,
            "available": state.available,
        }
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
            }
            for a in awards
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
            for d in deferred
        ],
        "pools": pools,
    }


def _reserved(plan: PlanCode, as_of: date, raw: Item | None) -> int:
    from stockplan.domain.pools import reserved_on

    return reserved_on(plan, as_of, rec.splits_from(raw))


def rejections(table: Table) -> list[dict[str, Any]]:
    """Every rejected row or file, oldest first (rejections.json)."""
    return [
        {
            "feed": i["feed"],
            "key": i["key"],
            "row": None if i.get("row") is None else int(i["row"]),
            "reason": i["reason"],
            "record": dict(i.get("record") or {}),
        }
        for i in table.query_index(rec.REJECTIONS)
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
