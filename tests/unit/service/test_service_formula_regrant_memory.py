"""A director's termination corrected after an annual meeting (docs/interfaces.md §1b): the
meeting falls due again, and the daily job grants the formula option the director is
now owed, with the meeting's date and price (Directors §6(a)), or nothing when the
corrected service still ended before the meeting."""

from __future__ import annotations

from datetime import date

import pytest
from memory_world import MAR15, World

from stockplan.service.report import build_report

PEOPLE = (
    "participant_id,name,email,role,personal_email,estate_email,ten_percent_holder\n"
    "D1,Dana Fox,dana.fox@board.example.com,director,,,\n"
)
CORRECTIONS = (
    "request_id,action,participant_id,award_id,exercise_id,exercise_date,termination_date,"
    "reason,grant_date,shares,exercise_price,final_exercise_date,vesting,participant_consent,"
    "note\n"
)
MEETING = date(2002, 5, 15)


@pytest.fixture
def ended_before_the_meeting(world: World) -> World:
    """Dana's service ended on 2002-05-01 (as fed), before the meeting of 2002-05-15 at
    which she was re-elected: no formula option then."""
    world.feed("participants", PEOPLE, MAR15)
    world.feed(
        "terminations",
        "participant_id,termination_date,reason\nD1,2002-05-01,voluntary\n",
        date(2002, 5, 1),
    )
    world.feed("prices", "date,last_sale\n2002-05-14,40.00\n", date(2002, 5, 14))
    world.feed(
        "meetings", "meeting_date,participant_id,outcome\n2002-05-15,D1,reelected\n", MEETING
    )
    assert world.daily(MEETING).applied == {"meeting": 1}
    assert build_report(world.table, MEETING)["awards"] == []
    return world


def test_a_reversed_termination_grants_the_formula_option_of_the_meeting_missed(
    ended_before_the_meeting: World,
) -> None:
    world = ended_before_the_meeting
    world.feed(
        "corrections",
        CORRECTIONS + "REQ-1,reverse_termination,D1,,,,,,,,,,,,wrong person\n",
        date(2002, 6, 4),
    )

    assert world.daily(date(2002, 6, 4)).applied == {"meeting": 1}

    awards = build_report(world.table, date(2002, 6, 4))["awards"]
    # Granted with the meeting's date and the FMV of the day before it (§6(a), §6(c)).
    assert [(a["award_id"], a["grant_date"], a["exercise_price"]) for a in awards] == [
        ("FO-2002-05-15-D1", "2002-05-15", "40.00")
    ]
    assert world.subjects() == [
        "Formula option granted: 10,000 shares at $40.00 (award FO-2002-05-15-D1)"
    ]


def test_a_termination_corrected_to_a_later_day_still_before_the_meeting_grants_nothing(
    ended_before_the_meeting: World,
) -> None:
    world = ended_before_the_meeting
    world.feed(
        "corrections",
        CORRECTIONS + "REQ-1,correct_termination,D1,,,,2002-05-10,voluntary,,,,,,,keyed wrong\n",
        date(2002, 6, 3),
    )

    # The meeting fell due again and was settled with nothing owed.
    assert world.daily(date(2002, 6, 3)).applied == {"meeting": 1}
    assert build_report(world.table, date(2002, 6, 3))["awards"] == []
    assert world.subjects() == []
    assert world.daily(date(2002, 6, 4)).applied == {}
