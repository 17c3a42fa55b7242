"""The page's four panels as one PNG for the slides (matplotlib, drawn on the server on demand).

The same panels as the page (charts.py): every run on the same axes, colour the brand, solid as written,
dashed the variant, units on every axis. Drawn with ``matplotlib.figure.Figure`` rather than pyplot, so
that sessions drawing at once in different threads share no global state.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from .charts import colour, panels
from .readout import Series


def panels_png(runs: dict[str, Series], niche: str, unit: str, horizon: float, title: str) -> bytes:
    fig = Figure(figsize=(12.8, 7.2), dpi=100)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (name, y_name, values, percent) in zip(axes, panels(niche).values()):
        for k, (run, s) in enumerate(runs.items()):
            y = values(s) * (100 if percent else 1)
            for b, brand in enumerate(s.brands):
                ax.plot(s.time, y[:, b], color=colour(b), ls="--" if k else "-", lw=2, label=f"{brand}, {run.lower()}")
        ax.set_title(name, fontsize=13)
        ax.set_ylabel(y_name, fontsize=12)
        ax.set_xlim(0, horizon)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=11)
        ax.yaxis.set_major_formatter("{x:,.0f}")
    axes[3].set_ylim(0, 100)
    axes[3].axhline(100 * next(iter(runs.values())).threshold, color="black", ls=":", lw=1)
    for ax in axes[2:]:
        ax.set_xlabel(f"time ({unit}s)", fontsize=12)
    axes[0].legend(fontsize=10, loc="upper left")
    fig.suptitle(title, fontsize=15)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
