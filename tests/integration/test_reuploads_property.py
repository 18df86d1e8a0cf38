"""Property (docs/interfaces.md §1a): whatever way HR uploads a set of good rows (split
into partial files, repeated, re-ordered, re-saved by a spreadsheet with other quoting,
column order, header case, blanks, CRLF or a BOM, or uploaded before what they need and
again after), the plans end exactly as if each distinct row had been applied once, in
upload order, and no participant is sent any notice twice.

Runs the real FeedFunction on the embedded AWS; each example is a fresh stack.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from handlers_support import ADMIN, emails, feed, report, subject, to
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import fresh_stack

DAY = date(2002, 5, 2)
EMP = "employee"

# The good rows, by kind, in the order their prerequisites need (a grant needs its
# participant, an exercise its grant; the ISO needs the price).
ROWS: dict[str, tuple[dict[str, str], ...]] = {
    "participants": (
        {
            "participant_id": "E1",
            "name": "Ann Lee",
            "email": "ann@ctc.example.com",
            "role": "employee",
        },
        {
            "participant_id": "E2",
            "name": "Bob Roe",
            "email": "bob@ctc.example.com",
            "role": "employee",
        },
        {
            "participant_id": "E3",
            "name": "Cy Dunn",
            "email": "cy@ctc.example.com",
            "role": "employee",
        },
    ),
    "prices": ({"date": "2002-03-14", "last_sale": "20.00"},),
    "grants": (
        {
            "award_id": "G-1",
            "participant_id": "E1",
            "plan": "incentive-1998",
            "award_type": "iso",
            "grant_date": "2002-03-15",
            "shares": "1000",
            "exercise_price": "20.00",
            "final_exercise_date": "2012-03-15",
            "vesting": "2002-09-15:500;2003-03-15:500",
        },
        {
            "award_id": "G-2",
            "participant_id": "E2",
            "plan": "incentive-1998",
            "award_type": "nso",
            "grant_date": "2002-03-15",
            "shares": "500",
            "exercise_price": "20.5",
            "final_exercise_date": "2012-03-15",
            "vesting": "",
        },
        {
            "award_id": "G-3",
            "participant_id": "E3",
            "plan": "incentive-1998",
            "award_type": "restricted_stock",
            "grant_date": "2002-03-15",
            "shares": "300",
            "exercise_price": "",
            "final_exercise_date": "",
            "vesting": "2002-04-15:100;2003-03-15:200",
        },
    ),
    "exercises": (
        {"award_id": "G-2", "exercise_date": "2002-04-01", "shares": "100", "shares_withheld": "0"},
        {"award_id": "G-2", "exercise_date": "2002-04-02", "shares": "50", "shares_withheld": "10"},
    ),
    "terminations": (
        {"participant_id": "E3", "termination_date": "2002-05-01", "reason": "voluntary"},
        {"participant_id": "E2", "termination_date": "2002-05-01", "reason": "involuntary"},
    ),
}
STAGES = tuple(ROWS)
# Rows of these kinds are rejected while no participant is loaded: the "fails first,
# succeeds later" uploads.
NEED_PEOPLE = ("grants", "exercises", "terminations")


@dataclass(frozen=True)
class Layout:
    """How a spreadsheet may write the same rows."""

    column_order: tuple[int, ...]
    header_case: str  # lower | upper | title
    quote_all: bool
    pad: bool
    crlf: bool
    bom: bool
    blank_line: bool
    extra_column: bool
    decimal_style: str  # as fed | trailing zeros | shortest


def _decimal(value: str, style: str) -> str:
    if "." not in value or style == "as fed":
        return value
    whole, frac = value.split(".")
    frac = frac.rstrip("0")
    if style == "trailing zeros":
        return f"{whole}.{frac}{'0' * (4 - len(frac))}"
    return f"{whole}.{frac}" if frac else whole


def render(kind: str, rows: list[dict[str, str]], layout: Layout) -> bytes:
    columns = list(ROWS[kind][0])
    order = [columns[i % len(columns)] for i in layout.column_order]
    order = list(dict.fromkeys(order + columns))
    if layout.extra_column:
        order.insert(1, "hr_comment")

    def cell(text: str) -> str:
        text = f" {text} " if layout.pad and text else text
        return f'"{text}"' if layout.quote_all else text

    header = [
        {"lower": c, "upper": c.upper(), "title": c.title()}[layout.header_case] for c in order
    ]
    lines = [",".join(cell(h) for h in header)]
    for row in rows:
        values = []
        for column in order:
            value = row.get(column, "ignored" if column == "hr_comment" else "")
            if column in ("exercise_price", "last_sale"):
                value = _decimal(value, layout.decimal_style)
            values.append(cell(value))
        lines.append(",".join(values))
        if layout.blank_line:
            lines.append("")
    text = ("\r\n" if layout.crlf else "\n").join(lines) + "\n"
    return ("\ufeff" if layout.bom else "").encode() + text.encode()


layouts = st.builds(
    Layout,
    column_order=st.lists(st.integers(0, 8), max_size=9).map(tuple),
    header_case=st.sampled_from(["lower", "upper", "title"]),
    quote_all=st.booleans(),
    pad=st.booleans(),
    crlf=st.booleans(),
    bom=st.booleans(),
    blank_line=st.booleans(),
    extra_column=st.booleans(),
    decimal_style=st.sampled_from(["as fed", "trailing zeros", "shortest"]),
)


def _some_rows(kind: str) -> st.SearchStrategy[list[dict[str, str]]]:
    rows = list(ROWS[kind])
    return st.lists(st.sampled_from(rows), min_size=1, max_size=len(rows) + 1)


@st.composite
def upload_plans(draw: st.DrawFn) -> list[tuple[str, list[dict[str, str]], Layout]]:
    """A sequence of uploads that carries every good row at least once after what it
    needs, and any number of repeats, partial files and premature uploads."""
    uploads: list[tuple[str, list[dict[str, str]], Layout]] = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(NEED_PEOPLE))
        uploads.append((kind, draw(_some_rows(kind)), draw(layouts)))
    for index, kind in enumerate(STAGES):
        rows = list(ROWS[kind])
        order = draw(st.permutations(rows))
        cuts = (
            sorted(draw(st.sets(st.integers(1, len(rows) - 1), max_size=2)))
            if len(rows) > 1
            else []
        )
        bounds = [0, *cuts, len(rows)]
        for start, end in itertools.pairwise(bounds):
            part = list(order[start:end])
            # A partial file may repeat rows of its own.
            part += draw(st.lists(st.sampled_from(rows), max_size=1))
            uploads.append((kind, part, draw(layouts)))
        if draw(st.booleans()):
            # A file of an earlier (or this) kind sent again, re-saved.
            earlier = draw(st.sampled_from(STAGES[: index + 1]))
            uploads.append((earlier, draw(_some_rows(earlier)), draw(layouts)))
    return uploads


CLEAN = Layout((), "lower", False, False, False, False, False, False, "as fed")


def _outcome(stack: Any) -> tuple[dict[str, Any], Counter[tuple[str, str]]]:
    final = report(stack, DAY)
    final.pop("as_of")
    for award in final["awards"]:
        # Exact decimals, compared as numbers (docs/interfaces.md §3: "12.5" is "12.50").
        if award["exercise_price"] is not None:
            award["exercise_price"] = Decimal(award["exercise_price"])
    to_people = Counter((to(m), subject(m)) for m in emails(stack) if to(m) != ADMIN)
    return final, to_people


def _differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    found = []
    awards = {a["award_id"]: a for a in got["awards"]}
    for expected in want["awards"]:
        actual = awards.get(expected["award_id"], {})
        found += [
            f"{expected['award_id']}.{k}: {actual.get(k)!r} != {v!r}"
            for k, v in expected.items()
            if actual.get(k) != v
        ]
    return found


@functools.cache
def reference() -> tuple[dict[str, Any], Counter[tuple[str, str]]]:
    """Each distinct row applied once, kind by kind, in one clean file each."""
    with fresh_stack() as stack:
        for kind in STAGES:
            feed(stack, kind, render(kind, list(ROWS[kind]), CLEAN), DAY, name=f"ref-{kind}")
        return _outcome(stack)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=upload_plans())
def test_any_way_of_uploading_the_same_rows_ends_as_each_row_applied_once(
    plan: list[tuple[str, list[dict[str, str]], Layout]],
) -> None:
    expected_state, expected_mail = reference()
    with fresh_stack() as stack:
        for number, (kind, rows, layout) in enumerate(plan):
            feed(stack, kind, render(kind, rows, layout), DAY, name=f"upload-{number:03d}")
        state, mail = _outcome(stack)
        admin = Counter(subject(m) for m in emails(stack) if to(m) == ADMIN)

    # Figure by figure first: a failure then names what differs.
    assert _differences(state, expected_state) == []
    assert state == expected_state
    # Every participant notice once, exactly those of the clean run.
    assert mail == expected_mail
    assert all(count == 1 for count in mail.values())
    # One summary at most per upload (each names its own file).
    assert all(count == 1 for count in admin.values())
