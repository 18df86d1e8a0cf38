"""S3 keys of feeds (docs/interfaces.md §1) and the feed kinds."""

from __future__ import annotations

import pytest

from stockplan.feeds import FEED_ORDER, FeedKind, KeyRejected, kind_from_key


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("incoming/grants/2003-06-30.csv", FeedKind.GRANTS),
        ("incoming/participants/hr export.CSV", FeedKind.PARTICIPANTS),
        ("incoming/corporate_actions/split.Csv", FeedKind.CORPORATE_ACTIONS),
        ("incoming/prices/a.b.csv", FeedKind.PRICES),
    ],
)
def test_key_under_incoming_kind_names_its_feed(key: str, kind: FeedKind) -> None:
    assert kind_from_key(key) is kind


@pytest.mark.parametrize(
    ("key", "reason_part"),
    [
        ("errors/incoming/grants/a.csv", "must start with 'incoming/'"),
        ("grants/a.csv", "must start with 'incoming/'"),
        ("/incoming/grants/a.csv", "must start with 'incoming/'"),
        ("Incoming/grants/a.csv", "must start with 'incoming/'"),
        ("incoming/grants/../prices/a.csv", "'..'"),
        ("incoming/../grants/a.csv", "'..'"),
        ("incoming/grants/./a.csv", "'.'"),
        ("incoming/grants/2003/a.csv", "no sub-folders"),
        ("incoming/grants.csv", "no sub-folders"),
        ("incoming//a.csv", "no feed kind"),
        ("incoming/grants/", "empty file name"),
        ("incoming/grants/.csv", "nothing before .csv"),
        ("incoming/grants/ .csv", "nothing before .csv"),
        ("incoming/awards/a.csv", "unknown feed kind 'awards'"),
        ("incoming/Grants/a.csv", "unknown feed kind 'Grants'"),
        ("incoming/grants/a.xlsx", "does not end in .csv"),
        ("incoming/grants/a.csv.txt", "does not end in .csv"),
        ("incoming/grants/a\x00.csv", "control characters"),
        ("incoming/grants/a\n.csv", "control characters"),
        ("incoming/grants/..\\a.csv", "backslash"),
    ],
)
def test_key_outside_the_feed_layout_is_rejected_with_reason(key: str, reason_part: str) -> None:
    with pytest.raises(KeyRejected) as caught:
        kind_from_key(key)
    assert reason_part in caught.value.reason
    assert caught.value.key == key


def test_feed_order_is_the_simulate_upload_order_of_interfaces_3() -> None:
    assert [kind.value for kind in FEED_ORDER] == [
        "participants",
        "prices",
        "grants",
        "elections",
        "fees",
        "meetings",
        "exercises",
        "terminations",
        "corrections",
        "decisions",
        "plan_actions",
        "corporate_actions",
    ]
    assert set(FEED_ORDER) == set(FeedKind)


@pytest.mark.parametrize(
    ("kind", "required", "optional"),
    [
        (
            FeedKind.PARTICIPANTS,
            ("participant_id", "name", "email", "role"),
            ("personal_email", "estate_email", "ten_percent_holder", "effective_date"),
        ),
        (
            FeedKind.GRANTS,
            ("award_id", "participant_id", "plan", "award_type", "grant_date", "shares"),
            ("exercise_price", "final_exercise_date", "vesting", "performance_criteria"),
        ),
        (FeedKind.PRICES, ("date",), ("last_sale", "high_bid", "low_ask")),
        (FeedKind.TERMINATIONS, ("participant_id", "termination_date", "reason"), ("service",)),
        (FeedKind.MEETINGS, ("meeting_date", "participant_id", "outcome"), ()),
        (FeedKind.ELECTIONS, ("participant_id", "notice_date", "action"), ()),
        (FeedKind.FEES, ("participant_id", "fee_type", "fee_date", "amount"), ()),
        (
            FeedKind.EXERCISES,
            ("award_id", "exercise_date", "shares"),
            ("shares_withheld", "shares_tendered", "payment", "exercise_id"),
        ),
        (
            FeedKind.CORPORATE_ACTIONS,
            ("action_date", "action"),
            ("ratio", "assumed", "exchange_ratio", "acquirer"),
        ),
        (
            FeedKind.CORRECTIONS,
            ("request_id", "action"),
            (
                "participant_id",
                "award_id",
                "exercise_id",
                "exercise_date",
                "termination_date",
                "reason",
                "grant_date",
                "shares",
                "exercise_price",
                "final_exercise_date",
                "vesting",
                "participant_consent",
                "note",
                # withdraw_corporate_action (§1b): the action's date, and which action
                # where a split and a covered transaction share it.
                "action_date",
                "corporate_action",
            ),
        ),
        (
            FeedKind.DECISIONS,
            ("request_id", "action", "award_id", "decision_date"),
            ("new_deadline", "shares", "effective_date", "note"),
        ),
        (
            FeedKind.PLAN_ACTIONS,
            ("request_id", "action", "plan", "effective_date"),
            ("shares", "approved_on", "note"),
        ),
    ],
)
def test_columns_of_each_kind_are_those_of_interfaces_1(
    kind: FeedKind, required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    assert kind.required_columns == required
    assert kind.optional_columns == optional
    assert kind.columns == required + optional
