"""SES bounces and complaints of sent notices (SNS, from the notices' configuration set)
-> mark the notice undelivered and tell the administrator (once per bounce)."""

from __future__ import annotations

from stockplan.coldstart import imports_done, pause_collection

pause_collection()  # until imports_done() below: see stockplan.coldstart

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from stockplan.entry.bounces import delivery_feedback
from stockplan.observability import lambda_entry

imports_done()


@lambda_entry
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return delivery_feedback(event, context.get_remaining_time_in_millis)
