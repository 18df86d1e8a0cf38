"""End to end: facts in time (docs/plan-rules.md "Facts in time", "Fair Market Value").

Scenario scenarios/facts-in-time/, simulated 2002-05-01 .. 2002-09-30. The company
starts on 2002-05-01 with its history (grants of 1999-2001, a termination of
2002-03-15 whose window is still open), then runs:

- E-2 Beth Burns left on 2002-03-15: NSO G-2 4,000 @ 40.00 has its 3-month window to
  Saturday 2002-06-15 (1998 §6.a.(5)(B)); the window open on the first day gets its
  remaining reminders (2002-05-16, 2002-06-08) and its expiry (2002-06-16), to her
  personal address.
- E-1 Carl Chen, the CEO, retires from employment on 2002-05-31 (service employment)
  and stays on the board as a non-employee director from 2002-06-01 (the role change
  fed 2002-06-03, after the termination): G-1 10,000 @ 31.0625, held in respect of
  the employment, gets 3 months, to Saturday 2002-08-31 (1998 §6.a.(5), last
  paragraph); the notice of the end of employment goes to his personal address, the
  others to his work address, the directorship going on. At the 2002-06-13 meeting he
  is an Eligible Director (Directors §5, §6(a)).
- E-3 Hal Hart's termination of 2002-06-28 is fed on 2002-05-01: applied on its date,
  with its notice then (1,000 of G-3 vested on 2002-06-01, 1,000 forfeited).
- Prices stop on 2002-05-31 and resume on 2002-06-17 (a two-week gap): the formula
  options of the 2002-06-13 meeting need the FMV of 2002-06-12, and 2002-05-31 is 8
  trading days older, so they wait; the administrator is told once on 2002-06-13;
  they are made on 2002-06-17 with the meeting's date at 2002-06-12's 22.00.
- D-1 Dee Dorsey exercises 2,000 of her formula option on 2002-07-15.
- A covered transaction on 2002-09-20, not assumed, is fed on 2002-07-22 (60 days
  ahead): every open option vests and ends on 2002-09-20 (1998 §7.a; Directors §6(j)).

The company goes live on 2002-05-01 (`simulate --go-live 2002-05-01`): the history
loaded that day (grants, Beth's termination) is applied with every rule and announced
to no participant; the administrator's summaries count the rows applied as history.
The covered transaction, recorded 60 days ahead, is announced at once to every holder
(with the administrator's list) and its 30- and 7-day reminders go out on 2002-08-21
and 2002-09-13.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_support import ADMIN, Run, assert_well_formed, simulate, timeline

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "facts-in-time"
START, END = "2002-05-01", "2002-09-30"
CARL, CARL_HOME = "carl@ctc.example.com", "carl@home.example.com"
BETH, BETH_HOME = "beth@ctc.example.com", "beth@home.example.com"
HAL, DEE = "hal@ctc.example.com", "dee@board.example.com"
COVERED = (
    "Covered transaction on 2002-09-20: your awards vest in full and your options end that day"
)

ANNOUNCED = "Covered transaction on 2002-09-20: your awards will vest in full; exercise by then"
FEEDS = "incoming"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulate(SCENARIO, START, END, tmp_path_factory.mktemp("facts_in_time"), go_live=START)


def test_every_notice_in_order(run: Run) -> None:
    assert run.exit_code == 0 and run.rejections == []
    assert timeline(run) == [
        # Go-live: the history is applied and told to nobody but the administrator.
        (
            "2002-05-01",
            ADMIN,
            f"Feed prices: 5 rows applied as history ({FEEDS}/prices/{START}.csv)",
        ),
        (
            "2002-05-01",
            ADMIN,
            f"Feed grants: 4 rows applied as history ({FEEDS}/grants/{START}.csv)",
        ),
        (
            "2002-05-01",
            ADMIN,
            f"Feed terminations: 1 row applied as history ({FEEDS}/terminations/{START}.csv)",
        ),
        # Beth's window, open at go-live: its remaining reminders and its expiry.
        (
            "2002-05-16",
            BETH_HOME,
            "Reminder: 30 days left to exercise award G-2 (deadline 2002-06-15)",
        ),
        # Carl's employment ends; the directorship goes on.
        ("2002-05-31", CARL_HOME, "Your stock awards after your employment ended on 2002-05-31"),
        (
            "2002-06-08",
            BETH_HOME,
            "Reminder: 7 days left to exercise award G-2 (deadline 2002-06-15)",
        ),
        # The gap in prices: the meeting's options wait, the administrator is told once.
        ("2002-06-13", ADMIN, "Waiting for a price: the Closing Price of 2002-06-12"),
        (
            "2002-06-16",
            BETH_HOME,
            "Shares expired: 4,000 shares of award G-2 not exercised by 2002-06-15",
        ),
        (
            "2002-06-17",
            DEE,
            "Formula option granted: 10,000 shares at $22.00 (award FO-2002-06-13-D-1)",
        ),
        (
            "2002-06-17",
            CARL,
            "Formula option granted: 10,000 shares at $22.00 (award FO-2002-06-13-E-1)",
        ),
        # The termination fed on 2002-05-01 for its own date.
        ("2002-06-28", HAL, "Your stock awards after your employment ended on 2002-06-28"),
        ("2002-07-15", DEE, "Exercise confirmed: 2,000 shares on 2002-07-15"),
        # The covered transaction recorded 60 days ahead: every holder told at once.
        ("2002-07-22", DEE, ANNOUNCED),
        ("2002-07-22", CARL, ANNOUNCED),
        ("2002-07-22", HAL, ANNOUNCED),
        ("2002-07-22", ADMIN, "Covered transaction of 2002-09-20 announced to 3 holders"),
        ("2002-08-01", CARL, "Reminder: 30 days left to exercise award G-1 (deadline 2002-08-31)"),
        # 30 days before the transaction, for every option it will end.
        ("2002-08-21", DEE, "Reminder: 30 days left to exercise award DO-1 (deadline 2002-09-20)"),
        (
            "2002-08-21",
            DEE,
            "Reminder: 30 days left to exercise award FO-2002-06-13-D-1 (deadline 2002-09-20)",
        ),
        (
            "2002-08-21",
            CARL,
            "Reminder: 30 days left to exercise award FO-2002-06-13-E-1 (deadline 2002-09-20)",
        ),
        ("2002-08-21", HAL, "Reminder: 30 days left to exercise award G-3 (deadline 2002-09-20)"),
        ("2002-08-24", CARL, "Reminder: 7 days left to exercise award G-1 (deadline 2002-08-31)"),
        # Hal's own window, to Saturday 2002-09-28, before the transaction cuts it short.
        ("2002-08-29", HAL, "Reminder: 30 days left to exercise award G-3 (deadline 2002-09-28)"),
        (
            "2002-09-01",
            CARL,
            "Shares expired: 10,000 shares of award G-1 not exercised by 2002-08-31",
        ),
        ("2002-09-13", DEE, "Reminder: 7 days left to exercise award DO-1 (deadline 2002-09-20)"),
        (
            "2002-09-13",
            DEE,
            "Reminder: 7 days left to exercise award FO-2002-06-13-D-1 (deadline 2002-09-20)",
        ),
        (
            "2002-09-13",
            CARL,
            "Reminder: 7 days left to exercise award FO-2002-06-13-E-1 (deadline 2002-09-20)",
        ),
        ("2002-09-13", HAL, "Reminder: 7 days left to exercise award G-3 (deadline 2002-09-20)"),
        ("2002-09-20", DEE, COVERED),
        ("2002-09-20", CARL, COVERED),
        ("2002-09-20", HAL, COVERED),
        (
            "2002-09-21",
            DEE,
            "Shares expired: 5,000 shares of award DO-1 not exercised by 2002-09-20",
        ),
        (
            "2002-09-21",
            DEE,
            "Shares expired: 8,000 shares of award FO-2002-06-13-D-1 not exercised by 2002-09-20",
        ),
        (
            "2002-09-21",
            CARL,
            "Shares expired: 10,000 shares of award FO-2002-06-13-E-1 not exercised by 2002-09-20",
        ),
        (
            "2002-09-21",
            HAL,
            "Shares expired: 1,000 shares of award G-3 not exercised by 2002-09-20",
        ),
    ]
    # Nobody was told of a fact dated before go-live.
    assert not [m for m in run.mails if m.day.isoformat() == START and m.to != ADMIN]
    for mail in run.mails:
        assert_well_formed(mail)


def _figures(run: Run, award_id: str) -> tuple[object, ...]:
    a = run.award(award_id)
    return (
        a["grant_date"],
        a["exercise_price"],
        a["shares_granted"],
        a["shares_exercised"],
        a["shares_forfeited"],
        a["shares_expired"],
        a["shares_outstanding"],
        a["exercise_deadline"],
        a["status"],
    )


def test_the_report_on_the_last_day(run: Run) -> None:
    assert [a["award_id"] for a in run.report["awards"]] == [
        "G-1",
        "G-2",
        "DO-1",
        "G-3",
        "FO-2002-06-13-D-1",
        "FO-2002-06-13-E-1",
    ]
    # 1998 §6.a.(5)(B): 3 months after the end of employment, a Saturday.
    assert _figures(run, "G-1") == (
        "1999-10-04",
        "31.0625",
        10000,
        0,
        0,
        10000,
        0,
        "2002-08-31",
        "expired",
    )
    assert _figures(run, "G-2") == (
        "2000-01-03",
        "40.00",
        4000,
        0,
        0,
        4000,
        0,
        "2002-06-15",
        "expired",
    )
    # Hal: 1,000 forfeited on 2002-06-28; the covered transaction ends the rest on
    # 2002-09-20, before his 2002-09-28 (ties: expired over forfeited).
    assert _figures(run, "G-3") == (
        "2001-06-01",
        "25.00",
        2000,
        0,
        1000,
        1000,
        0,
        "2002-09-20",
        "expired",
    )
    assert _figures(run, "DO-1") == (
        "2000-06-15",
        "30.00",
        5000,
        0,
        0,
        5000,
        0,
        "2002-09-20",
        "expired",
    )
    # Made on 2002-06-17 with the meeting's date and 2002-06-12's Closing Price.
    assert _figures(run, "FO-2002-06-13-D-1") == (
        "2002-06-13",
        "22.00",
        10000,
        2000,
        0,
        8000,
        0,
        "2002-09-20",
        "expired",
    )
    assert _figures(run, "FO-2002-06-13-E-1") == (
        "2002-06-13",
        "22.00",
        10000,
        0,
        0,
        10000,
        0,
        "2002-09-20",
        "expired",
    )
    assert run.award("FO-2002-06-13-E-1")["final_exercise_date"] == "2007-06-13"
    assert run.report["deferred_stock"] == []
    assert run.report["pools"] == {
        "incentive-1998": {
            "reserved": 2250000,
            "outstanding": 0,
            "delivered": 0,
            "available": 2250000,
        },
        "directors-1999": {
            "reserved": 200000,
            "outstanding": 0,
            "delivered": 2000,
            "available": 198000,
        },
    }


def test_the_ceo_is_told_of_the_end_of_employment_at_home_with_the_saturday_deadline(
    run: Run,
) -> None:
    (notice,) = run.mails_to(CARL_HOME)
    assert "Your employment with CTC Communications Group, Inc. ended on 2002-05-31" in notice.text
    assert "Last day to exercise: Saturday, 2002-08-31" in notice.text
    assert "Rule: 1998 §6.a.(5)(B)" in notice.text
    assert (
        "2002-08-31 falls on a Saturday, when the exchange is closed; the deadline does not "
        "move, so the Administrator must receive the notice of exercise by the end of that "
        "day (1998 §6.b.(1))."
    ) in notice.text
    assert '<span style="white-space:nowrap;">Saturday, 2002-08-31</span>' in notice.html


def test_the_formula_options_name_the_closing_price_they_were_made_at(run: Run) -> None:
    alert = run.mail("Waiting for a price")
    assert alert.to == ADMIN
    assert (
        "No Closing Price for 2002-06-12 or the 5 trading days before it; the latest is "
        "2002-05-31 \N{EM DASH} upload prices."
    ) in alert.text
    assert (
        "Waiting for it: the formula options of the 2002-06-13 annual meeting "
        "(D-1, E-1; Directors §6(a), §6(c))."
    ) in alert.text
    carl = run.mail("(award FO-2002-06-13-E-1)")
    assert carl.to == CARL  # the directorship goes on: the work address
    assert (
        "Exercise price: $22.00 per share, the Fair Market Value: the closing price of "
        "2002-06-12 (Directors §6(c))"
    ) in carl.text
    assert "Final exercise date: Wednesday, 2007-06-13" in carl.text


def test_the_scheduled_termination_is_applied_and_told_on_its_date(run: Run) -> None:
    hal = run.mail("ended on 2002-06-28")
    assert hal.day.isoformat() == "2002-06-28"
    assert "Vested shares: 1,000" in hal.text
    assert "Unvested shares forfeited: 1,000 on 2002-06-28" in hal.text
    assert "Last day to exercise: Saturday, 2002-09-28" in hal.text
    reminder = run.mail("award G-3 (deadline 2002-09-28)")
    assert "falls on a Saturday" in reminder.text


def test_the_covered_transaction_ends_every_open_option_on_its_day(run: Run) -> None:
    for address, award_id, before in (
        (HAL, "G-3", "Saturday, 2002-09-28"),
        (DEE, "DO-1", "Tuesday, 2010-06-15"),
        (DEE, "FO-2002-06-13-D-1", "Wednesday, 2007-06-13"),
        (CARL, "FO-2002-06-13-E-1", "Wednesday, 2007-06-13"),
    ):
        (notice,) = [m for m in run.mails_to(address) if m.subject == COVERED]
        assert f"Award {award_id}" in notice.text
        assert f"Last day to exercise: Friday, 2002-09-20; it was {before}" in notice.text


def test_the_covered_transaction_is_announced_with_the_new_deadlines(run: Run) -> None:
    """docs/plan-rules.md "Facts in time": recorded before its date, every holder of an
    outstanding award is told at once (1998 §7.a; Directors §6(j))."""
    (carl,) = [m for m in run.mails_to(CARL) if m.subject == ANNOUNCED]
    assert carl.day.isoformat() == "2002-07-22"
    assert "must be exercised on or before Friday, 2002-09-20" in carl.text
    assert (
        "Last day to exercise: Friday, 2002-09-20 (until the transaction: Wednesday, 2007-06-13)"
    ) in carl.text
    # G-1's own deadline comes first, on a Saturday: the Administrator must have the
    # notice of exercise by then (1998 §6.b.(1)).
    assert "Last day to exercise: Saturday, 2002-08-31, unchanged" in carl.text
    assert "2002-08-31 falls on a Saturday" in carl.text
    admin = run.mail("announced to 3 holders")
    assert "E-1 Carl Chen: 2 awards" in admin.text
