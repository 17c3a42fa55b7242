"""Running a scenario to its horizon and writing the results atomically."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .files import write_csv, write_parquet, write_text
from .model import MarketModel
from .scenario import Scenario, load_scenario


@dataclass
class RunResult:
    timeseries: pd.DataFrame  # long format, one row per step, brand and segment (docs/outputs.md)
    summary: dict  # run-level metrics per brand at the horizon
    model: MarketModel


def run(scenario: Scenario | str | Path, seed: int | None = None,
        progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Build the model, run it to the horizon and collect its outputs.

    ``progress(done, total)`` is called after every step, for progress bars.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    model = MarketModel(sc, rng=seed)
    total = sc.time.steps
    while model.running:
        model.step()
        if progress is not None:
            progress(model.steps, total)
    rec = model.recorder
    summary = {
        "scenario": sc.name,
        "seed": model.seed,
        "consumers": sc.population.size,
        "steps": total,
        "dt": sc.time.dt,
        "horizon": sc.time.horizon,
        "unit": sc.time.unit,
        "network": sc.network.type,
        "edges": 0 if model.graph is None else model.graph.edges,
        "brands": rec.summary(sc.brands, sc.time.days_per_unit, sc.valuation.discount_rate,
                              sc.population.size),
        "campaigns": {c.spec.name: {"brand": c.spec.brand, "status": c.status, "spent": c.budget.spent}
                      for b in model.brands for c in b.campaigns},
    }
    return RunResult(rec.timeseries(sc.time.dt), summary, model)


def _json_safe(value):
    """JSON has no NaN or infinity: write them as null and "inf"."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def write_results(result: RunResult, out_dir: str | Path, table_format: str = "parquet") -> list[Path]:
    """Write timeseries.parquet (or .csv) and summary.json; each file appears whole or not at all."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = (write_parquet(out / "timeseries.parquet", result.timeseries) if table_format == "parquet"
             else write_csv(out / "timeseries.csv", result.timeseries))
    return [table, write_text(out / "summary.json", json.dumps(_json_safe(result.summary), indent=2) + "\n")]
