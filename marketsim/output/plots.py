"""Figures of one run: adoption by cause, customers, niche shares and spend over time."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import StrMethodFormatter  # noqa: E402
import pandas as pd  # noqa: E402

from ..files import atomic_path  # noqa: E402


def plot_run(timeseries: pd.DataFrame, title: str = "") -> plt.Figure:
    """Four panels: customers, cumulative adoptions by cause, share per segment, cumulative spend."""
    everyone = timeseries[timeseries.segment == "all"]
    segments = timeseries[timeseries.segment != "all"]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    ax_cust, ax_cause, ax_share, ax_spend = axes.ravel()
    colours = dict(zip(everyone.brand.cat.categories, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    for brand, g in everyone.groupby("brand", observed=True):
        c = colours[brand]
        ax_cust.plot(g.time, g.customer, color=c, label=brand)
        ax_cause.plot(g.time, g.new_paid.cumsum(), color=c, label=f"{brand}: paid")
        ax_cause.plot(g.time, g.new_wom.cumsum(), color=c, ls="--", label=f"{brand}: word of mouth")
        ax_spend.plot(g.time, g.spend.cumsum(), color=c, label=brand)
    styles = ["-", "--", ":", "-."]
    for (brand, segment), g in segments.groupby(["brand", "segment"], observed=True):
        k = list(segments.segment.cat.categories).index(segment)
        ax_share.plot(g.time, g.share, color=colours[brand], ls=styles[k % len(styles)], label=f"{brand} / {segment}")
    ax_cust.set_title("customers (people)")
    ax_cause.set_title("adoptions by cause (cumulative, people)")
    ax_share.set_title("share of each segment (niche control above the threshold)")
    ax_spend.set_title("spend (cumulative)")
    for ax in (ax_cust, ax_cause, ax_spend):  # 21,800,000 people, not "2.18 1e7"
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    for ax in axes.ravel():
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel("time")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def save_figure(fig: plt.Figure, path: str | Path) -> Path:
    """Write a figure atomically (the format follows the file's extension)."""
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110)
    finally:
        plt.close(fig)
    return Path(path)
