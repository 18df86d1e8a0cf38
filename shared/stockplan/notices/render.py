"""Notice -> subject, plain text and HTML, from the templates in templates/ (one per
notice kind, see stockplan.notices.templating).

This module gathers what a template needs besides the notice itself (the greeting, the
plans that govern, whose awards they are, the letterhead's contact line, the rejected
rows an administrator's summary lists); the wording is in the templates. The text and
the HTML part are rendered from the same data by the same template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stockplan.domain.model import AwardType, PlanCode, TerminationReason
from stockplan.notices import templating
from stockplan.notices.formatting import (
    award_type_label,
    plan_title,
    reason_words,
    service_noun,
)
from stockplan.notices.model import (
    AdminAlert,
    CoveredTransactionNotice,
    DeferredAwardNotice,
    DeferredIssueNotice,
    ExerciseConfirmation,
    ExpiryNotice,
    FeedRejectionSummary,
    FormulaGrantNotice,
    GrantNotice,
    Letterhead,
    Notice,
    RejectedRow,
    ReminderNotice,
    SplitNotice,
    TerminationNotice,
    covered_section,
    split_section,
)

# Rejected rows listed in one administrator email; the errors CSV holds them all.
MAX_LISTED_REJECTIONS = 200
MAX_LISTED_REASON_BYTES = 400
MAX_LISTED_BYTES = 32 * 1024

COMPANY = "CTC Communications"
PARTICIPANT_SIGN_OFF = ("Stock Plan Administration", f"{COMPANY}, Inc.")
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
    match notice:
        case FeedRejectionSummary():
            return _admin(notice) | _feed_summary(notice)
        case AdminAlert():
            return _admin(notice) | {"lines": [line for line in notice.body_lines if line.strip()]}
        case TerminationNotice():
            plans = [line.plan for line in notice.awards]
            extra = _termination(notice)
            exercisable = [
                line.plan
                for line in notice.awards
                if line.deadline is not None
                and line.deadline >= notice.termination_date
                and line.vested_shares > 0
            ]
        case ReminderNotice():
            plans, extra, exercisable = [notice.plan], {}, [notice.plan]
        case ExpiryNotice():
            plans, extra, exercisable = [notice.plan], {}, []
        case FormulaGrantNotice():
            plans = [PlanCode.DIRECTORS_1999]
            extra, exercisable = {}, plans
        case DeferredAwardNotice() | DeferredIssueNotice():
            plans, extra, exercisable = [PlanCode.DIRECTORS_1999], {}, []
        case GrantNotice():
            plans, extra = [notice.plan], _grant(notice)
            open_option = notice.award_type.requires_exercise and (
                notice.service_ended_on is None
                or (
                    notice.exercise_deadline is not None
                    and notice.exercise_deadline >= notice.service_ended_on
                )
            )
            exercisable = [notice.plan] if open_option else []
        case ExerciseConfirmation():
            plans, extra = [notice.plan], {}
            left = notice.deadline is not None and notice.exercisable_shares > 0
            exercisable = [notice.plan] if left else []
        case SplitNotice():
            plans = [line.plan for line in notice.awards]
            if notice.deferred:
                plans.append(PlanCode.DIRECTORS_1999)
            extra = {"sections": [split_section(plan) for plan in _distinct(plans)]}
            exercisable = []
        case CoveredTransactionNotice():
            plans = [line.plan for line in notice.awards]
            if notice.deferred:
                plans.append(PlanCode.DIRECTORS_1999)
            extra = _covered(notice)
            exercisable = [
                line.plan
                for line in notice.awards
                if line.award_type.requires_exercise
                and line.vested_shares > 0
                and line.deadline_after is not None
                and line.deadline_after >= notice.transaction_date
            ]
        case _:
            raise TypeError(f"not a notice: {type(notice).__name__}")
    deceased = bool(getattr(notice, "deceased", False))
    name = notice.participant_name
    return {
        "n": notice,
        "audience": "participant",
        "estate": deceased,
        # After a death notices go to the estate, never to the deceased (rules.md).
        "greeting": f"To the estate of {name}," if deceased else f"Dear {name},",
        "whose": f"{name}'s" if deceased else "your",
        "Whose": f"{name}'s" if deceased else "Your",
        "governing": [plan_title(plan) for plan in _distinct(plans)],
        "exercise_plans": [plan.value for plan in _distinct(exercisable)],
        "sign_off": PARTICIPANT_SIGN_OFF,
        "contact_line": letterhead.contact_line,
        "directors_title": plan_title(PlanCode.DIRECTORS_1999),
        "company": COMPANY,
    } | extra


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
