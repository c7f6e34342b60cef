"""The cold-chain chart of the trace page: a few hundred bytes of inline SVG, no chart library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WIDTH, HEIGHT, PAD = 320, 96, 14


@dataclass(frozen=True)
class Chart:
    """What the template draws: a polyline, the allowed band and the excursion dots."""

    points: str
    band: tuple[float, float] | None
    dots: list[tuple[float, float]]
    low_label: str
    high_label: str
    width: int = WIDTH
    height: int = HEIGHT


def cold_chain_chart(readings: list[tuple[datetime, float]], *, allowed: tuple[float, float] | None,
                     excursions: list[tuple[datetime, float]]) -> Chart | None:
    """Scale readings (time, °C) into the chart's box; None when there is nothing to draw."""
    if len(readings) < 2:
        return None
    times = [t.timestamp() for t, _ in readings]
    values = [c for _, c in readings] + [c for _, c in excursions]
    low, high = min(values), max(values)
    if allowed:
        low, high = min(low, allowed[0]), max(high, allowed[1])
    low, high = low - 1, high + 1
    start, span = times[0], (times[-1] - times[0]) or 1.0

    def x(t: float) -> float:
        return round(PAD + (t - start) / span * (WIDTH - 2 * PAD), 1)

    def y(c: float) -> float:
        return round(HEIGHT - PAD - (c - low) / (high - low) * (HEIGHT - 2 * PAD), 1)

    band = (y(allowed[1]), y(allowed[0])) if allowed else None
    return Chart(points=" ".join(f"{x(t)},{y(c)}" for t, (_, c) in zip(times, readings, strict=True)),
                 band=band, dots=[(x(t.timestamp()), y(c)) for t, c in excursions
                                  if start <= t.timestamp() <= times[-1]],
                 low_label=f"{low + 1:g}", high_label=f"{high - 1:g}")
