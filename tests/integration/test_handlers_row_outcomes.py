"""Every row of every feed either applies, is unchanged, or is rejected with a reason the
administrator can act on: nothing raised while one row is judged or applied stops the
rows after it, and the file is closed with its summary (docs/interfaces.md §1a).
Through the real FeedFunction on moto."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import (
    ADMIN,
    PEOPLE_CSV,
    award,
    emails,
    errors_csv,
    feed,
    notice_kind,
    plain,
    report,
    subject,
    to,
)

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
NOV1 = date(2002, 11, 1)
DEC2 = date(2002, 12, 2)
GRANTS = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,\n"
    "G-2,E1,incentive-1998,iso,2002-03-15,400,20.00,2012-03-15,\n"
    "G-3,E2,incentive-1998,nso,2002-03-15,600,20.00,2012-03-15,\n"
)
CORRECTIONS = (
    "request_id,action,participant_id,award_id,exercise_id,exercise_date,termination_date,"
    "reason,grant_date,shares,exercise_price,final_exercise_date,vesting,participant_consent,"
    "note\n"
)
EXERCISES = "award_id,exercise_date,shares,shares_withheld,exercise_id\n"


@pytest.fixture
def granted(local_stack: Any) -> Any:
    feed(local_stack, "participants", PEOPLE_CSV, MAR15)
    feed(local_stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    feed(local_stack, "grants", GRANTS, MAR15)
    return local_stack


def void(request_id: str, award_id: str, day: str, shares: str, exercise_id: str = "") -> str:
    return (
        CORRECTIONS
        + f"{request_id},void_exercise,,{award_id},{exercise_id},{day},,,,{shares},,,,,typo\n"
    )


def summaries(stack: Any, key: str) -> list[Any]:
    return [m for m in emails(stack) if to(m) == ADMIN and key in subject(m)]


@pytest.mark.parametrize("exercise_id", ["", "X-7"])
def test_a_resent_file_with_a_voided_exercise_applies_the_rows_after_it(
    granted: Any, exercise_id: str
) -> None:
    """HR re-sends last month's exercises file with this month's rows: the exercise a
    void_exercise correction removed is rejected naming that correction and how to record
    it again; the new rows before and after it are applied, and the file is closed with
    one summary and its errors CSV."""
    stack = granted
    first = EXERCISES + f"G-2,2002-10-01,100,0,{exercise_id}\n"
    assert feed(stack, "exercises", first, OCT2, name="october")["accepted"] == 1
    voided = feed(stack, "corrections", void("R-31", "G-2", "2002-10-01", "100"), NOV1)
    assert voided["accepted"] == 1, voided
    resent = (
        EXERCISES
        + "G-1,2002-11-20,50,0,\n"
        + f"G-2,2002-10-01,100,0,{exercise_id}\n"
        + "G-3,2002-11-21,60,0,\n"
    )
    outcome = feed(stack, "exercises", resent, DEC2, name="november")
    assert (outcome["status"], outcome["accepted"], outcome["rejected"]) == ("processed", 2, 1)
    state = report(stack, DEC2)
    assert award(state, "G-1")["shares_exercised"] == 50
    assert award(state, "G-3")["shares_exercised"] == 60
    assert award(state, "G-2")["shares_exercised"] == 0
    (row,) = errors_csv(stack, "incoming/exercises/november.csv")
    assert row["row"] == "2"
    reason = row["reason"]
    assert "void_exercise correction R-31" in reason, reason
    assert "new exercise_id" in reason, reason
    (summary,) = summaries(stack, "incoming/exercises/november.csv")
    assert subject(summary) == (
        "Feed exercises: 1 of 3 rows rejected (incoming/exercises/november.csv)"
    )
    assert "R-31" in plain(summary)
    confirmed = [m for m in emails(stack) if notice_kind(m) == "exercise"]
    # October's, then G-1's and G-3's of the re-sent file: none for the voided row.
    assert len(confirmed) == 3


def test_a_voided_exercise_recorded_again_under_a_new_exercise_id_applies(granted: Any) -> None:
    """The way out the rejection names: the same exercise with a new exercise_id."""
    stack = granted
    feed(stack, "exercises", EXERCISES + "G-2,2002-10-01,100,0,\n", OCT2, name="october")
    feed(stack, "corrections", void("R-32", "G-2", "2002-10-01", "100"), NOV1)
    again = feed(stack, "exercises", EXERCISES + "G-2,2002-10-01,100,0,\n", DEC2, name="again")
    assert again["rejected"] == 1
    fresh = EXERCISES + "G-2,2002-10-01,100,0,X-NEW\n"
    outcome = feed(stack, "exercises", fresh, DEC2, name="fresh")
    assert (outcome["accepted"], outcome["rejected"]) == (1, 0), outcome
    assert award(report(stack, DEC2), "G-2")["shares_exercised"] == 100


def test_the_voided_row_redelivered_is_judged_the_same_and_the_file_closes_once(
    granted: Any,
) -> None:
    """The S3 event of the re-sent file delivered twice: the second delivery is a
    duplicate of a closed file, not a failure."""
    from handlers_support import FEED_FUNCTION, put_object, s3_event

    stack = granted
    feed(stack, "exercises", EXERCISES + "G-2,2002-10-01,100,0,\n", OCT2, name="october")
    feed(stack, "corrections", void("R-33", "G-2", "2002-10-01", "100"), NOV1)
    key = "incoming/exercises/resent.csv"
    body = EXERCISES + "G-2,2002-10-01,100,0,\nG-1,2002-11-20,50,0,\n"
    version = put_object(stack, key, body.encode())
    event = s3_event(stack, "exercises", key, DEC2, version=version)
    first = stack.invoke(FEED_FUNCTION, event)["files"][0]
    second = stack.invoke(FEED_FUNCTION, event)["files"][0]
    assert (first["accepted"], first["rejected"]) == (1, 1)
    assert second["status"] == "duplicate"
    assert len(summaries(stack, key)) == 1


# --- one shape for every rejection record ------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "incoming/payroll/2002-03-15.csv",  # a folder that names no feed
        "incoming/grants/" + "x" * 600 + ".csv",  # a key over 512 bytes
    ],
)
def test_a_file_refused_before_its_kind_is_known_is_recorded_with_feed_unknown(
    local_stack: Any, key: str, tmp_path: Any
) -> None:
    """The rejections report and simulate's rejections.json read every record, the
    ones of a file whose kind is not known included (feed "unknown")."""
    import json

    from handlers_support import FEED_FUNCTION, put_object, s3_event

    from stockplan.service.report import rejections
    from stockplan_cli.simulate import write_outputs

    stack = local_stack
    version = put_object(stack, key, b"award_id\nG-1\n")
    stack.invoke(FEED_FUNCTION, s3_event(stack, "grants", key, MAR15, version=version))

    (found,) = rejections(stack.runtime.table())
    assert (found["feed"], found["key"], found["row"]) == ("unknown", key, None)
    write_outputs(tmp_path, {}, rejections(stack.runtime.table()), [])
    assert json.loads((tmp_path / "rejections.json").read_text())[0]["feed"] == "unknown"


def test_a_rejection_stored_without_its_feed_reads_back_as_unknown(local_stack: Any) -> None:
    """A record written before every rejection named its feed still reads."""
    from stockplan.data import records as rec
    from stockplan.service.report import rejections

    table = local_stack.runtime.table()
    item = rec.Rejection("grants", "incoming/x.csv", 2, "why", {}, MAR15).item("FEED#f", "k")
    del item["feed"]
    table.put(item)

    (found,) = rejections(table)
    assert (found["feed"], found["row"], found["reason"]) == ("unknown", 2, "why")
