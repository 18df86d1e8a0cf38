"""The two plans' parameters as data: rules read these and never repeat a plan's number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stockplan.domain.model import AwardType, PlanCode, Role


@dataclass(frozen=True, slots=True)
class ReserveStep:
    """From `effective` on, the plan reserves `shares` (before split adjustments)."""

    effective: date
    shares: int
    section: str


@dataclass(frozen=True, slots=True)
class PlanRules:
    code: PlanCode
    title: str
    reserve_steps: tuple[ReserveStep, ...]
    award_types: frozenset[AwardType]
    roles: frozenset[Role]
    death_window_years: int
    other_window_months: int
    # 1998 §6.a.(5)(C): cause ends every option at termination; Directors has no such rule.
    cause_forfeits: bool
    # Last grant date for options (None: no plan-wide cut-off).
    last_option_grant: date | None
    last_iso_grant: date | None
    # Per-person calendar-year limits (1998 §4.c), before splits; None: no limit.
    yearly_option_limit: int | None
    yearly_sar_limit: int | None
    yearly_other_limit: int | None
    max_option_term_years: int | None
    min_exercise_price: Decimal
    effective_date: date
    section_death: str
    section_other: str
    section_cause: str | None
    section_pool: str
    # A holder who dies while a post-termination window is open gets the death window
    # from the date of death (docs/plan-rules.md reads 1998 §6.a.(5)(A) so; the Directors plan
    # has no such rule: §6(i) ends the window after three months).
    death_reopens_window: bool = False
    # Longest ISO term: final exercise date at most this many years after the grant, and
    # at most `iso_max_term_years_ten_percent` for a ten_percent_holder (Code §422(b)(3),
    # §422(c)(5), which 1998 §6.b.(2) invokes). None: the plan grants no ISOs.
    iso_max_term_years: int | None = None
    iso_max_term_years_ten_percent: int | None = None


@dataclass(frozen=True, slots=True)
class FormulaRules:
    """Directors §6(a), §6(c), §6(d), §3."""

    shares: int
    term_years: int
    first_meeting: date
    last_meeting: date


@dataclass(frozen=True, slots=True)
class DeferredRules:
    """Directors §7 and §3."""

    last_service_day: date
    issue_january: int  # the third January after the award


# Every plan day (an event's, a schedule's, a notice's) is the day here (docs/plan-rules.md "Plan
# time zone"); stockplan.plantime turns moments into such days.
PLAN_TIMEZONE = "America/New_York"
PAR_VALUE = Decimal("0.01")  # 1998 Exhibit A "Stock"; Directors §6(c)
ISO_TEN_PERCENT_FACTOR = Decimal("1.1")  # 1998 §6.b.(2), Code §422(b)(6)

INCENTIVE_1998 = PlanRules(
    code=PlanCode.INCENTIVE_1998,
    title="CTC Communications 1998 Incentive Plan",
    reserve_steps=(
        ReserveStep(date(1998, 1, 1), 1_500_000, "1998 §4.a"),
        ReserveStep(date(1999, 9, 16), 2_250_000, "1998 §4.a as amended by Amendment No. 1"),
    ),
    award_types=frozenset(
        {
            AwardType.NSO,
            AwardType.ISO,
            AwardType.SAR,
            AwardType.RESTRICTED_STOCK,
            AwardType.UNRESTRICTED_STOCK,
            AwardType.DEFERRED_STOCK,
            AwardType.PERFORMANCE,
        }
    ),
    roles=frozenset({Role.EMPLOYEE, Role.DIRECTOR, Role.CONSULTANT}),
    death_window_years=1,
    other_window_months=3,
    cause_forfeits=True,
    last_option_grant=None,
    last_iso_grant=date(2008, 11, 16),
    yearly_option_limit=1_000_000,
    yearly_sar_limit=1_000_000,
    yearly_other_limit=1_000_000,
    max_option_term_years=None,
    min_exercise_price=PAR_VALUE,
    effective_date=date(1998, 1, 1),
    section_death="1998 §6.a.(5)(A)",
    section_other="1998 §6.a.(5)(B)",
    section_cause="1998 §6.a.(5)(C)",
    section_pool="1998 §4.a",
    death_reopens_window=True,
    iso_max_term_years=10,
    iso_max_term_years_ten_percent=5,
)

DIRECTORS_1999 = PlanRules(
    code=PlanCode.DIRECTORS_1999,
    title="1999 Equity Incentive Plan for Non-Employee Directors",
    reserve_steps=(ReserveStep(date(1999, 7, 27), 200_000, "Directors §4(a)"),),
    award_types=frozenset({AwardType.DISCRETIONARY_OPTION, AwardType.FORMULA_OPTION}),
    roles=frozenset({Role.DIRECTOR}),
    death_window_years=1,
    other_window_months=3,
    cause_forfeits=False,
    last_option_grant=date(2009, 7, 27),
    last_iso_grant=None,
    yearly_option_limit=None,
    yearly_sar_limit=None,
    yearly_other_limit=None,
    max_option_term_years=10,
    min_exercise_price=PAR_VALUE,
    effective_date=date(1999, 7, 27),
    section_death="Directors §6(h)",
    section_other="Directors §6(i)",
    section_cause=None,
    section_pool="Directors §4(a)",
)

FORMULA = FormulaRules(
    shares=10_000,
    term_years=5,
    first_meeting=date(1999, 7, 27),
    last_meeting=date(2009, 7, 27),
)

DEFERRED = DeferredRules(last_service_day=date(2009, 3, 31), issue_january=3)

PLANS: dict[PlanCode, PlanRules] = {
    PlanCode.INCENTIVE_1998: INCENTIVE_1998,
    PlanCode.DIRECTORS_1999: DIRECTORS_1999,
}


def plan_rules(code: PlanCode) -> PlanRules:
    return PLANS[code]
