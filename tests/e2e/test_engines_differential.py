"""`stockplan simulate` gives the same outputs on its two engines: the in-memory AWS
(the default) and plain moto. Every scenario of the project (and the demo's first two
years) is simulated on both, and report.json, audit.jsonl, rejections.json, the OCF
bundle, the monthly reports and every email must be byte for byte the same.

What may differ is only what is drawn from S3's object versions: each engine gives
its own version ids (moto random ones), and a feed file's identity, and so the ids of
the notices about it (their Message-ID and MIME boundary), is a digest over its version.
Both are normalised (`normalised`) before the comparison; so are the workbooks'
creation times (openpyxl stamps the clock's), by comparing their sheets' XML.
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from e2e_support import SCENARIOS

from stockplan_cli.simulate import scenario_feeds, simulate

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo"
# A scenario without scenario.json runs from its first feed to this long after its last
# (the reminders, expiries and monthly reports that follow it).
AFTER_LAST_FEED = timedelta(days=120)
DEMO_YEARS = 2


def _scenarios() -> list[Path]:
    found = [p for p in sorted(SCENARIOS.iterdir()) if (p / "feeds").is_dir()]
    found += [p for p in sorted((ROOT / "scenarios").iterdir()) if (p / "feeds").is_dir()]
    return [p for p in found if p != DEMO]


def _days(scenario: Path) -> tuple[date, date]:
    spec = scenario / "scenario.json"
    if spec.exists():
        read = json.loads(spec.read_text())
        return date.fromisoformat(read["start"]), date.fromisoformat(read["end"])
    days = sorted(scenario_feeds(scenario))
    return days[0], days[-1] + AFTER_LAST_FEED


# The hexadecimal digests of the ids drawn from a version (file identities, notice ids,
# MIME boundaries).
_DIGEST = re.compile(r"(?<![0-9a-f])[0-9a-f]{32,64}(?![0-9a-f])")


def normalised(text: str, versions: list[str]) -> str:
    # Numbered in the order the text names them (the audit trail names the version of
    # each row's file): moto's listing cannot order uploads of one second.
    if versions:
        named: dict[str, str] = {}
        text = re.sub(
            "|".join(re.escape(v) for v in sorted(set(versions), key=len, reverse=True)),
            lambda m: named.setdefault(m.group(), f"<version-{len(named) + 1}>"),
            text,
        )
    seen: dict[str, str] = {}
    return _DIGEST.sub(lambda m: seen.setdefault(m.group(), f"<digest-{len(seen) + 1}>"), text)


def _workbook(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}


def outputs(out: Path, versions: list[str]) -> dict[str, object]:
    found: dict[str, object] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = str(path.relative_to(out))
        if path.suffix == ".xlsx":
            found[name] = _workbook(path)
        else:
            found[name] = normalised(path.read_text(encoding="utf-8"), versions)
    return found


def run(scenario: Path, start: date, end: date, out: Path, engine: str) -> dict[str, object]:
    """The scenario's outputs on `engine`, normalised with the version ids its S3 gave
    the uploads (read off each upload's event, in upload order)."""
    from stockplan_cli import simulate as simulation

    versions: list[str] = []
    event = simulation.s3_event

    def recorded(*args: Any, **kwargs: Any) -> dict[str, Any]:
        versions.append(str(kwargs["version_id"]))
        return event(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulation, "s3_event", recorded)
        simulate(scenario, start, end, out, engine=engine)
    return outputs(out, versions)


def assert_same(memory: dict[str, object], moto: dict[str, object]) -> None:
    assert sorted(memory) == sorted(moto), "the engines wrote different files"
    differing = [name for name in memory if memory[name] != moto[name]]
    assert not differing, f"{len(differing)} outputs differ, first {differing[:5]}"


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda p: p.name)
def test_each_scenario_gives_the_same_outputs_on_both_engines(
    scenario: Path, tmp_path: Path
) -> None:
    start, end = _days(scenario)
    memory = run(scenario, start, end, tmp_path / "memory", "memory")
    moto = run(scenario, start, end, tmp_path / "moto", "moto")
    assert any(name.startswith("emails/") for name in memory), "a scenario sends mail"
    assert_same(memory, moto)


def test_two_years_of_the_demo_give_the_same_outputs_on_both_engines(tmp_path: Path) -> None:
    start, _ = _days(DEMO)
    end = start.replace(year=start.year + DEMO_YEARS) - timedelta(days=1)
    memory = run(DEMO, start, end, tmp_path / "memory", "memory")
    moto = run(DEMO, start, end, tmp_path / "moto", "moto")
    assert len([n for n in memory if n.startswith("reports/")]) >= 4 * 12 * DEMO_YEARS - 4
    assert_same(memory, moto)


def test_the_differential_catches_a_planted_divergence_of_the_memory_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not blind: an in-memory table that ignores a query's newest-first order (the
    fair market value's read, Query PK = PRICES, SK <= day) makes the outputs differ."""
    from stockplan_cli.memory import MemoryTable

    scenario = SCENARIOS / "termination_windows"
    start, end = _days(scenario)
    moto = run(scenario, start, end, tmp_path / "moto", "moto")
    answer = MemoryTable._query

    def oldest_first(self: MemoryTable, *args: object, **extra: object) -> object:
        extra.pop("ScanIndexForward", None)
        return answer(self, *args, **extra)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryTable, "_query", oldest_first)
    memory = run(scenario, start, end, tmp_path / "memory", "memory")
    with pytest.raises(AssertionError, match="outputs differ"):
        assert_same(memory, moto)
