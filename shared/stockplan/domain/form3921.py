"""Form 3921 (Code §6039; docs/plan-rules.md "Form 3921"): for each calendar year in
which an employee exercised ISO shares, an information statement by January 31 of the
next year, one line per exercise, and the administrator's file of the year's lines.

Pure: the lines come from the awards' histories (an exercise event records the ISO
shares it took, Code §422(d)) and the prices.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stockplan.domain.fmv import fmv_with_day
from stockplan.domain.history import AwardEvent, EventKind, replay
from stockplan.domain.model import AwardType, PriceBar

FORM_3921_SECTION = "Code §6039"
CSV_COLUMNS = (
    "participant_id",
    "name",
    "award_id",
    "grant_date",
    "exercise_date",
    "exercise_price",
    "fmv_on_exercise_date",
    "iso_shares",
)


@dataclass(frozen=True, slots=True)
class Form3921Line:
    """One ISO exercise, as the statement and the filing give it."""

    participant_id: str
    award_id: str
    grant_date: date
    exercise_date: date
    # Per share, in the terms of the exercise day (before any later split).
    exercise_price: Decimal
    # FMV per share on the exercise date; None: waiting for its Closing Price.
    fmv: Decimal | None
    fmv_day: date | None
    iso_shares: int

    @property
    def waiting(self) -> bool:
        return self.fmv is None


def fmv_of_day(bars: Iterable[PriceBar], on: date) -> tuple[date, Decimal] | None:
    """The FMV on `on` under the Fair Market Value rule (a stale price is a missing one)."""
    return fmv_with_day(bars, on)


def iso_exercise_lines(
    participant_id: str,
    history: Sequence[AwardEvent],
    year: int,
    bars: Sequence[PriceBar],
) -> list[Form3921Line]:
    """The ISO exercises of `year` in one award's history."""
    if not history or history[0].get("award_type") != AwardType.ISO.value:
        return []
    lines = []
    for index, event in enumerate(history):
        iso_shares = int(event.get("iso") or 0) if event.kind is EventKind.EXERCISE else 0
        if iso_shares <= 0 or event.day.year != year:
            continue
        # The award as it stood when exercised: its price before any later split.
        before = replay(history[:index])
        found = fmv_of_day(bars, event.day)
        lines.append(
            Form3921Line(
                participant_id,
                before.award_id,
                before.grant_date,
                event.day,
                before.exercise_price or Decimal(0),
                None if found is None else found[1],
                None if found is None else found[0],
                iso_shares,
            )
        )
    return lines


def csv_row(line: Form3921Line, name: str) -> dict[str, str]:
    """reports/form-3921-YYYY.csv's row of `line`; its FMV says when it waits for a price."""
    return {
        "participant_id": line.participant_id,
        "name": name,
        "award_id": line.award_id,
        "grant_date": line.grant_date.isoformat(),
        "exercise_date": line.exercise_date.isoformat(),
        "exercise_price": format(line.exercise_price, "f"),
        "fmv_on_exercise_date": format(line.fmv, "f")
        if line.fmv is not None
        else f"waiting for the closing price of {line.exercise_date.isoformat()}",
        "iso_shares": str(line.iso_shares),
    }
