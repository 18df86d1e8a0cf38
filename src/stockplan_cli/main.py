"""The `stockplan` command (interfaces.md §3)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stockplan",
        description="Runs the CTC 1998 Incentive Plan and the 1999 Directors Plan.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    sim = commands.add_parser(
        "simulate",
        help="run a scenario on the embedded local AWS, day by day",
        description="Upload SCENARIO_DIR/feeds/<day>/<kind>.csv each day and fire the daily "
        "schedule, from an empty state; write report.json, emails/ and rejections.json.",
    )
    sim.add_argument("scenario", type=Path, metavar="SCENARIO_DIR")
    sim.add_argument("--start", type=_day, required=True, help="first day, YYYY-MM-DD")
    sim.add_argument("--end", type=_day, required=True, help="last day (inclusive), YYYY-MM-DD")
    sim.add_argument("--out", type=Path, required=True, metavar="OUT_DIR")

    demo = commands.add_parser(
        "demo", help="simulate the scenario shipped with the project and summarise it"
    )
    demo.add_argument("--out", type=Path, default=Path("demo-output"), metavar="OUT_DIR")

    report = commands.add_parser(
        "report",
        help="the state of a running stack (local or AWS) as a table or JSON",
        description="Reads the table named by --table or TABLE_NAME with the usual AWS "
        "settings (AWS_ENDPOINT_URL for the local stack). Lists the notices that did not "
        "arrive (bounced, complained about, or failed after every attempt) after the "
        "awards.",
    )
    report.add_argument("--as-of", type=_day, default=None, help="YYYY-MM-DD (default: today)")
    report.add_argument("--json", action="store_true", help="print report.json instead")
    report.add_argument("--table", default=None, help="DynamoDB table (default: $TABLE_NAME)")

    notices = commands.add_parser(
        "notices",
        help="render one example of every notice kind (.eml, .html, .txt) for review",
        description="Render one example of every notice kind from fixed sample data into "
        "OUT_DIR: <kind>.eml (exactly as sent), <kind>.html and <kind>.txt.",
    )
    notices.add_argument("--out", type=Path, required=True, metavar="OUT_DIR")

    local = commands.add_parser(
        "local",
        help="start the embedded AWS and keep it running: uploads are processed, the "
        "schedule fires, notices land in a folder",
    )
    local.add_argument("--port", type=int, default=4566)
    local.add_argument("--emails", type=Path, default=Path("local-emails"))
    local.add_argument(
        "--day", type=_day, default=None, help="the plan day to start on (default: today)"
    )
    local.add_argument(
        "--seconds-per-day",
        type=float,
        default=0.0,
        help="advance one plan day every N seconds (0: stay on --day, or follow the "
        "real calendar when --day is not given)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command](args))
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # one-line reason on stderr (interfaces.md §3)
        print(f"stockplan {args.command}: {error}", file=sys.stderr)
        return 1


def _simulate(args: argparse.Namespace) -> int:
    from stockplan_cli.simulate import simulate

    summary = simulate(args.scenario, args.start, args.end, args.out)
    print(summary_text(summary))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from stockplan_cli.embedded import project_root
    from stockplan_cli.simulate import simulate

    scenario = project_root() / "scenarios" / "demo"
    spec = json.loads((scenario / "scenario.json").read_text())
    summary = simulate(
        scenario, date.fromisoformat(spec["start"]), date.fromisoformat(spec["end"]), args.out
    )
    print(f"Demo: {spec['title']}")
    print(summary_text(summary))
    return 0


def summary_text(summary: Any) -> str:
    report = summary.report
    awards = report.get("awards", [])
    statuses: dict[str, int] = {}
    for award in awards:
        statuses[award["status"]] = statuses.get(award["status"], 0) + 1
    formula = sum(1 for a in awards if a["award_type"] == "formula_option")
    lines = [
        f"Simulated {summary.days} days ({summary.start} to {summary.end}) "
        f"in {summary.seconds:.1f} s.",
        f"Feeds: {summary.files} files, {summary.rows_accepted} rows accepted, "
        f"{summary.rows_rejected} rows rejected"
        + (f", {summary.files_rejected} whole files rejected" if summary.files_rejected else "")
        + ".",
        f"Awards: {len(awards)} ({formula} formula options); "
        + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        + ".",
        f"Deferred stock awards: {len(report.get('deferred_stock', []))}.",
        "Daily effects: "
        + (", ".join(f"{n} {k}" for k, n in sorted(summary.applied.items())) or "none")
        + ".",
    ]
    for plan, pool in report.get("pools", {}).items():
        lines.append(
            f"Pool {plan}: reserved {pool['reserved']}, outstanding {pool['outstanding']}, "
            f"delivered {pool['delivered']}, available {pool['available']}."
        )
    out = summary.out_dir
    lines.append(f"Emails sent: {summary.emails}, in {out / 'emails'}/")
    lines.append(f"Report: {out / 'report.json'}; rejections: {out / 'rejections.json'}")
    return "\n".join(lines)


def _report(args: argparse.Namespace) -> int:
    import os

    import boto3

    from stockplan.data.table import Table
    from stockplan.service.report import build_report, undelivered_notices

    name = args.table or os.environ.get("TABLE_NAME")
    if not name:
        raise ValueError("no table: pass --table or set TABLE_NAME")
    as_of = args.as_of or datetime.now(ZoneInfo("America/New_York")).date()
    table = Table(boto3.client("dynamodb"), name)
    report = build_report(table, as_of)
    undelivered = undelivered_notices(table)
    if args.json:
        # report.json (interfaces.md §3), with the notices that did not arrive.
        print(json.dumps({**report, "undelivered_notices": undelivered}, indent=2))
    else:
        print(report_table(report))
        print(undelivered_table(undelivered))
    return 0


def undelivered_table(notices: list[dict[str, Any]]) -> str:
    """The notices that bounced, were complained about or failed, for people."""
    if not notices:
        return "\nUndelivered notices: none"
    header = ("notice", "kind", "participant", "sent on", "delivery", "detail")
    rows = [header] + [
        (
            n["notice_id"],
            n["kind"] or "-",
            n["participant_id"] or "-",
            n["send_on"] or "-",
            n["delivery"],
            n["detail"] or "-",
        )
        for n in notices
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["", f"Undelivered notices: {len(notices)}"]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def report_table(report: dict[str, Any]) -> str:
    header = (
        "award",
        "participant",
        "plan",
        "type",
        "granted",
        "exercised",
        "forfeited",
        "expired",
        "outstanding",
        "exercisable",
        "deadline",
        "status",
    )
    rows = [header] + [
        (
            a["award_id"],
            a["participant_id"],
            a["plan"],
            a["award_type"],
            str(a["shares_granted"]),
            str(a["shares_exercised"]),
            str(a["shares_forfeited"]),
            str(a["shares_expired"]),
            str(a["shares_outstanding"]),
            str(a["exercisable_shares"]),
            a["exercise_deadline"] or "-",
            a["status"],
        )
        for a in report["awards"]
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [f"State as of {report['as_of']}", ""]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.append("")
    for plan, pool in report["pools"].items():
        lines.append(
            f"{plan}: reserved {pool['reserved']}, outstanding {pool['outstanding']}, "
            f"delivered {pool['delivered']}, available {pool['available']}"
        )
    return "\n".join(lines)


def _notices(args: argparse.Namespace) -> int:
    from stockplan_cli.notice_samples import write_samples

    written = write_samples(args.out)
    kinds = sorted({path.stem for path in written})
    print(f"Wrote {len(written)} files for {len(kinds)} notice kinds to {args.out}/:")
    print("  " + ", ".join(kinds))
    return 0


def _local(args: argparse.Namespace) -> int:
    from stockplan_cli.localrun import run_local

    return run_local(args)


COMMANDS = {
    "simulate": _simulate,
    "demo": _demo,
    "report": _report,
    "notices": _notices,
    "local": _local,
}

if __name__ == "__main__":
    sys.exit(main())
