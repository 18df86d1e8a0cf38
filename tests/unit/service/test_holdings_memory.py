"""A profile lists what its person holds (issue 13): every transaction that adds an award
or deferred stock award lists it on the profile, version-checked with it, so a batch of
feed rows can read its people with BatchGetItem (stockplan.service.reader.Ledger)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from memory_world import World

from stockplan.data import records as rec
from stockplan.domain.deferred import deferred_award
from stockplan.domain.model import (
    Award,
    AwardType,
    FeeType,
    Participant,
    PlanCode,
    Role,
)
from stockplan.service.ledger import Change, Ledger

DAY = date(2002, 3, 15)


def _person(world: World, pid: str = "D1") -> dict[str, object]:
    change = Change(Ledger(world.table), DAY, "test", world.settings)
    profile = rec.participant_item(Participant(pid, "Dee", "d@x.example", Role.DIRECTOR))
    change.save_profile(profile, None)
    change.flush()
    stored = world.table.get(*rec.profile_key(pid))
    assert stored is not None
    return stored


def _option(award_id: str, pid: str = "D1") -> Award:
    return Award(
        award_id=award_id,
        participant_id=pid,
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.NSO,
        grant_date=DAY,
        shares_granted=10,
        exercise_price=Decimal("20.00"),
        final_exercise_date=date(2012, 3, 15),
        exercise_deadline=date(2012, 3, 15),
    )


def _pool(world: World) -> None:
    world.table.put(
        {"PK": "POOL", "SK": "incentive-1998", "version": 1, "outstanding": 0, "delivered": 0}
    )


def test_a_new_profile_lists_nothing_held() -> None:
    world = World()
    assert _person(world)[rec.HOLDINGS] == []


def test_an_award_added_with_its_profile_is_listed_whatever_the_order_of_the_writes() -> None:
    world = World()
    _pool(world)
    person = _person(world)
    change = Change(Ledger(world.table), DAY, "test", world.settings)
    change.save_award(None, _option("G-1"))  # before the profile's write
    change.touch_profile(person)
    change.save_award(None, _option("G-2"))  # after it, in the same transaction
    change.flush()
    stored = world.table.get(*rec.profile_key("D1"))
    assert stored is not None
    assert stored[rec.HOLDINGS] == ["AWARD#G-1", "AWARD#G-2"]
    found = Ledger(world.table)
    found.prefetch_people(["D1", "nobody"])
    assert sorted(i["SK"] for i in found.participant_holdings("D1")) == [
        "AWARD#G-1",
        "AWARD#G-2",
        "PROFILE",
    ]
    assert found.participant_holdings("nobody") == []


def test_deferred_stock_added_twice_for_one_person_in_one_transaction_is_listed_twice() -> None:
    world = World()
    person = _person(world)
    change = Change(Ledger(world.table), DAY, "test", world.settings)
    for fee_date in (date(2002, 1, 2), date(2002, 2, 1)):
        award = deferred_award(
            "D1", FeeType.MEETING, fee_date, Decimal("1000"), Decimal("20"), shares=50
        )
        change.save_deferred(None, award)
        change.touch_profile(person)
    change.flush()
    stored = world.table.get(*rec.profile_key("D1"))
    assert stored is not None
    assert stored[rec.HOLDINGS] == [
        "DEFERRED#meeting#2002-01-02",
        "DEFERRED#meeting#2002-02-01",
    ]


def test_an_award_added_without_its_profile_written_stops_the_profile_listing() -> None:
    """The list is never short: a transaction that adds an award without writing the
    profile removes the list, and the person is read with a Query again."""
    world = World()
    _pool(world)
    _person(world)
    change = Change(Ledger(world.table), DAY, "test", world.settings)
    change.save_award(None, _option("G-1"))
    change.flush()
    stored = world.table.get(*rec.profile_key("D1"))
    assert stored is not None and rec.HOLDINGS not in stored
    ledger = Ledger(world.table)
    ledger.prefetch_people(["D1"])
    assert "AWARD#G-1" in {i["SK"] for i in ledger.participant_holdings("D1")}
