"""`stockplan demo`: the shipped scenario (scenarios/demo/, see its README) runs, prints
its summary with the time it took, and leaves the outputs of docs/interfaces.md §3."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from demo_run import OUTPUT, PRINTED, demo_run
from e2e_support import ADMIN, assert_well_formed, read_outputs
from ocf_support import check_against_report, check_references, read_bundle

from stockplan_cli.embedded import project_root

SUMMARY = re.compile(r"Simulated (\d+) days \((\S+) to (\S+)\) in (\d+\.\d) s\.")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`stockplan demo --out OUT`, run once for the session: OUT and what it printed."""
    folder = demo_run(tmp_path_factory)
    return folder / OUTPUT, (folder / PRINTED).read_text()


def test_demo_scenario_runs_and_summarises(demo: tuple[Path, str], record_property: object) -> None:
    spec = json.loads((project_root() / "scenarios" / "demo" / "scenario.json").read_text())
    out, printed = demo

    assert printed.startswith(f"Demo: {spec['title']}\n")
    found = SUMMARY.search(printed)
    assert found, printed
    days, start, end, seconds = found.groups()
    # 1999-07-01 .. 2009-12-31 inclusive: 3,837 daily runs.
    assert (int(days), start, end) == (3837, spec["start"], spec["end"])
    assert float(seconds) > 0
    record_property("demo_seconds", seconds)  # type: ignore[operator]
    # Where the outputs are.
    assert f"{out / 'emails'}/" in printed and str(out / "report.json") in printed
    assert str(out / "rejections.json") in printed and f"{out / 'ocf'}/" in printed

    for name in (
        "report.json",
        "rejections.json",
        "emails",
        "audit.jsonl",
        "ocf/Manifest.ocf.json",
    ):
        assert (out / name).exists()
    run = read_outputs(out)
    report = run.report
    assert report["as_of"] == "2009-12-31"

    # The covered transaction of 2009-11-30 was not assumed (1998 §7.a, Directors §6(j)):
    # nothing stays outstanding, every option still open that day ended on it, and
    # pending deferred stock was issued that day.
    assert {a["status"] for a in report["awards"]} <= {"exercised", "expired", "forfeited"}
    assert all(
        a["exercise_deadline"] <= "2009-11-30"
        for a in report["awards"]
        if a["shares_expired"] and a["exercise_deadline"]
    )
    assert {d["status"] for d in report["deferred_stock"]} == {"issued"}
    ended = [a for a in report["awards"] if a["exercise_deadline"] == "2009-11-30"]
    assert len(ended) >= 10
    # Delivered, worked out in scenarios/demo/README.md's story:
    # 1998 plan before the split: 12,500 - 6,000 (CEO) + 10,000 - 4,000 (Maria) + 4,000
    # (Linda's restricted) + 5,000 (her estate) + 1,000 (Sandra's bonus) = 22,500, x 1.5
    # = 33,750; after it: 30,000 - 12,000 (Maria) + 15,000 + 30,000 - 10,000 (Sandra)
    # + 7,500 (Tom) + 3,000 (Priya's restricted) = 63,500; total 97,250.
    # Directors: deferred stock issued before the split 784 + 41 + 2 x 1,702 + 2 x 2,469
    # + 2 x 151 (2001 meeting fees) + 2 x 210 (2002 meeting fees) = 9,889, x 1.5 =
    # 14,833; issued after it 16,131 (the 21,775 of the options-first reading, + 2 x 1
    # for the 2003 annual fees, + 2 x 75 more for the 2008 meeting fees, - 3 x 1,932 for
    # the 2009 annual fees deferred for 90/365 only, Directors §3); formula/discretionary
    # exercises 15,000 + 10,981 + 15,000 + 30,000 + 15,000 = 85,981; total 116,945.
    assert report["pools"] == {
        "incentive-1998": {
            "reserved": 3375000,
            "outstanding": 0,
            "delivered": 97250,
            "available": 3277750,
        },
        "directors-1999": {
            "reserved": 300000,
            "outstanding": 0,
            "delivered": 116945,
            "available": 183055,
        },
    }

    # Short pools (Directors §8(a)): formula options and the meeting fees of the day cut
    # together. 2001: 25,771 for 3 x 10,000 and 2 x 178 (1,500 at 8.40), f = 25,771 /
    # 30,356: floor(10,000 f) = 8,489, x 1.5 at the split = 12,733; each fee 151.
    # 2008: 35,103 for 3 x 15,000 and 2 x 98 (1,500 at 15.30), f = 35,103 / 45,196:
    # 11,650 each, each fee 76. 2009: floor(43,105 / 3) = 14,368.
    granted = {a["award_id"]: a["shares_granted"] for a in report["awards"]}
    assert granted["FO-2001-06-14-D-201"] == 12733
    assert granted["FO-2001-06-14-D-203"] == 8489  # expired before the split
    assert granted["FO-2008-06-12-D-206"] == 11650
    assert granted["FO-2009-06-11-D-206"] == 14368
    fees = {(d["participant_id"], d["fee_date"]): d for d in report["deferred_stock"]}
    assert (fees["D-201", "2001-06-14"]["shares"], fees["D-201", "2008-06-12"]["shares"]) == (
        151,
        76,
    )
    # The 2009 annual fee: $20,000 x 90 / 365 = $4,931.50 at 7.80 -> 632 shares, the
    # rest in cash: 20,000 - 4,929.60 = 15,070.40 (Directors §3).
    assert fees["D-201", "2009-01-02"]["shares"] == 632
    assert Decimal(fees["D-201", "2009-01-02"]["cash_in_lieu"]) == Decimal("15070.40")
    assert not any(a.startswith("FO-") and a.endswith("E-101") for a in granted)
    # The 2009-09-17 meeting is after 2009-07-27: no formula option (Directors §3).
    assert not [a for a in report["awards"] if a["grant_date"] > "2009-07-27"]

    assert [(r["key"].split("/")[1], r["row"]) for r in run.rejections] == [
        ("grants", 2),
        ("grants", 3),
        ("grants", 4),
        ("grants", 5),
        ("fees", 5),
        ("elections", 1),
        ("exercises", 1),
        ("terminations", 1),
        ("exercises", None),
        ("grants", 1),
        ("grants", 2),
        ("elections", 1),
    ]

    assert_audit_trail_gives_every_change_of_every_award(out, report)

    assert len(run.mails) > 100
    for mail in run.mails:
        assert_well_formed(mail)
        assert "1999-07-01" <= mail.day.isoformat() <= "2009-12-31"
    days_sent = [m.day for m in run.mails]
    assert days_sent == sorted(days_sent)
    assert len(run.mails_to(ADMIN)) == 9  # one summary per file with rejections
    james = run.mail("Reminder: 30 days left to exercise award G-1003")
    assert (james.to, james.day.isoformat()) == ("james.porter@home.example.com", "2003-01-29")
    assert "deadline 2003-02-28" in james.subject

    # Issue 15: the demo's emails hold every kind a participant gets, split and covered
    # transaction included.
    kinds = Counter(
        str(m.message["Message-ID"]).strip("<>").split("@")[0].rsplit("-", 1)[0] for m in run.mails
    )
    assert {"grant", "exercise", "split", "covered-transaction", "termination"} <= set(kinds)
    # The split of 2005-04-15 is told, the day the daily job applies it, to each of the
    # seven people holding an award (or pending deferred stock) outstanding that day.
    splits = [m for m in run.mails if m.subject.startswith("Stock split")]
    assert len(splits) == kinds["split"] == 7
    assert {(m.day.isoformat(), m.subject) for m in splits} == {
        ("2005-04-15", "Stock split 3-for-2 on 2005-04-15: your awards restated")
    }
    henry = next(m for m in splits if m.to == "hadams@ctc.example.com")
    # FO-2001-06-14-D-201: 8,489 x 1.5 = 12,733.5 -> 12,733 (the report's figure above)
    # at 8.40 / 1.5 = 5.60 (Directors §4(c)).
    assert "Award FO-2001-06-14-D-201: formula stock option" in henry.text
    assert "Shares granted: 8,489 before, 12,733 after" in henry.text
    assert "Exercise price: $8.40 before, $5.60 after, per share" in henry.text
    assert "Rule: Directors §4(c)" in henry.text
    # The covered transaction of 2009-11-30, not assumed: told that day to the four
    # people who still held an award, each with the day as the new deadline.
    covered = [m for m in run.mails if m.subject.startswith("Covered transaction")]
    assert len(covered) == kinds["covered-transaction"] == 4
    for mail in covered:
        assert mail.day.isoformat() == "2009-11-30"
        assert mail.subject == (
            "Covered transaction on 2009-11-30: your awards vest in full and your options "
            "end that day"
        )
        assert "Last day to exercise: Monday, 2009-11-30; it was " in mail.text
        assert "1998 §7.a" in mail.text or "Directors §6(j)" in mail.text
    grant = next(m for m in run.mails if m.subject.startswith("Your stock option grant"))
    assert "How to exercise:" in grant.text and "award agreement govern" in grant.text
    exercise = next(m for m in run.mails if m.subject.startswith("Exercise confirmed"))
    assert "Shares delivered:" in exercise.text


def _folded(records: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    """Each award's figures as its audit records leave them (the last 'after')."""
    awards: dict[str, dict[str, object]] = {}
    for record in records:
        if record["award_id"] is None:
            continue
        figures = awards.setdefault(str(record["award_id"]), {})
        change = record["change"]
        assert isinstance(change, dict)
        for field, (before, after) in change.items():
            assert figures.get(field) == before, (record, field)  # it continues the trail
            figures[field] = after
    return awards


def assert_audit_trail_gives_every_change_of_every_award(out: Path, report: dict[str, Any]) -> None:
    """docs/interfaces.md §3 audit.jsonl: over the demo's ten years, each award's changes in
    order, each with its cause, fold into the award as report.json shows it."""
    records = [json.loads(line) for line in (out / "audit.jsonl").read_text().splitlines()]

    assert [r["day"] for r in records] == sorted(r["day"] for r in records)
    for record in records:
        cause = record["cause"]
        if cause["kind"] == "feed":
            assert cause["key"].startswith("incoming/") and cause["row"] is not None, record
        elif cause["kind"] == "daily":
            assert cause["rule"] and "§" in cause["section"], record
        else:
            assert cause["kind"] in ("correction", "decision") and cause["request_id"], record
    folded = _folded(records)
    assert set(folded) == {a["award_id"] for a in report["awards"]}
    for award in report["awards"]:
        trail = folded[award["award_id"]]
        for field in ("shares_granted", "shares_exercised", "shares_forfeited"):
            assert trail[field] == award[field], (award["award_id"], field)
        assert trail["shares_expired"] == award["shares_expired"], award["award_id"]
        assert trail["exercise_deadline"] == award["exercise_deadline"], award["award_id"]
        assert trail["status"] == award["status"], award["award_id"]


def test_the_demo_writes_an_ocf_bundle_that_validates_and_adds_up_to_its_report(
    demo: tuple[Path, str],
) -> None:
    out, printed = demo
    assert "OCF warning" not in printed  # every award's history reconciled

    bundle = read_bundle(out / "ocf")  # every file valid against the OCF 1.2.0 schemas
    check_references(bundle)
    report = json.loads((out / "report.json").read_text())
    # Shares per plan and per award, outstanding, exercised, forfeited, expired, reserved.
    check_against_report(bundle, report)
    assert bundle.manifest["as_of"] == "2009-12-31"
    assert bundle.manifest["generated_at"] == "2009-12-31T11:00:00+00:00"
    pools = [
        (t["date"], t["stock_plan_id"], t["shares_reserved"])
        for t in bundle.of_type("TX_STOCK_PLAN_POOL_ADJUSTMENT")
    ]
    assert pools == [
        ("1999-09-16", "incentive-1998", "2250000"),  # Amendment No. 1
        ("2005-04-15", "directors-1999", "300000"),  # the 3-for-2 split
        ("2005-04-15", "incentive-1998", "3375000"),
    ]
