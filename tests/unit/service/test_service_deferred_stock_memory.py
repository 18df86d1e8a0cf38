"""A director's deferred stock through the periodic mail and a covered transaction, on
the in-memory stack: the annual statement lists it (docs/interfaces.md §4), the monthly
report lists its issue among the deadlines of the next 90 days, and a covered
transaction not assumed issues it that day (Directors §7(b)(ii))."""

from __future__ import annotations

import json
from datetime import date

import pytest
from memory_world import World

PEOPLE = (
    "participant_id,name,email,role,personal_email,estate_email,ten_percent_holder\n"
    "D1,Dana Fox,dana.fox@board.example.com,director,,,\n"
)
ELECTED = date(2001, 12, 14)
MEETING = date(2002, 4, 10)


def _text(world: World, subject_start: str) -> str:
    (mail,) = [m for m in world.emails() if str(m["Subject"]).startswith(subject_start)]
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.fixture
def deferred(world: World) -> World:
    """Dana elected in December 2001 to take fees in stock (Directors §4); her meeting fee
    of 2002-04-10 ($1,500 at $10.00 the day before) became 150 shares, issued in the
    January of 2005 (Directors §7(b))."""
    world.settings = world.settings.model_copy(update={"periodic_mail": True})
    world.feed("participants", PEOPLE, ELECTED)
    world.feed("elections", "participant_id,notice_date,action\nD1,2001-12-14,elect\n", ELECTED)
    world.feed("prices", "date,last_sale\n2002-04-09,10.00\n", date(2002, 4, 9))
    world.feed(
        "fees", "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-04-10,1500.00\n", MEETING
    )
    assert world.daily(MEETING).applied == {"fee": 1}
    return world


def test_the_annual_statement_lists_pending_deferred_stock_with_its_issue_date(
    deferred: World,
) -> None:
    deferred.daily(date(2003, 1, 2))

    text = _text(deferred, "Annual statement 2003")
    assert "0 awards and 1 deferred stock award" in text
    assert "Fee: $1,500.00 (meeting fee of 2002-04-10)" in text
    assert "Shares: 150" in text
    assert "Issue date: 2005-01-03" in text
    assert "Status: pending" in text


def test_the_monthly_report_lists_a_deferred_issue_due_in_the_next_90_days(
    deferred: World,
) -> None:
    deferred.daily(date(2004, 12, 1))

    document = json.loads(deferred.store.latest("reports/2004-11.json"))
    assert document["deadlines"] == [
        {
            "day": "2005-01-03",
            "what": "deferred stock issue",
            "participant_id": "D1",
            "participant_name": "Dana Fox",
            "ref": "meeting fee of 2002-04-10",
            "shares": 150,
            "detail": "deferred stock awarded 2002-04-10 is issued",
        }
    ]


def test_a_covered_transaction_not_assumed_issues_pending_deferred_stock_that_day(
    deferred: World,
) -> None:
    deferred.feed("prices", "date,last_sale\n2004-12-01,12.00\n", date(2004, 12, 1))
    deferred.feed(
        "corporate_actions",
        "action_date,action,ratio,assumed\n2004-12-02,covered_transaction,,false\n",
        date(2004, 12, 2),
    )

    outcome = deferred.daily(date(2004, 12, 2))

    assert outcome.applied == {"corporate_action": 1, "issue": 1}
    text = _text(deferred, "Covered transaction on 2004-12-02")
    assert "Deferred stock for your meeting fee of 2002-04-10" in text
    assert "Issue date: 2004-12-02 (December 2, 2004); it was 2005-01-03" in text
    assert "Rule: Directors §7(b)(ii)" in text
