"""Reports on sampling designs: no grouping by a sampled factor, no pooled points, readable numbers."""

from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

from marketsim.output.report import _cell, _fmt, _levels, _spread, make_report, micro_advantage
from marketsim.output.report_sampling import METRIC_LABELS, SAMPLED_METRICS, partial_dependence
from marketsim.studies.experiment import ExperimentSpec, load_experiment
from marketsim.studies.sweep import run_sweep

BASELINE = (Path(__file__).parent.parent / "scenarios" / "baseline.toml").resolve()
LHS = f"""
name = "lhs"
scenario = "{BASELINE}"
seed = 1
replications = 1
horizon = 20
bundle = 4
overrides = {{ "population.size" = 400, "campaigns.spark_event.reach" = 400 }}
metrics = ["customer", "adopters", "share"]
[design]
type = "latin_hypercube"
samples = 8
[[factors]]
path = "word_of_mouth.strength"
range = {{ min = 0.01, max = 0.2 }}
[[factors]]
path = "channels.tv.cpm"
range = {{ min = 2, max = 12 }}
"""


def test_sampling_report_draws_against_factors_instead_of_grouping(tmp_path):
    path = tmp_path / "lhs.toml"
    path.write_text(LHS)
    run_sweep(load_experiment(path), tmp_path / "out", workers=1)
    files = {p.name for p in make_report(tmp_path / "out")}
    assert {"sampling.png", "metrics.png", "report.md"} <= files
    for picture in (tmp_path / "out").glob("*.png"):  # real pictures, not empty files
        height, width, _ = matplotlib.image.imread(picture).shape
        assert height > 100 and width > 100, picture
    text = (tmp_path / "out" / "report.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| latin hypercube sample |")]
    assert len(rows) == 2  # one row per brand, not one per sampled point
    # the mean of the 8 points, in brackets the P10-P90 of the points (not an interval pooling them as replicates)
    customers = pd.read_parquet(tmp_path / "out" / "runs.parquet")["Mass.customers"].to_numpy(dtype=float)
    assert len(customers) == 8 and customers.std() > 0
    header = next(line for line in text.splitlines() if line.startswith("| design | brand |")).split(" | ")
    mass = next(r for r in rows if r.startswith("| latin hypercube sample | Mass |")).split(" | ")
    low, high = np.quantile(customers, [0.1, 0.9])
    assert mass[header.index("customers")] == f"{_fmt(customers.mean())} [{_fmt(low)}, {_fmt(high)}]"
    assert "e-0" not in text and "e+0" not in text
    assert "Too few sampled points" in text  # 8 points: no Sobol indices pretending to be precise
    # every metric the sampling figure draws is one a sweep writes, with a label (CAC was once silently left out)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert all(f"Mass.{m}" in runs.columns and m in METRIC_LABELS for m in SAMPLED_METRICS)


def test_spread_never_pools_design_points():
    replicates = pd.Series([1.0, 2.0, 3.0])
    mean, lo, hi, what = _spread(pd.Series([2.0]), replicates)
    assert what == "95% interval" and lo < mean < hi
    points = pd.Series(np.arange(11, dtype=float))
    mean, lo, hi, what = _spread(points, points)
    assert what == "P10-P90 of points" and (mean, lo, hi) == (5.0, 1.0, 9.0)


@pytest.mark.parametrize("value, text", [(0.00001234, "0.0000"), (0.5, "0.50"), (12345.678, "12,346"),
                                         (-0.25, "-0.25"), (float("nan"), "-")])
def test_heat_map_cells_have_no_scientific_notation(value, text):
    assert _cell(value) == text


def test_levels_in_natural_order():
    spec = ExperimentSpec.model_validate({
        "name": "x", "scenario": "s.toml",
        "factors": [{"name": "budget", "variants": {"20k": {"a": 1}, "100k": {"a": 2}, "5k": {"a": 3}}},
                    {"path": "a.b", "levels": [10, 2, 30]}]})
    assert _levels(spec, "budget", pd.Series(["5k", "100k", "20k"])) == ["20k", "100k", "5k"]
    assert _levels(spec, "a.b", pd.Series([30, 2, 10])) == [2, 10, 30]


def test_partial_dependence_follows_a_trend():
    x = np.linspace(0, 1, 80)
    bx, by = partial_dependence(x, 3 * x)
    assert len(bx) == 8 and np.all(np.diff(by) > 0) and by == pytest.approx(3 * bx)


@pytest.mark.parametrize("better, expected", [("lower", [3.0, -2.0]), ("higher", [-3.0, 2.0])])
def test_the_heat_map_shows_where_the_micro_brand_wins(better, expected):
    """experiments.md [compare]: the heat map is how much the micro brand beats the macro brand, positive
    where micro is better: with better = lower, a lower micro CAC is a win (fifth mutant batch: the sign
    taken from the wrong branch coloured micro's losses as wins)."""
    from types import SimpleNamespace

    runs = pd.DataFrame({"Micro.cac_paid": [7.0, 12.0], "Macro.cac_paid": [10.0, 10.0]})
    compare = SimpleNamespace(micro="Micro", macro="Macro", metric="cac_paid", better=better)
    assert micro_advantage(runs, compare).tolist() == expected
