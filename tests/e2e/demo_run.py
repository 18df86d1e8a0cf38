"""One run of `stockplan demo` for the whole session (the ten-year scenario is the
suite's longest): the command's outputs and what it printed, and, read from the same
stack while it still runs, the administrator's desk (`stockplan report --json --xlsx
--csv`, `stockplan export --ocf`) and report.json of that state."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from once import made_once

from stockplan_cli.main import main

OUTPUT, PRINTED, DESK = "demo-output", "printed.txt", "desk"


def demo_run(factory: pytest.TempPathFactory) -> Path:
    """The folder holding OUTPUT (the demo's --out), PRINTED and DESK."""
    return made_once(factory, "demo-run", _run)


def _run(folder: Path) -> None:
    import stockplan_cli.simulate as simulate_module

    real = simulate_module.simulate

    def simulate_and_read_the_desk(*args: Any, **kwargs: Any) -> Any:
        return real(*args, **kwargs, while_up=lambda local: _desk(local, folder / DESK))

    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setattr(simulate_module, "simulate", simulate_and_read_the_desk)
        assert main(["demo", "--out", str(folder / OUTPUT)]) == 0
    (folder / PRINTED).write_text(printed.getvalue())


def _desk(local: Any, folder: Path) -> None:
    from stockplan.service.report import build_report
    from stockplan_cli.embedded import project_root

    folder.mkdir()
    end = json.loads((project_root() / "scenarios" / "demo" / "scenario.json").read_text())["end"]
    table = local.stack.table
    report = build_report(local.runtime.table(), date.fromisoformat(end))
    (folder / "report.json").write_text(json.dumps(report))
    # The desk's commands read a stack's table through boto3 (tests/integration/
    # test_cli_audit.py runs them on a served moto); here, the demo's own table.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("stockplan_cli.main._table", lambda args: local.runtime.table())
        _desk_commands(folder, table, end)


def _desk_commands(folder: Path, table: str, end: str) -> None:
    for name, args in {
        "report": [
            *("report", "--table", table, "--as-of", end, "--json"),
            *("--xlsx", str(folder / "desk.xlsx"), "--csv", str(folder / "desk.csv")),
        ],
        "export": [
            *("export", "--ocf", str(folder / "ocf"), "--table", table),
            *("--as-of", end, "--formation-date", "1980-05-01"),
        ],
    }.items():
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            assert main(args) == 0, err.getvalue()
        (folder / f"{name}.out").write_text(out.getvalue())
        (folder / f"{name}.err").write_text(err.getvalue())
