"""The ISO $100,000 limit (Code §422(d), invoked by the ISO definition of 1998 Exhibit A;
docs/plan-rules.md "Other options and awards"): the split of each ISO award into ISO and
non-qualified shares, and which shares an exercise takes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from stockplan.domain.history import (
    exercise_event,
    grant_event,
    replay,
    with_grant_terms,
)
from stockplan.domain.iso_limit import (
    ISO_YEARLY_LIMIT,
    first_exercisable,
    iso_and_nso,
    iso_shares_of_exercise,
    iso_splits,
)
from stockplan.domain.model import Award, AwardType, PlanCode, Tranche
from stockplan.domain.splits import split_award

I98 = PlanCode.INCENTIVE_1998


def _iso(
    award_id: str,
    grant: date,
    shares: int,
    fmv: str | None,
    tranches: tuple[Tranche, ...] = (),
    person: str = "E1",
) -> Award:
    return Award(
        award_id=award_id,
        participant_id=person,
        plan=I98,
        award_type=AwardType.ISO,
        grant_date=grant,
        shares_granted=shares,
        exercise_price=Decimal(fmv) if fmv else Decimal(10),
        final_exercise_date=grant.replace(year=grant.year + 10),
        tranches=tranches,
        fmv_on_grant=Decimal(fmv) if fmv else None,
    )


def test_code_422d_shares_first_exercisable_in_one_year_beyond_100000_are_nso() -> None:
    # 10,000 shares at $20 vested at grant: $200,000 in 2001; 5,000 keep ISO treatment.
    award = _iso("I-1", date(2001, 3, 1), 10_000, "20")
    split = iso_splits([award])["I-1"]
    assert (split.iso_shares, split.nso_shares) == (5_000, 5_000)
    assert iso_and_nso(award, iso_splits([award])) == (5_000, 5_000)


def test_code_422d_limit_counts_per_calendar_year_of_first_exercisability() -> None:
    # 3 tranches of 4,000 at $30 ($120,000 each), in 2002, 2003, 2004: 3,333 ISO a year.
    tranches = tuple(Tranche(date(y, 3, 1), 4_000) for y in (2002, 2003, 2004))
    award = _iso("I-1", date(2001, 3, 1), 12_000, "30", tranches)
    split = iso_splits([award])["I-1"]
    assert [(t.iso_shares, t.nso_shares) for t in split.tranches] == [(3_333, 667)] * 3
    assert (split.iso_shares, split.nso_shares) == (9_999, 2_001)


def test_code_422d_earlier_granted_options_take_the_limit_first() -> None:
    # Both vest in full on 2003-01-10. The 2001 grant ($60,000) goes first; the 2002
    # grant's $80,000 has $40,000 of room left: 2,000 of its 4,000 shares.
    first = _iso("I-B", date(2001, 5, 1), 3_000, "20", (Tranche(date(2003, 1, 10), 3_000),))
    later = _iso("I-A", date(2002, 5, 1), 4_000, "20", (Tranche(date(2003, 1, 10), 4_000),))
    splits = iso_splits([later, first])
    assert (splits["I-B"].iso_shares, splits["I-B"].nso_shares) == (3_000, 0)
    assert (splits["I-A"].iso_shares, splits["I-A"].nso_shares) == (2_000, 2_000)


def test_code_422d_each_employee_has_their_own_limit() -> None:
    mine = _iso("I-1", date(2001, 3, 1), 5_000, "20")
    yours = _iso("I-2", date(2001, 3, 1), 5_000, "20", person="E2")
    splits = iso_splits([mine, yours])
    assert splits["I-1"].iso_shares == splits["I-2"].iso_shares == 5_000


def test_code_422d_a_covered_transaction_brings_later_tranches_to_its_year() -> None:
    tranches = (Tranche(date(2002, 3, 1), 2_000), Tranche(date(2004, 3, 1), 2_000))
    award = _iso("I-1", date(2001, 3, 1), 4_000, "40", tranches)
    assert iso_splits([award])["I-1"].iso_shares == 4_000
    accelerated = award.evolve(accelerated_on=date(2002, 6, 1))
    assert [f for f, _v, _n in first_exercisable(accelerated)] == [
        date(2002, 3, 1),
        date(2002, 6, 1),
    ]
    # $160,000 first exercisable in 2002: 2,500 ISO.
    assert iso_splits([accelerated])["I-1"].iso_shares == 2_500


def test_code_422d_report_fields_of_other_awards() -> None:
    nso = _iso("N-1", date(2001, 3, 1), 700, "20").evolve(award_type=AwardType.NSO)
    stock = nso.evolve(award_id="R-1", award_type=AwardType.RESTRICTED_STOCK)
    splits = iso_splits([nso, stock])
    assert splits == {}
    assert iso_and_nso(nso, splits) == (0, 700)
    assert iso_and_nso(stock, splits) == (0, 0)


def test_code_422d_an_exercise_takes_the_iso_shares_of_the_exercisable_shares_first() -> None:
    # 2002 tranche: 4,000 at $30 = $120,000: 3,333 ISO + 667 NSO; 2003 tranche all ISO.
    tranches = (Tranche(date(2002, 3, 1), 4_000), Tranche(date(2003, 3, 1), 1_000))
    award = _iso("I-1", date(2001, 3, 1), 5_000, "30", tranches)
    split = iso_splits([award])["I-1"]
    on = date(2002, 6, 1)
    assert iso_shares_of_exercise(award, split, on, 3_000) == 3_000
    after = replay([grant_event(award), exercise_event(on, 3_000, 0, None, iso_shares=3_000)])
    assert after.shares_iso_exercised == 3_000
    # Of the next 1,000 exercisable in 2002, 333 are ISO and 667 NSO.
    assert iso_shares_of_exercise(after, split, on, 1_000) == 333
    # Before the grant nothing is exercisable; an NSO award has no ISO shares.
    assert iso_shares_of_exercise(award, split, date(2000, 1, 1), 10) == 0
    assert iso_shares_of_exercise(award.evolve(award_type=AwardType.NSO), split, on, 10) == 0


def test_code_422d_vesting_stops_at_the_end_of_service_for_iso_first() -> None:
    tranches = (Tranche(date(2002, 3, 1), 1_000), Tranche(date(2003, 3, 1), 1_000))
    award = _iso("I-1", date(2001, 3, 1), 2_000, "10", tranches)
    split = iso_splits([award])["I-1"]
    ended = award.evolve(service_ended_on=date(2002, 12, 31))
    assert split.iso_vested(ended, date(2003, 6, 1)) == 1_000
    assert split.iso_vested(award.evolve(accelerated_on=date(2002, 5, 1)), date(2002, 6, 1)) == (
        2_000
    )


def test_code_422d_a_grant_without_a_recorded_fmv_is_all_iso() -> None:
    award = _iso("I-1", date(2001, 3, 1), 50_000, None)
    assert iso_splits([award])["I-1"].iso_shares == 50_000


# --- property: invariant under splits and corrections -------------------------------------

YEARS = st.integers(1999, 2008)
RATIOS = st.sampled_from([Decimal(2), Decimal("1.5"), Decimal(3), Decimal("0.5")])
FMVS = st.sampled_from(["7.5", "15.0625", "20", "33.33", "48", "101.25"])


@st.composite
def iso_award(draw: st.DrawFn, number: int) -> Award:
    grant = date(draw(YEARS), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    shares = draw(st.integers(1, 20_000))
    count = draw(st.integers(0, min(3, shares)))
    tranches: tuple[Tranche, ...] = ()
    if count:
        cuts = sorted(draw(st.sets(st.integers(1, shares), min_size=count, max_size=count)))
        cuts[-1] = shares
        bounds = [0, *cuts]
        offsets = sorted(draw(st.lists(st.integers(0, 1500), min_size=count, max_size=count)))
        tranches = tuple(
            Tranche(grant + timedelta(days=o), bounds[i + 1] - bounds[i])
            for i, o in enumerate(offsets)
            if bounds[i + 1] > bounds[i]
        )
        shares = sum(t.shares for t in tranches)
    return _iso(f"I-{number}", grant, shares, draw(FMVS), tranches)


def _holds_the_limit(awards: list[Award]) -> None:
    splits = iso_splits(awards)
    value: dict[int, Decimal] = defaultdict(Decimal)
    for award in awards:
        split = splits[award.award_id]
        # iso + nso = granted, per award.
        assert split.iso_shares + split.nso_shares == award.shares_granted
        assert all(t.iso_shares >= 0 and t.nso_shares >= 0 for t in split.tranches)
        assert award.fmv_on_grant is not None
        for tranche in split.tranches:
            value[tranche.exercisable_on.year] += award.fmv_on_grant * tranche.iso_shares
    # The ISO value of each year at grant-date FMV is at most $100,000.
    assert all(v <= ISO_YEARLY_LIMIT for v in value.values()), dict(value)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    count=st.integers(1, 4),
    ratios=st.lists(RATIOS, max_size=2),
    corrected_shares=st.integers(1, 20_000),
    corrected_fmv=FMVS,
)
def test_code_422d_split_is_invariant_under_splits_and_corrections(
    data: st.DataObject,
    count: int,
    ratios: list[Decimal],
    corrected_shares: int,
    corrected_fmv: str,
) -> None:
    """Property (Code §422(d)): iso + nso = granted and each year's ISO value at
    grant-date FMV stays within $100,000, after splits and a correct_grant."""
    awards = [data.draw(iso_award(n)) for n in range(count)]
    _holds_the_limit(awards)
    # Splits restate every award (its FMV as its price); closed awards would keep theirs.
    histories = [[grant_event(a)] for a in awards]
    for ratio in ratios:
        awards = [split_award(a, ratio) for a in awards]
        _holds_the_limit(awards)
    # A correct_grant of the first award (its shares, tranches dropped, and its value).
    first = replay(histories[0])
    corrected = first.evolve(
        shares_granted=corrected_shares, tranches=(), fmv_on_grant=Decimal(corrected_fmv)
    )
    restated = replay(with_grant_terms(histories[0], corrected))
    for ratio in ratios:
        restated = split_award(restated, ratio)
    _holds_the_limit([restated, *awards[1:]])
