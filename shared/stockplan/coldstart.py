"""A Lambda container's start: the garbage collector paused while a handler imports.

What a handler imports lives as long as its container, so the collector's passes
during the imports free nothing, yet each full pass walks every object loaded so far:
about 25 ms of the feed handler's 220 ms import (docs/performance.md). A handler calls
`pause_collection()` before its imports and `imports_done()` after its module-level
setup; the collector then resumes with everything loaded so far frozen out of its
later passes (gc.freeze), which also spares every invocation a walk over the modules.

`lazy_module(name)` stands for a module a handler may never need (the notices) until
its first attribute is read.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


def pause_collection() -> None:
    gc.disable()


def imports_done() -> None:
    gc.enable()
    gc.freeze()


class _LazyModule:
    """Stands for a module until its first attribute is read, then imports it (the import
    system's own lock makes two threads' first reads safe, which importlib's LazyLoader
    is not on Python 3.11) and hands every read on to it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


def lazy_module(name: str) -> Any:
    """`name`, imported at its first attribute read: the notice classes and templates
    cost a handler about 30 ms of import that a daily run with nothing to send, or a
    feed of no notices, never needs. A module imported already is returned as it is."""
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(name)
    return _LazyModule(name)
