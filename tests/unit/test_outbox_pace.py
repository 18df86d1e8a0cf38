"""Notices are sent no faster than the SES account's rate (template SesMaxSendRate)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from stockplan.config import Settings
from stockplan.service.outbox import _Pace


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pace(rate: float | None, clock: FakeClock) -> _Pace:
    settings = SimpleNamespace(ses_send_rate=rate)
    return _Pace(SimpleNamespace(settings=settings, clock=clock, sleep=clock.sleep))  # type: ignore[arg-type]


def test_sends_at_the_ses_rate_wait_one_interval_between_notices() -> None:
    clock = FakeClock()
    sender = pace(4, clock)
    for _ in range(5):
        sender.wait()
    # 5 notices at 4 a second: the first at once, then one every 0.25 s.
    assert clock.slept == [0.25, 0.25, 0.25, 0.25]
    assert clock.now == 1001.0


def test_time_spent_sending_counts_towards_the_interval() -> None:
    clock = FakeClock()
    sender = pace(2, clock)
    sender.wait()
    clock.now += 0.4  # SES took 0.4 s to answer
    sender.wait()
    assert clock.slept == pytest.approx([0.1])


def test_without_a_rate_nothing_waits() -> None:
    clock = FakeClock()
    sender = pace(None, clock)
    for _ in range(3):
        sender.wait()
    assert clock.slept == []


def test_the_rate_comes_from_the_ses_max_send_rate_variable() -> None:
    env = {
        "TABLE_NAME": "table",
        "BUCKET_NAME": "bucket",
        "SENDER_EMAIL": "plans@ctc.example.com",
        "ADMIN_EMAIL": "plan-admin@ctc.example.com",
    }
    assert Settings.from_env({**env, "SES_MAX_SEND_RATE": "14"}).ses_send_rate == 14
    assert Settings.from_env(env).ses_send_rate is None
