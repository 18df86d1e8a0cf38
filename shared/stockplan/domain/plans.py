"""The two plans' parameters as data: rules read these and never repeat a plan's number.

The plans' own starting terms (the Company's name, the reserves, Amendment No. 1, the
ISO and formula-option end dates) come from `plans.json`, shipped with the system: a
plan is changed by data (that file, or a `plan_actions` feed row), never by code
(1998 §9; Directors §8(f))."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

from stockplan.domain.model import AwardType, PlanAction, PlanActionKind, PlanCode, Role


def _load_plan_data() -> dict[str, Any]:
    text = resources.files("stockplan.domain").joinpath("plans.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


_DATA = _load_plan_data()

# The Company the plans belong to, as notices, reports and exports name it (1998 Exhibit A).
COMPANY_NAME: str = _DATA["company"]


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _action(plan: PlanCode, raw: Mapping[str, Any]) -> PlanAction:
    return PlanAction(
        request_id=raw["request_id"],
        kind=PlanActionKind(raw["action"]),
        plan=plan,
        effective_date=date.fromisoformat(raw["effective_date"]),
        shares=raw.get("shares"),
        approved_on=_day(raw.get("approved_on")),
        note=raw.get("note"),
        section=raw.get("section"),
    )


# The plan actions shipped with the system, oldest first (Amendment No. 1 is the first).
SHIPPED_ACTIONS: tuple[PlanAction, ...] = tuple(
    _action(PlanCode(code), raw)
    for code, plan in _DATA["plans"].items()
    for raw in plan.get("actions", [])
)


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


def amendment_section(action: PlanAction) -> str:
    """What a reserve amendment rests on: its own section where shipped, else the
    plan's amendment clause (1998 §9; Directors §8(f))."""
    if action.section:
        return action.section
    clause = "1998 §9" if action.plan is PlanCode.INCENTIVE_1998 else "Directors §8(f)"
    return f"{clause}, plan action {action.request_id}"


def reserve_steps(plan: PlanCode, actions: Iterable[PlanAction] = ()) -> tuple[ReserveStep, ...]:
    """The plan's reserve from its start, then each `amend_reserve` (shipped and fed),
    by effective date."""
    raw = _DATA["plans"][plan.value]
    first = ReserveStep(
        date.fromisoformat(raw["effective_date"]), raw["reserve"], raw["reserve_section"]
    )
    amendments = sorted(
        (a for a in (*SHIPPED_ACTIONS, *actions) if a.plan is plan),
        key=lambda a: a.effective_date,
    )
    steps = [
        ReserveStep(a.effective_date, int(a.shares), amendment_section(a))
        for a in amendments
        if a.kind is PlanActionKind.AMEND_RESERVE and a.shares is not None
    ]
    return (first, *steps)


def plan_terminated_on(plan: PlanCode, actions: Iterable[PlanAction] = ()) -> PlanAction | None:
    """The earliest `terminate_plan` of `plan`: no grant, formula option or deferred
    stock award under it on or after its effective date (1998 §9; Directors §8(f))."""
    ends = [
        a
        for a in (*SHIPPED_ACTIONS, *actions)
        if a.plan is plan and a.kind is PlanActionKind.TERMINATE_PLAN
    ]
    return min(ends, key=lambda a: a.effective_date, default=None)


def termination_section(plan: PlanCode) -> str:
    return "1998 §9" if plan is PlanCode.INCENTIVE_1998 else "Directors §8(f)"


_INCENTIVE = _DATA["plans"][PlanCode.INCENTIVE_1998.value]
_DIRECTORS = _DATA["plans"][PlanCode.DIRECTORS_1999.value]

INCENTIVE_1998 = PlanRules(
    code=PlanCode.INCENTIVE_1998,
    title=_INCENTIVE["title"],
    reserve_steps=reserve_steps(PlanCode.INCENTIVE_1998),
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
    last_option_grant=_day(_INCENTIVE["last_option_grant"]),
    last_iso_grant=_day(_INCENTIVE["last_iso_grant"]),
    yearly_option_limit=1_000_000,
    yearly_sar_limit=1_000_000,
    yearly_other_limit=1_000_000,
    max_option_term_years=None,
    min_exercise_price=PAR_VALUE,
    effective_date=date.fromisoformat(_INCENTIVE["effective_date"]),
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
    title=_DIRECTORS["title"],
    reserve_steps=reserve_steps(PlanCode.DIRECTORS_1999),
    award_types=frozenset({AwardType.DISCRETIONARY_OPTION, AwardType.FORMULA_OPTION}),
    roles=frozenset({Role.DIRECTOR}),
    death_window_years=1,
    other_window_months=3,
    cause_forfeits=False,
    last_option_grant=_day(_DIRECTORS["last_option_grant"]),
    last_iso_grant=_day(_DIRECTORS["last_iso_grant"]),
    yearly_option_limit=None,
    yearly_sar_limit=None,
    yearly_other_limit=None,
    max_option_term_years=10,
    min_exercise_price=PAR_VALUE,
    effective_date=date.fromisoformat(_DIRECTORS["effective_date"]),
    section_death="Directors §6(h)",
    section_other="Directors §6(i)",
    section_cause=None,
    section_pool="Directors §4(a)",
)

FORMULA = FormulaRules(
    shares=10_000,
    term_years=5,
    first_meeting=date.fromisoformat(_DIRECTORS["formula_first_meeting"]),
    last_meeting=date.fromisoformat(_DIRECTORS["formula_last_meeting"]),
)

DEFERRED = DeferredRules(
    last_service_day=date.fromisoformat(_DIRECTORS["deferred_last_service_day"]),
    issue_january=3,
)

PLANS: dict[PlanCode, PlanRules] = {
    PlanCode.INCENTIVE_1998: INCENTIVE_1998,
    PlanCode.DIRECTORS_1999: DIRECTORS_1999,
}


def plan_rules(code: PlanCode) -> PlanRules:
    return PLANS[code]
