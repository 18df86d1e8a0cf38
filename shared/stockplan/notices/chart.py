"""The monthly report's pool chart as numbers: one bar per month (delivered below,
outstanding above) and a tick at the month's reserve, in SVG user units. The template
(templates/monthly-report.j2) draws them as inline SVG: no script, no external asset."""

from __future__ import annotations

from collections.abc import Sequence

from stockplan.domain.periodic import PoolPoint
from stockplan.notices.model import PoolChartBar

WIDTH = 560
HEIGHT = 220
LEFT = 64  # room for the axis labels
TOP = 12
BOTTOM = 36  # room for the month labels
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


def scale_max(points: Sequence[PoolPoint]) -> int:
    """The top of the axis: the largest reserve or use shown (1 for an empty chart)."""
    tops = [max(p.figures.reserved, p.figures.used) for p in points if p.figures is not None]
    return max([1, *tops])


def _y(value: int, top: int) -> float:
    return round(TOP + PLOT_HEIGHT * (1 - value / top), 2)


def bars(points: Sequence[PoolPoint]) -> tuple[tuple[PoolChartBar, ...], int]:
    """One bar per point, oldest at the left, and the axis top they are scaled to."""
    top = scale_max(points)
    step = (WIDTH - LEFT - 8) / max(len(points), 1)
    found = []
    for index, point in enumerate(points):
        x = round(LEFT + index * step + step * 0.15, 2)
        width = round(step * 0.7, 2)
        label = f"{point.month}"
        figures = point.figures
        if figures is None:
            found.append(PoolChartBar(str(point.month), label, x, width, 0, 0, 0, 0, None, None))
            continue
        delivered_y = _y(figures.delivered, top)
        used_y = _y(figures.used, top)
        found.append(
            PoolChartBar(
                month=str(point.month),
                label=label,
                x=x,
                width=width,
                delivered_y=delivered_y,
                delivered_h=round(TOP + PLOT_HEIGHT - delivered_y, 2),
                outstanding_y=used_y,
                outstanding_h=round(delivered_y - used_y, 2),
                reserved_y=_y(figures.reserved, top),
                figures=(
                    figures.reserved,
                    figures.outstanding,
                    figures.delivered,
                    figures.available,
                ),
            )
        )
    return tuple(found), top
