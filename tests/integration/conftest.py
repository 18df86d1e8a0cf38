"""Integration-test settings.

The handler tests run on plain moto: `local_stack` (tests/conftest.py) is built with
STOCKPLAN_MOTO_SPEEDUPS as the run sets it, and this tier sets it to "none" unless the
run set it itself, so what a handler test checks is moto's DynamoDB, not the embedded
AWS's speed-ups. The tests of
the speed-ups themselves (test_moto_speedups_differential.py, test_embedded_aws.py) ask
for them explicitly. The template is parsed once per process (infra_spec.load_template
keeps it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _plain_moto() -> Iterator[None]:
    from stockplan_cli.moto_speedups import ENVIRONMENT

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENVIRONMENT, os.environ.get(ENVIRONMENT, "none"))
        yield


# The whole-system reliability runs (each dozens of files and daily runs on one stack,
# with faults injected through the clients, not into moto) run as `stockplan simulate`
# does, on the embedded AWS with its speed-ups, which the differential test holds to
# plain moto's answers: plain moto copies a whole table for every item of a
# transaction, so their growing stacks cost them about 2.8 times the CPU. What they
# check is the handlers' exactly-once and no-drift rules; the handler tests above them
# check those rules against plain moto's DynamoDB.
SPEEDUP_MODULES = frozenset(
    {
        "test_reliability_faults",
        "test_reliability_hostile",
        "test_reliability_sizes",
        "test_reuploads_property",
    }
)


@pytest.fixture(autouse=True)
def _speedups_for_whole_system_runs(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stockplan_cli.moto_speedups import ENVIRONMENT

    if request.module.__name__.rsplit(".", 1)[-1] in SPEEDUP_MODULES:
        monkeypatch.setenv(ENVIRONMENT, "all")


# The daily job's monthly report and annual statements (docs/interfaces.md §4) are tested in
# these modules (and by every simulation: e2e, the security run); the handler tests of
# single rules count their own notices and SES calls, so there they are off.
PERIODIC_MAIL_MODULES = {"test_periodic_mail", "test_reliability_security"}


@pytest.fixture(autouse=True)
def _periodic_mail(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.module.__name__.rsplit(".", 1)[-1] in PERIODIC_MAIL_MODULES:
        monkeypatch.delenv("PERIODIC_MAIL", raising=False)
    else:
        monkeypatch.setenv("PERIODIC_MAIL", "false")
