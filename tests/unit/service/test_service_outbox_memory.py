"""Sending outbox notices exactly once (docs/plan-rules.md "Notices"), on the in-memory stack:
claim, send, mark sent; a refused send is retried, then failed and dead-lettered."""

from __future__ import annotations

from memory_world import MAR15, PEOPLE_CSV, World

from stockplan.data import records as rec
from stockplan.service.outbox import STALE_CLAIM_SECONDS, dispatch, oldest_pending_age


def _queued(world: World) -> str:
    """A grant notice for Ann, queued and not sent yet."""
    world.feed("participants", PEOPLE_CSV, MAR15)
    world.feed("prices", "date,last_sale\n2002-03-15,20.00\n", MAR15)
    outcome = world.upload(
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date\nG-1,E1,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15\n",
        MAR15,
    )
    (nid,) = outcome.notice_ids
    return nid


def test_a_sent_notice_leaves_the_pending_index_with_its_message_id_and_body_apart(
    world: World,
) -> None:
    nid = _queued(world)
    outcome = world.send_pending()
    assert outcome.sent == [nid]
    notice = world.table.get(*rec.notice_key(nid))
    assert notice is not None
    assert (notice["status"], notice["message_id"]) == ("sent", "mail-0001")
    assert "raw" not in notice and "GSI1PK" not in notice
    body = world.table.get(rec.notice_key(nid)[0], "BODY")
    assert body is not None and bytes(body["raw"]) == world.mailer.sent[0].raw
    # Sent once: a second sweep sends nothing.
    assert world.send_pending().sent == []
    assert len(world.mailer.sent) == 1


def test_a_notice_claimed_by_another_sender_is_left_to_it_until_the_claim_is_stale(
    world: World,
) -> None:
    nid = _queued(world)
    pk, sk = rec.notice_key(nid)
    held = world.table.get(pk, sk)
    assert held is not None
    world.table.put({**held, "status": "sending", "claimed_at": int(world.now)})
    assert dispatch(world.outbox(), [nid]).sent == []
    world.now += STALE_CLAIM_SECONDS + 1  # that sender died before sending
    assert dispatch(world.outbox(), [nid]).sent == [nid]


def test_a_refused_send_is_retried_then_failed_listed_undelivered_and_dead_lettered(
    world: World,
) -> None:
    nid = _queued(world)
    world.mailer.failures = ["Throttling", "Throttling", "MessageRejected"]
    first = world.send_pending()
    assert first.retrying == [nid]
    notice = world.table.get(*rec.notice_key(nid))
    assert notice is not None
    assert (notice["status"], notice["attempts"], notice["last_error"]) == (
        "pending",
        1,
        "Throttling",
    )
    world.send_pending()
    third = world.send_pending()  # max_send_attempts = 3
    assert third.dead == [nid]
    assert world.table.query_index(rec.PENDING_NOTICES) == []
    (undelivered,) = world.table.query_index(rec.UNDELIVERED_NOTICES)
    assert (undelivered["notice_id"], undelivered["status"]) == (nid, "failed")
    assert world.dead.messages == [
        {"notice_id": nid, "kind": "grant", "attempts": 3, "error": "MessageRejected"}
    ]
    assert world.mailer.sent == []


def test_the_oldest_pending_notice_age_counts_from_its_queueing(world: World) -> None:
    nid = _queued(world)
    notice = world.table.get(*rec.notice_key(nid))
    assert notice is not None
    world.now = float(notice["queued_at"]) + 600
    assert oldest_pending_age(world.outbox()) == 600
    world.send_pending()
    assert oldest_pending_age(world.outbox()) == 0


def test_a_sent_mark_that_meets_a_transaction_conflict_is_committed_again_not_sent_twice(
    world: World,
) -> None:
    """SES accepted the email; the transaction marking it sent conflicted once with
    another request: it is committed again, and no later sweep sends the email again."""
    from stockplan.data.table import ConflictError, Transaction

    nid = _queued(world)
    conflicts: list[int] = []

    def conflict_once(transaction: Transaction) -> None:
        if not conflicts:
            conflicts.append(len(transaction))
            raise ConflictError("TransactionConflict")

    world.table.before_commit = conflict_once
    assert world.send_pending().sent == [nid]
    world.table.before_commit = None

    assert conflicts == [2]  # the body and the notice's "sent" mark
    notice = world.table.get(*rec.notice_key(nid))
    assert notice is not None and notice["status"] == "sent"
    world.now += STALE_CLAIM_SECONDS + 60
    assert world.send_pending().sent == []
    assert len(world.mailer.sent) == 1


def test_a_sent_mark_refused_by_a_dynamodb_outage_is_tried_again_and_a_bug_is_raised(
    world: World,
) -> None:
    """DynamoDB failing for a while (throttled) is tried again like a conflict; an
    error of another kind is raised at once (the sweep then sends it again)."""
    import pytest

    from stockplan.data.table import ThrottledError, Transaction

    nid = _queued(world)
    refusals: list[str] = []

    def throttled_once(transaction: Transaction) -> None:
        if not refusals:
            refusals.append("throttled")
            raise ThrottledError("refused for throughput")

    world.table.before_commit = throttled_once
    assert world.send_pending().sent == [nid]
    assert refusals == ["throttled"]

    second = _second(world)

    def broken(transaction: Transaction) -> None:
        if len(transaction) == 2:  # the sent mark
            refusals.append("bug")
            raise ValueError("a bug")

    world.table.before_commit = broken
    with pytest.raises(ValueError):
        world.send_pending()
    assert refusals == ["throttled", "bug"]  # not tried again
    notice = world.table.get(*rec.notice_key(second))
    assert notice is not None and notice["status"] != "sent"


def _second(world: World) -> str:
    outcome = world.upload(
        "grants",
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date\nG-2,E1,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15\n",
        MAR15,
        name="second",
    )
    (nid,) = outcome.notice_ids
    return nid
