"""Termination feed: a ROWS-row HR file through the FeedFunction, as S3 delivers it.

Each of ROWS participants (seeded straight into the table, as in bench_daily) holds
three awards: an option half vested on the termination date, an option not vested at
all and one closed long ago. Every row terminates one of them (voluntary, 3-month
window, 1998 §6.a.(5)(B)): two awards change, one notice each. The figures are the
handler's wall time, rows per second, and DynamoDB requests per row, for the feed's
own work and for sending its notices (claim and mark sent), separately.

Each run measures the file twice on fresh stacks: as the FeedFunction applies it
(rows of different people batched in one transaction, `feeds.RowBatch`) and row by row
(`FeedDeps.batch_rows=1`, the path before issue 13), so the ratio between them is
measured in the same run on the same machine.

    python benchmarks/bench_feed.py [--rows 10000] [--runs 3] [--batch-rows N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

from bench_daily import _award, _stored
from common import Stopwatch, local_stack, median, seed

UPLOAD_DAY = date(2001, 6, 1)
SEEDED_ON = date(2001, 5, 1)


def people(rows: int) -> Iterator[dict[str, Any]]:
    from stockplan.data import records as rec
    from stockplan.domain.model import Participant, Role, Tranche

    outstanding = 0
    for n in range(rows):
        pid = f"E-{n:06d}"
        profile = rec.participant_item(
            Participant(
                pid, f"Person {n}", f"e{n}@ctc.example.com", Role.EMPLOYEE, f"e{n}@home.example"
            )
        )
        # What the person holds, as the service keeps it on the profile (issue 13).
        profile[rec.HOLDINGS] = [rec.award_sk(f"{x}-{n:06d}") for x in "ABC"]
        yield profile
        half = _award(
            f"A-{n:06d}",
            pid,
            grant_date=date(2000, 1, 3),
            shares_granted=1000,
            tranches=(Tranche(date(2001, 1, 3), 500), Tranche(date(2002, 1, 3), 500)),
            final_exercise_date=date(2010, 1, 3),
            exercise_deadline=date(2010, 1, 3),
        )
        unvested = _award(
            f"B-{n:06d}",
            pid,
            grant_date=date(2001, 1, 3),
            shares_granted=400,
            tranches=(Tranche(date(2002, 1, 3), 400),),
            final_exercise_date=date(2011, 1, 3),
            exercise_deadline=date(2011, 1, 3),
        )
        closed = _award(
            f"C-{n:06d}",
            pid,
            grant_date=date(1990, 1, 3),
            shares_granted=100,
            final_exercise_date=date(2000, 1, 3),
            exercise_deadline=date(2000, 1, 3),
            shares_expired=100,
        )
        outstanding += 1400
        for award in (half, unvested, closed):
            yield from _stored(award, SEEDED_ON)
    yield {
        "PK": "POOL",
        "SK": "incentive-1998",
        "type": "pool",
        "version": 1,
        "outstanding": outstanding,
        "delivered": 0,
        "splits": [],
    }
    yield {
        "PK": "SCHEDULE",
        "SK": "MARKER",
        "type": "marker",
        "due": "2009-09-01",
        "dirty": False,
        "version": 1,
    }


def terminations_csv(rows: int) -> bytes:
    lines = ["participant_id,termination_date,reason"]
    lines += [f"E-{n:06d},{UPLOAD_DAY.isoformat()},voluntary" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def measure(rows: int, batch_rows: int | None = None, engine: str = "memory") -> dict[str, Any]:
    """One file of `rows` terminations; `batch_rows` overrides FeedDeps.batch_rows."""
    import dataclasses

    with local_stack(engine) as stack:
        seed(stack, people(rows))
        runtime = stack.runtime
        if batch_rows is not None:
            make_deps = runtime.feed_deps
            runtime.feed_deps = lambda table: dataclasses.replace(  # type: ignore[method-assign]
                make_deps(table), batch_rows=batch_rows
            )
        counts = stack.counts
        # The handler's work is stockplan.entry.feed's (the handler module is a shim).
        handler_module = sys.modules["stockplan.entry.feed"]
        original_dispatch = handler_module.dispatch
        sending: dict[str, Any] = {}

        def dispatch(*args: Any, **kwargs: Any) -> Any:
            before = counts.snapshot()
            clock = Stopwatch()
            try:
                return original_dispatch(*args, **kwargs)
            finally:
                sending["counts"] = counts.since(before)
                sending["seconds"] = clock.seconds

        handler_module.dispatch = dispatch
        try:
            body = terminations_csv(rows)
            before = counts.snapshot()
            cpu = time.process_time()
            clock = Stopwatch()
            result = stack.upload("terminations", body, UPLOAD_DAY)["files"][0]
            seconds = clock.seconds
            cpu_seconds = time.process_time() - cpu
        finally:
            handler_module.dispatch = original_dispatch
        spent = counts.since(before)
        assert (result["accepted"], result["rejected"]) == (rows, 0), result
        notices = len(stack.aws.sent_messages())
        assert notices == rows, notices
    sent = sending["counts"]
    feed_requests = spent.total - sent.total
    return {
        "engine": engine,
        "rows": rows,
        "batch_rows": batch_rows,
        "seconds": seconds,
        "feed_seconds": seconds - sending["seconds"],
        # CPU time of this process: on a shared machine, steadier than the wall time.
        "cpu_seconds": cpu_seconds,
        "rows_per_second": rows / seconds,
        "requests": spent.total,
        "requests_per_row": spent.total / rows,
        "feed_requests_per_row": feed_requests / rows,
        "notice_requests_per_notice": sent.total / notices,
        "items_read_per_row": spent.items_read / rows,
        "items_written_per_row": spent.items_written / rows,
        # The feed's own: without the notices' sent marks and bodies.
        "feed_items_written_per_row": (spent.items_written - sent.items_written) / rows,
        "send_seconds": sending["seconds"],
        "by_operation": dict(spent.requests),
        "notice_by_operation": dict(sent.requests),
    }


def run(
    rows: int, runs: int, batch_rows: int | None = None, engine: str = "memory"
) -> dict[str, Any]:
    samples = []
    for _ in range(runs):
        sample = measure(rows, batch_rows, engine)
        label = ("row by row" if batch_rows == 1 else "batched") + f", {engine} engine"
        print(
            f"feed ({label}): {rows:,} termination rows in {sample['seconds']:.1f} s "
            f"({sample['cpu_seconds']:.1f} s CPU) "
            f"({sample['rows_per_second']:.0f} rows/s; notices sent in "
            f"{sample['send_seconds']:.1f} s), {sample['requests_per_row']:.2f} DynamoDB "
            f"requests/row: {sample['feed_requests_per_row']:.2f} for the feed + "
            f"({sample['feed_items_written_per_row']:.1f} items written/row), "
            f"{sample['notice_requests_per_notice']:.2f} per notice sent "
            f"{sample['by_operation']}",
            flush=True,
        )
        samples.append(sample)
    keys = [k for k, v in samples[0].items() if isinstance(v, int | float)]
    result: dict[str, Any] = {k: median(s[k] for s in samples) for k in keys}
    result["runs"] = runs
    result["engine"] = engine
    result["by_operation"] = samples[0]["by_operation"]
    result["notice_by_operation"] = samples[0]["notice_by_operation"]
    result["samples"] = samples
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-rows", type=int, default=None, help="1: row by row")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.rows, args.runs, args.batch_rows)
    if args.json:
        print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
