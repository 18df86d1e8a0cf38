"""The dependency-audit gate of `make test` (scripts/audit_dependencies.py), driven by a
stand-in pip-audit: it fails on a real finding or a broken tool, and only warns when the
vulnerability data cannot be reached."""

from __future__ import annotations

import importlib.util
import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "audit_dependencies", ROOT / "scripts/audit_dependencies.py"
)
assert _spec is not None and _spec.loader is not None
gate: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gate)

JINJA_ADVISORY = {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}
VULNERABLE = {
    "dependencies": [
        {"name": "jinja2", "version": "3.1.2", "vulns": [JINJA_ADVISORY]},
        {"name": "boto3", "version": "1.44.5", "vulns": []},
    ],
    "fixes": [],
}
CLEAN = {"dependencies": [{"name": "boto3", "version": "1.44.5", "vulns": []}], "fixes": []}
NOTHING_FOUND = {
    "dependencies": [
        {"name": n, "skip_reason": f"Dependency not found on PyPI and could not be audited: {n}"}
        for n in ("boto3", "pydantic")
    ],
    "fixes": [],
}
PARTLY = {
    "dependencies": [
        CLEAN["dependencies"][0],
        {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI ..."},
    ]
}
NETWORK = (
    "Traceback (most recent call last):\n  ...\nrequests.exceptions.ConnectionError: "
    "Max retries exceeded (Caused by NameResolutionError(...))\n"
)


def fake_pip_audit(
    tmp_path: Path, by_service: dict[str, tuple[dict[str, Any] | None, str, int]]
) -> str:
    """A pip-audit that, per --vulnerability-service, writes a JSON report (or none),
    prints to stderr and exits with the given code."""
    script = tmp_path / "pip-audit"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"answers = json.loads({json.dumps(json.dumps(by_service))})\n"
        "args = sys.argv[1:]\n"
        "report, stderr, code = answers[args[args.index('--vulnerability-service') + 1]]\n"
        "if report is not None:\n"
        "    open(args[args.index('-o') + 1], 'w').write(json.dumps(report))\n"
        "sys.stderr.write(stderr)\n"
        "sys.exit(code)\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.fixture(autouse=True)
def not_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STOCKPLAN_AUDIT_STRICT", raising=False)


def test_a_known_vulnerability_fails_and_names_the_fixed_version(tmp_path: Path) -> None:
    tool = fake_pip_audit(tmp_path, {"pypi": (VULNERABLE, "", 1)})
    code, message = gate.audit(tool, ["requirements.lock"])
    assert code == 1
    assert "jinja2==3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in message


def test_no_finding_passes(tmp_path: Path) -> None:
    tool = fake_pip_audit(tmp_path, {"pypi": (CLEAN, "", 0)})
    assert gate.audit(tool, ["requirements.lock"]) == (
        0,
        "pip-audit: no known vulnerabilities in 1 audited pins",
    )


def test_pins_that_could_not_be_audited_are_named_in_a_warning(tmp_path: Path) -> None:
    tool = fake_pip_audit(tmp_path, {"pypi": (PARTLY, "", 0)})
    code, message = gate.audit(tool, ["requirements.lock"])
    assert code == 0
    assert "WARNING: 1 pins could not be audited: private-pkg" in message


def test_an_unreachable_service_warns_and_passes_unless_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool = fake_pip_audit(tmp_path, {"pypi": (None, NETWORK, 1), "osv": (None, NETWORK, 1)})
    code, message = gate.audit(tool, ["requirements.lock"])
    assert code == 0
    assert message.startswith("WARNING: dependency audit NOT done: the vulnerability service")
    monkeypatch.setenv("STOCKPLAN_AUDIT_STRICT", "1")
    assert gate.audit(tool, ["requirements.lock"])[0] == 1


def test_an_index_without_per_version_data_falls_back_to_osv(tmp_path: Path) -> None:
    """Every pin 'not found' means nothing was audited: OSV is asked, and its finding
    fails the build; an unreachable OSV only warns."""
    tool = fake_pip_audit(tmp_path, {"pypi": (NOTHING_FOUND, "", 0), "osv": (VULNERABLE, "", 1)})
    code, message = gate.audit(tool, ["requirements.lock"])
    assert code == 1 and "GHSA-h5c8-rqwp-cp95" in message
    tool = fake_pip_audit(tmp_path, {"pypi": (NOTHING_FOUND, "", 0), "osv": (None, NETWORK, 1)})
    code, message = gate.audit(tool, ["requirements.lock"])
    assert code == 0 and "nothing was audited" in message


def test_a_broken_tool_fails(tmp_path: Path) -> None:
    tool = fake_pip_audit(tmp_path, {"pypi": (None, "error: unrecognized arguments\n", 2)})
    code, message = gate.audit(tool, ["requirements.lock"])
    assert code == 1 and "unrecognized arguments" in message


def test_make_test_runs_the_audit_on_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    test_line = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "audit" in test_line.split(":", 1)[1].split()
    assert "scripts/audit_dependencies.py" in makefile
    lock = (ROOT / "requirements-pip-audit.lock").read_text().splitlines()
    assert any(line.startswith("pip_audit==") or line.startswith("pip-audit==") for line in lock)
