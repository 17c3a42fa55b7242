"""Report figures for sampling designs (Latin hypercube, Sobol sequence, Monte Carlo).

A sampled factor has one value per point, so grouping by it is meaningless: each metric is drawn
against each continuous factor instead (points, and a partial-dependence line: the mean in
equal-count bins), and first-order Sobol indices are estimated from the sample itself (SALib's
delta method accepts any sample). Replications of a point are averaged first, so points are
never pooled with each other and chance never passes for influence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..studies.assess import readable
from ..studies.discovery import sensitivity

# what a sampling design's report draws against each factor: run metrics of docs/outputs.md, per brand
SAMPLED_METRICS = ("reach", "cac_paid", "ltv_to_cac", "return_on_spend")
METRIC_LABELS = {
    "reach": "reach (people)",
    "customers": "customers at the horizon (people)",
    "cac_paid": "paid CAC (money per first paid acquisition)",
    "ltv_to_cac": "LTV / CAC (ratio)",
    "return_on_spend": "return on spend (ratio)",
    "wom_share": "word-of-mouth share of adoptions",
    "wasted_share": "wasted share of impressions",
}


def point_means(done: pd.DataFrame, factors: list[str], columns: list[str]) -> pd.DataFrame:
    """One row per design point: its factor values and the mean of each column over its replications."""
    means = done.groupby("point")[columns].mean()
    return done.groupby("point")[factors].first().join(means).reset_index()


def partial_dependence(x: np.ndarray, y: np.ndarray, bins: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``y`` in equal-count bins of ``x``: the bins' middle x and mean y."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 2 * bins:
        bins = max(1, len(x) // 4)
    if bins < 2:
        return np.array([]), np.array([])
    order = np.argsort(x)
    parts = np.array_split(order, bins)
    return np.array([x[p].mean() for p in parts]), np.array([y[p].mean() for p in parts])


def plot_scatter(points: pd.DataFrame, by: str, factors: list[str], brands: list[str], metrics: list[str],
                 title: str):
    """Rows: metrics; columns: each group of ``by`` (a facet) times each continuous factor; per brand the
    points and the partial-dependence line."""
    import matplotlib.pyplot as plt

    groups = list(points.groupby(by, observed=True, sort=False))
    panels = [(level, group, factor) for level, group in groups for factor in factors]
    fig, axes = plt.subplots(len(metrics), len(panels), figsize=(3.6 * len(panels) + 1, 2.8 * len(metrics)),
                             squeeze=False, sharey="row")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, metric in enumerate(metrics):
        for j, (level, group, factor) in enumerate(panels):
            ax = axes[i, j]
            x = group[factor].to_numpy(dtype=float)
            for k, brand in enumerate(brands):
                y = group[f"{brand}.{metric}"].to_numpy(dtype=float)
                colour = colours[k % len(colours)]
                ax.scatter(x, y, s=8, alpha=0.4, color=colour)
                bx, by_ = partial_dependence(x, y)
                ax.plot(bx, by_, color=colour, lw=2, label=f"{brand} (line: mean in bins)")
            ax.ticklabel_format(style="plain", useOffset=False)
            ax.set_xlabel(readable(factor))
            if i == 0 and len(groups) > 1:
                ax.set_title(f"{readable(by)} = {level}", fontsize=10)
            if j == 0:
                ax.set_ylabel(METRIC_LABELS.get(metric, metric))
            ax.grid(alpha=0.3)
            if i == 0 and j == 0:
                ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def sobol_table(points: pd.DataFrame, by: str, factors: list[str], brands: list[str], metrics: list[str],
                seed: int) -> pd.DataFrame:
    """First-order Sobol index (and delta) of each brand's metric for each sampled factor, estimated from
    the sample, separately in each group of ``by`` (a strategy's points are never mixed with another's)."""
    rows = []
    for level, group in points.groupby(by, observed=True, sort=False):
        x = group[factors].astype(float)
        x.columns = [readable(f) for f in factors]
        for brand in brands:
            for metric in metrics:
                s = sensitivity(x, group[f"{brand}.{metric}"].to_numpy(dtype=float), seed)
                rows += [{"group": level, "brand": brand, "metric": metric, "factor": r.factor, "S1": r.S1,
                          "S1_conf": r.S1_conf, "delta": r.delta} for r in s.itertuples()]
    return pd.DataFrame(rows)
