"""The page a manager reads after ``marketsim assess``: figures, tables and a plain conclusion.

The same sections are written as report.md and report.html (with the figures as PNG files beside
them); the conclusion is generated from the numbers, never written by hand.
"""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from ..files import atomic_path, file_set, folder_lock, write_text  # noqa: E402
from ..studies.assess import Findings, readable  # noqa: E402
from ..studies.objectives import METRICS  # noqa: E402
from ..studies.discovery import MIN_POINTS, RESAMPLES  # noqa: E402


def _num(x: float) -> str:
    """A number for people: thousands separators, three significant digits, never scientific notation."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    if np.isinf(x):
        return "never" if x > 0 else "-inf"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 1 or x == 0:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.3g}" if abs(x) >= 0.001 else f"{x:.6f}".rstrip("0")


def _label(metric: str, unit: str) -> str:
    label = METRICS[metric][0]
    return f"{label} ({unit}s)" if metric == "time_to_control" else label


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return path


def _box(values: np.ndarray, label: str) -> dict:
    """A box drawn from the percentiles the table states (the inverted CDF, 'never' counted as latest)."""
    at = (lambda p: float(np.quantile(values, p, method="inverted_cdf"))) if len(values) else (lambda p: np.nan)
    return {"label": label, "whislo": at(0.1), "q1": at(0.25), "med": at(0.5), "q3": at(0.75), "whishi": at(0.9)}


def fig_distributions(f: Findings, unit: str, path: Path) -> Path:
    """Per metric, one box per strategy: box from P25 to P75, whiskers from P10 to P90, as in the table; a
    future that never reaches control is drawn at 'never', above every time that does."""
    names = list(f.outcomes.strategy.unique())
    fig, axes = plt.subplots(2, 5, figsize=(20, 7.5))
    for ax, metric in zip(axes.ravel(), METRICS):
        data = [f.outcomes.loc[f.outcomes.strategy == n, metric].to_numpy(dtype=float) for n in names]
        if metric == "time_to_control":
            reached = np.concatenate([d[np.isfinite(d)] for d in data] + [np.zeros(1)])
            never = reached.max() * 1.15 or 1.0
            data = [np.where(np.isnan(d), never, d) for d in data]
            ax.axhline(never, color="grey", lw=0.5, ls=":")
            ax.text(len(names) + 0.45, never, "never", ha="right", va="bottom", fontsize=9, color="grey")
        ax.bxp([_box(d[np.isfinite(d)], n) for d, n in zip(data, names)], showfliers=False)
        title, _, unit_text = _label(metric, unit).partition(" (")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit_text.removesuffix(")"), fontsize=8)
        ax.set_xlabel("strategy")
    fig.suptitle("Outcomes over the sampled futures (box: P25-P75, line: P50, whiskers: P10-P90)")
    return _save(fig, path)


def fig_best(f: Findings, path: Path) -> Path:
    names = list(f.best.index)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7, 4))
    for shift, value, interval, label in (
            (-0.2, f.best, f.best_interval, f"best on {METRICS[f.metric][0].split(' (')[0]}"),
            (0.2, f.payback.reindex(names), f.payback_interval.reindex(names), "pays back its spend")):
        errors = np.clip(np.vstack([value - interval.low, interval.high - value]), 0, None)  # 1 - 1e-16 at 64/64
        ax.bar(x + shift, value.to_numpy(), 0.4, yerr=errors, capsize=4, label=label)
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability (share of sampled futures)")
    ax.set_xlabel("strategy")
    ax.set_title("How often each strategy wins and pays back (bars: 95% intervals)")
    ax.legend()
    return _save(fig, path)


INDICES = {"ST": "total Sobol index (Saltelli's design)", "delta": "delta (whole distribution)"}


def ranked_by(sensitivity: pd.DataFrame) -> str:
    """The index a sensitivity table is ranked by: the total Sobol index on Saltelli's design, else delta."""
    return "ST" if "ST" in sensitivity else "delta"


def _estimated(sensitivity: pd.DataFrame) -> pd.DataFrame:
    """The rows SALib could estimate: an index that is NaN says nothing, so it never names a factor."""
    return sensitivity.dropna(subset=[ranked_by(sensitivity)]) if len(sensitivity) else pd.DataFrame({"factor": []})


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _ordinal(n: int) -> str:
    return ORDINALS[n - 1] if n <= len(ORDINALS) else f"{n}th"
SETTLED = 0.8  # a rank held in fewer resamples of the futures than this is not settled by them


def what_to_check(sensitivity: pd.DataFrame, futures: int) -> str:
    """The sentence naming the assumptions that matter most, each with how surely it holds its rank; an
    assumption whose delta cannot be told from zero (its 95% interval reaches it) is never named."""
    if not len(sensitivity):
        return ""
    s, index = _estimated(sensitivity), ranked_by(sensitivity)
    s = s[s[index] - s[f"{index}_conf"] > 0].head(2)
    if not len(s):
        return (f"No assumption's influence stands out from the Monte Carlo noise of {futures} futures: sample more "
                "(--runs) to learn which to check first.")
    # its rank in the whole table (rank_stability is about that rank), even if one above it was left out
    named = [f"{r.factor} (ranked {_ordinal(int(r.Index) + 1)} in {r.rank_stability:.0%} of resamples of the "
             "futures)" for r in s.itertuples()]
    text = (f"The assumptions that matter most are {' and '.join(named)}: check them before spending." if len(s) > 1
            else f"The assumption that matters most is {named[0]}: check it before spending.")
    if len(s) > 1 and (s.rank_stability < SETTLED).any():
        text += f" Their order is not settled by {futures} futures: sample more (--runs) before relying on it."
    return text


def top_factors(f: Findings) -> list[str]:
    """The two assumptions that matter most (by sensitivity, else the first box's, else the first two)."""
    ranked = list(_estimated(f.sensitivity).factor)
    if f.boxes:
        ranked = list(f.boxes[0].limits) + ranked
    ranked += list(f.draws.columns)
    return list(dict.fromkeys(ranked))[:2]


def fig_boxes(f: Findings, path: Path) -> Path | None:
    factors = top_factors(f)
    if len(factors) < 2:
        return None
    fx, fy = factors
    fails = f.fails.to_numpy()
    fig, ax = plt.subplots(figsize=(7, 5.5))
    ax.scatter(f.draws[fx][~fails], f.draws[fy][~fails], s=14, c="tab:green", label=f"{f.micro} succeeds")
    ax.scatter(f.draws[fx][fails], f.draws[fy][fails], s=14, c="tab:red", marker="x", label=f"{f.micro} fails")
    for k, box in enumerate(f.boxes, 1):
        x0, x1 = box.limits.get(fx, (f.draws[fx].min(), f.draws[fx].max()))
        y0, y1 = box.limits.get(fy, (f.draws[fy].min(), f.draws[fy].max()))
        also = [a for a in box.limits if a not in (fx, fy)]
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=2, ls="--",
                               label=f"box {k}: coverage {box.coverage:.0%}, density {box.density:.0%}"
                               + (f"\n(also limits {', '.join(also)})" if also else "")))
    ax.set_xlabel(fx)
    ax.set_ylabel(fy)
    ax.set_title(f"Where the {f.micro} plan fails, on the two assumptions that matter most")
    ax.legend(fontsize=8)
    return _save(fig, path)


def fig_sensitivity(f: Findings, path: Path) -> Path | None:
    s = f.sensitivity
    if not len(s):
        return None
    s = s.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(s) + 1.8))
    y = np.arange(len(s))
    index = ranked_by(s)
    ax.barh(y + 0.2, s[index], 0.4, xerr=s[f"{index}_conf"], label=INDICES[index])
    ax.barh(y - 0.2, s.S1.clip(lower=0), 0.4, xerr=s.S1_conf, label="first-order Sobol (variance)")
    ax.set_yticks(y, s.factor)
    ax.set_xlabel("sensitivity index (0 = no influence, 1 = decides the outcome)")
    target = f"{f.micro} minus {f.macro}" if f.macro else f.micro
    ax.set_title(f"Which assumptions drive {METRICS[f.metric][0].split(' (')[0]} ({target})", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, path)


def conclusion(f: Findings) -> str:
    """One paragraph in plain words, from the numbers."""
    n = f.outcomes["sample"].nunique()
    what = METRICS[f.metric][0].split(" (")[0]
    best, p = f.best.idxmax(), f.best.max()
    q = f.quantiles.set_index(["strategy", "metric"])
    median = q.loc[(best, f.metric), "P50"]
    failing = f"loses to another plan on {what}" if f.macro else "does not pay back its spend"
    text = [f"Across {n} sampled futures, {best} is the best plan on {what} in {p:.0%} of them "
            f"({_between(f.best_interval.loc[best])} of all futures, with 95% confidence; its median {what} is "
            f"{_num(median)}, between {_bound(q.loc[(best, f.metric), 'P50_low'])} and "
            f"{_bound(q.loc[(best, f.metric), 'P50_high'])})."]
    runner_up = f.best.drop(best).idxmax() if len(f.best) > 1 else None
    if runner_up is not None and f.best_interval.loc[best, "low"] <= f.best_interval.loc[runner_up, "high"]:
        text.append(f"The intervals of {best} and {runner_up} overlap: {n} futures cannot tell them apart; "
                    "sample more (--runs) before choosing.")
    text.append(f"From here on, the {f.micro} plan counts as failing when it {failing}.")
    pay = ", ".join(f"{s} in {v:.0%} ({_between(f.payback_interval.loc[s])})" for s, v in f.payback.items())
    text.append(f"Each plan pays back its spend in this share of futures: {pay}.")
    if f.boxes:
        b = f.boxes[0]
        where = " and ".join(f"{k} is between {_num(lo)} and {_num(hi)}" for k, (lo, hi) in b.limits.items())
        text.append(f"The {f.micro} plan fails mostly when {where}: that region holds {b.coverage:.0%} of its "
                    f"failures, and {b.density:.0%} of the futures in it are failures.")
    elif f.fails.all():
        text.append(f"The {f.micro} plan fails in every sampled future.")
    elif not f.fails.any():
        text.append(f"The {f.micro} plan never fails in the sampled futures.")
    else:
        text.append(f"The {f.micro} plan fails in {f.fails.mean():.0%} of futures, spread over the assumptions: "
                    "no region of them concentrates the failures.")
    if check := what_to_check(f.sensitivity, n):
        text.append(check)
    for field, budget in f.break_even.items():
        text.append(f"{f.micro} and {f.macro} break even at a {readable(field)} of about {_num(budget)}.")
    if f.failed_runs:
        text.append(f"({f.failed_runs} runs failed: the futures they were in are left out for every plan.)")
    return " ".join(text)


def _between(interval: pd.Series) -> str:
    """A 95% interval of a probability in words: '43% to 69%'."""
    return f"{interval.low:.0%} to {interval.high:.0%}"


def _quantile_table(f: Findings, unit: str) -> pd.DataFrame:
    q = f.quantiles
    t = pd.DataFrame({"strategy": q.strategy, "metric": [_label(m, unit) for m in q.metric]})
    for c in ("P10", "P50", "P90"):
        t[c] = q[c].map(_num)
    t["P50, 95% interval"] = [f"{_bound(lo)} to {_bound(hi)}" for lo, hi in zip(q.P50_low, q.P50_high)]
    return t


def _bound(x: float) -> str:
    """One end of an interval; '?' where the futures are too few to bound it."""
    return "?" if np.isnan(x) else _num(x)


def odds_table(f: Findings) -> pd.DataFrame:
    return pd.DataFrame({"strategy": f.best.index,
                         "P(best)": [f"{v:.0%}" for v in f.best],
                         "P(best), 95% interval": [_between(f.best_interval.loc[s]) for s in f.best.index],
                         "P(pays back)": [f"{f.payback[s]:.0%}" for s in f.best.index],
                         "P(pays back), 95% interval": [_between(f.payback_interval.loc[s])
                                                        for s in f.best.index]})


def _box_table(f: Findings) -> pd.DataFrame:
    return pd.DataFrame([{"box": k, "assumptions": "; ".join(f"{a} in [{_num(lo)}, {_num(hi)}]"
                                                             for a, (lo, hi) in b.limits.items()),
                          "coverage": f"{b.coverage:.0%}", "density": f"{b.density:.0%}", "mass": f"{b.mass:.0%}"}
                         for k, b in enumerate(f.boxes, 1)])


def _sens_table(f: Findings) -> pd.DataFrame:
    s = f.sensitivity
    index = ranked_by(s)
    return pd.DataFrame({"assumption": s.factor,
                         INDICES[index].split(" (")[0]: [f"{v:.2f} ± {c:.2f}" for v, c in zip(s[index],
                                                                                           s[f"{index}_conf"])],
                         "first-order Sobol": [f"{v:.2f} ± {c:.2f}" for v, c in zip(s.S1, s.S1_conf)],
                         "holds its rank in": [f"{v:.0%}" for v in s.rank_stability]})


def markdown_table(t: pd.DataFrame) -> str:
    head = "| " + " | ".join(t.columns) + " |\n|" + "---|" * len(t.columns) + "\n"
    return head + "".join("| " + " | ".join(str(v) for v in row) + " |\n" for row in t.itertuples(index=False))


REPORT_FILES = ("distributions.png", "best.png", "boxes.png", "sensitivity.png", "report.md", "report.html")


def write_report(f: Findings, title: str, unit: str, out_dir: str | Path) -> list[Path]:
    """report.md, report.html and their figures in ``out_dir``, replacing the last report's as one set."""
    out = Path(out_dir)
    with folder_lock(out), file_set(out, REPORT_FILES) as staging:
        names = [path.name for path in _write_report(f, title, unit, staging)]
    return [out / name for name in names]


def _write_report(f: Findings, title: str, unit: str, out: Path) -> list[Path]:
    figures = {
        "Outcomes per strategy": fig_distributions(f, unit, out / "distributions.png"),
        "Probability of being best and of paying back": fig_best(f, out / "best.png"),
        "What must be true: where the micro plan fails": fig_boxes(f, out / "boxes.png"),
        "Which assumptions matter most": fig_sensitivity(f, out / "sensitivity.png"),
    }
    failing = (f"Failure of the {f.micro} plan: it is beaten by another plan on "
               f"{METRICS[f.metric][0].split(' (')[0]}" if f.macro else
               f"Failure of the {f.micro} plan: it does not pay back its spend")
    sections = [
        ("Conclusion", conclusion(f), None, None),
        ("Outcomes per strategy", "P10, P50 and P90 over the sampled futures; the median's 95% interval from the "
         "order statistics ('?': too few futures to bound it).", _quantile_table(f, unit),
         figures["Outcomes per strategy"]),
        ("Probability of being best and of paying back", "", odds_table(f),
         figures["Probability of being best and of paying back"]),
        ("What must be true: where the micro plan fails",
         f"{failing} ({f.fails.mean():.0%} of futures). Boxes found by PRIM: coverage is the share of all failures "
         f"inside the box, density the share of futures inside it that fail.",
         _box_table(f) if f.boxes else None, figures["What must be true: where the micro plan fails"]),
        ("Which assumptions matter most",
         ("Total and first-order Sobol indices (SALib's estimators on Saltelli's design, --sobol)"
          if ranked_by(f.sensitivity) == "ST" else
          "Borgonovo's delta and the first-order Sobol index (SALib's estimators, on the Latin-hypercube sample)")
         + f", with 95% half-widths from {RESAMPLES} bootstrap resamples of the futures, and the share of those "
           f"resamples in which each assumption holds the rank shown." if len(f.sensitivity) else
         f"Too few runs for sensitivity indices: run at least {MIN_POINTS} (--runs).",
         _sens_table(f) if len(f.sensitivity) else None,
         figures["Which assumptions matter most"]),
    ]
    md = [f"# {title}\n"]
    page = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>",
            f"<h1>{html.escape(title)}</h1>"]
    for heading, text, table, figure in sections:
        md.append(f"## {heading}\n")
        page.append(f"<h2>{html.escape(heading)}</h2>")
        if text:
            md.append(text + "\n")
            page.append(f"<p>{html.escape(text)}</p>")
        if table is not None:
            md.append(markdown_table(table))
            page.append(table.to_html(index=False, escape=True))
        if figure is not None:
            md.append(f"![{heading}]({figure.name})\n")
            page.append(f"<img src='{figure.name}' alt='{html.escape(heading)}' style='max-width:100%'>")
    page.append("</body></html>")
    files = [p for p in figures.values() if p is not None]
    return files + [write_text(out / "report.md", "\n".join(md)), write_text(out / "report.html", "\n".join(page))]
