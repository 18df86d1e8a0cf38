"""Dependency audit for `make test`: pip-audit on the pins of requirements.lock.

    python scripts/audit_dependencies.py PIP_AUDIT [REQUIREMENTS ...]

Fails (exit 1) on any known vulnerability of a pinned package, and when pip-audit
itself breaks for a reason other than the network. When the vulnerability data cannot
be reached (no network, or an index that answers no per-version data, so that every
package comes back "not found" and nothing was really audited) it prints a clear
WARNING and passes: a sandbox without the vulnerability service must still be able to
run the tests. Set STOCKPLAN_AUDIT_STRICT=1 (e.g. in a CI with network) to fail then.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# What pip-audit's stderr holds when it could not reach PyPI or OSV at all.
NETWORK_ERRORS = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Failed to establish a new connection",
    "Network is unreachable",
    "Connection refused",
    "ConnectTimeout",
    "ReadTimeout",
    "timed out",
    "ProxyError",
)
NOT_FOUND = "Dependency not found on PyPI"


def audit(pip_audit: str, requirements: list[str], timeout: float = 600) -> tuple[int, str]:
    """(exit code for make, message): PyPI's vulnerability data first, OSV's when PyPI
    could not audit a single pin."""
    code, message = audit_with(pip_audit, requirements, "pypi", timeout)
    if code == 0 and message.startswith("WARNING: dependency audit NOT done"):
        osv_code, osv_message = audit_with(pip_audit, requirements, "osv", timeout)
        return osv_code, f"{message}\nOSV instead: {osv_message}"
    return code, message


def audit_with(
    pip_audit: str, requirements: list[str], service: str, timeout: float
) -> tuple[int, str]:
    strict = os.environ.get("STOCKPLAN_AUDIT_STRICT") == "1"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [pip_audit, "--no-deps", "--disable-pip", "--progress-spinner", "off"]
        command += ["--vulnerability-service", service]
        for path in requirements:
            command += ["-r", path]
        command += ["-f", "json", "-o", str(report)]
        try:
            # The tool's path comes from the Makefile, its arguments from this script.
            run = subprocess.run(  # noqa: S603
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return _unreachable(strict, f"pip-audit did not finish within {timeout:.0f} s")
        if not report.is_file() or not report.read_text().strip():
            if any(sign in run.stderr for sign in NETWORK_ERRORS):
                last = run.stderr.strip().splitlines()[-1:] or [""]
                return _unreachable(strict, f"the vulnerability service is unreachable ({last[0]})")
            return 1, f"pip-audit failed (exit {run.returncode}):\n{run.stderr[-4000:]}"
        data: dict[str, Any] = json.loads(report.read_text())
    return _judge(data, strict)


def _judge(data: dict[str, Any], strict: bool) -> tuple[int, str]:
    dependencies = data.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    if vulnerable:
        lines = ["pip-audit: known vulnerabilities in pinned packages:"]
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                lines.append(f"  {dep['name']}=={dep['version']}: {vuln['id']} (fixed in {fixes})")
        lines.append("Bump the pin in requirements.lock to a fixed version.")
        return 1, "\n".join(lines)
    if dependencies and audited == 0 and all(NOT_FOUND in d["skip_reason"] for d in skipped):
        return _unreachable(
            strict,
            f"no per-version vulnerability data for any of the {len(skipped)} pins "
            "(the package index answered 'not found' for every one): nothing was audited",
        )
    message = f"pip-audit: no known vulnerabilities in {audited} audited pins"
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        message += f"\nWARNING: {len(skipped)} pins could not be audited: {names}"
    return 0, message


def _unreachable(strict: bool, why: str) -> tuple[int, str]:
    message = f"WARNING: dependency audit NOT done: {why}."
    if strict:
        return 1, message + " (STOCKPLAN_AUDIT_STRICT=1: failing)"
    return 0, message + " Run `make audit` where PyPI and OSV can be reached."


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    code, message = audit(argv[1], argv[2:] or ["requirements.lock"])
    print(message, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
