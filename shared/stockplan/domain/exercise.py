"""Exercises of options and SARs (docs/plan-rules.md "Exercises"; 1998 §6.b; Directors §6(e))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stockplan.domain.model import Award, PlanCode, Rejection, Termination
from stockplan.domain.plans import plan_rules
from stockplan.domain.termination import window_section


@dataclass(frozen=True, slots=True)
class ExerciseCheck:
    rejection: Rejection | None
    # Shares taken back from an expiry recorded after the exercise date.
    reopened: int = 0

    @property
    def accepted(self) -> bool:
        return self.rejection is None


def exercise_capacity(award: Award, on: date) -> int:
    """Vested, unexercised shares that could be bought on `on`.

    Shares marked expired after `on` were still exercisable on `on` (the deadline is
    inclusive and the daily run expires them the day after), so a late exercise feed
    for a timely exercise never loses the holder's shares.
    """
    if not award.award_type.requires_exercise or on < award.grant_date:
        return 0
    if award.exercise_deadline is not None and on > award.exercise_deadline:
        return 0
    open_shares = award.shares_outstanding + award.shares_expired
    return max(0, min(award.vested_shares(on) - award.shares_exercised, open_shares))


def check_exercise(
    award: Award,
    on: date,
    shares: int,
    withheld: int,
    tendered: int = 0,
    payment: frozenset[str] = frozenset({"cash"}),
) -> ExerciseCheck:
    rejection = (
        _request_rejection(award, on, shares, withheld)
        or _payment_rejection(award, shares, withheld, tendered, payment)
        or _capacity_rejection(award, on, shares)
    )
    if rejection is not None:
        return ExerciseCheck(rejection)
    return ExerciseCheck(None, reopened=max(0, shares - award.shares_outstanding))


def _section(award: Award) -> str:
    return "1998 §6.b" if award.plan is PlanCode.INCENTIVE_1998 else "Directors §6(e)"


def _request_rejection(award: Award, on: date, shares: int, withheld: int) -> Rejection | None:
    """What is wrong with the request itself, whatever the award's shares."""
    section = _section(award)
    if not award.award_type.requires_exercise:
        return Rejection(
            f"award {award.award_id} is a {award.award_type.value} award and needs no exercise",
            section,
        )
    if shares <= 0:
        return Rejection("shares must be a positive whole number", section)
    if withheld < 0 or withheld > shares:
        return Rejection(
            f"shares_withheld must be between 0 and the {shares} shares exercised",
            "1998 §4.a(iv)",
        )
    if on < award.grant_date:
        return Rejection(
            f"exercise date {on.isoformat()} is before the grant date "
            f"{award.grant_date.isoformat()}",
            section,
        )
    deadline = award.exercise_deadline
    if deadline is not None and on > deadline:
        return Rejection(
            f"exercise date {on.isoformat()} is after the exercise deadline "
            f"{deadline.isoformat()} of award {award.award_id}",
            deadline_section(award),
        )
    return None


def _payment_rejection(
    award: Award, shares: int, withheld: int, tendered: int, payment: frozenset[str]
) -> Rejection | None:
    """How the price is paid. Directors §6(f): cash, previously owned shares or a
    broker's undertaking, never shares held back. 1998 §4.a: delivery is counted net of
    shares withheld and tendered, so together they may not pass the shares exercised."""
    if award.plan is PlanCode.DIRECTORS_1999:
        if withheld > 0 or "withheld" in payment:
            return Rejection(
                f"award {award.award_id} is under the directors-1999 plan, whose options are "
                "paid in cash, previously owned shares or a broker's undertaking, never by "
                "holding shares back: send the row with shares_withheld 0 and the payment used",
                "Directors §6(f)",
            )
        return None
    if withheld + tendered > shares:
        return Rejection(
            f"shares_withheld ({withheld}) and shares_tendered ({tendered}) together pass the "
            f"{shares} shares exercised: delivery is counted net of both",
            "1998 §4.a",
        )
    return None


def _capacity_rejection(award: Award, on: date, shares: int) -> Rejection | None:
    capacity = exercise_capacity(award, on)
    if capacity <= 0 and award.shares_outstanding + award.shares_expired == 0:
        return Rejection(
            f"award {award.award_id} is no longer outstanding ({award.status().value})",
            _section(award),
        )
    if shares > capacity:
        return Rejection(
            f"only {capacity} vested unexercised shares of award {award.award_id} could be "
            f"exercised on {on.isoformat()}; {shares} requested",
            _section(award),
        )
    return None


@dataclass(frozen=True, slots=True)
class ServiceEnd:
    """What is recorded of how a holder's service ended: the termination, and a death
    recorded after it."""

    ended: Termination | None
    death: Termination | None = None


def deadline_section(award: Award, service_end: ServiceEnd | None = None) -> str:
    """The rule that set the award's exercise deadline: cited by a late exercise's
    rejection and by the reminder and expiry notices (docs/plan-rules.md "Notices"). Without
    `service_end`, a terminated holder's deadline cites the termination rules whole."""
    incentive = award.plan is PlanCode.INCENTIVE_1998
    if award.accelerated_on is not None and award.exercise_deadline == award.accelerated_on:
        # A covered transaction not assumed ends the award on its date.
        return "1998 §7.a" if incentive else "Directors §6(j)"
    if award.service_ended_on is None:
        return "1998 §6.b" if incentive else "Directors §6(d)"
    if service_end is None:
        return "1998 §6.a.(5)" if incentive else "Directors §6(h)-(i)"
    rules = plan_rules(award.plan)
    if service_end.death is not None and rules.death_reopens_window:
        # Died while the post-termination window was open (1998 §6.a.(5)(A)).
        return rules.section_death
    if service_end.ended is None:
        return rules.section_other
    return window_section(rules, service_end.ended.reason)


def apply_exercise(
    award: Award, shares: int, withheld: int, reopened: int = 0, tendered: int = 0
) -> Award:
    """Record an accepted exercise; `reopened` shares come back from a premature expiry."""
    return award.evolve(
        shares_exercised=award.shares_exercised + shares,
        shares_withheld=award.shares_withheld + withheld,
        shares_tendered=award.shares_tendered + tendered,
        shares_expired=award.shares_expired - reopened,
    )
