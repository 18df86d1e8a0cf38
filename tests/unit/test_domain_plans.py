"""Plans as data (1998 §4.a and Amendment No. 1, §4.c, §5, §6; Directors §3, §4(a), §5, §6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.model import AwardType, PlanCode, Role
from stockplan.domain.plans import (
    DEFERRED,
    DIRECTORS_1999,
    FORMULA,
    INCENTIVE_1998,
    ISO_TEN_PERCENT_FACTOR,
    PAR_VALUE,
    PLANS,
    PlanRules,
    plan_rules,
)
from stockplan.domain.pools import reserved_on


@pytest.mark.parametrize(
    ("plan", "day", "reserved"),
    [
        pytest.param(PlanCode.INCENTIVE_1998, date(1998, 1, 1), 1_500_000, id="1998-4a-first-day"),
        pytest.param(
            PlanCode.INCENTIVE_1998, date(1999, 9, 15), 1_500_000, id="1998-4a-day-before-amend"
        ),
        pytest.param(
            PlanCode.INCENTIVE_1998, date(1999, 9, 16), 2_250_000, id="1998-4a-amendment1-day"
        ),
        pytest.param(PlanCode.INCENTIVE_1998, date(2005, 1, 1), 2_250_000, id="1998-4a-later"),
        pytest.param(PlanCode.INCENTIVE_1998, date(1997, 12, 31), 0, id="1998-before-plan"),
        pytest.param(PlanCode.DIRECTORS_1999, date(1999, 7, 26), 0, id="directors-before-3"),
        pytest.param(PlanCode.DIRECTORS_1999, date(1999, 7, 27), 200_000, id="directors-4a"),
        pytest.param(PlanCode.DIRECTORS_1999, date(2009, 7, 28), 200_000, id="directors-4a-late"),
    ],
)
def test_1998_4a_and_directors_4a_reserved_on(plan: PlanCode, day: date, reserved: int) -> None:
    """1998 §4.a: 1,500,000; Amendment No. 1 (vote of 1999-09-16): 2,250,000; Directors §4(a)."""
    assert reserved_on(plan, day) == reserved


@pytest.mark.parametrize(
    (
        "rules",
        "death_years",
        "other_months",
        "cause_forfeits",
        "death_reopens",
        "section_death",
        "section_other",
    ),
    [
        pytest.param(
            INCENTIVE_1998,
            1,
            3,
            True,
            True,
            "1998 §6.a.(5)(A)",
            "1998 §6.a.(5)(B)",
            id="1998-6a5",
        ),
        pytest.param(
            DIRECTORS_1999,
            1,
            3,
            False,
            False,
            "Directors §6(h)",
            "Directors §6(i)",
            id="directors-6h-6i",
        ),
    ],
)
def test_1998_6a5_and_directors_6h_6i_windows(
    rules: PlanRules,
    death_years: int,
    other_months: int,
    cause_forfeits: bool,
    death_reopens: bool,
    section_death: str,
    section_other: str,
) -> None:
    """Post-termination windows: death 1 year, other 3 months; only 1998 §6.a.(5)(C) forfeits
    for cause, and only 1998 reopens a window on a later death (docs/plan-rules.md)."""
    assert rules.death_window_years == death_years
    assert rules.other_window_months == other_months
    assert rules.cause_forfeits is cause_forfeits
    assert rules.section_death == section_death
    assert rules.section_other == section_other
    assert rules.death_reopens_window is death_reopens


def test_1998_6a5C_cause_section_only_in_1998() -> None:
    """1998 §6.a.(5)(C) has a cause rule; the Directors plan has none (§6(i): any other reason)."""
    assert INCENTIVE_1998.section_cause == "1998 §6.a.(5)(C)"
    assert DIRECTORS_1999.section_cause is None


@pytest.mark.parametrize(
    ("rules", "award_types", "roles"),
    [
        pytest.param(
            INCENTIVE_1998,
            {
                AwardType.NSO,
                AwardType.ISO,
                AwardType.SAR,
                AwardType.RESTRICTED_STOCK,
                AwardType.UNRESTRICTED_STOCK,
                AwardType.DEFERRED_STOCK,
                AwardType.PERFORMANCE,
            },
            {Role.EMPLOYEE, Role.DIRECTOR, Role.CONSULTANT},
            id="1998-exhibitA-award-and-2-participants",
        ),
        pytest.param(
            DIRECTORS_1999,
            {AwardType.DISCRETIONARY_OPTION, AwardType.FORMULA_OPTION},
            {Role.DIRECTOR},
            id="directors-5-6a-6b",
        ),
    ],
)
def test_1998_exhibitA_and_directors_5_award_types_and_roles(
    rules: PlanRules, award_types: set[AwardType], roles: set[Role]
) -> None:
    """Award types per plan (1998 Exhibit A "Award"; Directors §6(a), §6(b)); roles: 1998 §2
    (employees, directors, others); Directors §5 (non-employee directors only)."""
    assert rules.award_types == award_types
    assert rules.roles == roles


@pytest.mark.parametrize(
    ("rules", "last_option", "last_iso", "limit", "max_term", "effective"),
    [
        pytest.param(
            INCENTIVE_1998, None, date(2008, 11, 16), 1_000_000, None, date(1998, 1, 1), id="1998"
        ),
        pytest.param(
            DIRECTORS_1999,
            date(2009, 7, 27),
            None,
            None,
            10,
            date(1999, 7, 27),
            id="directors",
        ),
    ],
)
def test_1998_4c_6b5_directors_3_6d_cutoffs_limits_terms(
    rules: PlanRules,
    last_option: date | None,
    last_iso: date | None,
    limit: int | None,
    max_term: int | None,
    effective: date,
) -> None:
    """1998 §6.b.(5) ISO cut-off 2008-11-16, §4.c 1,000,000 per person per year for options,
    SARs and other awards; Directors §3 (effective 1999-07-27, no option after 2009-07-27),
    §6(d) discretionary options at most 10 years."""
    assert rules.last_option_grant == last_option
    assert rules.last_iso_grant == last_iso
    assert rules.yearly_option_limit == limit
    assert rules.yearly_sar_limit == limit
    assert rules.yearly_other_limit == limit
    assert rules.max_option_term_years == max_term
    assert rules.effective_date == effective
    assert rules.min_exercise_price == Decimal("0.01")


def test_directors_6a_6d_3_formula_size_term_and_meetings() -> None:
    """Directors §6(a) 10,000 shares, §6(d) five years, §3 meetings 1999-07-27..2009-07-27."""
    assert FORMULA.shares == 10_000
    assert FORMULA.term_years == 5
    assert FORMULA.first_meeting == date(1999, 7, 27)
    assert FORMULA.last_meeting == date(2009, 7, 27)


def test_directors_3_7b_deferred_cutoff_and_third_january() -> None:
    """Directors §3: no Deferred Stock for services after 2009-03-31; §7(b)(i): third January."""
    assert DEFERRED.last_service_day == date(2009, 3, 31)
    assert DEFERRED.issue_january == 3


def test_1998_exhibitA_par_value_and_6b2_ten_percent_factor() -> None:
    """Par $.01 (1998 Exhibit A "Stock"); ISO for a 10% holder at 110% (1998 §6.b.(2))."""
    assert Decimal("0.01") == PAR_VALUE
    assert ISO_TEN_PERCENT_FACTOR * Decimal("20.00") == Decimal("22.00")


def test_plans_registry_holds_both_plans() -> None:
    """Each plan code maps to its own rules (docs/interfaces.md plan codes)."""
    assert PLANS[PlanCode.INCENTIVE_1998] is INCENTIVE_1998
    assert plan_rules(PlanCode.DIRECTORS_1999) is DIRECTORS_1999
    assert {r.code for r in PLANS.values()} == set(PlanCode)


def test_1998_6b2_iso_terms_10_years_5_for_a_ten_percent_holder_only_in_1998() -> None:
    """ISO terms (Code §422(b)(3), §422(c)(5), invoked by 1998 §6.b.(2)); the Directors plan
    grants no ISOs (its own §6(d) ten-year cap is max_option_term_years)."""
    assert (INCENTIVE_1998.iso_max_term_years, INCENTIVE_1998.iso_max_term_years_ten_percent) == (
        10,
        5,
    )
    assert DIRECTORS_1999.iso_max_term_years is None
    assert DIRECTORS_1999.iso_max_term_years_ten_percent is None
