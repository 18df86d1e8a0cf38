"""Notice -> subject, plain text and HTML, from our own small templates.

Each notice is first laid out as a few blocks (paragraphs, headings, label/value
facts, bullet items); the same blocks are then written as text and as HTML, so
the two parts always say the same thing. Every value is escaped with
`html.escape` in the HTML part: names and reasons come from CSV files.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stockplan.domain.model import AwardType, PlanCode, TerminationReason
from stockplan.notices.formatting import (
    award_type_label,
    fee_label,
    iso,
    long_date,
    money,
    one_line,
    plan_title,
    reason_label,
    share_count,
    shares,
)
from stockplan.notices.model import (
    DEFERRED_ISSUE_SECTION,
    FORMULA_PRO_RATA_SECTION,
    AdminAlert,
    AwardFigures,
    CorrectionNotice,
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

# Rejected rows listed in one administrator email; the errors CSV holds them all.
MAX_LISTED_REJECTIONS = 200
MAX_LISTED_REASON_BYTES = 400
MAX_LISTED_BYTES = 32 * 1024

_COMPANY = "CTC Communications"
_PARTICIPANT_SIGN_OFF = ("Stock Plan Administration", f"{_COMPANY}, Inc.")
_ADMIN_SIGN_OFF = ("stockplan (automated notice)",)


@dataclass(frozen=True, slots=True)
class RenderedNotice:
    subject: str
    text: str
    html: str


# --- layout blocks -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Para:
    text: str


@dataclass(frozen=True, slots=True)
class _Heading:
    text: str


@dataclass(frozen=True, slots=True)
class _Facts:
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _Items:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Lines:
    """Lines kept as they are (a sign-off)."""

    lines: tuple[str, ...]


_Block = _Para | _Heading | _Facts | _Items | _Lines


def _text(blocks: list[_Block]) -> str:
    # One line per paragraph or fact: a phrase (a name, a date, a plan's title, a
    # section) is never cut across lines; mail readers wrap long lines themselves.
    out: list[str] = []
    for block in blocks:
        if out:
            out.append("")
        match block:
            case _Para(text):
                out.append(one_line(text))
            case _Heading(text):
                out.append(one_line(text))
                out.append("-" * len(out[-1]))
            case _Facts(rows):
                out.extend(f"  {one_line(label)}: {one_line(value)}" for label, value in rows)
            case _Items(items):
                out.extend(f"  - {one_line(item)}" for item in items)
            case _Lines(lines):
                out.extend(one_line(line) for line in lines)
    return "\n".join(out) + "\n"


def _e(value: str) -> str:
    return html.escape(one_line(value), quote=True)


def _html(subject: str, blocks: list[_Block]) -> str:
    body: list[str] = []
    for block in blocks:
        match block:
            case _Para(text):
                body.append(f"<p>{_e(text)}</p>")
            case _Heading(text):
                body.append(f"<h3>{_e(text)}</h3>")
            case _Facts(rows):
                body.append("<table>")
                body.extend(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
                body.append("</table>")
            case _Items(items):
                body.append("<ul>")
                body.extend(f"<li>{_e(item)}</li>" for item in items)
                body.append("</ul>")
            case _Lines(lines):
                body.append("<p>" + "<br>\n".join(_e(line) for line in lines) + "</p>")
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(subject)}</title>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
    ]
    return "\n".join(page) + "\n"


# --- the notices ---------------------------------------------------------------------


def _greeting(name: str, deceased: bool) -> _Para:
    # After a death notices go to the estate, never to the deceased (rules.md).
    return _Para(f"To the estate of {name}," if deceased else f"Dear {name},")


def _your(name: str, deceased: bool) -> str:
    return f"{name}'s" if deceased else "your"


def _price_row(price: Decimal | None) -> tuple[tuple[str, str], ...]:
    return () if price is None else (("Exercise price", f"{money(price)} per share"),)


def _termination_line(line: TerminationLine, ended: date) -> list[_Block]:
    rows: list[tuple[str, str]] = [
        ("Plan", plan_title(line.plan)),
        ("Vested shares", shares(line.vested_shares)),
        *_price_row(line.exercise_price),
    ]
    if line.deadline is None:
        rows.append(("Last day to exercise", "none, this award needs no exercise"))
    elif line.deadline < ended:
        rows.append(
            (
                "Last day to exercise",
                f"{long_date(line.deadline)}, passed: the vested shares "
                f"terminated unexercised on {iso(ended)}",
            )
        )
    else:
        rows.append(("Last day to exercise", long_date(line.deadline)))
    rows.append(("Unvested shares forfeited", f"{shares(line.forfeited_shares)} on {iso(ended)}"))
    rows.append(("Rule", line.section))
    return [
        _Heading(f"Award {line.award_id}: {award_type_label(line.award_type)}"),
        _Facts(tuple(rows)),
    ]


def _render_termination(n: TerminationNotice) -> tuple[str, list[_Block]]:
    ended = n.termination_date
    if n.deceased:
        event = "death" if n.reason is TerminationReason.DEATH else "termination"
        subject = f"Stock awards of {n.participant_name} after {event} on {iso(ended)}"
    else:
        subject = f"Your stock awards after your termination on {iso(ended)}"
    if n.deceased and n.reason is TerminationReason.DEATH:
        intro = (
            f"We are sorry to learn of the death of {n.participant_name} on "
            f"{long_date(ended)}. This notice sets out what happens to each stock "
            f"award {n.participant_name} held. Vested options may be exercised on "
            f"behalf of the estate until the deadline shown."
        )
    elif n.deceased:
        intro = (
            f"The service of {n.participant_name} with {_COMPANY} ended on "
            f"{long_date(ended)} (reason: {reason_label(n.reason)}). This notice sets "
            f"out what happens to each stock award {n.participant_name} held."
        )
    else:
        intro = (
            f"Your service with {_COMPANY} ended on {long_date(ended)} (reason: "
            f"{reason_label(n.reason)}). This notice sets out what happens to each "
            f"of your stock awards."
        )
    blocks: list[_Block] = [_greeting(n.participant_name, n.deceased), _Para(intro)]
    if not n.awards:
        blocks.append(_Para("No stock awards were outstanding on that date."))
    for line in n.awards:
        blocks.extend(_termination_line(line, ended))
    blocks.append(
        _Para(
            "Every unvested share is forfeited on the termination date. Vested shares "
            "not exercised by the deadline expire and can no longer be bought. "
            "Weekends and holidays do not move a deadline."
        )
    )
    return subject, blocks


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _render_reminder(n: ReminderNotice) -> tuple[str, list[_Block]]:
    subject = (
        f"Reminder: {_days(n.days_left)} left to exercise award {n.award_id} "
        f"(deadline {iso(n.deadline)})"
    )
    whose = _your(n.participant_name, n.deceased)
    blocks: list[_Block] = [
        _greeting(n.participant_name, n.deceased),
        _Para(
            f"{_days(n.days_left).capitalize()} remain to exercise {whose} "
            f"{award_type_label(n.award_type)} {n.award_id} under the "
            f"{plan_title(n.plan)}. The last day to exercise is {long_date(n.deadline)}."
        ),
        _Facts(
            (
                ("Award", f"{n.award_id} ({award_type_label(n.award_type)})"),
                ("Plan", plan_title(n.plan)),
                ("Shares that can be exercised", shares(n.exercisable_shares)),
                *_price_row(n.exercise_price),
                ("Last day to exercise", long_date(n.deadline)),
                ("Rule", n.section),
            )
        ),
        _Para(
            f"Shares not exercised by the end of {iso(n.deadline)} expire "
            f"({n.section}). Weekends and holidays do not move the deadline."
        ),
    ]
    return subject, blocks


def _render_expiry(n: ExpiryNotice) -> tuple[str, list[_Block]]:
    subject = (
        f"Award {n.award_id}: {share_count(n.expired_shares)} expired "
        f"after the {iso(n.deadline)} deadline"
    )
    whose = _your(n.participant_name, n.deceased)
    blocks: list[_Block] = [
        _greeting(n.participant_name, n.deceased),
        _Para(
            f"The last day to exercise {whose} {award_type_label(n.award_type)} "
            f"{n.award_id} under the {plan_title(n.plan)} was {long_date(n.deadline)}. "
            f"The {share_count(n.expired_shares)} not exercised by then have expired "
            f"and can no longer be bought ({n.section})."
        ),
        _Facts(
            (
                ("Award", f"{n.award_id} ({award_type_label(n.award_type)})"),
                ("Plan", plan_title(n.plan)),
                ("Expired shares", shares(n.expired_shares)),
                *_price_row(n.exercise_price),
                ("Exercise deadline", long_date(n.deadline)),
                ("Rule", n.section),
            )
        ),
    ]
    return subject, blocks


_DIRECTORS = plan_title(PlanCode.DIRECTORS_1999)


def _render_formula(n: FormulaGrantNotice) -> tuple[str, list[_Block]]:
    subject = (
        f"Formula option granted: {share_count(n.shares)} at {money(n.exercise_price)} "
        f"(award {n.award_id})"
    )
    rule = n.section + (f"; {FORMULA_PRO_RATA_SECTION}" if n.pro_rated else "")
    blocks: list[_Block] = [
        _greeting(n.participant_name, False),
        _Para(
            f"At the annual meeting of {long_date(n.grant_date)} you were granted a "
            f"formula stock option under the {_DIRECTORS} ({n.section})."
        ),
        _Facts(
            (
                ("Award", n.award_id),
                ("Plan", _DIRECTORS),
                ("Grant date", long_date(n.grant_date)),
                ("Shares", shares(n.shares)),
                (
                    "Exercise price",
                    f"{money(n.exercise_price)} per share (Fair Market Value on the "
                    f"day before the meeting, Directors §6(c))",
                ),
                ("Exercisable", f"in full from {long_date(n.grant_date)}"),
                ("Final exercise date", long_date(n.final_exercise_date)),
                ("Rule", rule),
            )
        ),
    ]
    if n.pro_rated:
        blocks.append(
            _Para(
                f"The plan's share pool could not cover the full formula grant of "
                f"{share_count(n.requested_shares)} for every director, so the shares "
                f"available were divided equally: you receive "
                f"{share_count(n.shares)} ({FORMULA_PRO_RATA_SECTION})."
            )
        )
    return subject, blocks


def _render_deferred_award(n: DeferredAwardNotice) -> tuple[str, list[_Block]]:
    fee = fee_label(n.fee_type)
    subject = f"Deferred stock award: {share_count(n.shares)} for your {fee} of {iso(n.fee_date)}"
    blocks: list[_Block] = [
        _greeting(n.participant_name, False),
        _Para(
            f"Under your Deferred Stock Election, your {fee} of {money(n.amount)} "
            f"dated {long_date(n.fee_date)} is paid as a Deferred Stock Award under the "
            f"{_DIRECTORS} ({n.section})."
        ),
        _Facts(
            (
                ("Plan", _DIRECTORS),
                ("Fee", f"{money(n.amount)} ({fee})"),
                ("Fee date", long_date(n.fee_date)),
                ("Fair Market Value", f"{money(n.fair_market_value)} per share"),
                ("Award date", long_date(n.award_date)),
                ("Shares awarded", shares(n.shares)),
                ("Paid in cash instead of shares", money(n.cash_in_lieu)),
                ("Issue date", long_date(n.issue_date)),
                ("Rule", n.section),
            )
        ),
        _Para(
            f"The shares will be issued on {long_date(n.issue_date)}, or earlier if "
            f"your service as a director ends or on a covered transaction "
            f"({DEFERRED_ISSUE_SECTION})."
        ),
    ]
    return subject, blocks


def _render_deferred_issue(n: DeferredIssueNotice) -> tuple[str, list[_Block]]:
    fee = fee_label(n.fee_type)
    whose = _your(n.participant_name, n.deceased)
    subject = f"Deferred stock issued: {share_count(n.shares)} on {iso(n.issued_on)}"
    blocks: list[_Block] = [
        _greeting(n.participant_name, n.deceased),
        _Para(
            f"The {share_count(n.shares)} of {whose} Deferred Stock Award of "
            f"{long_date(n.award_date)}, made for {whose} {fee} of {iso(n.fee_date)}, "
            f"were issued on {long_date(n.issued_on)} under the {_DIRECTORS} ({n.section})."
        ),
        _Facts(
            (
                ("Plan", _DIRECTORS),
                ("Fee", f"{money(n.amount)} ({fee})"),
                ("Fee date", long_date(n.fee_date)),
                ("Fair Market Value", f"{money(n.fair_market_value)} per share"),
                ("Award date", long_date(n.award_date)),
                ("Shares issued", shares(n.shares)),
                ("Paid in cash instead of shares", money(n.cash_in_lieu)),
                ("Scheduled issue date", long_date(n.issue_date)),
                ("Issued on", long_date(n.issued_on)),
                ("Rule", n.section),
            )
        ),
    ]
    return subject, blocks


def _listed_rejections(rejections: tuple[RejectedRow | tuple[int | None, str], ...]) -> list[str]:
    """The rejected rows a summary lists: at most MAX_LISTED_REJECTIONS, each reason cut
    to MAX_LISTED_REASON_BYTES and all of them to MAX_LISTED_BYTES, so the email (text
    and HTML, encoded) stays far below what one outbox item can hold; the errors CSV
    has every row whole."""
    listed: list[str] = []
    budget = MAX_LISTED_BYTES
    for row, reason in rejections[:MAX_LISTED_REJECTIONS]:
        raw = reason.encode("utf-8")
        if len(raw) > MAX_LISTED_REASON_BYTES:
            reason = raw[:MAX_LISTED_REASON_BYTES].decode("utf-8", errors="ignore") + " …"
        line = f"Row {row}: {reason}" if row is not None else f"Whole file: {reason}"
        budget -= len(line.encode("utf-8"))
        if budget < 0:
            break
        listed.append(line)
    return listed


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _grant_noun(award_type: AwardType) -> str:
    """What a grant notice's subject calls the award: short and plain."""
    if award_type.is_option:
        return "stock option grant"
    if award_type is AwardType.SAR:
        return "stock appreciation right grant"
    return award_type_label(award_type)


def _article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _window_sections(plan: PlanCode) -> str:
    return "1998 §6.a.(5)" if plan is PlanCode.INCENTIVE_1998 else "Directors §6(h), §6(i)"


def _vest_verb(count: int, needs_exercise: bool) -> str:
    if needs_exercise:
        return "becomes exercisable" if count == 1 else "become exercisable"
    return "vests" if count == 1 else "vest"


def _render_grant(n: GrantNotice) -> tuple[str, list[_Block]]:
    whose = _your(n.participant_name, n.deceased)
    subject = f"{whose[:1].upper()}{whose[1:]} {_grant_noun(n.award_type)} of {iso(n.grant_date)}"
    label = award_type_label(n.award_type)
    holder = f"{n.participant_name} was" if n.deceased else "you were"
    rows: list[tuple[str, str]] = [
        ("Award", f"{n.award_id} ({label})"),
        ("Plan", plan_title(n.plan)),
        ("Grant date", long_date(n.grant_date)),
        ("Shares", shares(n.shares)),
        *_price_row(n.exercise_price),
    ]
    needs_exercise = n.award_type.requires_exercise
    if not n.vesting:
        rows.append(("Vesting", f"in full on the grant date, {iso(n.grant_date)}"))
    if n.final_exercise_date is not None:
        rows.append(("Final exercise date", long_date(n.final_exercise_date)))
    ended = n.service_ended_on
    if ended is not None:
        rows.append(("Service ended", iso(ended)))
        rows.append(("Unvested shares forfeited", f"{shares(n.forfeited_shares)} on {iso(ended)}"))
        if needs_exercise and n.exercise_deadline is not None:
            rows.append(("Last day to exercise", long_date(n.exercise_deadline)))
    rows.append(("Rule", n.section))
    blocks: list[_Block] = [
        _greeting(n.participant_name, n.deceased),
        _Para(
            f"On {long_date(n.grant_date)} {holder} granted award {n.award_id}: "
            f"{_article(label)} for {share_count(n.shares)} under the {plan_title(n.plan)} "
            f"({n.section})."
        ),
        _Facts(tuple(rows)),
    ]
    if n.vesting:
        blocks.append(_Heading("Vesting schedule"))
        blocks.append(
            _Items(
                tuple(
                    f"{long_date(t.vest_date)}: {share_count(t.shares)} "
                    f"{_vest_verb(t.shares, needs_exercise)}"
                    for t in n.vesting
                )
            )
        )
    if ended is not None:
        closing = (
            f"the vested shares can be bought until the end of {iso(n.exercise_deadline)}"
            if needs_exercise and n.exercise_deadline is not None
            else "the shares vested by then are kept"
        )
        blocks.append(
            _Para(
                f"Service ended on {iso(ended)}, before this award was recorded: shares "
                f"not vested by then are forfeited and {closing} "
                f"({_window_sections(n.plan)})."
            )
        )
    elif needs_exercise and n.final_exercise_date is not None:
        blocks.append(
            _Para(
                f"Vested shares may be bought until the end of "
                f"{iso(n.final_exercise_date)}, the final exercise date. If service ends "
                f"earlier, unvested shares are forfeited and an earlier deadline applies "
                f"({_window_sections(n.plan)})."
            )
        )
    elif not needs_exercise:
        blocks.append(
            _Para(
                "This award needs no exercise: its shares are delivered as they vest. "
                f"Shares not vested when service ends are forfeited ({_window_sections(n.plan)})."
            )
        )
    return subject, blocks


def _render_exercise(n: ExerciseConfirmation) -> tuple[str, list[_Block]]:
    subject = f"Exercise confirmed: {share_count(n.shares_exercised)} on {iso(n.exercise_date)}"
    whose = _your(n.participant_name, n.deceased)
    label = award_type_label(n.award_type)
    rows: list[tuple[str, str]] = [
        ("Award", f"{n.award_id} ({label})"),
        ("Plan", plan_title(n.plan)),
        ("Exercise date", long_date(n.exercise_date)),
        ("Shares exercised", shares(n.shares_exercised)),
        ("Shares withheld for the price or taxes", shares(n.shares_withheld)),
        ("Shares delivered", shares(n.shares_delivered)),
        *_price_row(n.exercise_price),
        ("Shares still exercisable", f"{shares(n.exercisable_shares)} on {iso(n.exercisable_on)}"),
    ]
    if n.deadline is not None:
        passed = ", passed" if n.deadline < n.exercisable_on else ""
        rows.append(("Last day to exercise", f"{long_date(n.deadline)}{passed}"))
    rows.append(("Rule", n.section))
    blocks: list[_Block] = [
        _greeting(n.participant_name, n.deceased),
        _Para(
            f"The exercise of {share_count(n.shares_exercised)} of {whose} {label} "
            f"{n.award_id} under the {plan_title(n.plan)} on {long_date(n.exercise_date)} "
            f"has been recorded ({n.section})."
        ),
        _Facts(tuple(rows)),
    ]
    if n.shares_withheld:
        blocks.append(
            _Para(
                "Shares withheld for the exercise price or taxes are not delivered: "
                f"of the {share_count(n.shares_exercised)} exercised, "
                f"{shares(n.shares_delivered)} are delivered."
            )
        )
    if n.deadline is not None and n.exercisable_shares > 0:
        blocks.append(
            _Para(
                f"The {share_count(n.exercisable_shares)} still exercisable can be bought "
                f"until the end of {iso(n.deadline)}. Weekends and holidays do not move "
                f"the deadline."
            )
        )
    return subject, blocks


def _render_feed_summary(n: FeedRejectionSummary) -> tuple[str, list[_Block]]:
    feed = n.feed_kind if n.feed_kind != "unknown" else "upload"
    if n.file_reason is not None:
        subject = f"Feed file rejected: {n.key}"
        intro = (
            f"The file {n.key} could not be read as a feed: {n.file_reason}. Nothing in it"
            " was applied. Correct the file and upload it again."
        )
    elif n.rows_rejected:
        subject = f"Feed {feed}: {n.rows_rejected} of {_rows(n.rows_total)} rejected ({n.key})"
        intro = (
            f"The {feed} feed file {n.key} has {_rows(n.rows_total)}:"
            f" {n.rows_accepted} applied, {n.rows_unchanged} unchanged (already applied"
            f" before), {n.rows_rejected} rejected. A rejected row changed nothing; correct"
            " it and upload it again (rows already applied are recognised and not applied"
            " twice)."
        )
    else:
        subject = f"Feed {feed}: nothing new in {n.key}"
        intro = (
            f"The {feed} feed file {n.key} has {_rows(n.rows_total)}, and every one was"
            " already applied before: nothing was changed and nobody was notified."
            if n.rows_total
            else f"The {feed} feed file {n.key} has no data rows: nothing was changed."
        )
    listed = _listed_rejections(n.rejections)
    more = len(n.rejections) - len(listed)
    if more > 0:
        listed.append(f"... and {more} more rejected rows (see the errors file)")
    facts: tuple[tuple[str, str], ...] = (("Feed", n.feed_kind), ("File", n.key))
    if n.file_reason is None:
        # A file refused whole has no rows to count.
        facts += (
            ("Data rows", str(n.rows_total)),
            ("Applied", str(n.rows_accepted)),
            ("Unchanged", str(n.rows_unchanged)),
            ("Rejected", str(n.rows_rejected)),
        )
    blocks: list[_Block] = [_Para("To the plan administrator,"), _Para(intro), _Facts(facts)]
    if listed:
        blocks.append(_Para("Rejected (row 1 is the first row after the header):"))
        blocks.append(_Items(tuple(listed)))
    if n.errors_key is not None:
        blocks.append(_Para(f"The rejected rows, each with its reason, are in {n.errors_key}."))
    return subject, blocks


def _render_admin_alert(n: AdminAlert) -> tuple[str, list[_Block]]:
    blocks: list[_Block] = [_Para("To the plan administrator,")]
    blocks.extend(_Para(line) for line in n.body_lines if line.strip())
    return n.subject_line, blocks


_ACTION_WORDS = {
    "reverse_termination": (
        "Your stock awards: the record of your termination was withdrawn",
        "The plan administrator has withdrawn the termination of service recorded for"
        " you: it was recorded by mistake. Your awards are restored as if it had never been"
        " recorded.",
    ),
    "correct_termination": (
        "Your stock awards: your termination date or reason was corrected",
        "The plan administrator has corrected the date or reason of the end of your service"
        " as recorded. Your awards now follow the corrected record.",
    ),
    "void_exercise": (
        "Your stock awards: an exercise recorded by mistake was removed",
        "The plan administrator has removed an exercise recorded by mistake. Its shares are"
        " back under your award.",
    ),
    "correct_grant": (
        "Your stock awards: the terms of a grant were corrected",
        "The plan administrator has corrected the terms of a grant as recorded, as of its"
        " grant date.",
    ),
    "extend_exercise_period": (
        "Your stock awards: more time to exercise",
        "The plan administrator has extended the period in which your option may be"
        " exercised after the end of your service (1998 §6.a.(5); Directors §6(h)).",
    ),
    "accelerate_vesting": (
        "Your stock awards: shares vest early",
        "The plan administrator has decided that unvested shares of your award vest early"
        " (1998 §6.a.(5); Directors §6(e)(i)).",
    ),
}
_ISO_TAX = (
    "Your incentive stock option keeps its terms, but an exercise more than three months"
    " after your employment ended (one year after a disability) is taxed as a"
    " non-qualified stock option (Code §422(a)(2))."
)


def _figure_rows(before: AwardFigures, after: AwardFigures) -> tuple[tuple[str, str], ...]:
    def price(value: Decimal | None) -> str:
        return "none" if value is None else f"${value}"

    def day(value: date | None) -> str:
        return "none" if value is None else iso(value)

    pairs = (
        ("Shares granted", str(before.shares_granted), str(after.shares_granted)),
        ("Exercise price", price(before.exercise_price), price(after.exercise_price)),
        ("Shares exercised", str(before.shares_exercised), str(after.shares_exercised)),
        ("Shares forfeited", str(before.shares_forfeited), str(after.shares_forfeited)),
        ("Shares expired", str(before.shares_expired), str(after.shares_expired)),
        ("Shares outstanding", str(before.shares_outstanding), str(after.shares_outstanding)),
        ("Exercisable now", str(before.exercisable_shares), str(after.exercisable_shares)),
        ("Last day to exercise", day(before.exercise_deadline), day(after.exercise_deadline)),
    )
    return tuple((label, f"{old} -> {new}" if old != new else old) for label, old, new in pairs)


def _render_correction(n: CorrectionNotice) -> tuple[str, list[_Block]]:
    subject, intro = _ACTION_WORDS.get(n.action, ("Your stock awards were corrected", ""))
    blocks: list[_Block] = [_greeting(n.participant_name, n.deceased), _Para(intro)]
    for changed in n.awards:
        blocks.append(_Heading(f"Award {changed.award_id} (before -> after)"))
        blocks.append(_Facts(_figure_rows(changed.before, changed.after)))
    if n.iso_extended:
        blocks.append(_Para(_ISO_TAX))
    blocks.append(_Para(f"The administrator's reference: {n.request_id}."))
    return subject, blocks


def render(notice: Notice) -> RenderedNotice:
    """The subject, text part and HTML part of `notice`. Pure and deterministic."""
    sign_off: tuple[str, ...] = _PARTICIPANT_SIGN_OFF
    match notice:
        case TerminationNotice():
            subject, blocks = _render_termination(notice)
        case ReminderNotice():
            subject, blocks = _render_reminder(notice)
        case ExpiryNotice():
            subject, blocks = _render_expiry(notice)
        case FormulaGrantNotice():
            subject, blocks = _render_formula(notice)
        case DeferredAwardNotice():
            subject, blocks = _render_deferred_award(notice)
        case DeferredIssueNotice():
            subject, blocks = _render_deferred_issue(notice)
        case GrantNotice():
            subject, blocks = _render_grant(notice)
        case ExerciseConfirmation():
            subject, blocks = _render_exercise(notice)
        case CorrectionNotice():
            subject, blocks = _render_correction(notice)
        case FeedRejectionSummary():
            subject, blocks = _render_feed_summary(notice)
            sign_off = _ADMIN_SIGN_OFF
        case AdminAlert():
            subject, blocks = _render_admin_alert(notice)
            sign_off = _ADMIN_SIGN_OFF
        case _:
            raise TypeError(f"not a notice: {type(notice).__name__}")
    blocks.append(_Lines(sign_off))
    subject = one_line(subject)
    return RenderedNotice(subject=subject, text=_text(blocks), html=_html(subject, blocks))
