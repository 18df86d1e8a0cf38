"""A simulation spaces the garbage collector's young passes and gives Python's spacing
back when it ends, however it ends (stockplan_cli.simulate.collections_spaced)."""

from __future__ import annotations

import gc

import pytest

from stockplan_cli.simulate import collections_spaced


def test_the_young_pass_is_spaced_while_a_simulation_runs_and_restored_after() -> None:
    before = gc.get_threshold()
    with collections_spaced(young=12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
    assert gc.get_threshold() == before


def test_the_spacing_is_restored_when_the_simulation_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collections_spaced(young=54_321):
        raise RuntimeError("a day failed")
    assert gc.get_threshold() == before
