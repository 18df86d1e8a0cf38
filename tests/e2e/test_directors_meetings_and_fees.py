"""End to end: the 1999 Directors Plan's formula options, deferred stock in lieu of fees,
a short pool, a death and a 3-for-2 split, through `stockplan simulate`.

Scenario tests/e2e/scenarios/directors_meetings_and_fees/, simulated 2000-06-01 ..
2003-02-11. Every expected figure is worked out by hand in the comments.

People: directors D-1 Dan Deferrer (elected to defer fees on 1999-12-15), D-2 Eve Elder
(elected 1999-11-30, revoked 2000-06-30; dies 2002-02-10), D-3 Fay Fresh (first elected
2000-06-15, never defers), D-4 Gus Gone (not continuing at the 2001 meeting, service
ends that day); E-9 Ed Exec, an employee-director.

Prices (Closing Price, Directors §6(c)):
  2000-01-03 15.0625 | 2000-05-31 18.00 | 2000-06-14 no last sale, bid 19.875 / ask 20.25
  -> 20.0625 | 2001-01-02 12.50 | 2001-03-01 14.00 | 2001-06-13 10.00 | 2002-01-02 16.00 |
  2002-06-12 9.00 (after the split of 2002-03-15).

Pool of the directors plan, step by step (reserve 200,000, Directors §4(a)):
  2000-01-03 annual fees D-1, D-2: 2 x 1,659                 outstanding   3,318
  2000-06-15 formula D-1, D-2, D-4 3 x 10,000; fees 2 x 74   outstanding  33,466
  2001-01-02 annual fee D-1 2,000 (D-2 revoked: cash)        outstanding  35,466
  2001-03-01 discretionary DO-1 150,000                      outstanding 185,466
  2001-06-14 available 14,534 for 3 formula options of 10,000 and D-1's meeting fee of
             150 shares, cut together (§8(a)): f = 14,534 / 30,150; each option
             floor(10,000 f) = 4,820, the fee floor(150 f) = 72: 14,532, 2 left
                                                             outstanding 199,998
  2001-09-15 D-4's formula option expires: +10,000 back       outstanding 189,998
  2002-01-02 annual fee D-1 1,562                            outstanding 191,560
  2002-02-10 D-2 dies: DO-1 forfeits 100,000; D-2's pending deferred 1,659 + 74 = 1,733
             is issued (outstanding -> delivered)            outstanding  89,827
                                                             delivered     1,733
  2002-03-15 split 1.5: reserve 300,000; delivered floor(1,733 x 1.5) = 2,599;
             outstanding = sum of the restated awards = 134,740 (below)
  2002-06-13 formula D-1, D-3 2 x 15,000; fee D-1 166        outstanding 164,906
  2003-01-02 D-1's 2000 deferred issued 2,488 + 111 = 2,599  outstanding 162,307
                                                             delivered     5,198
  2003-01-20 D-2's estate exercises FO-2001-06-14-D-2 7,230  outstanding 155,077
                                                             delivered    12,428
  2003-02-11 D-2's FO-2000 15,000 and DO-1 75,000 expire     outstanding  65,077
  available = 300,000 - 65,077 - 12,428 = 222,495

The restated outstanding of 2002-03-15: options 15,000 + 15,000 (FO-2000 D-1, D-2) +
3 x 7,230 (FO-2001) + 75,000 (DO-1) = 126,690; pending deferred of D-1 2,488 + 111 +
3,000 + 108 + 2,343 = 8,050; 134,740 in all.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from e2e_support import (
    ADMIN,
    SCENARIOS,
    Run,
    assert_well_formed,
    award_figures,
    decimal,
    simulate,
    timeline,
)

SCENARIO = SCENARIOS / "directors_meetings_and_fees"
START, END = "2000-06-01", "2003-02-11"

DAN = "dan@ctc.example.com"
EVE = "eve@ctc.example.com"
EVE_ESTATE = "eve.estate@example.com"
FAY = "fay@ctc.example.com"
GUS = "gus@ctc.example.com"
GUS_HOME = "gus@home.example.com"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out: Path = tmp_path_factory.mktemp("directors_meetings_and_fees")
    return simulate(SCENARIO, START, END, out)


def _figures(
    granted: int,
    price: str,
    final: str,
    *,
    exercised: int = 0,
    forfeited: int = 0,
    expired: int = 0,
    exercisable: int = 0,
    deadline: str | None = None,
    status: str = "outstanding",
) -> dict[str, object]:
    outstanding = granted - exercised - forfeited - expired
    return {
        "shares_granted": granted,
        "shares_exercised": exercised,
        "shares_forfeited": forfeited,
        "shares_expired": expired,
        "shares_outstanding": outstanding,
        "exercisable_shares": exercisable,
        "exercise_price": Decimal(price),
        "final_exercise_date": final,
        "exercise_deadline": deadline or final,
        "status": status,
    }


def test_the_command_succeeds(run: Run) -> None:
    assert run.exit_code == 0
    assert "Simulated 986 days (2000-06-01 to 2003-02-11)" in run.stdout


def test_formula_options_2000(run: Run) -> None:
    # Meeting 2000-06-15: D-1 reelected, D-2 continuing, D-4 continuing -> 10,000 each;
    # D-3 elected (first election) and E-9 (employee-director) get none (Directors §6(a)).
    # Price = FMV on the day before (2000-06-14): no last sale -> (19.875 + 20.25) / 2 =
    # 20.0625 (§6(c)). Final date = 2000-06-15 + 5 years = 2005-06-15 (§6(d)).
    # The split of 2002-03-15 (1.5) restates the awards still outstanding then:
    # 10,000 x 1.5 = 15,000 at 20.0625 / 1.5 = 13.375 (exact).
    assert award_figures(run.award("FO-2000-06-15-D-1")) == _figures(
        15000, "13.375", "2005-06-15", exercisable=15000
    )
    # D-4's service ended 2001-06-14 (other): 3 months -> 2001-09-14 (Directors §6(i));
    # expired 2001-09-15, before the split, so it keeps its 10,000 at 20.0625.
    assert award_figures(run.award("FO-2000-06-15-D-4")) == _figures(
        10000, "20.0625", "2005-06-15", expired=10000, deadline="2001-09-14", status="expired"
    )
    # D-2 died 2002-02-10: 1 year -> 2003-02-10 (Directors §6(h)); restated by the split,
    # then expired on 2003-02-11.
    assert award_figures(run.award("FO-2000-06-15-D-2")) == _figures(
        15000, "13.375", "2005-06-15", expired=15000, deadline="2003-02-10", status="expired"
    )
    owners = {a["participant_id"] for a in run.report["awards"] if a["grant_date"] == "2000-06-15"}
    assert owners == {"D-1", "D-2", "D-4"}


def test_short_pool_cuts_formula_options_pro_rata(run: Run) -> None:
    # Meeting 2001-06-14: D-1, D-2, D-3 to be granted (D-4 not_continuing, E-9 employee),
    # and D-1's meeting fee of 150 shares due the same day. Available 14,534 < 30,150:
    # cut together by f = 14,534 / 30,150 (§8(a)): each option floor(10,000 f) = 4,820,
    # the fee 72; 2 shares stay. Price: FMV 2001-06-13 = 10.00; final 2006-06-14.
    # Split 1.5: 4,820 x 1.5 = 7,230 at 10.00 / 1.5 = 6.666666... -> 6.666667.
    for owner in ("D-1", "D-3"):
        assert award_figures(run.award(f"FO-2001-06-14-{owner}")) == _figures(
            7230, "6.666667", "2006-06-14", exercisable=7230
        )
    # D-2's estate exercised all 7,230 on 2003-01-20, within the death window.
    assert award_figures(run.award("FO-2001-06-14-D-2")) == _figures(
        7230, "6.666667", "2006-06-14", exercised=7230, deadline="2003-02-10", status="exercised"
    )
    notice = run.mail("Formula option granted: 4,820 shares at $10.00 (award FO-2001-06-14-D-3)")
    assert notice.to == FAY and notice.day.isoformat() == "2001-06-14"


def test_formula_options_after_the_split(run: Run) -> None:
    # Meeting 2002-06-13: grant size 10,000 x 1.5 = 15,000 (§4(c)); D-1 reelected and D-3
    # continuing; price FMV 2002-06-12 = 9.00; final 2007-06-13; pool not short.
    for owner in ("D-1", "D-3"):
        assert award_figures(run.award(f"FO-2002-06-13-{owner}")) == _figures(
            15000, "9.00", "2007-06-13", exercisable=15000
        )


def test_discretionary_option_restated_by_the_split_after_death(run: Run) -> None:
    # DO-1: 150,000 at 14.00 vesting 50,000 on each of 2001-03-01, 2002-03-01, 2003-03-01.
    # Death 2002-02-10: 50,000 vested; 100,000 not exercisable terminate (§6(h)).
    # Split 1.5: granted 225,000, forfeited 150,000, outstanding 75,000;
    # 14.00 / 1.5 = 9.3333... -> rounded up at the 6th place: 9.333334.
    # Deadline 2003-02-10 (1 year after death, before the final date 2011-03-01);
    # 75,000 expire on 2003-02-11. status: forfeited 150,000 is the largest figure.
    assert award_figures(run.award("DO-1")) == _figures(
        225000,
        "9.333334",
        "2011-03-01",
        forfeited=150000,
        expired=75000,
        deadline="2003-02-10",
        status="forfeited",
    )


def _deferred(run: Run, pid: str, fee_type: str, fee_date: str) -> dict[str, object]:
    d = run.deferred(pid, fee_type, fee_date)
    return {
        "amount": decimal(d["amount"]),
        "fair_market_value": decimal(d["fair_market_value"]),
        "award_date": d["award_date"],
        "shares": d["shares"],
        "cash_in_lieu": decimal(d["cash_in_lieu"]),
        "issue_date": d["issue_date"],
        "status": d["status"],
    }


def test_deferred_stock_awards(run: Run) -> None:
    # Annual fee 2000 (fee_date 2000-03-31, fed late on 2000-06-01): the FMV and award
    # date are the first business day of 2000, 2000-01-03 (Directors §7(a)).
    # 25,000.00 / 15.0625 = 1,659.75 -> 1,659 shares; cash 25,000 - 1,659 x 15.0625 =
    # 25,000 - 24,988.6875 = 11.3125. Issue: first business day of the third January
    # after 2000-01-03 -> 2003-01-02 (§7(b)(i)). Split 1.5 while pending: 1,659 x 1.5 =
    # 2,488.5 -> 2,488 (the FMV stays); the half share lost is paid in cash at issue,
    # 0.5 x 15.0625 / 1.5 = 5.0208... -> 5.02 (Directors §4(b)): 11.3125 + 5.02 = 16.3325.
    assert _deferred(run, "D-1", "annual", "2000-03-31") == {
        "amount": Decimal("25000"),
        "fair_market_value": Decimal("15.0625"),
        "award_date": "2000-01-03",
        "shares": 2488,
        "cash_in_lieu": Decimal("16.3325"),
        "issue_date": "2003-01-02",
        "status": "issued",
    }
    # Meeting fee 2000-06-15: FMV 2000-06-14 = 20.0625; 1,500 / 20.0625 = 74.77 -> 74;
    # cash 1,500 - 1,484.625 = 15.375; issue 2003-01-02; split: 74 -> 111.
    assert _deferred(run, "D-1", "meeting", "2000-06-15") == {
        "amount": Decimal("1500"),
        "fair_market_value": Decimal("20.0625"),
        "award_date": "2000-06-15",
        "shares": 111,
        "cash_in_lieu": Decimal("15.375"),
        "issue_date": "2003-01-02",
        "status": "issued",
    }
    # D-2's 2000 awards: issued when her service ended at death, 2002-02-10 (§7(b)(iii)),
    # before the split, so they keep 1,659 and 74.
    assert _deferred(run, "D-2", "annual", "2000-03-31")["shares"] == 1659
    assert _deferred(run, "D-2", "annual", "2000-03-31")["issue_date"] == "2002-02-10"
    assert _deferred(run, "D-2", "meeting", "2000-06-15")["shares"] == 74
    assert _deferred(run, "D-2", "meeting", "2000-06-15")["status"] == "issued"
    # 2001 annual: FMV 2001-01-02 = 12.50; 25,000 / 12.5 = 2,000 exactly, cash 0;
    # issue 2004-01-02; split: 3,000.
    assert _deferred(run, "D-1", "annual", "2001-01-02") == {
        "amount": Decimal("25000"),
        "fair_market_value": Decimal("12.50"),
        "award_date": "2001-01-02",
        "shares": 3000,
        "cash_in_lieu": Decimal("0"),
        "issue_date": "2004-01-02",
        "status": "pending",
    }
    # 2001 meeting fee in a short pool: wanted floor(1,500 / 10.00) = 150, cut with the
    # day's formula options by f = 14,534 / 30,150 -> 72 shares, the rest in cash:
    # 1,500 - 720 = 780 (§8(a)). Split: 72 -> 108, no fraction.
    assert _deferred(run, "D-1", "meeting", "2001-06-14") == {
        "amount": Decimal("1500"),
        "fair_market_value": Decimal("10.00"),
        "award_date": "2001-06-14",
        "shares": 108,
        "cash_in_lieu": Decimal("780"),
        "issue_date": "2004-01-02",
        "status": "pending",
    }
    # 2002 annual: 25,000 / 16.00 = 1,562.5 -> 1,562, cash 8.00; first business day of
    # January 2005 is Monday 2005-01-03; split: 1,562 -> 2,343.
    assert _deferred(run, "D-1", "annual", "2002-01-02")["shares"] == 2343
    assert _deferred(run, "D-1", "annual", "2002-01-02")["cash_in_lieu"] == Decimal("8")
    assert _deferred(run, "D-1", "annual", "2002-01-02")["issue_date"] == "2005-01-03"
    # 2002 meeting (after the split): 1,500 / 9.00 = 166.67 -> 166, cash 6.00.
    assert _deferred(run, "D-1", "meeting", "2002-06-13")["shares"] == 166
    assert _deferred(run, "D-1", "meeting", "2002-06-13")["cash_in_lieu"] == Decimal("6")


def test_fees_without_an_election_in_force_are_paid_in_cash(run: Run) -> None:
    # D-3 never elected; D-2 revoked on 2000-06-30, effective from 2001 (§7(c)), so her
    # 2000 meeting fee is still deferred but her 2001 annual fee is cash.
    keys = {(d["participant_id"], d["fee_date"]) for d in run.report["deferred_stock"]}
    assert ("D-3", "2000-03-31") not in keys
    assert ("D-2", "2001-01-02") not in keys
    assert ("D-2", "2000-06-15") in keys
    assert len(run.report["deferred_stock"]) == 8


def test_pools(run: Run) -> None:
    # Directors: see the module docstring. 1998 plan: no awards, its reserve 2,250,000
    # is restated by the split too: 3,375,000.
    assert run.report["pools"] == {
        "incentive-1998": {
            "reserved": 3375000,
            "outstanding": 0,
            "delivered": 0,
            "available": 3375000,
        },
        "directors-1999": {
            "reserved": 300000,
            "outstanding": 65077,
            "delivered": 12428,
            "available": 222495,
        },
    }


def test_pool_outstanding_equals_the_awards(run: Run) -> None:
    awards = sum(
        a["shares_outstanding"] for a in run.report["awards"] if a["plan"] == "directors-1999"
    )
    pending = sum(d["shares"] for d in run.report["deferred_stock"] if d["status"] == "pending")
    # 15,000 + 7,230 + 15,000 (D-1) + 7,230 + 15,000 (D-3) = 59,460 under options;
    # 3,000 + 108 + 2,343 + 166 = 5,617 pending deferred stock.
    assert (awards, pending) == (59460, 5617)
    assert run.report["pools"]["directors-1999"]["outstanding"] == awards + pending


def test_rejections(run: Run) -> None:
    assert [(r["feed"], r["key"], r["row"]) for r in run.rejections] == [
        ("elections", "incoming/elections/2000-06-01.csv", 3),
        ("grants", "incoming/grants/2001-03-01.csv", 2),
    ]
    employee, too_long = (r["reason"] for r in run.rejections)
    # E-9 is an employee: no Deferred Stock Election (Directors §5, §7).
    assert "E-9" in employee and "Directors §5" in employee
    # DO-2 2001-03-01 -> 2011-03-02 is more than 10 years (Directors §6(d)).
    assert "2011-03-02" in too_long and "Directors §6(d)" in too_long
    assert run.rejections[1]["record"]["award_id"] == "DO-2"


def test_email_timeline(run: Run) -> None:
    # Formula options and fee awards of one day go out in participant order; the
    # annual fees of 2000, fed late, are notified (and dated) on 2000-06-01.
    # D-4 (ended 2001-06-14, deadline 2001-09-14): reminders 2001-08-15 and 2001-09-07,
    # expiry 2001-09-15, to his personal_email.
    # D-2 (died 2002-02-10, deadline 2003-02-10): reminders 30 days before, 2003-01-11,
    # for her three options; 7 days before, 2003-02-03, only for the two that still have
    # exercisable shares (FO-2001-06-14-D-2 was exercised on 2003-01-20); expiry 2003-02-11.
    # Everything after her death goes to her estate_email, the confirmation of the
    # estate's exercise of 2003-01-20 included. The grant of DO-1 (2001-03-01) is told
    # that day.
    got = [(day, to, subject.split(" (")[0].split(":")[0]) for day, to, subject in timeline(run)]
    assert got == [
        ("2000-06-01", ADMIN, "Feed elections"),
        ("2000-06-01", DAN, "Deferred stock award"),
        ("2000-06-01", EVE, "Deferred stock award"),
        ("2000-06-15", DAN, "Formula option granted"),
        ("2000-06-15", EVE, "Formula option granted"),
        ("2000-06-15", GUS, "Formula option granted"),
        ("2000-06-15", DAN, "Deferred stock award"),
        ("2000-06-15", EVE, "Deferred stock award"),
        ("2001-01-02", DAN, "Deferred stock award"),
        ("2001-03-01", EVE, "Your stock option grant of 2001-03-01"),
        ("2001-03-01", ADMIN, "Feed grants"),
        (
            "2001-06-14",
            GUS_HOME,
            "Your stock awards after your service as a director ended on 2001-06-14",
        ),
        ("2001-06-14", DAN, "Formula option granted"),
        ("2001-06-14", EVE, "Formula option granted"),
        ("2001-06-14", FAY, "Formula option granted"),
        ("2001-06-14", DAN, "Deferred stock award"),
        ("2001-08-15", GUS_HOME, "Reminder"),
        ("2001-09-07", GUS_HOME, "Reminder"),
        ("2001-09-15", GUS_HOME, "Shares expired"),
        ("2002-01-02", DAN, "Deferred stock award"),
        ("2002-02-11", EVE_ESTATE, "Stock awards of Eve Elder after death on 2002-02-10"),
        ("2002-02-11", EVE_ESTATE, "Deferred stock issued"),
        ("2002-02-11", EVE_ESTATE, "Deferred stock issued"),
        # The split of 2002-03-15 restates what each holder has outstanding; Eve's estate
        # is told of hers (issue 15).
        ("2002-03-15", DAN, "Stock split 3-for-2 on 2002-03-15"),
        ("2002-03-15", EVE_ESTATE, "Stock split 3-for-2 on 2002-03-15"),
        ("2002-03-15", FAY, "Stock split 3-for-2 on 2002-03-15"),
        ("2002-06-13", DAN, "Formula option granted"),
        ("2002-06-13", FAY, "Formula option granted"),
        ("2002-06-13", DAN, "Deferred stock award"),
        ("2003-01-02", DAN, "Deferred stock issued"),
        ("2003-01-02", DAN, "Deferred stock issued"),
        ("2003-01-11", EVE_ESTATE, "Reminder"),
        ("2003-01-11", EVE_ESTATE, "Reminder"),
        ("2003-01-11", EVE_ESTATE, "Reminder"),
        ("2003-01-20", EVE_ESTATE, "Exercise confirmed"),
        ("2003-02-03", EVE_ESTATE, "Reminder"),
        ("2003-02-03", EVE_ESTATE, "Reminder"),
        ("2003-02-11", EVE_ESTATE, "Shares expired"),
        ("2003-02-11", EVE_ESTATE, "Shares expired"),
    ]
    expiries = [m.subject for m in run.mails if m.day.isoformat() == "2003-02-11"]
    assert expiries == [
        "Shares expired: 75,000 shares of award DO-1 not exercised by 2003-02-10",
        "Shares expired: 15,000 shares of award FO-2000-06-15-D-2 not exercised by 2003-02-10",
    ]
    estate_split = run.mail("Stock split 3-for-2 on 2002-03-15: awards of Eve Elder restated")
    assert estate_split.text.startswith("To the estate of Eve Elder,")
    reminders = [m.subject for m in run.mails if m.day.isoformat() == "2003-02-03"]
    assert reminders == [
        "Reminder: 7 days left to exercise award DO-1 (deadline 2003-02-10)",
        "Reminder: 7 days left to exercise award FO-2000-06-15-D-2 (deadline 2003-02-10)",
    ]


def test_every_email_is_well_formed(run: Run) -> None:
    for mail in run.mails:
        assert_well_formed(mail)
        if mail.to != ADMIN:
            assert "§" in mail.text, f"{mail.subject}: no plan section"


def test_notice_texts(run: Run) -> None:
    formula = run.mail("award FO-2000-06-15-D-1)").text
    assert "10,000" in formula and "20.0625" in formula
    assert "2000-06-15" in formula and "2005-06-15" in formula
    assert "Directors §6" in formula
    short = run.mail("award FO-2001-06-14-D-1)").text
    assert "4,820" in short and "§8(a)" in short
    deferred = [m for m in run.mails_to(DAN) if m.subject.startswith("Deferred stock award")]
    first = deferred[0].text  # the 2000 annual fee
    assert "1,659" in first and "15.0625" in first and "11.3125" in first
    assert "2000-01-03" in first and "2003-01-02" in first and "Directors §7" in first
    issued = run.mail("Deferred stock issued: 2,488 shares on 2003-01-02")
    assert issued.to == DAN and "§7(b)" in issued.text
    death = run.mail("after death on 2002-02-10").text
    assert "Last day to exercise: Monday, 2003-02-10" in death and "Directors §6(h)" in death
    reminder = run.mail("30 days left to exercise award DO-1").text
    assert "Shares that can be exercised: 75,000" in reminder and "Directors §6(h)" in reminder
    exercise = run.mail("Exercise confirmed: 7,230 shares on 2003-01-20")
    assert exercise.to == EVE_ESTATE and exercise.text.startswith("To the estate of Eve Elder,")
    assert "Shares still exercisable: 0 on 2003-01-20" in exercise.text
    assert "Rule: Directors §6(e)" in exercise.text
    grant = run.mail("Your stock option grant of 2001-03-01")
    assert grant.to == EVE and "Shares: 150,000" in grant.text
    assert "Rule: Directors §6(b)" in grant.text
    gus = run.mail("30 days left to exercise award FO-2000-06-15-D-4").text
    assert "2001-09-14" in gus and "Directors §6(i)" in gus
