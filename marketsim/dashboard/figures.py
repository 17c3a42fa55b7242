"""Matplotlib figures of one run for the dashboard (drawn on the server, sent as PNG).

Figures are made with ``matplotlib.figure.Figure`` rather than pyplot, so that sessions drawing
at the same time in different threads share no global state.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from .readout import NetworkSample, Series

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
UNAWARE, AWARE = "#d9d9d9", "#8c8c8c"


def colour(b: int) -> str:
    return COLOURS[b % len(COLOURS)]


def run_figure(s: Series, niche: str, unit: str, horizon: float, title: str = "", fig=None) -> Figure:
    """Four panels: customers; new customers by cause; spend and cost per new customer;
    each segment's share with the control threshold. Drawn into ``fig`` (a Figure or SubFigure)
    when given."""
    fig = fig if fig is not None else Figure(figsize=(7.2, 5.4), dpi=80)
    (ax_cust, ax_cause), (ax_cost, ax_share) = fig.subplots(2, 2, sharex=True)
    fig.subplots_adjust(left=0.08, right=0.92, top=0.9 if title else 0.94, bottom=0.09, hspace=0.25, wspace=0.3)
    for b, name in enumerate(s.brands):
        c = colour(b)
        ax_cust.plot(s.time, s.customers[:, b], color=c, label=name)
        ax_cause.plot(s.time, s.paid[:, b], color=c)
        ax_cause.plot(s.time, s.wom[:, b], color=c, ls="--")
        ax_cost.plot(s.time, s.spend[:, b] / 1000, color=c)
        for k, seg in enumerate(s.segments):
            ax_share.plot(s.time, s.share[:, b, k], color=c, **({"lw": 2} if seg == niche else {"lw": 0.7, "alpha": 0.4}))
    cost = ax_cost.twinx()
    for b in range(len(s.brands)):
        cost.plot(s.time, s.cac[:, b], color=colour(b), ls=":")
    ax_share.axhline(s.threshold, color="black", ls="--", lw=1)
    ax_share.set_ylim(0, 1)
    ax_cust.set_title("customers", fontsize=8)
    ax_cause.set_title("new customers: paid (solid), word of mouth (dashed)", fontsize=8)
    ax_cost.set_title("spend, thousands (solid); cost per new customer (dotted)", fontsize=8)
    ax_share.set_title(f"segment shares (thick: {niche}); control threshold", fontsize=8)
    for ax in (ax_cust, ax_cause, ax_cost, ax_share):
        ax.set_xlim(0, horizon)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    ax_cust.legend(fontsize=7, loc="upper left")
    cost.tick_params(labelsize=8)
    for ax in (ax_cost, ax_share):
        ax.set_xlabel(unit + "s", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def network_figure(sample: NetworkSample, current: np.ndarray, aware: np.ndarray, loyalty: np.ndarray,
                   brands: list[str], title: str = "") -> Figure:
    """The sampled consumers: colour is the brand they buy (dark grey: aware, light grey: unaware);
    size grows with loyalty."""
    fig = Figure(figsize=(4.6, 4.0), dpi=80)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.01)
    if len(sample.edges):
        ax.add_collection(LineCollection(sample.xy[sample.edges], colors="#bbbbbb", linewidths=0.4, zorder=1))
    colours = np.where(aware, AWARE, UNAWARE).astype(object)
    for b in range(len(brands)):
        colours[current == b] = colour(b)
    sizes = 8 + 60 * np.where(current >= 0, loyalty, 0.0)
    ax.scatter(sample.xy[:, 0], sample.xy[:, 1], s=sizes, c=list(colours), linewidths=0.3, edgecolors="white",
               zorder=2)
    for b, name in enumerate(brands):
        ax.scatter([], [], c=colour(b), s=30, label=f"buys {name}")
    ax.scatter([], [], c=AWARE, s=30, label="aware, not buying")
    ax.scatter([], [], c=UNAWARE, s=30, label="unaware")
    ax.legend(fontsize=7, loc="lower left", framealpha=0.8)
    ax.set_axis_off()
    ax.set_title(title or f"{len(sample.nodes)} consumers and their links (size: loyalty)", fontsize=10)
    return fig


def png(fig: Figure, dpi: int | None = None) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
