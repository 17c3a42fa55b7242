"""Running a scenario to its horizon and writing the results atomically."""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..files import json_safe, write_csv, write_parquet, write_text
from ..market.buying import PANEL_SUMMARY, buying_table, duplication_table
from ..market.model import MarketModel
from ..scenario.loading import load_scenario
from ..scenario.schema import Scenario

# A finished model is freed only by the cyclic collector (Mesa's agents refer to their model), which
# counts objects, not bytes: runs one after another (calibrate, a sweep's worker) piled up dead models
# of about 200 bytes per consumer each (six runs of 1M consumers: 1.6 GiB instead of 0.5). A full
# collection costs about 0.2 s once the simulator is loaded, so it is paid only where it matters.
COLLECT_FROM = 100_000  # consumers

@dataclass
class RunResult:
    timeseries: pd.DataFrame  # long format, one row per step, brand and segment (docs/outputs.md)
    summary: dict  # run-level metrics per brand at the horizon
    model: MarketModel
    buying: pd.DataFrame  # the panel measures: one row per period, brand and segment (docs/outputs.md)
    duplication: pd.DataFrame  # per period: the share of each brand's buyers who also bought each other brand


def _to_horizon(model: MarketModel, progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    while model.running:
        model.step()
        if progress is not None:
            progress(done + model.steps, total)


def run(scenario: Scenario | str | Path, seed: int | None = None,
        progress: Callable[[int, int], None] | None = None, lift: bool | frozenset[str] = False) -> RunResult:
    """Build the model, run it to the horizon and collect its outputs.

    With ``lift``, each brand that runs campaigns (or, given a set of brand names, each of those that
    does) is also simulated without them, on the same seed and random-number streams, and the summary
    reports what its campaigns added (incremental customers, first acquisitions, margin and return on spend).
    ``progress(done, total)`` is called after every step, for progress bars.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if sc.population.size >= COLLECT_FROM:
        gc.collect()  # the models of earlier runs, before this one allocates
    model = MarketModel(sc, rng=seed)
    advertisers = [b.name for b in model.brands if b.campaigns and (lift is True or b.name in (lift or ()))]
    steps = sc.time.steps
    total = steps * (1 + len(advertisers))
    _to_horizon(model, progress, 0, total)
    rec = model.recorder
    brands = rec.summary(sc, model.buying.own_purchases)
    names = [b.name for b in sc.brands]
    buying = buying_table(model.buying.periods, names, sc.segment_names, model.population.segment_sizes(),
                          sc.population.people_per_consumer)
    last = buying[(buying.period == buying.period.max()) & (buying.segment == "all")].set_index("brand")
    for name in names:  # NaN as math.nan, as the summary's other undefined ratios
        brands[name].update({k: math.nan if pd.isna(v := last.at[name, k]) else v.item() for k in PANEL_SUMMARY})
    for k, name in enumerate(advertisers):
        without = MarketModel(sc, rng=model.seed, silent_brands=frozenset([name]))
        _to_horizon(without, progress, steps * (1 + k), total)
        base = without.recorder.summary(sc, without.buying.own_purchases)[name]
        brands[name].update(incremental_metrics(brands[name], base))
    summary = {
        "scenario": sc.name,
        "seed": model.seed,
        "consumers": sc.population.size,
        "people_per_consumer": sc.population.people_per_consumer,
        "steps": steps,
        "dt": sc.time.dt,
        "horizon": sc.time.horizon,
        "unit": sc.time.unit,
        "network": sc.network.type,
        "edges": 0 if model.graph is None else model.graph.edges,
        "lift": bool(lift),
        "brands": brands,
        "campaigns": {c.spec.name: {"brand": c.spec.brand, "status": c.status,
                                    "spent": c.budget.spent * sc.population.people_per_consumer,
                                    "ran_out_at": c.ran_out_at, "aimed_at": c.aimed_at,
                                    "panel_scores": c.panel_scores}
                      for b in model.brands for c in b.campaigns},
    }
    return RunResult(rec.timeseries(sc.time.dt), summary, model, buying,
                     duplication_table(model.buying.periods, names))


def incremental_metrics(actual: dict, without_campaigns: dict) -> dict:
    """What a brand's campaigns added over the same market without them (lift)."""
    margin = actual["margin"] - without_campaigns["margin"]
    spend = actual["spend"]
    return {
        "incremental_customers": actual["customers"] - without_campaigns["customers"],
        "incremental_first_acquisitions": actual["adopters"] - without_campaigns["adopters"],
        "incremental_margin": margin,
        "incremental_return_on_spend": (margin - spend) / spend if spend > 0 else math.nan,
    }


def campaign_warnings(result: RunResult) -> list[str]:
    """Campaigns that did not run as planned: out of money, never started before the horizon, or aimed
    at an audience that this market's draw left empty (the loader refuses one no consumer could match)."""
    summary = result.summary
    said = {"unfunded": "could not pay a fixed cost (research, set-up) and never ran",
            "planned": "never started before the horizon",
            "researching": "was still in research at the horizon (never launched)"}
    out = [f"campaign {name} ({c['brand']}) {said[c['status']]}"
           for name, c in summary["campaigns"].items() if c["status"] in said]
    out += [f"campaign {name} ({c['brand']}) ran out of money at {summary['unit']} {c['ran_out_at']:g} "
            f"(its own or its brand's budget)"
            for name, c in summary["campaigns"].items() if c["ran_out_at"] is not None]
    out += [f"campaign {c.spec.name} ({c.spec.brand}) found nobody in its audience"
            f"{' among its channel’s users' if c.channel else ''} in this market's {summary['consumers']:,} "
            "consumers "
            "(a draw this small left it empty): whatever it spent went to consumers outside it"
            for b in result.model.brands for c in b.campaigns if c.targets.size == 0]
    return out


def write_results(result: RunResult, out_dir: str | Path, table_format: str = "parquet") -> list[Path]:
    """Write the timeseries, buying and duplication tables (parquet or csv) and summary.json; each file
    appears whole or not at all."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = {"timeseries": result.timeseries, "buying": result.buying, "duplication": result.duplication}
    written = [write_parquet(out / f"{name}.parquet", table) if table_format == "parquet"
               else write_csv(out / f"{name}.csv", table) for name, table in tables.items()]
    return [*written, write_text(out / "summary.json", json.dumps(json_safe(result.summary), indent=2) + "\n")]
