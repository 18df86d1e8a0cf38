"""Two feeds for the same person processed at the same time (FeedFunction runs up to 5
at once), each in its own thread with its own boto3 clients on the served local
endpoint: the final state must be the state of one serial order of the two files, and
each notice must go out once.

The forced interleavings hold one thread just before its commit until the other has
committed (botocore call hooks), the exact races optimistic versioning must catch; the
free-running cases let the threads race on their own with random delays between calls.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import date
from typing import Any

import pytest
from handlers_support import (
    PEOPLE_CSV,
    assert_pools_match_awards,
    award,
    emails,
    feed,
    notice_kind,
    put_object,
    report,
    subject,
    to,
)
from reliability_support import (
    Upload,
    fresh_stack,
    on_call,
    process,
    run_concurrently,
    serial_states,
    served_stack,
    state,
    worker,
)

MAR15 = date(2002, 3, 15)
OCT2 = date(2002, 10, 2)
GRANTS_HEADER = (
    "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
    "final_exercise_date,vesting\n"
)
# Ann (E1) holds G-1, fully vested: her termination alone moves no pool figure, so
# nothing but the versions of her own items can order it against another change.
G1 = "G-1,E1,incentive-1998,nso,2002-03-15,1000,20.00,2012-03-15,\n"

TERMINATE_ANN = Upload(
    "terminations",
    "participant_id,termination_date,reason\nE1,2002-10-01,voluntary\n",
    OCT2,
    "quit",
)
GRANT_ANN = Upload(
    "grants",
    GRANTS_HEADER + "G-2,E1,incentive-1998,nso,2002-03-15,800,20.00,2012-03-15,"
    "2002-09-15:400;2003-03-15:400\n",
    OCT2,
    "late-grant",
)
GRANT_ANN_AGAIN = Upload(
    "grants",
    GRANTS_HEADER + "G-3,E1,incentive-1998,restricted_stock,2002-03-15,600,,,2003-03-15:600\n",
    OCT2,
    "other-grant",
)
ANN_MOVES = Upload(
    "participants",
    "participant_id,name,email,role,personal_email\n"
    "E1,Ann Lee,ann.lee@ctc.example.com,employee,ann@new-home.example.com\n",
    OCT2,
    "ann-moves",
)
ANN_EXERCISES = Upload(
    "exercises",
    "award_id,exercise_date,shares,shares_withheld\nG-1,2002-09-30,300,20\n",
    OCT2,
    "ex",
)


def setup(stack: Any) -> None:
    feed(stack, "participants", PEOPLE_CSV, MAR15)
    feed(stack, "prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    feed(stack, "grants", GRANTS_HEADER + G1, MAR15)


def sent(stack: Any) -> list[tuple[str, str]]:
    return sorted((to(m), subject(m)) for m in emails(stack))


def serial(*orders: tuple[Upload, ...]) -> list[tuple[list[Any], list[tuple[str, str]]]]:
    """(state, emails) after the setup and each order of the uploads, one at a time."""
    return serial_states(setup, orders, sent)


def assert_same_as_one_serial_order(
    stack: Any, references: list[tuple[list[Any], list[tuple[str, str]]]]
) -> int:
    """The concurrent run's state and emails equal those of a serial order; returns
    which one. Every notice went out once (the emails are the serial run's, no more)."""
    actual = state(stack)
    mails = sent(stack)
    for index, (expected, expected_mails) in enumerate(references):
        if actual == expected:
            assert mails == expected_mails
            assert_pools_match_awards(stack)
            return index
    nearest = min(references, key=lambda r: len(_difference(actual, r[0])))
    raise AssertionError(
        "the state is that of no serial order; differences from the nearest:\n"
        + "\n".join(_difference(actual, nearest[0])[:20])
    )


def _difference(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[str]:
    def keyed(items: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(i["PK"]["S"], i["SK"]["S"]): i for i in items}

    ka, kb = keyed(a), keyed(b)
    lines = []
    for key in sorted(set(ka) | set(kb)):
        if ka.get(key) != kb.get(key):
            lines.append(f"{key}: concurrent={ka.get(key)} serial={kb.get(key)}")
    return lines


def hold_until(first: Any, second: Any) -> threading.Event:
    """`second`'s first commit waits until `first`'s first commit is done."""
    done = threading.Event()
    on_call(first.clients["dynamodb"], "TransactWriteItems", lambda n: done.set(), after=True)

    def wait(n: int) -> None:
        if n == 1:
            assert done.wait(30), "the other worker never committed"

    on_call(second.clients["dynamodb"], "TransactWriteItems", wait)
    return done


def jitter(w: Any, seed: int) -> None:
    """Random pauses (0-3 ms) before every call: the threads interleave differently."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def pause(_: int) -> None:
        with lock:
            delay = rng.random() * 0.003
        time.sleep(delay)

    for client in w.clients.values():
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-call.{service}", lambda **_: pause(0))


# ------------------------------------------------------------- forced races


def test_a_grant_that_read_the_person_before_a_termination_committed_is_terminated_too() -> None:
    """The grant reads Ann (not terminated), her termination commits, then the grant
    commits. Without the profile's version the new award G-2 would stay untouched:
    a terminated employee with an option exercisable until 2012."""
    references = serial((TERMINATE_ANN, GRANT_ANN))
    with served_stack() as stack:
        setup(stack)
        grant, term = worker(stack), worker(stack)
        hold_until(term, grant)

        run_concurrently(stack, [(grant, GRANT_ANN), (term, TERMINATE_ANN)])

        assert_same_as_one_serial_order(stack, references)
        g2 = award(report(stack, OCT2), "G-2")
        assert (g2["shares_forfeited"], g2["exercise_deadline"]) == (400, "2003-01-01")


def test_a_termination_that_read_the_awards_before_a_grant_committed_terminates_it_too() -> None:
    """The termination reads Ann's awards (G-1 only), the grant of G-2 commits, then the
    termination commits: it must retry and terminate G-2 as well, and its notice must
    list both awards."""
    references = serial((GRANT_ANN, TERMINATE_ANN))
    with served_stack() as stack:
        setup(stack)
        grant, term = worker(stack), worker(stack)
        hold_until(grant, term)

        run_concurrently(stack, [(grant, GRANT_ANN), (term, TERMINATE_ANN)])

        assert_same_as_one_serial_order(stack, references)
        g2 = award(report(stack, OCT2), "G-2")
        assert (g2["shares_forfeited"], g2["exercise_deadline"]) == (400, "2003-01-01")


def test_an_update_of_the_person_racing_a_termination_does_not_erase_it() -> None:
    """The participants feed reads Ann, her termination commits, then the update of her
    personal email commits: it must not write back the profile it read (which has no
    termination) over the terminated one."""
    references = serial((TERMINATE_ANN, ANN_MOVES))
    with served_stack() as stack:
        setup(stack)
        update, term = worker(stack), worker(stack)
        hold_until(term, update)

        run_concurrently(stack, [(update, ANN_MOVES), (term, TERMINATE_ANN)])

        assert_same_as_one_serial_order(stack, references)
        profile = stack.runtime.table().get("P#E1", "PROFILE")
        assert profile["termination"] == {"date": "2002-10-01", "reason": "voluntary"}
        assert profile["personal_email"] == "ann@new-home.example.com"


# -------------------------------------------------------- free-running races

# (The update of a person racing a termination is forced above.)
FREE_RUNNING: list[tuple[str, Upload, Upload]] = [
    ("grant-vs-termination", GRANT_ANN, TERMINATE_ANN),
    ("exercise-vs-termination", ANN_EXERCISES, TERMINATE_ANN),
    ("two-grants-one-pool", GRANT_ANN, GRANT_ANN_AGAIN),
]


@pytest.mark.parametrize(
    ("first", "second"), [(a, b) for _, a, b in FREE_RUNNING], ids=[n for n, _, _ in FREE_RUNNING]
)
def test_two_feeds_for_one_person_at_once_end_as_one_serial_order(
    first: Upload, second: Upload
) -> None:
    references = serial((first, second), (second, first))
    with served_stack() as stack:
        setup(stack)
        a, b = worker(stack), worker(stack)
        jitter(a, 1)
        jitter(b, 2)

        run_concurrently(stack, [(a, first), (b, second)])

        assert_same_as_one_serial_order(stack, references)


TERMINATIONS_WITH_A_BAD_ROW = Upload(
    "terminations",
    "participant_id,termination_date,reason\nE1,2002-10-01,voluntary\nZZ,2002-10-01,voluntary\n",
    OCT2,
    "with-unknown",
)


@pytest.mark.parametrize("seed", [3, 5])
def test_the_same_event_processed_twice_at_once_applies_once_and_sends_once(seed: int) -> None:
    """S3 may deliver one event twice, and two FeedFunctions may take both copies at
    the same moment: the rows are applied once, Ann's notice and the administrator's
    summary are sent once each, the file's record says 1 accepted and 1 rejected, and
    the copy that loses the race ends without an error (no retry is needed)."""
    (reference,) = serial((TERMINATIONS_WITH_A_BAD_ROW,))
    with served_stack() as stack:
        setup(stack)
        a, b = worker(stack), worker(stack)
        jitter(a, seed)
        jitter(b, seed + 1)

        outcomes = run_concurrently(
            stack, [(a, TERMINATIONS_WITH_A_BAD_ROW), (b, TERMINATIONS_WITH_A_BAD_ROW)]
        )

        assert_same_as_one_serial_order(stack, [reference])
        # Ann's grant notice of the setup, her termination notice and the summary, each
        # once (the two deliveries may send the last two in either order).
        assert sorted(notice_kind(m) for m in emails(stack)) == [
            "feed-rejections",
            "grant",
            "termination",
        ]
        assert all(o.status in ("processed", "duplicate") for o in outcomes)
        assert any((o.status, o.accepted, o.rejected) == ("processed", 1, 1) for o in outcomes)


# ---------------------------------------------------------- daily job vs a feed

MAY15 = date(2002, 5, 15)
DANA_LEFT = Upload(
    "terminations", "participant_id,termination_date,reason\nD1,2002-05-10,other\n", MAY15, "dana"
)


def meeting_setup(stack: Any) -> None:
    setup(stack)
    # Fed on its day: a price dated ahead is rejected (docs/plan-rules.md "Facts in time").
    feed(stack, "prices", "date,last_sale\n2002-05-14,40.00\n", date(2002, 5, 14), name="may")
    feed(
        stack,
        "meetings",
        "meeting_date,participant_id,outcome\n2002-05-15,D1,reelected\n2002-05-15,D2,continuing\n",
        MAR15,
    )


def test_a_formula_grant_racing_the_termination_of_its_director_is_not_made() -> None:
    """The daily run reads the roster and Dana (D1, still serving), her termination
    dated 2002-05-10 commits, then the run commits the 2002-05-15 formula options: it
    must retry and grant only Eli's (D2), as when the termination came first
    (Directors §6(a): no formula option once service has ended)."""
    from handlers_support import run_daily as run_daily_handler

    from stockplan.service.daily import DailyDeps, run_daily

    references = []
    with fresh_stack() as stack:
        meeting_setup(stack)
        feed(stack, DANA_LEFT.kind, DANA_LEFT.body, DANA_LEFT.day, name=DANA_LEFT.name)
        run_daily_handler(stack, MAY15)
        references.append((state(stack), sent(stack)))
    with served_stack() as stack:
        meeting_setup(stack)
        daily, term = worker(stack), worker(stack)
        hold_until(term, daily)
        put = put_object(stack, DANA_LEFT.key, DANA_LEFT.body.encode())
        errors: list[BaseException] = []

        def run_term() -> None:
            try:
                process(term, stack.stack.bucket, DANA_LEFT, put)
            except BaseException as error:
                errors.append(error)

        thread = threading.Thread(target=run_term)
        thread.start()
        deps = DailyDeps(daily.feed_deps.table, stack.runtime.settings)
        run_daily(deps, MAY15, daily.outbox_deps)
        thread.join(timeout=60)
        assert not errors and not thread.is_alive()

        assert_same_as_one_serial_order(stack, references)
        granted = [
            a["participant_id"]
            for a in report(stack, MAY15)["awards"]
            if a["award_id"].startswith("FO-")
        ]
        assert granted == ["D2"]
