"""A Lambda container's start: the garbage collector paused while a handler imports.

What a handler imports lives as long as its container, so the collector's passes
during the imports free nothing, yet each full pass walks every object loaded so far:
about 25 ms of the feed handler's 220 ms import (docs/performance.md). A handler calls
`pause_collection()` before its imports and `imports_done()` after its module-level
setup; the collector then resumes with everything loaded so far frozen out of its
later passes (gc.freeze), which also spares every invocation a walk over the modules.
"""

from __future__ import annotations

import gc
from types import ModuleType


def pause_collection() -> None:
    gc.disable()


def imports_done() -> None:
    gc.enable()
    gc.freeze()


def lazy_module(name: str) -> ModuleType:
    """`name`, loaded at its first attribute access (importlib's LazyLoader): the notice
    classes and templates cost a handler about 30 ms of import that a daily run with
    nothing to send, or a feed of no notices, never needs."""
    import importlib.util
    import sys

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
