"""Termination of service: vested/forfeited split and exercise deadlines.

1998 §6.a.(5)(A)-(C); Directors §6(e), §6(h), §6(i); docs/plan-rules.md "Vesting and termination".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stockplan.domain.calendar import add_months, add_years, day_before
from stockplan.domain.model import (
    Award,
    AwardType,
    Rejection,
    Termination,
    TerminationReason,
)
from stockplan.domain.plans import PlanRules, plan_rules


class TerminationKind(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    DEATH_AFTER_TERMINATION = "death_after_termination"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class TerminationClassification:
    kind: TerminationKind
    rejection: Rejection | None = None


def classify_termination(
    recorded: Termination | None, death: Termination | None, incoming: Termination
) -> TerminationClassification:
    """Decide what a termination row means given what is already applied (docs/plan-rules.md)."""
    if recorded is None:
        return TerminationClassification(TerminationKind.NEW)
    if incoming in (recorded, death):
        return TerminationClassification(TerminationKind.DUPLICATE)
    if (
        incoming.reason is TerminationReason.DEATH
        and recorded.reason is not TerminationReason.DEATH
        and death is None
        and incoming.termination_date >= recorded.termination_date
    ):
        return TerminationClassification(TerminationKind.DEATH_AFTER_TERMINATION)
    return TerminationClassification(
        TerminationKind.CONFLICT,
        Rejection(
            f"participant {incoming.participant_id} already has a termination on "
            f"{recorded.termination_date.isoformat()} ({recorded.reason.value}); a different "
            "second termination is applied only for a death after termination",
            "1998 §6.a.(5)(A); Directors §6(h)",
        ),
    )


def window_end(plan: PlanRules, reason: TerminationReason, termination_date: date) -> date:
    """Last day of the post-termination exercise window, before the final-date cap."""
    if reason is TerminationReason.DEATH:
        return add_years(termination_date, plan.death_window_years)
    if reason is TerminationReason.CAUSE and plan.cause_forfeits:
        # Nothing can be exercised on or after the termination date: the day before.
        return day_before(termination_date)
    return add_months(termination_date, plan.other_window_months)


def window_section(plan: PlanRules, reason: TerminationReason) -> str:
    if reason is TerminationReason.DEATH:
        return plan.section_death
    if reason is TerminationReason.CAUSE and plan.section_cause is not None:
        return plan.section_cause
    return plan.section_other


def capped(deadline: date, award: Award) -> date:
    """Every window is capped at the final exercise date and never extends a closing deadline."""
    result = deadline
    if award.final_exercise_date is not None:
        result = min(result, award.final_exercise_date)
    return result


def open_on(award: Award, day: date) -> bool:
    """The award was held open on `day`, as a termination notice counts it (docs/plan-rules.md
    "Notices"): granted by then, a share still outstanding and its exercise deadline not
    passed. An award with unvested shares is open: the termination forfeits them
    (1998 §6.a.(5); Directors §6(e))."""
    if award.grant_date > day or not award.is_outstanding:
        return False
    return award.exercise_deadline is None or award.exercise_deadline >= day


@dataclass(frozen=True, slots=True)
class AwardTermination:
    """What a termination did to one award (for the state and the participant's notice)."""

    award: Award
    vested_shares: int  # exercisable (vested, unexercised) shares kept after termination
    forfeited_shares: int  # unvested shares forfeited now
    deadline: date | None
    section: str


def terminate_award(award: Award, termination: Termination) -> AwardTermination:
    """Apply the end of service to one award (1998 §6.a.(5); Directors §6(h), §6(i))."""
    plan = plan_rules(award.plan)
    end = termination.termination_date
    section = window_section(plan, termination.reason)
    if not award.is_outstanding or end < award.grant_date:
        return AwardTermination(award, 0, 0, award.exercise_deadline, section)
    vested = award.vested_shares(end)
    unvested_open = award.shares_granted - vested - award.shares_forfeited
    forfeited = max(0, min(unvested_open, award.shares_outstanding))
    if award.award_type is AwardType.PERFORMANCE:
        # What is not yet certified is forfeited (1998 §6.a.(5), §6.a.(9)).
        forfeited = award.shares_outstanding
    updated = award.evolve(
        service_ended_on=end, shares_forfeited=award.shares_forfeited + forfeited
    )
    if not award.award_type.requires_exercise:
        # Restricted, deferred and performance awards: forfeited to the extent not vested.
        return AwardTermination(updated, 0, forfeited, None, section)
    deadline = capped(window_end(plan, termination.reason, end), award)
    if award.exercise_deadline is not None:
        deadline = min(deadline, award.exercise_deadline)
    updated = updated.evolve(exercise_deadline=deadline)
    kept = max(0, updated.shares_outstanding)
    return AwardTermination(updated, kept, forfeited, deadline, section)


def apply_death_after_termination(award: Award, death_date: date) -> AwardTermination:
    """A holder who dies while a post-termination window is open gets the death window
    from the date of death, if later (1998 §6.a.(5)(A)). Directors awards keep their
    three-month window: a former director is no Eligible Director (§6(h), §6(i))."""
    plan = plan_rules(award.plan)
    section = plan.section_death
    deadline = award.exercise_deadline
    if not plan.death_reopens_window:
        return AwardTermination(award, 0, 0, deadline, plan.section_other)
    if (
        not award.award_type.requires_exercise
        or not award.is_outstanding
        or deadline is None
        or death_date > deadline
        or award.exercisable_shares(death_date) == 0
    ):
        return AwardTermination(award, 0, 0, deadline, section)
    candidate = add_years(death_date, plan.death_window_years)
    if award.final_exercise_date is not None:
        candidate = min(candidate, award.final_exercise_date)
    new_deadline = max(deadline, candidate)
    updated = award.evolve(exercise_deadline=new_deadline)
    return AwardTermination(updated, updated.shares_outstanding, 0, new_deadline, section)
