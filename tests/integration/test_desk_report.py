"""`stockplan report` at the administrator's desk (issue 16), on the embedded stack: names
beside ids, what falls due in the next DAYS days, the CSV layout, the JSON additions,
and the command line's manners (--version, help and defaults on every option, a reader
that stops reading)."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from handlers_support import PEOPLE_CSV, feed, run_daily

from stockplan_cli.main import build_parser, main

MAR15 = date(2002, 3, 15)
MAY15 = date(2002, 5, 15)
AS_OF = "2004-12-20"
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G1,E1,incentive-1998,nso,2002-03-15,1000,10.00,2005-01-10,\n"
    "G2,E2,incentive-1998,nso,2002-03-15,500,10.00,2005-03-01,\n"
)


@pytest.fixture
def desk(local_stack: Any) -> Any:
    """Ann (E1) holds G1, whose deadline is 2005-01-10; Bob (E2) G2, deadline 2005-03-01;
    Dana (D1) defers a 2002 meeting fee: 37 shares issued on 2005-01-03 (Directors §7(b))."""
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    # Prices are fed once their day has come (one dated ahead is rejected).
    feed(stack, "prices", "date,last_sale\n2002-03-14,10.00\n", MAR15)
    feed(stack, "grants", GRANTS, MAR15)
    feed(stack, "elections", "participant_id,notice_date,action\nD1,2001-12-03,elect\n", MAR15)
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n", MAY15)
    feed(
        stack,
        "fees",
        "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-05-15,1500.00\n",
        MAY15,
    )
    run_daily(stack, MAY15)
    return stack


def _report(stack: Any, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["report", "--table", stack.stack.table, "--as-of", AS_OF, *extra]) == 0
    return capsys.readouterr().out


def test_the_report_names_each_holder_beside_the_id(
    desk: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = _report(desk, capsys)
    lines = {line.split()[0]: line for line in printed.splitlines() if line.startswith("G")}
    assert lines["G1"].split()[1:4] == ["E1", "Ann", "Lee"]
    assert lines["G2"].split()[1:4] == ["E2", "Bob", "Roe"]
    (deferred,) = [line.split() for line in printed.splitlines() if line.startswith("D1 ")]
    assert deferred[:5] == ["D1", "Dana", "Fox", "meeting", "2002-05-15"]
    assert "Deferred stock: 1" in printed


def test_upcoming_lists_deadlines_reminders_and_deferred_issues_within_the_days_asked(
    desk: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = _report(desk, capsys, "--upcoming", "30")

    assert printed.startswith(f"Due from {AS_OF} in the next 30 days: 3\n")
    rows = [line.split() for line in printed.splitlines()[2:]]
    # 2005-01-03: G1's 7-day reminder (its 30-day one, 2004-12-11, is past) and D1's
    # deferred stock; 2005-01-10: G1's deadline. G2's deadline (2005-03-01) and 30-day
    # reminder (2005-01-30) are after 2005-01-19.
    # Each day with its weekday beside it (docs/plan-rules.md "Notices").
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("Monday,", "2005-01-03", "7-day"),
        ("Monday,", "2005-01-03", "deferred"),
        ("Monday,", "2005-01-10", "exercise"),
    ]
    assert rows[0][4:8] == ["E1", "Ann", "Lee", "G1"]
    assert rows[1][5:8] == ["D1", "Dana", "Fox"]
    assert "37" in rows[1]
    assert rows[2][4:9] == ["E1", "Ann", "Lee", "G1", "1000"]

    data = json.loads(_report(desk, capsys, "--upcoming", "60", "--json"))
    assert [(u["day"], u["what"], u["ref"]) for u in data["upcoming"]] == [
        ("2005-01-03", "7-day reminder", "G1"),
        ("2005-01-03", "deferred stock issue", "meeting fee of 2002-05-15"),
        ("2005-01-10", "exercise deadline", "G1"),
        ("2005-01-30", "30-day reminder", "G2"),
    ]
    assert _report(desk, capsys, "--upcoming", "0").startswith(
        f"Due from {AS_OF} in the next 0 days: nothing"
    )


def test_the_json_keeps_report_json_and_adds_names_and_undelivered_notices(
    desk: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from stockplan.service.report import build_report

    data = json.loads(_report(desk, capsys, "--json"))
    expected = build_report(desk.runtime.table(), date.fromisoformat(AS_OF))
    assert {k: data[k] for k in expected} == expected
    assert data["participant_names"]["D1"] == "Dana Fox"
    assert data["undelivered_notices"] == []
    assert "upcoming" not in data  # only when asked for


def test_csv_writes_one_file_per_sheet_beside_the_name_given(
    desk: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _report(desk, capsys, "--csv", str(tmp_path / "desk" / "state.csv"))

    names = sorted(p.name for p in (tmp_path / "desk").iterdir())
    assert names == [
        "state-awards.csv",
        "state-deferred_stock.csv",
        "state-pools.csv",
        "state-undelivered_notices.csv",
        "state-upcoming.csv",
    ]
    raw = (tmp_path / "desk" / "state-awards.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 names right
    awards = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(a["award_id"], a["participant_id"], a["participant_name"]) for a in awards] == [
        ("G1", "E1", "Ann Lee"),
        ("G2", "E2", "Bob Roe"),
    ]
    assert (awards[0]["exercise_price"], awards[0]["exercise_deadline"]) == ("10.00", "2005-01-10")
    pools = list(csv.DictReader((tmp_path / "desk" / "state-pools.csv").open(encoding="utf-8-sig")))
    assert pools[1] == {
        "plan": "directors-1999",
        "reserved": "200000",
        "outstanding": "37",
        "delivered": "0",
        "available": "199963",
    }
    # The upcoming sheet covers 30 days when --upcoming is not given.
    upcoming = (tmp_path / "desk" / "state-upcoming.csv").read_text(encoding="utf-8-sig")
    assert len(upcoming.splitlines()) == 1 + 3


def test_report_reads_the_table_at_the_endpoint_given(
    desk: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    seen = []
    real = boto3.client

    def client(service: str, **kwargs: Any) -> Any:
        seen.append((service, kwargs.get("endpoint_url")))
        return real(service, **{k: v for k, v in kwargs.items() if k != "endpoint_url"})

    monkeypatch.setattr(boto3, "client", client)
    _report(desk, capsys, "--endpoint-url", "http://127.0.0.1:4566")
    assert seen == [("dynamodb", "http://127.0.0.1:4566")]


def test_a_missing_table_is_a_one_line_reason(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    assert main(["report"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("stockplan report: no table: pass --table or set TABLE_NAME")
    assert err.count("\n") == 1


# --- the command line's manners --------------------------------------------------------------


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"stockplan {version('stockplan')}\n"


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(commands.choices)


@pytest.mark.parametrize("command", ["simulate", "demo", "report", "export", "local"])
def test_every_option_has_help_and_says_its_default(command: str) -> None:
    parser = _commands()[command]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        text = action.help or ""
        assert text, f"{command} {action.dest}: no help text"
        if action.option_strings and not isinstance(action, argparse._StoreTrueAction):
            assert action.required or "default" in text, f"{command} {action.dest}: {text}"
        if action.required and action.option_strings:
            assert "required" in text
    formatted = parser.format_help()
    assert "--help" in formatted


def test_the_defaults_in_help_are_the_real_ones() -> None:
    commands = _commands()
    local = " ".join(commands["local"].format_help().split())
    assert "(default: 4566)" in local and "(default: local-emails)" in local
    demo = " ".join(commands["demo"].format_help().split())
    assert "(default: demo-output, in the current folder)" in demo
    assert commands["local"].parse_args([]).port == 4566
    assert commands["demo"].parse_args([]).out == Path("demo-output")


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        raise io.UnsupportedOperation("no file")


def test_a_reader_that_stops_reading_ends_the_command_quietly(
    desk: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code = main(["report", "--table", desk.stack.table, "--as-of", AS_OF, "--json"])
    monkeypatch.undo()
    assert code == 141  # as a command ended by SIGPIPE
    assert capsys.readouterr().err == ""
