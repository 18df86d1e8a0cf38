"""The daily job's periodic mail (docs/interfaces.md §4; issue 16), through the DailyFunction
on the embedded stack: the administrator's monthly report on the first business day of
each month (email, reports/YYYY-MM.html, .csv and .json in the bucket) and the annual
statements in the first business week of each year, each sent exactly once however
often the schedule fires."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    PEOPLE_CSV,
    bucket_keys,
    emails,
    feed,
    html,
    notice_kind,
    plain,
    report,
    run_daily,
    subject,
    to,
)

from stockplan_cli.main import main

MAR15 = date(2002, 3, 15)
APR1 = date(2002, 4, 1)  # the first business day of April 2002 (a Monday)
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2005-01-10,\n"
    "G2,E2,incentive-1998,nso,2002-03-15,500,10.00,2002-06-01,\n"
)
BAD_GRANT = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G9,NOBODY,incentive-1998,nso,2002-03-20,10,10.00,2005-01-10,\n"
)


@pytest.fixture
def granted(local_stack: Any) -> Any:
    """Ann (E1) holds G1 (deadline 2005-01-10), Bob (E2) G2 (deadline 2002-06-01), both
    granted 2002-03-15; a grants row of 2002-03-20 names nobody and is rejected."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-14,10.00\n", MAR15)
    feed(stack, "grants", GRANTS, MAR15)
    run_daily(stack, MAR15)
    feed(stack, "grants", BAD_GRANT, date(2002, 3, 20), name="2002-03-20")
    return stack


def _kinds(stack: Any, kind: str) -> list[Any]:
    return [m for m in emails(stack) if notice_kind(m) == kind]


def _object(stack: Any, key: str) -> bytes:
    body: bytes = stack.runtime.s3.get_object(Bucket=stack.stack.bucket, Key=key)["Body"].read()
    return body


def test_the_monthly_report_is_emailed_and_filed_on_the_first_business_day_once(
    granted: Any,
) -> None:
    stack = granted
    # The run of 2002-03-15 found February empty and no report before it: none for it.
    assert _kinds(stack, "monthly-report") == []
    run_daily(stack, date(2002, 3, 29))  # Good Friday: the NYSE is closed, still March
    assert _kinds(stack, "monthly-report") == []
    for _ in range(2):  # the schedule fires twice on the first business day
        run_daily(stack, APR1)
    run_daily(stack, date(2002, 4, 2))
    sent = _kinds(stack, "monthly-report")
    assert len(sent) == 1
    message = sent[0]
    assert to(message) == ADMIN
    assert subject(message).startswith("Monthly report 2002-03")
    assert str(message["Date"]).startswith("Mon, 01 Apr 2002")
    assert "<svg" in html(message) and "<script" not in html(message)
    assert bucket_keys(stack, "reports/") == [
        "reports/2002-03.csv",
        "reports/2002-03.html",
        "reports/2002-03.json",
    ]

    document = json.loads(_object(stack, "reports/2002-03.json"))
    # Pools as the state holds them (nothing changed since the run of 2002-04-01).
    pools = report(stack, APR1)["pools"]
    for plan, figures in pools.items():
        kept = document["pools"][plan]
        assert {k: kept[k] for k in figures} == figures
        assert len(kept["history"]) == 24 and kept["history"][-1]["month"] == "2002-03"
        assert kept["history"][-1]["outstanding"] == figures["outstanding"]
        assert all("reserved" not in h for h in kept["history"][:-1])
    assert pools["incentive-1998"]["outstanding"] == 1500
    # Every change of March by cause: the two grants, from the grants file's rows.
    grants = [c for c in document["changes"] if c["award_id"] in ("G1", "G2")]
    assert {c["cause"] for c in grants} == {"feed incoming/grants/2002-03-15.csv"}
    assert {c["participant_name"] for c in grants} == {"Ann Lee", "Bob Roe"}
    # The rejected row of March 20, and the deadline of the next 90 days (G2's).
    assert [(r["day"], r["row"]) for r in document["rejections"]] == [("2002-03-20", 1)]
    assert [(d["day"], d["what"], d["ref"]) for d in document["deadlines"]][-1] == (
        "2002-06-01",
        "exercise deadline",
        "G2",
    )
    assert all(d["day"] <= "2002-06-30" for d in document["deadlines"])
    assert document["undelivered"] == []

    page = _object(stack, "reports/2002-03.html").decode("utf-8")
    assert page.count('class="month"') == 48  # 24 months of each plan's chart
    rows = list(
        csv.DictReader(io.StringIO(_object(stack, "reports/2002-03.csv").decode("utf-8-sig")))
    )
    assert {r["section"] for r in rows} == {"pools", "deadlines", "changes", "rejections"}
    # One CSV row per changed field of each change.
    fields = sum(len(c["change"]) for c in document["changes"])
    assert sum(r["section"] == "changes" for r in rows) == fields > len(document["changes"])
    assert "Rejected rows of the month (1)" in plain(message)


def test_a_missed_first_business_day_is_caught_up_by_the_next_run(granted: Any) -> None:
    stack = granted
    run_daily(stack, date(2002, 4, 3))
    run_daily(stack, date(2002, 4, 4))
    sent = _kinds(stack, "monthly-report")
    assert [subject(m)[:22] for m in sent] == ["Monthly report 2002-03"]
    assert str(sent[0]["Date"]).startswith("Wed, 03 Apr 2002")


def test_a_quiet_month_still_wakes_the_daily_job_on_its_first_business_day(
    granted: Any,
) -> None:
    stack = granted
    run_daily(stack, APR1)
    outcome = run_daily(stack, date(2002, 4, 2))
    assert outcome["applied"] == {}
    # Nothing falls due until G2's reminders (2002-05-02): the run of 2002-05-01 (the
    # first business day of May) is not skipped as quiet.
    run_daily(stack, date(2002, 5, 1))
    assert [subject(m)[:22] for m in _kinds(stack, "monthly-report")] == [
        "Monthly report 2002-03",
        "Monthly report 2002-04",
    ]


def test_the_run_that_sends_the_monthly_report_still_settles_the_schedule_marker(
    granted: Any,
) -> None:
    """docs/interfaces.md §4: the report's own marker write (before its notice commits)
    does not fail the settle of the run that sends it, so the next day is quiet."""
    from stockplan.data import marker

    stack = granted
    run_daily(stack, APR1)
    seen = marker.read(stack.runtime.table())
    assert [subject(m)[:22] for m in _kinds(stack, "monthly-report")] == ["Monthly report 2002-03"]
    assert seen.quiet_on(date(2002, 4, 2))
    assert seen.reported == "2002-03"
    # The next day's run stops at the marker: it writes nothing.
    run_daily(stack, date(2002, 4, 2))
    assert marker.read(stack.runtime.table()).version == seen.version


def test_annual_statements_go_once_to_every_holder_of_an_open_award(granted: Any) -> None:
    stack = granted
    run_daily(stack, date(2002, 12, 31))  # G2 expired on 2002-06-02: Bob holds nothing
    before = len(emails(stack))
    for day in (date(2003, 1, 2), date(2003, 1, 2), date(2003, 1, 3), date(2003, 1, 6)):
        run_daily(stack, day)
    statements = _kinds(stack, "statement")
    assert [to(m) for m in statements] == ["ann.lee@ctc.example.com"]
    message = statements[0]
    assert subject(message) == "Annual statement 2003: your stock awards as of 2003-01-02"
    text = plain(message)
    assert "Award G1 (non-qualified stock option)" in text
    assert "Exercisable now: 1,000" in text and "2005-01-10" in text
    # The same run made December's report; nothing else went out twice.
    reports = [subject(m)[:22] for m in _kinds(stack, "monthly-report")]
    assert reports.count("Monthly report 2002-12") == 1
    assert len(emails(stack)) - before == 2


def test_no_statement_before_the_first_business_day_or_after_january(granted: Any) -> None:
    stack = granted
    run_daily(stack, date(2003, 1, 1))  # New Year's Day: the NYSE is closed
    assert _kinds(stack, "statement") == []
    run_daily(stack, date(2003, 2, 3))  # the January run was missed altogether
    assert _kinds(stack, "statement") == []


def test_stockplan_statement_writes_html_and_text_as_of_a_day(
    granted: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = granted
    run_daily(stack, date(2002, 6, 3))  # G2 expires
    args = ["statement", "--table", stack.stack.table, "--participant", "E2"]
    assert main([*args, "--as-of", "2002-05-01", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    page = tmp_path / "statement-E2-2002-05-01.html"
    assert str(page) in printed
    text = (tmp_path / "statement-E2-2002-05-01.txt").read_text()
    # On 2002-05-01 G2 was still open: its history is brought to that day.
    assert "Outstanding: 500" in text and "Status: outstanding" in text
    assert "<!DOCTYPE html>" in page.read_text()
    assert main([*args, "--as-of", "2002-07-01"]) == 0
    later = capsys.readouterr().out
    # Closed by then: listed after what is open, on one line.
    assert (
        "Closed: 1 award" in later
        and ": expired (500 granted, 0 exercised, 0 forfeited, 500 expired)"
        in " ".join(later.split())
    )
    assert later.startswith("Dear Bob Roe,")


def test_stockplan_statement_of_an_unknown_participant_is_a_one_line_reason(
    granted: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["statement", "--table", granted.stack.table, "--participant", "NOBODY"])
    assert code == 1
    assert (
        capsys.readouterr().err.strip() == "stockplan statement: no participant NOBODY is recorded"
    )
