"""Performance awards (1998 §6.a.(9), §4.d; docs/plan-rules.md "Other options and
awards", "Administrator decisions").

A performance award's vesting tranches are target shares. Nothing is delivered for a
tranche until the Committee certifies the shares earned (`certify_performance`): at most
the target of the tranches whose dates have come, 0 when the criteria were not met.
Certification is final: the certified shares are delivered, the rest of those tranches
forfeited, with no substitute award. An award holds its certifications in its figures:
shares delivered (`shares_exercised`) are the shares certified, and until the holder's
service ends the shares forfeited are those a certification did not grant.
"""

from __future__ import annotations

from datetime import date

from stockplan.domain.model import Award, AwardType, Rejection

PERFORMANCE_SECTION = "1998 §6.a.(9)"


def is_performance(award: Award) -> bool:
    return award.award_type is AwardType.PERFORMANCE


def shares_awaiting_certification(award: Award, on: date) -> int:
    """Target shares of the tranches whose dates have come by `on` (vesting stopping at
    the end of service) that no certification has settled yet."""
    if not is_performance(award) or not award.is_outstanding:
        return 0
    due = min(award.vested_shares(on), award.shares_granted)
    settled = award.shares_exercised + award.shares_forfeited
    return max(0, min(due - settled, award.shares_outstanding))


def certification_rejection(award: Award, on: date, shares: int) -> Rejection | None:
    """Why `shares` cannot be certified as earned on `on`; None when they can."""
    if not is_performance(award):
        return Rejection(
            f"{award.award_id} is a {award.award_type.value} award: only performance awards "
            "are certified",
            PERFORMANCE_SECTION,
        )
    if not award.is_outstanding:
        return Rejection(
            f"{award.award_id} has closed ({award.status().value}): nothing is left to certify",
            PERFORMANCE_SECTION,
        )
    due = shares_awaiting_certification(award, on)
    if due == 0:
        return Rejection(
            f"no tranche of {award.award_id} due by {on.isoformat()} awaits certification: "
            "date the decision on or after the tranche's date",
            PERFORMANCE_SECTION,
        )
    if shares < 0 or shares > due:
        return Rejection(
            f"shares {shares} is more than the {due} target shares of {award.award_id} "
            f"due by {on.isoformat()}: certify at most the target (0 if not attained)",
            PERFORMANCE_SECTION,
        )
    return None


def certify_award(award: Award, on: date, shares: int) -> Award:
    """The certification of `on`: `shares` delivered, the rest of the tranches due by
    then forfeited (certification is final, §6.a.(9))."""
    due = shares_awaiting_certification(award, on)
    earned = max(0, min(shares, due))
    return award.evolve(
        shares_exercised=award.shares_exercised + earned,
        shares_forfeited=award.shares_forfeited + due - earned,
    )
