"""End to end: the 1998 Incentive Plan's termination windows, through `stockplan simulate`.

Scenario tests/e2e/scenarios/termination_windows/, simulated 2002-01-01 .. 2004-03-31.
Every expected figure below is worked out by hand from the plan text and docs/plan-rules.md; the
working is in the comments. The people:

- E-1 Alice Able (personal_email): NSO G-A1 12,000 @ 10.00 vesting 6,000 on 2002-06-01
  and 6,000 on 2003-06-01; restricted stock G-R1 1,000 vesting 500 + 500 on the same
  days. Voluntary termination 2002-11-30 (fed Monday 2002-12-02); exercises 2,000 on
  2003-01-15 with 500 withheld.
- E-2 Carl Cause (no personal_email): NSO G-C1 5,000 @ 10.00 vesting 2,000 on
  2002-03-01 and 3,000 on 2003-03-01. Terminated for cause 2002-09-16; an exercise dated
  2002-09-16 is fed the next day.
- E-3 Dora Dunn (personal and estate email): NSO G-D1 8,000 @ 10.00 vesting 4,000 on
  2002-06-01 and 4,000 on 2003-06-01. Retires 2003-01-31, dies 2003-03-10 (fed
  2003-03-12) while her three-month window is open.
- E-4 Tess Tenpercent (ten_percent_holder): ISO G-T1 3,000 on 2002-03-01 at exactly 110%
  of FMV; ISO G-T2 1,000 just below it.
- E-5 Lou Late (personal_email): NSO G-L1 1,000 @ 10.00, vested at grant. Involuntary
  termination 2003-05-30, which HR feeds only on 2003-09-02, after the window closed.
- Bad input: a grant for unknown E-9; an exercises file without its `shares` column.
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
    simulate,
    timeline,
)

SCENARIO = SCENARIOS / "termination_windows"
START, END = "2002-01-01", "2004-03-31"

ALICE = "alice@home.example.com"  # terminated: personal_email, not the work mailbox
CARL = "carl@ctc.example.com"  # terminated, no personal_email: email
DORA_HOME = "dora@home.example.com"
DORA_ESTATE = "dora.estate@example.com"  # after death: estate_email, never her own
LOU = "lou@home.example.com"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out: Path = tmp_path_factory.mktemp("termination_windows")
    return simulate(SCENARIO, START, END, out)


def test_the_command_succeeds_and_summarises(run: Run) -> None:
    assert run.exit_code == 0
    assert "Simulated 821 days (2002-01-01 to 2004-03-31)" in run.stdout
    assert run.report["as_of"] == END


def test_voluntary_termination_month_end_clamp(run: Run) -> None:
    # G-A1: terminated 2002-11-30 (voluntary). Tranche 2002-06-01 (6,000) is on or before
    # the termination date -> vested; tranche 2003-06-01 (6,000) -> forfeited.
    # Deadline: 2002-11-30 + 3 months = 2003-02-30 -> no such day -> 2003-02-28
    # (month-end clamp, 1998 §6.a.(5)(B)); final date 2012-01-02 does not cap it.
    # Exercised 2,000 on 2003-01-15 (before the deadline); the other 4,000 vested shares
    # expire the day after the deadline. status: forfeited 6,000 is the largest figure.
    assert award_figures(run.award("G-A1")) == {
        "shares_granted": 12000,
        "shares_exercised": 2000,
        "shares_forfeited": 6000,
        "shares_expired": 4000,
        "shares_outstanding": 0,
        "exercisable_shares": 0,
        "exercise_price": Decimal("10"),
        "final_exercise_date": "2012-01-02",
        "exercise_deadline": "2003-02-28",
        "status": "forfeited",
    }


def test_restricted_stock_delivers_as_it_vests_and_forfeits_the_rest(run: Run) -> None:
    # G-R1: 500 vest on 2002-06-01 and are delivered; the 500 of 2003-06-01 are not vested
    # on 2002-11-30 and are forfeited (1998 §6.a.(5): non-option awards are forfeited to
    # the extent not vested). No exercise, so no deadline. Tie 500/500: forfeited wins.
    assert award_figures(run.award("G-R1")) == {
        "shares_granted": 1000,
        "shares_exercised": 500,
        "shares_forfeited": 500,
        "shares_expired": 0,
        "shares_outstanding": 0,
        "exercisable_shares": 0,
        "exercise_price": None,
        "final_exercise_date": None,
        "exercise_deadline": None,
        "status": "forfeited",
    }


def test_cause_termination_ends_everything_the_day_before(run: Run) -> None:
    # G-C1: cause on 2002-09-16 -> nothing can be exercised on or after it: deadline =
    # 2002-09-15 (1998 §6.a.(5)(C)). Vested 2,000 (tranche 2002-03-01) -> expired;
    # unvested 3,000 (tranche 2003-03-01) -> forfeited. status: forfeited (3,000 > 2,000).
    assert award_figures(run.award("G-C1")) == {
        "shares_granted": 5000,
        "shares_exercised": 0,
        "shares_forfeited": 3000,
        "shares_expired": 2000,
        "shares_outstanding": 0,
        "exercisable_shares": 0,
        "exercise_price": Decimal("10"),
        "final_exercise_date": "2012-01-02",
        "exercise_deadline": "2002-09-15",
        "status": "forfeited",
    }


def test_death_within_an_open_window_gets_the_death_window(run: Run) -> None:
    # G-D1: retired 2003-01-31: vested 4,000 (2002-06-01), forfeited 4,000 (2003-06-01);
    # window 2003-01-31 + 3 months = 2003-04-31 -> clamp -> 2003-04-30 (§6.a.(5)(B)).
    # Dies 2003-03-10, inside that window -> 1 year from death: 2004-03-10 (later than
    # 2003-04-30, before the final date 2012-01-02) (1998 §6.a.(5)(A), docs/plan-rules.md).
    # Nothing exercised: 4,000 expire on 2004-03-11. Tie 4,000/4,000: expired wins.
    assert award_figures(run.award("G-D1")) == {
        "shares_granted": 8000,
        "shares_exercised": 0,
        "shares_forfeited": 4000,
        "shares_expired": 4000,
        "shares_outstanding": 0,
        "exercisable_shares": 0,
        "exercise_price": Decimal("10"),
        "final_exercise_date": "2012-01-02",
        "exercise_deadline": "2004-03-10",
        "status": "expired",
    }


def test_termination_fed_after_its_window_closed(run: Run) -> None:
    # G-L1: involuntary 2003-05-30 -> 2003-08-30 (a Saturday: weekends do not move a
    # deadline). Fed on 2003-09-02: the window is already over, so the daily run of
    # that day expires all 1,000 vested shares.
    assert award_figures(run.award("G-L1")) == {
        "shares_granted": 1000,
        "shares_exercised": 0,
        "shares_forfeited": 0,
        "shares_expired": 1000,
        "shares_outstanding": 0,
        "exercisable_shares": 0,
        "exercise_price": Decimal("10"),
        "final_exercise_date": "2012-01-02",
        "exercise_deadline": "2003-08-30",
        "status": "expired",
    }


def test_iso_to_a_ten_percent_holder_at_exactly_110_percent(run: Run) -> None:
    # FMV 2002-03-01: no last sale -> (11.00 + 11.25) / 2 = 11.125 (Directors §6(c)).
    # 110% x 11.125 = 12.2375: G-T1 at 12.2375 is accepted (1998 §6.b.(2)); still
    # outstanding on 2004-03-31 and vested at grant, so all 3,000 are exercisable.
    assert award_figures(run.award("G-T1")) == {
        "shares_granted": 3000,
        "shares_exercised": 0,
        "shares_forfeited": 0,
        "shares_expired": 0,
        "shares_outstanding": 3000,
        "exercisable_shares": 3000,
        "exercise_price": Decimal("12.2375"),
        "final_exercise_date": "2007-03-01",
        "exercise_deadline": "2007-03-01",
        "status": "outstanding",
    }
    ids = [a["award_id"] for a in run.report["awards"]]
    # Sorted by grant date, then award id; rejected grants are not awards.
    assert ids == ["G-A1", "G-C1", "G-D1", "G-L1", "G-R1", "G-T1"]


def test_pools(run: Run) -> None:
    # Reserve 2,250,000 since 1999-09-16 (Amendment No. 1); no split.
    # Outstanding: only G-T1 3,000. Delivered: G-A1 2,000 exercised - 500 withheld
    # (1998 §4.a(iv)) = 1,500, plus G-R1's 500 vested shares = 2,000.
    # Available: 2,250,000 - 3,000 - 2,000 = 2,245,000. Directors plan untouched.
    assert run.report["pools"] == {
        "incentive-1998": {
            "reserved": 2250000,
            "outstanding": 3000,
            "delivered": 2000,
            "available": 2245000,
        },
        "directors-1999": {
            "reserved": 200000,
            "outstanding": 0,
            "delivered": 0,
            "available": 200000,
        },
    }


def test_rejections(run: Run) -> None:
    rows = [(r["feed"], r["key"], r["row"]) for r in run.rejections]
    assert rows == [
        # 110% of 11.125 is 12.2375; 12.23 is below it (1998 §6.b.(2)).
        ("grants", "incoming/grants/2002-03-01.csv", 2),
        # E-9 was never loaded.
        ("grants", "incoming/grants/2002-03-01.csv", 3),
        # Whole file: no `shares` column -> row null.
        ("exercises", "incoming/exercises/2002-06-03.csv", None),
        # Exercise dated 2002-09-16 of G-C1, whose deadline is 2002-09-15.
        ("exercises", "incoming/exercises/2002-09-17.csv", 1),
    ]
    iso, unknown, whole_file, late = (r["reason"] for r in run.rejections)
    assert "110%" in iso and "12.2375" in iso and "1998 §6.b.(2)" in iso
    assert "unknown participant E-9" in unknown
    assert "shares" in whole_file
    assert "2002-09-15" in late and "1998 §6.a.(5)" in late
    assert run.rejections[1]["record"]["award_id"] == "G-X1"
    assert run.rejections[2]["record"] == {}
    assert run.rejections[3]["record"] == {
        "award_id": "G-C1",
        "exercise_date": "2002-09-16",
        "shares": "500",
        "shares_withheld": "0",
    }


def test_email_timeline(run: Run) -> None:
    # Date header = the simulated day on which each was sent.
    # Reminders: 30 and 7 calendar days before an inclusive deadline; expiry the day after.
    #   G-A1 2003-02-28: 2003-01-29, 2003-02-21, expired 2003-03-01.
    #   G-D1 2004-03-10: 2004-02-09 (2004 is a leap year), 2004-03-03, expired 2004-03-11.
    #   Dora's first window (2003-04-30) would have reminded on 2003-03-31 and
    #   2003-04-23; her death on 2003-03-10 moved the deadline, so those never go out.
    #   G-C1 (2002-09-15) and G-L1 (2003-08-30) were already past when fed: no reminder;
    #   their expiry goes out with the daily run of the day they were fed.
    # Each fed grant is told that day, at the work mailbox (nobody has left yet); Alice's
    # exercise is confirmed the day it is fed, at her personal_email.
    assert timeline(run) == [
        ("2002-01-02", "alice@ctc.example.com", "Your stock option grant of 2002-01-02"),
        ("2002-01-02", "alice@ctc.example.com", "Your restricted stock award of 2002-01-02"),
        ("2002-01-02", CARL, "Your stock option grant of 2002-01-02"),
        ("2002-01-02", "dora@ctc.example.com", "Your stock option grant of 2002-01-02"),
        ("2002-01-02", "lou@ctc.example.com", "Your stock option grant of 2002-01-02"),
        ("2002-03-01", "tess@ctc.example.com", "Your stock option grant of 2002-03-01"),
        ("2002-03-01", ADMIN, "Feed grants: 2 of 3 rows rejected (incoming/grants/2002-03-01.csv)"),
        ("2002-06-03", ADMIN, "Feed file rejected: incoming/exercises/2002-06-03.csv"),
        ("2002-09-16", CARL, "Your stock awards after your employment ended on 2002-09-16"),
        (
            "2002-09-16",
            CARL,
            "Shares expired: 2,000 shares of award G-C1 not exercised by 2002-09-15",
        ),
        (
            "2002-09-17",
            ADMIN,
            "Feed exercises: 1 of 1 row rejected (incoming/exercises/2002-09-17.csv)",
        ),
        ("2002-12-02", ALICE, "Your stock awards after your employment ended on 2002-11-30"),
        ("2003-01-15", ALICE, "Exercise confirmed: 2,000 shares on 2003-01-15"),
        (
            "2003-01-29",
            ALICE,
            "Reminder: 30 days left to exercise award G-A1 (deadline 2003-02-28)",
        ),
        ("2003-01-31", DORA_HOME, "Your stock awards after your employment ended on 2003-01-31"),
        (
            "2003-02-21",
            ALICE,
            "Reminder: 7 days left to exercise award G-A1 (deadline 2003-02-28)",
        ),
        (
            "2003-03-01",
            ALICE,
            "Shares expired: 4,000 shares of award G-A1 not exercised by 2003-02-28",
        ),
        ("2003-03-12", DORA_ESTATE, "Stock awards of Dora Dunn after death on 2003-03-10"),
        ("2003-09-02", LOU, "Your stock awards after your employment ended on 2003-05-30"),
        # Due 2003-08-31 but sent by the run of 2003-09-02: dated the day it was sent.
        (
            "2003-09-02",
            LOU,
            "Shares expired: 1,000 shares of award G-L1 not exercised by 2003-08-30",
        ),
        (
            "2004-02-09",
            DORA_ESTATE,
            "Reminder: 30 days left to exercise award G-D1 (deadline 2004-03-10)",
        ),
        (
            "2004-03-03",
            DORA_ESTATE,
            "Reminder: 7 days left to exercise award G-D1 (deadline 2004-03-10)",
        ),
        (
            "2004-03-11",
            DORA_ESTATE,
            "Shares expired: 4,000 shares of award G-D1 not exercised by 2004-03-10",
        ),
    ]


def test_every_email_is_well_formed(run: Run) -> None:
    for mail in run.mails:
        assert_well_formed(mail)
        if mail.to != ADMIN:
            assert "§" in mail.text, f"{mail.subject}: no plan section"
    # Nothing ever goes to a work mailbox after termination, or to the deceased: the
    # work mailboxes only had the grant notices of 2002-01-02.
    for work in ("alice@ctc.example.com", "dora@ctc.example.com"):
        assert {(m.day.isoformat(), m.subject.split(" of ")[0]) for m in run.mails_to(work)} <= {
            ("2002-01-02", "Your stock option grant"),
            ("2002-01-02", "Your restricted stock award"),
        }
    assert all(m.day >= run.mails[0].day for m in run.mails)


def test_termination_notice_lists_each_award(run: Run) -> None:
    text = run.mail("employment ended on 2002-11-30").text
    assert "Award G-A1" in text and "Award G-R1" in text
    assert "Vested shares: 6,000" in text
    assert "Last day to exercise: Friday, 2003-02-28" in text
    assert "Unvested shares forfeited: 6,000 on 2002-11-30" in text
    assert "1998 §6.a.(5)(B)" in text
    # G-R1 needs no exercise: its 500 vested shares were delivered, 500 are forfeited
    # under the main rule of 1998 §6.a.(5).
    restricted = text.split("Award G-R1", 1)[1]
    assert "Vested shares: 500" in restricted
    assert "Unvested shares forfeited: 500 on 2002-11-30" in restricted
    assert "Rule: 1998 §6.a.(5)\r\n" in restricted or "Rule: 1998 §6.a.(5)\n" in restricted
    cause = run.mail("employment ended on 2002-09-16").text
    assert "Last day to exercise: Sunday, 2002-09-15" in cause
    assert "Unvested shares forfeited: 3,000 on 2002-09-16" in cause
    assert "1998 §6.a.(5)(C)" in cause


def test_reminder_and_expiry_texts(run: Run) -> None:
    reminder = run.mail("30 days left to exercise award G-A1").text
    # On 2003-01-29: 6,000 vested - 2,000 exercised = 4,000 exercisable.
    assert "Shares that can be exercised: 4,000" in reminder
    assert "2003-02-28" in reminder and "1998 §6.a.(5)(B)" in reminder
    estate = run.mail("30 days left to exercise award G-D1").text
    assert "Shares that can be exercised: 4,000" in estate
    assert "2004-03-10" in estate and "1998 §6.a.(5)(A)" in estate
    expiry = run.mail("2,000 shares of award G-C1 not exercised").text
    assert "Expired shares: 2,000" in expiry and "1998 §6.a.(5)(C)" in expiry
    death = run.mail("after death on 2003-03-10").text
    assert "Last day to exercise: Wednesday, 2004-03-10" in death and "1998 §6.a.(5)(A)" in death


def test_exercise_confirmation_after_termination(run: Run) -> None:
    # G-A1: 2,000 of the 6,000 vested shares exercised on 2003-01-15, 500 withheld:
    # 1,500 delivered (1998 §4.a(iv)); 4,000 still exercisable until 2003-02-28. Alice
    # left on 2002-11-30: her personal_email gets it (docs/plan-rules.md "Notices").
    mail = run.mail("Exercise confirmed: 2,000 shares on 2003-01-15")
    assert mail.to == ALICE
    text = mail.text
    assert "Award: G-A1 (non-qualified stock option)" in text
    assert "Shares withheld for the price or taxes: 500" in text
    assert "Shares delivered: 1,500" in text
    assert "Exercise price: $10.00 per share" in text
    assert "Shares still exercisable: 4,000 on 2003-01-15" in text
    assert "Last day to exercise: Friday, 2003-02-28" in text
