"""Who gets the grant notices and exercise confirmations, and their ids (docs/plan-rules.md
"Notices": each notice is sent exactly once, whatever is delivered twice)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from stockplan.config import Settings
from stockplan.domain.model import Award, AwardType, PlanCode
from stockplan.notices.mime import notice_id
from stockplan.service import notify
from stockplan.service.ledger import Addresses

ADMIN = "admin@ctc.example.com"
ANN = {
    "PK": "P#E1",
    "SK": "PROFILE",
    "participant_id": "E1",
    "name": "Ann Lee",
    "email": "ann.lee@ctc.example.com",
    "role": "employee",
    "personal_email": "ann@home.example.com",
}
G1 = Award(
    award_id="G-1",
    participant_id="E1",
    plan=PlanCode.INCENTIVE_1998,
    award_type=AwardType.NSO,
    grant_date=date(2002, 3, 15),
    shares_granted=1000,
    exercise_price=Decimal("20.00"),
    final_exercise_date=date(2012, 3, 15),
    exercise_deadline=date(2012, 3, 15),
)


@dataclass
class FakeTable:
    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        return self.items.get((pk, sk))


@dataclass
class FakeChange:
    """What notify needs of a ledger.Change: the outbox items it adds land in `table`
    as a commit would put them."""

    day: date
    table: FakeTable = field(default_factory=FakeTable)
    settings: Settings = field(
        default_factory=lambda: Settings(
            table_name="tbl",
            bucket_name="bucket",
            sender_email="stock-plans@ctc.example.com",
            admin_email=ADMIN,
        )
    )
    added: list[dict[str, Any]] = field(default_factory=list)
    # No go-live: nothing it tells is history (docs/plan-rules.md "Facts in time").
    is_history: bool = False

    @property
    def notice_day(self) -> date:
        return self.day

    @property
    def addresses(self) -> Addresses:
        return Addresses(ADMIN)

    def add_notice(self, item: dict[str, Any]) -> None:
        self.added.append(item)
        self.table.items[(item["PK"], item["SK"])] = item


def test_grant_notice_id_is_the_award_id_and_goes_to_the_participant() -> None:
    change = FakeChange(date(2002, 3, 15))
    notify.grant(change, ANN, G1)
    (queued,) = change.added
    assert queued["notice_id"] == notice_id("grant", "G-1")
    assert (queued["kind"], queued["recipient"]) == ("grant", "ann.lee@ctc.example.com")
    assert queued["subject"] == "Your stock option grant of 2002-03-15"
    assert queued["send_on"] == "2002-03-15"


def test_grant_notice_after_termination_goes_to_the_personal_email() -> None:
    change = FakeChange(date(2002, 10, 15))
    left = dict(ANN, termination={"date": "2002-10-01", "reason": "voluntary"})
    notify.grant(change, left, G1)
    assert change.added[0]["recipient"] == "ann@home.example.com"


def test_exercise_confirmation_id_is_the_exercise_key() -> None:
    change = FakeChange(date(2002, 6, 3))
    after = G1.evolve(shares_exercised=300, shares_withheld=20)
    notify.exercise_confirmation(change, ANN, after, date(2002, 6, 3), 300, 20, None)
    notify.exercise_confirmation(change, ANN, after, date(2002, 6, 3), 300, 20, "X-2")
    assert [q["notice_id"] for q in change.added] == [
        notice_id("exercise", "G-1", "2002-06-03", "300", "20", ""),
        notice_id("exercise", "G-1", "2002-06-03", "300", "20", "X-2"),
    ]
    assert change.added[0]["subject"] == "Exercise confirmed: 300 shares on 2002-06-03"
