"""Covered transactions (1998 §7.a; Directors §6(j), §7(b)(ii))."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from stockplan.domain.model import Award, DeferredStatus, DeferredStockAward


def covered_transaction_award(award: Award, day: date, assumed: bool) -> Award:
    """Every outstanding award vests in full immediately before the transaction; unless
    assumed, awards needing exercise terminate on `day`: it becomes their deadline if earlier."""
    if not award.is_outstanding:
        return award
    updated = award.evolve(accelerated_on=day)
    if assumed or not award.award_type.requires_exercise:
        return updated
    deadline = day if award.exercise_deadline is None else min(award.exercise_deadline, day)
    return updated.evolve(exercise_deadline=deadline)


def covered_transaction_deferred(deferred: DeferredStockAward, day: date) -> DeferredStockAward:
    """Pending deferred stock is issued on the day of the transaction (Directors §7(b)(ii))."""
    if deferred.status is not DeferredStatus.PENDING:
        return deferred
    return replace(deferred, issue_date=min(deferred.issue_date, day))
