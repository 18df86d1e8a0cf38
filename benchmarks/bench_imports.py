"""Cold start: the import time of each handler module in a fresh interpreter
(`python -X importtime`), against a bare `import boto3` as the baseline.

Each module is imported as Lambda does: a new process with the function's code folder
and the shared layer on sys.path, the template's environment and LAMBDA_TASK_ROOT set.
The layer is built first by the very make target `sam build` runs (shared/Makefile),
for this machine's Python, so its packages come with the bytecode a deployed layer
ships; boto3 comes from the virtualenv, as from the runtime in Lambda. The figure is
the wall time of the import statement (the sum importtime reports for the top-level
module), the median of RUNS processes.

    python benchmarks/bench_imports.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from common import ROOT, median

HANDLERS = {
    "FeedFunction": ("functions/feed", "feed_handler"),
    "DailyFunction": ("functions/daily", "daily_handler"),
    "NoticeFunction": ("functions/notices", "notice_handler"),
}


def lambda_environment() -> dict[str, str]:
    """The functions' literal environment variables from the template (Globals).

    With LAMBDA_TASK_ROOT set the X-Ray SDK behaves as in Lambda: outside it the SDK
    builds two botocore clients for centralised sampling at import, a cost a function
    never pays.
    """
    from stockplan_cli.infra_spec import load_template

    variables = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    env = {name: value for name, value in variables.items() if isinstance(value, str)}
    env["LAMBDA_TASK_ROOT"] = str(ROOT)
    env["AWS_LAMBDA_FUNCTION_NAME"] = "bench-imports"
    return env


def build_layer(target: Path) -> Path:
    """The shared layer as `sam build` makes it, for the running interpreter."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    done = subprocess.run(
        [
            "make",
            "-s",
            "-C",
            str(ROOT / "shared"),
            "build-SharedLayer",
            f"ARTIFACTS_DIR={target}",
            f"LAYER_PYTHON={sys.executable}",
            f"LAYER_PYTHON_VERSION={version}",
            "LAYER_PLATFORM=",
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"building the layer (shared/Makefile) failed:\n{done.stderr}")
    return target / "python"


def import_microseconds(module: str, path: list[str]) -> int:
    env = dict(os.environ)
    env.update(lambda_environment())
    env["PYTHONPATH"] = os.pathsep.join(path)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    pattern = re.compile(r"import time:\s+\d+ \|\s+(\d+) \|\s?(.*)$")
    total = 0
    for line in done.stderr.splitlines():
        found = pattern.match(line)
        if found and found.group(2).strip() == module:
            total = int(found.group(1))
    return total


def run(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="stockplan-layer-") as scratch:
        layer = str(build_layer(Path(scratch)))
        return measure(runs, layer)


def measure(runs: int, layer: str) -> dict[str, Any]:
    paths = {"boto3": [layer]} | {
        module: [str(ROOT / folder), layer] for folder, module in HANDLERS.values()
    }
    # One warm-up of each; then rounds that import every module once, so a machine
    # slowing down or speeding up moves the baseline and the handlers alike.
    for module, path in paths.items():
        import_microseconds(module, path)
    samples: dict[str, list[int]] = {module: [] for module in paths}
    for _ in range(runs):
        for module, path in paths.items():
            samples[module].append(import_microseconds(module, path))
    baseline = median(samples["boto3"])
    print(f"imports: bare boto3 {baseline / 1000:.0f} ms (median of {runs})", flush=True)
    handlers = {}
    for function, (_folder, module) in HANDLERS.items():
        micros = median(samples[module])
        # The ratio is the median of each round's ratio to that round's boto3.
        ratio = median(m / b for m, b in zip(samples[module], samples["boto3"], strict=True))
        handlers[function] = {"module": module, "ms": micros / 1000, "ratio": ratio}
        print(
            f"imports: {function} ({module}) {micros / 1000:.0f} ms = {ratio:.2f} x boto3",
            flush=True,
        )
    return {"runs": runs, "boto3_ms": baseline / 1000, "handlers": handlers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    run(args.runs)


if __name__ == "__main__":
    main()
