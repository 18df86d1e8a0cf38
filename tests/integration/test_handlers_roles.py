"""Roles and relationships over time (docs/plan-rules.md "Facts in time"), through the real
handlers: a role change from its effective date, eligibility on the day it matters,
each award held in respect of the relationship of its grant date, terminations by
`service`, and `not_continuing` ending the directorship on the meeting date."""

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
    run_daily,
    subject,
    to,
)

MAR15 = date(2002, 3, 15)
MEETING = date(2002, 6, 13)
PEOPLE_HEADER = "participant_id,name,email,role,personal_email,effective_date\n"
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
TERMINATIONS_HEADER = "participant_id,termination_date,reason,service\n"


def _mails(stack: Any, kind: str) -> list[Any]:
    return [m for m in emails(stack) if notice_kind(m) == kind]


def _upcoming(stack: Any, as_of: date) -> list[tuple[str, str, str]]:
    from stockplan.service.report import read_state, upcoming

    state = read_state(stack.runtime.table())
    return [(u["day"], u["what"], u["ref"]) for u in upcoming(state, as_of, 90)]


@pytest.fixture
def people(local_stack: Any) -> Any:
    feed(local_stack, "participants", PEOPLE_CSV, MAR15)
    feed(local_stack, "prices", "date,last_sale\n2002-06-12,13.50\n", date(2002, 6, 12))
    return local_stack


def test_a_ceo_who_retires_from_employment_and_stays_on_the_board_gets_a_formula_option(
    people: Any,
) -> None:
    """Directors §5, §6(a): a director who is not an employee on the meeting date is
    eligible; 1998 §6.a.(5), last paragraph: the NSO granted in respect of the
    employment ends with it, though Ann stays on as a director."""
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-1,E1,incentive-1998,nso,2000-06-01,1000,10.00,2010-06-01,\n",
        MAR15,
    )
    may1 = date(2002, 5, 1)
    feed(
        stack,
        "participants",
        PEOPLE_HEADER
        + "E1,Ann Lee,ann.lee@ctc.example.com,director,ann@home.example.com,2002-06-01\n",
        may1,
    )
    # A role change dated ahead is scheduled (Facts in time): listed as upcoming.
    ahead = _upcoming(stack, may1)
    assert ("2002-06-01", "role change", "director") in ahead

    feed(
        stack,
        "terminations",
        TERMINATIONS_HEADER + "E1,2002-05-31,retirement,employment\n",
        date(2002, 5, 31),
    )
    (notice,) = _mails(stack, "termination")
    # About the end of the employment: to the personal mailbox.
    assert to(notice) == "ann@home.example.com"
    assert "Last day to exercise: Saturday, 2002-08-31" in plain(notice)
    g1 = award(report(stack, date(2002, 6, 1)), "G-1")
    assert g1["exercise_deadline"] == "2002-08-31"

    feed(
        stack,
        "meetings",
        "meeting_date,participant_id,outcome\n2002-06-13,E1,continuing\n",
        MEETING,
    )
    # The daily job catches up the role change of 2002-06-01 and makes the option.
    assert run_daily(stack, MEETING)["applied"] == {"scheduled": 1, "meeting": 1}
    option = award(report(stack, MEETING), "FO-2002-06-13-E1")
    assert (option["exercise_price"], option["shares_granted"]) == ("13.50", 10000)
    (grant,) = _mails(stack, "formula-grant")
    # The directorship goes on: its notices still go to the work address.
    assert to(grant) == "ann.lee@ctc.example.com"


def test_a_termination_fed_before_the_role_change_ends_only_the_named_relationship(
    people: Any,
) -> None:
    """The same facts in the other order (docs/plan-rules.md "Facts in time"):
    the end of the employment, then the role change; Ann still gets her option."""
    stack = people
    feed(
        stack,
        "terminations",
        TERMINATIONS_HEADER + "E1,2002-05-31,retirement,employment\n",
        date(2002, 5, 31),
    )
    feed(
        stack,
        "participants",
        PEOPLE_HEADER
        + "E1,Ann Lee,ann.lee@ctc.example.com,director,ann@home.example.com,2002-06-01\n",
        date(2002, 6, 1),
    )
    # The end of employment is recorded: no alert.
    assert [m for m in emails(stack) if to(m) == ADMIN] == []
    feed(
        stack, "meetings", "meeting_date,participant_id,outcome\n2002-06-13,E1,reelected\n", MEETING
    )
    run_daily(stack, MEETING)
    assert award(report(stack, MEETING), "FO-2002-06-13-E1")["exercise_price"] == "13.50"


def test_another_role_without_effective_date_is_rejected(people: Any) -> None:
    """docs: a change of role needs effective_date, the first day of the new role."""
    stack = people
    outcome = feed(
        stack,
        "participants",
        PEOPLE_HEADER + "E1,Ann Lee,ann.lee@ctc.example.com,consultant,,\n",
        date(2002, 5, 1),
        name="roles",
    )
    assert outcome["rejected"] == 1
    (row,) = errors_csv(stack, "incoming/participants/roles.csv")
    assert "the role changes from employee to consultant: give effective_date" in row["reason"]
    # The same role without effective_date is an ordinary update of the details.
    again = feed(
        stack,
        "participants",
        PEOPLE_HEADER + "E1,Ann Lee,ann.lee@ctc.example.com,employee,ann@new.example.com,\n",
        date(2002, 5, 2),
    )
    assert again["rejected"] == 0


def test_eligibility_is_judged_on_the_meeting_date_and_the_grant_date(people: Any) -> None:
    """Directors §5, §6(a): D1 becomes an employee after the meeting (eligible at it);
    M1 leaves employment and becomes a non-employee director before it (eligible).
    1998 §5: an ISO is for employees on its grant date, whenever it is fed."""
    stack = people
    feed(
        stack,
        "terminations",
        TERMINATIONS_HEADER + "M1,2002-05-31,voluntary,employment\n",
        date(2002, 5, 31),
    )
    feed(
        stack,
        "participants",
        PEOPLE_HEADER
        + "D1,Dana Fox,dana.fox@board.example.com,employee,,2002-06-20\n"
        + "M1,Max Ives,max.ives@ctc.example.com,director,,2002-06-01\n",
        date(2002, 6, 1),
    )
    feed(
        stack,
        "meetings",
        "meeting_date,participant_id,outcome\n2002-06-13,D1,reelected\n2002-06-13,M1,continuing\n",
        MEETING,
    )
    run_daily(stack, MEETING)
    rep = report(stack, MEETING)
    assert {a["award_id"] for a in rep["awards"]} == {"FO-2002-06-13-D1", "FO-2002-06-13-M1"}

    # An ISO for M1 dated while still an employee is accepted; one dated after is not.
    rows = (
        GRANTS_HEADER
        + "I-1,M1,incentive-1998,iso,2002-05-15,100,20.00,2012-05-15,\n"
        + "I-2,M1,incentive-1998,iso,2002-06-12,100,20.00,2012-06-12,\n"
    )
    feed(stack, "prices", "date,last_sale\n2002-05-15,15.00\n", MEETING)
    outcome = feed(stack, "grants", rows, MEETING, name="isos")
    assert (outcome["accepted"], outcome["rejected"]) == (1, 1)
    (row,) = errors_csv(stack, "incoming/grants/isos.csv")
    assert row["award_id"] == "I-2" and "1998 §5" in row["reason"]


def test_not_continuing_ends_the_directorship_on_the_meeting_date(people: Any) -> None:
    """Formula options: `not_continuing` ends the directorship on the meeting date, as a
    termination with service directorship and reason other: a 3-month window (Directors
    §6(i)) and pending deferred stock issued that day (§7(b)(iii))."""
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER
        + "DO-1,D1,directors-1999,discretionary_option,2000-06-01,500,10.00,2010-06-01,\n",
        MAR15,
    )
    feed(stack, "elections", "participant_id,notice_date,action\nD1,2001-12-03,elect\n", MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-14,30.00\n", MAR15)
    feed(
        stack,
        "fees",
        "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-03-15,1500.00\n",
        MAR15,
    )
    run_daily(stack, MAR15)
    (pending,) = report(stack, MAR15)["deferred_stock"]
    assert pending["status"] == "pending"

    feed(
        stack,
        "meetings",
        "meeting_date,participant_id,outcome\n2002-06-13,D1,not_continuing\n2002-06-13,D2,reelected\n",
        MEETING,
    )
    run_daily(stack, MEETING)
    rep = report(stack, MEETING)
    do1 = award(rep, "DO-1")
    assert do1["exercise_deadline"] == "2002-09-13"
    (issued,) = rep["deferred_stock"]
    assert (issued["status"], issued["issue_date"]) == ("issued", "2002-06-13")
    (notice,) = _mails(stack, "termination")
    assert to(notice) == "dana.fox@board.example.com"
    assert "Last day to exercise: Friday, 2002-09-13" in plain(notice)
    assert "Directors §6(i)" in plain(notice)
    assert {a["award_id"] for a in rep["awards"]} == {"DO-1", "FO-2002-06-13-D2"}
    # A later run changes nothing more.
    run_daily(stack, date(2002, 6, 14))
    assert len(_mails(stack, "termination")) == 1


def test_the_end_of_a_directorship_ends_the_directors_awards_and_not_the_employment(
    people: Any,
) -> None:
    """Directors §6(h), §6(i): a directors-1999 award ends when the directorship ends;
    1998 §6.a.(5): the NSO granted in respect of the later employment goes on."""
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER
        + "DO-1,D1,directors-1999,discretionary_option,2000-06-01,500,10.00,2010-06-01,\n",
        MAR15,
    )
    feed(
        stack,
        "participants",
        PEOPLE_HEADER + "D1,Dana Fox,dana.fox@board.example.com,employee,,2002-04-01\n",
        MAR15,
    )
    feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-9,D1,incentive-1998,nso,2002-04-15,800,12.00,2012-04-15,\n",
        date(2002, 4, 15),
    )
    feed(
        stack,
        "terminations",
        TERMINATIONS_HEADER + "D1,2002-03-31,other,directorship\n",
        date(2002, 4, 15),
    )
    rep = report(stack, date(2002, 4, 16))
    assert award(rep, "DO-1")["exercise_deadline"] == "2002-06-30"
    g9 = award(rep, "G-9")
    assert (g9["exercise_deadline"], g9["status"]) == ("2012-04-15", "outstanding")
    # The employment goes on: a later 1998 grant is made, and told to the work address.
    later = feed(
        stack,
        "grants",
        GRANTS_HEADER + "G-10,D1,incentive-1998,nso,2002-05-01,200,12.00,2012-05-01,\n",
        date(2002, 5, 1),
    )
    assert (later["accepted"], later["rejected"]) == (1, 0)
    assert to(_mails(stack, "grant")[-1]) == "dana.fox@board.example.com"


def test_a_reversed_directorship_end_restores_the_options_while_the_employment_goes_on(
    people: Any,
) -> None:
    """docs/plan-rules.md "Corrections": reverse_termination of a directorship ended while the
    employment goes on restores DO-1 as if the end had never been recorded (Directors
    §6(i)); the employment's NSO is untouched."""
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER
        + "DO-1,D1,directors-1999,discretionary_option,2000-06-01,500,10.00,2010-06-01,\n",
        MAR15,
    )
    feed(
        stack,
        "participants",
        PEOPLE_HEADER + "D1,Dana Fox,dana.fox@board.example.com,employee,,2002-04-01\n",
        MAR15,
    )
    feed(
        stack,
        "terminations",
        TERMINATIONS_HEADER + "D1,2002-03-31,other,directorship\n",
        date(2002, 4, 15),
    )
    assert award(report(stack, date(2002, 4, 16)), "DO-1")["exercise_deadline"] == "2002-06-30"
    outcome = feed(
        stack,
        "corrections",
        "request_id,action,participant_id\nC-1,reverse_termination,D1\n",
        date(2002, 4, 20),
    )
    assert (outcome["accepted"], outcome["rejected"]) == (1, 0)
    do1 = award(report(stack, date(2002, 7, 1)), "DO-1")
    assert (do1["exercise_deadline"], do1["status"]) == ("2010-06-01", "outstanding")


def test_a_role_change_away_from_employee_without_an_end_of_employment_is_named(
    people: Any,
) -> None:
    """docs/plan-rules.md "Facts in time": a role change away from `employee` with no
    recorded end of employment on or before its effective date is named to the
    administrator, on that date for one fed ahead; the profile takes the new role then
    (1998 §6.a.(5), last paragraph: the employment's awards go on until it ends)."""
    stack = people
    feed(
        stack,
        "participants",
        PEOPLE_HEADER + "M1,Max Ives,max.ives@ctc.example.com,consultant,,2002-06-01\n",
        date(2002, 5, 1),
    )
    assert [m for m in emails(stack) if to(m) == ADMIN] == []
    assert report_role(stack, "M1") == "employee"
    run_daily(stack, date(2002, 6, 1))
    (alert,) = [m for m in emails(stack) if to(m) == ADMIN]
    assert subject(alert) == "Role change without an end of employment: M1"
    assert "M1 becomes consultant on 2002-06-01" in plain(alert)
    assert "service employment" in plain(alert)
    assert report_role(stack, "M1") == "consultant"
    ahead = _upcoming(stack, date(2002, 6, 1))
    assert all(what != "role change" for _day, what, _ref in ahead)
    # A role change dated on the day it is fed is checked at once.
    feed(
        stack,
        "participants",
        PEOPLE_HEADER + "E2,Bob Roe,bob.roe@ctc.example.com,director,,2002-06-03\n",
        date(2002, 6, 3),
    )
    assert [subject(m) for m in emails(stack) if to(m) == ADMIN][-1] == (
        "Role change without an end of employment: E2"
    )


def report_role(stack: Any, participant_id: str) -> str:
    from handlers_support import item

    profile = item(stack, f"P#{participant_id}", "PROFILE")
    assert profile is not None
    return str(profile["role"])


def test_a_death_after_the_end_of_employment_gives_its_open_window_the_death_window(
    people: Any,
) -> None:
    """1998 §6.a.(5)(A): Ann retired from employment on 2002-05-31 (G-1 to 2002-08-31)
    and stays on the board; she dies on 2002-07-15: G-1, still in its window, gets a
    year from the death, and her directorship's option too (Directors §6(h)); a death
    ends every relationship."""
    stack = people
    feed(
        stack,
        "grants",
        GRANTS_HEADER
        + "G-1,E1,incentive-1998,nso,2000-06-01,1000,10.00,2010-06-01,\n"
        + "G-2,E1,incentive-1998,nso,2000-06-01,500,10.00,2002-08-01,\n",
        MAR15,
    )
    feed(
        stack,
        "participants",
        PEOPLE_HEADER
        + "E1,Ann Lee,ann.lee@ctc.example.com,director,ann@home.example.com,2002-06-01\n",
        date(2002, 5, 1),
    )
    feed(
        stack,
        "terminations",
        TERMINATIONS_HEADER + "E1,2002-05-31,retirement,employment\n",
        date(2002, 5, 31),
    )
    feed(
        stack,
        "meetings",
        "meeting_date,participant_id,outcome\n2002-06-13,E1,continuing\n",
        MEETING,
    )
    run_daily(stack, MEETING)
    july15 = date(2002, 7, 15)
    feed(stack, "terminations", TERMINATIONS_HEADER + "E1,2002-07-15,death,\n", july15)
    rep = report(stack, july15)
    assert award(rep, "G-1")["exercise_deadline"] == "2003-07-15"
    # The death window is capped at the final exercise date.
    assert award(rep, "G-2")["exercise_deadline"] == "2002-08-01"
    assert award(rep, "FO-2002-06-13-E1")["exercise_deadline"] == "2003-07-15"
    death = _mails(stack, "termination")[-1]
    assert "Award G-1" in plain(death) and "Award FO-2002-06-13-E1" in plain(death)
    assert to(death) == ADMIN  # no estate address: the administrator, never her own
