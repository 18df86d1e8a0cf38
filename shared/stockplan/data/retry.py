"""One backoff for every write that lost a race (ConflictError): re-read and try again."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

BASE_DELAY_SECONDS = 0.01


def attempts(
    limit: int, sleep: Callable[[float], None] = time.sleep, base: float = BASE_DELAY_SECONDS
) -> Iterator[int]:
    """The attempt numbers 0 .. limit-1, waiting before each retry twice as long as
    before the last (base, 2 x base, ...): racing writers fall out of step. The loop
    that asks for the next attempt is retrying; one that breaks out is done."""
    for attempt in range(limit):
        if attempt:
            sleep(base * 2 ** (attempt - 1))
        yield attempt
