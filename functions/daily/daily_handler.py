"""EventBridge schedule, once a day -> the daily job for that plan day (docs/interfaces.md §2)."""

from __future__ import annotations

from stockplan.coldstart import imports_done, pause_collection

pause_collection()  # until imports_done() below: see stockplan.coldstart

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from stockplan.entry.daily import daily_job
from stockplan.events import schedule_time
from stockplan.observability import lambda_entry

imports_done()


@lambda_entry
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return daily_job(schedule_time(event), context.get_remaining_time_in_millis)
