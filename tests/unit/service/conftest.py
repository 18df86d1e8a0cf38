"""The service unit tier: the use cases on the in-memory table and ports
(stockplan_cli.memory), no AWS and no moto; the whole tier runs in seconds."""

from __future__ import annotations

import pytest
from memory_world import GRANT_CSV, MAR15, PEOPLE_CSV, World


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def granted(world: World) -> World:
    """Ann and Dana on file, a price on 2002-03-15, and Ann's option G-1 granted."""
    world.feed("participants", PEOPLE_CSV, MAR15)
    world.feed("prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    world.feed("grants", GRANT_CSV, MAR15)
    return world
