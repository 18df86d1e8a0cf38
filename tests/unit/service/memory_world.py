"""The service unit tier's stack: the use cases on the in-memory table and ports
(stockplan_cli.memory), no AWS and no moto."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from stockplan.config import Settings
from stockplan.service.daily import DailyDeps, DailyOutcome, run_daily
from stockplan.service.feeds import FeedDeps, FeedOutcome, process_upload
from stockplan.service.outbox import DispatchOutcome, OutboxDeps, dispatch
from stockplan_cli.memory import MemoryDeadLetters, MemoryFeedStore, MemoryMailer, MemoryTable

ADMIN = "plan-admin@ctc.example.com"
PEOPLE_CSV = (
    "participant_id,name,email,role,personal_email,estate_email,ten_percent_holder\n"
    "E1,Ann Lee,ann.lee@ctc.example.com,employee,ann@home.example.com,,false\n"
    "D1,Dana Fox,dana.fox@board.example.com,director,,,\n"
)
# G-1: 100 shares for Ann (E1), vested at grant, final exercise date 2002-05-01
# (reminders 2002-04-01 and 2002-04-24, expiry on the run of 2002-05-02).
GRANT_CSV = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date\n"
    "G-1,E1,incentive-1998,nso,2002-03-15,100,20.00,2002-05-01\n"
)
MAR15 = date(2002, 3, 15)


@dataclass
class World:
    """One stack's worth of state, in memory, and the use cases run on it."""

    table: MemoryTable = field(default_factory=MemoryTable)
    store: MemoryFeedStore = field(default_factory=MemoryFeedStore)
    mailer: MemoryMailer = field(default_factory=MemoryMailer)
    dead: MemoryDeadLetters = field(default_factory=MemoryDeadLetters)
    now: float = 1_016_200_000.0  # 2002-03-15, epoch seconds
    settings: Settings = field(
        default_factory=lambda: Settings(
            table_name="memory",
            bucket_name="feeds",
            sender_email="stock-plans@ctc.example.com",
            admin_email=ADMIN,
            max_send_attempts=3,
            # The rule tests count their own notices; the monthly report and statements
            # have their own tests (tests/integration/test_periodic_mail.py).
            periodic_mail=False,
        )
    )

    def feed_deps(self) -> FeedDeps:
        return FeedDeps(self.table, self.store, self.settings)

    def outbox(self) -> OutboxDeps:
        return OutboxDeps(self.table, self.mailer, self.settings, self.dead, lambda: self.now)

    def upload(self, kind: str, body: str, day: date, name: str | None = None) -> FeedOutcome:
        """Upload a feed file and process its event, as the FeedFunction does (without
        sending its notices)."""
        key = f"incoming/{kind}/{name or day.isoformat()}.csv"
        version = self.store.upload(key, body.encode("utf-8"))
        return process_upload(
            self.feed_deps(), self.store.bucket, key, day, version, uploaded_at=f"{day}T14:00:00Z"
        )

    def feed(self, kind: str, body: str, day: date, name: str | None = None) -> FeedOutcome:
        """Upload, process and send the file's notices."""
        outcome = self.upload(kind, body, day, name)
        dispatch(self.outbox(), outcome.notice_ids)
        return outcome

    def send_pending(self) -> DispatchOutcome:
        return dispatch(self.outbox())

    def daily(self, day: date) -> DailyOutcome:
        return run_daily(DailyDeps(self.table, self.settings, self.store), day, self.outbox())

    def emails(self) -> list[EmailMessage]:
        found = []
        for mail in self.mailer.sent:
            message = message_from_bytes(mail.raw, policy=policy.default)
            assert isinstance(message, EmailMessage)
            found.append(message)
        return found

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.emails()]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [i for i in self.table.items.values() if i.get("type") == kind]
