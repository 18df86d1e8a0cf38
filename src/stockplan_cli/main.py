"""The `stockplan` command (docs/interfaces.md §3)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from stockplan.plantime import PLAN_TIMEZONE, plan_today

# What the upcoming sheet of --csv/--xlsx covers when --upcoming is not given.
UPCOMING_DAYS = 30


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from error


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stockplan")
    except PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "unknown"


class _Paragraphs(argparse.HelpFormatter):
    """Descriptions wrapped to the terminal, paragraph by paragraph."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n\n".join(
            super(_Paragraphs, self)._fill_text(part, width, indent) for part in text.split("\n\n")
        )


def _path_option(
    parser: argparse.ArgumentParser, flag: str, metavar: str, text: str, **more: Any
) -> None:
    """An option naming a file or folder (None when not given, unless `more` says)."""
    parser.add_argument(flag, type=Path, metavar=metavar, help=text, **more)


def _command(commands: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, formatter_class=_Paragraphs, **kwargs
    )
    return parser


def _stack_options(
    parser: argparse.ArgumentParser, as_of: str = "the day the state is read as of"
) -> None:
    """Where a running stack's table is, and its day: the options the commands that read
    (or act on) a running stack share."""
    parser.add_argument(
        "--as-of",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help=f"{as_of} (default: the stack's plan day: the day `stockplan local` is on, "
        f"else today in {PLAN_TIMEZONE})",
    )
    parser.add_argument(
        "--table",
        default=None,
        metavar="NAME",
        help="the stack's DynamoDB table (default: $TABLE_NAME)",
    )
    parser.add_argument(
        "--endpoint-url",
        default=None,
        metavar="URL",
        help="DynamoDB endpoint, e.g. the one `stockplan local` prints "
        "(default: $AWS_ENDPOINT_URL, else AWS itself)",
    )


def _engine_option(parser: argparse.ArgumentParser) -> None:
    from stockplan_cli.simulate import DEFAULT_ENGINE, ENGINES

    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=DEFAULT_ENGINE,
        help="the embedded AWS: in-memory services (fast) or moto (AWS's request "
        "validation and moto's models of each service); the same handlers run on "
        "either (default: %(default)s)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stockplan",
        description="Runs the CTC 1998 Incentive Plan and the 1999 Directors Plan.",
    )
    parser.add_argument("--version", action="version", version=f"stockplan {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sim = _command(
        commands,
        "simulate",
        help="run a scenario on the embedded local AWS, day by day",
        description="Upload SCENARIO_DIR/feeds/<day>/<kind>.csv each day and fire the daily "
        "schedule, from an empty state; write report.json, emails/, rejections.json and "
        "ocf/ (an Open Cap Format bundle of the final state) to OUT_DIR.",
    )
    sim.add_argument(
        "scenario", type=Path, metavar="SCENARIO_DIR", help="folder holding feeds/<day>/"
    )
    sim.add_argument("--start", type=_day, required=True, help="first day, YYYY-MM-DD (required)")
    sim.add_argument(
        "--end", type=_day, required=True, help="last day (inclusive), YYYY-MM-DD (required)"
    )
    sim.add_argument(
        "--out", type=Path, required=True, metavar="OUT_DIR", help="where the outputs go (required)"
    )
    sim.add_argument(
        "--go-live",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="the stack's go-live day (GoLiveDate): facts dated before it are history, "
        "applied with every rule and announced to no participant (default: none)",
    )
    _engine_option(sim)

    demo = _command(
        commands,
        "demo",
        help="simulate the scenario shipped with the project and summarise it",
        description="Simulates the demo scenario (CTC Communications Group, Inc., 1999-2009) "
        "from an empty state and prints what was granted, terminated, expired and emailed, and "
        "where the outputs are.",
    )
    _path_option(
        demo,
        "--out",
        "OUT_DIR",
        "where the outputs go (default: %(default)s, in the current folder)",
        default=Path("demo-output"),
    )
    _engine_option(demo)

    report = _command(
        commands,
        "report",
        help="the state of a running stack (local or AWS) as a table, JSON, CSV or XLSX",
        description="Reads the stack's table with the usual AWS settings (the environment "
        "`stockplan local` prints, or --endpoint-url). Prints the awards with their "
        "holders' names, the pools and the notices that did not arrive (bounced, "
        "complained about, or failed after every attempt).\n\n"
        "--csv FILE writes one file per sheet beside FILE: <FILE without .csv>-awards.csv, "
        "-deferred_stock.csv, -pools.csv, -upcoming.csv, -undelivered_notices.csv. "
        "--xlsx FILE writes the same sheets as one workbook.",
    )
    _stack_options(report)
    report.add_argument(
        "--json",
        action="store_true",
        help="print report.json with undelivered_notices and participant_names "
        "(and upcoming, with --upcoming) instead of tables (default: tables)",
    )
    report.add_argument(
        "--upcoming",
        type=int,
        default=None,
        metavar="DAYS",
        help="list only what falls due from --as-of to DAYS days later: exercise deadlines, "
        "reminders, deferred-stock issues, and the facts fed ahead of their date "
        "(scheduled terminations and grants, meetings, fees, splits and covered "
        "transactions) (default: the whole state; the files' upcoming "
        f"sheet covers {UPCOMING_DAYS} days when not given)",
    )
    _path_option(
        report,
        "--csv",
        "FILE",
        "also write the five sheets as CSV files named after FILE (default: none)",
    )
    _path_option(
        report, "--xlsx", "FILE", "also write the five sheets as an Excel workbook (default: none)"
    )

    audit = _command(
        commands,
        "audit",
        help="every change made to an award or a participant, oldest first",
        description=(
            "Print, oldest first, every change the system made to an award or a person:"
            " the day, what changed (before -> after) and its cause (the feed file and row,"
            " the daily rule and plan section, or the correction or decision with its"
            " request_id and note). Reads a running stack like `stockplan report`."
        ),
    )
    which = audit.add_mutually_exclusive_group(required=True)
    which.add_argument("--award", metavar="AWARD_ID", help="the award's changes")
    which.add_argument("--participant", metavar="PARTICIPANT_ID", help="the person's changes")
    audit.add_argument(
        "--json", action="store_true", help="one JSON object a line (default: lines for people)"
    )
    audit.add_argument(
        "--table",
        default=None,
        metavar="NAME",
        help="the stack's DynamoDB table (default: $TABLE_NAME)",
    )
    audit.add_argument(
        "--endpoint-url",
        default=None,
        metavar="URL",
        help="DynamoDB endpoint, e.g. the one `stockplan local` prints "
        "(default: $AWS_ENDPOINT_URL, else AWS itself)",
    )

    export = _command(
        commands,
        "export",
        help="write the state of a running stack as an Open Cap Format (OCF) bundle",
        description="Reads the stack's table like `stockplan report` and writes an OCF 1.2.0 "
        "bundle (a manifest and the files it names: stakeholders, stock class, both stock "
        "plans with their reserves, vesting terms and every transaction), checked against "
        "the official schemas before it is written.",
    )
    _path_option(export, "--ocf", "OUT_DIR", "where the bundle goes (required)", required=True)
    _stack_options(export)
    export.add_argument(
        "--formation-date",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="the issuer's date of incorporation, which OCF requires and the plans do "
        "not state (default: the 1998 plan's effective date, marked as a stand-in)",
    )

    statement = _command(
        commands,
        "statement",
        help="a participant's statement of their awards (HTML and text), from a running stack",
        description="Reads the stack's table like `stockplan report` and renders what the "
        "participant held on --as-of under both plans (each award's history brought to "
        "that day; awards granted later are left out), with the templates of the notices: "
        "the annual statement email is the same document.\n\n"
        "Without --out the text is printed; with --out DIR, DIR/statement-<P>-<day>.html "
        "and .txt are written.",
    )
    resend = _command(
        commands,
        "resend",
        help="send a notice again to another address (a bounced or failed notice)",
        description="Queues a copy of the notice as it was written (its stored body, kept "
        "for SentNoticeBodyRetentionDays once sent), addressed to ADDRESS; the notice "
        "sweep sends it within 15 minutes. The original's record keeps who asked, when and "
        "the copy's id; asking twice for the same address queues it once. `stockplan "
        "report` lists the notices that did not arrive, with their ids.",
    )
    resend.add_argument("--notice", required=True, metavar="NOTICE_ID", help="(required)")
    resend.add_argument(
        "--to", required=True, metavar="ADDRESS", help="where the copy goes (required)"
    )
    resend.add_argument(
        "--by",
        default=None,
        metavar="NAME",
        help="who asks, kept on the notice's record (default: this computer's user name)",
    )
    _stack_options(resend, as_of="the day the copy is dated and sent")

    statement.add_argument(
        "--participant",
        required=True,
        metavar="PARTICIPANT_ID",
        help="whose statement (required)",
    )
    _stack_options(statement)
    _path_option(
        statement, "--out", "DIR", "write the .html and .txt there (default: print the text)"
    )

    notices = _command(
        commands,
        "notices",
        help="render one example of every notice kind (.eml, .html, .txt) for review",
        description="Render one example of every notice kind from fixed sample data into "
        "OUT_DIR: <kind>.eml (exactly as sent), <kind>.html and <kind>.txt.",
    )
    notices.add_argument(
        "--out", type=Path, required=True, metavar="OUT_DIR", help="where they go (required)"
    )

    local = _command(
        commands,
        "local",
        help="start the embedded AWS and keep it running: uploads are processed, the "
        "schedule fires, notices land in a folder",
        description="Starts moto on 127.0.0.1 with the stack of infra/template.yaml and "
        "prints the environment `stockplan report` needs to read it. Ctrl-C stops it.",
    )
    local.add_argument(
        "--port", type=int, default=4566, help="port on 127.0.0.1 (default: %(default)s)"
    )
    _path_option(
        local,
        "--emails",
        "DIR",
        "folder the sent emails are written to as .eml files (default: %(default)s)",
        default=Path("local-emails"),
    )
    local.add_argument(
        "--day",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help=f"the plan day to start on (default: today in {PLAN_TIMEZONE})",
    )
    local.add_argument(
        "--seconds-per-day",
        type=float,
        default=0.0,
        metavar="N",
        help="advance one plan day every N seconds (default: %(default)s, which stays on "
        "--day, or follows the real calendar when --day is not given)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(COMMANDS[args.command](args))
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped reading (`stockplan report --json | head -1`): end quietly,
        # as a command killed by SIGPIPE does, and let nothing flush into the closed pipe.
        _silence_stdout()
        return 141
    except Exception as error:  # one-line reason on stderr (docs/interfaces.md §3)
        print(f"stockplan {args.command}: {error}", file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout is no real file
        pass


def _simulate(args: argparse.Namespace) -> int:
    from stockplan_cli.simulate import simulate

    summary = simulate(
        args.scenario, args.start, args.end, args.out, engine=args.engine, go_live=args.go_live
    )
    print(summary_text(summary))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from stockplan_cli.embedded import project_root
    from stockplan_cli.simulate import simulate

    scenario = project_root() / "scenarios" / "demo"
    spec = json.loads((scenario / "scenario.json").read_text())
    start, end = date.fromisoformat(spec["start"]), date.fromisoformat(spec["end"])
    summary = simulate(scenario, start, end, args.out, engine=args.engine)
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
    lines.append(f"Emails sent: {summary.emails}.")
    lines += [f"OCF warning: {w}" for w in getattr(summary, "ocf_warnings", [])]
    out = summary.out_dir
    lines += [
        "",
        f"Outputs in {out}/:",
        f"  report:      {out / 'report.json'}",
        f"  emails:      {out / 'emails'}/ ({summary.emails} .eml files)",
        f"  rejections:  {out / 'rejections.json'}",
        f"  OCF bundle:  {out / 'ocf'}/ (open {out / 'ocf' / 'Manifest.ocf.json'} first)",
    ]
    reports = list(getattr(summary, "monthly_reports", []))
    if reports:
        lines.append(
            f"  monthly:     {out / 'reports'}/ ({len(reports)} monthly reports, each "
            f"YYYY-MM.html, .csv, .xlsx and .json; latest {reports[-1]})"
        )
    statements = int(getattr(summary, "statements", 0))
    if statements:
        lines.append(
            f"  statements:  {out / 'emails'}/*-annual-statement-*.eml ({statements} annual "
            "statements); `stockplan statement` renders one for any participant and day"
        )
    return "\n".join(lines)


def _table(args: argparse.Namespace) -> Any:
    import os

    import boto3

    from stockplan.data.table import Table

    name = args.table or os.environ.get("TABLE_NAME")
    if not name:
        raise ValueError("no table: pass --table or set TABLE_NAME (stockplan local prints it)")
    client = boto3.client("dynamodb", endpoint_url=args.endpoint_url)
    return Table(client, name)


def _as_of(args: argparse.Namespace, table: Any) -> date:
    """--as-of, else the stack's plan day: the day `stockplan local` is on, or today in
    the plan time zone for a stack that follows the calendar (AWS)."""
    from stockplan.data.marker import read_plan_day

    given: date | None = args.as_of
    return given or read_plan_day(table) or plan_today()


def _report(args: argparse.Namespace) -> int:
    from stockplan.service.report import build_report, read_state, undelivered_notices, upcoming
    from stockplan_cli import desk

    table = _table(args)
    as_of = _as_of(args, table)
    state = read_state(table)
    report = build_report(table, as_of, state)
    undelivered = undelivered_notices(table)
    names = {pid: state.name(pid) for pid in sorted(state.people)}
    days = UPCOMING_DAYS if args.upcoming is None else args.upcoming
    due = upcoming(state, as_of, days)
    written = []
    if args.csv is not None or args.xlsx is not None:
        tables = desk.sheets(report, names, due, undelivered)
        if args.csv is not None:
            written += desk.write_csv(args.csv, tables)
        if args.xlsx is not None:
            written.append(desk.write_xlsx(args.xlsx, tables, report["as_of"]))
    if args.json:
        # report.json (docs/interfaces.md §3), with the notices that did not arrive.
        document = {**report, "undelivered_notices": undelivered, "participant_names": names}
        if args.upcoming is not None:
            document["upcoming"] = due
        print(json.dumps(document, indent=2))
    elif args.upcoming is not None:
        print(desk.upcoming_table(due, report["as_of"], days))
    else:
        print(desk.report_table(report, names))
        print(desk.undelivered_table(undelivered, names))
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    from datetime import UTC

    from stockplan.service.report import read_state
    from stockplan_cli import ocf

    table = _table(args)
    state = read_state(table, history=True)
    export = ocf.write_bundle(
        args.ocf,
        state,
        _as_of(args, table),
        generated_at=datetime.now(UTC),
        formation_date=args.formation_date,
    )
    print(f"OCF bundle in {args.ocf}/ (valid against the OCF {ocf.OCF_VERSION} schemas):")
    for path in export.paths:
        print(f"  {path.name}")
    for warning in export.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _statement(args: argparse.Namespace) -> int:
    from stockplan.notices.render import render
    from stockplan.service.periodic import statement

    table = _table(args)
    as_of = _as_of(args, table)
    notice = statement(table, args.participant, as_of)
    if notice is None:
        raise ValueError(f"no participant {args.participant} is recorded")
    rendered = render(notice)
    if args.out is None:
        print(rendered.text, end="")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"statement-{_file_part(args.participant)}-{as_of.isoformat()}"
    html, text = args.out / f"{stem}.html", args.out / f"{stem}.txt"
    html.write_text(rendered.html, encoding="utf-8")
    text.write_text(rendered.text, encoding="utf-8")
    print(f"Statement of {args.participant} as of {as_of.isoformat()}: {rendered.subject}")
    print(f"  {html}")
    print(f"  {text}")
    return 0


def _file_part(text: str) -> str:
    """A participant id as part of a file name (ids come from a CSV feed)."""
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "participant"


# For callers that printed tables before the desk module existed.
def report_table(report: dict[str, Any]) -> str:
    from stockplan_cli.desk import report_table as table

    return table(report)


def undelivered_table(notices: list[dict[str, Any]]) -> str:
    from stockplan_cli.desk import undelivered_table as table

    return table(notices)


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


def _resend(args: argparse.Namespace) -> int:
    import getpass

    from stockplan.service.resend import resend

    table = _table(args)
    done = resend(table, args.notice, args.to, _as_of(args, table), args.by or getpass.getuser())
    if done.queued:
        print(f"queued {done.notice_id}, a copy of {done.original_id}: the notice sweep sends it")
    else:
        print(f"{done.notice_id}, this copy of {done.original_id}, was queued before: not again")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from stockplan.service.audit import award_trail, participant_trail

    table = _table(args)
    if args.award:
        trail = award_trail(table, args.award)
        if trail is None:
            raise ValueError(f"no award {args.award} is recorded")
    else:
        trail = participant_trail(table, args.participant)
    for entry in trail:
        print(json.dumps(entry) if args.json else audit_line(entry))
    return 0


def audit_line(entry: dict[str, Any]) -> str:
    """One change for people: day, what, before -> after, and why."""
    what = entry["award_id"] or entry["participant_id"] or "-"
    changes = ", ".join(
        f"{field} {before if before is not None else '-'} -> {after}"
        for field, (before, after) in entry["change"].items()
    )
    return f"{entry['day']}  {what}  {changes}  [{cause_words(entry['cause'])}]"


def cause_words(cause: dict[str, Any]) -> str:
    """Why a change was made: the feed object and row (its version, ETag and uploader),
    the daily rule and its section, or the correction or decision (request_id, note)."""
    if cause.get("kind") == "feed":
        return f"feed {cause.get('key')} row {cause.get('row')}{_object_words(cause)}"
    if cause.get("kind") == "daily":
        return f"daily rule {cause.get('rule')} ({cause.get('section')})"
    if cause.get("kind") in ("correction", "decision"):
        note = f": {cause['note']}" if cause.get("note") else ""
        why = f"{cause['kind']} {cause.get('request_id')} {cause.get('action')}{note}"
        if cause.get("rule"):
            # Granted by the daily job because of the correction (a formula option owed).
            why += f"; daily rule {cause['rule']} ({cause.get('section')})"
        if cause.get("key"):
            why += f"; feed {cause['key']} row {cause.get('row')}{_object_words(cause)}"
        return why
    return str(cause)


def _object_words(cause: dict[str, Any]) -> str:
    parts = [
        f"{label} {cause[field]}"
        for field, label in (("version_id", "version"), ("etag", "ETag"), ("uploader", "by"))
        if cause.get(field)
    ]
    return f" ({', '.join(parts)})" if parts else ""


COMMANDS = {
    "simulate": _simulate,
    "demo": _demo,
    "report": _report,
    "audit": _audit,
    "export": _export,
    "statement": _statement,
    "resend": _resend,
    "notices": _notices,
    "local": _local,
}

if __name__ == "__main__":
    sys.exit(main())
