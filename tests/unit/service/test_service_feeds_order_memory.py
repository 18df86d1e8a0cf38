"""Rules of the feeds and the report on the in-memory stack that the scenario runs
(tests/e2e) reach too, each checked here on its own: the last upload's values stand
whatever order S3 delivers two uploads in (docs/interfaces.md §1a), Directors §3's
election cut-off, and the exercises and prices the OCF export reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from memory_world import MAR15, World

from stockplan.service.report import ExerciseRecord, build_report, read_state, rejections

HEADER = "participant_id,name,email,role,personal_email,estate_email,ten_percent_holder\n"
MAR16 = date(2002, 3, 16)


def _people(name: str) -> str:
    return HEADER + f"E1,{name},ann.lee@ctc.example.com,employee,,,false\n"


def test_an_earlier_upload_delivered_after_a_later_one_does_not_undo_its_details(
    world: World,
) -> None:
    later = world.upload("participants", _people("Ann Stone"), MAR16, name="second")
    earlier = world.upload("participants", _people("Ann Lee"), MAR15, name="first")

    # The earlier file's row counts as applied (a later upload already won: §1a).
    assert (later.accepted, earlier.accepted, earlier.rejected) == (1, 1, 0)
    (person,) = world.of_type("participant")
    assert person["name"] == "Ann Stone"


def test_an_earlier_price_upload_delivered_after_a_later_one_keeps_the_later_price(
    world: World,
) -> None:
    world.upload("prices", "date,last_sale\n2002-03-15,21.00\n", MAR16, name="second")
    earlier = world.upload("prices", "date,last_sale\n2002-03-15,20.00\n", MAR15, name="first")

    assert (earlier.accepted, earlier.rejected) == (1, 0)
    prices = read_state(world.table, history=True).prices
    assert [(p.day, p.last_sale) for p in prices] == [(MAR15, Decimal("21.00"))]


def test_an_election_dated_2009_is_rejected_as_covering_fees_after_the_plan_ends(
    world: World,
) -> None:
    world.feed(
        "participants",
        HEADER + "D1,Dana Fox,dana.fox@board.example.com,director,,,\n",
        MAR15,
    )
    outcome = world.upload(
        "elections", "participant_id,notice_date,action\nD1,2009-01-05,elect\n", date(2009, 1, 5)
    )

    assert (outcome.accepted, outcome.rejected) == (0, 1)
    (rejected,) = rejections(world.table)
    assert rejected["row"] == 1
    assert "after 2009-03-31, when no elections may be made" in rejected["reason"]
    assert "Directors §3" in rejected["reason"]


def test_the_export_reads_an_exercise_with_an_id_once_and_the_prices_fed(
    granted: World,
) -> None:
    granted.feed(
        "exercises",
        "award_id,exercise_date,shares,shares_withheld,exercise_id\n"
        "G-1,2002-03-20,40,5,EX-1\n"
        "G-1,2002-03-21,10,,\n",
        date(2002, 3, 21),
    )

    state = read_state(granted.table, history=True)

    # EX-1 is stored under its id and under its four columns (§1a): one record, with
    # the company's id (the OCF export names it in the exercise's comments).
    key = "incoming/exercises/2002-03-21.csv"
    assert state.exercises == [
        ExerciseRecord("G-1", date(2002, 3, 20), 40, 5, "EX-1", key, 1),
        ExerciseRecord("G-1", date(2002, 3, 21), 10, 0, None, key, 2),
    ]
    assert [(p.day, p.last_sale) for p in state.prices] == [(MAR15, Decimal("20.00"))]
    (award,) = build_report(granted.table, date(2002, 3, 21))["awards"]
    assert award["shares_exercised"] == 50
