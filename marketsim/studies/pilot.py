"""Pilot data: observed new adopters per period, checked against the scenario they calibrate.

A pilot file is a CSV with columns ``time`` (the end of each period, in the scenario's time unit;
periods run back to back from 0) and ``new_adopters`` (people, whatever one consumer stands for), optionally ``brand`` (default: the
scenario's first brand) and ``segment`` (default: the whole market). Errors name the file, the
column and the rows, never the file's contents.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..market.metrics import ALL
from ..scenario.schema import Scenario, ScenarioError

REQUIRED = ("time", "new_adopters")
OPTIONAL = ("brand", "segment")


@dataclass
class Pilot:
    """Observed new adopters: one row per (brand, segment, period end), periods in time order."""

    data: pd.DataFrame  # columns brand, segment, time, start, new_adopters

    @property
    def series(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys(zip(self.data.brand, self.data.segment)))


def _rows(mask: np.ndarray) -> str:
    """Row numbers as a person counts them in the file (header is line 1, first data row line 2)."""
    lines = [str(i + 2) for i in np.flatnonzero(mask)[:5]]
    more = int(mask.sum()) - len(lines)
    return ", ".join(lines) + (f" and {more} more" if more > 0 else "")


def _read_text_table(path: str | Path) -> pd.DataFrame:
    """A CSV file as text cells with stripped column names; a ScenarioError naming the file if it cannot be read."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise ScenarioError(str(path), [("", "file not found")]) from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        raise ScenarioError(str(path), [("", "not a readable CSV file with a header row")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_pilot(path: str | Path, scenario: Scenario) -> Pilot:
    """Read and check a pilot file against ``scenario``; a ScenarioError lists every problem."""
    source = str(path)
    frame = _read_text_table(path)
    problems = [(c, "missing column (needed: time, new_adopters; optional: brand, segment)")
                for c in REQUIRED if c not in frame.columns]
    extra = [c for c in frame.columns if c not in (*REQUIRED, *OPTIONAL)]
    if extra:
        problems.append(("", f"{len(extra)} unknown column(s); allowed: time, new_adopters, brand, segment"))
    if problems:
        raise ScenarioError(source, problems)
    if frame.empty:
        raise ScenarioError(source, [("", "no data rows")])

    time = pd.to_numeric(frame.time, errors="coerce").to_numpy(dtype=float)
    count = pd.to_numeric(frame.new_adopters, errors="coerce").to_numpy(dtype=float)
    brands, segments = [b.name for b in scenario.brands], scenario.segment_names
    brand = frame.brand.str.strip() if "brand" in frame else pd.Series(brands[0], index=frame.index)
    segment = frame.segment.str.strip() if "segment" in frame else pd.Series(ALL, index=frame.index)
    segment = segment.replace("", ALL)

    def check(column: str, bad: np.ndarray, what: str) -> None:
        if bad.any():
            problems.append((column, f"rows {_rows(bad)}: {what}"))

    dt, horizon, unit = scenario.time.dt, scenario.time.horizon, scenario.time.unit
    check("time", ~np.isfinite(time), "not a number")
    check("time", np.isfinite(time) & (time <= 0), "must be above 0 (the end of a period)")
    check("time", np.isfinite(time) & (time > horizon + 1e-9),
          f"past the scenario's horizon ({horizon:g} {unit}s)")
    with np.errstate(invalid="ignore", over="ignore"):  # inf or nan times are reported above, not here
        off_step = np.isfinite(time) & (np.abs(time / dt - np.round(time / dt)) > 1e-6)
    check("time", off_step, f"must fall at the end of a step (a multiple of time.dt = {dt:g} {unit}s)")
    check("new_adopters", ~np.isfinite(count), "not a number")
    check("new_adopters", np.isfinite(count) & (count < 0), "counts cannot be negative")
    check("new_adopters", np.isfinite(count) & (count >= 0) & (count != np.round(count)), "must be whole numbers")
    check("brand", ~brand.isin(brands).to_numpy(), f"unknown brand; the scenario's brands: {', '.join(brands)}")
    check("segment", ~segment.isin([*segments, ALL]).to_numpy(),
          f"unknown segment; the scenario's segments: {', '.join(segments)} (or empty for the whole market)")
    if problems:
        raise ScenarioError(source, problems)

    data = pd.DataFrame({"brand": brand, "segment": segment, "time": time, "new_adopters": count})
    duplicated = data.duplicated(["brand", "segment", "time"], keep=False).to_numpy()
    check("time", duplicated, "the same period appears twice for one brand and segment")
    check("new_adopters", _above_market(data, scenario), "by these periods a brand's new adopters add up to more "
          "people than the segment (or the whole market) holds in the scenario")
    if problems:
        raise ScenarioError(source, problems)
    data = data.sort_values(["brand", "segment", "time"], kind="stable").reset_index(drop=True)
    data["start"] = data.groupby(["brand", "segment"]).time.shift(1).fillna(0.0)
    return Pilot(data[["brand", "segment", "start", "time", "new_adopters"]])


def _above_market(data: pd.DataFrame, scenario: Scenario) -> np.ndarray:
    """Rows, in file order, by which a brand's first adoptions in a segment (or the market) add up
    to more people than it holds: no run can fit them. None when the market's size is uncertain."""
    if any(u.path.startswith("population.") for u in scenario._uncertain):
        return np.zeros(len(data), dtype=bool)
    k = scenario.population.people_per_consumer  # a pilot counts people
    sizes = {**{name: n * k for name, n in zip(scenario.segment_names, scenario.population.segment_sizes())},
             ALL: scenario.population.people}
    ordered = data.sort_values(["brand", "segment", "time"], kind="stable")
    total = ordered.groupby(["brand", "segment"]).new_adopters.cumsum()
    return (total > ordered.segment.map(sizes)).sort_index().to_numpy()


def simulated_counts(timeseries: pd.DataFrame, pilot: Pilot, dt: float) -> np.ndarray:
    """The run's new adopters over each of the pilot's periods, in the pilot's row order."""
    d = pilot.data
    out = np.empty(len(d))
    for (brand, segment), rows in d.groupby(["brand", "segment"], sort=False):
        ts = timeseries[(timeseries.brand == brand) & (timeseries.segment == segment)]
        cumulative = ts.adopters.to_numpy(dtype=float)[np.argsort(ts.step.to_numpy())]
        out[rows.index] = (cumulative[np.round(rows.time / dt).astype(int)]
                           - cumulative[np.round(rows.start / dt).astype(int)])
    return out


def read_posterior(path: str | Path, fields: list[str]) -> pd.DataFrame:
    """A calibration's joint draws (posterior.csv): one column per fitted field, each one of ``fields`` (the
    scenario's uncertain ones), every value a finite number. Errors name the file and the column, never its
    contents."""
    source = str(path)
    frame = _read_text_table(path)
    unknown = [c for c in frame.columns if c not in fields]
    if unknown or not len(frame.columns) or len(set(frame.columns)) != len(frame.columns):
        raise ScenarioError(source, [("", f"{len(unknown)} column(s) are not uncertain fields of the scenario, or "
                                          f"a column repeats; allowed: {', '.join(fields)}")])
    if frame.empty:
        raise ScenarioError(source, [("", "no data rows")])
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    problems = [(c, f"rows {_rows(~np.isfinite(values[c].to_numpy()))}: not a finite number")
                for c in values.columns if not np.isfinite(values[c].to_numpy()).all()]
    if problems:
        raise ScenarioError(source, problems)
    return values
