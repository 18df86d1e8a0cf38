"""The monthly report's pool chart as numbers: one bar per month (delivered below,
outstanding above) and a tick at the month's reserve, in SVG user units. The template
(templates/monthly-report.j2) draws them as inline SVG: no script, no external asset.

The axis is scaled to what moves (the shares in use), not to the reserve: a pool using
30,000 of a 2,250,000 reserve would otherwise draw bars a pixel high. A reserve above
the scale gets no tick; the report states it in words instead."""

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


# Axis tops are a step of these times a power of ten (1,000, 2,000, 2,500, 5,000, ...).
NICE_STEPS = (1, 2, 2.5, 5, 10)


def nice_ceiling(value: int) -> int:
    """The smallest round number (1, 2, 2.5 or 5 times a power of ten) at or above value."""
    if value <= 1:
        return 1
    power = 1
    while power * 10 < value:
        power *= 10
    return next(int(step * power) for step in NICE_STEPS if step * power >= value)


def scale_max(points: Sequence[PoolPoint]) -> int:
    """The top of the axis: a round number at or above the most shares in use shown (1
    for a chart with nothing in use). When every reserve shown fits under that, the
    reserves are the scale, so the ticks stay on the chart."""
    used = [p.figures.used for p in points if p.figures is not None]
    reserves = [p.figures.reserved for p in points if p.figures is not None]
    top = nice_ceiling(max([1, *used]))
    return max([top, *reserves]) if all(r <= top for r in reserves) else top


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
                reserved_y=_y(figures.reserved, top) if figures.reserved <= top else None,
                figures=(
                    figures.reserved,
                    figures.outstanding,
                    figures.delivered,
                    figures.available,
                ),
            )
        )
    return tuple(found), top
