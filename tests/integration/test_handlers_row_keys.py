"""Every fact once (docs/interfaces.md §1a), through the real FeedFunction on the embedded AWS:
re-uploaded, re-saved and corrected files; each kind's key; the administrator's summary.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    FEED_FUNCTION,
    PEOPLE_CSV,
    award,
    emails,
    errors_csv,
    feed,
    plain,
    put_object,
    report,
    run_daily,
    s3_event,
    subject,
    to,
)

MAR15 = date(2002, 3, 15)
APR1 = date(2002, 4, 1)
# The exercises file is fed the day after its first exercise, the day of its second
# (an exercise dated ahead is rejected, docs/plan-rules.md "Facts in time").
APR2 = date(2002, 4, 2)
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G-100,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,\n"
)


@pytest.fixture
def granted(local_stack: Any) -> Any:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-14,20.00\n", MAR15)
    feed(stack, "grants", GRANTS, MAR15)
    return stack


def pools(stack: Any, day: date) -> dict[str, Any]:
    return dict(report(stack, day)["pools"]["incentive-1998"])


def new_emails(stack: Any, before: int) -> list[Any]:
    return emails(stack)[before:]


# --- the four failures of the issue ---------------------------------------------------

EXERCISES = (
    "award_id,exercise_date,shares,shares_withheld\n"
    "G-100,2002-04-01,100,0\n"
    "G-100,2002-04-02,100,10\n"
    "G-100,2002-13-01,100,0\n"  # a typo: rejected
)


def test_an_exercises_file_resaved_from_excel_applies_no_exercise_twice(granted: Any) -> None:
    stack = granted
    first = feed(stack, "exercises", EXERCISES, APR2)
    assert (first["accepted"], first["rejected"]) == (2, 1)
    delivered = pools(stack, APR1)["delivered"]
    assert delivered == 190

    # The same rows re-saved by Excel: BOM, CRLF, quoted cells, blanks after commas,
    # columns reordered, header in another case, 100 written as 100.0 is not a share
    # count, so the value is written as " 100 ".
    resaved = (
        "\ufeffShares_Withheld, Exercise_Date ,SHARES,Award_ID\r\n"
        '"0", 2002-04-01 ," 100 ","G-100"\r\n'
        '10,"2002-04-02",100, G-100\r\n'
    ).encode()
    before = len(emails(stack))
    again = feed(stack, "exercises", resaved, date(2002, 4, 3), name="resaved")

    assert (again["accepted"], again["unchanged"], again["rejected"]) == (0, 2, 0)
    assert award(report(stack, APR1), "G-100")["shares_exercised"] == 200
    assert pools(stack, APR1)["delivered"] == delivered
    # Nothing reaches the participant; the administrator hears that nothing was new.
    (summary,) = new_emails(stack, before)
    assert to(summary) == ADMIN
    assert subject(summary) == "Feed exercises: nothing new in incoming/exercises/resaved.csv"


def test_an_exercises_file_uploaded_again_after_fixing_one_row_applies_only_that_row(
    granted: Any,
) -> None:
    stack = granted
    feed(stack, "exercises", EXERCISES, APR2)
    fixed = EXERCISES.replace("2002-13-01", "2002-04-03")

    again = feed(stack, "exercises", fixed, date(2002, 4, 4), name="fixed")

    assert (again["accepted"], again["unchanged"], again["rejected"]) == (1, 2, 0)
    assert award(report(stack, APR1), "G-100")["shares_exercised"] == 300
    assert pools(stack, APR1)["delivered"] == 290


def test_a_grant_reusing_an_award_id_with_other_terms_is_rejected_naming_the_first_row(
    granted: Any,
) -> None:
    stack = granted
    other = GRANTS.replace(",1000,20.00,", ",1500,18.00,")

    outcome = feed(stack, "grants", other, APR1, name="again")

    assert (outcome["accepted"], outcome["rejected"]) == (0, 1)
    (row,) = errors_csv(stack, "incoming/grants/again.csv")
    reason = row["reason"]
    assert "row 1 of incoming/grants/2002-03-15.csv" in reason
    assert "shares 1000 -> 1500" in reason and "exercise_price 20 -> 18" in reason
    assert "corrections" in reason
    assert award(report(stack, APR1), "G-100")["shares_granted"] == 1000


def test_a_grant_loaded_again_after_a_split_is_compared_with_its_terms_as_granted(
    granted: Any,
) -> None:
    stack = granted
    feed(stack, "corporate_actions", "action_date,action,ratio\n2002-06-03,split,2\n", APR1)
    run_daily(stack, date(2002, 6, 3))
    assert award(report(stack, date(2002, 6, 3)), "G-100")["shares_granted"] == 2000

    # The price written 20.0 instead of 20.00: the same value, and the terms as granted.
    again = feed(stack, "grants", GRANTS.replace("20.00", "20.0"), date(2002, 6, 4), name="x")

    assert (again["accepted"], again["unchanged"], again["rejected"]) == (0, 1, 0)


def test_a_termination_rejected_for_an_unknown_person_is_applied_when_uploaded_again(
    local_stack: Any,
) -> None:
    stack = local_stack
    terminations = "participant_id,termination_date,reason\nE1,2002-10-01,voluntary\n"
    first = feed(stack, "terminations", terminations, date(2002, 10, 2))
    assert (first["accepted"], first["rejected"]) == (0, 1)

    feed(stack, "participants", PEOPLE_CSV, date(2002, 10, 2))
    feed(stack, "prices", "date,last_sale\n2002-03-14,20.00\n", date(2002, 10, 2))
    feed(stack, "grants", GRANTS, date(2002, 10, 2))
    before = len(emails(stack))
    again = feed(stack, "terminations", terminations, date(2002, 10, 3), name="again")

    assert (again["accepted"], again["rejected"]) == (1, 0)
    assert award(report(stack, date(2002, 10, 3)), "G-100")["exercise_deadline"] == "2003-01-01"
    termination = [m for m in new_emails(stack, before) if "ann@home" in to(m)]
    assert len(termination) == 1


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("incoming/payroll/2002-03-15.csv", "unknown feed kind 'payroll'"),
        ("incoming/grants/2002-03-15.xlsx", "does not end in .csv"),
    ],
)
def test_an_upload_that_is_no_feed_is_reported_to_the_administrator_once(
    local_stack: Any, key: str, reason: str
) -> None:
    stack = local_stack
    version = put_object(stack, key, b"award_id\nG-1\n")
    event = s3_event(stack, "grants", key, MAR15, version=version)

    first = stack.invoke(FEED_FUNCTION, event)["files"][0]
    second = stack.invoke(FEED_FUNCTION, event)["files"][0]

    assert first["status"] == "rejected" and reason in first["file_reason"]
    assert second["status"] == "duplicate"
    (summary,) = emails(stack)
    assert to(summary) == ADMIN
    assert subject(summary) == f"Feed file rejected: {key}"
    assert reason in plain(summary)


# --- each kind's key (docs/interfaces.md §1a) ---------------------------------------------


def test_participants_a_second_row_with_other_details_updates_them(local_stack: Any) -> None:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    moved = "participant_id,name,email,role\nE1,Ann Lee-Park,ann.park@ctc.example.com,employee\n"

    outcome = feed(stack, "participants", moved, APR1, name="moved")

    assert (outcome["accepted"], outcome["rejected"]) == (1, 0)
    profile = stack.runtime.table().get("P#E1", "PROFILE")
    assert (profile["name"], profile["email"]) == ("Ann Lee-Park", "ann.park@ctc.example.com")
    # The older values uploaded again are an update back, not a duplicate.
    back = feed(stack, "participants", PEOPLE_CSV, date(2002, 4, 2), name="back")
    assert back["accepted"] == 1
    assert stack.runtime.table().get("P#E1", "PROFILE")["name"] == "Ann Lee"


def test_prices_a_different_price_replaces_one_nobody_used(local_stack: Any) -> None:
    stack = local_stack
    feed(stack, "prices", "date,last_sale\n2002-03-14,20.00\n", MAR15)

    outcome = feed(stack, "prices", "date,last_sale\n2002-03-14,21.50\n", MAR15, name="fix")

    assert (outcome["accepted"], outcome["rejected"]) == (1, 0)
    assert stack.runtime.table().get("PRICES", "2002-03-14")["last_sale"] == "21.50"


def test_prices_a_different_price_is_rejected_once_an_iso_grant_used_it(local_stack: Any) -> None:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-14,20.00\n", MAR15)
    feed(stack, "grants", GRANTS.replace(",nso,", ",iso,"), MAR15)

    outcome = feed(stack, "prices", "date,last_sale\n2002-03-14,21.50\n", APR1, name="fix")

    assert (outcome["accepted"], outcome["rejected"]) == (0, 1)
    (row,) = errors_csv(stack, "incoming/prices/fix.csv")
    assert "grant G-100" in row["reason"] and "Directors §6(c)" in row["reason"]
    assert stack.runtime.table().get("PRICES", "2002-03-14")["last_sale"] == "20.00"


def test_prices_a_price_used_by_a_formula_option_can_no_longer_be_replaced(
    local_stack: Any,
) -> None:
    stack = local_stack
    meeting = date(2001, 6, 7)
    feed(stack, "participants", PEOPLE_CSV, meeting)
    feed(stack, "prices", "date,last_sale\n2001-06-06,40.00\n", meeting)
    feed(
        stack, "meetings", "meeting_date,participant_id,outcome\n2001-06-07,D1,reelected\n", meeting
    )
    run_daily(stack, meeting)
    assert award(report(stack, meeting), "FO-2001-06-07-D1")["exercise_price"] == "40.00"

    outcome = feed(stack, "prices", "date,last_sale\n2001-06-06,41\n", meeting, name="late")

    assert outcome["rejected"] == 1
    (row,) = errors_csv(stack, "incoming/prices/late.csv")
    assert "formula options of the 2001-06-07 meeting" in row["reason"]


def test_terminations_a_different_second_termination_is_rejected_naming_the_first(
    granted: Any,
) -> None:
    stack = granted
    feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-10-01,voluntary\n",
        date(2002, 10, 2),
    )

    outcome = feed(
        stack,
        "terminations",
        "participant_id,termination_date,reason\nE1,2002-09-30,involuntary\n",
        date(2002, 10, 3),
        name="other",
    )

    assert outcome["rejected"] == 1
    # The file has a reason column of its own: the errors CSV adds rejection_reason.
    (row,) = errors_csv(stack, "incoming/terminations/other.csv")
    reason = row["rejection_reason"]
    assert "row 1 of incoming/terminations/2002-10-02.csv" in reason
    assert "termination_date 2002-10-01 -> 2002-09-30" in reason
    assert "corrections" in reason


def test_terminations_a_death_after_a_termination_is_applied_and_then_unchanged(
    granted: Any,
) -> None:
    stack = granted
    header = "participant_id,termination_date,reason\n"
    feed(stack, "terminations", header + "E1,2002-10-01,voluntary\n", date(2002, 10, 2))

    death = feed(stack, "terminations", header + "E1,2002-11-01,death\n", date(2002, 11, 2))
    both = feed(
        stack,
        "terminations",
        header + "E1,2002-10-01,voluntary\nE1,2002-11-01,death\n",
        date(2002, 11, 3),
        name="both",
    )

    assert death["accepted"] == 1
    # 1998 §6.a.(5)(A): a year from the death.
    assert award(report(stack, date(2002, 11, 3)), "G-100")["exercise_deadline"] == "2003-11-01"
    assert (both["accepted"], both["unchanged"], both["rejected"]) == (0, 2, 0)


def test_meetings_a_second_outcome_for_the_same_meeting_and_person_is_rejected(
    local_stack: Any,
) -> None:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    header = "meeting_date,participant_id,outcome\n"
    feed(stack, "meetings", header + "2002-06-06,D1,reelected\n", MAR15)

    same = feed(stack, "meetings", header + "2002-06-06,D1,Reelected\n", APR1, name="same")
    other = feed(stack, "meetings", header + "2002-06-06,D1,not_continuing\n", APR1, name="o")

    assert (same["unchanged"], same["rejected"]) == (1, 0)
    assert other["rejected"] == 1
    (row,) = errors_csv(stack, "incoming/meetings/o.csv")
    assert "outcome reelected -> not_continuing" in row["reason"]


def test_elections_the_same_notice_twice_is_unchanged(local_stack: Any) -> None:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    notice = "participant_id,notice_date,action\nD1,2002-03-01,elect\n"
    feed(stack, "elections", notice, MAR15)

    again = feed(stack, "elections", notice.replace("elect\n", "ELECT\n"), APR1, name="again")

    assert (again["accepted"], again["unchanged"]) == (0, 1)


def test_fees_a_second_amount_for_the_same_fee_is_rejected(local_stack: Any) -> None:
    stack = local_stack
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    header = "participant_id,fee_type,fee_date,amount\n"
    feed(stack, "fees", header + "D1,meeting,2002-03-01,1500.00\n", MAR15)

    same = feed(stack, "fees", header + "D1,meeting,2002-03-01,1500\n", APR1, name="same")
    other = feed(stack, "fees", header + "D1,meeting,2002-03-01,1750\n", APR1, name="other")

    assert (same["unchanged"], same["rejected"]) == (1, 0)
    assert other["rejected"] == 1
    (row,) = errors_csv(stack, "incoming/fees/other.csv")
    assert "amount 1500 -> 1750" in row["reason"]


def test_exercises_two_equal_exercises_are_told_apart_by_exercise_id(granted: Any) -> None:
    stack = granted
    header = "award_id,exercise_date,shares,shares_withheld,exercise_id\n"
    rows = "G-100,2002-04-01,100,0,X-1\nG-100,2002-04-01,100,0,X-2\n"

    first = feed(stack, "exercises", header + rows, APR1)
    # Without an id, a row equal to either is the same exercise (docs/interfaces.md §1a).
    no_id = feed(stack, "exercises", header + "G-100,2002-04-01,100,0,\n", APR1, name="no-id")
    # The same id with other values contradicts it.
    changed = feed(stack, "exercises", header + "G-100,2002-04-01,150,0,X-1\n", APR1, name="c")

    assert first["accepted"] == 2
    assert (no_id["accepted"], no_id["unchanged"]) == (0, 1)
    assert changed["rejected"] == 1
    (row,) = errors_csv(stack, "incoming/exercises/c.csv")
    assert "shares 100 -> 150" in row["reason"]
    assert award(report(stack, APR1), "G-100")["shares_exercised"] == 200


def test_corporate_actions_a_second_ratio_for_the_same_split_is_rejected(
    local_stack: Any,
) -> None:
    stack = local_stack
    header = "action_date,action,ratio\n"
    feed(stack, "corporate_actions", header + "2002-06-03,split,2\n", MAR15)

    same = feed(stack, "corporate_actions", header + "2002-06-03,split,2.0\n", APR1, name="s")
    other = feed(stack, "corporate_actions", header + "2002-06-03,split,3\n", APR1, name="o")

    assert (same["unchanged"], same["rejected"]) == (1, 0)
    assert other["rejected"] == 1
    (row,) = errors_csv(stack, "incoming/corporate_actions/o.csv")
    assert "ratio 2 -> 3" in row["reason"]


def test_a_file_with_a_rejected_row_tells_the_admin_what_was_applied_unchanged_and_rejected(
    granted: Any,
) -> None:
    stack = granted
    feed(stack, "exercises", EXERCISES, APR2)
    before = len(emails(stack))
    mixed = EXERCISES + "G-100,2002-04-05,50,0\n"

    feed(stack, "exercises", mixed, date(2002, 4, 5), name="mixed")

    admin = [m for m in new_emails(stack, before) if to(m) == ADMIN]
    assert len(admin) == 1
    assert (
        subject(admin[0]) == "Feed exercises: 1 of 4 rows rejected (incoming/exercises/mixed.csv)"
    )
    assert "1 applied, 2 unchanged (already applied before), 1 rejected" in plain(admin[0])


def test_a_grant_with_the_id_of_a_formula_option_is_rejected(local_stack: Any) -> None:
    stack = local_stack
    meeting = date(2001, 6, 7)
    feed(stack, "participants", PEOPLE_CSV, meeting)
    feed(stack, "prices", "date,last_sale\n2001-06-06,40.00\n", meeting)
    feed(
        stack, "meetings", "meeting_date,participant_id,outcome\n2001-06-07,D1,reelected\n", meeting
    )
    run_daily(stack, meeting)

    taken = GRANTS.replace(
        "G-100,E1,incentive-1998,nso,2002-03-15",
        "FO-2001-06-07-D1,E1,incentive-1998,nso,2001-06-07",
    )
    outcome = feed(stack, "grants", taken, meeting, name="taken")

    assert outcome["rejected"] == 1
    (row,) = errors_csv(stack, "incoming/grants/taken.csv")
    assert "award_id FO-2001-06-07-D1 is already used by another award" in row["reason"]
