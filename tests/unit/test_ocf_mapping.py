"""The OCF mapping's rules on small states (stockplan_cli.ocf): split restatement adds up,
an award whose history does not add up is still exported truthfully and said so, the
plans' termination windows, and the schema check refusing what is not OCF."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stockplan.domain.model import Award, AwardType, PlanCode, Tranche
from stockplan.domain.pools import Split
from stockplan.domain.splits import split_shares
from stockplan.service.report import ExerciseRecord, State
from stockplan_cli import ocf

SPLIT = Split(date(2005, 4, 15), Decimal("1.5"))
MOMENT = datetime(2009, 12, 31, 11, tzinfo=UTC)


def _state(*awards: Award, exercises: tuple[ExerciseRecord, ...] = (), **items: Any) -> State:
    return State(
        awards=list(awards),
        deferred=[],
        pools={"incentive-1998": {"splits": [[SPLIT.day.isoformat(), str(SPLIT.ratio)]]}},
        people={"E1": {"participant_id": "E1", "name": "Ann Lee", "role": "employee"}},
        award_items=items.get("award_items", {}),
        exercises=list(exercises),
    )


def _exercise(day: str, shares: int, withheld: int = 0, row: int = 1) -> ExerciseRecord:
    return ExerciseRecord("G1", date.fromisoformat(day), shares, withheld, None, "k.csv", row)


def test_exercises_before_a_split_are_restated_by_the_splits_own_cumulative_rounding() -> None:
    events = [(date(2004, 1, 5), 1), (date(2004, 2, 5), 1), (date(2005, 4, 15), 3)]
    restated = ocf.restate([*events, (date(2005, 5, 1), 7)], [SPLIT])
    # Cumulative 1 -> 1, 2 -> 3, 5 -> 7 (floor of x1.5); the exercise on the split day
    # came before the split (feeds, then the daily run that applies it); 7 after it.
    assert restated == [1, 2, 4, 7]
    assert sum(restated[:3]) == split_shares(5, SPLIT.ratio)


def test_no_split_leaves_every_quantity_as_fed() -> None:
    assert ocf.restate([(date(2004, 1, 5), 10), (date(2006, 1, 5), 20)], []) == [10, 20]


def test_an_award_restated_by_a_split_shows_its_exercises_in_current_terms() -> None:
    award = Award(
        "G1",
        "E1",
        PlanCode.INCENTIVE_1998,
        AwardType.NSO,
        date(2000, 1, 3),
        shares_granted=1500,
        exercise_price=Decimal("6.666667"),
        final_exercise_date=date(2010, 1, 3),
        tranches=(Tranche(date(2001, 1, 3), 750), Tranche(date(2002, 1, 3), 750)),
        shares_exercised=150 + 300,
        shares_withheld=30,
    )
    state = _state(
        award,
        exercises=(_exercise("2003-01-02", 100, 20, 1), _exercise("2006-01-02", 300, 0, 2)),
        award_items={"G1": {"actions": ["2005-04-15#split"]}},
    )
    export = ocf.bundle(state, date(2009, 12, 31), generated_at=MOMENT)
    assert export.warnings == []
    items = export.documents["Transactions.ocf.json"]["items"]
    exercises = [i for i in items if i["object_type"] == "TX_EQUITY_COMPENSATION_EXERCISE"]
    assert [(e["date"], e["quantity"]) for e in exercises] == [
        ("2003-01-02", "150"),
        ("2006-01-02", "300"),
    ]
    assert exercises[0]["consideration_text"].startswith("30 shares withheld")
    assert "As fed: 100 shares, 20 withheld" in " ".join(exercises[0]["comments"])
    (issuance,) = [i for i in items if i["object_type"] == "TX_EQUITY_COMPENSATION_ISSUANCE"]
    assert issuance["exercise_price"] == {"amount": "6.666667", "currency": "USD"}
    assert "Restated by the split of 2005-04-15" in " ".join(issuance["comments"])
    assert ocf.validate(export.documents) == []


def test_exercise_records_that_do_not_add_up_give_the_awards_figure_and_say_so() -> None:
    award = Award(
        "G1",
        "E1",
        PlanCode.INCENTIVE_1998,
        AwardType.NSO,
        date(2000, 1, 3),
        shares_granted=1000,
        exercise_price=Decimal("10"),
        final_exercise_date=date(2010, 1, 3),
        shares_exercised=400,
    )
    state = _state(award, exercises=(_exercise("2003-01-02", 100),))
    export = ocf.bundle(state, date(2009, 12, 31), generated_at=MOMENT)

    (warning,) = export.warnings
    assert warning.startswith("Award G1: its 1 exercise record(s) add up to 100 shares")
    items = export.documents["Transactions.ocf.json"]["items"]
    (exercise,) = [i for i in items if i["object_type"] == "TX_EQUITY_COMPENSATION_EXERCISE"]
    assert (exercise["date"], exercise["quantity"]) == ("2003-01-02", "400")
    assert warning in export.documents["Manifest.ocf.json"]["comments"]


def test_termination_windows_follow_each_plans_rules() -> None:
    def windows(plan: PlanCode, award_type: AwardType) -> dict[str, tuple[int, str]]:
        award = Award("A", "E1", plan, award_type, date(2000, 1, 3), 10, Decimal(1))
        return {w["reason"]: (w["period"], w["period_type"]) for w in ocf._windows(award)}

    incentive = windows(PlanCode.INCENTIVE_1998, AwardType.ISO)
    assert incentive["INVOLUNTARY_DEATH"] == (1, "YEARS")  # 1998 §6.a.(5)(A)
    assert incentive["INVOLUNTARY_WITH_CAUSE"] == (0, "DAYS")  # §6.a.(5)(C)
    assert incentive["VOLUNTARY_RETIREMENT"] == (3, "MONTHS")  # §6.a.(5)(B)
    directors = windows(PlanCode.DIRECTORS_1999, AwardType.FORMULA_OPTION)
    assert directors["INVOLUNTARY_WITH_CAUSE"] == (3, "MONTHS")  # no forfeiture for cause
    assert directors["INVOLUNTARY_DEATH"] == (1, "YEARS")  # Directors §6(h)
    assert windows(PlanCode.INCENTIVE_1998, AwardType.RESTRICTED_STOCK) == {}


def test_a_bundle_that_is_not_ocf_is_refused_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = _state()
    real = ocf.bundle

    def broken(*args: Any, **kwargs: Any) -> ocf.Export:
        export = real(*args, **kwargs)
        export.documents["Stakeholders.ocf.json"]["items"][0]["stakeholder_type"] = "ROBOT"
        return export

    monkeypatch.setattr(ocf, "bundle", broken)
    with pytest.raises(ocf.OcfInvalid, match=r"Stakeholders.ocf.json at /items/0/stakeholder"):
        ocf.write_bundle(tmp_path / "ocf", state, date(2009, 12, 31), generated_at=MOMENT)
    assert not (tmp_path / "ocf").exists()


def test_validation_names_the_item_and_the_field() -> None:
    documents = ocf.bundle(_state(), date(2009, 12, 31), generated_at=MOMENT).documents
    transactions = documents["Transactions.ocf.json"]["items"]
    transactions.append({"object_type": "TX_NOPE", "id": "x", "date": "2009-01-01"})
    assert ocf.validate(documents) == [
        f"Transactions.ocf.json at /items/{len(transactions) - 1}: no transaction type 'TX_NOPE'"
    ]


def test_the_schema_copy_keeps_its_licence_and_every_files_copyright() -> None:
    assert (ocf.SCHEMAS / "LICENSE.md").read_text().startswith("### Schema and Documentation")
    assert "v1.2.0" in (ocf.SCHEMAS / "SOURCE.md").read_text()
    schemas = list(ocf.SCHEMAS.rglob("*.schema.json"))
    assert len(schemas) > 150
    for path in schemas:
        comment = json.loads(path.read_text())["$comment"]
        assert comment.startswith("Copyright © 2024 Open Cap Table Coalition"), path


def test_a_bundle_as_of_a_day_before_what_the_state_holds_says_so() -> None:
    award = Award(
        "G1", "E1", PlanCode.INCENTIVE_1998, AwardType.NSO, date(2004, 1, 5), 10, Decimal(1)
    )
    state = _state(award)
    state.pools = {}  # no split
    export = ocf.bundle(state, date(2003, 12, 31), generated_at=MOMENT)
    (warning,) = export.warnings
    assert warning.startswith(
        "1 transactions are dated after as_of 2003-12-31 (the first 2004-01-05)"
    )
    assert ocf.bundle(state, date(2004, 1, 5), generated_at=MOMENT).warnings == []


def _iso_award(award_id: str, shares: int, fmv: str) -> Award:
    return Award(
        award_id=award_id,
        participant_id="E1",
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.ISO,
        grant_date=date(2002, 3, 15),
        shares_granted=shares,
        exercise_price=Decimal(fmv),
        final_exercise_date=date(2012, 3, 15),
        fmv_on_grant=Decimal(fmv),
    )


def test_code_422d_the_option_type_of_each_security_follows_the_100000_limit() -> None:
    # I-1: $80,000 (ISO); I-2: $60,000 more in 2002, 1,000 of its 3,000 keep ISO; I-3:
    # nothing left in 2002, a non-qualified option.
    state = _state(
        _iso_award("I-1", 4_000, "20"), _iso_award("I-2", 3_000, "20"), _iso_award("I-3", 10, "20")
    )
    export = ocf.bundle(state, date(2009, 12, 31), generated_at=MOMENT)
    assert export.warnings == [] or all("I-" not in w for w in export.warnings)
    issued = {
        t["security_id"]: t
        for doc in export.documents.values()
        for t in doc.get("items", [])
        if t.get("object_type") == "TX_EQUITY_COMPENSATION_ISSUANCE"
    }
    assert (issued["I-1"]["option_grant_type"], issued["I-1"]["compensation_type"]) == (
        "ISO",
        "OPTION_ISO",
    )
    assert (issued["I-3"]["option_grant_type"], issued["I-3"]["compensation_type"]) == (
        "NSO",
        "OPTION_NSO",
    )
    # I-2 is two securities, one per option type, both of award I-2.
    assert (issued["I-2"]["option_grant_type"], issued["I-2"]["quantity"]) == ("ISO", "1000")
    nso = issued["I-2-NSO"]
    assert (nso["option_grant_type"], nso["compensation_type"], nso["quantity"]) == (
        "NSO",
        "OPTION_NSO",
        "2000",
    )
    assert nso["custom_id"] == "I-2"
    assert any(
        "1,000 keep ISO treatment and 2,000 are non-qualified" in c
        for c in issued["I-2"]["comments"]
    )
    assert ocf.validate(export.documents) == []


def test_code_422d_an_award_the_history_cannot_part_stays_one_iso_security() -> None:
    # Restated by a split (its history's exercises are in the shares of their day) or
    # accelerated: one ISO security, its comment giving the split.
    accelerated = _iso_award("I-2", 3_000, "40").evolve(accelerated_on=date(2002, 6, 1))
    export = ocf.bundle(_state(accelerated), date(2009, 12, 31), generated_at=MOMENT)
    issued = [
        t
        for doc in export.documents.values()
        for t in doc.get("items", [])
        if t.get("object_type") == "TX_EQUITY_COMPENSATION_ISSUANCE"
    ]
    assert [(t["security_id"], t["option_grant_type"], t["quantity"]) for t in issued] == [
        ("I-2", "ISO", "3000")
    ]
    assert any("2,500 keep ISO treatment and 500" in c for c in issued[0]["comments"])


def test_code_422d_each_part_has_its_own_vesting_terms() -> None:
    award = _iso_award("I-1", 8_000, "20").evolve(
        tranches=(Tranche(date(2002, 9, 1), 4_000), Tranche(date(2003, 9, 1), 4_000))
    )
    # 2002: 4,000 x $20 = $80,000 ISO; 2003: 4,000 x $20 = $80,000 ISO: nothing over.
    bigger = award.evolve(
        shares_granted=12_000,
        tranches=(Tranche(date(2002, 9, 1), 6_000), Tranche(date(2003, 9, 1), 6_000)),
    )
    export = ocf.bundle(_state(bigger), date(2009, 12, 31), generated_at=MOMENT)
    terms = {
        t["id"]: [(c["trigger"]["date"], c["quantity"]) for c in t["vesting_conditions"]]
        for doc in export.documents.values()
        for t in doc.get("items", [])
        if t.get("object_type") == "VESTING_TERMS"
    }
    # Each year: 5,000 ISO ($100,000), 1,000 NSO.
    assert terms == {
        "I-1-vesting": [("2002-09-01", "5000"), ("2003-09-01", "5000")],
        "I-1-NSO-vesting": [("2002-09-01", "1000"), ("2003-09-01", "1000")],
    }
    assert ocf.validate(export.documents) == []


def test_code_422d_forfeited_and_expired_shares_go_to_their_part() -> None:
    award = _iso_award("I-1", 12_000, "20").evolve(
        tranches=(Tranche(date(2002, 9, 1), 6_000), Tranche(date(2003, 9, 1), 6_000)),
        service_ended_on=date(2003, 1, 1),
        shares_forfeited=6_000,
        shares_expired=6_000,
        exercise_deadline=date(2003, 4, 1),
    )
    export = ocf.bundle(_state(award), date(2009, 12, 31), generated_at=MOMENT)
    cancelled = sorted(
        (t["id"], t["security_id"], t["quantity"])
        for doc in export.documents.values()
        for t in doc.get("items", [])
        if t.get("object_type") == "TX_EQUITY_COMPENSATION_CANCELLATION"
    )
    # Each tranche: 5,000 ISO + 1,000 NSO; the 2003 one forfeited, the 2002 one expired.
    assert cancelled == [
        ("I-1-NSO-expiry", "I-1-NSO", "1000"),
        ("I-1-NSO-forfeiture", "I-1-NSO", "1000"),
        ("I-1-expiry", "I-1", "5000"),
        ("I-1-forfeiture", "I-1", "5000"),
    ]
