"""End to end: a covered transaction on 2008-09-30, not assumed and assumed
(1998 §7.a; Directors §6(j), §7(b)(ii); docs/plan-rules.md "Splits and covered transactions").

Scenario tests/e2e/scenarios/covered_transaction/, simulated 2008-01-01 .. 2008-12-31;
the "assumed" run is the same feeds with `assumed` set to true.

- E-1 Nora Nash: NSO G-N1 8,000 @ 20.00, final 2018-01-02, vesting 4,000 on 2009-01-02
  and 4,000 on 2010-01-02: nothing vested before the transaction. An exercise of 3,000
  dated 2008-09-30 reaches HR's feed only on 2008-10-03.
- E-2 Rick Reed: restricted stock G-R1 3,000 vesting 1,000 on each of 2008-06-02,
  2009-06-01, 2010-06-01.
- D-1 Dee Dorsey: discretionary option DO-1 5,000 @ 20.00 vesting 2009-01-02; deferral
  elected 2007-12-01; annual fee 10,000.00 at the FMV of 2008-01-02 (20.00) -> 500
  shares, cash 0; formula option at the 2008-06-12 meeting, 10,000 @ FMV 2008-06-11 =
  16.00 until 2013-06-12; meeting fee 1,000.00 / 16.00 = 62.5 -> 62 shares, cash 8.00.
  Both deferred awards would be issued on 2011-01-03 (first business day of the third
  January after 2008).
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from e2e_support import SCENARIOS, Run, assert_well_formed, simulate, timeline

SCENARIO = SCENARIOS / "covered_transaction"
START, END = "2008-01-01", "2008-12-31"
NORA, DEE = "nora@ctc.example.com", "dee@ctc.example.com"
RICK = "rick@ctc.example.com"
COVERED = "Covered transaction on 2008-09-30"


@pytest.fixture(scope="module")
def not_assumed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulate(SCENARIO, START, END, tmp_path_factory.mktemp("not_assumed"))


@pytest.fixture(scope="module")
def assumed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    scenario = tmp_path_factory.mktemp("assumed_scenario") / "covered_transaction"
    shutil.copytree(SCENARIO, scenario)
    action = scenario / "feeds" / "2008-09-30" / "corporate_actions.csv"
    text = action.read_text()
    assert "covered_transaction,,false" in text
    action.write_text(text.replace("covered_transaction,,false", "covered_transaction,,true"))
    return simulate(scenario, START, END, tmp_path_factory.mktemp("assumed"))


def _shares(run: Run, award_id: str) -> tuple[object, ...]:
    a = run.award(award_id)
    return (
        a["shares_exercised"],
        a["shares_expired"],
        a["shares_outstanding"],
        a["exercisable_shares"],
        a["exercise_deadline"],
        a["status"],
    )


def test_not_assumed_every_option_ends_on_the_transaction_day(not_assumed: Run) -> None:
    run = not_assumed
    # G-N1 vests in full immediately before the transaction (8,000) and terminates on
    # 2008-09-30, its new deadline; the daily run of 2008-10-01 expires all 8,000. The
    # exercise dated 2008-09-30 (on the deadline, inclusive) fed on 2008-10-03 is
    # accepted and takes 3,000 back from the expired shares: 3,000 exercised, 5,000
    # expired -> status expired.
    assert _shares(run, "G-N1") == (3000, 5000, 0, 0, "2008-09-30", "expired")
    # Options of the Directors plan terminate too (Directors §6(j)).
    assert _shares(run, "DO-1") == (0, 5000, 0, 0, "2008-09-30", "expired")
    assert _shares(run, "FO-2008-06-12-D-1") == (0, 10000, 0, 0, "2008-09-30", "expired")
    # Restricted stock needs no exercise: 1,000 vested on 2008-06-02, the other 2,000
    # vest at the transaction and are delivered.
    assert _shares(run, "G-R1") == (3000, 0, 0, 0, None, "exercised")
    assert run.rejections == []


def test_pending_deferred_stock_is_issued_on_the_transaction_day(
    not_assumed: Run, assumed: Run
) -> None:
    # Directors §7(b)(ii): the earliest of 2011-01-03 and the transaction day.
    for run in (not_assumed, assumed):
        annual = run.deferred("D-1", "annual", "2008-01-02")
        meeting = run.deferred("D-1", "meeting", "2008-06-12")
        assert (annual["shares"], annual["issue_date"], annual["status"]) == (
            500,
            "2008-09-30",
            "issued",
        )
        assert (meeting["shares"], meeting["issue_date"], meeting["status"]) == (
            62,
            "2008-09-30",
            "issued",
        )
        assert Decimal(meeting["cash_in_lieu"]) == Decimal("8")


def test_not_assumed_pools(not_assumed: Run) -> None:
    # 1998: delivered G-R1 3,000 + G-N1 3,000 = 6,000; nothing outstanding.
    # Directors: delivered 500 + 62 = 562; nothing outstanding.
    assert not_assumed.report["pools"] == {
        "incentive-1998": {
            "reserved": 2250000,
            "outstanding": 0,
            "delivered": 6000,
            "available": 2244000,
        },
        "directors-1999": {
            "reserved": 200000,
            "outstanding": 0,
            "delivered": 562,
            "available": 199438,
        },
    }


def test_not_assumed_emails(not_assumed: Run) -> None:
    # No reminders: the new deadline is the transaction day itself (30 and 7 days
    # before it had already passed when it was set). Expiries go out on 2008-10-01,
    # before the late exercise feed, so G-N1's notice says 8,000.
    # Each fed grant is told that day; the late exercise is confirmed the day it is fed.
    assert timeline(not_assumed) == [
        ("2008-01-02", NORA, "Your stock option grant of 2008-01-02"),
        ("2008-01-02", RICK, "Your restricted stock award of 2008-01-02"),
        ("2008-01-02", DEE, "Your stock option grant of 2008-01-02"),
        (
            "2008-01-02",
            DEE,
            "Deferred stock award: 500 shares for your annual retainer of 2008-01-02",
        ),
        (
            "2008-06-12",
            DEE,
            "Formula option granted: 10,000 shares at $16.00 (award FO-2008-06-12-D-1)",
        ),
        ("2008-06-12", DEE, "Deferred stock award: 62 shares for your meeting fee of 2008-06-12"),
        # The day the transaction is applied, each holder is told (issue 15).
        ("2008-09-30", DEE, f"{COVERED}: your awards vest in full and your options end that day"),
        ("2008-09-30", NORA, f"{COVERED}: your awards vest in full and your options end that day"),
        ("2008-09-30", RICK, f"{COVERED}: your awards vest in full"),
        ("2008-09-30", DEE, "Deferred stock issued: 500 shares on 2008-09-30"),
        ("2008-09-30", DEE, "Deferred stock issued: 62 shares on 2008-09-30"),
        (
            "2008-10-01",
            DEE,
            "Shares expired: 5,000 shares of award DO-1 not exercised by 2008-09-30",
        ),
        (
            "2008-10-01",
            DEE,
            "Shares expired: 10,000 shares of award FO-2008-06-12-D-1 not exercised by 2008-09-30",
        ),
        (
            "2008-10-01",
            NORA,
            "Shares expired: 8,000 shares of award G-N1 not exercised by 2008-09-30",
        ),
        ("2008-10-03", NORA, "Exercise confirmed: 3,000 shares on 2008-09-30"),
    ]
    # The exercise took 3,000 back from the expired shares; nothing is left to buy.
    confirmation = not_assumed.mail("Exercise confirmed").text
    assert "Shares delivered: 3,000" in confirmation
    assert "Shares still exercisable: 0 on 2008-10-03" in confirmation
    assert "Last day to exercise: Tuesday, 2008-09-30, passed" in confirmation
    for mail in not_assumed.mails:
        assert_well_formed(mail)
    assert "1998 §7.a" in not_assumed.mail("of award G-N1 not exercised").text
    assert "Directors §6(j)" in not_assumed.mail("of award DO-1 not exercised").text
    # The covered-transaction notice: what vested, and the new deadline (1998 §7.a).
    nora = next(m for m in not_assumed.mails_to(NORA) if m.subject.startswith(COVERED)).text
    assert "Shares that vested because of the transaction: 8,000" in nora
    assert "Last day to exercise: Tuesday, 2008-09-30; it was Tuesday, 2018-01-02" in nora
    assert "Rule: 1998 §7.a" in nora and "How to exercise" in nora


def test_assumed_notices_say_the_awards_go_on_with_their_deadlines(assumed: Run) -> None:
    (nora,) = [m for m in assumed.mails_to(NORA) if m.subject.startswith(COVERED)]
    assert nora.subject == f"{COVERED}: your awards vest in full"
    assert "Shares that vested because of the transaction: 8,000" in nora.text
    assert "Last day to exercise: Tuesday, 2018-01-02, unchanged" in nora.text
    assert "assumed the awards" in nora.text


def test_assumed_awards_go_on_fully_vested_with_their_deadlines(assumed: Run) -> None:
    # Vested in full at the transaction; deadlines unchanged (final dates).
    assert _shares(assumed, "G-N1") == (3000, 0, 5000, 5000, "2018-01-02", "outstanding")
    assert _shares(assumed, "DO-1") == (0, 0, 5000, 5000, "2018-01-02", "outstanding")
    assert _shares(assumed, "FO-2008-06-12-D-1") == (
        0,
        0,
        10000,
        10000,
        "2013-06-12",
        "outstanding",
    )
    assert _shares(assumed, "G-R1") == (3000, 0, 0, 0, None, "exercised")
    # 1998: outstanding 5,000, delivered 6,000. Directors: outstanding 5,000 + 10,000,
    # delivered 562.
    assert assumed.report["pools"]["incentive-1998"]["outstanding"] == 5000
    assert assumed.report["pools"]["incentive-1998"]["available"] == 2250000 - 5000 - 6000
    assert assumed.report["pools"]["directors-1999"] == {
        "reserved": 200000,
        "outstanding": 15000,
        "delivered": 562,
        "available": 184438,
    }
    # No expiry notices: only the grants, the awards, the two issues and the exercise.
    assert [m.subject.split(":")[0] for m in assumed.mails] == [
        "Your stock option grant of 2008-01-02",
        "Your restricted stock award of 2008-01-02",
        "Your stock option grant of 2008-01-02",
        "Deferred stock award",
        "Formula option granted",
        "Deferred stock award",
        "Covered transaction on 2008-09-30",
        "Covered transaction on 2008-09-30",
        "Covered transaction on 2008-09-30",
        "Deferred stock issued",
        "Deferred stock issued",
        "Exercise confirmed",
    ]
    # Assumed: the 3,000 came out of the 8,000 vested at the transaction; 5,000 are left
    # until the final exercise date.
    confirmation = assumed.mail("Exercise confirmed").text
    assert "Shares still exercisable: 5,000 on 2008-10-03" in confirmation
    assert "Last day to exercise: Tuesday, 2018-01-02" in confirmation
