"""Notices to participants and the plan administrator (rules.md "Notices").

Pure rendering: no boto3, no clock, no I/O.

- notice data classes (`TerminationNotice`, `ReminderNotice`, ...): what each shows;
- `render(notice)` -> `RenderedNotice(subject, text, html)`;
- `build_mime(sender, recipient, rendered, sent_on, notice_id)` -> .eml bytes;
- `notice_id(kind, *parts)` -> deterministic id for exactly-once sending.
"""

from stockplan.notices.mime import build_mime, eastern_offset, notice_id, send_time
from stockplan.notices.model import (
    DEFERRED_AWARD_SECTION,
    DEFERRED_ISSUE_SECTION,
    FORMULA_GRANT_SECTION,
    FORMULA_PRO_RATA_SECTION,
    AdminAlert,
    DeferredAwardNotice,
    DeferredIssueNotice,
    ExerciseConfirmation,
    ExpiryNotice,
    FeedRejectionSummary,
    FormulaGrantNotice,
    GrantNotice,
    Notice,
    RejectedRow,
    ReminderNotice,
    TerminationLine,
    TerminationNotice,
)
from stockplan.notices.render import RenderedNotice, render

__all__ = [
    "DEFERRED_AWARD_SECTION",
    "DEFERRED_ISSUE_SECTION",
    "FORMULA_GRANT_SECTION",
    "FORMULA_PRO_RATA_SECTION",
    "AdminAlert",
    "DeferredAwardNotice",
    "DeferredIssueNotice",
    "ExerciseConfirmation",
    "ExpiryNotice",
    "FeedRejectionSummary",
    "FormulaGrantNotice",
    "GrantNotice",
    "Notice",
    "RejectedRow",
    "ReminderNotice",
    "RenderedNotice",
    "TerminationLine",
    "TerminationNotice",
    "build_mime",
    "eastern_offset",
    "notice_id",
    "render",
    "send_time",
]
