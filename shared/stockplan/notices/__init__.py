"""Notices to participants and the plan administrator (docs/plan-rules.md "Notices").

Pure rendering: no boto3, no clock, no I/O.

- `stockplan.notices.model`: the notice data classes (`TerminationNotice`,
  `ReminderNotice`, ...): what each shows;
- `stockplan.notices.render.render(notice, letterhead=None)` ->
  `RenderedNotice(subject, text, html)`, from the kind's template in templates/
  (stockplan.notices.templating);
- `stockplan.notices.mime.build_mime(sender, recipient, rendered, sent_on, notice_id, *,
  sender_name=None, reply_to=None)` -> .eml bytes;
- `stockplan.notices.mime.notice_id(kind, *parts)` -> deterministic id for exactly-once
  sending.

The package itself imports nothing: the configuration reads
`stockplan.notices.letterhead` without loading the templates and the MIME code (about
30 ms of a handler's cold start, docs/performance.md).
"""
