"""Fan-out (issue 13): a ROWS-row termination file queued in chunks by the FeedFunction
and applied by the ChunkFunction, as the embedded AWS's chunk queue delivers them.

The people and the file are bench_feed's. Printed: the chunk count, each chunk's wall
time (the slowest one is what must stay under 5 minutes of work on AWS), the total
(upload to last summary, every notice sent) and, from the slowest chunk's seconds a
row, what a 100,000-row file would take: its chunk count and its slowest chunk.

    python benchmarks/bench_fanout.py [--rows 20000] [--chunk-rows 1000]
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from bench_feed import UPLOAD_DAY, people, terminations_csv
from common import Stopwatch, local_stack, seed

# What one invocation may spend on a chunk (issue 13's target, under the 15-minute cap).
CHUNK_LIMIT_SECONDS = 300
LARGE_FILE_ROWS = 100_000


def measure(rows: int, chunk_rows: int) -> dict[str, Any]:
    with local_stack() as stack:
        seed(stack, people(rows))
        runtime = stack.runtime
        runtime.settings = runtime.settings.model_copy(
            update={"fanout_rows": chunk_rows, "chunk_rows": chunk_rows}
        )
        chunk_seconds: list[float] = []
        run = stack._run

        def timed(function: str, event: dict[str, Any]) -> Any:
            clock = Stopwatch()
            try:
                return run(function, event)
            finally:
                if function == "ChunkFunction":
                    chunk_seconds.append(clock.seconds)

        stack._run = timed
        clock = Stopwatch()
        result = stack.upload("terminations", terminations_csv(rows), UPLOAD_DAY)["files"][0]
        seconds = clock.seconds
        assert result["status"] == "fanned_out", result
        assert not any(failed for _, failed in stack.chunk_deliveries)
        notices = len(stack.aws.sent_messages())
        assert notices == rows, notices
    slowest = max(chunk_seconds)
    per_row = slowest / chunk_rows
    large_chunks = math.ceil(LARGE_FILE_ROWS / chunk_rows)
    return {
        "rows": rows,
        "chunk_rows": chunk_rows,
        "chunks": len(chunk_seconds),
        "seconds": seconds,
        "slowest_chunk_seconds": slowest,
        "chunk_seconds": chunk_seconds,
        "seconds_per_row_slowest": per_row,
        "large_file_rows": LARGE_FILE_ROWS,
        "large_file_chunks": large_chunks,
        # The slowest chunk's cost a row, for a chunk of the same size in the large
        # file (each chunk also parses the whole file: see docs/performance.md).
        "large_file_slowest_chunk_seconds": per_row * chunk_rows,
        "large_file_chunks_under_limit": per_row * chunk_rows < CHUNK_LIMIT_SECONDS,
    }


def run(rows: int, chunk_rows: int) -> dict[str, Any]:
    result = measure(rows, chunk_rows)
    print(
        f"fan-out: {rows:,} termination rows in {result['chunks']} chunks of {chunk_rows:,}: "
        f"{result['seconds']:.1f} s in all (every notice sent), slowest chunk "
        f"{result['slowest_chunk_seconds']:.1f} s; {LARGE_FILE_ROWS:,} rows would be "
        f"{result['large_file_chunks']} chunks, the slowest about "
        f"{result['large_file_slowest_chunk_seconds']:.0f} s "
        f"(limit {CHUNK_LIMIT_SECONDS} s: "
        f"{'holds' if result['large_file_chunks_under_limit'] else 'does not hold'})",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--chunk-rows", type=int, default=1_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.rows, args.chunk_rows)
    if args.json:
        print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
