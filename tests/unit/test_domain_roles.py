"""Roles and relationships over time (docs/plan-rules.md "Facts in time"; Directors §5;
1998 §6.a.(5), last paragraph)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stockplan.domain.model import (
    Award,
    AwardType,
    PlanCode,
    Role,
    Service,
    Termination,
    TerminationReason,
)
from stockplan.domain.roles import (
    RoleHistory,
    award_service,
    ends_award,
    goes_on,
    left_employment_unrecorded,
    role_change_rejection,
)

CEO = RoleHistory.of(Role.EMPLOYEE).changed(Role.DIRECTOR, date(2002, 6, 1))


def _award(plan: PlanCode, grant: date) -> Award:
    return Award("A", "E-1", plan, AwardType.NSO, grant, 100, Decimal("1"), date(2010, 1, 1))


def test_the_role_of_a_day_follows_the_effective_dates() -> None:
    assert CEO.on(date(2002, 5, 31)) is Role.EMPLOYEE
    assert CEO.on(date(2002, 6, 1)) is Role.DIRECTOR
    assert CEO.latest() is Role.DIRECTOR
    # A later upload replaces a change recorded from the same day on.
    again = CEO.changed(Role.CONSULTANT, date(2002, 6, 1))
    assert again.spans == ((None, Role.EMPLOYEE), (date(2002, 6, 1), Role.CONSULTANT))
    # Back to the role already held: no new span.
    assert CEO.changed(Role.EMPLOYEE, date(2002, 6, 1)) == RoleHistory.of(Role.EMPLOYEE)


def test_another_role_needs_an_effective_date() -> None:
    rejection = role_change_rejection(CEO, Role.EMPLOYEE, None)
    assert rejection is not None and "give effective_date" in rejection.reason
    assert role_change_rejection(CEO, Role.DIRECTOR, None) is None
    assert role_change_rejection(CEO, Role.EMPLOYEE, date(2003, 1, 1)) is None


def test_an_award_is_held_in_respect_of_the_relationship_of_its_grant_date() -> None:
    assert award_service(_award(PlanCode.INCENTIVE_1998, date(2000, 1, 3)), CEO) is (
        Service.EMPLOYMENT
    )
    assert award_service(_award(PlanCode.INCENTIVE_1998, date(2002, 7, 1)), CEO) is (
        Service.DIRECTORSHIP
    )
    assert award_service(_award(PlanCode.DIRECTORS_1999, date(2000, 1, 3)), CEO) is (
        Service.DIRECTORSHIP
    )


def test_a_termination_ends_the_awards_of_its_relationship_and_another_may_go_on() -> None:
    employment = Termination(
        "E-1", date(2002, 5, 31), TerminationReason.RETIREMENT, Service.EMPLOYMENT
    )
    every = Termination("E-1", date(2002, 5, 31), TerminationReason.OTHER)
    nso = _award(PlanCode.INCENTIVE_1998, date(2000, 1, 3))
    option = _award(PlanCode.DIRECTORS_1999, date(2000, 1, 3))
    assert ends_award(employment, nso, CEO) and not ends_award(employment, option, CEO)
    assert ends_award(every, option, CEO)
    assert goes_on(employment, CEO)
    assert not goes_on(every, CEO)
    directorship = Termination(
        "E-1", date(2003, 5, 31), TerminationReason.OTHER, Service.DIRECTORSHIP
    )
    assert not goes_on(directorship, CEO)


def test_leaving_employment_unrecorded_is_named() -> None:
    before = RoleHistory.of(Role.EMPLOYEE)
    june1 = date(2002, 6, 1)
    assert left_employment_unrecorded(before, CEO, june1, None)
    assert left_employment_unrecorded(before, CEO, june1, date(2002, 6, 2))
    assert not left_employment_unrecorded(before, CEO, june1, date(2002, 5, 31))
    assert not left_employment_unrecorded(CEO, CEO.changed(Role.CONSULTANT, june1), june1, None)
