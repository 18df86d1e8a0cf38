"""SQS chunk of a large feed file (issue 13) -> apply its rows; the last one closes it."""

from __future__ import annotations

from stockplan.coldstart import imports_done, pause_collection

pause_collection()  # until imports_done() below: see stockplan.coldstart

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from stockplan.entry.chunk import chunk_messages
from stockplan.observability import lambda_entry

imports_done()


@lambda_entry
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return chunk_messages(event, context, context.get_remaining_time_in_millis)
