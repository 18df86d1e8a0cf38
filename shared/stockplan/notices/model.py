"""What each notice shows: frozen data, built by the callers from domain state.

Dates are `date`, money and prices are exact `Decimal`, share counts are `int`.
Every notice to a participant carries the plan section that applies to it
(rules.md "Notices").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar, NamedTuple

from stockplan.domain.model import (
    Award,
    AwardType,
    DeferredStockAward,
    FeeType,
    Participant,
    PlanCode,
    TerminationReason,
)

FORMULA_GRANT_SECTION = "Directors §6(a)"
FORMULA_PRO_RATA_SECTION = "Directors §8(a)"
DEFERRED_AWARD_SECTION = "Directors §7(a)"
DEFERRED_ISSUE_SECTION = "Directors §7(b)"


@dataclass(frozen=True, slots=True)
class TerminationLine:
    """One award of a terminated participant (rules.md "Vesting and termination").

    `deadline` is None for awards that need no exercise; a deadline before the
    termination date means the vested shares terminated unexercised (1998 §6.a.(5)(C)).
    """

    award_id: str
    plan: PlanCode
    award_type: AwardType
    vested_shares: int
    exercise_price: Decimal | None
    deadline: date | None
    forfeited_shares: int
    section: str


@dataclass(frozen=True, slots=True)
class TerminationNotice:
    """One notice per participant and termination, listing each award."""

    kind: ClassVar[str] = "termination"

    participant_id: str
    participant_name: str
    termination_date: date
    reason: TerminationReason
    deceased: bool
    awards: tuple[TerminationLine, ...]


@dataclass(frozen=True, slots=True)
class ReminderNotice:
    """`days_left` (30 or 7) days before a deadline on which exercisable shares would expire."""

    kind: ClassVar[str] = "reminder"

    participant_id: str
    participant_name: str
    award_id: str
    plan: PlanCode
    award_type: AwardType
    days_left: int
    deadline: date
    exercisable_shares: int
    exercise_price: Decimal | None
    section: str
    # After a death the notice is addressed to the estate.
    deceased: bool = False


@dataclass(frozen=True, slots=True)
class ExpiryNotice:
    """Shares not exercised by `deadline` expired."""

    kind: ClassVar[str] = "expiry"

    participant_id: str
    participant_name: str
    award_id: str
    plan: PlanCode
    award_type: AwardType
    deadline: date
    expired_shares: int
    exercise_price: Decimal | None
    section: str
    deceased: bool = False


@dataclass(frozen=True, slots=True)
class FormulaGrantNotice:
    """A formula option (Directors §6(a)); cut pro rata when the pool was short (§8(a))."""

    kind: ClassVar[str] = "formula-grant"
    section: ClassVar[str] = FORMULA_GRANT_SECTION

    participant_id: str
    participant_name: str
    award_id: str
    grant_date: date
    shares: int
    exercise_price: Decimal
    final_exercise_date: date
    pro_rated: bool
    requested_shares: int

    @classmethod
    def of(
        cls, award: Award, participant: Participant, requested_shares: int
    ) -> FormulaGrantNotice:
        """From a granted formula option; `requested_shares` is the full formula size."""
        if award.exercise_price is None or award.final_exercise_date is None:
            raise ValueError(f"formula option {award.award_id} needs a price and a final date")
        return cls(
            participant_id=participant.participant_id,
            participant_name=participant.name,
            award_id=award.award_id,
            grant_date=award.grant_date,
            shares=award.shares_granted,
            exercise_price=award.exercise_price,
            final_exercise_date=award.final_exercise_date,
            pro_rated=award.shares_granted < requested_shares,
            requested_shares=requested_shares,
        )


@dataclass(frozen=True, slots=True)
class DeferredAwardNotice:
    """A Deferred Stock Award made in lieu of a fee (Directors §7(a))."""

    kind: ClassVar[str] = "deferred-award"
    section: ClassVar[str] = DEFERRED_AWARD_SECTION

    participant_id: str
    participant_name: str
    fee_type: FeeType
    fee_date: date
    amount: Decimal
    fair_market_value: Decimal
    award_date: date
    shares: int
    cash_in_lieu: Decimal
    issue_date: date

    @classmethod
    def of(cls, award: DeferredStockAward, participant: Participant) -> DeferredAwardNotice:
        return cls(
            participant_id=participant.participant_id,
            participant_name=participant.name,
            fee_type=award.fee_type,
            fee_date=award.fee_date,
            amount=award.amount,
            fair_market_value=award.fair_market_value,
            award_date=award.award_date,
            shares=award.shares,
            cash_in_lieu=award.cash_in_lieu,
            issue_date=award.issue_date,
        )


@dataclass(frozen=True, slots=True)
class DeferredIssueNotice:
    """The shares of a Deferred Stock Award were issued on `issued_on` (Directors §7(b))."""

    kind: ClassVar[str] = "deferred-issue"
    section: ClassVar[str] = DEFERRED_ISSUE_SECTION

    participant_id: str
    participant_name: str
    fee_type: FeeType
    fee_date: date
    amount: Decimal
    fair_market_value: Decimal
    award_date: date
    shares: int
    cash_in_lieu: Decimal
    issue_date: date
    issued_on: date
    # After a death the notice is addressed to the estate.
    deceased: bool = False

    @classmethod
    def of(
        cls,
        award: DeferredStockAward,
        participant: Participant,
        issued_on: date,
        *,
        deceased: bool = False,
    ) -> DeferredIssueNotice:
        return cls(
            participant_id=participant.participant_id,
            participant_name=participant.name,
            fee_type=award.fee_type,
            fee_date=award.fee_date,
            amount=award.amount,
            fair_market_value=award.fair_market_value,
            award_date=award.award_date,
            shares=award.shares,
            cash_in_lieu=award.cash_in_lieu,
            issue_date=award.issue_date,
            issued_on=issued_on,
            deceased=deceased,
        )


class RejectedRow(NamedTuple):
    """`row`: 1 = first data row after the header; None for the whole file."""

    row: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class FeedRejectionSummary:
    """To the plan administrator: one per feed file that had a rejected row, in which
    nothing was new, or that could not be read as a feed (interfaces.md §1a, §4)."""

    kind: ClassVar[str] = "feed-rejections"

    feed_kind: str
    key: str
    rows_total: int
    rows_accepted: int
    rows_rejected: int
    # Set when the whole file was refused.
    file_reason: str | None
    rejections: tuple[RejectedRow | tuple[int | None, str], ...]
    # Where the errors CSV was written (errors/<key>.errors.csv), if any.
    errors_key: str | None
    # Rows equal to a fact already applied (interfaces.md §1a).
    rows_unchanged: int = 0


@dataclass(frozen=True, slots=True)
class AdminAlert:
    """A free-form message to the plan administrator, e.g. a formula grant waiting for a price."""

    kind: ClassVar[str] = "admin-alert"

    subject_line: str
    body_lines: tuple[str, ...]


Notice = (
    TerminationNotice
    | ReminderNotice
    | ExpiryNotice
    | FormulaGrantNotice
    | DeferredAwardNotice
    | DeferredIssueNotice
    | FeedRejectionSummary
    | AdminAlert
)
