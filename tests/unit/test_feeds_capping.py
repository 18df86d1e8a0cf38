"""`capped_record`: a rejected row's record cut down to a size a DynamoDB item can hold
(for the feed service to call before it stores a rejection)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stockplan.feeds import (
    MAX_REJECTED_RECORD_BYTES,
    FeedKind,
    capped_record,
    parse_feed,
    record_bytes,
)
from stockplan.feeds.capping import cut_marker

COLUMNS = FeedKind.PARTICIPANTS.columns
# DynamoDB's item limit; the capped record must leave room for the rest of the item.
DYNAMODB_ITEM_LIMIT = 400 * 1024


def test_a_record_that_fits_is_kept_whole_less_the_columns_the_kind_does_not_read() -> None:
    record = {"participant_id": "P-1", "name": "Ann Lee", "notes": "anything", "": "x"}
    assert capped_record(record, COLUMNS, 1000) == {"participant_id": "P-1", "name": "Ann Lee"}


def test_a_cell_of_ten_mib_is_cut_with_a_marker_and_the_short_cells_stay_whole() -> None:
    huge = "é" * (5 * 1024 * 1024)  # 10 MiB in UTF-8
    record = {
        "participant_id": "P-9",
        "name": huge,
        "email": "p9@ctc.example.com",
        "role": "employee",
        "notes": huge,
    }

    capped = capped_record(record, COLUMNS)

    assert record_bytes(capped) <= MAX_REJECTED_RECORD_BYTES < DYNAMODB_ITEM_LIMIT // 4
    assert list(capped) == ["participant_id", "name", "email", "role"]
    assert capped["participant_id"] == "P-9" and capped["email"] == "p9@ctc.example.com"
    kept = capped["name"].removesuffix(cut_marker(len(huge) - capped["name"].index(" …[")))
    assert kept and set(kept) == {"é"}
    assert capped["name"].endswith(f" …[{len(huge) - len(kept)} more characters cut]")


def test_the_cap_of_a_parsed_rejected_row_fits_what_the_table_can_store() -> None:
    data = (
        "participant_id,name,email,role,notes\n"
        f"P-9,{'x' * 600_000},p9@ctc.example.com,employee,{'y' * 600_000}\n"
    ).encode()
    (rejection,) = parse_feed(FeedKind.PARTICIPANTS, data).rejections
    assert record_bytes(rejection.record) > DYNAMODB_ITEM_LIMIT
    capped = capped_record(rejection.record, FeedKind.PARTICIPANTS.columns)
    assert record_bytes(capped) <= MAX_REJECTED_RECORD_BYTES
    assert "notes" not in capped


def test_a_budget_too_small_for_the_column_names_is_refused() -> None:
    try:
        capped_record({"participant_id": "x" * 100}, COLUMNS, 10)
    except ValueError as error:
        assert "cannot hold the column names" in str(error)
    else:
        raise AssertionError("expected ValueError")


cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=400)


@settings(max_examples=200, deadline=None)
@given(
    record=st.dictionaries(st.sampled_from([*COLUMNS, "notes", "x"]), cells, max_size=8),
    spare=st.integers(0, 3000),
)
def test_a_capped_record_never_exceeds_its_budget_and_keeps_each_cell_a_prefix(
    record: dict[str, str], spare: int
) -> None:
    read = {k: v for k, v in record.items() if k in COLUMNS}
    max_bytes = sum(len(k.encode()) + 4 for k in read) + spare

    capped = capped_record(record, COLUMNS, max_bytes)

    assert record_bytes(capped) <= max_bytes
    assert list(capped) == list(read)
    for name, value in capped.items():
        if value == read[name]:
            continue
        cut = value.rpartition(" …[")[0] if " …[" in value else value
        assert read[name].startswith(cut)
        assert value == "" or value.endswith(" more characters cut]")
    if record_bytes(read) <= max_bytes:
        assert capped == read
