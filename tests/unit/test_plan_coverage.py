"""docs/plan-rules.md "Coverage: both plans, section by section" names a test for each
section the system computes: every test it names exists (a renamed test breaks this,
not the table silently)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / ("plan-rules" + ".md")
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _coverage_section() -> str:
    text = RULES.read_text(encoding="utf-8")
    start = text.index("## Coverage: both plans, section by section")
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start:end]


def test_the_coverage_table_names_tests_that_exist() -> None:
    named = NAMED.findall(_coverage_section())
    assert len(named) >= 30
    missing = []
    for path, name in named:
        source = ROOT / path
        tree = ast.parse(source.read_text(encoding="utf-8")) if source.exists() else None
        functions = (
            {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)} if tree else set()
        )
        if name not in functions:
            missing.append(f"{path}::{name}")
    assert missing == []


def test_the_coverage_table_has_the_sections_of_both_plans_and_what_is_left_to_them() -> None:
    """Rows for the sections the system computes, and rows for what the plans leave to
    the Administrator, the Committee or counsel."""
    rows = [line for line in _coverage_section().splitlines() if line.startswith("| ")]
    firsts = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    for section in (
        "§4.a (i)-(iv), last sentence",
        "§4.c",
        "§5",
        "§6.a.(9)",
        "§6.b.(5)",
        "§7.a",
        "§9",
        "§11",
        'Code §422(d) (Exhibit A "ISO")',
        "Code §6039 (Form 3921)",
        "§3",
        "§4(a)",
        "§6(f)",
        "§7(b)",
        "§8(a)",
        "§8(f)",
    ):
        assert section in firsts, section
    left = [row for row in rows if "Administrator" in row or "Committee" in row or "counsel" in row]
    assert len(left) >= 8
