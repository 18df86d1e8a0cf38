"""The custom metrics the template's alarms watch, as the handlers publish them: the
daily job's heartbeat and the age of the oldest pending notice."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest
from handlers_support import PEOPLE_CSV, emails, feed, outbox, run_daily, run_notices

from stockplan.data.table import Update
from stockplan.metrics import DAILY_JOB_COMPLETED, OLDEST_PENDING_NOTICE_AGE

OCT2 = date(2002, 10, 2)


def published(
    stack: Any, function: str, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, float]]:
    """Record every metric the function's handler adds (the embedded AWS has no
    CloudWatch: Powertools' metrics are cleared after each invocation). The handlers
    share one Metrics (stockplan.observability)."""
    from stockplan import observability

    seen: list[tuple[str, float]] = []
    add = observability.metrics.add_metric

    def spy(name: str, unit: Any, value: float, *args: Any, **kwargs: Any) -> None:
        seen.append((name, value))
        add(name, unit, value, *args, **kwargs)

    monkeypatch.setattr(observability.metrics, "add_metric", spy)
    return seen


def test_a_completed_daily_run_publishes_the_heartbeat_and_a_failed_one_does_not(
    local_stack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = local_stack
    seen = published(stack, "DailyFunction", monkeypatch)

    run_daily(stack, OCT2)
    assert (DAILY_JOB_COMPLETED, 1) in seen

    seen.clear()
    import stockplan.entry.daily as wiring

    def dies(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the daily job died")

    monkeypatch.setattr(wiring, "run_daily", dies)
    with pytest.raises(RuntimeError):
        run_daily(stack, date(2002, 10, 3))
    assert DAILY_JOB_COMPLETED not in [name for name, _ in seen]


def test_the_notice_sweep_publishes_the_age_of_the_oldest_pending_notice(
    local_stack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    stack = local_stack
    seen = published(stack, "NoticeFunction", monkeypatch)
    feed(stack, "participants", PEOPLE_CSV, OCT2)
    real = stack.runtime.ses

    class Down:
        def send_email(self, **kwargs: Any) -> Any:
            raise ClientError(
                {"Error": {"Code": "ServiceUnavailable", "Message": "x"}}, "SendEmail"
            )

    stack.runtime.ses = Down()
    # A file with a bad row: the administrator's summary is the one notice.
    feed(stack, "prices", "date,last_sale\n2002-13-01,20.00\n", OCT2)
    (notice,) = outbox(stack)
    assert notice["status"] == "pending"
    two_hours_ago = int(time.time()) - 7200
    stack.runtime.table().update(
        Update(notice["PK"], "NOTICE", "SET queued_at = :q", {":q": two_hours_ago})
    )

    run_notices(stack, OCT2)  # SES still down: the notice stays pending

    ages = [value for name, value in seen if name == OLDEST_PENDING_NOTICE_AGE]
    assert len(ages) == 1 and 7200 <= ages[0] <= 7200 + 60

    seen.clear()
    stack.runtime.ses = real
    run_notices(stack, OCT2)  # sent: nothing is pending

    assert len(emails(stack)) == 1
    assert [value for name, value in seen if name == OLDEST_PENDING_NOTICE_AGE] == [0]
