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


# The daily job's monthly report and annual statements (interfaces.md §4) are tested in
# these modules (and by every simulation: e2e, the security run); the handler tests of
# single rules count their own notices and SES calls, so there they are off.
PERIODIC_MAIL_MODULES = {"test_periodic_mail", "test_reliability_security"}


@pytest.fixture(autouse=True)
def _periodic_mail(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.module.__name__.rsplit(".", 1)[-1] in PERIODIC_MAIL_MODULES:
        monkeypatch.delenv("PERIODIC_MAIL", raising=False)
    else:
        monkeypatch.setenv("PERIODIC_MAIL", "false")
