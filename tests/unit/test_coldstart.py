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
    assert sys.modules["colorsys"] is module
    assert type(module) is not ModuleType  # importlib's lazy module: not executed yet
    assert module.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
    assert type(module) is ModuleType


def test_a_module_loaded_already_is_returned_as_it_is() -> None:
    import json

    assert lazy_module("json") is json


def test_a_module_that_does_not_exist_is_refused_at_once() -> None:
    with pytest.raises(ModuleNotFoundError):
        lazy_module("stockplan.no_such_module")
