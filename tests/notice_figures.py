"""What a notice must show, worked out from its data alone (not from the templates),
and the visible text of an HTML part: shared by the notice template tests and the
browser test.

`figures(notice)` is every share count, money amount, price and date the notice's data
holds, written as docs/plan-rules.md and issue 15 ask (90,000; $1,500.00; $15.0625; 2003-02-28),
less the fields a kind shows only in some cases (listed in `_HIDDEN`)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from stockplan.notices import formatting as fmt
from stockplan.notices.model import (
    FeedRejectionSummary,
    FormulaGrantNotice,
    GrantNotice,
)

# Money fields (to the cent); every other Decimal is a price.
_MONEY = {"amount", "cash_in_lieu"}
# Ints that are not share counts.
_NOT_SHARES = {"days_left", "row", "year"}


def _hidden(notice: Any) -> set[str]:
    """Fields shown only in some cases, when this notice's case does not show them."""
    hidden: set[str] = set()
    if isinstance(notice, FormulaGrantNotice) and not notice.pro_rated:
        hidden.add("requested_shares")
    if isinstance(notice, GrantNotice) and notice.service_ended_on is None:
        hidden |= {"forfeited_shares", "exercise_deadline"}
    if isinstance(notice, GrantNotice) and not notice.award_type.requires_exercise:
        hidden.add("exercise_deadline")
    if isinstance(notice, FeedRejectionSummary):
        # The reasons are listed, not their row numbers as figures; a file refused
        # whole shows no row counts.
        hidden.add("rejections")
        if notice.file_reason is not None:
            hidden |= {"rows_total", "rows_accepted", "rows_rejected", "rows_unchanged"}
        if not notice.rows_history:
            # Rows applied as history (go-live) are counted only where there are some.
            hidden |= {"rows_history", "go_live"}
    return hidden


def _written(name: str, value: Any) -> list[str]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, date):
        return [fmt.iso(value)]
    if isinstance(value, Decimal):
        if name == "ratio":
            return [fmt.ratio(value)]
        return [fmt.money(value) if name in _MONEY else fmt.price(value)]
    if isinstance(value, int):
        return [] if name in _NOT_SHARES else [fmt.shares(value)]
    if dataclasses.is_dataclass(value):
        return figures(value)
    if isinstance(value, tuple):
        return [text for item in value for text in _written(name, item)]
    return []


def figures(notice: Any) -> list[str]:
    """Every figure and date of `notice` (and of the lines it holds), as written."""
    hidden = _hidden(notice)
    out: list[str] = []
    for field in dataclasses.fields(notice):
        if field.name not in hidden:
            out.extend(_written(field.name, getattr(notice, field.name)))
    return out


class _Visible(HTMLParser):
    """The text a reader sees: everything in <body>, nothing of <head>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"head", "title", "style", "script"}:
            self.skip += 1
        elif tag in {"br", "p", "tr", "li", "h2", "td", "th"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"head", "title", "style", "script"}:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


# A figure as notices write them: a date, an amount, a number with separators.
FIGURE = re.compile(r"\d{4}-\d{2}-\d{2}|\$[\d,]+(?:\.\d+)?|\d[\d,]*(?:\.\d+)?")


def figure_tokens(text: str) -> Counter[str]:
    """Every number, amount and date written in `text`, counted."""
    return Counter(m.group().rstrip(",.") for m in FIGURE.finditer(text))
