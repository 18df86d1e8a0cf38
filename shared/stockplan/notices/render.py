"""Notice -> subject, plain text and HTML, from the templates in templates/ (one per
notice kind, see stockplan.notices.templating).

This module gathers what a template needs besides the notice itself (the greeting, the
plans that govern, whose awards they are, the letterhead's contact line, the rejected
rows an administrator's summary lists); the wording is in the templates. The text and
the HTML part are rendered from the same data by the same template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from stockplan.domain.model import AwardType, PlanCode, TerminationReason
from stockplan.domain.plans import COMPANY_NAME, DEFERRED
from stockplan.notices import templating
from stockplan.notices.formatting import (
    award_type_label,
    deadline,
    iso,
    plan_title,
    price,
    reason_words,
    service_noun,
    shares,
)
from stockplan.notices.letterhead import Letterhead
from stockplan.notices.model import (
    AdminAlert,
    AwardFigures,
    CorrectionNotice,
    CoveredTransactionAnnouncement,
    CoveredTransactionNotice,
    DeferredAwardNotice,
    DeferredIssueNotice,
    ExerciseConfirmation,
    ExpiryNotice,
    FeedRejectionSummary,
    Form3921Notice,
    FormulaGrantNotice,
    GrantNotice,
    MonthlyReportNotice,
    Notice,
    RejectedRow,
    ReminderNotice,
    SplitNotice,
    StatementLine,
    StatementNotice,
    TerminationNotice,
    covered_section,
    split_section,
)

# Rejected rows listed in one administrator email; the errors CSV holds them all.
MAX_LISTED_REJECTIONS = 200
MAX_LISTED_REASON_BYTES = 400
MAX_LISTED_BYTES = 32 * 1024

# The Company's name from the plan data (1998 Exhibit A "Company"), in every notice.
COMPANY = COMPANY_NAME
PARTICIPANT_SIGN_OFF = ("Stock Plan Administration", COMPANY)
ADMIN_SIGN_OFF = ("stockplan (automated notice)",)


@dataclass(frozen=True, slots=True)
class RenderedNotice:
    subject: str
    text: str
    html: str


def render(notice: Notice, letterhead: Letterhead | None = None) -> RenderedNotice:
    """The subject, text part and HTML part of `notice`. Pure and deterministic.

    `letterhead` gives the contact line of participant notices (the configured one;
    a default without it)."""
    context = _context(notice, letterhead or Letterhead())
    name = notice.kind
    return RenderedNotice(
        subject=templating.render_subject(name, context),
        text=templating.render_text(name, context),
        html=templating.render_html(name, context),
    )


def _context(notice: Notice, letterhead: Letterhead) -> dict[str, Any]:
    if isinstance(notice, FeedRejectionSummary):
        return _admin(notice) | _feed_summary(notice)
    if isinstance(notice, AdminAlert):
        return _admin(notice) | {"lines": [line for line in notice.body_lines if line.strip()]}
    if isinstance(notice, MonthlyReportNotice):
        # The periodic mail (docs/interfaces.md §4); its context module loads only when sent.
        from stockplan.notices.periodic import monthly_context

        return _admin(notice) | monthly_context(notice)
    framing = _FRAMINGS.get(type(notice))
    if framing is None:
        raise TypeError(f"not a notice: {type(notice).__name__}")
    frame = framing(notice)
    return {
        "n": notice,
        "audience": "participant",
        **_addressee(notice.participant_name, bool(getattr(notice, "deceased", False))),
        "governing": [plan_title(plan) for plan in _distinct(frame.plans)],
        "exercise_plans": [plan.value for plan in _distinct(frame.exercisable)],
        "sign_off": PARTICIPANT_SIGN_OFF,
        "contact_line": letterhead.contact_line,
        "directors_title": plan_title(PlanCode.DIRECTORS_1999),
        "last_deferred_service_day": DEFERRED.last_service_day,
        "company": COMPANY,
    } | frame.extra


def _addressee(name: str, deceased: bool) -> dict[str, Any]:
    """After a death notices go to the estate, never to the deceased (docs/plan-rules.md
    "Notices")."""
    if deceased:
        whose = f"{name}'s"
        return {
            "estate": True,
            "greeting": f"To the estate of {name},",
            "whose": whose,
            "Whose": whose,
        }
    return {"estate": False, "greeting": f"Dear {name},", "whose": "your", "Whose": "Your"}


@dataclass(frozen=True, slots=True)
class _Frame:
    """What a participant notice adds to the common context: the plans that govern it,
    those under which something can still be exercised, and its own template data."""

    plans: list[PlanCode]
    exercisable: list[PlanCode]
    extra: dict[str, Any]


def _termination_frame(n: TerminationNotice) -> _Frame:
    exercisable = [
        line.plan
        for line in n.awards
        if line.deadline is not None
        and line.deadline >= n.termination_date
        and line.vested_shares > 0
    ]
    return _Frame([line.plan for line in n.awards], exercisable, _termination(n))


def _grant_frame(n: GrantNotice) -> _Frame:
    open_option = n.award_type.requires_exercise and (
        n.service_ended_on is None
        or (n.exercise_deadline is not None and n.exercise_deadline >= n.service_ended_on)
    )
    return _Frame([n.plan], [n.plan] if open_option else [], _grant(n))


# The plan section a decision rests on, by the plan of the award it changes: only the
# plans of the awards the notice names are cited.
_DECISION_SECTIONS: dict[str, dict[PlanCode, str]] = {
    "extend_exercise_period": {
        PlanCode.INCENTIVE_1998: "1998 §6.a.(5)",
        PlanCode.DIRECTORS_1999: "Directors §6(h)",
    },
    "accelerate_vesting": {
        PlanCode.INCENTIVE_1998: "1998 §6.a.(5)",
        PlanCode.DIRECTORS_1999: "Directors §6(e)(i)",
    },
}


def _correction_frame(n: CorrectionNotice) -> _Frame:
    """A correction names the plans of its awards; those with shares that can be bought
    after it get the how-to-exercise paragraph (an extension above all)."""
    exercisable = [
        line.plan
        for line in n.awards
        if line.after.exercise_deadline is not None and line.after.exercisable_shares > 0
    ]
    return _Frame([line.plan for line in n.awards], exercisable, _correction(n))


def _exercise_frame(n: ExerciseConfirmation) -> _Frame:
    left = n.deadline is not None and n.exercisable_shares > 0
    return _Frame([n.plan], [n.plan] if left else [], {})


def _split_frame(n: SplitNotice) -> _Frame:
    plans = [line.plan for line in n.awards]
    if n.deferred:
        plans.append(PlanCode.DIRECTORS_1999)
    return _Frame(plans, [], {"sections": [split_section(plan) for plan in _distinct(plans)]})


def _statement_frame(n: StatementNotice) -> _Frame:
    """What is open comes first, each with its next date; what has closed after it, one
    line each (a director's ten closed awards once came before the one still open)."""
    plans = [line.plan for line in n.awards]
    if n.deferred:
        plans.append(PlanCode.DIRECTORS_1999)
    open_awards = [a for a in n.awards if a.status == "outstanding"]
    exercisable = [line.plan for line in open_awards if line.exercisable_shares > 0]
    return _Frame(
        plans,
        exercisable,
        {
            "open_awards": open_awards,
            "closed_awards": [a for a in n.awards if a.status != "outstanding"],
            "open_deferred": [d for d in n.deferred if d.status == "pending"],
            "issued_deferred": [d for d in n.deferred if d.status != "pending"],
            "next_dates": {a.award_id: _next_date(a) for a in open_awards},
        },
    )


def _next_date(line: StatementLine) -> str | None:
    """An open award's next date: its next tranche to vest, else its last day to exercise."""
    if line.next_vesting is not None:
        tranche = line.next_vesting
        return f"{iso(tranche.vest_date)}: {shares(tranche.shares)} shares vest"
    if line.exercise_deadline is not None and line.exercisable_shares > 0:
        return f"{deadline(line.exercise_deadline)}: last day to exercise"
    return None


def _covered_frame(n: CoveredTransactionNotice) -> _Frame:
    plans = [line.plan for line in n.awards]
    if n.deferred:
        plans.append(PlanCode.DIRECTORS_1999)
    exercisable = [
        line.plan
        for line in n.awards
        if line.award_type.requires_exercise
        and line.vested_shares > 0
        and line.deadline_after is not None
        and line.deadline_after >= n.transaction_date
    ]
    return _Frame(plans, exercisable, _covered(n))


def _announcement_frame(n: CoveredTransactionAnnouncement) -> _Frame:
    plans = [line.plan for line in n.awards]
    if n.deferred:
        plans.append(PlanCode.DIRECTORS_1999)
    exercisable = [line.plan for line in n.awards if line.award_type.requires_exercise]
    ends = not n.assumed and bool(exercisable)
    sections = [covered_section(plan) for plan in _distinct([line.plan for line in n.awards])]
    return _Frame(plans, exercisable, {"options_end": ends, "covered_sections": sections})


_DIRECTORS = [PlanCode.DIRECTORS_1999]
_FRAMINGS: dict[type[Any], Callable[[Any], _Frame]] = {
    TerminationNotice: _termination_frame,
    ReminderNotice: lambda n: _Frame([n.plan], [n.plan], {}),
    ExpiryNotice: lambda n: _Frame([n.plan], [], {}),
    FormulaGrantNotice: lambda n: _Frame(_DIRECTORS, _DIRECTORS, {}),
    DeferredAwardNotice: lambda n: _Frame(_DIRECTORS, [], {}),
    DeferredIssueNotice: lambda n: _Frame(_DIRECTORS, [], {}),
    GrantNotice: _grant_frame,
    ExerciseConfirmation: _exercise_frame,
    SplitNotice: _split_frame,
    CorrectionNotice: _correction_frame,
    CoveredTransactionNotice: _covered_frame,
    CoveredTransactionAnnouncement: _announcement_frame,
    StatementNotice: _statement_frame,
    Form3921Notice: lambda n: _Frame(
        [PlanCode.INCENTIVE_1998], [], {"plan_name": plan_title(PlanCode.INCENTIVE_1998)}
    ),
}


_CORRECTION_WORDS = {
    "reverse_termination": (
        "Your stock awards: the record of your termination was withdrawn",
        "The plan administrator has withdrawn the end of service recorded for {whom}: it"
        " was recorded by mistake. The awards are restored as if it had never been"
        " recorded.",
    ),
    "correct_termination": (
        "Your stock awards: your termination date or reason was corrected",
        "The plan administrator has corrected the date or reason of the end of service"
        " recorded for {whom}. The awards now follow the corrected record.",
    ),
    "void_exercise": (
        "Your stock awards: an exercise recorded by mistake was removed",
        "The plan administrator has removed an exercise recorded by mistake. Its shares are"
        " back under the award.",
    ),
    "correct_grant": (
        "Your stock awards: the terms of a grant were corrected",
        "The plan administrator has corrected the terms of a grant as recorded, as of its"
        " grant date.",
    ),
    "extend_exercise_period": (
        "Your stock awards: more time to exercise",
        "The plan administrator has extended the period in which the option may be"
        " exercised after the end of service ({sections}).",
    ),
    "accelerate_vesting": (
        "Your stock awards: shares vest early",
        "The plan administrator has decided that unvested shares of the award vest early"
        " ({sections}).",
    ),
    "certify_performance": (
        "Your stock awards: performance certified",
        "The Committee has certified the shares earned under the award's performance"
        " criteria for the tranches due: the shares earned are delivered and the rest of"
        " those tranches is forfeited; the certification is final (1998 §6.a.(9)).",
    ),
}
_ISO_TAX = (
    "The incentive stock option keeps its terms, but an exercise more than three months"
    " after employment ended (one year after a disability) is taxed as a non-qualified"
    " stock option (Code §422(a)(2))."
)


def _correction(n: CorrectionNotice) -> dict[str, Any]:
    """A correction or decision, award by award: each figure before -> after."""
    title, intro = _CORRECTION_WORDS[n.action]
    whom = f"{n.participant_name}" if n.deceased else "you"
    by_plan = _DECISION_SECTIONS.get(n.action, {})
    sections = "; ".join(
        by_plan[p] for p in _distinct([line.plan for line in n.awards]) if p in by_plan
    )
    return {
        "title": title,
        "intro": intro.format(whom=whom, sections=sections),
        "iso_tax": _ISO_TAX,
        # Shares an extension dated in time gave back after they had expired.
        "revived": any(line.after.shares_expired < line.before.shares_expired for line in n.awards),
        "changed": [
            {
                "award_id": line.award_id,
                "award_type": line.award_type,
                "rows": _figure_rows(line.before, line.after),
            }
            for line in n.awards
        ],
    }


def _figure_rows(before: AwardFigures, after: AwardFigures) -> list[tuple[str, str]]:
    def money(value: Decimal | None) -> str:
        return "none" if value is None else price(value)

    def day(value: date | None) -> str:
        return "none" if value is None else deadline(value)

    pairs = [
        ("Shares granted", shares(before.shares_granted), shares(after.shares_granted)),
        ("Exercise price", money(before.exercise_price), money(after.exercise_price)),
        ("Shares exercised", shares(before.shares_exercised), shares(after.shares_exercised)),
        ("Shares forfeited", shares(before.shares_forfeited), shares(after.shares_forfeited)),
        ("Shares expired", shares(before.shares_expired), shares(after.shares_expired)),
        (
            "Shares outstanding",
            shares(before.shares_outstanding),
            shares(after.shares_outstanding),
        ),
        (
            "Exercisable now",
            shares(before.exercisable_shares),
            shares(after.exercisable_shares),
        ),
        ("Last day to exercise", day(before.exercise_deadline), day(after.exercise_deadline)),
    ]
    if before.vesting_ahead or after.vesting_ahead:
        pairs.append(("Still to vest", _vesting(before), _vesting(after)))
    return [(label, f"{old} -> {new}" if old != new else old) for label, old, new in pairs]


def _vesting(figures: AwardFigures) -> str:
    """The tranches still to vest, `2003-03-15: 500; ...`, or `none`."""
    return "; ".join(f"{iso(t.vest_date)}: {shares(t.shares)}" for t in figures.vesting_ahead) or (
        "none"
    )


def _distinct(plans: list[PlanCode]) -> list[PlanCode]:
    """The plans named, in the plans' own order (1998 first)."""
    return [plan for plan in PlanCode if plan in plans]


def _admin(notice: Notice) -> dict[str, Any]:
    return {
        "n": notice,
        "audience": "admin",
        "estate": False,
        "greeting": "To the plan administrator,",
        "whose": "",
        "Whose": "",
        "governing": [],
        "exercise_plans": [],
        "sign_off": ADMIN_SIGN_OFF,
        "contact_line": "",
        "company": COMPANY,
    }


def _termination(n: TerminationNotice) -> dict[str, Any]:
    noun = service_noun(n.role)
    where = "of" if noun == "service as a director" else "with"
    return {
        "death": n.reason is TerminationReason.DEATH,
        "noun": noun,
        "noun_full": f"{noun} {where} {COMPANY}",
        "reason_text": reason_words(n.reason, n.role, n.participant_name if n.deceased else None),
    }


def _grant(n: GrantNotice) -> dict[str, Any]:
    """What the subject calls the award: short and plain."""
    if n.award_type.is_option:
        noun = "stock option grant"
    elif n.award_type is AwardType.SAR:
        noun = "stock appreciation right grant"
    else:
        noun = award_type_label(n.award_type)
    return {
        "grant_noun": noun,
        "needs_exercise": n.award_type.requires_exercise,
        "window_sections": _window_sections(n.plan),
    }


def _window_sections(plan: PlanCode) -> str:
    return "1998 §6.a.(5)" if plan is PlanCode.INCENTIVE_1998 else "Directors §6(h), §6(i)"


def _covered(n: CoveredTransactionNotice) -> dict[str, Any]:
    ends = not n.assumed and any(line.award_type.requires_exercise for line in n.awards)
    sections = [covered_section(plan) for plan in _distinct([line.plan for line in n.awards])]
    return {"options_end": ends, "covered_sections": sections}


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


def _feed_summary(n: FeedRejectionSummary) -> dict[str, Any]:
    listed = _listed_rejections(n.rejections)
    return {
        "feed": n.feed_kind if n.feed_kind != "unknown" else "upload",
        "listed": listed,
        "more": len(n.rejections) - len(listed),
    }
