"""Running `stockplan simulate` in-process and reading what it wrote (docs/interfaces.md §3)."""

from __future__ import annotations

import contextlib
import email
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
ADMIN = "plan-admin@ctc.example.com"
SENDER = "stock-plans@ctc.example.com"
SENDER_NAME = "CTC Stock Plan Administration"  # infra/template.yaml SenderName's default

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# A friendlier date ("February 28, 2003") may only stand beside the ISO one (docs/plan-rules.md).
_FRIENDLY = re.compile(rf"\b(?:{_MONTHS}) \d{{1,2}}, \d{{4}}\b")


# The subjects periodic mail begins with (docs/interfaces.md §4).
PERIODIC_SUBJECTS = ("Monthly report", "Annual statement", "Form 3921")


@dataclass(frozen=True)
class Mail:
    path: Path
    message: EmailMessage
    sender: str
    to: str
    subject: str
    day: date  # the Date header's calendar day (plan time)
    text: str
    html: str


@dataclass
class Run:
    out: Path
    stdout: str
    exit_code: int
    report: dict[str, Any]
    rejections: list[dict[str, Any]]
    # The notices of the plans' rules, in the order sent; the periodic mail (monthly
    # reports, annual statements: docs/interfaces.md §4, tests/e2e/test_monthly_reports.py)
    # apart, so a scenario's timeline reads as its rules made it.
    mails: list[Mail]
    periodic: list[Mail] = field(default_factory=list)

    def award(self, award_id: str) -> dict[str, Any]:
        found = [a for a in self.report["awards"] if a["award_id"] == award_id]
        assert len(found) == 1, f"{award_id}: {len(found)} awards in report.json"
        return found[0]

    def deferred(self, participant_id: str, fee_type: str, fee_date: str) -> dict[str, Any]:
        found = [
            d
            for d in self.report["deferred_stock"]
            if (d["participant_id"], d["fee_type"], d["fee_date"])
            == (participant_id, fee_type, fee_date)
        ]
        assert len(found) == 1, f"{participant_id} {fee_type} {fee_date}: {len(found)} found"
        return found[0]

    def mails_to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if m.to == address]

    def mail(self, subject_part: str) -> Mail:
        found = [m for m in self.mails if subject_part in m.subject]
        assert len(found) == 1, f"{subject_part!r}: {[m.subject for m in found]}"
        return found[0]


def simulate(scenario: Path, start: str, end: str, out: Path, go_live: str | None = None) -> Run:
    """`stockplan simulate SCENARIO --start --end --out [--go-live]` through the command's
    own entry."""
    from stockplan_cli.main import main

    buffer = io.StringIO()
    args = ["simulate", str(scenario), "--start", start, "--end", end, "--out", str(out)]
    if go_live is not None:
        args += ["--go-live", go_live]
    with contextlib.redirect_stdout(buffer):
        code = main(args)
    run = read_outputs(out, buffer.getvalue(), code)
    if code == 0:
        # Every simulation's ocf/ (docs/interfaces.md §3): valid OCF, adding up to report.json.
        from ocf_support import check_against_report, check_references, read_bundle

        bundle = read_bundle(out / "ocf")
        check_references(bundle)
        check_against_report(bundle, run.report)
    return run


def read_outputs(out: Path, stdout: str = "", exit_code: int = 0) -> Run:
    report = json.loads((out / "report.json").read_text())
    rejections = json.loads((out / "rejections.json").read_text())
    every = [read_mail(p) for p in sorted((out / "emails").glob("*.eml"))]
    periodic = [m for m in every if m.subject.startswith(PERIODIC_SUBJECTS)]
    mails = [m for m in every if not m.subject.startswith(PERIODIC_SUBJECTS)]
    return Run(out, stdout, exit_code, report, rejections, mails, periodic)


def read_mail(path: Path) -> Mail:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None, f"{path.name}: text and html parts"
    return Mail(
        path=path,
        message=message,
        sender=str(message["From"]),
        to=str(message["To"]),
        subject=str(message["Subject"]),  # exactly as written, long ones too
        day=parsedate_to_datetime(str(message["Date"])).date(),
        text=plain.get_content(),  # type: ignore[attr-defined]
        html=html.get_content(),  # type: ignore[attr-defined]
    )


def timeline(run: Run) -> list[tuple[str, str, str]]:
    """(Date header day, recipient, subject) of every email, in the order sent."""
    return [(m.day.isoformat(), m.to, m.subject) for m in run.mails]


def assert_well_formed(mail: Mail) -> None:
    """Headers, both parts, dates written YYYY-MM-DD in the text part."""
    message = mail.message
    for header in ("From", "To", "Subject", "Date"):
        assert message[header], f"{mail.path.name}: no {header}"
    (sender,) = message["From"].addresses
    assert sender.addr_spec == SENDER and sender.display_name == SENDER_NAME
    assert message["Reply-To"] == ADMIN
    assert message.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in message.iter_parts()]
    assert types == ["text/plain", "text/html"], types
    assert "<html" in mail.html.lower()
    for friendly in _FRIENDLY.finditer(mail.text):
        before = mail.text[: friendly.start()]
        assert re.search(r"\d{4}-\d{2}-\d{2} \($", before), (
            f"{mail.path.name}: {friendly.group()!r} is not written beside a YYYY-MM-DD date"
        )


def decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def award_figures(award: dict[str, Any]) -> dict[str, Any]:
    """The figures a test compares, with prices as exact decimals."""
    return {
        "shares_granted": award["shares_granted"],
        "shares_exercised": award["shares_exercised"],
        "shares_forfeited": award["shares_forfeited"],
        "shares_expired": award["shares_expired"],
        "shares_outstanding": award["shares_outstanding"],
        "exercisable_shares": award["exercisable_shares"],
        "exercise_price": decimal(award["exercise_price"]),
        "final_exercise_date": award["final_exercise_date"],
        "exercise_deadline": award["exercise_deadline"],
        "status": award["status"],
    }
