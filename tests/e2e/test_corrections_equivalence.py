"""End to end (docs/plan-rules.md "Corrections"): a year fed with five mistakes and their
corrections ends with exactly the awards and pools of the same year fed right.

scenarios/corrections-mistakes/ (its README lists the mistakes) and
scenarios/corrections-clean/, simulated 2002-03-01 .. 2002-12-31.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_support import Run, simulate

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
START, END = "2002-03-01", "2002-12-31"


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulate(SCENARIOS / "corrections-clean", START, END, tmp_path_factory.mktemp("c"))


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulate(SCENARIOS / "corrections-mistakes", START, END, tmp_path_factory.mktemp("m"))


def test_the_corrected_year_ends_with_the_awards_and_pools_of_the_clean_one(
    clean: Run, corrected: Run
) -> None:
    assert corrected.rejections == [] and clean.rejections == []
    assert corrected.report["awards"] == clean.report["awards"]
    assert corrected.report["pools"] == clean.report["pools"]


def test_the_reversed_retirement_grants_the_formula_option_of_the_meeting(corrected: Run) -> None:
    option = corrected.award("FO-2002-06-06-D-1")
    # Directors §6(a), §6(c): 10,000 shares at the FMV of the day before the meeting.
    assert (option["grant_date"], option["shares_granted"]) == ("2002-06-06", 10000)
    assert option["exercise_price"] == "18.00"


def test_the_audit_trail_names_each_correction_with_its_request_and_note(corrected: Run) -> None:
    lines = (corrected.out / "audit.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    requests = {
        r["cause"]["request_id"]: r["cause"] for r in records if r["cause"]["kind"] == "correction"
    }
    assert sorted(requests) == ["C-1", "C-2", "C-3", "C-4", "C-5"]
    assert requests["C-2"]["note"] == "Keyed twice"
    assert requests["C-2"]["key"] == "incoming/corrections/2002-04-10.csv"
    ga = [r for r in records if r["award_id"] == "G-A"]
    granted = [r["change"]["shares_granted"] for r in ga if "shares_granted" in r["change"]]
    assert granted == [[None, 1500], [1500, 1000]]


def test_each_participant_is_told_of_the_correction_that_concerns_them(corrected: Run) -> None:
    subjects = {(m.to, m.subject) for m in corrected.mails}
    assert (
        "ann.lee@ctc.example.com",
        "Your stock awards: the terms of a grant were corrected",
    ) in subjects
    withdrawn = "Your stock awards: the record of your termination was withdrawn"
    assert ("ann.lee@ctc.example.com", withdrawn) in subjects
    assert ("ann@home.example.com", withdrawn) in subjects
