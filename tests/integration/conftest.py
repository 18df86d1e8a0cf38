"""Integration-test settings.

The handler tests run on moto as it is (nothing of it patched): what a handler test
checks is moto's DynamoDB, S3, SES and SQS. The template is parsed once per process
(infra_spec.load_template keeps it).
"""

from __future__ import annotations

import pytest

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
