"""What falls due on a day (docs/plan-rules.md "Calendar and dates", "Notices", "Vesting and
termination"; Directors §7(b); docs/interfaces.md §2: the daily job catches up)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockplan.domain.deferred import deferred_award, issue
from stockplan.domain.model import (
    Award,
    AwardType,
    DeferredStockAward,
    FeeType,
    PlanCode,
    Termination,
    TerminationReason,
    Tranche,
)
from stockplan.domain.schedule import (
    DueItem,
    DueKind,
    award_schedule,
    deferred_schedule,
    expire_award,
    mark_reminded,
    next_due,
    reminder_due,
    reminder_key,
    settle_award,
)
from stockplan.domain.termination import terminate_award

D = Decimal
TRANCHES = (
    Tranche(date(2001, 1, 3), 4000),
    Tranche(date(2002, 1, 3), 4000),
    Tranche(date(2003, 1, 3), 4000),
)


def award(**changes: object) -> Award:
    return Award(
        award_id="G-1",
        participant_id="P-1",
        plan=PlanCode.INCENTIVE_1998,
        award_type=AwardType.NSO,
        grant_date=date(2000, 1, 3),
        shares_granted=12_000,
        exercise_price=D("31.125"),
        final_exercise_date=date(2010, 1, 3),
        tranches=TRANCHES,
        exercise_deadline=date(2010, 1, 3),
    ).evolve(**changes)


def restricted(**changes: object) -> Award:
    return award(
        award_id="R-1",
        award_type=AwardType.RESTRICTED_STOCK,
        exercise_price=None,
        final_exercise_date=None,
        exercise_deadline=None,
    ).evolve(**changes)


# Terminated 2002-11-30 (other): 8,000 vested, deadline 2002-11-30 + 3 months = 2003-02-28.
TERMINATED = terminate_award(
    award(), Termination("P-1", date(2002, 11, 30), TerminationReason.OTHER)
).award


# --- award_schedule ----------------------------------------------------------------------


def test_rules_deadline_expiry_next_day_and_reminders_30_and_7_days_before() -> None:
    """Deadline 2003-02-28 (inclusive): expiry by the run of 2003-03-01; reminders on
    2003-01-29 (30 days before) and 2003-02-21 (7 days before)."""
    assert TERMINATED.exercise_deadline == date(2003, 2, 28)
    items = award_schedule(TERMINATED, date(2002, 12, 1))
    assert sorted(items) == [
        DueItem(date(2003, 1, 29), DueKind.REMINDER, "G-1", "30@2003-02-28"),
        DueItem(date(2003, 2, 21), DueKind.REMINDER, "G-1", "7@2003-02-28"),
        DueItem(date(2003, 3, 1), DueKind.EXPIRY, "G-1"),
    ]


# --- next_due: an award's one due item (issue 13) -------------------------------------------


def test_one_due_item_an_award_keeps_is_the_earliest_effect_of_its_schedule() -> None:
    """Deadline 2003-02-28: the one item stands at the 30-day reminder, then (sent) at the
    7-day one, then (sent) at the expiry, then (expired) nowhere (docs/plan-rules.md
    "Notices", "Vesting and termination")."""
    today = date(2002, 12, 1)
    first = next_due(TERMINATED, today)
    assert first == DueItem(date(2003, 1, 29), DueKind.REMINDER, "G-1", "30@2003-02-28")
    reminded = mark_reminded(TERMINATED, first)
    second = next_due(reminded, first.day)
    assert second == DueItem(date(2003, 2, 21), DueKind.REMINDER, "G-1", "7@2003-02-28")
    both = mark_reminded(reminded, second)
    assert next_due(both, second.day) == DueItem(date(2003, 3, 1), DueKind.EXPIRY, "G-1")
    assert next_due(expire_award(both, date(2003, 3, 1)), date(2003, 3, 1)) is None


def test_one_due_item_skips_reminders_already_past_when_the_deadline_is_set() -> None:
    """A deadline learnt on 2003-02-22 has no reminder left: the item is its expiry."""
    assert next_due(TERMINATED, date(2003, 2, 22)) == DueItem(
        date(2003, 3, 1), DueKind.EXPIRY, "G-1"
    )


@given(today=st.dates(date(2002, 1, 1), date(2004, 1, 1)), sent=st.sets(st.sampled_from([30, 7])))
def test_one_due_item_is_never_later_than_any_effect_of_the_award(
    today: date, sent: set[int]
) -> None:
    subject = TERMINATED.evolve(
        reminders_sent=frozenset(reminder_key(d, date(2003, 2, 28)) for d in sent)
    )
    schedule = award_schedule(subject, today)
    head = next_due(subject, today)
    assert head in schedule
    assert all(head <= item for item in schedule)


@pytest.mark.parametrize(
    ("today", "sent", "reminders"),
    [
        pytest.param(date(2003, 1, 29), frozenset(), ["30@2003-02-28", "7@2003-02-28"], id="day"),
        pytest.param(date(2003, 1, 30), frozenset(), ["7@2003-02-28"], id="30-day-passed"),
        pytest.param(date(2003, 2, 22), frozenset(), [], id="both-passed"),
        pytest.param(
            date(2003, 1, 1), frozenset({"30@2003-02-28"}), ["7@2003-02-28"], id="already-sent"
        ),
        # Reminders sent for an older deadline do not block those of the new one.
        pytest.param(
            date(2003, 1, 1),
            frozenset({"30@2003-02-01", "7@2003-02-01"}),
            ["30@2003-02-28", "7@2003-02-28"],
            id="changed-deadline-gets-new-reminders",
        ),
    ],
)
def test_rules_notices_reminders_scheduled_from_today(
    today: date, sent: frozenset[str], reminders: list[str]
) -> None:
    """Reminders already past when the deadline becomes known, or already sent, are not
    scheduled; the expiry always is."""
    items = award_schedule(TERMINATED.evolve(reminders_sent=sent), today)
    assert sorted(i.detail for i in items if i.kind is DueKind.REMINDER) == reminders
    assert [i.day for i in items if i.kind is DueKind.EXPIRY] == [date(2003, 3, 1)]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        pytest.param(award(shares_exercised=12_000), [], id="closed-award"),
        pytest.param(award(exercise_deadline=None), [], id="option-without-deadline"),
        pytest.param(restricted(), [date(2001, 1, 3)], id="restricted-first-tranche"),
        pytest.param(restricted(shares_exercised=4000), [date(2002, 1, 3)], id="second-tranche"),
        pytest.param(restricted(tranches=()), [date(2000, 1, 3)], id="vested-at-grant"),
        pytest.param(
            restricted(accelerated_on=date(2001, 6, 1), shares_exercised=4000),
            [date(2001, 6, 1)],
            id="accelerated",
        ),
        # Service ended 2002-01-10 with the 2002 tranche delivered: nothing more settles.
        pytest.param(
            restricted(
                shares_exercised=8000,
                shares_forfeited=0,
                service_ended_on=date(2002, 1, 10),
            ),
            [],
            id="service-ended-nothing-more-vests",
        ),
        # Service ended 2002-01-10 before the 2002 tranche was delivered: it is due.
        pytest.param(
            restricted(shares_exercised=4000, service_ended_on=date(2002, 1, 10)),
            [date(2002, 1, 3)],
            id="service-ended-vested-tranche-still-due",
        ),
    ],
)
def test_1998_6c_settlements_of_awards_needing_no_exercise(
    subject: Award, expected: list[date]
) -> None:
    """Awards not requiring exercise (1998 §6.c) deliver their shares at their vest dates."""
    items = award_schedule(subject, date(2000, 1, 3))
    assert [i.day for i in items] == expected
    assert all(i.kind is DueKind.SETTLE for i in items)


def test_1998_6c_settle_award_delivers_vested_shares() -> None:
    """Settling on 2002-01-03 delivers the 8,000 vested; on 2003-01-03 the rest."""
    first = settle_award(restricted(), date(2002, 1, 3))
    assert first.shares_exercised == 8000
    second = settle_award(first, date(2003, 1, 3))
    assert (second.shares_exercised, second.shares_outstanding) == (12_000, 0)
    # Settling again, or an earlier day, never takes shares back.
    assert settle_award(second, date(2003, 1, 3)) == second
    assert settle_award(first, date(2001, 1, 3)).shares_exercised == 8000


def test_1998_6a5_settle_after_forfeiture_delivers_only_vested() -> None:
    """Terminated 2002-01-03: 8,000 vested, 4,000 forfeited; settling later delivers 8,000."""
    end = Termination("P-1", date(2002, 1, 3), TerminationReason.OTHER)
    result = terminate_award(restricted(), end).award
    settled = settle_award(result, date(2009, 1, 1))
    assert (settled.shares_exercised, settled.shares_forfeited) == (8000, 4000)
    assert settled.shares_outstanding == 0


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param(award(), id="option-not-settled"),
        pytest.param(restricted(shares_forfeited=12_000), id="closed"),
    ],
)
def test_1998_6b_settle_award_leaves_options_and_closed_awards(subject: Award) -> None:
    """Options and SARs are exercised, never settled; closed awards stay as they are."""
    assert settle_award(subject, date(2005, 1, 1)) == subject


@pytest.mark.parametrize(
    ("day", "expired"),
    [
        pytest.param(date(2003, 2, 28), 0, id="on-deadline-still-open"),
        pytest.param(date(2003, 3, 1), 8000, id="day-after-deadline"),
        pytest.param(date(2004, 1, 1), 8000, id="much-later"),
    ],
)
def test_rules_expiry_on_deadline_plus_one(day: date, expired: int) -> None:
    """The deadline is inclusive; the day after, unexercised shares expire (docs/plan-rules.md)."""
    assert expire_award(TERMINATED, day).shares_expired == expired


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param(restricted(), id="no-deadline"),
        pytest.param(TERMINATED.evolve(shares_exercised=8000), id="not-outstanding"),
    ],
)
def test_rules_expiry_noop(subject: Award) -> None:
    """No deadline, or nothing outstanding: nothing expires."""
    assert expire_award(subject, date(2011, 1, 1)) == subject


@pytest.mark.parametrize(
    ("subject", "detail", "due"),
    [
        pytest.param(TERMINATED, "30@2003-02-28", True, id="exercisable-shares-would-expire"),
        pytest.param(
            TERMINATED.evolve(shares_exercised=8000), "30@2003-02-28", False, id="all-exercised"
        ),
        pytest.param(TERMINATED, "30@2003-03-31", False, id="stale-deadline"),
        pytest.param(
            TERMINATED.evolve(reminders_sent=frozenset({"30@2003-02-28"})),
            "30@2003-02-28",
            False,
            id="already-sent",
        ),
        # Unvested option: no exercisable shares at the reminder, no reminder.
        pytest.param(
            award(exercise_deadline=date(2000, 12, 31)),
            "30@2000-12-31",
            False,
            id="nothing-vested",
        ),
        pytest.param(restricted(), "30@2003-02-28", False, id="no-deadline"),
    ],
)
def test_rules_notices_reminder_due_only_when_shares_would_expire(
    subject: Award, detail: str, due: bool
) -> None:
    """'Reminders: 30 days and 7 days before a deadline on which exercisable shares would
    expire' (docs/plan-rules.md Notices)."""
    days = int(detail.split("@")[0])
    deadline = date.fromisoformat(detail.split("@")[1])
    item = DueItem(deadline - timedelta(days=days), DueKind.REMINDER, "G-1", detail)
    assert reminder_due(subject, item) is due


def test_rules_notices_mark_reminded_records_key() -> None:
    """A reminder once sent is recorded against its deadline."""
    item = DueItem(date(2003, 1, 29), DueKind.REMINDER, "G-1", reminder_key(30, date(2003, 2, 28)))
    after = mark_reminded(TERMINATED, item)
    assert after.reminders_sent == frozenset({"30@2003-02-28"})
    assert not reminder_due(after, item)


def test_directors_7b_deferred_issue_scheduled() -> None:
    """Pending deferred stock is issued on its issue date; issued stock has nothing due."""
    pending = deferred_award("D-1", FeeType.MEETING, date(2001, 2, 14), D("1500.00"), D("40.00"))
    assert deferred_schedule(pending) == [
        DueItem(date(2004, 1, 2), DueKind.ISSUE, "D-1#meeting#2001-02-14")
    ]
    assert deferred_schedule(issue(pending)) == []


def test_rules_due_items_order_by_day_then_kind() -> None:
    """Items due on or before the day, by day, then expiry < settle < ... < reminder."""
    items = [
        DueItem(date(2003, 3, 2), DueKind.EXPIRY, "late"),
        DueItem(date(2003, 3, 1), DueKind.REMINDER, "b", "7@2003-03-08"),
        DueItem(date(2003, 3, 1), DueKind.ISSUE, "c"),
        DueItem(date(2003, 3, 1), DueKind.EXPIRY, "a"),
        DueItem(date(2003, 2, 1), DueKind.SETTLE, "z"),
        DueItem(date(2003, 3, 1), DueKind.SETTLE, "d"),
    ]
    due = sorted(i for i in items if i.day <= date(2003, 3, 1))
    assert [i.ref for i in due] == ["z", "a", "d", "c", "b"]
    assert items[1].key == "2003-03-01#7-reminder#b#7@2003-03-08"


# --- catching up == running every day ----------------------------------------------------


@dataclass
class World:
    """A pure stand-in for the daily job's state: awards, deferred stock, the due items
    queued so far, and what has been applied."""

    awards: dict[str, Award]
    deferred: dict[str, DeferredStockAward]
    queue: dict[str, DueItem] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    reminders: list[tuple[date, str, str]] = field(default_factory=list)

    def enqueue(self, items: Iterable[DueItem]) -> None:
        for item in items:
            self.queue.setdefault(item.key, item)


def start(awards: Iterable[Award], deferred: Iterable[DeferredStockAward], today: date) -> World:
    world = World({a.award_id: a for a in awards}, {d.key: d for d in deferred})
    for a in world.awards.values():
        world.enqueue(award_schedule(a, today))
    for d in world.deferred.values():
        world.enqueue(deferred_schedule(d))
    return world


def run_through(world: World, day: date) -> None:
    """The daily job for `day`: every item due on or before it and not yet done, in (day,
    kind) order; an effect's follow-ups are scheduled from the effect's own day."""
    while True:
        due = sorted(i for i in world.queue.values() if i.day <= day)
        pending = [i for i in due if i.key not in world.done]
        if not pending:
            return
        item = pending[0]
        world.done.append(item.key)
        if item.kind is DueKind.ISSUE:
            world.deferred[item.ref] = issue(world.deferred[item.ref])
            continue
        subject = world.awards[item.ref]
        if item.kind is DueKind.EXPIRY:
            subject = expire_award(subject, item.day)
        elif item.kind is DueKind.SETTLE:
            subject = settle_award(subject, item.day)
        elif item.kind is DueKind.REMINDER and reminder_due(subject, item):
            subject = mark_reminded(subject, item)
            world.reminders.append((item.day, item.ref, item.detail))
        world.awards[item.ref] = subject
        world.enqueue(award_schedule(subject, item.day))


FIRST_DAY = date(2002, 12, 1)
LAST_DAY = date(2003, 4, 30)


def portfolio() -> tuple[list[Award], list[DeferredStockAward]]:
    awards = [
        TERMINATED,  # reminders 01-29, 02-21; 8,000 expire 03-01
        restricted(
            award_id="R-1",
            tranches=(
                Tranche(date(2002, 12, 15), 100),
                Tranche(date(2003, 1, 15), 100),
                Tranche(date(2003, 2, 15), 100),
            ),
            shares_granted=300,
        ),
        # Nothing vested before its deadline 2003-03-31: no reminder, 500 expire 04-01.
        award(
            award_id="G-2",
            shares_granted=500,
            tranches=(Tranche(date(2003, 4, 15), 500),),
            exercise_deadline=date(2003, 3, 31),
        ),
        # Fully vested, deadline 2003-04-10 (reminders 03-11 and 04-03), half exercised.
        award(
            award_id="G-3",
            tranches=(),
            shares_exercised=6000,
            exercise_deadline=date(2003, 4, 10),
        ),
        award(award_id="G-4", shares_exercised=12_000),  # closed: nothing due
    ]
    deferred = [
        deferred_award("D-1", FeeType.MEETING, date(2000, 2, 14), D("1500.00"), D("40.00")),
        deferred_award("D-2", FeeType.ANNUAL, date(2003, 5, 1), D("1000.00"), D("20.00")),
    ]
    return awards, deferred


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def run_on(run_days: Iterable[date]) -> World:
    awards, deferred = portfolio()
    world = start(awards, deferred, FIRST_DAY)
    for day in run_days:
        run_through(world, day)
    return world


def test_interfaces_2_daily_job_run_daily_outcome() -> None:
    """Worked out by hand for 2002-12-01..2003-04-30 (1998 §6.a.(5)(B), §6.c; Directors §7(b))."""
    world = run_on(days(FIRST_DAY, LAST_DAY))
    g1, r1, g2, g3, g4 = (world.awards[k] for k in ("G-1", "R-1", "G-2", "G-3", "G-4"))
    assert (g1.shares_expired, g1.shares_forfeited, g1.shares_outstanding) == (8000, 4000, 0)
    assert (r1.shares_exercised, r1.shares_outstanding) == (300, 0)
    assert (g2.shares_expired, g2.shares_outstanding) == (500, 0)
    assert (g3.shares_exercised, g3.shares_expired) == (6000, 6000)
    assert g4 == award(award_id="G-4", shares_exercised=12_000)
    assert world.reminders == [
        (date(2003, 1, 29), "G-1", "30@2003-02-28"),
        (date(2003, 2, 21), "G-1", "7@2003-02-28"),
        (date(2003, 3, 11), "G-3", "30@2003-04-10"),
        (date(2003, 4, 3), "G-3", "7@2003-04-10"),
    ]
    # Award 2000-02-14 -> first business day of January 2003 (2003-01-02); D-2 (award
    # 2003-01-02) is due 2006-01-03 and stays pending.
    assert world.deferred["D-1#meeting#2000-02-14"].status.value == "issued"
    assert world.deferred["D-2#annual#2003-05-01"].status.value == "pending"


@pytest.mark.parametrize(
    "run_days",
    [
        pytest.param([LAST_DAY], id="once-at-the-end"),
        pytest.param([date(2003, 1, 1), date(2003, 2, 25), LAST_DAY], id="three-runs"),
        pytest.param([date(2003, 3, 1), date(2003, 3, 1), LAST_DAY], id="doubled-schedule"),
        pytest.param([*days(FIRST_DAY, LAST_DAY)[::9], LAST_DAY], id="every-ninth-day"),
    ],
)
def test_interfaces_2_catching_up_equals_running_every_day(run_days: list[date]) -> None:
    """A missed or doubled schedule loses and repeats nothing (docs/interfaces.md §2)."""
    daily = run_on(days(FIRST_DAY, LAST_DAY))
    caught_up = run_on(run_days)
    assert caught_up.awards == daily.awards
    assert caught_up.deferred == daily.deferred
    assert caught_up.reminders == daily.reminders
    assert caught_up.done == daily.done


_DAILY: list[World] = []


def _daily() -> World:
    if not _DAILY:
        _DAILY.append(run_on(days(FIRST_DAY, LAST_DAY)))
    return _DAILY[0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(days(FIRST_DAY, LAST_DAY)), max_size=12).map(
        lambda picked: [*sorted(picked), LAST_DAY]
    )
)
def test_interfaces_2_any_run_pattern_equals_daily(run_days: list[date]) -> None:
    """Whatever days the schedule fires on (missed, doubled), the end state is the daily one."""
    caught_up = run_on(run_days)
    daily = _daily()
    assert (caught_up.awards, caught_up.deferred) == (daily.awards, daily.deferred)
    assert (caught_up.reminders, caught_up.done) == (daily.reminders, daily.done)
