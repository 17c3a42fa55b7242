"""Make the ready pilot of scenarios/launch_decision.toml: twelve weeks of Ridge's launch, simulated.

    python experiments/make_pilot.py

The pilot is synthetic on purpose: it is simulated at values of the five doubtful assumptions
chosen here (TRUTH), inside their ranges, so that `marketsim calibrate launch_decision
launch_decision_pilot` can be checked against a known answer (tests/test_calibrate.py does). It
runs the plan as the scenario writes it (mixed) and counts Ridge's new adopters per week in each
segment, as a retailer's sales data would.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import marketsim

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "launch_decision.toml"
PILOT = ROOT / "scenarios" / "launch_decision_pilot.csv"
WEEKS = 12
SEED = 2026
TRUTH = {"response.ad_effect": 0.006, "word_of_mouth.strength": 0.011, "channels.social.cpm": 7.0,
         "brands.Ridge.fit.trail_runners": 0.85, "campaigns.ridge_social.precision": 0.8}


def pilot() -> pd.DataFrame:
    """Ridge's new adopters per week and segment over the first ``WEEKS`` weeks, at ``TRUTH``."""
    scenario = marketsim.load_scenario(SCENARIO, {**TRUTH, "time.horizon": 7 * WEEKS})
    series = marketsim.run(scenario, seed=SEED).timeseries
    ridge = series[(series.brand == "Ridge") & (series.segment != "all")].sort_values("step")
    rows = []
    for segment, group in ridge.groupby("segment", observed=True, sort=False):
        adopters = group.adopters.to_numpy()
        rows += [{"time": 7 * week, "segment": segment, "new_adopters": int(adopters[week] - adopters[week - 1])}
                 for week in range(1, WEEKS + 1)]
    return pd.DataFrame(rows)[["time", "segment", "new_adopters"]]


if __name__ == "__main__":
    pilot().to_csv(PILOT, index=False)
    print(f"wrote {PILOT.relative_to(ROOT)}")
