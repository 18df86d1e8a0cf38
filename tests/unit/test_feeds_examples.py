"""The example files HR is pointed to (README, examples/feeds/) are feeds that parse with
no rejected row, one for every kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockplan.feeds import FeedKind, parse_feed

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "feeds"


def test_there_is_an_example_of_every_kind() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.csv")} == {k.value for k in FeedKind}


@pytest.mark.parametrize("kind", list(FeedKind), ids=lambda k: k.value)
def test_each_example_parses_without_a_rejected_row(kind: FeedKind) -> None:
    parsed = parse_feed(kind, (EXAMPLES / f"{kind.value}.csv").read_bytes())
    assert parsed.rejections == []
    assert parsed.rows
