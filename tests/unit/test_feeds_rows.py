"""Each data row is accepted or rejected on its own (docs/interfaces.md §1)."""
# ruff: noqa: E501  (the table of rules below keeps one case per line)

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from test_feeds_support import GOOD_ROWS, excel, feed

from stockplan.domain.model import (
    Award,
    AwardType,
    CorporateAction,
    CorporateActionKind,
    Election,
    ElectionAction,
    FeeType,
    MeetingOutcome,
    Participant,
    PlanCode,
    PriceBar,
    Role,
    Termination,
    TerminationReason,
    Tranche,
)
from stockplan.feeds import (
    ROW_MODELS,
    CorporateActionRow,
    ElectionRow,
    ExerciseRow,
    FeedKind,
    FeedLimits,
    FeeRow,
    GrantRow,
    MeetingRow,
    ParticipantRow,
    PriceRow,
    TerminationRow,
    parse_feed,
)

# --- happy paths: typed values ---------------------------------------------------------


def only_value(kind: FeedKind, **changes: str) -> object:
    parsed = parse_feed(kind, excel(kind, changes))
    assert parsed.rejections == [], parsed.rejections
    return parsed.rows[0].value


def test_participant_row_is_typed_and_maps_to_the_domain() -> None:
    value = only_value(FeedKind.PARTICIPANTS, email="Ann@CTC.Example.COM", role="Employee")
    assert isinstance(value, ParticipantRow)
    assert value.to_domain() == Participant(
        participant_id="P-17",
        name="Ann Smith",
        email="Ann@ctc.example.com",
        role=Role.EMPLOYEE,
        personal_email="ann@home.example.com",
        estate_email=None,
        ten_percent_holder=False,
    )


@pytest.mark.parametrize(("cell", "expected"), [("", False), ("TRUE", True), ("False", False)])
def test_ten_percent_holder_is_true_or_false_default_false(cell: str, expected: bool) -> None:
    value = only_value(FeedKind.PARTICIPANTS, ten_percent_holder=cell)
    assert isinstance(value, ParticipantRow)
    assert value.ten_percent_holder is expected


def test_reserved_test_domain_is_accepted_for_simulations() -> None:
    value = only_value(FeedKind.PARTICIPANTS, email="p3@ctc.test")
    assert isinstance(value, ParticipantRow)
    assert value.email == "p3@ctc.test"


def test_grant_row_is_typed_and_maps_to_the_domain() -> None:
    value = only_value(
        FeedKind.GRANTS, award_type="NSO", vesting="2001-10-04:6000; 2000-10-04:6000;"
    )
    assert isinstance(value, GrantRow)
    assert value.to_domain() == Award(
        award_id="G-0042",
        participant_id="P-17",
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.NSO,
        grant_date=date(1999, 10, 4),
        shares_granted=12000,
        exercise_price=Decimal("31.125"),
        final_exercise_date=date(2009, 10, 4),
        tranches=(Tranche(date(2000, 10, 4), 6000), Tranche(date(2001, 10, 4), 6000)),
        # An option's deadline starts as its final exercise date.
        exercise_deadline=date(2009, 10, 4),
    )


def test_grant_with_empty_vesting_is_vested_at_grant() -> None:
    value = only_value(FeedKind.GRANTS, vesting="")
    assert isinstance(value, GrantRow)
    assert value.vesting == ()


@pytest.mark.parametrize(
    "award_type",
    ["restricted_stock", "unrestricted_stock", "deferred_stock", "performance"],
)
def test_awards_needing_no_exercise_need_no_price_or_final_date(award_type: str) -> None:
    value = only_value(
        FeedKind.GRANTS, award_type=award_type, exercise_price="", final_exercise_date=""
    )
    assert isinstance(value, GrantRow)
    assert value.exercise_price is None
    assert value.to_domain().exercise_deadline is None


def test_directors_plan_discretionary_option_is_accepted() -> None:
    value = only_value(FeedKind.GRANTS, plan="directors-1999", award_type="discretionary_option")
    assert isinstance(value, GrantRow)
    assert value.award_type is AwardType.DISCRETIONARY_OPTION


@pytest.mark.parametrize(
    "cells",
    [
        {"plan": "directors-1999", "award_type": "formula_option"},
        {"plan": "directors-1999", "award_type": "iso"},
        {"exercise_price": "", "final_exercise_date": ""},
        {"final_exercise_date": "1999-10-04"},
        {"vesting": "1999-10-03:6000;2001-10-04:5000"},
    ],
)
def test_grant_rules_are_left_to_the_domain_the_row_only_parses(cells: dict[str, str]) -> None:
    """The grants feed parses cells; the plan's grant rules are checked once, in
    stockplan.domain.grants.validate_grant, when the row is applied."""
    assert isinstance(only_value(FeedKind.GRANTS, **cells), GrantRow)


def test_price_row_keeps_sixteenths_exact() -> None:
    value = only_value(FeedKind.PRICES, last_sale="15.0625")
    assert isinstance(value, PriceRow)
    assert value.to_domain() == PriceBar(
        day=date(2001, 2, 13),
        last_sale=Decimal("15.0625"),
        high_bid=Decimal("39.875"),
        low_ask=Decimal("40.0625"),
    )


def test_price_row_without_last_sale_needs_bid_and_ask() -> None:
    value = only_value(FeedKind.PRICES, last_sale="")
    assert isinstance(value, PriceRow)
    assert value.last_sale is None


def test_termination_meeting_election_fee_rows_are_typed() -> None:
    termination = only_value(FeedKind.TERMINATIONS, reason="Death")
    assert isinstance(termination, TerminationRow)
    assert termination.to_domain() == Termination(
        "P-17", date(2002, 5, 31), TerminationReason.DEATH
    )
    meeting = only_value(FeedKind.MEETINGS, outcome="NOT_CONTINUING")
    assert isinstance(meeting, MeetingRow)
    assert (meeting.meeting_date, meeting.outcome) == (
        date(2001, 2, 14),
        MeetingOutcome.NOT_CONTINUING,
    )
    election = only_value(FeedKind.ELECTIONS, action="revoke")
    assert isinstance(election, ElectionRow)
    assert election.to_domain() == Election("P-3", date(2000, 12, 1), ElectionAction.REVOKE)
    fee = only_value(FeedKind.FEES, fee_type="annual")
    assert isinstance(fee, FeeRow)
    assert (fee.fee_type, fee.amount) == (FeeType.ANNUAL, Decimal("1500.00"))


@pytest.mark.parametrize(("cell", "expected"), [("", 0), ("100", 100), ("3000", 3000)])
def test_exercise_shares_withheld_defaults_to_zero(cell: str, expected: int) -> None:
    value = only_value(FeedKind.EXERCISES, shares_withheld=cell)
    assert isinstance(value, ExerciseRow)
    assert (value.shares, value.shares_withheld) == (3000, expected)


def test_split_and_covered_transaction_map_to_the_domain_as_fed() -> None:
    """A cell the action does not use is kept (the service records the action as fed,
    and a re-upload compares with it)."""
    split = only_value(FeedKind.CORPORATE_ACTIONS, ratio="2", assumed="true")
    assert isinstance(split, CorporateActionRow)
    assert split.to_domain() == CorporateAction(
        date(2002, 3, 1), CorporateActionKind.SPLIT, ratio=Decimal(2), assumed=True
    )
    covered = only_value(
        FeedKind.CORPORATE_ACTIONS, action="Covered_Transaction", ratio="", assumed="FALSE"
    )
    assert isinstance(covered, CorporateActionRow)
    assert covered.to_domain() == CorporateAction(
        date(2002, 3, 1), CorporateActionKind.COVERED_TRANSACTION, assumed=False
    )


def test_every_kind_has_its_row_model() -> None:
    assert set(ROW_MODELS) == set(FeedKind)
    for kind, model in ROW_MODELS.items():
        assert model.kind is kind
        assert set(model.model_fields) == set(kind.columns)


# --- one bad row among good ones -------------------------------------------------------

G = FeedKind.GRANTS
ROW_RULES: list[tuple[str, FeedKind, dict[str, str], str]] = [
    # ids
    ("id_empty", FeedKind.PARTICIPANTS, {"participant_id": ""}, "participant_id: required, but the cell is empty"),
    ("id_blank_only", FeedKind.PARTICIPANTS, {"participant_id": "   "}, "participant_id: required, but the cell is empty"),
    ("id_with_space", G, {"award_id": "G 1"}, "award_id: must be 1 to 64 characters among A-Z a-z 0-9 . _ -, got 'G 1'"),
    ("id_too_long", G, {"award_id": "G" * 65}, "award_id: must be 1 to 64 characters among A-Z a-z 0-9 . _ -, got 'GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG…'"),
    ("id_non_ascii", G, {"participant_id": "P-١٧"}, "participant_id: must be 1 to 64 characters among A-Z a-z 0-9 . _ -, got 'P-١٧'"),
    # dates
    ("date_us_format", G, {"grant_date": "10/04/1999"}, "grant_date: must be a date written YYYY-MM-DD, got '10/04/1999'"),
    ("date_compact", G, {"grant_date": "19991004"}, "grant_date: must be a date written YYYY-MM-DD, got '19991004'"),
    ("date_with_time", G, {"grant_date": "1999-10-04T00:00"}, "grant_date: must be a date written YYYY-MM-DD, got '1999-10-04T00:00'"),
    ("date_not_in_calendar", G, {"grant_date": "1999-02-29"}, "grant_date: '1999-02-29' is not a calendar date"),
    ("date_before_1990", FeedKind.PRICES, {"date": "1989-12-31"}, "date: must be between 1990-01-01 and 2100-12-31, got '1989-12-31'"),
    ("date_after_2100", FeedKind.TERMINATIONS, {"termination_date": "2101-01-01"}, "termination_date: must be between 1990-01-01 and 2100-12-31, got '2101-01-01'"),
    ("date_unicode_digits", FeedKind.MEETINGS, {"meeting_date": "２００１-02-14"}, "meeting_date: must be a date written YYYY-MM-DD, got '２００１-02-14'"),
    # share counts
    ("shares_fraction", G, {"shares": "1.5"}, "shares: must be a whole number of shares, got '1.5'"),
    ("shares_negative", FeedKind.EXERCISES, {"shares": "-3"}, "shares: must be a whole number of shares, got '-3'"),
    ("shares_exponent", G, {"shares": "1e3"}, "shares: must be a whole number of shares, got '1e3'"),
    ("shares_thousands_separator", G, {"shares": "1,000"}, "shares: must be a whole number of shares, got '1,000'"),
    ("shares_zero_granted", G, {"shares": "0", "vesting": ""}, "shares: must be more than 0 shares, got '0'"),
    ("shares_zero_exercised", FeedKind.EXERCISES, {"shares": "0", "shares_withheld": ""}, "shares: must be more than 0 shares, got '0'"),
    ("shares_absurdly_large", G, {"shares": "9" * 16, "vesting": ""}, "shares: is too large a number of shares, got '9999999999999999'"),
    ("withheld_negative", FeedKind.EXERCISES, {"shares_withheld": "-1"}, "shares_withheld: must be a whole number of shares, got '-1'"),
    ("withheld_above_shares", FeedKind.EXERCISES, {"shares_withheld": "3001"}, "shares_withheld: 3001 is more than the 3000 shares exercised"),
    # money and prices
    ("price_exponent", G, {"exercise_price": "1e2"}, "exercise_price: must be a plain decimal number like 12.50, got '1e2'"),
    ("price_nan", FeedKind.PRICES, {"last_sale": "NaN"}, "last_sale: must be a plain decimal number like 12.50, got 'NaN'"),
    ("price_infinity", FeedKind.PRICES, {"high_bid": "Infinity"}, "high_bid: must be a plain decimal number like 12.50, got 'Infinity'"),
    ("price_negative", G, {"exercise_price": "-31.125"}, "exercise_price: must be a plain decimal number like 12.50, got '-31.125'"),
    ("price_zero", FeedKind.PRICES, {"last_sale": "0"}, "last_sale: must be more than 0, got '0'"),
    ("price_currency_sign", G, {"exercise_price": "$31.125"}, "exercise_price: must be a plain decimal number like 12.50, got '$31.125'"),
    ("price_too_many_digits", FeedKind.PRICES, {"last_sale": "1.00000000001"}, "last_sale: has too many digits (at most 12 before and 10 after the decimal point), got '1.00000000001'"),
    ("amount_zero", FeedKind.FEES, {"amount": "0.00"}, "amount: must be more than 0, got '0.00'"),
    ("amount_negative", FeedKind.FEES, {"amount": "-1500"}, "amount: must be a plain decimal number like 12.50, got '-1500'"),
    # enums, booleans, emails, text
    ("role_unknown", FeedKind.PARTICIPANTS, {"role": "manager"}, "role: must be one of employee, director, consultant, got 'manager'"),
    ("plan_unknown", G, {"plan": "incentive-2000"}, "plan: must be one of incentive-1998, directors-1999, got 'incentive-2000'"),
    ("termination_reason_unknown", FeedKind.TERMINATIONS, {"reason": "layoff"}, "reason: must be one of death, cause, voluntary, involuntary, retirement, disability, other, got 'layoff'"),
    ("meeting_outcome_unknown", FeedKind.MEETINGS, {"outcome": "re-elected"}, "outcome: must be one of elected, reelected, continuing, not_continuing, got 're-elected'"),
    ("election_action_unknown", FeedKind.ELECTIONS, {"action": "defer"}, "action: must be one of elect, revoke, got 'defer'"),
    ("fee_type_unknown", FeedKind.FEES, {"fee_type": "retainer"}, "fee_type: must be one of annual, meeting, got 'retainer'"),
    ("corporate_action_unknown", FeedKind.CORPORATE_ACTIONS, {"action": "merger"}, "action: must be one of split, covered_transaction, got 'merger'"),
    ("bool_yes", FeedKind.PARTICIPANTS, {"ten_percent_holder": "yes"}, "ten_percent_holder: must be true or false, got 'yes'"),
    ("email_without_at", FeedKind.PARTICIPANTS, {"email": "ann.example.com"}, "email: is not a valid email address, got 'ann.example.com': An email address must have an @-sign."),
    ("email_display_name", FeedKind.PARTICIPANTS, {"personal_email": "Ann <ann@example.com>"}, "personal_email: is not a valid email address, got 'Ann <ann@example.com>': A display name and angle brackets around the email address are not permitted here."),
    ("name_with_control_character", FeedKind.PARTICIPANTS, {"name": "Ann\x07"}, "name: must be on one line, without control characters"),
    # grants
    ("grant_vesting_no_colon", G, {"vesting": "2000-10-04 12000"}, "vesting: tranches must be written YYYY-MM-DD:N;YYYY-MM-DD:N, got '2000-10-04 12000'"),
    ("grant_vesting_bad_date", G, {"vesting": "2000-13-04:12000"}, "vesting: tranche '2000-13-04:12000': '2000-13-04' is not a calendar date"),
    ("grant_vesting_zero_tranche", G, {"vesting": "2000-10-04:0;2001-10-04:12000"}, "vesting: tranche '2000-10-04:0': must be more than 0 shares, got '0'"),
    # prices
    ("price_no_sale_no_quotes", FeedKind.PRICES, {"last_sale": "", "high_bid": ""}, "last_sale, or both high_bid and low_ask, are needed (Directors §6(c))"),
    ("price_bid_above_ask", FeedKind.PRICES, {"high_bid": "40.125"}, "high_bid 40.125 is above low_ask 40.0625"),
    # corporate actions
    ("split_without_ratio", FeedKind.CORPORATE_ACTIONS, {"ratio": ""}, "ratio: required for a split (new shares per old share)"),
    ("split_ratio_zero", FeedKind.CORPORATE_ACTIONS, {"ratio": "0"}, "ratio: must be more than 0, got '0'"),
    ("covered_without_assumed", FeedKind.CORPORATE_ACTIONS, {"action": "covered_transaction", "ratio": ""}, "assumed: required for a covered_transaction (true or false)"),
    ("covered_assumed_not_boolean", FeedKind.CORPORATE_ACTIONS, {"action": "covered_transaction", "assumed": "maybe"}, "assumed: must be true or false, got 'maybe'"),
    # several cells wrong at once: each named
    ("several_cells_each_named", FeedKind.FEES, {"participant_id": "", "amount": "abc"}, "participant_id: required, but the cell is empty; amount: must be a plain decimal number like 12.50, got 'abc'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "bad", "reason"),
    [case[1:] for case in ROW_RULES],
    ids=[case[0] for case in ROW_RULES],
)
def test_bad_row_is_rejected_with_its_number_and_reason_good_rows_still_parse(
    kind: FeedKind, bad: dict[str, str], reason: str
) -> None:
    parsed = parse_feed(kind, excel(kind, {}, bad, {}))
    assert [row.row_number for row in parsed.rows] == [1, 3]
    assert len(parsed.rejections) == 1
    rejection = parsed.rejections[0]
    assert rejection.row_number == 2
    assert rejection.reason == reason
    assert rejection.record == {
        **GOOD_ROWS[kind],
        **{k: v.strip() for k, v in bad.items()},
        "notes": "anything",
    }


def test_reason_never_shows_pydantic_internals() -> None:
    for _, kind, bad, _reason in ROW_RULES:
        rejection = parse_feed(kind, feed(kind, bad)).rejections[0]
        for noise in ("Value error", "pydantic", "input_value", "type=", "[type"):
            assert noise not in rejection.reason


def test_over_long_cell_is_rejected_without_echoing_it() -> None:
    limits = FeedLimits(max_cell=20)
    data = feed(FeedKind.PARTICIPANTS, {}, {"name": "A" * 21}, {"name": "A" * 20})
    parsed = parse_feed(FeedKind.PARTICIPANTS, data, limits)
    assert [row.row_number for row in parsed.rows] == [1, 3]
    assert parsed.rejections[0].reason == "name: longer than 20 characters"


def test_default_cell_limit_is_1000_characters() -> None:
    data = feed(FeedKind.PARTICIPANTS, {"name": "A" * 1000}, {"name": "A" * 1001})
    parsed = parse_feed(FeedKind.PARTICIPANTS, data)
    assert [r.row_number for r in parsed.rows] == [1]
    assert parsed.rejections[0].reason == "name: longer than 1000 characters"


def test_long_cell_in_an_ignored_column_does_not_reject_the_row() -> None:
    data = excel(FeedKind.PRICES, {}).replace(b"anything", b"x" * 2000)
    assert len(parse_feed(FeedKind.PRICES, data).rows) == 1


def test_braces_in_a_cell_do_not_break_the_reason() -> None:
    parsed = parse_feed(FeedKind.FEES, feed(FeedKind.FEES, {"amount": "{reason}{0}"}))
    assert parsed.rejections[0].reason == (
        "amount: must be a plain decimal number like 12.50, got '{reason}{0}'"
    )
