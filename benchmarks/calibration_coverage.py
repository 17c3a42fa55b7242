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

Prints per case the coverage of each field and of both, with a 95% Wilson interval of that share,
and the mean interval widths.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

SIZE, DT, HORIZON, TRUE_Q = 1000, 0.25, 10, 0.38


def one_pilot(case: str, index: int) -> dict:
    from marketsim.studies.calibrate import calibrate
    from marketsim.studies.runner import run
    from tests.bass import bass_scenario

    truth = bass_scenario(SIZE, DT, HORIZON)
    raw = truth.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    generating = dict(raw, population={**raw["population"], "talkativeness_spread": 0.6}) \
        if case == "misspecified" else raw
    from marketsim.scenario.loading import scenario_from_dict

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
    with tempfile.TemporaryDirectory() as folder:
        scenario, pilot = Path(folder) / "s.toml", Path(folder) / "pilot.csv"
        scenario.write_text(tomli_w.dumps(fitted))
        pd.DataFrame({"time": ends, "new_adopters": new}).to_csv(pilot, index=False)
        _, result = calibrate(scenario, pilot, seed=index)
    values = {"word_of_mouth.strength": TRUE_Q, "campaigns.ads.impressions": impressions}
    out = {}
    for f, (lo, hi) in zip(result.fields, result.interval):
        out[f.path] = (bool(lo <= values[f.path] <= hi), float(hi - lo))
    return out


def main() -> None:
    from statsmodels.stats.proportion import proportion_confint

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pilots", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cases", nargs="+", default=["specified", "misspecified"])
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with ProcessPoolExecutor(args.workers) as pool:
        for case in args.cases:
            found = list(pool.map(one_pilot, [case] * args.pilots, range(args.pilots)))
            fields = list(found[0])
            print(f"{case}: {args.pilots} pilots")
            for field in [*fields, "both"]:
                hits = [all(r[f][0] for f in fields) if field == "both" else r[field][0] for r in found]
                low, high = proportion_confint(sum(hits), len(hits), method="wilson")
                width = "" if field == "both" else f"; mean width {np.mean([r[field][1] for r in found]):.4g}"
                print(f"  {field}: covered {sum(hits)}/{len(hits)} = {np.mean(hits):.0%} "
                      f"(95% interval {low:.0%} to {high:.0%}){width}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
