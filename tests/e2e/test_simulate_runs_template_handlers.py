"""`stockplan simulate` drives the very handler functions infra/template.yaml names, with
the events S3 and EventBridge send (docs/interfaces.md §3: "there is no second code path")."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from e2e_support import read_outputs

from stockplan_cli import infra_spec
from stockplan_cli.embedded import load_handler
from stockplan_cli.infra_spec import load_template, project_root
from stockplan_cli.simulate import DAILY_FUNCTION, FEED_FUNCTION, simulate


def _template_functions() -> dict[str, tuple[Path, str, str]]:
    """Straight from the YAML: logical id -> (code file, module, function)."""
    template = load_template()
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        module, function = props["Handler"].rsplit(".", 1)
        code_dir = (project_root() / "infra" / props["CodeUri"]).resolve()
        found[logical_id] = (code_dir / f"{module}.py", module, function)
    return found


def test_function_specs_read_the_template() -> None:
    functions = _template_functions()
    assert {FEED_FUNCTION, DAILY_FUNCTION} <= set(functions)
    specs = infra_spec.functions(load_template())
    assert {
        name: (spec.code_dir / f"{spec.module}.py", spec.module, spec.handler)
        for name, spec in specs.items()
    } == functions
    root = project_root()
    assert functions[FEED_FUNCTION][0] == root / "functions" / "feed" / "feed_handler.py"
    assert functions[DAILY_FUNCTION][0] == root / "functions" / "daily" / "daily_handler.py"


def test_local_stack_handlers_are_the_template_functions(local_stack: Any) -> None:
    functions = _template_functions()
    assert set(local_stack.handlers) == set(functions)
    for name, (path, _module, function) in functions.items():
        handler = local_stack.handlers[name]
        # The Powertools decorators wrap the function; underneath is the file's own code.
        inner = inspect.unwrap(handler)
        assert Path(inner.__code__.co_filename).resolve() == path
        assert inner.__name__ == function
        assert Path(sys.modules[handler.__module__].__file__ or "").resolve() == path


def _write(folder: Path, day: str, kind: str, text: str) -> None:
    (folder / "feeds" / day).mkdir(parents=True, exist_ok=True)
    (folder / "feeds" / day / f"{kind}.csv").write_text(text)


def test_simulate_invokes_the_template_handlers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "scenario"
    # Written out of upload order on purpose: simulate uploads participants, prices,
    # grants, ..., terminations (docs/interfaces.md §3).
    _write(
        scenario,
        "2002-01-02",
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n"
        "G-1,E-1,incentive-1998,nso,2002-01-02,100,10.00,2012-01-02,\n",
    )
    _write(
        scenario,
        "2002-01-02",
        "participants",
        "participant_id,name,email,role\nE-1,Ann One,ann@ctc.example.com,employee\n",
    )
    _write(scenario, "2002-01-02", "prices", "date,last_sale\n2002-01-02,10.00\n")
    _write(
        scenario,
        "2002-01-04",
        "terminations",
        "participant_id,termination_date,reason\nE-1,2002-01-04,cause\n",
    )

    calls: dict[str, list[dict[str, Any]]] = {}
    for name, spec in infra_spec.functions(load_template()).items():
        original = load_handler(spec)  # the module EmbeddedStack will load (cached by name)
        module = sys.modules[original.__module__]

        def counting(
            event: dict[str, Any],
            context: Any,
            _name: str = name,
            _original: Callable[..., Any] = original,
        ) -> Any:
            calls.setdefault(_name, []).append(event)
            return _original(event, context)

        monkeypatch.setattr(module, spec.handler, counting)

    out = tmp_path / "out"
    summary = simulate(scenario, date(2002, 1, 1), date(2002, 1, 5), out)

    feed_events = calls.pop(FEED_FUNCTION)
    daily_events = calls.pop(DAILY_FUNCTION)
    assert calls == {}  # the notice retry function is not scheduled in a simulation
    keys = [e["Records"][0]["s3"]["object"]["key"] for e in feed_events]
    assert keys == [
        "incoming/participants/2002-01-02.csv",
        "incoming/prices/2002-01-02.csv",
        "incoming/grants/2002-01-02.csv",
        "incoming/terminations/2002-01-04.csv",
    ]
    for event in feed_events:
        record = event["Records"][0]
        assert record["eventSource"] == "aws:s3"
        assert record["eventName"].startswith("ObjectCreated:")
        # "today" during a simulation is the simulated day, carried by the event time.
        assert record["eventTime"][:10] == record["s3"]["object"]["key"][-14:-4]
    assert [e["time"][:10] for e in daily_events] == [
        "2002-01-01",
        "2002-01-02",
        "2002-01-03",
        "2002-01-04",
        "2002-01-05",
    ]
    assert {e["detail-type"] for e in daily_events} == {"Scheduled Event"}
    assert summary.files == 4 and summary.days == 5

    # What the handlers did is what the outputs show: the cause termination of
    # 2002-01-04 ended G-1 the day before (1998 §6.a.(5)(C)); it expired on 2002-01-04.
    run = read_outputs(out)
    award = run.award("G-1")
    assert (award["exercise_deadline"], award["shares_expired"], award["status"]) == (
        "2002-01-03",
        100,
        "expired",
    )
    # Ann is told of the grant on 2002-01-02, of the termination and expiry on 2002-01-04.
    assert [(m.day.isoformat(), m.subject) for m in run.mails] == [
        ("2002-01-02", "Your stock option grant of 2002-01-02"),
        ("2002-01-04", "Your stock awards after your employment ended on 2002-01-04"),
        (
            "2002-01-04",
            "Shares expired: 100 shares of award G-1 not exercised by 2002-01-03",
        ),
    ]
