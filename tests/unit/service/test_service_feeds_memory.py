"""Feed files on the in-memory stack (docs/interfaces.md §1, §1a): rows applied with their
notices, the same object delivered twice processed once, rejected rows reported in the
errors CSV, a file over the limit refused unread."""

from __future__ import annotations

import csv
import io

from memory_world import GRANT_CSV, MAR15, PEOPLE_CSV, World

from stockplan.data import records as rec
from stockplan.feeds import FeedLimits
from stockplan.service.feeds import FeedDeps, process_upload


def test_a_grants_file_stores_the_award_and_sends_its_grant_notice(granted: World) -> None:
    (award,) = granted.of_type("award")
    stored = rec.award_from(award)
    assert (stored.award_id, stored.participant_id, stored.shares_granted) == ("G-1", "E1", 100)
    assert granted.table.get(*rec.award_owner_key("G-1")) is not None
    assert granted.subjects() == ["Your stock option grant of 2002-03-15"]
    (mail,) = granted.mailer.sent
    assert mail.recipient == "ann.lee@ctc.example.com"
    pool = granted.table.get(*rec.pool_key(stored.plan))
    assert pool is not None and pool["outstanding"] == 100


def test_the_same_object_delivered_twice_is_processed_once(world: World) -> None:
    key = "incoming/participants/people.csv"
    version = world.store.upload(key, PEOPLE_CSV.encode())
    first = process_upload(world.feed_deps(), world.store.bucket, key, MAR15, version)
    again = process_upload(world.feed_deps(), world.store.bucket, key, MAR15, version)
    assert (first.status, first.accepted) == ("processed", 2)
    assert again.status == "duplicate"
    assert len(world.of_type("participant")) == 2


def test_a_second_upload_of_the_same_rows_finds_them_unchanged(world: World) -> None:
    world.feed("participants", PEOPLE_CSV, MAR15)
    again = world.upload("participants", PEOPLE_CSV, MAR15, name="again")
    assert (again.status, again.accepted, again.unchanged) == ("processed", 0, 2)


def test_a_row_for_an_unknown_participant_is_rejected_into_the_errors_csv(world: World) -> None:
    world.feed("participants", PEOPLE_CSV, MAR15)
    outcome = world.upload("grants", GRANT_CSV.replace("G-1,E1", "G-1,E9"), MAR15)
    assert (outcome.accepted, outcome.rejected) == (0, 1)
    errors = world.store.latest(f"errors/incoming/grants/{MAR15}.csv.errors.csv")
    (row,) = list(csv.DictReader(io.StringIO(errors.decode("utf-8-sig"))))
    assert "E9" in str(row)
    assert world.of_type("award") == []
    # The administrator is told (docs/interfaces.md §1a), in the file's closing transaction.
    assert outcome.notice_ids and world.table.get(*rec.notice_key(outcome.notice_ids[0]))


def test_a_file_over_the_size_limit_is_refused_without_being_read(world: World) -> None:
    key = "incoming/prices/big.csv"
    version = world.store.upload(key, b"date,last_sale\n" + b"2002-03-14,20.00\n" * 100)
    deps = FeedDeps(world.table, world.store, world.settings, limits=FeedLimits(max_bytes=500))
    outcome = process_upload(deps, world.store.bucket, key, MAR15, version)
    assert outcome.status == "rejected"
    assert outcome.file_reason is not None and "too large" in outcome.file_reason
    assert world.of_type("price") == []
