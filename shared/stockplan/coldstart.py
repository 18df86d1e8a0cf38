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


def pause_collection() -> None:
    gc.disable()


def imports_done() -> None:
    gc.enable()
    gc.freeze()
