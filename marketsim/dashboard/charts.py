"""The page's pictures as ECharts options, drawn in the browser (solara.FigureEcharts).

Every chart that compares the scenario as written with the variant draws both on the same axes: colour is
the brand, a solid line the run as written, a dashed line the variant. Axes start at zero, run over the
whole horizon and name their unit; no chart has a second axis. Text is sized for a projector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .readout import NetworkSample, Series

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
UNAWARE, AWARE = "#d9d9d9", "#8c8c8c"
TEXT = 16  # px: the smallest text on the page, readable from the back of a room
POINTS = 150  # per line at most: a line across a chart's width needs no more, and every frame sends them all


def colour(b: int) -> str:
    return COLOURS[b % len(COLOURS)]


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    dashed: bool
    x: np.ndarray
    y: np.ndarray
    width: float = 2.5
    opacity: float = 1.0


def kept(n: int, every: int) -> np.ndarray:
    """Which of a line's first ``n`` points to draw: every ``every``-th step (a grid fixed by the horizon, so a
    line does not shift while it grows) and the last."""
    return np.unique(np.r_[np.arange(0, n, every), n - 1]) if n else np.arange(0)


def line_chart(title: str, y_name: str, x_name: str, horizon: float, lines: list[Line], *, y_max: float | None = None,
               percent: bool = False, threshold: float | None = None, legend: bool = True) -> dict:
    """One panel: ``lines`` over 0..horizon; ``percent`` shows fractions as %; ``threshold`` draws a level."""
    scale = 100.0 if percent else 1.0
    series = []
    for line in lines:
        dt = float(line.x[1] - line.x[0]) if len(line.x) > 1 else 1.0
        keep = kept(len(line.x), max(1, int(np.ceil(horizon / dt / POINTS))))
        values = np.round(np.asarray(line.y, dtype=float)[keep] * scale, 4)
        series.append({
            "type": "line", "name": line.name, "showSymbol": False, "animation": False,
            "lineStyle": {"width": line.width, "type": "dashed" if line.dashed else "solid", "opacity": line.opacity},
            "itemStyle": {"color": line.colour},
            "data": [[float(t), None if not np.isfinite(v) else float(v)] for t, v in zip(line.x[keep], values)],
        })
    if threshold is not None and series:
        series[0]["markLine"] = {
            "silent": True, "symbol": "none", "data": [{"yAxis": threshold * scale}],
            "label": {"formatter": "control", "fontSize": TEXT, "position": "insideEndTop"},
            "lineStyle": {"color": "#000", "type": "dotted"}}
    return {
        "animation": False,
        "title": {"text": title, "textStyle": {"fontSize": TEXT + 2}, "left": "center", "top": 0},
        "legend": {"show": legend, "bottom": 0, "textStyle": {"fontSize": TEXT}, "itemWidth": 28},
        "tooltip": {"trigger": "axis", "textStyle": {"fontSize": TEXT}},
        "grid": {"left": 78, "right": 20, "top": 40, "bottom": 86 if legend else 52},
        "xAxis": {"type": "value", "min": 0, "max": float(horizon), "name": x_name, "nameLocation": "middle",
                  "nameGap": 28, "nameTextStyle": {"fontSize": TEXT}, "axisLabel": {"fontSize": TEXT}},
        "yAxis": {"type": "value", "min": 0, **({"max": y_max * scale} if y_max is not None else {}),
                  "name": y_name, "nameLocation": "middle", "nameGap": 62, "nameTextStyle": {"fontSize": TEXT},
                  "axisLabel": {"fontSize": TEXT}},
        "series": series,
    }


def compared(runs: dict[str, Series], values) -> list[Line]:
    """A line per brand and run: ``values(series)`` gives (steps + 1, brands); the first run solid, the rest
    dashed."""
    lines = []
    for k, (run, s) in enumerate(runs.items()):
        y = values(s)
        for b, brand in enumerate(s.brands):
            lines.append(Line(f"{brand}, {run.lower()}", colour(b), k > 0, s.time, y[:, b]))
    return lines


def panels(niche: str) -> dict[str, tuple[str, str, object, bool]]:
    """The four panels of the question, for the page and the slides: key -> (title, unit of the y axis, the
    values per step and brand of a Series, shown in %)."""
    return {
        "customers": ("Customers", "people", lambda s: s.customers, False),
        "word of mouth": ("New customers from word of mouth, so far", "people", lambda s: s.wom, False),
        "spend": ("Money spent, so far", "currency units", lambda s: s.spend, False),
        "niche": (f"Share of {niche} buying each brand", "% of the segment",
                  lambda s: s.share[:, :, s.segments.index(niche)], True),
    }


def run_charts(runs: dict[str, Series], niche: str, unit: str, horizon: float) -> dict[str, dict]:
    """The four panels, each with every run on the same axes (the niche's share with the control threshold)."""
    threshold = next(iter(runs.values())).threshold
    return {key: line_chart(title, y_name, f"time ({unit}s)", horizon, compared(runs, values),
                            **({"y_max": 1.0, "percent": True, "threshold": threshold} if percent else {}))
            for key, (title, y_name, values, percent) in panels(niche).items()}


def fan_chart(brand: str, b: int, curves: dict[str, np.ndarray], time: np.ndarray, unit: str, y_max: float) -> dict:
    """One brand's customers in every seed of the fan: thin lines, solid as written, dashed the variant."""
    lines = []
    for k, (run, runs) in enumerate(curves.items()):
        for j, curve in enumerate(runs):
            lines.append(Line(f"{run.lower()}" if j == 0 else f"{run.lower()} {j}", colour(b) if k == 0 else "#444",
                              k > 0, time, curve[:, b], width=1.2, opacity=0.7))
    return line_chart(f"{brand}: customers in {len(next(iter(curves.values())))} seeds", "people",
                      f"time ({unit}s)", float(time[-1]), lines, y_max=nice_ceiling(y_max), legend=False)


def network_chart(title: str, sample: NetworkSample, current: np.ndarray, aware: np.ndarray, loyalty: np.ndarray,
                  brands: list[str]) -> dict:
    """The sampled consumers and their links: colour is the brand bought (dark grey aware, light grey unaware),
    size grows with loyalty. One scatter series per kind of consumer, so the legend names each colour."""
    kinds = [*(f"buys {name}" for name in brands), "aware, not buying", "unaware"]
    colours = [*(colour(b) for b in range(len(brands))), AWARE, UNAWARE]
    kind = np.where(current >= 0, current, np.where(aware, len(brands), len(brands) + 1))
    size = np.round(6 + 14 * np.where(current >= 0, loyalty, 0.0), 1)
    xy = np.round(sample.xy, 4)
    links = [[[float(v) for v in xy[i]], [float(v) for v in xy[j]]] for i, j in sample.edges]
    points = [{"type": "scatter", "name": name, "itemStyle": {"color": c}, "z": 2, "animation": False,
               "data": [{"value": [float(xy[i, 0]), float(xy[i, 1])], "symbolSize": float(size[i])}
                        for i in np.flatnonzero(kind == k)]}
              for k, (name, c) in enumerate(zip(kinds, colours))]
    hidden = {"type": "value", "show": False, "scale": True}
    return {
        "animation": False,
        "title": {"text": title, "textStyle": {"fontSize": TEXT + 2}, "left": "center"},
        "legend": {"data": kinds, "bottom": 0, "textStyle": {"fontSize": TEXT}},
        "grid": {"left": 10, "right": 10, "top": 40, "bottom": 40},
        "xAxis": hidden, "yAxis": hidden,
        "series": [{"type": "lines", "coordinateSystem": "cartesian2d", "data": [{"coords": c} for c in links],
                    "lineStyle": {"color": "#bbbbbb", "width": 0.6}, "z": 1, "silent": True, "animation": False},
                   *points],
    }


def nice_ceiling(value: float) -> float:
    """The axis end a person would pick above ``value``: a round multiple of a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** np.floor(np.log10(value))
    return float(next(float(f"{m * power:.12g}") for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * power >= value))
