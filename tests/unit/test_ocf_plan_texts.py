"""The OCF export of the plan texts' rules: the Company's name (1998 Exhibit A), plan
actions as pool adjustments and a terminated plan (1998 §9; Directors §8(f)), and the
payment of an exercise (1998 §4.a last sentence)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from stockplan.domain.model import Award, AwardType, PlanCode
from stockplan.service.report import ExerciseRecord, State
from stockplan_cli import ocf

MOMENT = datetime(2009, 12, 31, 11, tzinfo=UTC)
ACTIONS = [
    {
        "request_id": "PA-1",
        "action": "amend_reserve",
        "plan": "directors-1999",
        "effective_date": "2004-05-20",
        "shares": 300000,
        "approved_on": "2004-05-20",
        "note": None,
    },
    {
        "request_id": "PA-2",
        "action": "terminate_plan",
        "plan": "directors-1999",
        "effective_date": "2008-01-01",
        "shares": None,
        "approved_on": None,
        "note": None,
    },
]


def _award() -> Award:
    return Award(
        "G1",
        "E1",
        PlanCode.INCENTIVE_1998,
        AwardType.NSO,
        date(2000, 1, 3),
        shares_granted=1000,
        exercise_price=Decimal("10"),
        final_exercise_date=date(2010, 1, 3),
        shares_exercised=100,
        shares_withheld=10,
        shares_tendered=30,
    )


def _state() -> State:
    record = ExerciseRecord(
        "G1",
        date(2003, 1, 2),
        100,
        10,
        None,
        "k.csv",
        1,
        shares_tendered=30,
        payment="shares+withheld",
    )
    return State(
        awards=[_award()],
        deferred=[],
        pools={"directors-1999": {"plan_actions": ACTIONS}},
        people={"E1": {"participant_id": "E1", "name": "Ann Lee", "role": "employee"}},
        exercises=[record],
    )


def test_1998_exhibit_a_the_issuer_is_the_company_of_the_plan_data() -> None:
    export = ocf.bundle(_state(), date(2009, 12, 31), generated_at=MOMENT)
    assert export.documents["Manifest.ocf.json"]["issuer"]["legal_name"] == (
        "CTC Communications Group, Inc."
    )
    assert ocf.validate(export.documents) == []


def test_directors_8f_plan_actions_are_pool_adjustments_and_the_end_of_grants() -> None:
    export = ocf.bundle(_state(), date(2009, 12, 31), generated_at=MOMENT)
    items = export.documents["Transactions.ocf.json"]["items"]
    (adjustment,) = [
        i
        for i in items
        if i["object_type"] == "TX_STOCK_PLAN_POOL_ADJUSTMENT" and "directors" in i["id"]
    ]
    assert (adjustment["date"], adjustment["shares_reserved"]) == ("2004-05-20", "300000")
    assert adjustment["stockholder_approval_date"] == "2004-05-20"
    plans = export.documents["StockPlans.ocf.json"]["items"]
    (directors,) = [p for p in plans if "directors" in p["id"]]
    assert any(
        "Terminated as to further grants from 2008-01-01" in c for c in directors["comments"]
    )


def test_1998_4a_an_exercise_says_how_it_was_paid_and_the_shares_tendered() -> None:
    export = ocf.bundle(_state(), date(2009, 12, 31), generated_at=MOMENT)
    items = export.documents["Transactions.ocf.json"]["items"]
    (exercise,) = [i for i in items if i["object_type"] == "TX_EQUITY_COMPENSATION_EXERCISE"]
    assert (
        "Paid by shares + withheld; 30 previously owned shares tendered"
        in exercise["consideration_text"]
    )
