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


# --- what the coverage gate measures ---------------------------------------------------
#
# Coverage (pyproject [tool.coverage]: branch coverage of shared/stockplan, floor 95%) is
# measured by the unit tier and the handler tests of the integration tier. The tests below
# run unmeasured, with the tracer stopped from their set-up to their teardown: on Python
# 3.11 a tracer slows every Python call, moto's included, about 2.2x (measured on
# test_handlers_duplicates + outbox: 26 s of CPU without, 59 s with; an e2e scenario 18 s
# against 37 s), and these are the suite's longest runs:
# - the e2e tier (`stockplan simulate` on scenarios) and the whole-system reliability runs
#   (faults, security, the re-upload property): they check outcomes; the lines they run
#   are measured by the focused tests (tests/unit/service, tests/integration/test_handlers_*);
# - the tests of the embedded AWS itself (moto and stockplan_cli, outside the measured
#   source) and the browser tests.
UNMEASURED_TIERS = ("e2e", "browser")
UNMEASURED_MODULES = frozenset(
    {
        "test_reliability_faults",
        "test_reliability_security",
        "test_reuploads_property",
        "test_memory_engine_differential",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = item.path.parent.name
        if tier in UNMEASURED_TIERS or item.path.stem in UNMEASURED_MODULES:
            item.add_marker("unmeasured")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "unmeasured: run with the coverage tracer stopped")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Every module of the layer imported while measured: a module first imported by an
    unmeasured test would otherwise have its top-level lines counted as missed, as the
    order of a worker's tests happens to fall."""
    import coverage

    if coverage.Coverage.current() is None:
        return
    import importlib
    import pkgutil

    import stockplan
    from stockplan_cli.embedded import quiet_powertools

    quiet_powertools()  # as every embedded stack sets it, before Powertools loads
    for module in pkgutil.walk_packages(stockplan.__path__, "stockplan."):
        importlib.import_module(module.name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    import coverage

    if coverage.Coverage.current() is None or item.get_closest_marker("unmeasured") is None:
        yield
        return
    # Every tracer stopped, not the top one only: a pytest-xdist worker runs two Coverage
    # instances, and the one left running would still trace (and slow) the test.
    stopped = []
    while (measuring := coverage.Coverage.current()) is not None:
        measuring.stop()
        stopped.append(measuring)
    try:
        yield
    finally:
        for measuring in reversed(stopped):
            measuring.start()
