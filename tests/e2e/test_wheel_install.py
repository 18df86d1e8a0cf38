"""`pip install .` then the demo's scenario in an empty folder: the wheel carries what
the command needs (the SAM template, the handlers it names, the demo scenario, the OCF
schemas and their licence) and its dependencies, and runs outside the checkout.

The wheel is built from a copy of the checkout's files and installed into a fresh
virtualenv (no system site-packages) in a temporary folder, with `--no-index` from a
wheel cache: .venv/wheelhouse, filled from the package index the first time (pinned by
requirements.lock, except moto: the newest moto the package allows) and reused after.
Slow (marked): about 30 s to build and install the ~70 wheels from the cache, then half
a year of the shipped demo scenario on plain moto (`--engine moto`) and `stockplan demo`
on the default engine, recorded as `wheel_install_seconds` and `wheel_demo_seconds`; the
first run also downloads the 54 MB of wheels."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = ROOT / ".venv" / "wheelhouse"
SKIPPED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-tools",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "demo-output",
    "local-emails",
    ".coverage",
)


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done  # type: ignore[no-any-return]


def _pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]


@pytest.mark.slow
def test_the_installed_wheel_runs_the_demo_scenario_in_an_empty_folder(
    tmp_path: Path, record_property: object
) -> None:
    began = time.perf_counter()
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=SKIPPED)
    dist = tmp_path / "dist"
    _run(_pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)))
    (wheel,) = dist.glob("stockplan-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = "stockplan_cli/project/"
    for needed in (
        "infra/template.yaml",
        "functions/feed/feed_handler.py",
        "functions/daily/daily_handler.py",
        "functions/notices/notice_handler.py",
        "functions/bounces/bounce_handler.py",
        "scenarios/demo/scenario.json",
        "scenarios/demo/feeds/2009-11-30/corporate_actions.csv",
    ):
        assert bundled + needed in names, needed
    assert "stockplan_cli/ocf_schemas/LICENSE.md" in names
    assert "stockplan_cli/ocf_schemas/files/OCFManifestFile.schema.json" in names
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]

    # The lock's pins, but not moto's: the newest moto the package's own requirement
    # allows is what `pip install .` picks, and the command must run on it.
    constraints = tmp_path / "constraints.txt"
    pinned = (ROOT / "requirements.lock").read_text().splitlines()
    constraints.write_text("\n".join(p for p in pinned if not p.startswith("moto==")) + "\n")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    install = _pip(
        "--python",
        str(python),
        "install",
        "--no-compile",  # botocore's bytecode alone takes longer than the demo
        "--no-index",
        "--find-links",
        str(WHEELHOUSE),
        "-c",
        str(constraints),
        str(wheel),
    )
    if subprocess.run(install, capture_output=True, check=False).returncode != 0:
        # First time here: the pinned wheels, from the configured package index.
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        _run(_pip("download", "-d", str(WHEELHOUSE), "-c", str(constraints), str(wheel)))
        _run(install)
    installed = time.perf_counter()

    empty = tmp_path / "empty"
    empty.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    environment.pop("TABLE_NAME", None)
    stockplan = str(venv / "bin" / "stockplan")
    where = _run(
        [
            str(python),
            "-c",
            "import stockplan, stockplan_cli; print(stockplan.__file__, stockplan_cli.__file__)",
        ],
        cwd=empty,
        env=environment,
    )
    for line in where.stdout.split():
        assert Path(line).is_relative_to(venv), line  # nothing from the checkout

    version = _run([stockplan, "--version"], cwd=empty, env=environment)
    assert version.stdout == "stockplan 0.1.0\n"
    # The demo's scenario as the wheel ships it, through `stockplan simulate` (the code
    # path of `stockplan demo`) over its first two years: the full ten years run in
    # tests/e2e/test_demo.py already, in-process.
    bundled_demo = _run(
        [str(python), "-c", "from stockplan_cli.embedded import project_root as p; print(p())"],
        cwd=empty,
        env=environment,
    ).stdout.strip()
    scenario = Path(bundled_demo) / "scenarios" / "demo"
    assert scenario.is_relative_to(venv), scenario
    assert (
        "stockplan demo" in _run([stockplan, "demo", "--help"], cwd=empty, env=environment).stdout
    )
    moto_version = _run(
        [str(python), "-c", "import moto; print(moto.__version__)"], cwd=empty, env=environment
    ).stdout.strip()
    # On plain moto (the newest allowed), half a year of the shipped scenario.
    window = ("--start", "1999-07-01", "--end", "1999-12-31", "--out", "moto-output")
    on_moto = _run(
        [stockplan, "simulate", str(scenario), *window, "--engine", "moto"],
        cwd=empty,
        env=environment,
        timeout=900,
    )
    assert on_moto.stdout.startswith("Simulated 184 days (1999-07-01 to 1999-12-31)")
    assert len(list((empty / "moto-output" / "emails").glob("*.eml"))) > 10
    # `stockplan demo` on the default engine: the whole ten years.
    demo = _run([stockplan, "demo"], cwd=empty, env=environment, timeout=900)
    assert demo.stdout.startswith("Demo: CTC Communications Group, Inc., 1999-2009"), demo.stdout
    out = empty / "demo-output"
    assert (out / "report.json").is_file() and (out / "rejections.json").is_file()
    assert len(list((out / "emails").glob("*.eml"))) > 50
    assert (out / "ocf" / "Manifest.ocf.json").is_file()
    assert len(list((out / "reports").glob("*.xlsx"))) > 20  # openpyxl came with the wheel
    assert sorted(p.name for p in empty.iterdir()) == ["demo-output", "moto-output"]
    record_property("wheel_moto_version", moto_version)  # type: ignore[operator]
    record_property("wheel_install_seconds", f"{installed - began:.1f}")  # type: ignore[operator]
    record_property("wheel_demo_seconds", f"{time.perf_counter() - installed:.1f}")  # type: ignore[operator]
