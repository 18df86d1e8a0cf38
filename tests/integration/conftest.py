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
