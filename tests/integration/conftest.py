"""Integration-test settings: parse infra/template.yaml once per session, not once per
`local_stack` (the YAML parse is a third of a fresh stack's set-up time)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def _template_parsed_once() -> Iterator[None]:
    import stockplan_cli.simulate as simulate
    from stockplan_cli.embedded import load_template

    parsed = load_template()
    original = simulate.load_template

    def cached(path: Any = None) -> dict[str, Any]:
        if path is not None:
            return original(path)
        fresh: dict[str, Any] = copy.deepcopy(parsed)
        return fresh

    simulate.load_template = cached  # type: ignore[assignment]
    try:
        yield
    finally:
        simulate.load_template = original
