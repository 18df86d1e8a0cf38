"""Daily job: what one run reads and requests with 1,000 / 10,000 / 100,000 awards
stored and 10 due that day (5 expiries, 5 thirty-day reminders).

The history is seeded straight into the table with BatchWriteItem (the feed path would
take hours for 100,000 awards on moto), with the items the service itself writes
(`stockplan.data.records`): three in four awards closed long ago, one in four
outstanding with its deadline years away (and its due items), participants of ten
awards each, the pool counters and the schedule marker. Then the DailyFunction runs
on a quiet day and on RUNS consecutive days with 10 items due each.

    python benchmarks/bench_daily.py [--sizes 1000,10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from common import Stopwatch, local_stack, median, seed

FIRST_RUN = date(2005, 3, 1)
SEEDED_ON = date(2005, 1, 3)
DUE_EXPIRIES = 5
DUE_REMINDERS = 5
AWARDS_PER_PERSON = 10
SHARES = 10


def _award(award_id: str, person: str, **changes: Any) -> Any:
    from stockplan.domain.model import Award, AwardType, PlanCode

    base = Award(
        award_id=award_id,
        participant_id=person,
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.NSO,
        grant_date=date(1999, 10, 4),
        shares_granted=SHARES,
        exercise_price=Decimal("31.125"),
        final_exercise_date=date(2009, 10, 4),
        exercise_deadline=date(2009, 10, 4),
    )
    return base.evolve(**changes)


def _stored(award: Any, today: date, *, legacy: bool = False) -> list[dict[str, Any]]:
    """The award, its owner pointer and its due item, as `ledger.Change` writes them
    (`legacy`: one due item per effect, as stored before issue 13)."""
    from stockplan.data import records as rec
    from stockplan.domain.schedule import award_schedule

    schedule = award_schedule(award, today)
    item = rec.award_item(award, 1)
    item["due"] = [[d.day.isoformat(), d.kind.value, d.detail] for d in schedule]
    if legacy:
        due = [rec.due_item(d, item["PK"]) for d in schedule]
    else:
        head = min(schedule, default=None)
        item["next_due"] = rec.due_value(head)
        due = [] if head is None else [rec.award_due_item(head, item["PK"])]
    return [item, rec.award_owner_item(award), *due]


def history(size: int, runs: int) -> Iterator[dict[str, Any]]:
    """`size` awards: 10 due on each of `runs` days from FIRST_RUN, the rest history."""
    from stockplan.data import records as rec
    from stockplan.domain.model import Participant, Role
    from stockplan.domain.schedule import reminder_key

    people = max(1, size // AWARDS_PER_PERSON)
    for n in range(people):
        pid = f"P-{n:06d}"
        yield rec.participant_item(
            Participant(pid, f"Person {n}", f"p{n}@ctc.example.com", Role.EMPLOYEE)
        )
    outstanding = 0
    due_awards = DUE_EXPIRIES + DUE_REMINDERS
    number = 0
    for run in range(runs):
        day = FIRST_RUN + timedelta(days=run)
        for k in range(due_awards):
            number += 1
            person = f"P-{number % people:06d}"
            if k < DUE_EXPIRIES:
                deadline = day - timedelta(days=1)  # expires on `day`
                reminded = frozenset(reminder_key(d, deadline) for d in (30, 7))
            else:
                deadline = day + timedelta(days=30)  # 30-day reminder on `day`
                reminded = frozenset()
            award = _award(
                f"DUE-{number:06d}",
                person,
                final_exercise_date=deadline,
                exercise_deadline=deadline,
                reminders_sent=reminded,
            )
            outstanding += SHARES
            yield from _stored(award, SEEDED_ON)
    for m in range(size - number):
        person = f"P-{m % people:06d}"
        if m % 4 == 0:  # outstanding, its deadline years away
            award = _award(
                f"H-{m:07d}",
                person,
                grant_date=date(2004, 6, 1),
                final_exercise_date=date(2014, 6, 1),
                exercise_deadline=date(2014, 6, 1),
            )
            outstanding += SHARES
        else:  # closed long ago
            award = _award(
                f"H-{m:07d}",
                person,
                grant_date=date(1994, 1, 3) + timedelta(days=m % 365),
                final_exercise_date=date(2004, 1, 3),
                exercise_deadline=date(2004, 1, 3),
                shares_expired=SHARES,
            )
        yield from _stored(award, SEEDED_ON)
    yield {
        "PK": rec.POOL,
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
        "due": FIRST_RUN.isoformat(),
        "dirty": False,
        "version": 1,
    }


def measure(size: int, runs: int) -> dict[str, Any]:
    with local_stack() as stack:
        clock = Stopwatch()
        seeded = seed(stack, history(size, runs))
        seed_seconds = clock.seconds
        counts = stack.counts
        before = counts.snapshot()
        stack.run_day(FIRST_RUN - timedelta(days=1))
        quiet = counts.since(before)
        samples = []
        for run in range(runs):
            day = FIRST_RUN + timedelta(days=run)
            before = counts.snapshot()
            clock = Stopwatch()
            result = stack.run_day(day)
            seconds = clock.seconds
            spent = counts.since(before)
            applied = result["applied"]
            assert applied == {"expiry": DUE_EXPIRIES, "reminder": DUE_REMINDERS}, applied
            samples.append(
                {
                    "requests": spent.total,
                    "reads": spent.reads,
                    "writes": spent.writes,
                    "items_read": spent.items_read,
                    "items_written": spent.items_written,
                    "by_operation": dict(spent.requests),
                    "seconds": seconds,
                    "notices_sent": result["notices_sent"],
                }
            )
    return {
        "awards": size,
        "due": DUE_EXPIRIES + DUE_REMINDERS,
        "items_seeded": seeded,
        "seed_seconds": seed_seconds,
        "runs": runs,
        "quiet_day_requests": quiet.total,
        "quiet_day_items_read": quiet.items_read,
        "requests": median(s["requests"] for s in samples),
        "reads": median(s["reads"] for s in samples),
        "items_read": median(s["items_read"] for s in samples),
        "items_written": median(s["items_written"] for s in samples),
        "seconds": median(s["seconds"] for s in samples),
        "by_operation": samples[len(samples) // 2]["by_operation"],
        "samples": samples,
    }


def run(sizes: list[int], runs: int) -> list[dict[str, Any]]:
    results = []
    for size in sizes:
        result = measure(size, runs)
        print(
            f"daily: {size:>7,} awards stored, {result['due']} due: "
            f"{result['requests']:.0f} requests, {result['items_read']:.0f} items read, "
            f"{result['items_written']:.0f} written, {result['seconds'] * 1000:.0f} ms "
            f"(median of {runs}); quiet day {result['quiet_day_requests']} request(s); "
            f"seeded {result['items_seeded']:,} items in {result['seed_seconds']:.1f} s",
            flush=True,
        )
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run([int(s) for s in args.sizes.split(",")], args.runs)
    if args.json:
        print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
