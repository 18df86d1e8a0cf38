"""Scheduled facts (docs/plan-rules.md "Facts in time") on the in-memory stack: what is
listed as upcoming (report --upcoming and the monthly report), corrections of a
scheduled termination, and the rejections of withdraw_corporate_action."""

from __future__ import annotations

from datetime import date, timedelta

from memory_world import GRANT_CSV, PEOPLE_CSV, World

from stockplan.domain.periodic import Month
from stockplan.service.periodic import gather
from stockplan.service.report import read_state, upcoming

MAY1 = date(2002, 5, 1)
CORRECTIONS = (
    "request_id,action,participant_id,termination_date,reason,action_date,corporate_action\n"
)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,final_exercise_date\n"
)


def loaded() -> World:
    world = World()
    world.feed("participants", PEOPLE_CSV, MAY1)
    world.feed("prices", "date,last_sale\n2002-05-01,20.00\n", MAY1)
    world.feed("grants", GRANT_CSV.replace("2002-05-01", "2012-05-01"), MAY1)
    return world


def listed(world: World, day: date) -> list[tuple[str, str, str]]:
    state = read_state(world.table)
    return [(u["day"], u["what"], u["ref"]) for u in upcoming(state, day, 150)]


def test_upcoming_lists_every_kind_of_fact_fed_ahead_until_its_date() -> None:
    """docs/plan-rules.md "Facts in time": a termination, grant, meeting, fee and
    corporate action dated ahead are listed with their dates, each until it is done."""
    world = loaded()
    world.feed(
        "terminations", "participant_id,termination_date,reason\nE1,2002-07-31,other\n", MAY1
    )
    world.feed(
        "grants",
        GRANTS_HEADER + "G-9,E1,incentive-1998,nso,2002-06-03,50,20.00,2012-06-03\n",
        MAY1,
        "ahead",
    )
    world.feed("meetings", "meeting_date,participant_id,outcome\n2002-06-06,D1,reelected\n", MAY1)
    world.feed("elections", "participant_id,notice_date,action\nD1,2001-12-01,elect\n", MAY1)
    world.feed(
        "fees", "participant_id,fee_type,fee_date,amount\nD1,meeting,2002-06-06,1500.00\n", MAY1
    )
    world.feed("corporate_actions", "action_date,action,ratio\n2002-08-15,split,2\n", MAY1)
    ahead = [
        row
        for row in listed(world, MAY1)
        if row[1] not in ("30-day reminder", "7-day reminder", "exercise deadline")
    ]
    assert ahead == [
        ("2002-06-03", "grant", "G-9"),
        ("2002-06-06", "annual meeting", "2002-06-06"),
        ("2002-06-06", "fee", "meeting fee of 2002-06-06"),
        ("2002-07-31", "termination", "other"),
        ("2002-08-15", "split", "2002-08-15#split"),
    ]
    # The monthly report of May, made on 2002-06-03, lists what is ahead of it.
    document, _, _ = gather(world.table, Month(2002, 5), date(2002, 6, 3))
    whats = {(d["day"], d["what"]) for d in document["deadlines"]}
    assert {
        ("2002-06-03", "grant"),
        ("2002-07-31", "termination"),
        ("2002-08-15", "split"),
    } <= whats
    day = MAY1
    while day <= date(2002, 8, 16):
        world.daily(day)
        day += timedelta(days=1)
    assert [
        r
        for r in listed(world, date(2002, 8, 16))
        if r[1] in ("grant", "termination", "split", "fee")
    ] == []


def test_a_second_termination_of_someone_whose_termination_is_scheduled_is_rejected() -> None:
    """docs/plan-rules.md "Facts in time": keyed at once: another termination row for
    the same person, also dated ahead, is a conflict naming the scheduled one."""
    world = loaded()
    world.feed(
        "terminations", "participant_id,termination_date,reason\nE1,2002-07-31,other\n", MAY1
    )
    second = world.feed(
        "terminations", "participant_id,termination_date,reason\nE1,2002-08-31,other\n", MAY1, "two"
    )
    assert second.rejected == 1


def test_correct_termination_to_a_date_already_come_applies_it_at_once() -> None:
    """docs/plan-rules.md "Facts in time", "Corrections": a scheduled termination
    corrected to a date on or before the correction's day is applied then, as if fed
    with that date; the same correction again is rejected as already scheduled."""
    world = loaded()
    world.feed(
        "terminations", "participant_id,termination_date,reason\nE1,2002-07-31,other\n", MAY1
    )
    same = world.feed(
        "corrections", CORRECTIONS + "C-0,correct_termination,E1,2002-07-31,other,,\n", MAY1, "same"
    )
    assert same.rejected == 1
    done = world.feed(
        "corrections",
        CORRECTIONS + "C-1,correct_termination,E1,2002-05-10,other,,\n",
        date(2002, 5, 12),
    )
    assert done.accepted == 1
    assert any(s.startswith("Your employment") or "ended" in s for s in world.subjects())
    g1 = next(a for a in read_state(world.table).awards if a.award_id == "G-1")
    assert g1.exercise_deadline == date(2002, 8, 10)


def test_withdraw_corporate_action_names_what_it_cannot_withdraw() -> None:
    """interfaces §1b: nothing recorded that day, or two actions that day without
    saying which, is rejected; naming the kind withdraws the one."""
    world = loaded()
    nothing = world.feed(
        "corrections", CORRECTIONS + "W-1,withdraw_corporate_action,,,,2002-09-01,\n", MAY1, "w1"
    )
    assert nothing.rejected == 1
    world.feed(
        "corporate_actions",
        "action_date,action,ratio,assumed\n2002-09-01,split,2,\n2002-09-01,covered_transaction,,true\n",
        MAY1,
    )
    both = world.feed(
        "corrections", CORRECTIONS + "W-2,withdraw_corporate_action,,,,2002-09-01,\n", MAY1, "w2"
    )
    assert both.rejected == 1
    one = world.feed(
        "corrections",
        CORRECTIONS + "W-3,withdraw_corporate_action,,,,2002-09-01,split\n",
        MAY1,
        "w3",
    )
    assert one.accepted == 1
    assert [r[1] for r in listed(world, MAY1) if r[0] == "2002-09-01"] == ["covered transaction"]


def test_a_covered_transaction_announced_ahead_tells_deferred_stock_holders_its_issue() -> None:
    """docs/plan-rules.md "Facts in time" (Directors §7(b)(ii)): a holder of pending
    deferred stock is told it is issued on D; an option whose own deadline comes
    before D gets no reminder of D (its own reminders say its deadline)."""
    world = loaded()
    world.feed("elections", "participant_id,notice_date,action\nD1,2001-12-01,elect\n", MAY1)
    fee = "participant_id,fee_type,fee_date,amount\nD1,annual,2002-03-01,3000.00\n"
    world.feed("fees", fee, MAY1)
    world.feed("prices", "date,last_sale\n2002-01-02,20.00\n", MAY1, "jan")
    world.daily(MAY1)
    ended = "participant_id,termination_date,reason\nE1,2002-05-01,other\n"
    world.feed("terminations", ended, MAY1)
    action = "action_date,action,assumed\n2002-09-16,covered_transaction,false\n"
    world.feed("corporate_actions", action, MAY1)
    announced = [s for s in world.subjects() if s.startswith("Covered transaction on 2002-09-16")]
    assert len(announced) == 2
    dana = next(
        m
        for m in world.emails()
        if str(m["To"]).startswith("dana") and "Covered" in str(m["Subject"])
    )
    body = dana.get_body(("plain",))
    assert body is not None
    text = " ".join(body.get_content().split())
    assert "Pending deferred stock will be issued on the day of the transaction" in text
    admin = [s for s in world.subjects() if "announced to 2 holders" in s]
    assert len(admin) == 1
    day = MAY1
    while day <= date(2002, 9, 15):
        world.daily(day)
        day += timedelta(days=1)
    # E1's G-1 ends 2002-08-01 (3 months after 2002-05-01): its own reminders only.
    reminders = [s for s in world.subjects() if s.startswith("Reminder")]
    assert reminders and all("deadline 2002-08-01" in s for s in reminders)
