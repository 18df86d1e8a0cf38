"""A feed's people read in batches (issue 13): the profile lists the person's awards and
deferred stock (`holdings`), kept in every transaction that adds one, so the rows of a
batch read their people with BatchGetItem (100 keys a request) instead of a Query each;
keys DynamoDB leaves unprocessed are asked again; every exactly-once guarantee holds
(docs/interfaces.md §1a)."""

from __future__ import annotations

from typing import Any

import pytest
from handlers_support import (
    FEED_FUNCTION,
    RecordingClient,
    emails_besides,
    feed,
    item,
    notice_kind,
    report,
)
from test_handlers_batches import (
    MAR15,
    OCT2,
    PEOPLE,
    TERMINATIONS,
    Crash,
    assert_each_person_terminated_once,
    staff,
    terminations_event,
)

__all__ = ["staff"]  # the fixture, used by name


class ThrottlingClient(RecordingClient):
    """The DynamoDB client, recording each call; BatchGetItem leaves its last key
    unprocessed the first `throttle` times (as DynamoDB does under load)."""

    def __init__(self, client: Any, throttle: int = 0) -> None:
        super().__init__(client)
        self.throttle = throttle

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("batch_get_item", {"RequestItems": RequestItems}))
        if self.throttle <= 0:
            answer: dict[str, Any] = self._client.batch_get_item(RequestItems=RequestItems)
            return answer
        self.throttle -= 1
        ((table, request),) = RequestItems.items()
        *asked, left = request["Keys"]
        answer = (
            self._client.batch_get_item(RequestItems={table: {**request, "Keys": asked}})
            if asked
            else {"Responses": {table: []}}
        )
        answer["UnprocessedKeys"] = {table: {**request, "Keys": [left]}}
        return answer

    def person_queries(self) -> list[str]:
        return [
            kwargs["ExpressionAttributeValues"][":pk"]["S"]
            for name, kwargs in self.calls
            if name == "query"
            and str(
                kwargs.get("ExpressionAttributeValues", {}).get(":pk", {}).get("S", "")
            ).startswith("P#")
        ]


def recording(stack: Any, monkeypatch: pytest.MonkeyPatch, throttle: int = 0) -> ThrottlingClient:
    client = ThrottlingClient(stack.runtime.dynamodb, throttle)
    monkeypatch.setattr(stack.runtime, "dynamodb", client)
    return client


def test_a_termination_file_reads_its_people_with_batch_get_not_a_query_a_row(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = recording(staff, monkeypatch)

    result = staff.invoke(FEED_FUNCTION, terminations_event(staff))["files"][0]

    assert (result["accepted"], result["rejected"]) == (PEOPLE, 0)
    assert client.person_queries() == []
    gets = [kwargs for name, kwargs in client.calls if name == "batch_get_item"]
    asked = [k["PK"]["S"] for g in gets for r in g["RequestItems"].values() for k in r["Keys"]]
    assert {f"P#E{n}" for n in range(PEOPLE)} <= set(asked)
    assert_each_person_terminated_once(staff)


def test_keys_batch_get_leaves_unprocessed_are_asked_again(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = recording(staff, monkeypatch, throttle=2)

    result = staff.invoke(FEED_FUNCTION, terminations_event(staff))["files"][0]

    assert (result["accepted"], result["rejected"]) == (PEOPLE, 0)
    assert client.throttle == 0  # both throttled answers were followed by a second ask
    assert client.person_queries() == []
    assert_each_person_terminated_once(staff)


def test_awards_granted_in_a_batch_are_listed_on_the_profile_and_terminated_later(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two grants of E0 in one file (the second read afresh after the first commits):
    both are on E0's profile, and the termination file, reading E0 by BatchGetItem,
    forfeits both."""
    grants = (
        "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
        "final_exercise_date,vesting\n"
        "H-1,E0,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,2002-09-15:50;2003-03-15:50\n"
        "H-2,E0,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,2002-09-15:50;2003-03-15:50\n"
        "H-3,E1,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,2002-09-15:50;2003-03-15:50\n"
    )
    assert feed(staff, "grants", grants, MAR15, name="2002-03-15-more")["accepted"] == 3
    profile = item(staff, "P#E0", "PROFILE")
    assert profile is not None
    assert profile["holdings"] == ["AWARD#G-0", "AWARD#H-1", "AWARD#H-2"]
    client = recording(staff, monkeypatch)

    result = staff.invoke(FEED_FUNCTION, terminations_event(staff))["files"][0]

    assert result["accepted"] == PEOPLE
    assert client.person_queries() == []
    awards = {a["award_id"]: a for a in report(staff, OCT2)["awards"]}
    assert (awards["H-1"]["shares_forfeited"], awards["H-2"]["shares_forfeited"]) == (50, 50)
    assert awards["H-3"]["shares_forfeited"] == 50


def test_a_person_without_a_profile_is_rejected_and_the_others_are_applied(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = recording(staff, monkeypatch)
    body = TERMINATIONS + "E99,2002-10-01,voluntary\n"

    result = feed(staff, "terminations", body, OCT2)

    assert (result["accepted"], result["rejected"]) == (PEOPLE, 1)
    assert client.person_queries() == []
    assert_each_person_terminated_once(staff)
    (summary,) = emails_besides(staff, "grant", "termination")
    assert notice_kind(summary) == "feed-rejections"


def test_a_profile_stored_without_its_holdings_is_queried_and_then_lists_them(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stack deployed before issue 13: its profiles list nothing. The row reads the
    person with a Query, and the profile written with the termination lists them."""
    table = staff.runtime.table()
    old = item(staff, "P#E3", "PROFILE")
    assert old is not None
    old.pop("holdings")
    table.put(old)
    client = recording(staff, monkeypatch)

    result = staff.invoke(FEED_FUNCTION, terminations_event(staff))["files"][0]

    assert result["accepted"] == PEOPLE
    assert client.person_queries() == ["P#E3"]
    assert_each_person_terminated_once(staff)
    after = item(staff, "P#E3", "PROFILE")
    assert after is not None and after["holdings"] == ["AWARD#G-3"]


def test_a_grant_committed_after_the_people_were_read_is_terminated_too(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer grants E5 an award after the batch read E5 ahead: the grant moved
    E5's profile version, the batch conflicts, and its rows are applied again row by
    row, read afresh: the new award is terminated with the others, each row once."""
    from stockplan.service.feeds import FeedDeps

    runtime = staff.runtime
    granted: list[int] = []

    def grant_to_e5(row: int) -> None:
        if row == 7 and not granted:
            granted.append(row)
            grants = (
                "award_id,participant_id,plan,award_type,grant_date,shares,exercise_price,"
                "final_exercise_date,vesting\n"
                "H-5,E5,incentive-1998,nso,2002-03-15,100,20.00,2012-03-15,"
                "2002-09-15:50;2003-03-15:50\n"
            )
            assert feed(staff, "grants", grants, MAR15, name="2002-03-15-late")["accepted"] == 1

    monkeypatch.setattr(
        runtime,
        "feed_deps",
        lambda table: FeedDeps(
            table, runtime.feed_store(), runtime.settings, before_row=grant_to_e5
        ),
    )
    result = staff.invoke(FEED_FUNCTION, terminations_event(staff))["files"][0]

    assert (result["accepted"], result["rejected"]) == (PEOPLE, 0)
    awards = {a["award_id"]: a for a in report(staff, OCT2)["awards"]}
    assert awards["H-5"]["shares_forfeited"] == 50
    assert awards["G-5"]["shares_forfeited"] == 500


def test_a_crash_mid_batch_after_the_people_were_read_applies_each_row_once(
    staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of three, the people of all eight rows read ahead; the Lambda dies in the
    second batch. The redelivery reads the people again and applies the rows the first
    batch did not, each once."""
    from stockplan.service.feeds import FeedDeps

    runtime = staff.runtime
    event = terminations_event(staff)

    def die_at_row_5(row: int) -> None:
        if row == 5:
            raise Crash("died in the second batch")

    with monkeypatch.context() as patch:
        patch.setattr(
            runtime,
            "feed_deps",
            lambda table: FeedDeps(
                table, runtime.feed_store(), runtime.settings, batch_rows=3, before_row=die_at_row_5
            ),
        )
        with pytest.raises(Crash):
            staff.invoke(FEED_FUNCTION, event)
    half = report(staff, OCT2)
    assert sum(1 for a in half["awards"] if a["shares_forfeited"] == 500) == 3

    result = staff.invoke(FEED_FUNCTION, event)["files"][0]

    assert (result["accepted"], result["rejected"]) == (PEOPLE, 0)
    assert_each_person_terminated_once(staff)
