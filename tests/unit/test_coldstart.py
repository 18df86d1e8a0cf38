"""stockplan.coldstart.lazy_module: a handler's notice code loads on first use."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest

from stockplan.coldstart import lazy_module


def test_a_lazy_module_runs_only_when_an_attribute_is_first_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    module = lazy_module("colorsys")
    assert "colorsys" not in sys.modules  # not imported yet
    assert module.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
    assert isinstance(sys.modules["colorsys"], ModuleType)


def test_two_threads_reading_a_lazy_module_first_both_get_its_attribute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    module = lazy_module("colorsys")
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda _: module.ONE_THIRD, range(64)))
    assert found == [1.0 / 3.0] * 64


def test_a_module_loaded_already_is_returned_as_it_is() -> None:
    import json

    assert lazy_module("json") is json


def test_a_module_that_does_not_exist_is_refused_at_once() -> None:
    with pytest.raises(ModuleNotFoundError):
        lazy_module("stockplan.no_such_module")
