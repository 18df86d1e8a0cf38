"""Long simulation: ten years of daily runs with 1,000 participants, through
`stockplan simulate` (every feed uploaded and delivered as S3 events, the daily
schedule fired every day, every notice sent), in a fresh process: wall time and
peak memory (max RSS). Also the shipped demo scenario.

The generated scenario (written to a temporary folder): 990 employees and 10 directors
from 1999-07-01; a prices file on the first of each month (the previous month's
weekdays); a yearly option grant to every employee still in service (100 shares,
vesting yearly over 4 years, 10-year term); 5 terminations a month (reasons mixed,
deaths among them); the directors' annual meeting each July (formula options).

    python benchmarks/bench_simulation.py [--years 10] [--people 1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from common import ROOT

START = date(1999, 7, 1)
REASONS = ["voluntary", "involuntary", "retirement", "death", "voluntary", "cause", "disability"]


def _weekdays(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def write_scenario(folder: Path, years: int, people: int) -> tuple[date, date]:
    end = date(START.year + years, START.month, START.day) - timedelta(days=1)
    feeds = folder / "feeds"

    def put(day: date, kind: str, lines: list[str]) -> None:
        target = feeds / day.isoformat()
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{kind}.csv").write_text("\n".join(lines) + "\n")

    directors = [f"D-{n:02d}" for n in range(10)]
    employees = [f"E-{n:04d}" for n in range(people - len(directors))]
    put(
        START,
        "participants",
        ["participant_id,name,email,role,personal_email,estate_email"]
        + [
            f"{e},Employee {e},{e.lower()}@ctc.example.com,employee,"
            f"{e.lower()}@home.example.com,estate.{e.lower()}@law.example.com"
            for e in employees
        ]
        + [f"{d},Director {d},{d.lower()}@board.example.com,director,," for d in directors],
    )
    # Opening prices: the month before the start.
    month_start = date(START.year, START.month - 1, 1)
    price = 20.0
    first = True
    day = START
    terminated: dict[str, date] = {}
    leaving = iter(employees)
    grant_no = 0
    while day <= end:
        if day.day == 1:
            last_month_end = day - timedelta(days=1)
            lines = ["date,last_sale"]
            since = month_start if first else last_month_end.replace(day=1)
            for d in _weekdays(since, last_month_end):
                price = round(max(5.0, price + ((d.toordinal() * 7919) % 13 - 6) / 16), 4)
                lines.append(f"{d.isoformat()},{price:.4f}")
            put(day, "prices", lines)
            first = False
            if day > START:
                rows = ["participant_id,termination_date,reason"]
                for k in range(5):
                    who = next(leaving, None)
                    if who is None:
                        break
                    ended = day - timedelta(days=1 + k)
                    terminated[who] = ended
                    rows.append(f"{who},{ended.isoformat()},{REASONS[len(terminated) % 7]}")
                if len(rows) > 1:
                    put(day, "terminations", rows)
        if day.month == 7 and day.day == 15:
            rows = [
                "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
                "final_exercise_date,vesting"
            ]
            for e in employees:
                if e in terminated:
                    continue
                grant_no += 1
                vest = ";".join(f"{date(day.year + k, 7, 15).isoformat()}:25" for k in range(1, 5))
                rows.append(
                    f"G-{grant_no:06d},{e},incentive-1998,nso,{day.isoformat()},100,"
                    f"{price:.4f},{date(day.year + 10, 7, 15).isoformat()},{vest}"
                )
            put(day, "grants", rows)
        if day.month == 7 and day.day == 20:
            meeting = date(day.year, 7, 27)
            put(
                day,
                "meetings",
                ["meeting_date,participant_id,outcome"]
                + [f"{meeting.isoformat()},{d},reelected" for d in directors],
            )
        day += timedelta(days=1)
    return START, end


def child(scenario: Path, start: date, end: date, out: Path, engine: str) -> dict[str, Any]:
    """Runs in its own process: `simulate`, then the CPU time and the peak RSS of this
    process (CPU: the machine is shared, its wall time is noisy)."""
    from stockplan_cli.simulate import simulate

    began, cpu = time.perf_counter(), time.process_time()
    summary = simulate(scenario, start, end, out, engine=engine)
    seconds = time.perf_counter() - began
    cpu_seconds = time.process_time() - cpu
    peak_kib = _peak_rss_kib()
    return {
        "engine": engine,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mib": peak_kib / 1024,
        "days": summary.days,
        "files": summary.files,
        "rows_accepted": summary.rows_accepted,
        "rows_rejected": summary.rows_rejected,
        "emails": summary.emails,
        "applied": dict(summary.applied),
    }


def _peak_rss_kib() -> int:
    """This process's peak resident memory. VmHWM, not getrusage's ru_maxrss: Linux
    carries the parent's high-water mark across fork and exec into ru_maxrss."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def in_fresh_process(
    scenario: Path, start: date, end: date, engine: str = "memory"
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                str(scenario),
                start.isoformat(),
                end.isoformat(),
                out,
                engine,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(years: int, people: int, demo_runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        start, end = write_scenario(Path(folder), years, people)
        long = in_fresh_process(Path(folder), start, end)
    long.update(years=years, people=people)
    print(
        f"simulation: {years} years, {people:,} participants: {long['seconds']:.0f} s "
        f"({long['cpu_seconds']:.0f} s CPU), "
        f"peak {long['peak_mib']:.0f} MiB; {long['files']} files, {long['rows_accepted']:,} rows "
        f"accepted, {long['emails']:,} emails, daily effects {long['applied']}",
        flush=True,
    )
    demo_dir = ROOT / "scenarios" / "demo"
    spec = json.loads((demo_dir / "scenario.json").read_text())
    demos = [
        in_fresh_process(
            demo_dir, date.fromisoformat(spec["start"]), date.fromisoformat(spec["end"])
        )
        for _ in range(demo_runs)
    ]
    demo_seconds = sorted(d["seconds"] for d in demos)[len(demos) // 2]
    demo_cpu = sorted(d["cpu_seconds"] for d in demos)[len(demos) // 2]
    print(
        f"simulation: demo scenario {demo_seconds:.1f} s, {demo_cpu:.1f} s CPU "
        f"(median of {demo_runs}), "
        f"peak {max(d['peak_mib'] for d in demos):.0f} MiB",
        flush=True,
    )
    demo = {"seconds": demo_seconds, "cpu_seconds": demo_cpu, "runs": demo_runs, "samples": demos}
    return {"long": long, "demo": demo}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        scenario, start, end, out, engine = sys.argv[2:7]
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        print(json.dumps(child(Path(scenario), first, last, Path(out), engine)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--demo-runs", type=int, default=3)
    args = parser.parse_args()
    run(args.years, args.people, args.demo_runs)


if __name__ == "__main__":
    main()
