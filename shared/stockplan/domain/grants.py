"""Validation of grants fed by the administrator (1998 §4, §5, §6.b; Directors §3-§6)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stockplan.domain.calendar import add_years
from stockplan.domain.fmv import missing_price_reason
from stockplan.domain.model import (
    Award,
    AwardType,
    Participant,
    PlanAction,
    PlanCode,
    Rejection,
    Role,
)
from stockplan.domain.plans import (
    ISO_TEN_PERCENT_FACTOR,
    plan_rules,
    plan_terminated_on,
    termination_section,
)
from stockplan.domain.pools import Split
from stockplan.domain.splits import split_shares


class LimitBucket:
    OPTIONS = "options"
    SARS = "SARs"
    OTHER = "other awards"


def limit_bucket(award_type: AwardType) -> str:
    if award_type.is_option:
        return LimitBucket.OPTIONS
    if award_type is AwardType.SAR:
        return LimitBucket.SARS
    return LimitBucket.OTHER


def yearly_limit(plan: PlanCode, bucket: str, on: date, splits: Sequence[Split] = ()) -> int | None:
    """Per-person calendar-year limits of 1998 §4.c, as adjusted by splits up to `on`."""
    rules = plan_rules(plan)
    base = {
        LimitBucket.OPTIONS: rules.yearly_option_limit,
        LimitBucket.SARS: rules.yearly_sar_limit,
        LimitBucket.OTHER: rules.yearly_other_limit,
    }[bucket]
    if base is None:
        return None
    for split in sorted(splits, key=lambda s: s.day):
        # Only splits after the plan took effect change the figures it fixes (§7.b.(1)).
        if rules.effective_date <= split.day <= on:
            base = split_shares(base, split.ratio)
    return base


def granted_in_year(
    awards: Iterable[Award], participant_id: str, plan: PlanCode, year: int, bucket: str
) -> int:
    return sum(
        a.shares_granted
        for a in awards
        if a.participant_id == participant_id
        and a.plan is plan
        and a.grant_date.year == year
        and limit_bucket(a.award_type) == bucket
    )


@dataclass(frozen=True, slots=True)
class GrantContext:
    """What a grant is checked against; gathered by the caller."""

    participant: Participant | None
    fmv_on_grant: Decimal | None
    pool_available: int
    granted_this_year: int  # same person, plan and limit bucket, same calendar year
    splits: Sequence[Split] = ()
    # The plan actions fed for the award's plan (docs/interfaces.md §1e).
    plan_actions: Sequence[PlanAction] = ()
    # The grant date is still ahead (a scheduled grant checked when fed): its FMV is
    # not known yet and is checked on that day (docs/plan-rules.md "Facts in time").
    fmv_checked_later: bool = False
    # The day of the Closing Price that set `fmv_on_grant`, and the latest price day on
    # or before the grant date (stale or not), for the reasons that name them.
    fmv_day: date | None = None
    latest_price_day: date | None = None


FORMULA_OPTION_FED = Rejection(
    "formula options are made by the system at annual meetings, never fed", "Directors §6(a)"
)


def validate_grant(award: Award, ctx: GrantContext) -> list[Rejection]:
    """Every reason the grant cannot be made; empty when it can. The one home of the grant
    rules: the grants feed only parses its cells and leaves every check here."""
    if award.award_type is AwardType.FORMULA_OPTION:
        return [FORMULA_OPTION_FED]
    reasons = _type_reasons(award) + _holder_reasons(award, ctx.participant)
    reasons += _date_and_size_reasons(award)
    reasons += _vesting_reasons(award)
    if award.award_type.requires_exercise:
        reasons += _option_reasons(award, ctx)
    reasons += _performance_reasons(award)
    reasons += _limit_reasons(award, ctx)
    reasons += plan_ended_reasons(award.plan, award.grant_date, ctx.plan_actions)
    return reasons + _pool_reasons(award, ctx)


def plan_ended_reasons(
    plan: PlanCode, grant_date: date, actions: Sequence[PlanAction] = ()
) -> list[Rejection]:
    """No grant under a plan on or after the day it was terminated as to further grants;
    awards already made go on (1998 §9; Directors §8(f))."""
    ended = plan_terminated_on(plan, actions)
    if ended is None or grant_date < ended.effective_date:
        return []
    return [
        Rejection(
            f"the {plan.value} plan was terminated as to further grants from "
            f"{ended.effective_date.isoformat()} (plan action {ended.request_id}): no award "
            f"can be granted under it on {grant_date.isoformat()}",
            termination_section(plan),
        )
    ]


def _performance_reasons(award: Award) -> list[Rejection]:
    """A performance award states the criteria the Committee will certify (1998 §6.a.(9))."""
    performance = award.award_type is AwardType.PERFORMANCE
    if performance and not (award.performance_criteria or "").strip():
        return [
            Rejection(
                "a performance award needs its performance_criteria: state the criteria the "
                "Committee will certify",
                "1998 §6.a.(9)",
            )
        ]
    if not performance and award.performance_criteria:
        return [
            Rejection(
                f"performance_criteria is for performance awards only; {award.award_id} is "
                f"{_a(award.award_type.value)} award: leave it blank",
                "1998 §6.a.(9)",
            )
        ]
    return []


def fed_award_types(plan: PlanCode) -> frozenset[AwardType]:
    """The award types a grants feed may carry: formula options are the system's."""
    return plan_rules(plan).award_types - {AwardType.FORMULA_OPTION}


def _type_reasons(award: Award) -> list[Rejection]:
    allowed = fed_award_types(award.plan)
    if award.award_type in allowed:
        return []
    names = ", ".join(sorted(t.value for t in allowed))
    incentive = award.plan is PlanCode.INCENTIVE_1998
    return [
        Rejection(
            f"award type {award.award_type.value} is not an award of plan {award.plan.value},"
            f" which takes {names}",
            '1998 Exhibit A "Award"' if incentive else "Directors §6(b)",
        )
    ]


def _holder_reasons(award: Award, person: Participant | None) -> list[Rejection]:
    rules = plan_rules(award.plan)
    eligibility = "1998 §5" if award.plan is PlanCode.INCENTIVE_1998 else "Directors §5"
    if person is None:
        return [
            Rejection(
                f"unknown participant {award.participant_id}: "
                "load them with the participants feed first",
                eligibility,
            )
        ]
    if person.participant_id != award.participant_id:
        return [Rejection("participant does not match the award", eligibility)]
    reasons: list[Rejection] = []
    if person.role not in rules.roles:
        reasons.append(
            Rejection(
                f"{award.plan.value} awards go only to non-employee directors; "
                f"{person.participant_id} is {_a(person.role.value)}",
                "Directors §5",
            )
        )
    if award.award_type is AwardType.ISO and person.role is not Role.EMPLOYEE:
        reasons.append(
            Rejection(
                f"ISOs go only to employees; {person.participant_id} is {_a(person.role.value)}",
                "1998 §5",
            )
        )
    return reasons


def _date_and_size_reasons(award: Award) -> list[Rejection]:
    rules = plan_rules(award.plan)
    incentive = award.plan is PlanCode.INCENTIVE_1998
    reasons: list[Rejection] = []
    if award.grant_date < rules.effective_date:
        reasons.append(
            Rejection(
                f"grant date {award.grant_date.isoformat()} is before the plan took effect on "
                f"{rules.effective_date.isoformat()}",
                "1998 §2" if incentive else "Directors §3",
            )
        )
    if award.shares_granted <= 0:
        reasons.append(
            Rejection(
                "shares must be a positive whole number",
                "1998 §4.b" if incentive else "Directors §4(b)",
            )
        )
    final = award.final_exercise_date
    # Whatever the award type: a final exercise date, when given, follows the grant.
    if final is not None and final <= award.grant_date:
        reasons.append(
            Rejection(
                f"final_exercise_date {final.isoformat()} is not after the grant date "
                f"{award.grant_date.isoformat()}",
                "1998 §6.b" if incentive else "Directors §6(d)",
            )
        )
    return reasons


def _pool_reasons(award: Award, ctx: GrantContext) -> list[Rejection]:
    if award.shares_granted <= 0 or award.shares_granted <= ctx.pool_available:
        return []
    return [
        Rejection(
            f"the {award.plan.value} pool has {max(ctx.pool_available, 0)} shares available; "
            f"the grant needs {award.shares_granted}",
            plan_rules(award.plan).section_pool,
        )
    ]


def _vesting_reasons(award: Award) -> list[Rejection]:
    if not award.tranches:
        return []
    # The Administrator (Committee) sets when an award vests or becomes exercisable.
    section = "1998 §6.a.(5)" if award.plan is PlanCode.INCENTIVE_1998 else "Directors §6(e)"
    reasons: list[Rejection] = []
    total = sum(t.shares for t in award.tranches)
    if total != award.shares_granted:
        reasons.append(
            Rejection(
                f"vesting tranches add up to {total} shares but the grant is "
                f"{award.shares_granted}",
                section,
            )
        )
    if any(t.shares <= 0 for t in award.tranches):
        reasons.append(
            Rejection("every vesting tranche needs a positive number of shares", section)
        )
    if any(t.vest_date < award.grant_date for t in award.tranches):
        reasons.append(Rejection("a vesting tranche is dated before the grant date", section))
    final = award.final_exercise_date
    if final is not None and any(t.vest_date > final for t in award.tranches):
        reasons.append(
            Rejection(
                f"a vesting tranche is dated after the final exercise date {final.isoformat()}",
                section,
            )
        )
    return reasons


def _option_reasons(award: Award, ctx: GrantContext) -> list[Rejection]:
    """Options and SARs: a price, a final exercise date, the plans' term and cut-offs."""
    rules = plan_rules(award.plan)
    section = "1998 §6.b.(3)" if award.plan is PlanCode.INCENTIVE_1998 else "Directors §6(c)"
    reasons: list[Rejection] = []
    price = award.exercise_price
    if price is None:
        reasons.append(Rejection("options and SARs need an exercise_price", section))
    elif price < rules.min_exercise_price:
        reasons.append(
            Rejection(
                f"exercise price {price} is below the par value {rules.min_exercise_price}", section
            )
        )
    final = award.final_exercise_date
    years = rules.max_option_term_years
    if final is None:
        reasons.append(Rejection("options and SARs need a final_exercise_date", section))
    elif years is not None and final > add_years(award.grant_date, years):
        reasons.append(
            Rejection(
                f"final exercise date {final.isoformat()} is more than {years} years after"
                " the grant",
                "Directors §6(d)",
            )
        )
    if rules.last_option_grant is not None and award.grant_date > rules.last_option_grant:
        reasons.append(
            Rejection(
                f"no option may be granted after {rules.last_option_grant.isoformat()}",
                "Directors §3",
            )
        )
    if award.award_type is AwardType.ISO:
        reasons += _iso_reasons(award, ctx)
    return reasons


def _iso_reasons(award: Award, ctx: GrantContext) -> list[Rejection]:
    rules = plan_rules(award.plan)
    reasons: list[Rejection] = []
    ten = ctx.participant is not None and ctx.participant.ten_percent_holder
    reasons += _iso_term_reasons(award, ten)
    if rules.last_iso_grant is not None and award.grant_date > rules.last_iso_grant:
        reasons.append(
            Rejection(
                f"no ISO may be granted after {rules.last_iso_grant.isoformat()}", "1998 §6.b.(5)"
            )
        )
    if ctx.fmv_checked_later:
        return reasons
    if ctx.fmv_on_grant is None:
        # A stale price is a missing one (docs/plan-rules.md "Fair Market Value"); the row
        # is tried again when it is uploaded again.
        reasons.append(
            Rejection(
                f"the ISO price cannot be checked: "
                f"{missing_price_reason(award.grant_date, ctx.latest_price_day)}",
                "1998 §6.b.(2)",
            )
        )
    elif award.exercise_price is not None:
        floor_price = ctx.fmv_on_grant * (ISO_TEN_PERCENT_FACTOR if ten else 1)
        if award.exercise_price < floor_price:
            fmv = f"the Fair Market Value on the grant date, ${_dollars(ctx.fmv_on_grant)}" + (
                "" if ctx.fmv_day is None else f" (the closing price of {ctx.fmv_day})"
            )
            floor = f"{fmv}" if not ten else f"${_dollars(floor_price)}, 110% of {fmv}"
            whose = "a ten percent holder's ISO" if ten else "an ISO"
            reasons.append(
                Rejection(
                    f"the ISO exercise price ${_dollars(award.exercise_price)} is below"
                    f" {floor}: {whose} must be priced at least at that; correct the"
                    " exercise_price, or grant a non-qualified option (nso)",
                    "1998 §6.b.(2)",
                )
            )
    return reasons


def _dollars(amount: Decimal) -> str:
    """An exact amount as people write money: at least two decimals, no trailing zeros
    beyond them (33.000 -> 33.00; 16.56875 stays whole: prices are never rounded)."""
    text = format(amount.normalize(), "f")
    whole, _, cents = text.partition(".")
    return f"{whole}.{cents.ljust(2, '0')}"


def _iso_term_reasons(award: Award, ten_percent_holder: bool) -> list[Rejection]:
    """An ISO's final exercise date is at most 10 years after the grant, at most 5 for a
    ten_percent_holder (Code §422(b)(3), §422(c)(5), which 1998 §6.b.(2) invokes)."""
    rules = plan_rules(award.plan)
    years = rules.iso_max_term_years_ten_percent if ten_percent_holder else rules.iso_max_term_years
    final = award.final_exercise_date
    if years is None or final is None or final <= award.grant_date:
        return []
    latest = add_years(award.grant_date, years)
    if final <= latest:
        return []
    holder = f" for {award.participant_id}, a ten_percent_holder" if ten_percent_holder else ""
    code = "Code §422(c)(5)" if ten_percent_holder else "Code §422(b)(3)"
    return [
        Rejection(
            f"ISO final exercise date {final.isoformat()} is more than {years} years after the "
            f"grant date {award.grant_date.isoformat()}{holder}: at the latest "
            f"{latest.isoformat()}",
            f"1998 §6.b.(2); {code}",
        )
    ]


def _limit_reasons(award: Award, ctx: GrantContext) -> list[Rejection]:
    bucket = limit_bucket(award.award_type)
    limit = yearly_limit(award.plan, bucket, award.grant_date, ctx.splits)
    if limit is None:
        return []
    total = ctx.granted_this_year + award.shares_granted
    if total <= limit:
        return []
    return [
        Rejection(
            f"{award.participant_id} would hold {total} shares under {bucket} granted in "
            f"{award.grant_date.year}, above the limit of {limit}",
            "1998 §4.c",
        )
    ]


def _a(noun: str) -> str:
    """The noun with its indefinite article: "an employee", "a director"."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
