"""S3 ObjectCreated under incoming/<kind>/ -> run that feed (docs/interfaces.md §1, §2)."""

from __future__ import annotations

from stockplan.coldstart import imports_done, pause_collection

pause_collection()  # until imports_done() below: see stockplan.coldstart

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from stockplan.entry.feed import feed_files
from stockplan.events import s3_uploads
from stockplan.observability import lambda_entry

imports_done()


@lambda_entry
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return feed_files(s3_uploads(event), context.get_remaining_time_in_millis)
