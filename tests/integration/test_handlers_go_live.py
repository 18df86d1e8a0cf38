"""Go-live (docs/plan-rules.md "Facts in time"), through the real handlers on moto.

A stack that starts with years of history (GO_LIVE_DATE, the template's GoLiveDate)
applies every fact dated before go-live with every rule and announces none of it to
participants; a window open at go-live gets its remaining reminders and its expiry;
every file with a row applied as history gets an administrator summary counting them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    PEOPLE_CSV,
    assert_pools_match_awards,
    award,
    emails,
    feed,
    notice_kind,
    plain,
    report,
    run_daily,
    subject,
    to,
)

GO_LIVE = date(2002, 5, 1)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
# E1: G-1 granted 1999-10-04, vested 2000-10-04 and 2001-10-04; 2,000 shares exercised
# 2000-11-01. E2: G-2 granted 2000-01-10, terminated 2002-02-20 (other): 3 months to
# 2002-05-20 (1998 §6.a.(5)(B)), a window open at go-live whose 30-day reminder day
# (2002-04-20) is before go-live and whose 7-day one (2002-05-13) is after.
HISTORY_GRANTS = GRANTS_HEADER + (
    "G-1,E1,incentive-1998,nso,1999-10-04,12000,31.125,2009-10-04,"
    "2000-10-04:6000;2001-10-04:6000\n"
    "G-2,E2,incentive-1998,nso,2000-01-10,4000,30.00,2010-01-10,\n"
)
PRICES = "date,last_sale\n1999-10-04,31.125\n2000-01-10,30.00\n2002-04-30,20.00\n"


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GO_LIVE_DATE", GO_LIVE.isoformat())


@pytest.fixture
def loaded(live: None, local_stack: Any) -> Any:
    """The old register loaded on the go-live day, in the README's order."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, GO_LIVE)
    feed(stack, "prices", PRICES, GO_LIVE)
    feed(stack, "grants", HISTORY_GRANTS, GO_LIVE)
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE2,2002-02-20,other\n",
        GO_LIVE,
    )
    feed(stack, "exercises", "award_id,exercise_date,shares\nG-1,2000-11-01,2000\n", GO_LIVE)
    return stack


def participant_mail(stack: Any) -> list[Any]:
    return [m for m in emails(stack) if to(m) != ADMIN]


def test_go_live_history_is_applied_with_every_rule_and_announced_to_nobody(loaded: Any) -> None:
    """docs/plan-rules.md "Facts in time" (go-live): grants, a termination and an
    exercise dated before go-live are applied (vesting, the 3-month window of 1998
    §6.a.(5)(B), the pool) but no grant, termination or exercise notice is sent."""
    stack = loaded
    run_daily(stack, GO_LIVE)
    assert participant_mail(stack) == []
    rep = report(stack, GO_LIVE)
    g1, g2 = award(rep, "G-1"), award(rep, "G-2")
    assert (g1["shares_exercised"], g1["exercisable_shares"]) == (2000, 10000)
    assert g2["exercise_deadline"] == "2002-05-20" and g2["exercisable_shares"] == 4000
    assert rep["pools"]["incentive-1998"]["outstanding"] == 14000
    assert_pools_match_awards(stack)


def test_go_live_every_file_with_history_rows_gets_a_summary_counting_them(loaded: Any) -> None:
    """docs/plan-rules.md "Facts in time": every file with a row applied as history
    gets an administrator summary that counts them, besides the usual counts."""
    stack = loaded
    summaries = {subject(m): plain(m) for m in emails(stack) if to(m) == ADMIN}
    grants = next(text for s, text in summaries.items() if "grants" in s)
    assert "Feed grants: 2 rows applied as history" in next(s for s in summaries if "grants" in s)
    assert "Applied as history (dated before go-live): 2" in grants
    assert "2002-05-01" in grants
    assert any("terminations: 1 row applied as history" in s for s in summaries)
    assert any("exercises: 1 row applied as history" in s for s in summaries)


def test_go_live_a_window_open_at_go_live_gets_its_remaining_reminder_and_its_expiry(
    loaded: Any,
) -> None:
    """docs/plan-rules.md "Facts in time": a window open at go-live gets its remaining
    reminders and its expiry: E2's deadline 2002-05-20 has its 30-day reminder day
    (2002-04-20) before go-live, so only the 7-day one (2002-05-13) and the expiry
    notice (2002-05-21) are sent, once each."""
    stack = loaded
    day = GO_LIVE
    while day <= date(2002, 5, 22):
        run_daily(stack, day)
        day += timedelta(days=1)
    sent = [(notice_kind(m), str(m["Date"])) for m in participant_mail(stack)]
    assert [k for k, _ in sent] == ["reminder", "expiry"]
    reminder = next(m for m in participant_mail(stack) if notice_kind(m) == "reminder")
    assert "13 May 2002" in str(reminder["Date"]) and "7 days" in plain(reminder)
    assert award(report(stack, date(2002, 5, 22)), "G-2")["shares_expired"] == 4000


def test_go_live_a_fact_dated_on_or_after_go_live_is_news_however_late_it_is_fed(
    loaded: Any,
) -> None:
    """docs/plan-rules.md "Facts in time": a fact dated on or after go-live is news:
    an exercise dated 2002-05-02 fed on 2002-05-06 is confirmed; a correction of a
    history termination is not announced."""
    stack = loaded
    feed(
        stack,
        "exercises",
        "award_id,exercise_date,shares\nG-1,2002-05-02,100\n",
        date(2002, 5, 6),
        name="new",
    )
    assert [notice_kind(m) for m in participant_mail(stack)] == ["exercise"]
    feed(
        stack,
        "corrections",
        "request_id,action,participant_id,termination_date,reason\n"
        "C-1,correct_termination,E2,2002-02-21,other\n",
        date(2002, 5, 6),
    )
    assert [notice_kind(m) for m in participant_mail(stack)] == ["exercise"]
    assert award(report(stack, date(2002, 5, 6)), "G-2")["exercise_deadline"] == "2002-05-21"


def test_go_live_setting_is_validated() -> None:
    """GO_LIVE_DATE (the template's GoLiveDate) is empty or a calendar date."""
    from stockplan.config import Settings

    base = {
        "TABLE_NAME": "tbl",
        "BUCKET_NAME": "bkt",
        "SENDER_EMAIL": "a@b.c",
        "ADMIN_EMAIL": "a@b.c",
    }
    assert Settings.from_env(base).go_live is None
    assert Settings.from_env({**base, "GO_LIVE_DATE": " "}).go_live is None
    assert Settings.from_env({**base, "GO_LIVE_DATE": "2002-05-01"}).go_live == GO_LIVE
    for bad in ("2002-02-30", "May 1 2002", "2002-5-1"):
        with pytest.raises(ValueError, match="GO_LIVE_DATE"):
            Settings.from_env({**base, "GO_LIVE_DATE": bad})
