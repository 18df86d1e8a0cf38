"""Domain objects: award figures and report status (docs/interfaces.md §3; 1998 §4.a(iv), §4.c,
§6.b; docs/plan-rules.md "Vesting and termination")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.model import (
    Award,
    AwardStatus,
    AwardType,
    PlanCode,
    Rejection,
    Tranche,
)


def award(**changes: object) -> Award:
    return Award(
        award_id="G-0042",
        participant_id="P-17",
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.NSO,
        grant_date=date(1999, 10, 4),
        shares_granted=12_000,
        exercise_price=Decimal("31.125"),
        final_exercise_date=date(2009, 10, 4),
        tranches=(Tranche(date(2000, 10, 4), 6000), Tranche(date(2001, 10, 4), 6000)),
        exercise_deadline=date(2009, 10, 4),
    ).evolve(**changes)


@pytest.mark.parametrize(
    ("exercised", "forfeited", "expired", "status"),
    [
        pytest.param(0, 0, 0, AwardStatus.OUTSTANDING, id="untouched"),
        pytest.param(6000, 0, 0, AwardStatus.OUTSTANDING, id="any-share-outstanding"),
        # docs/interfaces.md example: 3,000 / 6,000 / 3,000 -> forfeited (most shares).
        pytest.param(3000, 6000, 3000, AwardStatus.FORFEITED, id="interfaces-example"),
        pytest.param(12_000, 0, 0, AwardStatus.EXERCISED, id="all-exercised"),
        pytest.param(7000, 5000, 0, AwardStatus.EXERCISED, id="mostly-exercised"),
        pytest.param(2000, 0, 10_000, AwardStatus.EXPIRED, id="mostly-expired"),
        # Ties: expired over forfeited over exercised.
        pytest.param(4000, 4000, 4000, AwardStatus.EXPIRED, id="three-way-tie-expired"),
        pytest.param(6000, 6000, 0, AwardStatus.FORFEITED, id="tie-forfeited-over-exercised"),
        pytest.param(6000, 0, 6000, AwardStatus.EXPIRED, id="tie-expired-over-exercised"),
        pytest.param(0, 6000, 6000, AwardStatus.EXPIRED, id="tie-expired-over-forfeited"),
        pytest.param(2000, 5000, 5000, AwardStatus.EXPIRED, id="tie-at-top-only"),
    ],
)
def test_interfaces_3_status_ties(
    exercised: int, forfeited: int, expired: int, status: AwardStatus
) -> None:
    """`status`: outstanding while any share is; else by where most shares went, ties
    expired > forfeited > exercised (docs/interfaces.md §3)."""
    subject = award(shares_exercised=exercised, shares_forfeited=forfeited, shares_expired=expired)
    assert subject.status() is status
    assert subject.shares_outstanding == 12_000 - exercised - forfeited - expired


@pytest.mark.parametrize(
    ("award_type", "requires_exercise", "is_option"),
    [
        pytest.param(AwardType.NSO, True, True, id="nso"),
        pytest.param(AwardType.ISO, True, True, id="iso"),
        pytest.param(AwardType.DISCRETIONARY_OPTION, True, True, id="discretionary"),
        pytest.param(AwardType.FORMULA_OPTION, True, True, id="formula"),
        pytest.param(AwardType.SAR, True, False, id="sar"),
        pytest.param(AwardType.RESTRICTED_STOCK, False, False, id="restricted"),
        pytest.param(AwardType.UNRESTRICTED_STOCK, False, False, id="unrestricted"),
        pytest.param(AwardType.DEFERRED_STOCK, False, False, id="deferred"),
        pytest.param(AwardType.PERFORMANCE, False, False, id="performance"),
    ],
)
def test_1998_6b_4c_award_kinds(
    award_type: AwardType, requires_exercise: bool, is_option: bool
) -> None:
    """Options and SARs need exercise (1998 §6.b); only Stock Options count against the option
    limit (1998 §4.c)."""
    assert award_type.requires_exercise is requires_exercise
    assert award_type.is_option is is_option


@pytest.mark.parametrize(
    ("subject", "on", "vested", "exercisable"),
    [
        pytest.param(award(), date(1999, 10, 3), 0, 0, id="before-grant"),
        pytest.param(award(), date(2000, 10, 3), 0, 0, id="before-first-tranche"),
        pytest.param(award(), date(2000, 10, 4), 6000, 6000, id="tranche-day-inclusive"),
        pytest.param(award(), date(2001, 10, 4), 12_000, 12_000, id="all-vested"),
        pytest.param(award(), date(2009, 10, 5), 12_000, 0, id="after-deadline"),
        pytest.param(award(tranches=()), date(1999, 10, 4), 12_000, 12_000, id="vested-at-grant"),
        pytest.param(award(shares_exercised=1000), date(2000, 10, 4), 6000, 5000, id="exercised"),
        pytest.param(
            award(service_ended_on=date(2001, 1, 1), shares_forfeited=6000),
            date(2002, 1, 1),
            6000,
            6000,
            id="vesting-stops-at-service-end",
        ),
        pytest.param(
            award(accelerated_on=date(2000, 1, 5)),
            date(2000, 1, 5),
            12_000,
            12_000,
            id="covered-transaction-acceleration",
        ),
        pytest.param(
            award(accelerated_on=date(2000, 1, 5)),
            date(2000, 1, 4),
            0,
            0,
            id="before-acceleration",
        ),
        pytest.param(
            award(award_type=AwardType.RESTRICTED_STOCK),
            date(2002, 1, 1),
            12_000,
            0,
            id="restricted-not-exercisable",
        ),
        pytest.param(award(shares_expired=12_000), date(2002, 1, 1), 12_000, 0, id="expired"),
    ],
)
def test_1998_6a5_vested_and_exercisable_shares(
    subject: Award, on: date, vested: int, exercisable: int
) -> None:
    """Cumulative vesting, stopped at the end of service; acceleration vests in full."""
    assert subject.vested_shares(on) == vested
    assert subject.exercisable_shares(on) == exercisable


def test_1998_4a_iv_delivered_is_exercised_less_withheld() -> None:
    """Shares held back for price or taxes are not delivered (1998 §4.a(iv))."""
    subject = award(shares_exercised=5000, shares_withheld=1200)
    assert subject.shares_delivered == 3800
    assert subject.is_outstanding


def test_rules_rejection_text_names_section() -> None:
    """A rejection reads 'reason (section)' when a plan rule is the cause."""
    assert str(Rejection("too late", "1998 §6.b.(5)")) == "too late (1998 §6.b.(5))"
    assert str(Rejection("bad row")) == "bad row"
