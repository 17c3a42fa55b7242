"""A sweep's or an assessment's results folder, read once and checked before anything uses it.

``report`` and ``assess`` (and any other reader) take their tables from ``read_results``, so a
damaged folder gives one clear error, naming the file, the column and the rows and saying what is
allowed, instead of a traceback deep in a figure or, worse, a report drawn from wrong numbers.
Messages name files, columns and row numbers, never a cell's content.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api import types

from ..market.metrics import SEGMENT_COUNTS
from ..scenario.schema import plain
from .experiment import RESERVED_COLUMNS, TIMESERIES_METRICS, Experiment, ExperimentSpec, design_size

FINITE = "a finite number"
UNDEFINED = "a finite number, or empty where the ratio is undefined"
UNBOUNDED = "a finite number, inf, or empty where it is undefined"
# every per-brand metric of a run's summary (docs/outputs.md) and the values a finished run may hold:
# empty (NaN) only for the ratios the docs call undefined (such as CAC with no acquisition, or any
# incremental metric without --lift), infinity only for an LTV whose customers are never lost
BRAND_METRICS = {
    **dict.fromkeys(("reach", "reach_outside_audience", "reach_in_audience", "aware", "installed_base", "customers",
                     "lapsed", "adopters", "acquisitions", "acquisitions_paid", "acquisitions_wom",
                     "first_acquisitions_paid", "first_acquisitions_wom", "reacquisitions", "churned", "switched",
                     "churn_rate", "penetration", "impressions", "wasted_impressions", "wasted_spend", "spend",
                     "purchases", "repeat_purchases", "revenue", "margin", "buyers"), FINITE),
    **dict.fromkeys(("wom_share", "retention", "loyalty", "market_share", "wasted_share", "cost_per_impression",
                     "cost_per_reach", "cac_paid", "cac_blended", "margin_per_customer", "return_on_spend",
                     "incremental_customers", "incremental_first_acquisitions", "incremental_margin",
                     "incremental_return_on_spend", "purchase_frequency", "share_of_requirements", "sole_buyer_share",
                     "repeat_rate", "own_purchase_rate"), UNDEFINED),
    **dict.fromkeys(("ltv", "ltv_to_cac", "customer_equity"), UNBOUNDED),
}
# metrics that count people, impressions or money spent, and shares of them: never below 0 (margins,
# returns and incremental effects can be)
NOT_NEGATIVE = frozenset({
    "reach", "reach_outside_audience", "reach_in_audience", "aware", "installed_base", "customers", "lapsed",
    "adopters", "acquisitions", "acquisitions_paid", "acquisitions_wom", "first_acquisitions_paid",
    "first_acquisitions_wom", "reacquisitions", "churned", "switched", "churn_rate", "penetration", "impressions",
    "wasted_impressions", "wasted_spend", "spend", "purchases", "repeat_purchases", "wom_share", "retention",
    "market_share", "wasted_share", "cost_per_impression", "cost_per_reach", "cac_paid", "cac_blended",
    "segment_share", "time_to_control", "buyers", "purchase_frequency", "share_of_requirements", "sole_buyer_share",
    "repeat_rate", "own_purchase_rate",
    # time-series metrics (counts per step, docs/outputs.md)
    *SEGMENT_COUNTS, "share"})
SEGMENT_METRICS = {"segment_share": FINITE, "time_to_control": UNDEFINED}  # <brand>.<metric>.<segment>
TEXT_METRICS = ("controls",)  # <brand>.controls: the segments controlled, comma-separated
KEYS = ("run", "step", "brand", "segment")  # one time-series row per key
ALL = "all"


class ResultsError(ValueError):
    """A results folder that cannot be used: which file, which column or rows, and what is allowed."""

    def __init__(self, file: Path, problem: str, column: str | None = None):
        self.file, self.column, self.problem = file, column, problem
        super().__init__(f"{plain(str(file))}: {plain(column, 80)}: {problem}" if column else
                         f"{plain(str(file))}: {problem}")


class NoFinishedRuns(ResultsError):
    """Every run failed: the folder is sound but holds no result to use (their errors are in it)."""


@dataclass(frozen=True)
class Layout:
    """What the tables must match: the experiment, its base scenario's brands and segments, the runs."""

    spec: ExperimentSpec
    brands: tuple[str, ...]
    segments: tuple[str, ...]
    runs: int
    origin: str  # where the layout came from, named when the tables disagree with it


@dataclass(frozen=True)
class Results:
    folder: Path
    layout: Layout
    runs: pd.DataFrame  # one row per run, sorted by run
    timeseries: pd.DataFrame  # one row per (run, step, brand, segment)


def _names(raw: dict, file: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The brand and segment names of a raw base scenario."""
    try:
        brands = tuple(b["name"] for b in raw["brands"])
        segments = tuple(s["name"] for s in raw["population"]["segments"])
    except (KeyError, TypeError):
        raise ResultsError(file, "not a scenario with brands and population segments (each with a name)") from None
    if not all(isinstance(n, str) for n in brands + segments) or not brands or not segments:
        raise ResultsError(file, "brand and segment names must be text, at least one of each")
    return brands, segments


def layout_of(experiment: Experiment) -> Layout:
    """The layout of an experiment (or assessment) in memory: its runs as planned."""
    brands, segments = _names(experiment.base, experiment.source)
    return Layout(experiment.spec, brands, segments, len(experiment.runs()), f"the plan read from {experiment.source}")


def _read_toml(file: Path, what: str) -> dict:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(file, f"missing; is {file.parent} a sweep's results folder?") from None
    except Exception as exc:  # noqa: BLE001 - unreadable, not UTF-8, not TOML
        raise ResultsError(file, f"not a valid {what} ({type(exc).__name__})") from None


def snapshot_layout(folder: Path) -> Layout:
    """The layout a sweep recorded beside its tables: experiment.toml and inputs/scenario.toml."""
    record = folder / "experiment.toml"
    raw = _read_toml(record, "experiment file")
    try:
        spec = ExperimentSpec.model_validate(raw)
    except Exception as exc:  # noqa: BLE001 - TOML, but not an experiment
        raise ResultsError(record, f"not a valid experiment file ({type(exc).__name__})") from None
    unknown = [m for m in spec.metrics if m not in TIMESERIES_METRICS]
    if unknown:
        raise ResultsError(record, f"not time-series columns: {plain(', '.join(unknown), 160)}; allowed: "
                                   f"{', '.join(TIMESERIES_METRICS)}", "metrics")
    scenario = folder / "inputs" / "scenario.toml"
    brands, segments = _names(_read_toml(scenario, "scenario file"), scenario)
    return Layout(spec, brands, segments, design_size(spec) * spec.replications,
                  "experiment.toml (with inputs/scenario.toml)")


def _read_table(file: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(file)
    except FileNotFoundError:
        raise ResultsError(file, "missing; run the sweep (again) to finish it") from None
    except Exception as exc:  # noqa: BLE001 - truncated, garbage, not Parquet, unreadable
        raise ResultsError(file, f"not a readable Parquet table ({type(exc).__name__}); run the sweep again to "
                                 "rewrite it") from None


def _rows(mask) -> str:
    """'3 of 40 rows (the first: row 7)', rows counted from 1 as in a spreadsheet."""
    where = np.flatnonzero(np.asarray(mask))
    return f"{len(where)} of {len(mask)} row{'s' if len(mask) != 1 else ''} (the first: row {where[0] + 1})"


def _kind(column: pd.Series) -> str:
    if types.is_bool_dtype(column):
        return "true/false"
    if types.is_numeric_dtype(column):
        return "numbers"
    return "text" if types.is_string_dtype(column) or types.is_object_dtype(column) else str(column.dtype)


def _whole(table: pd.DataFrame, file: Path, column: str) -> None:
    """An integer column (counts and numbers of runs, points, steps): never empty, text or fractional."""
    values = table[column]
    if types.is_bool_dtype(values) or not types.is_integer_dtype(values):
        detail = f"; empty in {_rows(values.isna())}" if types.is_float_dtype(values) and values.isna().any() else ""
        raise ResultsError(file, f"must be an integer column of whole numbers, not {_kind(values)}{detail}", column)
    if (values < 0).any():
        raise ResultsError(file, f"must be 0 or more; negative in {_rows(values < 0)}", column)


def _numbers(values: pd.Series, file: Path, column: str, allowed: str, rows=None, metric: str | None = None) -> None:
    """A numeric column whose ``rows`` hold what ``allowed`` says (FINITE, UNDEFINED or UNBOUNDED), and
    nothing negative if it holds a ``metric`` that cannot be."""
    if types.is_bool_dtype(values) or not types.is_numeric_dtype(values):
        raise ResultsError(file, f"must hold numbers, not {_kind(values)}", column)
    v = values.to_numpy(dtype=float)
    bad = np.isinf(v) if allowed == UNDEFINED else ~np.isfinite(v) if allowed == FINITE else np.isneginf(v)
    if rows is not None:
        bad &= np.asarray(rows)
    if bad.any():
        raise ResultsError(file, f"must be {allowed}: not so in {_rows(bad)} (docs/outputs.md)", column)
    negative = v < 0 if rows is None else (v < 0) & np.asarray(rows)
    if metric in NOT_NEGATIVE and negative.any():
        raise ResultsError(file, f"counts or shares are never negative: negative in {_rows(negative)} "
                                 "(docs/outputs.md)", column)


def _columns(table: pd.DataFrame, file: Path, allowed: list[str], rule: str) -> None:
    """The table has every allowed column and no other."""
    missing = [c for c in allowed if c not in table.columns]
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise ResultsError(file, f"lacks the column{'s' if len(missing) > 1 else ''} {shown}; {rule}")
    extra = [str(c) for c in table.columns if c not in set(allowed)]
    if extra:
        raise ResultsError(file, f"unknown column{'s' if len(extra) > 1 else ''}: "
                                 f"{plain(', '.join(extra[:5]), 160)}; {rule}")


def run_columns(layout: Layout) -> list[str]:
    """Every column of runs.parquet, in the order a sweep writes them."""
    per_brand = [*BRAND_METRICS, *TEXT_METRICS, *[f"{m}.{s}" for m in SEGMENT_METRICS for s in layout.segments]]
    return [*RESERVED_COLUMNS, *(f.label for f in layout.spec.factors),
            *(f"{b}.{m}" for b in layout.brands for m in per_brand)]


def check_runs(runs: pd.DataFrame, layout: Layout, file: Path) -> pd.DataFrame:
    """runs.parquet: its columns, types and values, and that it holds the layout's runs; sorted by run."""
    if not len(runs):
        raise ResultsError(file, f"no finished runs to report on (no rows; {layout.origin} plans {layout.runs})")
    if "status" in runs and runs.status.eq("failed").all():  # a failed run has no metric columns to check
        raise NoFinishedRuns(file, f"no finished runs to report on ({len(runs)} rows, every one failed; their errors "
                                   f"are in its 'error' column)")
    _columns(runs, file, run_columns(layout),
             "runs.parquet holds run, point, replication, seed, status, error, one column per factor of "
             f"{layout.origin} and <brand>.<metric> for its brands ({', '.join(layout.brands)}); docs/experiments.md")
    for column in ("run", "point", "replication"):
        _whole(runs, file, column)
    if not types.is_unsigned_integer_dtype(runs.seed):
        raise ResultsError(file, "must be an unsigned 64-bit integer column (seeds are stored exactly)", "seed")
    for column in ("status", "error"):
        if not (types.is_string_dtype(runs[column]) or types.is_object_dtype(runs[column])) \
                or runs[column].map(lambda v: not isinstance(v, str)).any():
            raise ResultsError(file, "must hold text in every row", column)
    status = runs.status.isin(("done", "failed"))
    if not status.all():
        raise ResultsError(file, f"must be done or failed: not so in {_rows(~status)}", "status")
    spec = layout.spec
    for key, limit in (("run", layout.runs), ("point", layout.runs // spec.replications),
                       ("replication", spec.replications)):
        if (runs[key] >= limit).any():
            raise ResultsError(file, f"must be below {limit} ({layout.origin}): not so in {_rows(runs[key] >= limit)}",
                               key)
    for keys in (["run"], ["point", "replication"]):
        repeated = runs.duplicated(keys, keep=False)
        if repeated.any():
            raise ResultsError(file, f"a run appears more than once: {_rows(repeated)} repeat another row",
                               ", ".join(keys))
    if len(runs) != layout.runs:
        raise ResultsError(file, f"{len(runs)} runs, but {layout.origin} plans {layout.runs}: the tables and the "
                                 "experiment no longer match; run the sweep again into a new --out")
    for f in spec.factors:
        values = runs[f.label]
        if f.categorical:
            levels = f.grid()
            outside = ~values.isin(levels)
            if outside.any():
                raise ResultsError(file, f"holds values that are not levels of this factor in {layout.origin} "
                                         f"({_rows(outside)}); levels: {plain(', '.join(map(str, levels)), 200)}",
                                   f.label)
        elif f.levels is not None and all(isinstance(v, bool) for v in f.levels):
            if not types.is_bool_dtype(values):
                raise ResultsError(file, f"must hold true/false, not {_kind(values)}", f.label)
        else:
            _numbers(values, file, f.label, FINITE)
    done = (runs.status == "done").to_numpy()
    for brand in layout.brands:
        for metric, allowed in BRAND_METRICS.items():
            _numbers(runs[f"{brand}.{metric}"], file, f"{brand}.{metric}", allowed, done, metric)
        for metric, allowed in SEGMENT_METRICS.items():
            for segment in layout.segments:
                column = f"{brand}.{metric}.{segment}"
                _numbers(runs[column], file, column, allowed, done, metric)
    return runs.sort_values("run", kind="stable").reset_index(drop=True)


def check_timeseries(ts: pd.DataFrame, runs: pd.DataFrame, layout: Layout, file: Path) -> pd.DataFrame:
    """timeseries.parquet: a full grid of (step, brand, segment) rows for each finished run, nothing else."""
    done = runs.run[runs.status == "done"]
    if not len(ts):
        raise ResultsError(file, f"no rows, but runs.parquet has {len(done)} finished runs; run the sweep again into "
                                 "a new --out")
    _columns(ts, file, ["run", "step", "time", "brand", "segment", *layout.spec.metrics],
             f"timeseries.parquet holds run, step, time, brand, segment and the metrics {layout.origin} keeps "
             f"({', '.join(layout.spec.metrics)})")
    for column in ("run", "step"):
        _whole(ts, file, column)
    _numbers(ts.time, file, "time", FINITE)
    for column, names in (("brand", layout.brands), ("segment", (*layout.segments, ALL))):
        if types.is_numeric_dtype(ts[column]) or types.is_bool_dtype(ts[column]):
            raise ResultsError(file, f"must hold names, not {_kind(ts[column])}", column)
        outside = ~ts[column].isin(names).to_numpy()
        if outside.any():
            raise ResultsError(file, f"must be one of {', '.join(names)} ({layout.origin}): not so in "
                                     f"{_rows(outside)}", column)
    stray = ~ts.run.isin(done).to_numpy()
    if stray.any():
        raise ResultsError(file, f"rows of runs that are not finished runs of runs.parquet: {_rows(stray)}", "run")
    repeated = ts.duplicated(list(KEYS), keep=False).to_numpy()
    if repeated.any():
        raise ResultsError(file, f"duplicate rows: {_rows(repeated)} repeat another row's run, step, brand and "
                                 "segment", ", ".join(KEYS))
    without_all = sorted(set(done) - set(ts.run[(ts.segment == ALL).to_numpy()]))
    if without_all:
        raise ResultsError(file, f"run {without_all[0]} has no rows for the whole market (segment '{ALL}'); each "
                                 "finished run has them", "segment")
    cells = len(layout.brands) * (len(layout.segments) + 1)
    per_run = ts.groupby("run").agg(rows=("step", "size"), steps=("step", "nunique"), first=("step", "min"),
                                    last=("step", "max"))
    short = (per_run.rows != per_run.steps * cells) | (per_run["first"] != 0) | (per_run["last"] + 1 != per_run.steps)
    missing = sorted(set(done) - set(ts.run))
    if missing or short.any():
        first = missing[0] if missing else per_run.index[short.to_numpy()][0]
        raise ResultsError(file, f"incomplete: run {first} lacks rows; each finished run has one row per step "
                                 f"from step 0 on, brand and segment (the segment '{ALL}' included)", "run")
    for metric in layout.spec.metrics:
        if metric == "control":
            if not types.is_bool_dtype(ts[metric]):
                raise ResultsError(file, f"must hold true/false, not {_kind(ts[metric])}", metric)
        elif metric == "spend":  # the brand's spend is on the 'all' rows only
            _numbers(ts[metric], file, metric, FINITE, (ts.segment == ALL).to_numpy(), metric)
        else:
            _numbers(ts[metric], file, metric, UNDEFINED if metric == "loyalty" else FINITE, metric=metric)
    return ts


def check_compare(layout: Layout, file: Path) -> None:
    """The report's heat map compares two brands of the experiment on a run metric."""
    c = layout.spec.compare
    if c is None:
        return
    for role in ("micro", "macro"):
        if getattr(c, role) not in layout.brands:
            raise ResultsError(file, f"names a brand the runs do not have; brands: {', '.join(layout.brands)}",
                               f"compare.{role}")
    if c.metric not in BRAND_METRICS:
        raise ResultsError(file, f"not a run metric; allowed: {', '.join(BRAND_METRICS)}", "compare.metric")


def existing_folder(folder: str | Path) -> Path:
    folder = Path(folder)
    try:
        found = folder.is_dir()
    except OSError as exc:  # such as a name longer than the file system allows
        raise ResultsError(folder, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not found:
        raise ResultsError(folder, "no such folder (give the folder a sweep wrote)")
    return folder


def read_results(folder: str | Path, layout: Layout | None = None) -> Results:
    """Read and check a results folder against ``layout`` (default: the one the sweep recorded in it)."""
    folder = existing_folder(folder)
    layout = layout or snapshot_layout(folder)
    check_compare(layout, folder / "experiment.toml")
    runs = check_runs(_read_table(folder / "runs.parquet"), layout, folder / "runs.parquet")
    file = folder / "timeseries.parquet"
    return Results(folder, layout, runs, check_timeseries(_read_table(file), runs, layout, file))
