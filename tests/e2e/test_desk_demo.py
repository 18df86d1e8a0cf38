"""The administrator's desk on the demo's final state (scenarios/demo), the stack kept
running: `stockplan report --xlsx/--csv` hold report.json's figures, and
`stockplan export --ocf` writes an OCF bundle that validates against the official
schemas and adds up to report.json."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from demo_run import DESK, demo_run
from ocf_support import check_against_report, check_references, read_bundle

MONEY = {"exercise_price", "amount", "fair_market_value", "cash_in_lieu"}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The desk's outputs, read from the session's demo run while its stack ran."""
    return demo_run(tmp_path_factory) / DESK


@pytest.fixture(scope="module")
def report_json(desk: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((desk / "report.json").read_text())
    return loaded


def _cell(value: Any) -> Any:
    """A worksheet cell as report.json writes it: dates ISO."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value


def _same(key: str, report_value: Any, cell: Any) -> bool:
    if key in MONEY and report_value is not None:
        # A number in the sheet, an exact decimal in report.json: "12.5" is "12.50".
        return isinstance(cell, int | float) and Decimal(report_value) == Decimal(str(cell))
    return bool(report_value == cell)


def test_the_workbook_holds_the_figures_of_report_json(
    desk: Path, report_json: dict[str, Any]
) -> None:
    from openpyxl import load_workbook

    printed = json.loads((desk / "report.out").read_text())
    assert {k: printed[k] for k in report_json} == report_json

    book = load_workbook(desk / "desk.xlsx")
    assert book.sheetnames == [
        "About",
        "Awards",
        "Deferred stock",
        "Pools",
        "Upcoming",
        "Undelivered notices",
    ]
    names = printed["participant_names"]
    assert book["About"]["B2"].value.date().isoformat() == report_json["as_of"]
    sheets = {}
    for title in book.sheetnames[1:]:
        rows = [[_cell(v) for v in row] for row in book[title].iter_rows(values_only=True)]
        sheets[title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    awards = sheets["Awards"]
    assert [a["award_id"] for a in awards] == [a["award_id"] for a in report_json["awards"]]
    assert len(awards) == 47
    for row, award in zip(awards, report_json["awards"], strict=True):
        assert row["participant_name"] == names[award["participant_id"]] != ""
        for key, value in award.items():
            assert _same(key, value, row[key]), (award["award_id"], key, value, row[key])
    # Maria's NSO across the 3-for-2 split: 14.50 / 1.5 (scenarios/demo/README.md).
    maria = next(a for a in awards if a["award_id"] == "G-1002")
    assert (maria["participant_name"], maria["shares_granted"]) == ("Maria Chen", 60000)
    assert Decimal(str(maria["exercise_price"])) == Decimal("9.666667")

    deferred = sheets["Deferred stock"]
    # 33 fee awards: in the demo's short pools (2002, 2003, 2008) options and deferred
    # stock are cut together (Directors §8(a); scenarios/demo/README.md).
    assert len(deferred) == len(report_json["deferred_stock"]) == 33
    for row, stock in zip(deferred, report_json["deferred_stock"], strict=True):
        assert row["participant_name"] == names[stock["participant_id"]]
        for key, value in stock.items():
            assert _same(key, value, row[key]), (key, value, row[key])

    pools = {row.pop("plan"): row for row in sheets["Pools"]}
    assert pools == report_json["pools"]
    assert sum(a["shares_outstanding"] for a in awards) == 0  # the covered transaction
    assert sheets["Upcoming"] == [] and sheets["Undelivered notices"] == []

    # The CSV files carry the same rows as text.
    with (desk / "desk-awards.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [r["award_id"] for r in rows] == [a["award_id"] for a in report_json["awards"]]
    for row, award in zip(rows, report_json["awards"], strict=True):
        for key, value in award.items():
            assert row[key] == ("" if value is None else str(value)), (key, value, row[key])


def test_the_ocf_export_of_a_running_stack_validates_and_adds_up_to_report_json(
    desk: Path, report_json: dict[str, Any]
) -> None:
    assert (desk / "export.err").read_text() == ""  # nothing it could not reconcile
    assert "Manifest.ocf.json" in (desk / "export.out").read_text()

    bundle = read_bundle(desk / "ocf")
    check_references(bundle)
    check_against_report(bundle, report_json)

    issuer = bundle.manifest["issuer"]
    assert (issuer["legal_name"], issuer["formation_date"]) == (
        "CTC Communications Group, Inc.",
        "1980-05-01",
    )
    plans = {p["id"]: p for p in bundle.items("stock_plans_files")}
    assert plans["incentive-1998"]["initial_shares_reserved"] == "1500000"
    assert plans["directors-1999"]["initial_shares_reserved"] == "200000"
    adjustments = [
        (t["date"], t["stock_plan_id"], t["shares_reserved"], t.get("stockholder_approval_date"))
        for t in bundle.of_type("TX_STOCK_PLAN_POOL_ADJUSTMENT")
    ]
    assert adjustments == [
        # Amendment No. 1, voted at the annual meeting of 1999-09-16.
        ("1999-09-16", "incentive-1998", "2250000", "1999-09-16"),
        # The 3-for-2 split restates both reserves.
        ("2005-04-15", "directors-1999", "300000", None),
        ("2005-04-15", "incentive-1998", "3375000", None),
    ]
    (split,) = bundle.of_type("TX_STOCK_CLASS_SPLIT")
    assert (split["date"], split["split_ratio"]) == (
        "2005-04-15",
        {"numerator": "3", "denominator": "2"},
    )

    stakeholders = {s["id"]: s for s in bundle.items("stakeholders_files")}
    assert len(stakeholders) == 14
    assert stakeholders["E-102"]["name"]["legal_name"] == "Maria Chen"
    assert stakeholders["E-102"]["current_relationship"] == "EX_EMPLOYEE"  # retired 2006
    assert stakeholders["D-201"]["current_relationship"] == "BOARD_MEMBER"

    issuances = {t["security_id"]: t for t in bundle.of_type("TX_EQUITY_COMPENSATION_ISSUANCE")}
    ceo = issuances["G-1001"]  # the CEO's ISO at 110% of FMV, vesting 12,500 a year
    assert (ceo["compensation_type"], ceo["exercise_price"]) == (
        "OPTION_ISO",
        {"amount": "15.95", "currency": "USD"},
    )
    assert ceo["expiration_date"] == "2004-07-01"
    terms = {t["id"]: t for t in bundle.items("vesting_terms_files")}
    vesting = terms[ceo["vesting_terms_id"]]["vesting_conditions"]
    # Code §422(d): at a grant-date FMV of 14.50 (15.95 is 110% of it), $100,000 a year
    # holds 6,896 ISO shares; the other 5,604 of each tranche are a non-qualified option.
    assert [c["quantity"] for c in vesting] == ["6896"] * 4
    over = issuances["G-1001-NSO"]
    assert over["compensation_type"] == "OPTION_NSO"
    over_terms = terms[over["vesting_terms_id"]]["vesting_conditions"]
    assert [c["quantity"] for c in over_terms] == ["5604"] * 4
    # Maria's NSO: 10,000 exercised in 2000 with 4,000 withheld, restated by the split.
    maria = [
        t for t in bundle.of_type("TX_EQUITY_COMPENSATION_EXERCISE") if t["security_id"] == "G-1002"
    ]
    assert [(t["date"], t["quantity"]) for t in maria] == [
        ("2000-09-15", "15000"),
        ("2006-05-15", "30000"),
    ]
    assert maria[0]["consideration_text"].startswith("6,000 shares withheld")
    # The CEO's ISO expired under water the day after its final date.
    # Its 37,500 unexercised shares: 20,688 ISO and 16,812 over the $100,000 limit
    # (Code §422(d)), each part its own security.
    expired = {
        t["security_id"]: (t["date"], t["quantity"])
        for t in bundle.of_type("TX_EQUITY_COMPENSATION_CANCELLATION")
        if t["security_id"] in ("G-1001", "G-1001-NSO")
    }
    assert expired == {
        "G-1001": ("2004-07-02", "20688"),
        "G-1001-NSO": ("2004-07-02", "16812"),
    }
    expiry = next(
        t
        for t in bundle.of_type("TX_EQUITY_COMPENSATION_CANCELLATION")
        if t["security_id"] == "G-1001"
    )
    assert expiry["reason_text"].startswith("Expired")
    # Deferred stock: RSU issuances of the Directors plan, each issued (released).
    deferred = [s for s in issuances if s.startswith("DS-")]
    assert len(deferred) == 33
    assert all(issuances[s]["stock_plan_id"] == "directors-1999" for s in deferred)
    releases = {t["security_id"] for t in bundle.of_type("TX_EQUITY_COMPENSATION_RELEASE")}
    assert set(deferred) <= releases
