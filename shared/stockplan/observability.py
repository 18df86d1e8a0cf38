"""The handlers' logging, metrics and tracing (Powertools), set up once for all four.

`lambda_entry` wraps a handler function: the Lambda context in every log line (state
cleared between invocations), the metrics flushed at its end, the invocation traced.
Logs carry ids and counts only, never an address or a name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]
# The invocation's milliseconds left (the Lambda context's get_remaining_time_in_millis).
TimeLeft = Callable[[], int]

logger = Logger()
metrics = Metrics()
# Only botocore is patched: patching every library X-Ray knows imports requests,
# sqlite3 and others this code never uses (about 40 ms of cold start).
tracer = Tracer(patch_modules=["botocore"])


def lambda_entry(handler: Handler) -> Handler:
    wrapped: Handler = logger.inject_lambda_context(clear_state=True)(
        metrics.log_metrics(tracer.capture_lambda_handler(handler))
    )

    @functools.wraps(handler)
    def entry(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        try:
            return wrapped(event, context)
        finally:
            # Published by log_metrics already; with metrics disabled (local runs)
            # Powertools keeps them, and prints a batch once one holds 100 values.
            metrics.clear_metrics()

    return entry


def count(**figures: int) -> None:
    """Publish counts (metric name = figure)."""
    for name, value in figures.items():
        metrics.add_metric(name, MetricUnit.Count, value)


def seconds(name: str, value: int) -> None:
    metrics.add_metric(name, MetricUnit.Seconds, value)
