"""What each notice shows: frozen data, built by the callers from domain state.

Dates are `date`, money and prices are exact `Decimal`, share counts are `int`.
Every notice to a participant carries the plan section that applies to it
(docs/plan-rules.md "Notices").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple, Self

from stockplan.domain.model import (
    Award,
    AwardType,
    DeferredFigures,
    DeferredStockAward,
    FeeType,
    Participant,
    PlanCode,
    Role,
    TerminationReason,
    Tranche,
)

FORMULA_GRANT_SECTION = "Directors §6(a)"
FORMULA_PRO_RATA_SECTION = "Directors §8(a)"
DEFERRED_AWARD_SECTION = "Directors §7(a)"
DEFERRED_ISSUE_SECTION = "Directors §7(b)"


@dataclass(frozen=True, slots=True)
class _ToParticipant:
    """The fields every notice to a participant starts with: whom it is for."""

    participant_id: str
    participant_name: str


@dataclass(frozen=True, slots=True)
class _AboutAward(_ToParticipant):
    """A notice to a participant about one of their awards."""

    award_id: str
    plan: PlanCode
    award_type: AwardType

    @classmethod
    def _about(cls, award: Award, participant: Participant, **more: Any) -> Self:
        # The fields above, in their order.
        ids = (participant.participant_id, participant.name, award.award_id)
        return cls(*ids, award.plan, award.award_type, **more)


@dataclass(frozen=True, slots=True)
class _AwardLine:
    """The fields every award line of a notice starts with."""

    award_id: str
    plan: PlanCode
    award_type: AwardType

    @classmethod
    def of_award(cls, award: Award, **figures: Any) -> Self:
        """The line of `award` with the `figures` its notice shows."""
        return cls(award.award_id, award.plan, award.award_type, **figures)


@dataclass(frozen=True, slots=True)
class _DeferredLine:
    """The fields every deferred-stock line of a notice starts with: which fee."""

    fee_type: FeeType
    fee_date: date

    @classmethod
    def of_fee(cls, award: DeferredStockAward, **figures: Any) -> Self:
        """The line of the deferred stock of `award`'s fee with the `figures` shown."""
        return cls(award.fee_type, award.fee_date, **figures)


@dataclass(frozen=True, slots=True)
class TerminationLine(_AwardLine):
    """One award of a terminated participant (docs/plan-rules.md "Vesting and termination").

    `deadline` is None for awards that need no exercise; a deadline before the
    termination date means the vested shares terminated unexercised (1998 §6.a.(5)(C)).
    """

    vested_shares: int
    exercise_price: Decimal | None
    deadline: date | None
    forfeited_shares: int
    section: str


@dataclass(frozen=True, slots=True)
class TerminationNotice(_ToParticipant):
    """One notice per participant and termination, listing each award."""

    kind: ClassVar[str] = "termination"

    termination_date: date
    reason: TerminationReason
    deceased: bool
    awards: tuple[TerminationLine, ...]
    # What ended: an employee's employment, a consultant's engagement, a non-employee
    # director's service as a director (None: written as employment).
    role: Role | None = None


@dataclass(frozen=True, slots=True)
class ReminderNotice(_AboutAward):
    """`days_left` (30 or 7) days before a deadline on which exercisable shares would expire."""

    kind: ClassVar[str] = "reminder"

    days_left: int
    deadline: date
    exercisable_shares: int
    exercise_price: Decimal | None
    section: str
    # After a death the notice is addressed to the estate.
    deceased: bool = False
    # The deadline is a covered transaction's date, announced ahead: every share vests
    # immediately before it (docs/plan-rules.md "Facts in time").
    covered_transaction: bool = False


@dataclass(frozen=True, slots=True)
class ExpiryNotice(_AboutAward):
    """Shares not exercised by `deadline` expired."""

    kind: ClassVar[str] = "expiry"

    deadline: date
    expired_shares: int
    exercise_price: Decimal | None
    section: str
    deceased: bool = False


@dataclass(frozen=True, slots=True)
class FormulaGrantNotice(_ToParticipant):
    """A formula option (Directors §6(a)); cut pro rata when the pool was short (§8(a))."""

    kind: ClassVar[str] = "formula-grant"
    section: ClassVar[str] = FORMULA_GRANT_SECTION

    award_id: str
    grant_date: date
    shares: int
    exercise_price: Decimal
    final_exercise_date: date
    pro_rated: bool
    requested_shares: int
    # The day of the Closing Price that set the exercise price (Directors §6(c)).
    price_day: date | None = None

    @classmethod
    def of(
        cls,
        award: Award,
        participant: Participant,
        requested_shares: int,
        price_day: date | None = None,
    ) -> FormulaGrantNotice:
        """From a granted formula option; `requested_shares` is the full formula size,
        `price_day` the day of the Closing Price its exercise price is."""
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
            price_day=price_day,
        )


@dataclass(frozen=True, slots=True)
class _DeferredNotice(DeferredFigures):
    """A notice about a Deferred Stock Award: its figures, and whom it is for."""

    participant_id: str
    participant_name: str

    @classmethod
    def _of(cls, award: DeferredStockAward, participant: Participant, **more: Any) -> Self:
        return cls(
            **award.figures(),
            participant_id=participant.participant_id,
            participant_name=participant.name,
            **more,
        )


@dataclass(frozen=True, slots=True)
class DeferredAwardNotice(_DeferredNotice):
    """A Deferred Stock Award made in lieu of a fee (Directors §7(a))."""

    kind: ClassVar[str] = "deferred-award"
    section: ClassVar[str] = DEFERRED_AWARD_SECTION

    # The day of the Closing Price that set the Fair Market Value.
    price_day: date | None = None
    # The part of the fee converted into shares: less than the fee for the 2009 annual
    # fee (Directors §3); and the shares it would have bought, more than those awarded
    # when the pool was short (§8(a)).
    deferrable: Decimal | None = None
    shares_wanted: int = 0

    @property
    def partly_for_later_services(self) -> bool:
        return self.deferrable is not None and self.deferrable < self.amount

    @property
    def cut_by_the_pool(self) -> bool:
        return self.shares < self.shares_wanted

    @classmethod
    def of(cls, award: DeferredStockAward, participant: Participant) -> DeferredAwardNotice:
        from stockplan.domain.deferred import deferrable_amount, shares_for_fee

        deferrable = deferrable_amount(award.fee_type, award.fee_date, award.amount)
        return cls._of(
            award,
            participant,
            price_day=award.price_day,
            deferrable=deferrable,
            shares_wanted=shares_for_fee(deferrable, award.fair_market_value),
        )


@dataclass(frozen=True, slots=True)
class DeferredIssueNotice(_DeferredNotice):
    """The shares of a Deferred Stock Award were issued on `issued_on` (Directors §7(b))."""

    kind: ClassVar[str] = "deferred-issue"
    section: ClassVar[str] = DEFERRED_ISSUE_SECTION

    issued_on: date
    # After a death the notice is addressed to the estate.
    deceased: bool = False
    # The day of the Closing Price that set the Fair Market Value.
    price_day: date | None = None

    @classmethod
    def of(
        cls,
        award: DeferredStockAward,
        participant: Participant,
        issued_on: date,
        *,
        deceased: bool = False,
    ) -> DeferredIssueNotice:
        return cls._of(
            award, participant, issued_on=issued_on, deceased=deceased, price_day=award.price_day
        )


def grant_section(award: Award) -> str:
    """The section under which a fed award is made: the Administrator sets an award's
    terms (1998 §6.a.(1)); a Discretionary Option is the Committee's (Directors §6(b))."""
    return "1998 §6.a.(1)" if award.plan is PlanCode.INCENTIVE_1998 else "Directors §6(b)"


def exercise_section(award: Award) -> str:
    """How an award is exercised (1998 §6.b.(1); Directors §6(e))."""
    return "1998 §6.b.(1)" if award.plan is PlanCode.INCENTIVE_1998 else "Directors §6(e)"


@dataclass(frozen=True, slots=True)
class GrantNotice(_AboutAward):
    """An award fed through `grants`, told to the participant on the day it is applied
    (docs/plan-rules.md "Notices")."""

    kind: ClassVar[str] = "grant"

    grant_date: date
    shares: int
    # None for awards that need no exercise.
    exercise_price: Decimal | None
    final_exercise_date: date | None
    # Empty: vested in full on the grant date.
    vesting: tuple[Tranche, ...]
    section: str
    # A historical award of someone who has died is told to the estate.
    deceased: bool = False
    # Loaded after the holder's service ended: the day it ended, what that forfeited and
    # the deadline it left (1998 §6.a.(5); Directors §6(h), §6(i)).
    service_ended_on: date | None = None
    forfeited_shares: int = 0
    exercise_deadline: date | None = None
    # A performance award's criteria (1998 §6.a.(9)).
    performance_criteria: str | None = None

    @classmethod
    def of(cls, award: Award, participant: Participant, *, deceased: bool = False) -> GrantNotice:
        return cls._about(
            award,
            participant,
            grant_date=award.grant_date,
            shares=award.shares_granted,
            exercise_price=award.exercise_price,
            final_exercise_date=award.final_exercise_date,
            vesting=award.tranches,
            section=grant_section(award),
            deceased=deceased,
            service_ended_on=award.service_ended_on,
            forfeited_shares=award.shares_forfeited,
            exercise_deadline=award.exercise_deadline,
            performance_criteria=award.performance_criteria,
        )


@dataclass(frozen=True, slots=True)
class ExerciseConfirmation(_AboutAward):
    """An accepted exercise (docs/plan-rules.md "Notices"; "Exercises")."""

    kind: ClassVar[str] = "exercise"

    exercise_date: date
    shares_exercised: int
    # Held back for the price or taxes; not delivered (1998 §4.a(iv)).
    shares_withheld: int
    exercise_price: Decimal | None
    # What can still be bought after this exercise, as of `exercisable_on`.
    exercisable_shares: int
    exercisable_on: date
    deadline: date | None
    section: str
    deceased: bool = False
    # Of the shares exercised, those with ISO treatment under the $100,000 limit; the
    # rest of an ISO's are non-qualified (Code §422(d)).
    iso_shares: int = 0
    # Previously owned shares delivered to pay, and how the price was paid as fed
    # (1998 §4.a last sentence, §6.b.(3); Directors §6(f)).
    shares_tendered: int = 0
    payment: str = "cash"

    @property
    def shares_delivered(self) -> int:
        return self.shares_exercised - self.shares_withheld

    @property
    def payment_words(self) -> str:
        """The forms of payment in words: "cash and previously owned shares"."""
        words = [_PAYMENT_WORDS.get(form, form) for form in self.payment.split("+")]
        return " and ".join(words)

    @property
    def nso_shares(self) -> int:
        """Shares exercised as non-qualified options."""
        return self.shares_exercised - self.iso_shares

    @classmethod
    def of(
        cls,
        award: Award,
        participant: Participant,
        exercise_date: date,
        shares: int,
        withheld: int,
        as_of: date,
        *,
        deceased: bool = False,
        iso_shares: int = 0,
        tendered: int = 0,
        payment: str = "cash",
    ) -> ExerciseConfirmation:
        """From the award after the exercise; what is still exercisable is counted on
        `as_of` (the day the exercise is applied, or its own date if later)."""
        on = max(as_of, exercise_date)
        return cls._about(
            award,
            participant,
            exercise_date=exercise_date,
            shares_exercised=shares,
            shares_withheld=withheld,
            exercise_price=award.exercise_price,
            exercisable_shares=award.exercisable_shares(on),
            exercisable_on=on,
            deadline=award.exercise_deadline,
            section=exercise_section(award),
            deceased=deceased,
            iso_shares=iso_shares,
            shares_tendered=tendered,
            payment=payment,
        )


_PAYMENT_WORDS = {
    "cash": "cash",
    "shares": "previously owned shares",
    "broker": "a broker's undertaking",
    "withheld": "shares withheld",
}


def split_section(plan: PlanCode) -> str:
    """Where a plan restates its awards after a split (1998 §7.b.(1); Directors §4(c))."""
    return "1998 §7.b.(1)" if plan is PlanCode.INCENTIVE_1998 else "Directors §4(c)"


def covered_section(plan: PlanCode) -> str:
    """What a covered transaction does to a plan's awards (1998 §7.a; Directors §6(j))."""
    return "1998 §7.a" if plan is PlanCode.INCENTIVE_1998 else "Directors §6(j)"


def _open_vested(award: Award, on: date) -> int:
    """Vested shares still held on `on`: neither exercised, expired nor forfeited."""
    vested = award.vested_shares(on) - award.shares_exercised - award.shares_expired
    return max(0, min(vested, award.shares_outstanding))


@dataclass(frozen=True, slots=True)
class SplitLine(_AwardLine):
    """One award restated by a split: its shares and exercise price before and after
    (docs/plan-rules.md "Splits": shares floored, the price divided exactly or rounded up at the
    6th decimal)."""

    granted_before: int
    granted_after: int
    outstanding_before: int
    outstanding_after: int
    price_before: Decimal | None
    price_after: Decimal | None
    section: str

    @classmethod
    def of(cls, before: Award, after: Award) -> SplitLine:
        return cls.of_award(
            before,
            granted_before=before.shares_granted,
            granted_after=after.shares_granted,
            outstanding_before=before.shares_outstanding,
            outstanding_after=after.shares_outstanding,
            price_before=before.exercise_price,
            price_after=after.exercise_price,
            section=split_section(before.plan),
        )


@dataclass(frozen=True, slots=True)
class SplitDeferredLine(_DeferredLine):
    """Pending deferred stock restated by a split (its fair market value stays)."""

    award_date: date
    shares_before: int
    shares_after: int
    issue_date: date

    @classmethod
    def of(cls, before: DeferredStockAward, after: DeferredStockAward) -> SplitDeferredLine:
        return cls.of_fee(
            before,
            award_date=before.award_date,
            shares_before=before.shares,
            shares_after=after.shares,
            issue_date=after.issue_date,
        )


@dataclass(frozen=True, slots=True)
class SplitNotice(_ToParticipant):
    """A split restated the participant's awards, sent by the daily job when it applies
    the split (1998 §7.b.(1); Directors §4(c))."""

    kind: ClassVar[str] = "split"

    split_date: date
    # New shares per old share (1.5: a 3-for-2 split).
    ratio: Decimal
    awards: tuple[SplitLine, ...]
    deferred: tuple[SplitDeferredLine, ...] = ()
    deceased: bool = False


@dataclass(frozen=True, slots=True)
class CoveredLine(_AwardLine):
    """One award at a covered transaction: vested in full immediately before it; unless
    assumed, an award needing exercise terminates on its date (1998 §7.a; Directors
    §6(j))."""

    # Unvested shares that vested because of the transaction.
    accelerated_shares: int
    # Vested shares held after it (exercisable, for an award that needs exercise).
    vested_shares: int
    exercise_price: Decimal | None
    deadline_before: date | None
    deadline_after: date | None
    section: str

    @classmethod
    def of(cls, before: Award, after: Award, on: date) -> CoveredLine:
        return cls.of_award(
            before,
            accelerated_shares=_open_vested(after, on) - _open_vested(before, on),
            vested_shares=_open_vested(after, on),
            exercise_price=before.exercise_price,
            deadline_before=before.exercise_deadline,
            deadline_after=after.exercise_deadline,
            section=covered_section(before.plan),
        )


@dataclass(frozen=True, slots=True)
class CoveredDeferredLine(_DeferredLine):
    """Pending deferred stock, issued on the transaction's date (Directors §7(b)(ii))."""

    shares: int
    issue_date_before: date
    issue_date_after: date

    @classmethod
    def of(cls, before: DeferredStockAward, after: DeferredStockAward) -> CoveredDeferredLine:
        return cls.of_fee(
            before,
            shares=before.shares,
            issue_date_before=before.issue_date,
            issue_date_after=after.issue_date,
        )


@dataclass(frozen=True, slots=True)
class CoveredTransactionNotice(_ToParticipant):
    """A covered transaction, told on the day it is recorded: what vested, and, when the
    awards are not assumed, the new deadline (1998 §7.a; Directors §6(j), §7(b)(ii))."""

    kind: ClassVar[str] = "covered-transaction"

    transaction_date: date
    assumed: bool
    awards: tuple[CoveredLine, ...]
    deferred: tuple[CoveredDeferredLine, ...] = ()
    deceased: bool = False
    # Assumed: who assumed the awards, and the exchange ratio that restated them.
    acquirer: str | None = None
    exchange_ratio: Decimal | None = None


@dataclass(frozen=True, slots=True)
class AnnouncedLine(_AwardLine):
    """One award outstanding when a covered transaction is recorded ahead of its date:
    what the transaction will do to it (1998 §7.a; Directors §6(j))."""

    # Shares held now, and those of them not vested yet (all vest immediately before).
    shares_outstanding: int
    unvested_shares: int
    exercise_price: Decimal | None
    deadline_before: date | None
    # The last day to exercise after the transaction (the transaction's date, unless
    # assumed or earlier); None for an award that needs no exercise.
    deadline_after: date | None
    # Assumed with an exchange ratio: the acquirer's shares and price per share.
    restated_shares: int | None
    restated_price: Decimal | None
    section: str

    @classmethod
    def of(cls, award: Award, on: date, after: Award, restated: Award | None) -> AnnouncedLine:
        return cls.of_award(
            award,
            shares_outstanding=award.shares_outstanding,
            unvested_shares=max(0, award.shares_outstanding - _open_vested(award, on)),
            exercise_price=award.exercise_price,
            deadline_before=award.exercise_deadline,
            deadline_after=after.exercise_deadline,
            restated_shares=None if restated is None else restated.shares_outstanding,
            restated_price=None if restated is None else restated.exercise_price,
            section=covered_section(award.plan),
        )


@dataclass(frozen=True, slots=True)
class CoveredTransactionAnnouncement(_ToParticipant):
    """A covered transaction recorded before its date, told at once to every holder of an
    award outstanding then (docs/plan-rules.md "Facts in time"; 1998 §7.a; Directors
    §6(j), §7(b)(ii))."""

    kind: ClassVar[str] = "covered-announcement"

    transaction_date: date
    assumed: bool
    awards: tuple[AnnouncedLine, ...]
    # Pending deferred stock, issued on the transaction's date.
    deferred: tuple[CoveredDeferredLine, ...] = ()
    acquirer: str | None = None
    exchange_ratio: Decimal | None = None
    deceased: bool = False


class RejectedRow(NamedTuple):
    """`row`: 1 = first data row after the header; None for the whole file."""

    row: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class FeedRejectionSummary:
    """To the plan administrator: one per feed file that had a rejected row, in which
    nothing was new, or that could not be read as a feed (docs/interfaces.md §1a, §4)."""

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
    # Rows equal to a fact already applied (docs/interfaces.md §1a).
    rows_unchanged: int = 0
    # Applied rows dated before go-live, and that day (docs/plan-rules.md "Facts in time").
    rows_history: int = 0
    go_live: date | None = None


@dataclass(frozen=True, slots=True)
class AdminAlert:
    """A free-form message to the plan administrator, e.g. a formula grant waiting for a price."""

    kind: ClassVar[str] = "admin-alert"

    subject_line: str
    body_lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AwardFigures:
    """What a participant holds under one award, as a correction notice shows it."""

    shares_granted: int
    shares_exercised: int
    shares_forfeited: int
    shares_expired: int
    shares_outstanding: int
    exercisable_shares: int
    exercise_price: Decimal | None
    exercise_deadline: date | None
    # The tranches still to vest after `on` (none once service has ended: 1998
    # §6.a.(5); Directors §6(e)): what a decision on vesting leaves ahead.
    vesting_ahead: tuple[Tranche, ...] = ()

    @staticmethod
    def of(award: Award, on: date) -> AwardFigures:
        ahead = (
            tuple(t for t in award.tranches if t.vest_date > on)
            if award.is_outstanding and award.service_ended_on is None
            else ()
        )
        return AwardFigures(
            award.shares_granted,
            award.shares_exercised,
            award.shares_forfeited,
            award.shares_expired,
            award.shares_outstanding,
            award.exercisable_shares(on),
            award.exercise_price,
            award.exercise_deadline,
            ahead,
        )


@dataclass(frozen=True, slots=True)
class ChangedAward:
    award_id: str
    award_type: AwardType
    before: AwardFigures
    after: AwardFigures
    plan: PlanCode = PlanCode.INCENTIVE_1998


@dataclass(frozen=True, slots=True)
class CorrectionNotice(_ToParticipant):
    """A correction or an administrator decision, told to the participant award by
    award, before and after (docs/plan-rules.md "Corrections", "Administrator decisions")."""

    kind: ClassVar[str] = "correction"

    request_id: str
    action: str
    awards: tuple[ChangedAward, ...]
    deceased: bool = False
    # An ISO's exercise period extended past what Code §422(a)(2) allows.
    iso_extended: bool = False
    # A decision applied after its date, as of that date (docs/plan-rules.md
    # "Administrator decisions"); None: applied on its date.
    decided_on: date | None = None
    # Reminder days of a moved deadline already past when it moved: not sent late.
    reminders_not_sent: tuple[date, ...] = ()
    # The day a decision takes effect (accelerate_vesting: its effective_date;
    # otherwise its decision_date); None for a correction, which is as of the fact.
    effective_on: date | None = None


@dataclass(frozen=True, slots=True)
class StatementLine(_AwardLine):
    """One award in a participant's statement, as of the statement's day."""

    grant_date: date
    exercise_price: Decimal | None
    shares_granted: int
    shares_exercised: int
    shares_forfeited: int
    shares_expired: int
    shares_outstanding: int
    vested_shares: int
    exercisable_shares: int
    exercise_deadline: date | None
    status: str
    # The shares granted with ISO treatment and as non-qualified options (Code §422(d)).
    iso_shares: int = 0
    nso_shares: int = 0
    # Performance awards (1998 §6.a.(9)): the criteria, and the target shares of the
    # tranches due that the Committee has not certified yet.
    performance_criteria: str | None = None
    shares_awaiting_certification: int = 0
    # The next tranche to vest after the statement's day (none once service has ended).
    next_vesting: Tranche | None = None


@dataclass(frozen=True, slots=True)
class StatementDeferredLine(_DeferredLine):
    """Deferred stock in lieu of fees in a statement (Directors §7)."""

    amount: Decimal
    shares: int
    cash_in_lieu: Decimal
    issue_date: date
    status: str


@dataclass(frozen=True, slots=True)
class StatementNotice(_ToParticipant):
    """What a participant holds under both plans on `as_of`: the annual statement
    (docs/interfaces.md §4: its subject begins "Annual statement") or one asked for with
    `stockplan statement`."""

    kind: ClassVar[str] = "statement"

    as_of: date
    annual: bool
    awards: tuple[StatementLine, ...]
    deferred: tuple[StatementDeferredLine, ...] = ()
    deceased: bool = False


@dataclass(frozen=True, slots=True)
class Form3921Exercise:
    """One ISO exercise in a Form 3921 statement (Code §6039)."""

    award_id: str
    grant_date: date
    exercise_date: date
    exercise_price: Decimal
    # FMV per share on the exercise date and the day of its Closing Price; None: the
    # exercise waits for its price.
    fmv: Decimal | None
    fmv_day: date | None
    iso_shares: int


@dataclass(frozen=True, slots=True)
class Form3921Notice(_ToParticipant):
    """The Form 3921 information statement of `year` (Code §6039; docs/interfaces.md
    §4: its subject begins "Form 3921"): one section per ISO exercise of the year."""

    kind: ClassVar[str] = "form-3921"

    company: str
    year: int
    exercises: tuple[Form3921Exercise, ...]
    deceased: bool = False


@dataclass(frozen=True, slots=True)
class PoolChartBar:
    """One month of a pool chart, in SVG user units (stockplan.notices.chart)."""

    month: str
    label: str
    x: float
    width: float
    delivered_y: float
    delivered_h: float
    outstanding_y: float
    outstanding_h: float
    reserved_y: float | None  # None: no figures, or a reserve above the chart's scale
    figures: tuple[int, int, int, int] | None  # reserved, outstanding, delivered, available


@dataclass(frozen=True, slots=True)
class PoolReportLine:
    """A plan's pool in the monthly report: now, and month by month (1998 §4.a;
    Directors §4(a))."""

    plan: PlanCode
    reserved: int
    outstanding: int
    delivered: int
    available: int
    chart: tuple[PoolChartBar, ...]
    scale_max: int


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A row of one of the monthly report's lists: its cells as text, in column order."""

    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportSection:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[ReportRow, ...]
    # Sub-headings within the list: (row index it starts at, title), e.g. each cause.
    groups: tuple[tuple[int, str], ...] = ()
    empty: str = "none"


@dataclass(frozen=True, slots=True)
class MonthlyReportNotice:
    """The administrator's monthly report (docs/interfaces.md §4: its subject begins
    "Monthly report"): pools with 24 months of history, the deadlines of the next 90
    days, the month's changes by cause, rejected rows and undelivered notices."""

    kind: ClassVar[str] = "monthly-report"

    month: str  # YYYY-MM
    made_on: date
    pools: tuple[PoolReportLine, ...]
    sections: tuple[ReportSection, ...]
    # Rows listed per section (the email); None: every row (the report file).
    limit: int | None = None
    # Where the whole report is kept (bucket keys), named in the email.
    files: tuple[str, ...] = ()


Notice = (
    CorrectionNotice
    | TerminationNotice
    | ReminderNotice
    | ExpiryNotice
    | FormulaGrantNotice
    | DeferredAwardNotice
    | DeferredIssueNotice
    | GrantNotice
    | ExerciseConfirmation
    | SplitNotice
    | CoveredTransactionNotice
    | CoveredTransactionAnnouncement
    | FeedRejectionSummary
    | AdminAlert
    | StatementNotice
    | Form3921Notice
    | MonthlyReportNotice
)
