"""One pydantic model per feed kind: a data row, validated on its own.

Models take the row's record (`{column: stripped cell text}`); empty cells count as
absent, so optional columns take their defaults and required ones are reported empty.
Field names are the column names. Row-level rules (those involving several cells)
raise one error whose reason names the columns concerned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar, cast

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from stockplan.domain.model import (
    Award,
    CorporateAction,
    CorporateActionKind,
    CorrectionAction,
    DecisionAction,
    Election,
    Participant,
    PlanAction,
    PlanActionKind,
    PriceBar,
    Termination,
)
from stockplan.feeds.kinds import FeedKind
from stockplan.feeds.values import (
    AwardTypeCell,
    BoolCell,
    CorporateActionCell,
    CorrectionActionCell,
    DateCell,
    DecisionActionCell,
    ElectionActionCell,
    EmailCell,
    FeeTypeCell,
    IdCell,
    MeetingOutcomeCell,
    OptionalBoolCell,
    OptionalCorporateActionCell,
    OptionalCountCell,
    OptionalDateCell,
    OptionalEmailCell,
    OptionalIdCell,
    OptionalPositiveDecimalCell,
    OptionalServiceCell,
    OptionalSharesCell,
    OptionalTerminationReasonCell,
    OptionalTextCell,
    OptionalVestingCell,
    PaymentCell,
    PlanActionCell,
    PlanCell,
    PositiveDecimalCell,
    PositiveSharesCell,
    RoleCell,
    SharesCell,
    TerminationReasonCell,
    TextCell,
    VestingCell,
)


def _row_error(problems: list[str]) -> PydanticCustomError:
    return PydanticCustomError("feed_row", "{reason}", {"reason": "; ".join(problems)})


_D = TypeVar("_D")


class FeedRow(BaseModel):
    """Base of every row model."""

    # defer_build: a file is of one kind, so an invocation builds only its row model
    # (building all nine at import was a fifth of the FeedFunction's cold start).
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", defer_build=True)

    kind: ClassVar[FeedKind]

    @model_validator(mode="before")
    @classmethod
    def _empty_cells_are_absent(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {key: value for key, value in data.items() if value != ""}
        return data

    def _as(self, domain_type: type[_D]) -> _D:
        """The domain object whose every field is this row's cell of the same name."""
        names = (f.name for f in dataclasses.fields(cast(Any, domain_type)))
        return domain_type(**{name: getattr(self, name) for name in names})


class ParticipantRow(FeedRow):
    kind: ClassVar[FeedKind] = FeedKind.PARTICIPANTS

    participant_id: IdCell
    name: TextCell
    email: EmailCell
    role: RoleCell
    personal_email: OptionalEmailCell = None
    estate_email: OptionalEmailCell = None
    ten_percent_holder: BoolCell = False
    # The first day of a new role (docs/plan-rules.md "Facts in time").
    effective_date: OptionalDateCell = None

    def to_domain(self) -> Participant:
        return self._as(Participant)


class GrantRow(FeedRow):
    """A grant's cells. Its rules (the plan's award types, the terms an option needs,
    the vesting) are the domain's: stockplan.domain.grants.validate_grant."""

    kind: ClassVar[FeedKind] = FeedKind.GRANTS

    award_id: IdCell
    participant_id: IdCell
    plan: PlanCell
    award_type: AwardTypeCell
    grant_date: DateCell
    shares: PositiveSharesCell
    exercise_price: OptionalPositiveDecimalCell = None
    final_exercise_date: OptionalDateCell = None
    # Empty: vested in full at grant.
    vesting: VestingCell = ()
    # Required for performance awards (1998 §6.a.(9)): checked with the grant's rules.
    performance_criteria: OptionalTextCell = None

    def to_domain(self) -> Award:
        return Award(
            award_id=self.award_id,
            participant_id=self.participant_id,
            plan=self.plan,
            award_type=self.award_type,
            grant_date=self.grant_date,
            shares_granted=self.shares,
            exercise_price=self.exercise_price,
            final_exercise_date=self.final_exercise_date,
            tranches=self.vesting,
            # Until a rule moves it, an option's deadline is its final exercise date.
            exercise_deadline=(
                self.final_exercise_date if self.award_type.requires_exercise else None
            ),
            performance_criteria=self.performance_criteria,
        )


class PriceRow(FeedRow):
    kind: ClassVar[FeedKind] = FeedKind.PRICES

    date: DateCell
    last_sale: OptionalPositiveDecimalCell = None
    high_bid: OptionalPositiveDecimalCell = None
    low_ask: OptionalPositiveDecimalCell = None

    @model_validator(mode="after")
    def _price_rules(self) -> PriceRow:
        if self.last_sale is None and (self.high_bid is None or self.low_ask is None):
            raise _row_error(
                ["last_sale, or both high_bid and low_ask, are needed (Directors §6(c))"]
            )
        if self.high_bid is not None and self.low_ask is not None and self.high_bid > self.low_ask:
            raise _row_error([f"high_bid {self.high_bid} is above low_ask {self.low_ask}"])
        return self

    def to_domain(self) -> PriceBar:
        return PriceBar(
            day=self.date,
            last_sale=self.last_sale,
            high_bid=self.high_bid,
            low_ask=self.low_ask,
        )


class TerminationRow(FeedRow):
    kind: ClassVar[FeedKind] = FeedKind.TERMINATIONS

    participant_id: IdCell
    termination_date: DateCell
    reason: TerminationReasonCell
    # The relationship that ended; blank: every one.
    service: OptionalServiceCell = None

    def to_domain(self) -> Termination:
        return self._as(Termination)


class MeetingRow(FeedRow):
    kind: ClassVar[FeedKind] = FeedKind.MEETINGS

    meeting_date: DateCell
    participant_id: IdCell
    outcome: MeetingOutcomeCell


class ElectionRow(FeedRow):
    kind: ClassVar[FeedKind] = FeedKind.ELECTIONS

    participant_id: IdCell
    notice_date: DateCell
    action: ElectionActionCell

    def to_domain(self) -> Election:
        return self._as(Election)


class FeeRow(FeedRow):
    kind: ClassVar[FeedKind] = FeedKind.FEES

    participant_id: IdCell
    fee_type: FeeTypeCell
    fee_date: DateCell
    amount: PositiveDecimalCell


class ExerciseRow(FeedRow):
    kind: ClassVar[FeedKind] = FeedKind.EXERCISES

    award_id: IdCell
    exercise_date: DateCell
    shares: PositiveSharesCell
    shares_withheld: SharesCell = 0
    # Previously owned shares delivered to pay (1998 §4.a last sentence, §6.b.(3)).
    shares_tendered: SharesCell = 0
    payment: PaymentCell = "cash"
    # The company's reference; needed only to tell two equal exercises apart (§1a).
    exercise_id: OptionalIdCell = None

    @property
    def payment_forms(self) -> frozenset[str]:
        return frozenset(self.payment.split("+"))

    @model_validator(mode="after")
    def _withheld_within_shares(self) -> ExerciseRow:
        if self.shares_withheld > self.shares:
            raise _row_error(
                [
                    f"shares_withheld: {self.shares_withheld} is more than the"
                    f" {self.shares} shares exercised"
                ]
            )
        return self


class CorporateActionRow(FeedRow):
    kind: ClassVar[FeedKind] = FeedKind.CORPORATE_ACTIONS

    action_date: DateCell
    action: CorporateActionCell
    ratio: OptionalPositiveDecimalCell = None
    # Empty stays None: a covered transaction must say true or false.
    assumed: OptionalBoolCell = None
    # Blank = 1 (acquirer shares per share); read only when assumed.
    exchange_ratio: OptionalPositiveDecimalCell = None
    acquirer: OptionalTextCell = None

    @model_validator(mode="after")
    def _action_rules(self) -> CorporateActionRow:
        if self.action is CorporateActionKind.SPLIT and self.ratio is None:
            raise _row_error(["ratio: required for a split (new shares per old share)"])
        if self.action is CorporateActionKind.COVERED_TRANSACTION and self.assumed is None:
            raise _row_error(["assumed: required for a covered_transaction (true or false)"])
        return self

    def to_domain(self) -> CorporateAction:
        # Kept as fed: a cell the action does not use is recorded, not dropped.
        return CorporateAction(
            action_date=self.action_date,
            kind=self.action,
            ratio=self.ratio,
            assumed=self.assumed,
            exchange_ratio=self.exchange_ratio,
            acquirer=self.acquirer,
        )


# The columns each correction needs besides request_id and action (docs/interfaces.md §1b).
CORRECTION_COLUMNS: Mapping[CorrectionAction, tuple[str, ...]] = {
    CorrectionAction.REVERSE_TERMINATION: ("participant_id",),
    CorrectionAction.CORRECT_TERMINATION: ("participant_id", "termination_date", "reason"),
    CorrectionAction.VOID_EXERCISE: ("award_id", "exercise_date", "shares"),
    CorrectionAction.CORRECT_GRANT: ("award_id",),
    CorrectionAction.WITHDRAW_CORPORATE_ACTION: ("action_date",),
}
GRANT_TERMS = ("grant_date", "shares", "exercise_price", "final_exercise_date", "vesting")


class CorrectionRow(FeedRow):
    """A mistake in an earlier row, put right (docs/interfaces.md §1b)."""

    kind: ClassVar[FeedKind] = FeedKind.CORRECTIONS

    request_id: IdCell
    action: CorrectionActionCell
    participant_id: OptionalIdCell = None
    award_id: OptionalIdCell = None
    exercise_id: OptionalIdCell = None
    exercise_date: OptionalDateCell = None
    termination_date: OptionalDateCell = None
    reason: OptionalTerminationReasonCell = None
    grant_date: OptionalDateCell = None
    shares: OptionalSharesCell = None
    exercise_price: OptionalPositiveDecimalCell = None
    final_exercise_date: OptionalDateCell = None
    vesting: OptionalVestingCell = None
    participant_consent: BoolCell = False
    note: OptionalTextCell = None
    # withdraw_corporate_action: the action's date, and which action where a split and
    # a covered transaction share it (blank: the one recorded that day).
    action_date: OptionalDateCell = None
    corporate_action: OptionalCorporateActionCell = None

    @model_validator(mode="after")
    def _columns_of_the_action(self) -> CorrectionRow:
        missing = [c for c in CORRECTION_COLUMNS[self.action] if getattr(self, c) is None]
        problems = [f"{c}: required for {self.action.value}" for c in missing]
        if self.action is CorrectionAction.CORRECT_GRANT and all(
            getattr(self, c) is None for c in GRANT_TERMS
        ):
            problems.append(
                "correct_grant needs at least one of " + ", ".join(GRANT_TERMS) + " to change"
            )
        if problems:
            raise _row_error(problems)
        return self


class DecisionRow(FeedRow):
    """A decision the plans leave to the Administrator or the Board (docs/interfaces.md §1c)."""

    kind: ClassVar[FeedKind] = FeedKind.DECISIONS

    request_id: IdCell
    action: DecisionActionCell
    award_id: IdCell
    decision_date: DateCell
    new_deadline: OptionalDateCell = None
    # 0 is a certification that no share was earned (1998 §6.a.(9)).
    shares: OptionalCountCell = None
    effective_date: OptionalDateCell = None
    note: OptionalTextCell = None

    @model_validator(mode="after")
    def _columns_of_the_action(self) -> DecisionRow:
        if self.action is DecisionAction.EXTEND_EXERCISE_PERIOD and self.new_deadline is None:
            raise _row_error(["new_deadline: required for extend_exercise_period"])
        if self.action is DecisionAction.CERTIFY_PERFORMANCE and self.shares is None:
            raise _row_error(
                ["shares: required for certify_performance, the shares earned (0 if none)"]
            )
        if self.action is DecisionAction.ACCELERATE_VESTING and self.shares == 0:
            raise _row_error(["shares: must be a positive whole number"])
        return self


class PlanActionRow(FeedRow):
    """A change to a plan itself (docs/interfaces.md §1e; 1998 §9, Directors §8(f))."""

    kind: ClassVar[FeedKind] = FeedKind.PLAN_ACTIONS

    request_id: IdCell
    action: PlanActionCell
    plan: PlanCell
    effective_date: DateCell
    shares: OptionalSharesCell = None
    approved_on: OptionalDateCell = None
    note: OptionalTextCell = None

    @model_validator(mode="after")
    def _columns_of_the_action(self) -> PlanActionRow:
        if self.action is PlanActionKind.AMEND_RESERVE and self.shares is None:
            raise _row_error(["shares: required for amend_reserve (the new reserve)"])
        return self

    def to_domain(self) -> PlanAction:
        return PlanAction(
            request_id=self.request_id,
            kind=self.action,
            plan=self.plan,
            effective_date=self.effective_date,
            shares=self.shares,
            approved_on=self.approved_on,
            note=self.note,
        )


ROW_MODELS: Mapping[FeedKind, type[FeedRow]] = {
    model.kind: model
    for model in (
        ParticipantRow,
        GrantRow,
        PriceRow,
        TerminationRow,
        MeetingRow,
        ElectionRow,
        FeeRow,
        ExerciseRow,
        CorporateActionRow,
        CorrectionRow,
        DecisionRow,
        PlanActionRow,
    )
}
