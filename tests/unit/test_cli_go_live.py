"""`stockplan simulate --go-live DATE` (docs/interfaces.md §1d, §3): the stack's
GoLiveDate for one simulation, as the template parameter sets it."""

from __future__ import annotations

import os
from datetime import date

import pytest

from stockplan_cli.main import build_parser
from stockplan_cli.simulate import go_live_setting

SIMULATE = ["simulate", "scn", "--start", "2002-05-01", "--end", "2002-05-31", "--out", "o"]


def test_simulate_takes_a_go_live_day() -> None:
    args = build_parser().parse_args([*SIMULATE, "--go-live", "2002-05-01"])
    assert args.go_live == date(2002, 5, 1)
    plain = build_parser().parse_args(SIMULATE)
    assert plain.go_live is None


def test_simulate_refuses_a_go_live_that_is_no_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*SIMULATE, "--go-live", "May 1"])
    assert "--go-live" in capsys.readouterr().err


def test_the_go_live_setting_holds_for_one_simulation_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GO_LIVE_DATE", "1999-01-04")
    with go_live_setting(date(2002, 5, 1)):
        assert os.environ["GO_LIVE_DATE"] == "2002-05-01"
    assert os.environ["GO_LIVE_DATE"] == "1999-01-04"
    monkeypatch.delenv("GO_LIVE_DATE")
    with go_live_setting(None):
        assert os.environ["GO_LIVE_DATE"] == ""
    assert "GO_LIVE_DATE" not in os.environ
