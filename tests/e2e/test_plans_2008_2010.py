"""End to end: the plans' last years, 2008-2010, through `stockplan simulate`: the ISO
$100,000 limit (Code §422(d)) and the ISO cut-off (1998 §6.b.(5)), a Form 3921 January
(Code §6039), a performance award certified (1998 §6.a.(9)), the 2009 annual fee
deferred only up to 2009-03-31 (Directors §3) and both plans terminated as to further
grants (Directors §8(f), 1998 §9).

Scenario tests/e2e/scenarios/plans_2008_2010/, simulated 2008-01-02 .. 2010-01-31. Every
expected figure is worked out by hand in the comments.

People: E-1 Ida Iso, an employee; D-1 Dora Deferrer, a non-employee director who elected
on 2007-12-01 to take her fees in deferred stock (covers 2008 onward, Directors §7).

Prices (Closing Price): 2008-01-02 10.00 | 2008-03-03 10.00 | 2008-10-01 12.00 |
2008-11-14 6.00 | 2008-11-17 6.50 | 2009-01-02 8.00 | 2009-06-01 9.00 | 2009-06-09 7.00 |
2009-12-15 9.50 (each fed on its own day).

incentive-1998 (reserve 2,250,000 since Amendment No. 1):
  2008-03-03 I-1 ISO 15,000 at 10.00 (FMV 10.00), vesting 15,000 on 2008-09-03
             P-1 performance 2,000, target tranche 2009-03-03    outstanding  17,000
  2008-10-01 E-1 exercises 12,000 of I-1                          outstanding   5,000
                                                                  delivered    12,000
  2008-11-14 I-3 ISO 1,000 at 6.00 (FMV 6.00), vested at grant     outstanding   6,000
  2008-11-17 I-2 ISO dated 2008-11-17: rejected, after 2008-11-16 (1998 §6.b.(5))
  2009-03-20 K-1 certifies 1,500 of P-1's 2,000: 1,500 delivered, 500 forfeited
                                                                  outstanding   4,000
                                                                  delivered    13,500
  2009-06-01 E-1 exercises the last 3,000 of I-1                  outstanding   1,000
                                                                  delivered    16,500
  2009-12-01 PA-2 terminates the plan as to further grants; G-9 dated 2009-12-15 is
             rejected (1998 §9); I-3 goes on.
  available = 2,250,000 - 1,000 - 16,500 = 2,232,500

ISO $100,000 limit, 2008 (Code §422(d)): I-1's 15,000 shares first exercisable on
2008-09-03 count at 15,000 x $10.00 = $150,000: 10,000 ISO ($100,000), 5,000 NSO.
I-3 (granted later) is first exercisable in 2008 too, where nothing is left: 1,000 NSO.
The 2008-10-01 exercise of 12,000 takes the 10,000 ISO shares first: 10,000 ISO + 2,000
NSO; the 2009-06-01 exercise of 3,000 is all NSO.

directors-1999 (reserve 200,000):
  2008-01-02 annual fee 2008, 20,000.00 / FMV 10.00 = 2,000 shares, cash 0.00
  2009-01-02 annual fee 2009, 36,500.00: only 90 of 365 days are before 2009-04-01
             (Directors §3): 36,500.00 x 90 / 365 = 9,000.00 -> 9,000 / 8.00 = 1,125
             shares; cash_in_lieu = 36,500.00 - 1,125 x 8.00 = 27,500.00
  2009-05-01 PA-1 terminates the plan as to further grants (Directors §8(f))
  2009-06-10 meeting: D-1 reelected, which before 2009-07-27 would have given her a
             formula option (§6(a)): none, the plan is terminated. Her meeting fee of
             2009-06-10 is for services after 2009-03-31: paid in cash, no award.
  outstanding 2,000 + 1,125 = 3,125; available 196,875
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from e2e_support import SCENARIOS, Run, assert_well_formed, award_figures, decimal, simulate

SCENARIO = SCENARIOS / "plans_2008_2010"
START, END = "2008-01-02", "2010-01-31"
IDA = "ida@ctc.example.com"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out: Path = tmp_path_factory.mktemp("plans_2008_2010")
    return simulate(SCENARIO, START, END, out)


def _text(text: str) -> str:
    return " ".join(text.split())


def test_the_command_succeeds(run: Run) -> None:
    assert run.exit_code == 0
    assert "Simulated 761 days (2008-01-02 to 2010-01-31)" in run.stdout


def test_code_422d_iso_and_nso_shares_of_each_award(run: Run) -> None:
    i1, i3, p1 = run.award("I-1"), run.award("I-3"), run.award("P-1")
    assert (i1["iso_shares"], i1["nso_shares"]) == (10_000, 5_000)
    assert (i3["iso_shares"], i3["nso_shares"]) == (0, 1_000)
    # Not an option: 0 and 0 (docs/interfaces.md §3).
    assert (p1["iso_shares"], p1["nso_shares"]) == (0, 0)
    assert award_figures(i1) == {
        "shares_granted": 15_000,
        "shares_exercised": 15_000,
        "shares_forfeited": 0,
        "shares_expired": 0,
        "shares_outstanding": 0,
        "exercisable_shares": 0,
        "exercise_price": Decimal("10.00"),
        "final_exercise_date": "2018-03-03",
        "exercise_deadline": "2018-03-03",
        "status": "exercised",
    }
    assert award_figures(i3)["exercisable_shares"] == 1_000
    assert decimal(i3["exercise_price"]) == Decimal("6.00")


def test_code_422d_each_confirmation_says_how_many_iso_and_nso_shares(run: Run) -> None:
    first = run.mail("Exercise confirmed: 12,000 shares on 2008-10-01")
    assert first.to == IDA
    assert_well_formed(first)
    text = _text(first.text)
    assert "Exercised as incentive stock options (ISO): 10,000" in text
    assert "Exercised as non-qualified options (over the $100,000 limit): 2,000" in text
    later = _text(run.mail("Exercise confirmed: 3,000 shares on 2009-06-01").text)
    assert "Exercised as incentive stock options (ISO): 0" in later
    assert "Exercised as non-qualified options (over the $100,000 limit): 3,000" in later


def test_1998_6b5_no_iso_after_2008_11_16_and_1998_9_no_grant_after_termination(
    run: Run,
) -> None:
    reasons = {r["record"]["award_id"]: r["reason"] for r in run.rejections}
    assert reasons == {
        "I-2": "no ISO may be granted after 2008-11-16 (1998 §6.b.(5))",
        "G-9": "the incentive-1998 plan was terminated as to further grants from 2009-12-01 "
        "(plan action PA-2): no award can be granted under it on 2009-12-15 (1998 §9)",
    }
    assert {a["award_id"] for a in run.report["awards"]} == {"I-1", "I-3", "P-1"}


def test_code_6039_one_form_3921_in_january_2009_and_none_in_2010(run: Run) -> None:
    forms = [m for m in run.periodic if m.subject.startswith("Form 3921")]
    assert [(m.day.isoformat(), m.to, m.subject) for m in forms] == [
        ("2009-01-02", IDA, "Form 3921 2008: your incentive stock option exercises")
    ]
    assert_well_formed(forms[0])
    text = _text(forms[0].text)
    for fact in (
        "Transferor (the Company): CTC Communications Group, Inc.",
        "Employee: Ida Iso (E-1)",
        "Date option granted: 2008-03-03",
        "Date option exercised: 2008-10-01",
        "Exercise price per share: $10.00",
        "Fair market value per share on exercise date: $12.00, the closing price of 2008-10-01",
        "ISO shares transferred: 10,000",
    ):
        assert fact in text, fact
    assert text.count("Exercise of ") == 1


def test_code_6039_the_administrators_file_of_2008(run: Run) -> None:
    body = (run.out / "reports" / "form-3921-2008.csv").read_text(encoding="utf-8-sig")
    assert list(csv.reader(io.StringIO(body))) == [
        [
            "participant_id",
            "name",
            "award_id",
            "grant_date",
            "exercise_date",
            "exercise_price",
            "fmv_on_exercise_date",
            "iso_shares",
        ],
        ["E-1", "Ida Iso", "I-1", "2008-03-03", "2008-10-01", "10.00", "12.00", "10000"],
    ]
    # No ISO share was exercised in 2009.
    assert not (run.out / "reports" / "form-3921-2009.csv").exists()


def test_1998_6a9_the_performance_award_is_certified(run: Run) -> None:
    p1 = run.award("P-1")
    assert (p1["shares_certified"], p1["shares_awaiting_certification"]) == (1_500, 0)
    assert (p1["shares_exercised"], p1["shares_forfeited"], p1["shares_outstanding"]) == (
        1_500,
        500,
        0,
    )
    assert p1["status"] == "exercised"
    notice = run.mail("Your stock awards: performance certified")
    assert notice.to == IDA and notice.day.isoformat() == "2009-03-20"


def test_directors_3_the_2009_fee_is_deferred_up_to_march_31_only(run: Run) -> None:
    fees = {d["fee_date"]: d for d in run.report["deferred_stock"]}
    assert sorted(fees) == ["2008-01-02", "2009-01-02"]
    fee_2008, fee_2009 = fees["2008-01-02"], fees["2009-01-02"]
    assert (fee_2008["shares"], decimal(fee_2008["cash_in_lieu"])) == (2_000, Decimal("0"))
    assert fee_2008["issue_date"] == "2011-01-03"
    assert decimal(fee_2009["amount"]) == Decimal("36500")
    assert decimal(fee_2009["fair_market_value"]) == Decimal("8")
    assert (fee_2009["shares"], decimal(fee_2009["cash_in_lieu"])) == (1_125, Decimal("27500"))
    assert fee_2009["issue_date"] == "2012-01-03"
    assert {d["status"] for d in run.report["deferred_stock"]} == {"pending"}


def test_directors_8f_no_formula_option_after_the_plan_is_terminated(run: Run) -> None:
    assert not [a for a in run.report["awards"] if a["award_type"] == "formula_option"]
    assert not [m for m in run.mails if "Formula option granted" in m.subject]


def test_pools_at_the_end(run: Run) -> None:
    assert run.report["pools"] == {
        "incentive-1998": {
            "reserved": 2_250_000,
            "outstanding": 1_000,
            "delivered": 16_500,
            "available": 2_232_500,
        },
        "directors-1999": {
            "reserved": 200_000,
            "outstanding": 3_125,
            "delivered": 0,
            "available": 196_875,
        },
    }


def test_ocf_export_gives_the_option_type_and_the_certification(run: Run) -> None:
    import json

    items = json.loads((run.out / "ocf" / "Transactions.ocf.json").read_text())["items"]
    issued = {t["security_id"]: t for t in items if t["object_type"].endswith("ISSUANCE")}
    # One option type per security (Code §422(d)): I-1's 10,000 ISO shares are security
    # I-1, its 5,000 non-qualified ones I-1-NSO; I-3 has no ISO share left: an NSO.
    types = {
        s: (t["option_grant_type"], t["compensation_type"], t["quantity"], t["custom_id"])
        for s, t in issued.items()
        if s.startswith("I-")
    }
    assert types == {
        "I-1": ("ISO", "OPTION_ISO", "10000", "I-1"),
        "I-1-NSO": ("NSO", "OPTION_NSO", "5000", "I-1"),
        "I-3": ("NSO", "OPTION_NSO", "1000", "I-3"),
    }
    # The 2008-10-01 exercise took 10,000 ISO and 2,000 NSO shares; 2009-06-01 3,000 NSO.
    exercised = sorted(
        (t["security_id"], t["date"], t["quantity"])
        for t in items
        if t["object_type"] == "TX_EQUITY_COMPENSATION_EXERCISE"
    )
    assert exercised == [
        ("I-1", "2008-10-01", "10000"),
        ("I-1-NSO", "2008-10-01", "2000"),
        ("I-1-NSO", "2009-06-01", "3000"),
    ]
    # P-1: released and forfeited on the certification's day (1998 §6.a.(9)).
    p1 = sorted(
        (t["object_type"], t["date"], t["quantity"]) for t in items if t.get("security_id") == "P-1"
    )
    assert p1 == [
        ("TX_EQUITY_COMPENSATION_CANCELLATION", "2009-03-20", "500"),
        ("TX_EQUITY_COMPENSATION_ISSUANCE", "2008-03-03", "2000"),
        ("TX_EQUITY_COMPENSATION_RELEASE", "2009-03-20", "1500"),
    ]
