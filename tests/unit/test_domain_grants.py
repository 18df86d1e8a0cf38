"""Validation of fed grants (1998 §2, §4.a-c, §5, §6.a.(5), §6.b; Directors §3-§6).

Every rejection names the plan section that causes it (docs/plan-rules.md, docs/interfaces.md §1).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.grants import (
    GrantContext,
    LimitBucket,
    fed_award_types,
    granted_in_year,
    limit_bucket,
    validate_grant,
    yearly_limit,
)
from stockplan.domain.model import Award, AwardType, Participant, PlanCode, Role, Tranche
from stockplan.domain.pools import Split

D = Decimal
I98 = PlanCode.INCENTIVE_1998
DIR = PlanCode.DIRECTORS_1999
T = AwardType

EMPLOYEE = Participant("P-1", "Ann", "ann@example.com", Role.EMPLOYEE)
TEN_PCT = replace(EMPLOYEE, ten_percent_holder=True)
DIRECTOR = replace(EMPLOYEE, role=Role.DIRECTOR)
CONSULTANT = replace(EMPLOYEE, role=Role.CONSULTANT)

GRANT_DAY = date(2000, 3, 1)


def grant(plan: PlanCode = I98, award_type: AwardType = T.NSO, **changes: object) -> Award:
    base = Award(
        award_id="G-1",
        participant_id="P-1",
        plan=plan,
        award_type=award_type,
        grant_date=GRANT_DAY,
        shares_granted=12_000,
        exercise_price=D("20.00"),
        final_exercise_date=date(2010, 3, 1),
        tranches=(Tranche(date(2001, 3, 1), 6000), Tranche(date(2002, 3, 1), 6000)),
    )
    return base.evolve(**changes)


def ctx(person: Participant | None = EMPLOYEE, **changes: object) -> GrantContext:
    base = GrantContext(
        participant=person, fmv_on_grant=D("20.00"), pool_available=1_000_000, granted_this_year=0
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def sections(award: Award, context: GrantContext) -> list[str | None]:
    return [r.section for r in validate_grant(award, context)]


@pytest.mark.parametrize(
    ("award", "context"),
    [
        pytest.param(grant(), ctx(), id="1998-nso-employee"),
        pytest.param(grant(award_type=T.ISO), ctx(), id="1998-iso-at-100pct-fmv"),
        pytest.param(grant(award_type=T.NSO), ctx(DIRECTOR), id="1998-nso-to-director"),
        pytest.param(grant(award_type=T.SAR), ctx(CONSULTANT), id="1998-sar-to-consultant"),
        pytest.param(
            grant(award_type=T.RESTRICTED_STOCK, exercise_price=None, final_exercise_date=None),
            ctx(),
            id="1998-restricted-no-price-needed",
        ),
        pytest.param(
            grant(award_type=T.UNRESTRICTED_STOCK, tranches=()), ctx(), id="1998-unrestricted"
        ),
        pytest.param(grant(DIR, T.DISCRETIONARY_OPTION), ctx(DIRECTOR), id="directors-6b"),
        pytest.param(grant(exercise_price=D("0.01")), ctx(), id="price-at-par"),
    ],
)
def test_1998_directors_valid_grants_accepted(award: Award, context: GrantContext) -> None:
    """Grants that fit their plan pass with no rejection."""
    assert validate_grant(award, context) == []


@pytest.mark.parametrize(
    ("award", "context", "section", "words"),
    [
        # --- ISO only employees (1998 §5) --------------------------------------------
        pytest.param(
            grant(award_type=T.ISO), ctx(DIRECTOR), "1998 §5", "ISOs go only", id="iso-dir"
        ),
        pytest.param(
            grant(award_type=T.ISO), ctx(CONSULTANT), "1998 §5", "ISOs go only", id="iso-consultant"
        ),
        # --- ISO cut-off (1998 §6.b.(5)) ----------------------------------------------
        pytest.param(
            grant(award_type=T.ISO, grant_date=date(2008, 11, 17), tranches=()),
            ctx(),
            "1998 §6.b.(5)",
            "after 2008-11-16",
            id="iso-2008-11-17",
        ),
        # --- ISO price (1998 §6.b.(2)) ------------------------------------------------
        pytest.param(
            grant(award_type=T.ISO, exercise_price=D("19.99")),
            ctx(),
            "1998 §6.b.(2)",
            "$19.99 is below the Fair Market Value on the grant date, $20.00",
            id="iso-a-cent-below-fmv",
        ),
        # 110% of 20.00 = 22.00: 21.99 is a cent below.
        pytest.param(
            grant(award_type=T.ISO, exercise_price=D("21.99")),
            ctx(TEN_PCT),
            "1998 §6.b.(2)",
            "$21.99 is below $22.00, 110% of the Fair Market Value on the grant date, $20.00",
            id="iso-10pct-holder-a-cent-below-110",
        ),
        pytest.param(
            grant(award_type=T.ISO),
            ctx(fmv_on_grant=None),
            "1998 §6.b.(2)",
            "or the 5 trading days before it; none is recorded",
            id="iso-no-price-yet",
        ),
        # --- per-person calendar-year limits (1998 §4.c) ------------------------------
        # 990,000 already + 10,001 = 1,000,001 > 1,000,000.
        pytest.param(
            grant(shares_granted=10_001, tranches=()),
            ctx(granted_this_year=990_000),
            "1998 §4.c",
            "above the limit of 1000000",
            id="options-limit-passed-by-one",
        ),
        pytest.param(
            grant(award_type=T.SAR, shares_granted=1_000_001, tranches=()),
            ctx(),
            "1998 §4.c",
            "SARs",
            id="sar-limit",
        ),
        pytest.param(
            grant(award_type=T.PERFORMANCE, shares_granted=1_000_001, tranches=()),
            ctx(),
            "1998 §4.c",
            "other awards",
            id="other-awards-limit",
        ),
        # 1.5 split on 2000-01-15: limit 1,500,000; 1,400,000 + 100,001 passes it.
        pytest.param(
            grant(shares_granted=100_001, tranches=()),
            ctx(granted_this_year=1_400_000, splits=(Split(date(2000, 1, 15), D("1.5")),)),
            "1998 §4.c",
            "above the limit of 1500000",
            id="split-adjusted-limit-passed",
        ),
        # --- discretionary term (Directors §6(d)) -------------------------------------
        pytest.param(
            grant(DIR, T.DISCRETIONARY_OPTION, final_exercise_date=date(2010, 3, 2)),
            ctx(DIRECTOR),
            "Directors §6(d)",
            "more than 10 years",
            id="directors-term-10y-plus-1-day",
        ),
        pytest.param(
            grant(DIR, T.DISCRETIONARY_OPTION, grant_date=date(2009, 7, 28), tranches=()),
            ctx(DIRECTOR),
            "Directors §3",
            "after 2009-07-27",
            id="directors-option-after-2009-07-27",
        ),
        # --- plan / award type / role fit ---------------------------------------------
        pytest.param(
            grant(DIR, T.NSO),
            ctx(DIRECTOR),
            "Directors §6(b)",
            "nso is not an award of plan directors-1999, which takes discretionary_option",
            id="nso-dir",
        ),
        pytest.param(
            grant(I98, T.DISCRETIONARY_OPTION),
            ctx(),
            '1998 Exhibit A "Award"',
            "which takes deferred_stock, iso, nso, performance, restricted_stock, sar,",
            id="discretionary-under-1998",
        ),
        pytest.param(
            grant(DIR, T.DISCRETIONARY_OPTION),
            ctx(EMPLOYEE),
            "Directors §5",
            "is an employee",
            id="directors-to-employee-director",
        ),
        pytest.param(
            grant(DIR, T.DISCRETIONARY_OPTION),
            ctx(CONSULTANT),
            "Directors §5",
            "non-employee directors; P-1 is a consultant",
            id="directors-to-consultant",
        ),
        pytest.param(
            grant(DIR, T.FORMULA_OPTION),
            ctx(DIRECTOR),
            "Directors §6(a)",
            "never fed",
            id="formula-option-fed",
        ),
        pytest.param(grant(), ctx(None), "1998 §5", "unknown participant", id="unknown-person"),
        pytest.param(
            grant(),
            ctx(replace(EMPLOYEE, participant_id="P-2")),
            "1998 §5",
            "does not match",
            id="other-person",
        ),
        # --- vesting tranches that add up (1998 §6.a.(5); Directors §6(e)) -------------
        pytest.param(
            grant(tranches=(Tranche(date(2001, 3, 1), 6000), Tranche(date(2002, 3, 1), 5000))),
            ctx(),
            "1998 §6.a.(5)",
            "add up to 11000",
            id="tranches-short",
        ),
        pytest.param(
            grant(
                DIR,
                T.DISCRETIONARY_OPTION,
                tranches=(Tranche(date(2001, 3, 1), 13_000), Tranche(date(2002, 3, 1), -1000)),
            ),
            ctx(DIRECTOR),
            "Directors §6(e)",
            "positive number",
            id="tranche-negative",
        ),
        pytest.param(
            grant(tranches=(Tranche(date(2000, 2, 1), 6000), Tranche(date(2002, 3, 1), 6000))),
            ctx(),
            "1998 §6.a.(5)",
            "before the grant date",
            id="tranche-before-grant",
        ),
        pytest.param(
            grant(tranches=(Tranche(date(2001, 3, 1), 6000), Tranche(date(2010, 3, 2), 6000))),
            ctx(),
            "1998 §6.a.(5)",
            "after the final exercise date",
            id="tranche-after-final-date",
        ),
        # --- pool availability (1998 §4.a; Directors §4(a)) ---------------------------
        pytest.param(grant(), ctx(pool_available=11_999), "1998 §4.a", "11999", id="pool-1998"),
        pytest.param(
            grant(DIR, T.DISCRETIONARY_OPTION),
            ctx(DIRECTOR, pool_available=-5),
            "Directors §4(a)",
            "has 0 shares available",
            id="pool-directors-negative-shown-as-0",
        ),
        # --- shares, price, dates --------------------------------------------------------
        pytest.param(grant(shares_granted=0, tranches=()), ctx(), "1998 §4.b", "positive", id="0"),
        pytest.param(
            grant(DIR, T.DISCRETIONARY_OPTION, shares_granted=-1, tranches=()),
            ctx(DIRECTOR),
            "Directors §4(b)",
            "positive",
            id="negative-directors",
        ),
        pytest.param(
            grant(exercise_price=None), ctx(), "1998 §6.b.(3)", "need an exercise_price", id="np"
        ),
        pytest.param(
            grant(exercise_price=D("0.009")), ctx(), "1998 §6.b.(3)", "par value", id="below-par"
        ),
        pytest.param(
            grant(DIR, T.DISCRETIONARY_OPTION, exercise_price=D("0.001")),
            ctx(DIRECTOR),
            "Directors §6(c)",
            "par value",
            id="below-par-directors",
        ),
        pytest.param(
            grant(award_type=T.SAR, final_exercise_date=None, tranches=()),
            ctx(),
            "1998 §6.b.(3)",
            "final_exercise_date",
            id="no-final-date",
        ),
        pytest.param(
            grant(final_exercise_date=GRANT_DAY, tranches=()),
            ctx(),
            "1998 §6.b",
            "after the grant date",
            id="final-not-after-grant",
        ),
        pytest.param(
            grant(grant_date=date(1997, 12, 31), tranches=()),
            ctx(),
            "1998 §2",
            "before the plan took effect",
            id="1998-before-effective",
        ),
        pytest.param(
            grant(DIR, T.DISCRETIONARY_OPTION, grant_date=date(1999, 7, 26), tranches=()),
            ctx(DIRECTOR),
            "Directors §3",
            "before the plan took effect",
            id="directors-before-effective",
        ),
    ],
)
def test_1998_directors_grant_rejections_name_the_section(
    award: Award, context: GrantContext, section: str, words: str
) -> None:
    """Each faulty grant is refused with a reason naming the plan section."""
    reasons = validate_grant(award, context)
    assert reasons, "expected a rejection"
    matching = [r for r in reasons if r.section == section]
    assert matching, f"no rejection citing {section}: {[str(r) for r in reasons]}"
    assert any(words in r.reason for r in matching)
    assert all(r.section for r in reasons), "every rejection must name its section"
    assert section in str(matching[0])


@pytest.mark.parametrize(
    ("grant_date", "ok"),
    [
        pytest.param(date(2008, 11, 16), True, id="2008-11-16-last-day"),
        pytest.param(date(2008, 11, 17), False, id="2008-11-17-rejected"),
    ],
)
def test_1998_6b5_iso_cutoff_boundary(grant_date: date, ok: bool) -> None:
    """'No ISO may be granted under the Plan after November 16, 2008' (1998 §6.b.(5))."""
    award = grant(award_type=T.ISO, grant_date=grant_date, tranches=())
    assert (sections(award, ctx()) == []) is ok


def test_1998_6b3_iso_without_price_rejected_once() -> None:
    """An ISO with no exercise price is refused for the missing price (1998 §6.b.(3)); there is
    no price to compare with the FMV."""
    reasons = validate_grant(grant(award_type=T.ISO, exercise_price=None), ctx())
    assert [r.section for r in reasons] == ["1998 §6.b.(3)"]


def test_1998_6b5_nso_after_iso_cutoff_still_allowed() -> None:
    """The cut-off is for ISOs only: a 2008-11-17 NSO passes."""
    assert validate_grant(grant(grant_date=date(2008, 11, 17), tranches=()), ctx()) == []


@pytest.mark.parametrize(
    ("person", "price", "ok"),
    [
        pytest.param(EMPLOYEE, D("20.00"), True, id="100pct-exactly"),
        pytest.param(EMPLOYEE, D("19.99"), False, id="100pct-a-cent-below"),
        # FMV 20.00 x 1.1 = 22.000.
        pytest.param(TEN_PCT, D("22.00"), True, id="110pct-exactly"),
        pytest.param(TEN_PCT, D("21.99"), False, id="110pct-a-cent-below"),
        pytest.param(TEN_PCT, D("20.00"), False, id="110pct-at-100pct"),
    ],
)
def test_1998_6b2_iso_price_100_and_110_pct_of_fmv(
    person: Participant, price: Decimal, ok: bool
) -> None:
    """ISO price >= FMV on the grant date; >= 110% for a 10% holder (1998 §6.b.(2)).
    The term is 5 years, the longest a 10% holder's ISO may run (Code §422(c)(5))."""
    award = grant(award_type=T.ISO, exercise_price=price, final_exercise_date=date(2005, 3, 1))
    reasons = validate_grant(award, ctx(person))
    assert (reasons == []) is ok
    if not ok:
        assert [r.section for r in reasons] == ["1998 §6.b.(2)"]


@pytest.mark.parametrize(
    ("already", "shares", "splits", "ok"),
    [
        pytest.param(990_000, 10_000, (), True, id="exactly-1000000"),
        pytest.param(990_000, 10_001, (), False, id="1000001"),
        # Split 1.5 on 2000-01-15 (before the grant): limit 1,500,000.
        pytest.param(1_490_000, 10_000, (Split(date(2000, 1, 15), D("1.5")),), True, id="split"),
        # A split after the grant date does not raise the limit for it.
        pytest.param(990_000, 10_001, (Split(date(2000, 6, 1), D(2)),), False, id="split-later"),
        # A split before the plan took effect (1998-01-01) does not adjust its limits.
        pytest.param(990_000, 10_001, (Split(date(1997, 6, 1), D(2)),), False, id="pre-plan"),
    ],
)
def test_1998_4c_yearly_option_limit_split_adjusted(
    already: int, shares: int, splits: tuple[Split, ...], ok: bool
) -> None:
    """At most 1,000,000 option shares per person per calendar year, as adjusted by splits
    (1998 §4.c, §7.b.(1))."""
    award = grant(shares_granted=shares, tranches=())
    reasons = validate_grant(award, ctx(granted_this_year=already, splits=splits))
    assert (reasons == []) is ok


def test_directors_no_yearly_limit() -> None:
    """The Directors plan has no per-person yearly limit."""
    award = grant(DIR, T.DISCRETIONARY_OPTION, shares_granted=150_000, tranches=())
    assert validate_grant(award, ctx(DIRECTOR, granted_this_year=5_000_000)) == []
    assert yearly_limit(DIR, LimitBucket.OPTIONS, GRANT_DAY) is None


@pytest.mark.parametrize(
    ("final", "ok"),
    [
        pytest.param(date(2010, 3, 1), True, id="exactly-10-years"),
        pytest.param(date(2010, 3, 2), False, id="10-years-and-a-day"),
    ],
)
def test_directors_6d_discretionary_term_at_most_10_years(final: date, ok: bool) -> None:
    """'in no event later than ten years from the date the Option was granted' (§6(d))."""
    award = grant(DIR, T.DISCRETIONARY_OPTION, final_exercise_date=final, tranches=())
    assert (validate_grant(award, ctx(DIRECTOR)) == []) is ok


@pytest.mark.parametrize(
    ("person", "final", "ok"),
    [
        # Granted 2000-03-01: ten years later is 2010-03-01, five years 2005-03-01.
        pytest.param(EMPLOYEE, date(2010, 3, 1), True, id="exactly-10-years"),
        pytest.param(EMPLOYEE, date(2010, 3, 2), False, id="10-years-and-a-day"),
        pytest.param(TEN_PCT, date(2005, 3, 1), True, id="10pct-holder-exactly-5-years"),
        pytest.param(TEN_PCT, date(2005, 3, 2), False, id="10pct-holder-5-years-and-a-day"),
        pytest.param(TEN_PCT, date(2010, 3, 1), False, id="10pct-holder-10-years"),
    ],
)
def test_1998_6b2_iso_final_exercise_date_at_most_10_years_5_for_a_ten_percent_holder(
    person: Participant, final: date, ok: bool
) -> None:
    """An ISO runs at most 10 years from its grant, at most 5 for a ten_percent_holder
    (Code §422(b)(3), §422(c)(5), which 1998 §6.b.(2) invokes); the price (22.00, 110% of
    the FMV 20.00) is good for both, so the term is the only reason."""
    award = grant(
        award_type=T.ISO, exercise_price=D("22.00"), final_exercise_date=final, tranches=()
    )
    reasons = validate_grant(award, ctx(person))
    if ok:
        assert reasons == []
        return
    (reason,) = reasons
    code = "Code §422(c)(5)" if person.ten_percent_holder else "Code §422(b)(3)"
    assert reason.section == f"1998 §6.b.(2); {code}"
    years = 5 if person.ten_percent_holder else 10
    assert f"more than {years} years after the grant date 2000-03-01" in reason.reason
    assert f"ISO final exercise date {final.isoformat()}" in str(reason)


def test_1998_6b2_iso_term_of_a_leap_day_grant_ends_on_february_28() -> None:
    """Ten years after 2000-02-29 is 2010-02-28 (docs/plan-rules.md "Calendar and dates"); a day
    later is too late (Code §422(b)(3))."""
    leap = date(2000, 2, 29)
    ok = grant(award_type=T.ISO, grant_date=leap, final_exercise_date=date(2010, 2, 28))
    late = grant(award_type=T.ISO, grant_date=leap, final_exercise_date=date(2010, 3, 1))
    assert validate_grant(ok.evolve(tranches=()), ctx()) == []
    assert [r.section for r in validate_grant(late.evolve(tranches=()), ctx())] == [
        "1998 §6.b.(2); Code §422(b)(3)"
    ]


@pytest.mark.parametrize("award_type", [T.NSO, T.SAR])
def test_1998_nso_and_sar_terms_are_not_capped_by_the_iso_rule(award_type: AwardType) -> None:
    """Code §422 binds ISOs only: a 12-year NSO or SAR, even of a 10% holder, passes."""
    award = grant(award_type=award_type, final_exercise_date=date(2012, 3, 1), tranches=())
    assert validate_grant(award, ctx(TEN_PCT)) == []


def test_1998_4a_pool_exactly_enough_passes() -> None:
    """A grant of exactly the available shares leaves the pool at zero: accepted."""
    assert validate_grant(grant(), ctx(pool_available=12_000)) == []


@pytest.mark.parametrize(
    ("award_type", "bucket"),
    [
        pytest.param(T.NSO, LimitBucket.OPTIONS, id="nso"),
        pytest.param(T.ISO, LimitBucket.OPTIONS, id="iso"),
        pytest.param(T.DISCRETIONARY_OPTION, LimitBucket.OPTIONS, id="discretionary"),
        pytest.param(T.SAR, LimitBucket.SARS, id="sar"),
        pytest.param(T.RESTRICTED_STOCK, LimitBucket.OTHER, id="restricted"),
        pytest.param(T.DEFERRED_STOCK, LimitBucket.OTHER, id="deferred"),
        pytest.param(T.PERFORMANCE, LimitBucket.OTHER, id="performance"),
    ],
)
def test_1998_4c_limit_buckets(award_type: AwardType, bucket: str) -> None:
    """Options (nso and iso together), SARs and other awards each have their own limit."""
    assert limit_bucket(award_type) == bucket


def test_1998_4c_granted_in_year_counts_same_person_plan_year_bucket() -> None:
    """Only the same person's grants under the same plan, year and bucket count."""
    awards = [
        grant(shares_granted=100),
        grant(award_type=T.ISO, shares_granted=200),
        grant(award_type=T.SAR, shares_granted=400),  # other bucket
        grant(shares_granted=800, grant_date=date(2001, 1, 2)),  # other year
        grant(shares_granted=1600, participant_id="P-2"),  # other person
        grant(DIR, T.DISCRETIONARY_OPTION, shares_granted=3200),  # other plan
    ]
    assert granted_in_year(awards, "P-1", I98, 2000, LimitBucket.OPTIONS) == 300
    assert granted_in_year(awards, "P-1", I98, 2000, LimitBucket.SARS) == 400


@pytest.mark.parametrize(
    ("bucket", "splits", "limit"),
    [
        pytest.param(LimitBucket.OPTIONS, (), 1_000_000, id="options"),
        pytest.param(LimitBucket.SARS, (Split(date(1999, 1, 4), D(2)),), 2_000_000, id="sars-x2"),
        pytest.param(
            LimitBucket.OTHER,
            (Split(date(1999, 1, 4), D(2)), Split(date(1999, 6, 1), D("1.5"))),
            3_000_000,
            id="other-x2-x1.5",
        ),
    ],
)
def test_1998_4c_7b1_yearly_limit_values(
    bucket: str, splits: tuple[Split, ...], limit: int
) -> None:
    """1,000,000 each, multiplied by the splits up to the day (1998 §7.b.(1))."""
    assert yearly_limit(I98, bucket, GRANT_DAY, splits) == limit


# --- the rules the grants feed once checked on its own (issue 17: one home) -------------


def test_directors_6a_a_fed_formula_option_is_refused_with_that_reason_alone() -> None:
    award = grant(DIR, T.FORMULA_OPTION)
    assert [str(r) for r in validate_grant(award, ctx(None, pool_available=0))] == [
        "formula options are made by the system at annual meetings, never fed (Directors §6(a))"
    ]


def test_fed_award_types_are_the_plans_types_without_formula_options() -> None:
    assert fed_award_types(DIR) == frozenset({T.DISCRETIONARY_OPTION})
    assert fed_award_types(I98) == frozenset(T) - {T.DISCRETIONARY_OPTION, T.FORMULA_OPTION}


def test_1998_6b_a_final_exercise_date_before_the_grant_is_refused_for_any_award_type() -> None:
    award = grant(
        award_type=T.RESTRICTED_STOCK,
        exercise_price=None,
        final_exercise_date=date(2000, 2, 1),
        tranches=(),
    )
    assert [str(r) for r in validate_grant(award, ctx())] == [
        "final_exercise_date 2000-02-01 is not after the grant date 2000-03-01 (1998 §6.b)"
    ]


def test_1998_6a5_every_faulty_term_of_a_grant_is_reported_together() -> None:
    award = grant(
        exercise_price=None,
        final_exercise_date=None,
        tranches=(Tranche(date(2000, 2, 1), 6000), Tranche(date(2001, 3, 1), 5000)),
    )
    assert sections(award, ctx()) == [
        "1998 §6.a.(5)",
        "1998 §6.a.(5)",
        "1998 §6.b.(3)",
        "1998 §6.b.(3)",
    ]


def test_iso_price_rejection_reads_plainly_for_a_ten_percent_holder() -> None:
    """1998 §6.b.(2) (Code §422(c)(5)): FMV 30.00, price 30.00 for a ten percent holder.
    The reason once read "below 110% of the Fair Market Value 30.00 on the grant date
    (33.000)"; it now gives each figure as money, says which is which and what to do."""
    award = grant(award_type=T.ISO, exercise_price=D("30.00"), final_exercise_date=date(2005, 3, 1))
    (reason,) = validate_grant(award, ctx(TEN_PCT, fmv_on_grant=D("30.00")))
    assert str(reason) == (
        "the ISO exercise price $30.00 is below $33.00, 110% of the Fair Market Value on the"
        " grant date, $30.00: a ten percent holder's ISO must be priced at least at that;"
        " correct the exercise_price, or grant a non-qualified option (nso) (1998 §6.b.(2))"
    )
