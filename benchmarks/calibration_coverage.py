"""How often `marketsim calibrate`'s 95% intervals cover the truth, over many synthetic pilots.

Each pilot is ten years of a Bass diffusion simulated by the model at known values (word-of-mouth
strength q = 0.38 and the ad volume that gives p = 0.03), with its own seed; calibration then fits
both from uniform / log-uniform priors, with its default four seeds, and we count how often each
95% interval holds the true value. Two cases:

- ``specified``: the pilot comes from the model being fitted;
- ``misspecified``: the pilot comes from a slightly different market (talkativeness varies between
  consumers, spread 0.6, where the fitted model has none) and is observed with 20% reporting noise
  (each period's count times a log-normal factor), as a retailer's data would be.

    python benchmarks/calibration_coverage.py --pilots 40      # about 5 minutes per case on two cores
    python benchmarks/calibration_coverage.py --pilots 20 --method abc   # ABC-SMC (pyabc): about 20 minutes per case

Prints per case the coverage of each field and of both, with a 95% Wilson interval of that share,
and the mean interval widths.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

SIZE, DT, HORIZON, TRUE_Q = 1000, 0.25, 10, 0.38


def make_pilot(case: str, index: int) -> tuple[dict, np.ndarray, np.ndarray, dict]:
    """The scenario to fit (raw, its two fields as distributions), the pilot's period ends and new adopters,
    and the true values."""
    from marketsim.scenario.loading import scenario_from_dict
    from marketsim.studies.runner import run
    from tests.bass import bass_scenario

    truth = bass_scenario(SIZE, DT, HORIZON)
    raw = truth.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    generating = dict(raw, population={**raw["population"], "talkativeness_spread": 0.6}) \
        if case == "misspecified" else raw
    series = run(scenario_from_dict(generating), seed=1000 + index).timeseries
    cumulative = series[series.segment == "all"].sort_values("step").adopters.to_numpy()
    ends = np.arange(1, HORIZON + 1)
    new = cumulative[np.round(ends / DT).astype(int)] - cumulative[np.round((ends - 1) / DT).astype(int)]
    if case == "misspecified":
        noise = np.random.default_rng(index).lognormal(0.0, 0.2, len(new))
        new = np.minimum(np.round(new * noise), SIZE // HORIZON * 3).astype(int)
    impressions = truth.campaigns[0].impressions
    fitted = dict(raw, time={**raw["time"], "unit": "year"},
                  word_of_mouth={**raw["word_of_mouth"], "strength": {"dist": "uniform", "low": 0.1, "high": 0.8}})
    fitted["campaigns"] = [{**raw["campaigns"][0], "impressions": {"dist": "loguniform", "low": impressions / 5,
                                                                   "high": impressions * 5}}]
    return fitted, ends, new, {"word_of_mouth.strength": TRUE_Q, "campaigns.ads.impressions": impressions}


def one_pilot(case: str, index: int) -> dict:
    """marketsim calibrate's 95% intervals: (covered, width) per field, and the simulations it took."""
    from marketsim.studies.calibrate import calibrate

    fitted, ends, new, values = make_pilot(case, index)
    with tempfile.TemporaryDirectory() as folder:
        scenario, pilot = Path(folder) / "s.toml", Path(folder) / "pilot.csv"
        scenario.write_text(tomli_w.dumps(fitted))
        pd.DataFrame({"time": ends, "new_adopters": new}).to_csv(pilot, index=False)
        fitter, result = calibrate(scenario, pilot, seed=index)
    out = {f.path: (bool(lo <= values[f.path] <= hi), float(hi - lo)) for f, (lo, hi) in zip(result.fields, result.interval)}
    # K seeds per parameter set, and the fresh runs that measure the noise
    return {**out, "simulations": result.evaluations * len(result.seeds) + len(fitter.noise_seeds)}


def one_pilot_abc(case: str, index: int, population: int = 200, budget: int = 4000) -> dict:
    """ABC-SMC (pyabc) on the same pilot: the same weighted distance as calibrate, single runs (each with its own
    seed) instead of a common-seed mean, a median-epsilon schedule, stopped after ``budget`` simulations; the
    95% interval is the final population's weighted 2.5th to 97.5th percentile."""
    import logging

    import pyabc

    from marketsim.scenario.loading import scenario_from_dict
    from marketsim.studies.runner import run

    logging.getLogger("ABC").setLevel(logging.WARNING)
    fitted, ends, new, values = make_pilot(case, index)
    strength, impressions = fitted["word_of_mouth"]["strength"], fitted["campaigns"][0]["impressions"]
    prior = pyabc.Distribution(**{
        "word_of_mouth.strength": pyabc.RV("uniform", strength["low"], strength["high"] - strength["low"]),
        "campaigns.ads.impressions": pyabc.RV("loguniform", impressions["low"], impressions["high"])})
    seeds = np.random.default_rng(index)
    weight = 1.0 / np.sqrt(np.maximum(new, 1.0))

    def model(parameters) -> dict:
        overrides = {"word_of_mouth.strength": float(parameters["word_of_mouth.strength"]),
                     "campaigns.ads.impressions": float(parameters["campaigns.ads.impressions"])}
        series = run(scenario_from_dict(copy.deepcopy(fitted), overrides=overrides), seed=int(seeds.integers(2 ** 32))).timeseries
        cumulative = series[series.segment == "all"].sort_values("step").adopters.to_numpy()
        return {"new": (cumulative[np.round(ends / DT).astype(int)]
                        - cumulative[np.round((ends - 1) / DT).astype(int)]).astype(float)}

    def distance(x, y) -> float:
        return float(np.sqrt((((x["new"] - y["new"]) * weight) ** 2).sum()))

    with tempfile.TemporaryDirectory() as folder:
        abc = pyabc.ABCSMC(model, prior, distance, population_size=population,
                           sampler=pyabc.sampler.SingleCoreSampler())
        abc.new(f"sqlite:///{folder}/abc.db", {"new": new.astype(float)})
        history = abc.run(max_total_nr_simulations=budget, max_nr_populations=20)
        frame, w = history.get_distribution(m=0, t=history.max_t)
        simulations = int(history.total_nr_simulations)
    out = {}
    for path, truth in values.items():
        order = np.argsort(frame[path].to_numpy())
        x, cdf = frame[path].to_numpy()[order], np.cumsum(w[order]) / w.sum()
        lo, hi = x[np.searchsorted(cdf, 0.025)], x[min(np.searchsorted(cdf, 0.975), len(x) - 1)]
        out[path] = (bool(lo <= truth <= hi), float(hi - lo))
    return {**out, "simulations": simulations}


def main() -> None:
    from statsmodels.stats.proportion import proportion_confint

    from marketsim.studies.pool import process_pool

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pilots", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cases", nargs="+", default=["specified", "misspecified"])
    parser.add_argument("--method", choices=["calibrate", "abc"], default="calibrate",
                        help="marketsim calibrate (default), or ABC-SMC with pyabc for comparison")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with process_pool(args.workers) as pool:  # the cores shared out: two threads each made it 4x slower
        for case in args.cases:
            fit = one_pilot_abc if args.method == "abc" else one_pilot
            found = list(pool.map(fit, [case] * args.pilots, range(args.pilots)))
            fields = [f for f in found[0] if f != "simulations"]
            print(f"{case}: {args.pilots} pilots, {args.method}, "
                  f"{np.mean([r['simulations'] for r in found]):,.0f} simulations per fit on average")
            for field in [*fields, "both"]:
                hits = [all(r[f][0] for f in fields) if field == "both" else r[field][0] for r in found]
                low, high = proportion_confint(sum(hits), len(hits), method="wilson")
                width = "" if field == "both" else f"; mean width {np.mean([r[field][1] for r in found]):.4g}"
                print(f"  {field}: covered {sum(hits)}/{len(hits)} = {np.mean(hits):.0%} "
                      f"(95% interval {low:.0%} to {high:.0%}){width}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
