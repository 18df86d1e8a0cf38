"""Exercises of options and SARs (docs/plan-rules.md "Exercises"; 1998 §4.a(iv), §6.a.(5), §6.b;
Directors §6(d), §6(e), §6(h), §6(i))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stockplan.domain.exercise import (
    ServiceEnd,
    apply_exercise,
    check_exercise,
    deadline_section,
    exercise_capacity,
)
from stockplan.domain.model import (
    Award,
    AwardType,
    PlanCode,
    Termination,
    TerminationReason,
    Tranche,
)
from stockplan.domain.schedule import expire_award
from stockplan.domain.termination import terminate_award

I98 = PlanCode.INCENTIVE_1998
DIR = PlanCode.DIRECTORS_1999


def option(plan: PlanCode = I98, **changes: object) -> Award:
    """12,000 shares granted 2000-01-03, 4,000 vesting each 2001-, 2002-, 2003-01-03."""
    return Award(
        award_id="G-1",
        participant_id="P-1",
        plan=plan,
        award_type=AwardType.NSO if plan is I98 else AwardType.DISCRETIONARY_OPTION,
        grant_date=date(2000, 1, 3),
        shares_granted=12_000,
        exercise_price=Decimal("31.125"),
        final_exercise_date=date(2010, 1, 3),
        tranches=(
            Tranche(date(2001, 1, 3), 4000),
            Tranche(date(2002, 1, 3), 4000),
            Tranche(date(2003, 1, 3), 4000),
        ),
        exercise_deadline=date(2010, 1, 3),
    ).evolve(**changes)


def terminated(plan: PlanCode = I98) -> Award:
    """Voluntary termination 2002-01-03: 8,000 vested kept, deadline 2002-04-03."""
    end = Termination("P-1", date(2002, 1, 3), TerminationReason.VOLUNTARY)
    return terminate_award(option(plan), end).award


@pytest.mark.parametrize(
    ("award", "on", "shares", "reopened"),
    [
        pytest.param(option(), date(2001, 1, 3), 4000, 0, id="first-tranche-on-vest-day"),
        pytest.param(option(), date(2002, 6, 1), 8000, 0, id="two-tranches"),
        pytest.param(option(shares_exercised=4000), date(2002, 6, 1), 4000, 0, id="rest-of-vested"),
        pytest.param(option(), date(2010, 1, 3), 12_000, 0, id="on-final-deadline"),
        pytest.param(terminated(), date(2002, 4, 3), 8000, 0, id="1998-6a5B-last-day"),
        pytest.param(terminated(DIR), date(2002, 4, 3), 8000, 0, id="directors-6i-last-day"),
    ],
)
def test_1998_6b_directors_6e_exercise_accepted(
    award: Award, on: date, shares: int, reopened: int
) -> None:
    """Accepted on or before the deadline for vested, unexercised shares (docs/plan-rules.md)."""
    check = check_exercise(award, on, shares, 0)
    assert check.accepted
    assert check.rejection is None
    assert check.reopened == reopened


@pytest.mark.parametrize(
    ("award", "on", "shares", "withheld", "section", "words"),
    [
        # Only 4,000 have vested on 2001-06-01.
        pytest.param(
            option(), date(2001, 6, 1), 4001, 0, "1998 §6.b", "only 4000 vested", id="unvested"
        ),
        pytest.param(
            option(), date(2000, 12, 31), 1, 0, "1998 §6.b", "only 0 vested", id="nothing-vested"
        ),
        pytest.param(
            option(DIR), date(2001, 6, 1), 4001, 0, "Directors §6(e)", "only 4000", id="dir-unv"
        ),
        pytest.param(
            option(shares_exercised=4000),
            date(2001, 6, 1),
            1,
            0,
            "1998 §6.b",
            "only 0 vested",
            id="already-exercised",
        ),
        # Deadline passed: final exercise date without termination, window after it.
        pytest.param(
            option(), date(2010, 1, 4), 1, 0, "1998 §6.b", "after the exercise deadline", id="late"
        ),
        pytest.param(
            option(DIR), date(2010, 1, 4), 1, 0, "Directors §6(d)", "2010-01-03", id="dir-late"
        ),
        pytest.param(
            terminated(),
            date(2002, 4, 4),
            1,
            0,
            "1998 §6.a.(5)",
            "after the exercise deadline 2002-04-03",
            id="1998-6a5B-day-after-window",
        ),
        pytest.param(
            terminated(DIR),
            date(2002, 4, 4),
            1,
            0,
            "Directors §6(h)-(i)",
            "after the exercise deadline",
            id="directors-6i-day-after-window",
        ),
        # 4,000 unvested shares were forfeited at termination.
        pytest.param(
            terminated(), date(2002, 3, 1), 8001, 0, "1998 §6.b", "only 8000", id="forfeited"
        ),
        pytest.param(
            option(), date(1999, 12, 31), 1, 0, "1998 §6.b", "before the grant date", id="early"
        ),
        pytest.param(option(), date(2001, 6, 1), 0, 0, "1998 §6.b", "positive", id="zero"),
        pytest.param(option(), date(2001, 6, 1), 10, -1, "1998 §4.a(iv)", "withheld", id="w-neg"),
        pytest.param(option(), date(2001, 6, 1), 10, 11, "1998 §4.a(iv)", "withheld", id="w-over"),
        pytest.param(
            option(award_type=AwardType.RESTRICTED_STOCK),
            date(2001, 6, 1),
            10,
            0,
            "1998 §6.b",
            "needs no exercise",
            id="restricted-needs-no-exercise",
        ),
        pytest.param(
            option(shares_exercised=12_000),
            date(2003, 6, 1),
            1,
            0,
            "1998 §6.b",
            "no longer outstanding (exercised)",
            id="fully-exercised",
        ),
        pytest.param(
            option(shares_forfeited=12_000),
            date(2003, 6, 1),
            1,
            0,
            "1998 §6.b",
            "no longer outstanding (forfeited)",
            id="fully-forfeited",
        ),
    ],
)
def test_1998_6b_directors_6e_exercise_rejected_with_section(
    award: Award, on: date, shares: int, withheld: int, section: str, words: str
) -> None:
    """Every refused exercise names the reason and the plan section."""
    check = check_exercise(award, on, shares, withheld)
    assert not check.accepted
    assert check.rejection is not None
    assert check.rejection.section == section
    assert words in check.rejection.reason


def test_1998_6a5B_late_arriving_exercise_reopens_expired_shares() -> None:
    """Window to 2002-04-03; the run of 2002-04-04 expires the 8,000 vested shares. An exercise
    of 5,000 dated 2002-04-03 arrives on 2002-04-10: accepted, 5,000 come back from expiry."""
    expired = expire_award(terminated(), date(2002, 4, 4))
    assert (expired.shares_expired, expired.shares_outstanding) == (8000, 0)
    assert exercise_capacity(expired, date(2002, 4, 3)) == 8000
    check = check_exercise(expired, date(2002, 4, 3), 5000, 500)
    assert check.accepted
    assert check.reopened == 5000
    after = apply_exercise(expired, 5000, 500, check.reopened)
    assert (after.shares_exercised, after.shares_withheld, after.shares_expired) == (
        5000,
        500,
        3000,
    )
    assert after.shares_outstanding == 0
    # A second late exercise can only take the 3,000 left.
    assert check_exercise(after, date(2002, 4, 3), 3001, 0).rejection is not None
    assert check_exercise(after, date(2002, 4, 3), 3000, 0).reopened == 3000


def test_1998_6a5B_exercise_dated_after_deadline_does_not_reopen() -> None:
    """An exercise dated 2002-04-04 (day after the deadline) is refused even after expiry."""
    expired = expire_award(terminated(), date(2002, 4, 4))
    check = check_exercise(expired, date(2002, 4, 4), 1, 0)
    assert not check.accepted
    assert exercise_capacity(expired, date(2002, 4, 4)) == 0


def test_1998_6b_partial_reopen_uses_outstanding_first() -> None:
    """2,000 still outstanding and 6,000 expired: exercising 5,000 reopens 3,000."""
    award = terminated().evolve(shares_expired=6000)
    check = check_exercise(award, date(2002, 4, 1), 5000, 0)
    assert check.reopened == 3000


@pytest.mark.parametrize(
    ("award", "on", "capacity"),
    [
        pytest.param(option(), date(1999, 12, 31), 0, id="before-grant"),
        pytest.param(option(), date(2002, 1, 3), 8000, id="two-tranches"),
        pytest.param(option(), date(2010, 1, 4), 0, id="after-deadline"),
        pytest.param(option(award_type=AwardType.PERFORMANCE), date(2005, 1, 1), 0, id="perf"),
        pytest.param(option(exercise_deadline=None), date(2011, 1, 1), 12_000, id="no-deadline"),
    ],
)
def test_1998_6b_exercise_capacity(award: Award, on: date, capacity: int) -> None:
    """Vested, unexercised shares that could be bought on a day."""
    assert exercise_capacity(award, on) == capacity


def test_1998_4a_iv_apply_exercise_records_withheld() -> None:
    """Withheld shares are recorded: delivered = exercised - withheld (1998 §4.a(iv))."""
    after = apply_exercise(option(), 4000, 1500)
    assert (after.shares_exercised, after.shares_withheld, after.shares_delivered) == (
        4000,
        1500,
        2500,
    )
    assert after.shares_outstanding == 8000


# --- which rule set the deadline (one home: notices and exercises ask this) -----------

_ENDED = date(2002, 1, 3)


def _end(reason: TerminationReason) -> Termination:
    return Termination("P-1", _ENDED, reason)


@pytest.mark.parametrize(
    ("award", "service_end", "section"),
    [
        pytest.param(option(), None, "1998 §6.b", id="1998-final-date"),
        pytest.param(option(DIR), None, "Directors §6(d)", id="directors-final-date"),
        pytest.param(
            option(accelerated_on=date(2005, 1, 3), exercise_deadline=date(2005, 1, 3)),
            None,
            "1998 §7.a",
            id="1998-covered-transaction-ends-it",
        ),
        pytest.param(
            option(DIR, accelerated_on=date(2005, 1, 3), exercise_deadline=date(2005, 1, 3)),
            None,
            "Directors §6(j)",
            id="directors-covered-transaction-ends-it",
        ),
        pytest.param(terminated(), None, "1998 §6.a.(5)", id="1998-window-details-unknown"),
        pytest.param(
            terminated(DIR), None, "Directors §6(h)-(i)", id="directors-window-details-unknown"
        ),
        pytest.param(
            terminated(),
            ServiceEnd(_end(TerminationReason.VOLUNTARY)),
            "1998 §6.a.(5)(B)",
            id="1998-other-termination",
        ),
        pytest.param(
            terminated(),
            ServiceEnd(_end(TerminationReason.DEATH)),
            "1998 §6.a.(5)(A)",
            id="1998-death",
        ),
        pytest.param(
            terminated(),
            ServiceEnd(_end(TerminationReason.CAUSE)),
            "1998 §6.a.(5)(C)",
            id="1998-cause",
        ),
        pytest.param(
            terminated(),
            ServiceEnd(_end(TerminationReason.VOLUNTARY), _end(TerminationReason.DEATH)),
            "1998 §6.a.(5)(A)",
            id="1998-death-in-the-window-reopens-it",
        ),
        pytest.param(
            terminated(DIR),
            ServiceEnd(_end(TerminationReason.VOLUNTARY), _end(TerminationReason.DEATH)),
            "Directors §6(i)",
            id="directors-death-in-the-window-changes-nothing",
        ),
        pytest.param(
            terminated(DIR),
            ServiceEnd(_end(TerminationReason.CAUSE)),
            "Directors §6(i)",
            id="directors-has-no-cause-rule",
        ),
        pytest.param(terminated(), ServiceEnd(None), "1998 §6.a.(5)(B)", id="none-recorded"),
    ],
)
def test_deadline_section_names_the_rule_that_set_the_deadline(
    award: Award, service_end: ServiceEnd | None, section: str
) -> None:
    assert deadline_section(award, service_end) == section
