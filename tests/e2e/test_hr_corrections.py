"""End to end: HR corrects and re-uploads files (docs/interfaces.md §1a).

Scenario scenarios/hr-corrections/ (its README tells the story day by day), simulated
2002-03-01 .. 2002-12-31. The expected report is worked out by hand below.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from e2e_support import ADMIN, Run, assert_well_formed, award_figures, simulate

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "hr-corrections"
ANN, BOB = "ann@home.example.com", "bob@home.example.com"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulate(SCENARIO, "2002-03-01", "2002-12-31", tmp_path_factory.mktemp("hr"))


def test_every_award_is_as_if_each_row_had_been_applied_once(run: Run) -> None:
    assert run.exit_code == 0
    figures = {a["award_id"]: award_figures(a) for a in run.report["awards"]}
    assert figures == {
        # Ann: terminated 2002-05-20 before her first tranche (2002-09-01): all 1,000
        # forfeited (1998 §6.a.(5)); her window would have run to 2002-08-20 (§(B)).
        "G-A": {
            "shares_granted": 1000,
            "shares_exercised": 0,
            "shares_forfeited": 1000,
            "shares_expired": 0,
            "shares_outstanding": 0,
            "exercisable_shares": 0,
            "exercise_price": Decimal("20"),
            "final_exercise_date": "2012-03-01",
            "exercise_deadline": "2002-08-20",
            "status": "forfeited",
        },
        # Bob: 100 + 50 + 200 exercised once each, though the rows came three times;
        # the rest (250) expired the day after 2002-08-15 (3 months after 2002-05-15).
        "G-B": {
            "shares_granted": 600,
            "shares_exercised": 350,
            "shares_forfeited": 0,
            "shares_expired": 250,
            "shares_outstanding": 0,
            "exercisable_shares": 0,
            "exercise_price": Decimal("20"),
            "final_exercise_date": "2012-03-01",
            "exercise_deadline": "2002-08-15",
            "status": "exercised",
        },
        # Cal: the grant rejected on 2002-03-01 (unknown person) and applied when the
        # file came again; 200 vested on 2002-06-01.
        "G-C": {
            "shares_granted": 400,
            "shares_exercised": 0,
            "shares_forfeited": 0,
            "shares_expired": 0,
            "shares_outstanding": 400,
            "exercisable_shares": 200,
            "exercise_price": Decimal("20"),
            "final_exercise_date": "2012-03-01",
            "exercise_deadline": "2012-03-01",
            "status": "outstanding",
        },
    }


def test_the_pools_count_each_exercise_once(run: Run) -> None:
    # delivered = (100 - 0) + (50 - 0) + (200 - 20) = 330 (1998 §4.a (iv));
    # outstanding = G-C's 400; available = 2,250,000 - 400 - 330.
    assert run.report["pools"] == {
        "incentive-1998": {
            "reserved": 2250000,
            "outstanding": 400,
            "delivered": 330,
            "available": 2249270,
        },
        "directors-1999": {
            "reserved": 200000,
            "outstanding": 0,
            "delivered": 0,
            "available": 200000,
        },
    }


def test_only_the_rows_that_were_wrong_are_reported(run: Run) -> None:
    rejected = [(r["feed"], r["key"], r["row"]) for r in run.rejections]
    assert rejected == [
        ("grants", "incoming/grants/2002-03-01.csv", 3),
        ("exercises", "incoming/exercises/2002-04-01.csv", 2),
        ("terminations", "incoming/terminations/2002-05-20.csv", 3),
    ]
    conflict = run.rejections[2]["reason"]
    assert "row 1 of incoming/terminations/2002-05-15.csv" in conflict
    assert "termination_date 2002-05-15 -> 2002-05-14" in conflict


def test_nobody_is_told_anything_twice_and_the_admin_hears_of_each_file_to_look_at(
    run: Run,
) -> None:
    for mail in run.mails:
        assert_well_formed(mail)
    to_people = Counter((m.to, m.subject) for m in run.mails if m.to != ADMIN)
    assert all(count == 1 for count in to_people.values()), to_people
    assert (
        len(
            [
                m
                for m in run.mails_to(BOB)
                if "2002-05-15" in m.text and m.day.isoformat() == "2002-05-15"
            ]
        )
        >= 1
    )
    assert len(run.mails_to(ANN)) >= 1
    admin = sorted(m.subject for m in run.mails_to(ADMIN))
    assert admin == sorted(
        [
            "Feed grants: 1 of 3 rows rejected (incoming/grants/2002-03-01.csv)",
            "Feed exercises: 1 of 2 rows rejected (incoming/exercises/2002-04-01.csv)",
            "Feed terminations: 1 of 3 rows rejected (incoming/terminations/2002-05-20.csv)",
            "Feed prices: nothing new in incoming/prices/2002-06-04.csv",
        ]
    )
