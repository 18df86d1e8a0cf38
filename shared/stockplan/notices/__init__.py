"""Notices to participants and the plan administrator (docs/plan-rules.md "Notices").

Pure rendering: no boto3, no clock, no I/O.

- `stockplan.notices.model`: the notice data classes (`TerminationNotice`,
  `ReminderNotice`, ...): what each shows;
- `render(notice, letterhead=None)` -> `RenderedNotice(subject, text, html)`, from the
  kind's template in templates/ (stockplan.notices.templating);
- `build_mime(sender, recipient, rendered, sent_on, notice_id, *, sender_name=None,
  reply_to=None)` -> .eml bytes;
- `notice_id(kind, *parts)` -> deterministic id for exactly-once sending.
"""

from stockplan.notices.mime import build_mime, notice_id, send_time
from stockplan.notices.render import RenderedNotice, render

__all__ = ["RenderedNotice", "build_mime", "notice_id", "render", "send_time"]
