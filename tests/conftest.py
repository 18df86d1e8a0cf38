"""Shared fixtures: the embedded AWS with the stack built from infra/template.yaml."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# tests/ itself too: notice_figures.py is shared by the unit and browser tests.
for folder in ("shared", "src", "tests"):
    if str(ROOT / folder) not in sys.path:
        sys.path.insert(0, str(ROOT / folder))


@pytest.fixture
def local_stack() -> Iterator[object]:
    """A fresh embedded stack; `.upload(kind, bytes, day)`, `.run_day(day)`,
    `.invoke(function, event)`, `.runtime`, `.stack`, `.aws.sent_messages()`."""
    from stockplan.runtime import use_runtime
    from stockplan_cli.embedded import EmbeddedAws
    from stockplan_cli.simulate import EmbeddedStack

    with EmbeddedAws() as aws:
        try:
            yield EmbeddedStack(aws)
        finally:
            use_runtime(None)
