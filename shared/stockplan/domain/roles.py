"""Roles and relationships over time (docs/plan-rules.md "Facts in time"; Directors §5; 1998
§6.a.(5), last paragraph). Pure: no AWS, no clock.

A participant has one role at a time; a role change takes effect on its effective
date. Eligibility is judged on the day it matters (a meeting, a grant date), and an
award is held in respect of the relationship of its holder's role on its grant date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stockplan.domain.calendar import day_after
from stockplan.domain.model import Award, PlanCode, Rejection, Role, Service, Termination

RELATIONSHIP: dict[Role, Service] = {
    Role.EMPLOYEE: Service.EMPLOYMENT,
    Role.DIRECTOR: Service.DIRECTORSHIP,
    Role.CONSULTANT: Service.CONSULTANCY,
}
# The role whose relationship a service is (notices speak of it in the person's terms).
ROLE_OF: dict[Service, Role] = {service: role for role, service in RELATIONSHIP.items()}


@dataclass(frozen=True, slots=True)
class RoleHistory:
    """(since, role) spans, oldest first; since None: from the start."""

    spans: tuple[tuple[date | None, Role], ...]

    @classmethod
    def of(cls, role: Role) -> RoleHistory:
        return cls(((None, role),))

    def on(self, day: date) -> Role:
        """The role on `day`."""
        current = self.spans[0][1]
        for since, role in self.spans:
            if since is None or since <= day:
                current = role
        return current

    def latest(self) -> Role:
        return self.spans[-1][1]

    def changed(self, role: Role, effective: date) -> RoleHistory:
        """`role` from `effective` on: a later change recorded before is replaced (the
        latest upload wins, docs/interfaces.md §1a)."""
        kept = tuple(s for s in self.spans if s[0] is None or s[0] < effective)
        if kept[-1][1] is role:
            return RoleHistory(kept)
        return RoleHistory((*kept, (effective, role)))


def role_change_rejection(
    history: RoleHistory, role: Role, effective: date | None
) -> Rejection | None:
    """Another role needs effective_date, the first day of the new role."""
    if effective is None and role is not history.latest():
        return Rejection(
            f"the role changes from {history.latest().value} to {role.value}: give "
            "effective_date, the first day of the new role",
            "Facts in time: roles and relationships over time",
        )
    return None


def award_service(award: Award, history: RoleHistory) -> Service:
    """The relationship an award is held in respect of: a directors-1999 award, the
    directorship (Directors §5); a 1998 award, that of the holder's role on its grant
    date (1998 §6.a.(5), last paragraph)."""
    if award.plan is PlanCode.DIRECTORS_1999:
        return Service.DIRECTORSHIP
    return RELATIONSHIP[history.on(award.grant_date)]


def ends_award(termination: Termination, award: Award, history: RoleHistory) -> bool:
    """A termination ends the awards held in respect of the relationship it ends; a
    blank service or a death ends every one."""
    return termination.service is None or termination.service is award_service(award, history)


def goes_on(termination: Termination, history: RoleHistory) -> bool:
    """Another relationship goes on after `termination`: the person's role from the
    next day on is another relationship than the one that ended."""
    if termination.service is None:
        return False
    return RELATIONSHIP[history.on(day_after(termination.termination_date))] is not (
        termination.service
    )


def left_employment_unrecorded(
    before: RoleHistory, after: RoleHistory, effective: date, employment_ended: date | None
) -> bool:
    """A role change away from `employee` with no recorded end of employment on or
    before its effective date (named to the administrator)."""
    return (
        before.on(effective) is Role.EMPLOYEE
        and after.on(effective) is not Role.EMPLOYEE
        and (employment_ended is None or employment_ended > effective)
    )
