"""A sweep's results as figures (PNG and SVG) and a Markdown report with 95% intervals.

The report groups runs by one factor (the first categorical factor, such as a strategy, else the
first factor), averaging over replications and any other factors; intervals are Student-t 95%
intervals of the mean across runs.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from ..files import FolderBusy, atomic_path, file_set, folder_lock, unwritable_folder, write_text  # noqa: E402
from ..studies.assess import readable  # noqa: E402
from ..studies.discovery import MIN_POINTS  # noqa: E402
from ..studies.experiment import ExperimentSpec  # noqa: E402
from ..studies.results import Results, ResultsError, existing_folder, read_results  # noqa: E402
from .report_sampling import METRIC_LABELS  # noqa: E402

KEY_METRICS = ("reach", "customers", "cac_paid", "cac_blended", "ltv_to_cac", "return_on_spend", "wom_share",
               "wasted_share")


def interval(values) -> tuple[float, float, float]:
    """Mean and the 95% interval of the mean (Student t); no interval with fewer than 2 values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.nan, np.nan, np.nan
    mean = float(v.mean())
    if v.size < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return mean, mean - half, mean + half


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else _cell(x) if abs(x) < 0.001 else f"{x:.3g}"


def _save(fig: plt.Figure, out: Path, name: str) -> list[Path]:
    paths = []
    for ext in ("png", "svg"):
        path = out / f"{name}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110)
        paths.append(path)
    plt.close(fig)
    return paths


def _group_factor(spec: ExperimentSpec) -> str | None:
    """The factor to compare groups by: the first categorical one; in a factorial design else the first
    factor; in a sampling design none (a sampled factor is drawn against, not grouped by)."""
    categorical = [f.label for f in spec.factors if f.categorical]
    if categorical:
        return categorical[0]
    return spec.factors[0].label if spec.design.type == "factorial" else None


def _levels(spec: ExperimentSpec, by: str, values: pd.Series) -> list:
    """The levels of ``by`` in their natural order: as the factor lists them, numbers ascending."""
    present = list(dict.fromkeys(values))
    factor = next((f for f in spec.factors if f.label == by), None)
    if factor is not None and factor.categorical:
        return [v for v in factor.grid() if v in present]
    return sorted(present, key=lambda v: (isinstance(v, str), v))


def _spread(point_values: pd.Series, replicate_values: pd.Series) -> tuple[float, float, float, str]:
    """Mean and band of one group: a 95% interval over replications when the group is one design point,
    else the P10-P90 range of the points' means (points are different conditions, never pooled as
    replications)."""
    if len(point_values) <= 1:
        m, lo, hi = interval(replicate_values)
        return m, lo, hi, "95% interval"
    v = point_values.to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.nan, np.nan, np.nan, "P10-P90 of points"
    return float(v.mean()), float(np.quantile(v, 0.1)), float(np.quantile(v, 0.9)), "P10-P90 of points"


def _over_time(ts: pd.DataFrame, runs: pd.DataFrame, by: str, metric: str, segment: str = "all") -> pd.DataFrame:
    """Mean and band of a time-series column per (level, brand, time): see ``_spread``."""
    rows = ts[ts.segment == segment].merge(runs[["run", "point", by]], on="run")
    per_point = rows.groupby([by, "point", "brand", "time"], observed=True)[metric].mean().reset_index()
    points = per_point.groupby(by, observed=True).point.nunique()
    if (points <= 1).all():
        grouped = rows.groupby([by, "brand", "time"], observed=True)[metric]
        mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
        return pd.DataFrame({"mean": mean, "low": mean - half, "high": mean + half,
                             "band": "95% interval"}).reset_index()
    grouped = per_point.groupby([by, "brand", "time"], observed=True)[metric]
    return pd.DataFrame({"mean": grouped.mean(), "low": grouped.quantile(0.1), "high": grouped.quantile(0.9),
                         "band": "P10-P90 of points"}).reset_index()


def _plot_time(ax, frame: pd.DataFrame, by: str, brand: str, title: str) -> None:
    for level, g in frame[frame.brand == brand].groupby(by, observed=True, sort=False):
        ax.plot(g.time, g["mean"], label=f"{readable(by)} = {level}")
        ax.fill_between(g.time, g.low, g.high, alpha=0.2)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("time (scenario time units)", fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def _cell(v: float) -> str:
    """A heat-map cell: plain digits, never scientific notation."""
    if not np.isfinite(v):
        return "-"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) >= 0.01 or v == 0 else f"{v:.4f}"


REPORT_FIGURES = ("over_time", "niche_share", "metrics", "sampling", "heatmap")
REPORT_FILES = (*(f"{name}.{ext}" for name in REPORT_FIGURES for ext in ("png", "svg")), "report.md")


def make_report(results: str | Path) -> list[Path]:
    """Write figures and report.md into the sweep folder ``results``; returns the files written.

    The folder is checked (writable, every table valid: studies/results.py) before anything is
    written, so a bad folder raises a ResultsError and gets no report. The report's files replace
    the last report's as one set, under the folder's lock (a sweep still writing there is refused)."""
    out = existing_folder(results)
    problem = unwritable_folder(out)
    if problem:
        raise ResultsError(out, f"the report is written into this folder, but {problem}")
    found = read_results(out)  # before the lock: a folder that is no sweep's gets nothing, not even a lock file
    try:
        with folder_lock(out), file_set(out, REPORT_FILES) as staging:
            names = [path.name for path in _write_report(found, staging)]
    except FolderBusy:
        raise ResultsError(out, "another marketsim process is writing into this folder; wait for it to finish "
                                "and report then") from None
    return [out / name for name in names]


def micro_advantage(runs: pd.DataFrame, compare) -> pd.Series:
    """How much the micro brand beats the macro brand on the compared metric, run by run: positive where
    micro is better, whichever direction is better (experiments.md, [compare])."""
    sign = 1.0 if compare.better == "lower" else -1.0
    return sign * (runs[f"{compare.macro}.{compare.metric}"] - runs[f"{compare.micro}.{compare.metric}"])


def _write_report(found: Results, out: Path) -> list[Path]:
    """The report's figures and report.md, written into ``out``."""
    spec, runs, ts = found.layout.spec, found.runs, found.timeseries
    by = _group_factor(spec)
    done = runs[runs.status == "done"]
    if by is None:  # a sampling design without a categorical factor: one group of all sampled points
        by = "design"
        done = done.assign(design=f"{spec.design.type.replace('_', ' ')} sample")
    levels = _levels(spec, by, done[by])
    done = done.assign(**{by: pd.Categorical(done[by], categories=levels, ordered=True)})
    brands = sorted(found.layout.brands)
    written: list[Path] = []
    figures: list[tuple[str, str]] = []

    if len(ts) and {"customer", "adopters"} & set(ts.columns):
        shown = [m for m in ("adopters", "customer") if m in ts.columns]
        fig, axes = plt.subplots(len(shown), len(brands), figsize=(5 * len(brands), 3.2 * len(shown)), squeeze=False)
        for i, metric in enumerate(shown):
            frame = _over_time(ts, done, by, metric)
            for j, brand in enumerate(brands):
                _plot_time(axes[i, j], frame, by, brand, f"{brand}: {metric} (mean, {frame.band.iloc[0]})")
        fig.tight_layout()
        written += _save(fig, out, "over_time")
        figures.append(("Adoption and customers over time", "over_time.png"))

    if len(ts) and "share" in ts.columns:
        segments = found.layout.segments
        fig, axes = plt.subplots(len(segments), len(brands), figsize=(5 * len(brands), 2.8 * len(segments)),
                                 squeeze=False)
        for i, segment in enumerate(segments):
            frame = _over_time(ts, done, by, "share", segment)
            for j, brand in enumerate(brands):
                _plot_time(axes[i, j], frame, by, brand, f"{brand}: share of {segment} ({frame.band.iloc[0]})")
        fig.tight_layout()
        written += _save(fig, out, "niche_share")
        figures.append(("Share of each segment over time (niche control)", "niche_share.png"))

    table_rows = []
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))
    width = 0.8 / max(len(brands), 1)
    bands = set()
    for ax, metric in zip(axes, ("reach", "cac_paid", "ltv_to_cac", "return_on_spend")):
        for j, brand in enumerate(brands):
            col = f"{brand}.{metric}"
            stats_ = [_spread(g.groupby("point")[col].mean(), g[col]) for _, g in done.groupby(by, observed=True)]
            bands |= {s[3] for s in stats_}
            means = [s[0] for s in stats_]
            err = np.array([[s[0] - s[1] for s in stats_], [s[2] - s[0] for s in stats_]])
            ax.bar(np.arange(len(levels)) + j * width, means, width, yerr=np.nan_to_num(err), label=brand, capsize=3)
        ax.set_xticks(np.arange(len(levels)) + width * (len(brands) - 1) / 2, [str(x) for x in levels], fontsize=8)
        ax.set_title(METRIC_LABELS.get(metric, metric), fontsize=10)
        ax.set_xlabel(readable(by), fontsize=8)
        ax.ticklabel_format(axis="y", style="plain", useOffset=False)
        ax.grid(alpha=0.3, axis="y")
        ax.legend(fontsize=7)
    fig.tight_layout()
    written += _save(fig, out, "metrics")
    figures.append((f"Reach, CAC, LTV/CAC and return on spend (means; bars: {', '.join(sorted(bands))})",
                    "metrics.png"))
    for level, g in done.groupby(by, observed=True):
        for brand in brands:
            cells = []
            for metric in KEY_METRICS:
                col = f"{brand}.{metric}"
                m, lo, hi, _ = _spread(g.groupby("point")[col].mean(), g[col])
                cells.append(_fmt(m) + (f" [{_fmt(lo)}, {_fmt(hi)}]" if np.isfinite(lo) else ""))
            table_rows.append(f"| {level} | {brand} | " + " | ".join(cells) + " |")

    continuous = [f.label for f in spec.factors if f.range is not None and spec.design.type != "factorial"]
    sobol = None
    if continuous:
        from .report_sampling import SAMPLED_METRICS, plot_scatter, point_means, sobol_table

        shown = [m for m in SAMPLED_METRICS if f"{brands[0]}.{m}" in done]
        columns = [f"{b}.{m}" for b in brands for m in shown]
        points = point_means(done, list(dict.fromkeys([by, *[f.label for f in spec.factors]])), columns)
        fig = plot_scatter(points, by, continuous, brands, shown, f"{spec.name}: each sampled point (mean of its "
                                                                f"{spec.replications} replications)")
        written += _save(fig, out, "sampling")
        figures.append(("Metrics against each sampled factor (partial dependence)", "sampling.png"))
        sobol = sobol_table(points, by, continuous, brands, shown, spec.seed)

    numeric = [f.label for f in spec.factors if not f.categorical]
    if spec.compare is not None and len(numeric) >= 2 and spec.design.type == "factorial":  # needs a grid
        x, y = numeric[:2]
        c = spec.compare
        grid = done.assign(gap=micro_advantage(done, c)).pivot_table(index=y, columns=x, values="gap", aggfunc="mean")
        fig, ax = plt.subplots(figsize=(6, 4.5))
        limit = np.nanmax(np.abs(grid.to_numpy())) or 1.0
        image = ax.imshow(grid.to_numpy(), origin="lower", cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
        ax.set_xticks(range(len(grid.columns)), [_cell(v) for v in grid.columns])
        ax.set_yticks(range(len(grid.index)), [_cell(v) for v in grid.index])
        ax.set_xlabel(readable(x))
        ax.set_ylabel(readable(y))
        for (i, j), v in np.ndenumerate(grid.to_numpy()):
            ax.text(j, i, _cell(v), ha="center", va="center", fontsize=8)
        fig.colorbar(image, label=f"{c.micro} better by ({c.metric}, {c.better} is better)")
        ax.set_title(f"where {c.micro} (micro) beats {c.macro} (macro) on {c.metric}: blue")
        fig.tight_layout()
        written += _save(fig, out, "heatmap")
        figures.append((f"Where micro beats macro on {c.metric}", "heatmap.png"))

    failed = runs[runs.status == "failed"]
    lines = [f"# {spec.name}", "", spec.description, ""]
    if spec.question:
        lines += [f"**Question.** {spec.question}", ""]
    lines += [f"Design: {spec.design.type}, {runs.point.nunique()} points x {spec.replications} replications = "
              f"{len(runs)} runs ({len(failed)} failed). Grouped by {readable(by)}. In brackets: a 95% interval "
              "across replications where a group is one design point, else the P10-P90 range of the "
              "points' means (different points are never pooled as if they were replications).", "",
              f"| {readable(by)} | brand | " + " | ".join(KEY_METRICS) + " |",
              "|" + "---|" * (len(KEY_METRICS) + 2), *table_rows, ""]
    if sobol is not None:
        lines += ["## Which sampled factors matter", ""]
        if len(sobol):
            lines += [f"First-order Sobol index (± 95% half-width) and Borgonovo's delta, estimated from the sample "
                      f"by SALib's delta method, within each {readable(by)}.", "",
                      f"| {readable(by)} | brand | metric | factor | first-order Sobol | delta |",
                      "|---|---|---|---|---|---|",
                      *[f"| {r.group} | {r.brand} | {r.metric} | {r.factor} | {r.S1:.2f} ± {r.S1_conf:.2f} | "
                        f"{r.delta:.2f} |" for r in sobol.itertuples()], ""]
        else:
            lines += [f"Too few sampled points per {readable(by)} (at least {MIN_POINTS} with a varying metric) "
                      "for Sobol indices.", ""]
    for title, file in figures:
        lines += [f"## {title}", "", f"![{title}]({file})", ""]
    if len(failed):
        lines += ["## Failed runs", "", "| run | error |", "|---|---|",
                  *[f"| {r.run} | {r.error.splitlines()[-1]} |" for r in failed.itertuples()], ""]
    written.append(write_text(out / "report.md", "\n".join(lines)))
    return written
