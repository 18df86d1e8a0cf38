"""One backoff for every write that lost a race (stockplan.data.retry)."""

from __future__ import annotations

from stockplan.data.retry import attempts


def test_the_first_attempt_waits_for_nothing_and_each_retry_waits_twice_as_long() -> None:
    waits: list[float] = []
    assert list(attempts(4, sleep=waits.append, base=0.01)) == [0, 1, 2, 3]
    assert waits == [0.01, 0.02, 0.04]


def test_a_loop_that_succeeds_first_time_never_sleeps() -> None:
    waits: list[float] = []
    for _ in attempts(5, sleep=waits.append):
        break
    assert waits == []
