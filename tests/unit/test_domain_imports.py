"""The domain is pure: no AWS SDK, no I/O (model.py docstring; docs/plan-rules.md is the only
law)."""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import stockplan.domain

DOMAIN_DIR = Path(stockplan.domain.__file__).parent
MODULES = sorted(f"stockplan.domain.{m.name}" for m in pkgutil.iter_modules([str(DOMAIN_DIR)]))


def test_domain_module_list_is_complete() -> None:
    """Every module named in the brief is found, so the checks below cover them."""
    expected = {
        "model", "plans", "calendar", "fmv", "termination", "exercise", "pools",
        "splits", "covered", "formula", "deferred", "grants", "schedule",
    }  # fmt: skip
    assert expected <= {m.rsplit(".", 1)[1] for m in MODULES}


def test_domain_imports_no_boto3_in_fresh_interpreter() -> None:
    """Importing every domain module in a fresh interpreter loads neither boto3 nor botocore."""
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in MODULES)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))\n"
        + "assert not bad, bad\n"
        + "print(len([m for m in sys.modules if m.startswith('stockplan.domain.')]))\n"
    )
    shared = str(DOMAIN_DIR.parent.parent)
    env = {**os.environ, "PYTHONPATH": shared}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) == len(MODULES)


def test_domain_sources_import_only_pure_packages() -> None:
    """Static scan: domain modules import only the standard library, dateutil, holidays and
    each other (no boto3/botocore, no other stockplan package)."""
    allowed_roots = set(sys.stdlib_module_names) | {"dateutil", "holidays", "stockplan"}
    for path in DOMAIN_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root in allowed_roots, f"{path.name} imports {name}"
                if root == "stockplan":
                    assert name.startswith("stockplan.domain"), f"{path.name} imports {name}"
