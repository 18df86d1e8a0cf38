"""Termination of service: vested/forfeited split and exercise deadlines.

1998 §6.a.(5)(A)-(C); Directors §6(e), §6(h), §6(i); docs/plan-rules.md "Vesting and termination".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.model import (
    Award,
    AwardStatus,
    AwardType,
    PlanCode,
    Termination,
    TerminationReason,
    Tranche,
)
from stockplan.domain.plans import DIRECTORS_1999, INCENTIVE_1998, PlanRules
from stockplan.domain.schedule import expire_award
from stockplan.domain.termination import (
    TerminationKind,
    apply_death_after_termination,
    classify_termination,
    open_on,
    terminate_award,
    window_end,
    window_section,
)

R = TerminationReason
I98 = PlanCode.INCENTIVE_1998
DIR = PlanCode.DIRECTORS_1999

# 12,000 shares granted 2000-01-03, a third vesting on each of the next three anniversaries.
TRANCHES = (
    Tranche(date(2001, 1, 3), 4000),
    Tranche(date(2002, 1, 3), 4000),
    Tranche(date(2003, 1, 3), 4000),
)


def option(
    plan: PlanCode = I98,
    final: date = date(2010, 1, 3),
    award_type: AwardType | None = None,
    **changes: object,
) -> Award:
    kind = award_type or (AwardType.NSO if plan is I98 else AwardType.DISCRETIONARY_OPTION)
    award = Award(
        award_id="G-1",
        participant_id="P-1",
        plan=plan,
        award_type=kind,
        grant_date=date(2000, 1, 3),
        shares_granted=12_000,
        exercise_price=Decimal("31.125"),
        final_exercise_date=final,
        tranches=TRANCHES,
        exercise_deadline=final,
    )
    return award.evolve(**changes)


def term(day: date, reason: TerminationReason) -> Termination:
    return Termination("P-1", day, reason)


# --- vested / forfeited split -------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "end", "vested", "forfeited"),
    [
        # The 2002-01-03 tranche vests on the termination date itself: 4000 + 4000 vested.
        pytest.param(I98, date(2002, 1, 3), 8000, 4000, id="1998-tranche-on-termination-date"),
        pytest.param(I98, date(2002, 1, 2), 4000, 8000, id="1998-day-before-tranche"),
        pytest.param(I98, date(2000, 6, 1), 0, 12_000, id="1998-nothing-vested"),
        pytest.param(I98, date(2003, 1, 3), 12_000, 0, id="1998-fully-vested"),
        pytest.param(DIR, date(2002, 1, 3), 8000, 4000, id="directors-6i-tranche-on-date"),
        pytest.param(DIR, date(2001, 1, 2), 0, 12_000, id="directors-6i-nothing-vested"),
    ],
)
def test_1998_6a5_directors_6h_6i_vested_forfeited_split(
    plan: PlanCode, end: date, vested: int, forfeited: int
) -> None:
    """A tranche dated on or before the termination date is vested; the rest is forfeited
    on that date (1998 §6.a.(5); Directors §6(h), §6(i): 'not then exercisable shall terminate')."""
    result = terminate_award(option(plan), term(end, R.OTHER))
    assert result.vested_shares == vested
    assert result.forfeited_shares == forfeited
    assert result.award.shares_forfeited == forfeited
    assert result.award.shares_outstanding == vested
    assert result.award.service_ended_on == end
    # Vesting stops at the end of service: nothing more vests later.
    assert result.award.vested_shares(date(2009, 1, 1)) == vested


def test_1998_6a5_partly_exercised_keeps_only_unexercised_vested() -> None:
    """3,000 of the 8,000 vested shares were bought before; 5,000 remain exercisable."""
    award = option(shares_exercised=3000)
    result = terminate_award(award, term(date(2002, 1, 3), R.VOLUNTARY))
    assert (result.vested_shares, result.forfeited_shares) == (5000, 4000)
    assert result.award.exercisable_shares(date(2002, 2, 1)) == 5000


# --- deadlines for every reason and both plans ---------------------------------------------


@pytest.mark.parametrize(
    ("plan", "reason", "deadline", "section"),
    [
        # 1998: death 1 year, cause the day before, any other reason 3 months.
        pytest.param(I98, R.DEATH, date(2003, 1, 3), "1998 §6.a.(5)(A)", id="1998-6a5A-death"),
        pytest.param(I98, R.CAUSE, date(2002, 1, 2), "1998 §6.a.(5)(C)", id="1998-6a5C-cause"),
        pytest.param(
            I98, R.VOLUNTARY, date(2002, 4, 3), "1998 §6.a.(5)(B)", id="1998-6a5B-voluntary"
        ),
        pytest.param(
            I98, R.INVOLUNTARY, date(2002, 4, 3), "1998 §6.a.(5)(B)", id="1998-6a5B-involuntary"
        ),
        pytest.param(
            I98, R.RETIREMENT, date(2002, 4, 3), "1998 §6.a.(5)(B)", id="1998-6a5B-retirement"
        ),
        pytest.param(
            I98, R.DISABILITY, date(2002, 4, 3), "1998 §6.a.(5)(B)", id="1998-6a5B-disability"
        ),
        pytest.param(I98, R.OTHER, date(2002, 4, 3), "1998 §6.a.(5)(B)", id="1998-6a5B-other"),
        # Directors: death 1 year; every other reason, cause included, 3 months.
        pytest.param(DIR, R.DEATH, date(2003, 1, 3), "Directors §6(h)", id="directors-6h-death"),
        pytest.param(
            DIR, R.CAUSE, date(2002, 4, 3), "Directors §6(i)", id="directors-6i-cause-3-months"
        ),
        pytest.param(
            DIR, R.VOLUNTARY, date(2002, 4, 3), "Directors §6(i)", id="directors-6i-voluntary"
        ),
        pytest.param(
            DIR, R.RETIREMENT, date(2002, 4, 3), "Directors §6(i)", id="directors-6i-retirement"
        ),
        pytest.param(DIR, R.OTHER, date(2002, 4, 3), "Directors §6(i)", id="directors-6i-other"),
    ],
)
def test_1998_6a5_directors_6h_6i_deadline_per_reason(
    plan: PlanCode, reason: TerminationReason, deadline: date, section: str
) -> None:
    """Termination on 2002-01-03 of an option with final exercise date 2010-01-03."""
    result = terminate_award(option(plan), term(date(2002, 1, 3), reason))
    assert result.deadline == deadline
    assert result.award.exercise_deadline == deadline
    assert result.section == section


def test_1998_6a5B_other_termination_gets_three_months_clamped() -> None:
    """2002-11-30 + 3 months = 2003-02-28 (docs/plan-rules.md): February has no 30th."""
    result = terminate_award(option(), term(date(2002, 11, 30), R.OTHER))
    assert result.deadline == date(2003, 2, 28)


def test_1998_6a5A_death_on_leap_day_one_year_clamped() -> None:
    """Death 2004-02-29 + 1 year = 2005-02-28 (docs/plan-rules.md)."""
    result = terminate_award(option(), term(date(2004, 2, 29), R.DEATH))
    assert result.deadline == date(2005, 2, 28)


@pytest.mark.parametrize(
    ("plan", "reason", "final", "deadline"),
    [
        # Window end 2002-04-03 is after the final date 2002-03-01: the final date wins.
        pytest.param(I98, R.OTHER, date(2002, 3, 1), date(2002, 3, 1), id="1998-6a5B-capped"),
        # Death window end 2003-01-03 vs final 2002-06-30.
        pytest.param(I98, R.DEATH, date(2002, 6, 30), date(2002, 6, 30), id="1998-6a5A-capped"),
        pytest.param(DIR, R.DEATH, date(2002, 6, 30), date(2002, 6, 30), id="directors-6h-capped"),
        pytest.param(DIR, R.CAUSE, date(2002, 2, 1), date(2002, 2, 1), id="directors-6i-capped"),
        # Window ends before the final date: not capped.
        pytest.param(I98, R.OTHER, date(2002, 4, 4), date(2002, 4, 3), id="1998-6a5B-not-capped"),
    ],
)
def test_1998_6a5_directors_6h_6i_cap_at_final_exercise_date(
    plan: PlanCode, reason: TerminationReason, final: date, deadline: date
) -> None:
    """'the lesser of ... the period ending on the latest date on which such Stock Option
    could have been exercised' (1998 §6.a.(5)(A)/(B)); Directors §6(h)/(i) 'subject to §6(c)'."""
    result = terminate_award(option(plan, final=final), term(date(2002, 1, 3), reason))
    assert result.deadline == deadline


@pytest.mark.parametrize(
    ("plan", "reason"),
    [
        pytest.param(I98, R.OTHER, id="1998-6a5B"),
        pytest.param(I98, R.DEATH, id="1998-6a5A"),
        pytest.param(DIR, R.CAUSE, id="directors-6i"),
    ],
)
def test_1998_6a5_directors_6i_cap_uses_final_date_itself(
    plan: PlanCode, reason: TerminationReason
) -> None:
    """The cap comes from the final exercise date even where no deadline was recorded yet:
    final 2002-03-01 caps windows ending 2002-04-03 / 2003-01-03."""
    award = option(plan, final=date(2002, 3, 1), exercise_deadline=None)
    result = terminate_award(award, term(date(2002, 1, 3), reason))
    assert result.deadline == date(2002, 3, 1)


def test_1998_6a5_window_never_extends_an_earlier_deadline() -> None:
    """An award whose deadline is already 2002-02-01 (e.g. a non-assumed covered transaction)
    keeps it: the window end 2002-04-03 is later."""
    award = option(exercise_deadline=date(2002, 2, 1))
    result = terminate_award(award, term(date(2002, 1, 3), R.OTHER))
    assert result.deadline == date(2002, 2, 1)


def test_1998_6a5_no_final_date_uses_window_end() -> None:
    """Without a final exercise date nor deadline the window end alone counts."""
    award = option(final_exercise_date=None, exercise_deadline=None)
    assert terminate_award(award, term(date(2002, 1, 3), R.OTHER)).deadline == date(2002, 4, 3)


def test_1998_6a5C_cause_vested_expire_unvested_forfeited() -> None:
    """Cause: deadline is the day before termination, so the run of the termination date
    expires the 8,000 vested shares; the 4,000 unvested are forfeited (docs/plan-rules.md)."""
    result = terminate_award(option(), term(date(2002, 1, 3), R.CAUSE))
    assert result.award.exercisable_shares(date(2002, 1, 3)) == 0
    expired = expire_award(result.award, date(2002, 1, 3))
    assert (expired.shares_expired, expired.shares_forfeited) == (8000, 4000)
    assert expired.status() is AwardStatus.EXPIRED


@pytest.mark.parametrize(
    ("kind", "end", "forfeited", "outstanding"),
    [
        pytest.param(
            AwardType.RESTRICTED_STOCK, date(2002, 1, 3), 4000, 8000, id="1998-6a5-restricted"
        ),
        pytest.param(AwardType.PERFORMANCE, date(2001, 1, 2), 12_000, 0, id="1998-6a5-perf"),
        pytest.param(AwardType.DEFERRED_STOCK, date(2003, 1, 3), 0, 12_000, id="1998-6a5-def"),
    ],
)
def test_1998_6a5_non_option_awards_forfeited_to_extent_not_vested(
    kind: AwardType, end: date, forfeited: int, outstanding: int
) -> None:
    """Restricted, deferred and performance awards: forfeited to the extent not vested; no
    exercise deadline (docs/plan-rules.md)."""
    award = option(award_type=kind, exercise_price=None, exercise_deadline=None)
    result = terminate_award(award, term(end, R.OTHER))
    assert result.forfeited_shares == forfeited
    assert result.award.shares_outstanding == outstanding
    assert result.deadline is None
    assert result.award.exercise_deadline is None
    assert result.vested_shares == 0


def test_directors_6e_formula_option_fully_vested_nothing_forfeited() -> None:
    """A formula option is exercisable in full at grant (Directors §6(e)(i)): all kept."""
    award = option(DIR, award_type=AwardType.FORMULA_OPTION, tranches=(), shares_granted=10_000)
    result = terminate_award(award, term(date(2002, 1, 3), R.OTHER))
    assert (result.vested_shares, result.forfeited_shares) == (10_000, 0)


@pytest.mark.parametrize(
    "award",
    [
        pytest.param(option(shares_exercised=12_000), id="fully-exercised"),
        pytest.param(option(shares_expired=12_000), id="fully-expired"),
        # Service ended before the grant: nothing to do.
        pytest.param(option(grant_date=date(2002, 6, 1), tranches=()), id="grant-after-end"),
    ],
)
def test_1998_6a5_closed_or_later_awards_untouched(award: Award) -> None:
    """Only awards outstanding at the termination change (1998 §6.a.(5))."""
    result = terminate_award(award, term(date(2002, 1, 3), R.OTHER))
    assert result.award == award
    assert (result.vested_shares, result.forfeited_shares) == (0, 0)
    assert result.deadline == award.exercise_deadline


# --- window_end / window_section directly ------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "reason", "end", "section"),
    [
        pytest.param(INCENTIVE_1998, R.CAUSE, date(2002, 1, 2), "1998 §6.a.(5)(C)", id="1998-6a5C"),
        pytest.param(
            DIRECTORS_1999, R.CAUSE, date(2002, 4, 3), "Directors §6(i)", id="directors-6i"
        ),
        pytest.param(
            DIRECTORS_1999, R.DEATH, date(2003, 1, 3), "Directors §6(h)", id="directors-6h"
        ),
    ],
)
def test_1998_6a5C_directors_6i_window_end_and_section(
    rules: PlanRules, reason: TerminationReason, end: date, section: str
) -> None:
    """The Directors plan has no forfeiture for cause: its cause window is §6(i)'s 3 months."""
    assert window_end(rules, reason, date(2002, 1, 3)) == end
    assert window_section(rules, reason) == section


# --- death during an open window ---------------------------------------------------------


def _terminated(plan: PlanCode = I98, final: date = date(2010, 1, 3)) -> Award:
    """Terminated 'other' on 2002-01-03: 8,000 vested, deadline 2002-04-03."""
    return terminate_award(option(plan, final=final), term(date(2002, 1, 3), R.OTHER)).award


@pytest.mark.parametrize(
    ("final", "death", "deadline"),
    [
        # Death 2002-03-01 inside the window to 2002-04-03: death + 1 year = 2003-03-01.
        pytest.param(date(2010, 1, 3), date(2002, 3, 1), date(2003, 3, 1), id="extends-1-year"),
        # Death on the last day of the window still counts (inclusive deadline).
        pytest.param(date(2010, 1, 3), date(2002, 4, 3), date(2003, 4, 3), id="on-deadline"),
        # Capped at the final exercise date 2002-12-31.
        pytest.param(date(2002, 12, 31), date(2002, 3, 1), date(2002, 12, 31), id="capped"),
        # No final exercise date: nothing to cap at.
        pytest.param(None, date(2002, 3, 1), date(2003, 3, 1), id="no-final-date"),
    ],
)
def test_1998_6a5A_death_during_open_window_extends(
    final: date | None, death: date, deadline: date
) -> None:
    """A holder who dies while the window is open gets death + 1 year, capped
    (docs/plan-rules.md)."""
    terminated = (
        _terminated(final=final)
        if final is not None
        else terminate_award(
            option(final_exercise_date=None, exercise_deadline=None),
            term(date(2002, 1, 3), R.OTHER),
        ).award
    )
    result = apply_death_after_termination(terminated, death)
    assert result.deadline == deadline
    assert result.award.exercise_deadline == deadline
    assert result.section == "1998 §6.a.(5)(A)"
    assert result.vested_shares == 8000


@pytest.mark.parametrize(
    ("award", "death"),
    [
        # Window closed on 2002-04-03: a death on 2002-04-04 changes nothing.
        pytest.param(_terminated(), date(2002, 4, 4), id="window-already-closed"),
        # Nothing exercisable left at death: every vested share was bought.
        pytest.param(_terminated().evolve(shares_exercised=8000), date(2002, 3, 1), id="none-left"),
        pytest.param(_terminated().evolve(exercise_deadline=None), date(2002, 3, 1), id="no-dl"),
        pytest.param(
            option(award_type=AwardType.RESTRICTED_STOCK, exercise_deadline=None),
            date(2002, 3, 1),
            id="needs-no-exercise",
        ),
        # Cause: deadline 2002-01-02, before any death after the termination.
        pytest.param(
            terminate_award(option(), term(date(2002, 1, 3), R.CAUSE)).award,
            date(2002, 1, 10),
            id="after-cause",
        ),
    ],
)
def test_1998_6a5A_death_without_open_window_changes_nothing(award: Award, death: date) -> None:
    """Only shares exercisable immediately prior to death get the death window (§6.a.(5)(A))."""
    result = apply_death_after_termination(award, death)
    assert result.award == award
    assert result.deadline == award.exercise_deadline


def test_directors_6i_death_after_termination_keeps_three_months() -> None:
    """A former director is no longer an Eligible Director (§6(h)); §6(i) ends the window
    after three months, and docs/plan-rules.md gives the death extension to incentive-1998 only."""
    award = _terminated(DIR)
    result = apply_death_after_termination(award, date(2002, 3, 1))
    assert result.award == award
    assert result.deadline == date(2002, 4, 3)
    assert result.section == "Directors §6(i)"


# --- duplicates and conflicting second terminations --------------------------------------

FIRST = Termination("P-1", date(2002, 1, 3), R.VOLUNTARY)
DEATH = Termination("P-1", date(2002, 3, 1), R.DEATH)


@pytest.mark.parametrize(
    ("recorded", "death", "incoming", "kind"),
    [
        pytest.param(None, None, FIRST, TerminationKind.NEW, id="first-termination"),
        pytest.param(FIRST, None, FIRST, TerminationKind.DUPLICATE, id="same-row-again"),
        pytest.param(FIRST, DEATH, DEATH, TerminationKind.DUPLICATE, id="same-death-again"),
        pytest.param(FIRST, None, DEATH, TerminationKind.DEATH_AFTER_TERMINATION, id="death-after"),
        pytest.param(
            FIRST,
            None,
            Termination("P-1", date(2002, 1, 3), R.DEATH),
            TerminationKind.DEATH_AFTER_TERMINATION,
            id="death-same-day",
        ),
        pytest.param(
            FIRST,
            None,
            Termination("P-1", date(2001, 12, 1), R.DEATH),
            TerminationKind.CONFLICT,
            id="death-before-termination",
        ),
        pytest.param(
            FIRST,
            None,
            Termination("P-1", date(2002, 2, 1), R.VOLUNTARY),
            TerminationKind.CONFLICT,
            id="other-date",
        ),
        pytest.param(
            FIRST,
            None,
            Termination("P-1", date(2002, 1, 3), R.CAUSE),
            TerminationKind.CONFLICT,
            id="other-reason",
        ),
        pytest.param(
            DEATH,
            None,
            Termination("P-1", date(2002, 5, 1), R.DEATH),
            TerminationKind.CONFLICT,
            id="second-death",
        ),
        pytest.param(
            FIRST,
            DEATH,
            Termination("P-1", date(2002, 5, 1), R.DEATH),
            TerminationKind.CONFLICT,
            id="death-already-recorded",
        ),
    ],
)
def test_1998_6a5A_directors_6h_classify_termination(
    recorded: Termination | None,
    death: Termination | None,
    incoming: Termination,
    kind: TerminationKind,
) -> None:
    """A duplicate changes nothing; a different second termination is applied only for a death
    after termination; otherwise rejected with the reason (docs/plan-rules.md)."""
    result = classify_termination(recorded, death, incoming)
    assert result.kind is kind
    if kind is TerminationKind.CONFLICT:
        assert result.rejection is not None
        assert result.rejection.section == "1998 §6.a.(5)(A); Directors §6(h)"
        assert "already has a termination on" in result.rejection.reason
        assert recorded is not None
        assert recorded.termination_date.isoformat() in result.rejection.reason
    else:
        assert result.rejection is None


ENDED = date(2002, 10, 1)


@pytest.mark.parametrize(
    ("award", "is_open"),
    [
        pytest.param(option(), True, id="vested-and-unvested-shares-outstanding"),
        # Nothing vested yet: still open, the termination forfeits it (1998 §6.a.(5)).
        pytest.param(option(grant_date=date(2002, 9, 1), tranches=()), True, id="granted-before"),
        pytest.param(
            option(award_type=AwardType.RESTRICTED_STOCK, exercise_price=None),
            True,
            id="restricted",
        ),
        pytest.param(option(exercise_deadline=ENDED), True, id="deadline-on-the-day"),
        pytest.param(option(exercise_deadline=date(2002, 9, 30)), False, id="deadline-passed"),
        pytest.param(option(shares_exercised=12_000), False, id="exercised-in-full"),
        pytest.param(option(shares_expired=12_000), False, id="expired"),
        pytest.param(option(grant_date=date(2002, 10, 2)), False, id="granted-after"),
    ],
)
def test_rules_notices_termination_names_awards_open_on_the_termination_date(
    award: Award, is_open: bool
) -> None:
    """The termination notice lists each award still open on the termination date:
    awards closed before are not named (docs/plan-rules.md "Notices")."""
    assert open_on(award, ENDED) is is_open
