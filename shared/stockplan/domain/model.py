"""Domain objects shared by every rule. Pure data: no AWS, no clock, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class PlanCode(StrEnum):
    INCENTIVE_1998 = "incentive-1998"
    DIRECTORS_1999 = "directors-1999"


class Role(StrEnum):
    EMPLOYEE = "employee"  # employee-directors included
    DIRECTOR = "director"  # non-employee director
    CONSULTANT = "consultant"


class AwardType(StrEnum):
    NSO = "nso"
    ISO = "iso"
    SAR = "sar"
    RESTRICTED_STOCK = "restricted_stock"
    UNRESTRICTED_STOCK = "unrestricted_stock"
    DEFERRED_STOCK = "deferred_stock"
    PERFORMANCE = "performance"
    DISCRETIONARY_OPTION = "discretionary_option"
    FORMULA_OPTION = "formula_option"

    @property
    def requires_exercise(self) -> bool:
        """Stock Options and SARs need exercise (1998 §6.b); the other awards settle by vesting."""
        return self in _EXERCISE_TYPES

    @property
    def is_option(self) -> bool:
        """Counts against the per-person Stock Option limit (1998 §4.c)."""
        return self in _OPTION_TYPES


_OPTION_TYPES = frozenset(
    {AwardType.NSO, AwardType.ISO, AwardType.DISCRETIONARY_OPTION, AwardType.FORMULA_OPTION}
)
_EXERCISE_TYPES = _OPTION_TYPES | {AwardType.SAR}


class TerminationReason(StrEnum):
    DEATH = "death"
    CAUSE = "cause"
    VOLUNTARY = "voluntary"
    INVOLUNTARY = "involuntary"
    RETIREMENT = "retirement"
    DISABILITY = "disability"
    OTHER = "other"


class Service(StrEnum):
    """A relationship with the Company that a termination ends (docs/plan-rules.md
    "Facts in time"): an employee's employment, a non-employee director's
    directorship, a consultant's consultancy."""

    EMPLOYMENT = "employment"
    DIRECTORSHIP = "directorship"
    CONSULTANCY = "consultancy"


class MeetingOutcome(StrEnum):
    ELECTED = "elected"
    REELECTED = "reelected"
    CONTINUING = "continuing"
    NOT_CONTINUING = "not_continuing"


class ElectionAction(StrEnum):
    ELECT = "elect"
    REVOKE = "revoke"


class FeeType(StrEnum):
    ANNUAL = "annual"
    MEETING = "meeting"


class CorporateActionKind(StrEnum):
    SPLIT = "split"
    COVERED_TRANSACTION = "covered_transaction"


class PlanActionKind(StrEnum):
    """docs/interfaces.md §1e: a change to a plan itself (1998 §9; Directors §8(f))."""

    AMEND_RESERVE = "amend_reserve"
    TERMINATE_PLAN = "terminate_plan"


class CorrectionAction(StrEnum):
    """docs/interfaces.md §1b."""

    REVERSE_TERMINATION = "reverse_termination"
    CORRECT_TERMINATION = "correct_termination"
    VOID_EXERCISE = "void_exercise"
    CORRECT_GRANT = "correct_grant"
    WITHDRAW_CORPORATE_ACTION = "withdraw_corporate_action"


class DecisionAction(StrEnum):
    """docs/interfaces.md §1c."""

    EXTEND_EXERCISE_PERIOD = "extend_exercise_period"
    ACCELERATE_VESTING = "accelerate_vesting"
    CERTIFY_PERFORMANCE = "certify_performance"


class AwardStatus(StrEnum):
    OUTSTANDING = "outstanding"
    EXERCISED = "exercised"
    FORFEITED = "forfeited"
    EXPIRED = "expired"


class DeferredStatus(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"


@dataclass(frozen=True, slots=True)
class Participant:
    participant_id: str
    name: str
    email: str
    role: Role
    personal_email: str | None = None
    estate_email: str | None = None
    ten_percent_holder: bool = False


@dataclass(frozen=True, slots=True)
class Tranche:
    """`shares` vest on `vest_date` (inclusive)."""

    vest_date: date
    shares: int


@dataclass(frozen=True, slots=True)
class Termination:
    participant_id: str
    termination_date: date
    reason: TerminationReason
    # The relationship that ended; None: every one (a death always ends every one).
    service: Service | None = None


@dataclass(frozen=True, slots=True)
class Award:
    """One award and everything that has happened to its shares.

    Invariant: shares_granted = exercised + forfeited + expired + outstanding.
    For awards that need no exercise, `shares_exercised` counts the shares delivered
    as they vest.
    """

    award_id: str
    participant_id: str
    plan: PlanCode
    award_type: AwardType
    grant_date: date
    shares_granted: int
    exercise_price: Decimal | None = None
    final_exercise_date: date | None = None
    # Empty: vested in full at grant.
    tranches: tuple[Tranche, ...] = ()
    shares_exercised: int = 0
    shares_withheld: int = 0
    # Previously owned shares delivered to pay the price or taxes (1998 §4.a last sentence).
    shares_tendered: int = 0
    shares_forfeited: int = 0
    shares_expired: int = 0
    # Last day on which the award can be exercised, after every rule and cap.
    exercise_deadline: date | None = None
    # The day the holder's service ended: vesting stops there.
    service_ended_on: date | None = None
    # Covered transaction: vests in full from this day (1998 §7.a, Directors §6(j)).
    accelerated_on: date | None = None
    # Reminders already sent, as "<days>@<deadline>", so a changed deadline gets new ones.
    reminders_sent: frozenset[str] = frozenset()
    # An ISO's Fair Market Value per share on its grant date, restated by splits as its
    # price is: what its shares count against the $100,000 limit (Code §422(d)).
    fmv_on_grant: Decimal | None = None
    # Of `shares_exercised`, those exercised as ISO shares (an exercise takes the ISO
    # shares of the exercisable shares first, Code §422(d)).
    shares_iso_exercised: int = 0
    # A performance award's criteria, as granted (1998 §6.a.(9)).
    performance_criteria: str | None = None

    @property
    def shares_outstanding(self) -> int:
        return (
            self.shares_granted
            - self.shares_exercised
            - self.shares_forfeited
            - self.shares_expired
        )

    @property
    def shares_delivered(self) -> int:
        """Shares that left the pool for good. 1998: net of shares withheld (§4.a(iv)) and
        of previously owned shares tendered (§4.a, last sentence). Directors: every share
        exercised, tendered or not (§4(a) returns only shares not exercised)."""
        if self.plan is not PlanCode.INCENTIVE_1998:
            return self.shares_exercised - self.shares_withheld
        return self.shares_exercised - self.shares_withheld - self.shares_tendered

    @property
    def is_outstanding(self) -> bool:
        return self.shares_outstanding > 0

    def vested_shares(self, on: date) -> int:
        """Shares vested on `on` (cumulative), vesting stopping at the end of service."""
        if on < self.grant_date:
            return 0
        if self.accelerated_on is not None and on >= self.accelerated_on:
            return self.shares_granted
        cutoff = on if self.service_ended_on is None else min(on, self.service_ended_on)
        if not self.tranches:
            return self.shares_granted
        return min(
            self.shares_granted,
            sum(t.shares for t in self.tranches if t.vest_date <= cutoff),
        )

    def exercisable_shares(self, on: date) -> int:
        """Shares that could be bought on `on` (0 for awards that need no exercise)."""
        if not self.award_type.requires_exercise or not self.is_outstanding:
            return 0
        if self.exercise_deadline is not None and on > self.exercise_deadline:
            return 0
        vested_open = self.vested_shares(on) - self.shares_exercised - self.shares_expired
        return max(0, min(vested_open, self.shares_outstanding))

    def status(self) -> AwardStatus:
        """report.json `status`: ties go expired > forfeited > exercised (interfaces §3)."""
        if self.is_outstanding:
            return AwardStatus.OUTSTANDING
        ranked = [
            (self.shares_expired, 3, AwardStatus.EXPIRED),
            (self.shares_forfeited, 2, AwardStatus.FORFEITED),
            (self.shares_exercised, 1, AwardStatus.EXERCISED),
        ]
        return max(ranked)[2]

    def evolve(self, **changes: object) -> Award:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class PriceBar:
    """One trading day's market data (Directors §6(c))."""

    day: date
    last_sale: Decimal | None = None
    high_bid: Decimal | None = None
    low_ask: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DeferredFigures:
    """What a Deferred Stock Award in lieu of a fee amounts to (Directors §7(a), §7(b)):
    held by the award, and shown as they are by the notices about it."""

    fee_type: FeeType
    fee_date: date
    amount: Decimal
    fair_market_value: Decimal
    award_date: date
    shares: int
    cash_in_lieu: Decimal
    issue_date: date

    def figures(self) -> dict[str, Any]:
        """These fields by name."""
        return {f.name: getattr(self, f.name) for f in fields(DeferredFigures)}


@dataclass(frozen=True, slots=True)
class DeferredStockAward(DeferredFigures):
    """A Deferred Stock Award in lieu of a director's fee (Directors §7)."""

    participant_id: str
    status: DeferredStatus = DeferredStatus.PENDING
    # The day of the Closing Price that set `fair_market_value` (None: not recorded).
    price_day: date | None = None

    @property
    def key(self) -> str:
        return f"{self.participant_id}#{self.fee_type.value}#{self.fee_date.isoformat()}"


@dataclass(frozen=True, slots=True)
class Election:
    participant_id: str
    notice_date: date
    action: ElectionAction


@dataclass(frozen=True, slots=True)
class CorporateAction:
    action_date: date
    kind: CorporateActionKind
    ratio: Decimal | None = None
    assumed: bool | None = None
    # An assumed covered transaction: acquirer shares per share (blank = 1) and the
    # acquirer's name for the notices (1998 §7.a; Directors §6(j)).
    exchange_ratio: Decimal | None = None
    acquirer: str | None = None

    @property
    def restating_ratio(self) -> Decimal | None:
        """The ratio an assumed covered transaction restates awards and pools by, as a
        split of that ratio would (None: nothing to restate)."""
        if self.kind is not CorporateActionKind.COVERED_TRANSACTION or not self.assumed:
            return None
        if self.exchange_ratio is None or self.exchange_ratio == 1:
            return None
        return self.exchange_ratio


@dataclass(frozen=True, slots=True)
class PlanAction:
    """A change to a plan (docs/interfaces.md §1e): a new reserve from `effective_date`
    (in the shares of that date; a later split restates it), or the end of its grants."""

    request_id: str
    kind: PlanActionKind
    plan: PlanCode
    effective_date: date
    shares: int | None = None
    approved_on: date | None = None
    note: str | None = None
    # The plan section the action rests on, as notices and exports cite it.
    section: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a request was refused, in words a plan administrator can act on."""

    reason: str
    section: str | None = None

    def __str__(self) -> str:
        return self.reason if self.section is None else f"{self.reason} ({self.section})"
