"""marketsim's calibration on real data, beside the published Bass fit and a least-squares fit of his curve.

    python experiments/air_conditioners.py [--workers 2]

The data are the US sales of room air conditioners, 1949–1961 (units; Bass 1969 gives them in
thousands), in scenarios/air_conditioners_pilot.csv. Three fits of the market size m, the outside influence p and
word of mouth q:

- Bass (1969), as published: m = 16,895, p = 0.0104, q = 0.419 (his regression on the discrete form);
- nonlinear least squares of the Bass curve m (F(t) - F(t-1)) on the same thirteen years (scipy's
  curve_fit), with 95% intervals from its covariance; unweighted, and weighted as calibrate weighs
  (each year's miss over the root of its sales);
- `marketsim calibrate air_conditioners air_conditioners_pilot`: the agent-based model fitted by
  simulation; p is read from the fitted ad volume (p = (1 - exp(-0.01)) x impressions / m);
- the same with one consumer standing for ten times as many households (population.people_per_consumer
  10,000 instead of 1,000, and the prior of the number of consumers divided by ten; the pilot and the
  ad volume, in households, do not change): its intervals should be about as wide, since the data did
  not change.

It prints the table docs/calibration.md quotes.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import curve_fit

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "air_conditioners.toml"
PILOT = ROOT / "scenarios" / "air_conditioners_pilot.csv"
PUBLISHED = {"m": 16_895.0, "p": 0.0104, "q": 0.419}
CONVERTS = 1 - math.exp(-0.01)  # the scenario's ad_effect: the chance that one impression converts


def bass_sales(t: np.ndarray, m: float, p: float, q: float) -> np.ndarray:
    """Sales in each year (t-1, t]: m times the growth of Bass's cumulative adoption share F."""
    def share(x):
        e = np.exp(-(p + q) * x)
        return (1 - e) / (1 + (q / p) * e)

    return m * (share(t) - share(t - 1))


def least_squares(t: np.ndarray, sales: np.ndarray, weighted: bool = False) -> dict[str, tuple[float, float, float]]:
    """Nonlinear least squares of the Bass curve; ``weighted``: each year's miss divided by the root of its sales,
    as marketsim calibrate weighs them (counts vary as their size)."""
    found, cov = curve_fit(bass_sales, t, sales, p0=(PUBLISHED["m"], 0.01, 0.4), sigma=np.sqrt(sales) if weighted
                           else None, bounds=([1, 1e-5, 1e-3], [1e6, 1, 5]))
    half = stats.t.ppf(0.975, len(t) - 3) * np.sqrt(np.diag(cov))
    return {k: (float(v), float(v - h), float(v + h)) for k, v, h in zip("mpq", found, half)}


def marketsim_fit(workers: int, coarser: int = 1) -> dict[str, tuple[float, float, float]]:
    """The calibration, with one consumer for ``coarser`` x 1,000 households (m in thousands of households)."""
    import tempfile
    import tomllib

    import tomli_w

    from marketsim.studies.calibrate import calibrate

    raw = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))
    size = raw["population"]["size"]
    size["low"], size["high"] = size["low"] / coarser, size["high"] / coarser
    raw["population"]["people_per_consumer"] *= coarser
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / SCENARIO.name
        scenario.write_text(tomli_w.dumps(raw), encoding="utf-8")
        _, result = calibrate(scenario, PILOT, workers=workers)
    by_field = {f.path: (x, lo, hi) for f, x, (lo, hi) in zip(result.fields, result.estimate, result.interval)}
    thousands = raw["population"]["people_per_consumer"] / 1000
    m = tuple(thousands * v for v in by_field["population.size"])
    impressions = by_field["campaigns.outside_influence.impressions"]
    p = tuple(CONVERTS * v / (1000 * m[0]) for v in impressions)  # at the fitted size; m's own error left out
    return {"m": m, "p": p, "q": by_field["word_of_mouth.strength"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    data = pd.read_csv(PILOT)
    t, sales = data.time.to_numpy(dtype=float), data.new_adopters.to_numpy(dtype=float) / 1000  # thousands
    rows = {"Bass (1969), published": {k: (v, math.nan, math.nan) for k, v in PUBLISHED.items()},
            "least squares, Bass curve": least_squares(t, sales),
            "least squares, Bass curve, weighted as calibrate weighs": least_squares(t, sales, weighted=True),
            "marketsim calibrate": marketsim_fit(args.workers),
            "marketsim calibrate, 1 consumer = 10,000 households": marketsim_fit(args.workers, coarser=10)}
    print("| fit | m (thousand households) | p | q |\n|---|---|---|---|")
    for name, fit in rows.items():
        cells = []
        for key, fmt in (("m", ",.0f"), ("p", ".4f"), ("q", ".3f")):
            value, low, high = fit[key]
            cells.append(f"{value:{fmt}}" + ("" if math.isnan(low) else f" [{low:{fmt}}, {high:{fmt}}]"))
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
