"""What the monthly report's template reads besides the notice: each list cut to the
notice's limit (the email stays far below what one outbox item can hold; the report file
has every row) and the chart's frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stockplan.notices import chart
from stockplan.notices.model import MonthlyReportNotice, ReportSection


@dataclass(frozen=True, slots=True)
class ListedRow:
    cells: tuple[str, ...]
    group: str | None  # the cause heading that starts at this row, if any


@dataclass(frozen=True, slots=True)
class ListedSection:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[ListedRow, ...]
    total: int
    more: int
    empty: str


def _listed(section: ReportSection, limit: int | None) -> ListedSection:
    shown = section.rows if limit is None else section.rows[:limit]
    starts = dict(section.groups)
    rows = tuple(ListedRow(r.cells, starts.get(i)) for i, r in enumerate(shown))
    return ListedSection(
        section.key,
        section.title,
        section.columns,
        rows,
        len(section.rows),
        len(section.rows) - len(shown),
        section.empty,
    )


def _total(n: MonthlyReportNotice, key: str) -> int:
    return sum(len(s.rows) for s in n.sections if s.key == key)


def monthly_context(n: MonthlyReportNotice) -> dict[str, Any]:
    return {
        "sections": [_listed(s, n.limit) for s in n.sections],
        "changes_total": _total(n, "changes"),
        "rejections_total": _total(n, "rejections"),
        "undelivered_total": _total(n, "undelivered"),
        "chart": {
            "width": chart.WIDTH,
            "height": chart.HEIGHT,
            "left": chart.LEFT,
            "top": chart.TOP,
            "base": chart.TOP + chart.PLOT_HEIGHT,
        },
    }
