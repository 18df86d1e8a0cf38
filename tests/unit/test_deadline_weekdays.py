"""The weekday beside every deadline (docs/plan-rules.md "Notices"), the closed-day words
(1998 §6.b.(1); Directors §6(e)(ii)) and dates kept whole in HTML."""

from __future__ import annotations

from datetime import date

import pytest

from stockplan.notices.formatting import closed_day, deadline
from stockplan.notices.templating import environment
from stockplan.service.periodic import _section


@pytest.mark.parametrize(
    ("day", "text", "closed"),
    [
        (date(2002, 8, 31), "Saturday, 2002-08-31", "falls on a Saturday"),
        (date(2002, 9, 1), "Sunday, 2002-09-01", "falls on a Sunday"),
        (date(2002, 7, 4), "Thursday, 2002-07-04", "is an NYSE holiday"),
        # The special closures count too (docs/plan-rules.md "Calendar and dates").
        (date(2001, 9, 11), "Tuesday, 2001-09-11", "is an NYSE holiday"),
        (date(2002, 8, 30), "Friday, 2002-08-30", ""),
    ],
)
def test_a_deadline_has_its_weekday_and_a_closed_day_says_why(
    day: date, text: str, closed: str
) -> None:
    assert deadline(day) == text
    assert closed_day(day) == closed


def test_html_keeps_a_deadline_and_every_iso_date_on_one_line() -> None:
    html = environment("html")
    assert str(html.filters["deadline"](date(2002, 8, 31))) == (
        '<span style="white-space:nowrap;">Saturday, 2002-08-31</span>'
    )
    assert str(html.filters["long_date"](date(2002, 8, 31))) == (
        '<span style="white-space:nowrap;">2002-08-31</span> (August 31, 2002)'
    )
    # The text part is plain: no markup.
    assert environment("txt").filters["deadline"](date(2002, 8, 31)) == "Saturday, 2002-08-31"


def test_the_monthly_reports_deadlines_show_the_weekday_beside_the_day() -> None:
    row = {
        "day": "2002-08-31",
        "what": "exercise deadline",
        "participant_id": "E-1",
        "participant_name": "Carl Chen",
        "ref": "G-1",
        "shares": 10000,
        "detail": "",
    }
    section = _section("deadlines", [row])
    assert section.rows[0].cells[0] == "Saturday, 2002-08-31"
