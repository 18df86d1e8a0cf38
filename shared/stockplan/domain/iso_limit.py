"""The ISO $100,000 limit (Code §422(d), which the ISO definition of 1998 Exhibit A
invokes; docs/plan-rules.md "Other options and awards").

For each employee, the ISO shares that first become exercisable in one calendar year
count at their grant-date Fair Market Value x shares; beyond $100,000 a year the shares
are treated as non-qualified options, the earlier-granted options taking the limit
first, and within one award a tranche's shares are ISO up to the limit and NSO beyond.
A pure function of the person's ISO awards as they stand: a correction or a split that
changes them changes the split with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from stockplan.domain.model import Award, AwardType

ISO_YEARLY_LIMIT = Decimal(100000)
ISO_LIMIT_SECTION = "Code §422(d)"


@dataclass(frozen=True, slots=True)
class IsoTranche:
    """Shares of one award that first become exercisable on `exercisable_on`."""

    exercisable_on: date
    # The tranche's vesting date by the schedule (what vests the shares).
    vest_date: date
    iso_shares: int
    nso_shares: int


@dataclass(frozen=True, slots=True)
class IsoSplit:
    """One award's shares granted, as ISO and as non-qualified (NSO) shares."""

    award_id: str
    tranches: tuple[IsoTranche, ...]

    @property
    def iso_shares(self) -> int:
        return sum(t.iso_shares for t in self.tranches)

    @property
    def nso_shares(self) -> int:
        return sum(t.nso_shares for t in self.tranches)

    def iso_vested(self, award: Award, on: date) -> int:
        """ISO shares among the shares vested on `on` (the award's vesting rules)."""
        if on < award.grant_date:
            return 0
        if award.accelerated_on is not None and on >= award.accelerated_on:
            return self.iso_shares
        cutoff = on if award.service_ended_on is None else min(on, award.service_ended_on)
        return sum(t.iso_shares for t in self.tranches if t.vest_date <= cutoff)


def first_exercisable(award: Award) -> list[tuple[date, date, int]]:
    """(first exercisable day, vesting date, shares) per tranche, in vesting order; a
    covered transaction's acceleration brings later tranches to its day."""
    schedule = award.tranches or ()
    rows = (
        [(t.vest_date, t.shares) for t in sorted(schedule, key=lambda t: t.vest_date)]
        if schedule
        else [(award.grant_date, award.shares_granted)]
    )
    early = award.accelerated_on
    return [
        (vest if early is None or vest <= early else early, vest, shares) for vest, shares in rows
    ]


def iso_splits(awards: Iterable[Award]) -> dict[str, IsoSplit]:
    """The ISO/NSO split of every `iso` award among `awards` (any people): each
    person's awards in grant order take the $100,000 of each year in turn."""
    by_person: dict[str, list[Award]] = defaultdict(list)
    for award in awards:
        if award.award_type is AwardType.ISO:
            by_person[award.participant_id].append(award)
    result: dict[str, IsoSplit] = {}
    for held in by_person.values():
        used: dict[int, Decimal] = defaultdict(Decimal)
        for award in sorted(held, key=lambda a: (a.grant_date, a.award_id)):
            result[award.award_id] = _split_award(award, used)
    return result


def _split_award(award: Award, used: dict[int, Decimal]) -> IsoSplit:
    fmv = award.fmv_on_grant
    tranches: list[IsoTranche] = []
    for first, vest, shares in first_exercisable(award):
        if fmv is None or fmv <= 0:
            # No grant-date value to count (a grant the rules let through without one).
            iso = shares
        else:
            room = ISO_YEARLY_LIMIT - used[first.year]
            fits = int((room / fmv).to_integral_value(rounding=ROUND_FLOOR)) if room > 0 else 0
            iso = min(shares, fits)
            used[first.year] += fmv * iso
        tranches.append(IsoTranche(first, vest, iso, shares - iso))
    return IsoSplit(award.award_id, tuple(tranches))


def iso_and_nso(award: Award, splits: dict[str, IsoSplit]) -> tuple[int, int]:
    """report.json `iso_shares`, `nso_shares`: an ISO's split; other options 0 and the
    shares granted; awards that are not options 0 and 0."""
    found = splits.get(award.award_id)
    if award.award_type is AwardType.ISO and found is not None:
        return found.iso_shares, found.nso_shares
    if award.award_type.is_option:
        return 0, award.shares_granted
    return 0, 0


def iso_shares_of_exercise(award: Award, split: IsoSplit | None, on: date, shares: int) -> int:
    """How many of `shares` exercised on `on` are ISO shares: the ISO shares of the
    exercisable shares go first (docs/plan-rules.md "Other options and awards")."""
    if award.award_type is not AwardType.ISO or split is None:
        return 0
    open_iso = max(0, split.iso_vested(award, on) - award.shares_iso_exercised)
    return min(shares, open_iso)
