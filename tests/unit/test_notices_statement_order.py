"""The statement (docs/interfaces.md §4, "Annual statement"): what is open comes first, each
with its next date; closed awards and issued deferred stock follow, one line each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stockplan.domain.model import FeeType, Tranche
from stockplan.notices.model import StatementDeferredLine, StatementNotice
from stockplan.notices.render import render
from stockplan.service.periodic import statement_line
from stockplan_cli.notice_samples import G_0042

DAY = date(2003, 1, 2)


def _statement() -> str:
    expired = [
        G_0042.evolve(award_id=f"G-00{n}", shares_expired=G_0042.shares_granted)
        for n in (10, 11, 12)
    ]
    vesting = G_0042.evolve(
        award_id="G-0100",
        grant_date=date(2002, 6, 1),
        shares_granted=1000,
        tranches=(Tranche(date(2002, 6, 1), 500), Tranche(date(2004, 6, 1), 500)),
    )
    deferred = [
        StatementDeferredLine(
            FeeType.MEETING, date(1999, 6, 3), Decimal("1500.00"), 37, Decimal("20.00"), day, status
        )
        for day, status in ((date(2002, 1, 2), "issued"), (date(2005, 1, 3), "pending"))
    ]
    notice = StatementNotice(
        "E-17",
        "Ann Lee",
        DAY,
        True,
        tuple(statement_line(a, DAY) for a in [*expired, vesting]),
        tuple(deferred),
    )
    return render(notice).text


def test_open_awards_come_first_with_their_next_date_and_closed_ones_after_in_one_list() -> None:
    text = _statement()
    open_at, closed_at = text.index("Open: 2 awards"), text.index("Closed: 4 awards")
    assert open_at < text.index("Award G-0100") < closed_at
    # The open award's next date: its tranche of 2004-06-01 (1998 §6.a.(5)).
    assert "Next: 2004-06-01: 500 shares vest" in text
    # Pending deferred stock is open too, with its issue date (Directors §7(b)).
    assert "Next: 2005-01-03: 37 shares issued" in text
    closed = text[closed_at:]
    for award_id in ("G-0010", "G-0011", "G-0012"):
        assert f"Award {award_id}" not in text  # no block of its own
        assert f"{award_id}, non-qualified stock option granted 1999-10-04: expired" in closed
    assert "Deferred stock for the meeting fee of 1999-06-03: 37 shares issued 2002-01-02" in closed
