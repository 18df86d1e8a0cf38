"""Handlers pause the garbage collector while they import and always resume it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = {
    "feed_handler": "functions/feed",
    "daily_handler": "functions/daily",
    "notice_handler": "functions/notices",
    "bounce_handler": "functions/bounces",
}
PROBE = """
import gc, sys
module = sys.argv[1]
paused = []
original_disable = gc.disable
gc.disable = lambda: (paused.append(True), original_disable())[1]
__import__(module)
print(bool(paused), gc.isenabled(), gc.get_freeze_count())
"""


@pytest.mark.parametrize("module", sorted(HANDLERS))
def test_a_handler_import_pauses_the_collector_then_resumes_it_with_its_modules_frozen(
    module: str,
) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / HANDLERS[module]), str(ROOT / "shared")])
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    paused, enabled, frozen = done.stdout.split()
    assert paused == "True", "the handler imported its dependencies with the collector running"
    assert enabled == "True", "the handler left the garbage collector disabled"
    # Thousands of objects the imports created sit outside the collector's passes.
    assert int(frozen) > 10_000


@pytest.mark.parametrize("module", sorted(HANDLERS))
def test_a_handler_import_loads_no_template_engine_jinja_comes_with_the_first_notice(
    module: str,
) -> None:
    """Cold start (issue 15): Jinja2 and the templates are loaded by the first notice
    rendered, not by a handler's import."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / HANDLERS[module]), str(ROOT / "shared")])
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    probe = (
        "import sys; __import__(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'jinja2', 'markupsafe'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, module],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "[]"
