"""`stockplan resend` (docs/operations.md, README "The `stockplan` command"): a notice that
did not arrive is sent again, as it was written, to another address; the original's record
keeps who asked and when; the same resend asked twice is sent once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from handlers_support import PEOPLE_CSV, emails, feed, outbox, plain, run_notices, to

from stockplan_cli.main import main

MAR15 = date(2002, 3, 15)
MAR20 = date(2002, 3, 20)
GRANT = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
    "G-100,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,\n"
)
NEW_ADDRESS = "ann.lee@elsewhere.example.com"


@pytest.fixture
def granted(local_stack: Any) -> Any:
    """Ann's grant notice, sent (its body kept in its BODY item)."""
    feed(local_stack, "participants", PEOPLE_CSV, MAR15)
    feed(local_stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    feed(local_stack, "grants", GRANT, MAR15)
    return local_stack


def _resend(stack: Any, *args: str) -> int:
    return main(["resend", "--table", stack.stack.table, "--as-of", "2002-03-20", *args])


def _grant_notice(stack: Any) -> dict[str, Any]:
    (notice,) = [n for n in outbox(stack) if n["kind"] == "grant" and "resend_of" not in n]
    return notice


def test_a_sent_notice_is_sent_again_as_written_to_the_address_given(
    granted: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    original = _grant_notice(granted)
    (first,) = emails(granted)

    assert (
        _resend(granted, "--notice", original["notice_id"], "--to", NEW_ADDRESS, "--by", "pat") == 0
    )
    assert "queued" in capsys.readouterr().out
    run_notices(granted, MAR20)

    again = emails(granted)[1:]
    assert [to(m) for m in again] == [NEW_ADDRESS]
    (copy,) = again
    assert copy["Subject"] == first["Subject"]
    assert plain(copy) == plain(first)  # the notice as it was written
    assert copy["Message-ID"] != first["Message-ID"]  # a bounce of the copy is the copy's
    assert str(copy["Date"]).startswith("Wed, 20 Mar 2002")

    record = _grant_notice(granted)
    (resent,) = record["resent"]
    assert (resent["on"], resent["by"]) == ("2002-03-20", "pat")
    (copy_record,) = [n for n in outbox(granted) if n.get("resend_of") == original["notice_id"]]
    assert copy_record["notice_id"] == resent["notice_id"]
    assert (copy_record["status"], copy_record["recipient"]) == ("sent", NEW_ADDRESS)


def test_the_same_resend_asked_twice_is_sent_once(
    granted: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    nid = _grant_notice(granted)["notice_id"]
    assert _resend(granted, "--notice", nid, "--to", NEW_ADDRESS) == 0
    assert _resend(granted, "--notice", nid, "--to", NEW_ADDRESS) == 0
    assert "queued before: not again" in capsys.readouterr().out
    run_notices(granted, MAR20)
    assert [to(m) for m in emails(granted)] == ["ann.lee@ctc.example.com", NEW_ADDRESS]
    assert len(_grant_notice(granted)["resent"]) == 1


def test_a_resend_is_refused_with_a_reason_for_an_unknown_notice_or_a_bad_address(
    granted: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    nid = _grant_notice(granted)["notice_id"]
    assert _resend(granted, "--notice", "grant-" + "0" * 32, "--to", NEW_ADDRESS) != 0
    assert "no notice grant-000" in capsys.readouterr().err
    assert _resend(granted, "--notice", nid, "--to", "josé@example.com") != 0
    assert "plain ASCII" in capsys.readouterr().err
    run_notices(granted, MAR20)
    assert len(emails(granted)) == 1


def test_a_notice_whose_body_is_no_longer_kept_cannot_be_resent(
    granted: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Retention: a sent notice's body expires after SentNoticeBodyRetentionDays."""
    nid = _grant_notice(granted)["notice_id"]
    granted.runtime.dynamodb.delete_item(
        TableName=granted.stack.table, Key={"PK": {"S": f"OUTBOX#{nid}"}, "SK": {"S": "BODY"}}
    )
    assert _resend(granted, "--notice", nid, "--to", NEW_ADDRESS) != 0
    assert "no longer kept" in capsys.readouterr().err
