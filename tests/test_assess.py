"""Assessing strategies under uncertainty: common random numbers, the odds, what must be true, the report."""

import copy
import html
import json
from concurrent.futures import ThreadPoolExecutor

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import tomli_w
from typer.testing import CliRunner

from marketsim.cli import app
from marketsim.output.assess_report import conclusion, write_report
from marketsim.scenario.schema import ScenarioError
from marketsim.studies.assess import (
    METRICS,
    Findings,
    Strategy,
    analyse,
    break_even_budgets,
    load_strategies,
    outcomes,
    percentile,
    plan_assessment,
    probability_best,
    probability_interval,
    probability_payback,
    quantiles,
)
from marketsim.studies.discovery import find_boxes, sensitivity
from marketsim.studies.sweep import run_sweep
from tests.helpers import BASE


def raw_scenario(**changes):
    raw = copy.deepcopy(BASE)
    raw["population"]["size"] = 400
    raw["time"]["horizon"] = 20
    raw["word_of_mouth"]["strength"] = {"dist": "uniform", "low": 0.0, "high": 0.3}
    raw["response"]["ad_effect"] = {"dist": "loguniform", "low": 0.01, "high": 0.1}
    raw["campaigns"][0]["budget"] = {"dist": "uniform", "low": 500, "high": 5000}
    raw["strategies"] = [{"name": "micro", "set": {"campaigns.ads.channel": "app", "campaigns.ads.impressions": 300}},
                         {"name": "macro"}]
    raw.update(changes)
    return raw


def write(tmp_path, raw, name="s.toml"):
    path = tmp_path / name
    path.write_text(tomli_w.dumps(raw))
    return path


def test_strategies_share_samples_and_seeds(tmp_path):
    plan = plan_assessment(write(tmp_path, raw_scenario()), runs=6, seed=3)
    runs = plan.experiment.runs()
    assert len(runs) == 2 * 6
    micro, macro = runs[:6], runs[6:]
    assert [r.seed for r in micro] == [r.seed for r in macro]  # common random numbers
    assert len({r.seed for r in micro}) == 6
    for a, b in zip(micro, macro):
        assert {k: v for k, v in a.factors.items() if k != "strategy_variant"} == \
               {k: v for k, v in b.factors.items() if k != "strategy_variant"}
    assert runs[0].overrides["campaigns.ads.channel"] == "app" and "campaigns.ads.channel" not in runs[6].overrides


def test_default_strategies_are_the_brands_in_one_variant(tmp_path):
    raw = raw_scenario()
    del raw["strategies"]
    raw["brands"].append({**raw["brands"][0], "name": "B"})
    plan = plan_assessment(write(tmp_path, raw), runs=4)
    assert [(s.name, s.brand) for s in plan.strategies] == [("A", "A"), ("B", "B")]
    assert len(plan.experiment.points) == 4  # both brands read from the same runs


def test_clear_errors(tmp_path):
    raw = raw_scenario()
    raw["word_of_mouth"]["strength"] = 0.1
    raw["response"]["ad_effect"] = 0.05
    raw["campaigns"][0]["budget"] = 1000
    with pytest.raises(ScenarioError, match="no uncertain assumptions"):
        plan_assessment(write(tmp_path, raw), runs=4)
    with pytest.raises(ScenarioError, match=r"strategies\[micro\].brand"):
        plan_assessment(write(tmp_path, raw_scenario(strategies=[{"name": "micro", "brand": "Z"}])), runs=4)
    with pytest.raises(ScenarioError, match=r"strategies\[micro\].set campaigns\[ads\].channel"):
        plan_assessment(write(tmp_path, raw_scenario(strategies=[{"name": "micro", "set": {
            "campaigns.ads.channel": "radio"}}])), runs=4)
    bad = tmp_path / "strategies.toml"
    bad.write_text('[[strategies]]\nname = "x"\ncolour = "red"\n')
    with pytest.raises(ScenarioError, match="colour"):
        load_strategies(bad)


def test_probability_best_and_break_even_on_known_numbers():
    out = pd.DataFrame({"sample": [0, 1, 2, 0, 1, 2], "strategy": ["micro"] * 3 + ["macro"] * 3,
                        "cac": [1.0, 5.0, np.nan, 2.0, 2.0, 2.0]})
    best = probability_best(out, "cac")  # lower is better; NaN counts as worst
    assert best.to_dict() == {"micro": pytest.approx(1 / 3), "macro": pytest.approx(2 / 3)}
    assert break_even_budgets(BudgetPlan, crossing_at(5000), "return_on_spend") == \
        {"campaigns.ads.budget": pytest.approx(5000)}


def test_probability_of_payback_is_the_share_of_futures_whose_margin_covers_the_spend():
    """docs/assess.md: P(payback) is the share of sampled futures with return on spend above 0
    (margin above spend), whatever the size of the return; an undefined return does not pay back."""
    out = pd.DataFrame({"sample": [0, 1, 2, 3] * 2, "strategy": ["micro"] * 4 + ["macro"] * 4,
                        "return_on_spend": [0.5, 1.5, -0.2, 0.0, -1.0, 3.0, np.nan, 0.01]})
    assert probability_payback(out).to_dict() == {"micro": 0.5, "macro": 0.5}


def test_ties_in_probability_best_are_shared():
    """A future where two plans tie gives each half of its credit (docs/assess.md: ties are shared)."""
    out = pd.DataFrame({"sample": [0, 1, 2, 3] * 3, "strategy": ["micro"] * 4 + ["macro"] * 4 + ["mass"] * 4,
                        "return_on_spend": [0.5, 0.2, np.nan, 0.1,  # higher is better
                                            0.5, 0.3, np.nan, 0.0,
                                            0.1, 0.3, np.nan, 0.0]})
    # sample 0: micro and macro tie; 1: macro and mass tie; 2: all missing, a three-way tie; 3: micro alone
    best = probability_best(out, "return_on_spend")
    assert best.to_dict() == {"micro": pytest.approx((1 / 2 + 0 + 1 / 3 + 1) / 4),
                              "macro": pytest.approx((1 / 2 + 1 / 2 + 1 / 3 + 0) / 4),
                              "mass": pytest.approx((0 + 1 / 2 + 1 / 3 + 0) / 4)}
    assert best.sum() == pytest.approx(1)


class BudgetPlan:
    """A plan whose only uncertain field is one budget, sampled at 1000, 2000, ..., 9000."""
    strategies = [Strategy("micro", "A", "micro"), Strategy("macro", "A", "macro")]
    uncertain = [type("U", (), {"path": "campaigns.ads.budget"})()]
    draws = pd.DataFrame({"campaigns.ads.budget": np.linspace(1000, 9000, 9)})


def crossing_at(budget: float) -> pd.DataFrame:
    """Micro's return on spend falls linearly with budget, macro's is flat at 0: they cross at ``budget``."""
    x = BudgetPlan.draws["campaigns.ads.budget"].to_numpy()
    return pd.DataFrame({"sample": np.tile(np.arange(9), 2), "strategy": ["micro"] * 9 + ["macro"] * 9,
                         "return_on_spend": np.r_[(budget - x) / 1000, np.zeros(9)]})


@pytest.mark.parametrize("budget", [12_000, 400, 9001])
def test_break_even_outside_the_sampled_budgets_is_not_extrapolated(budget):
    """The fitted line crosses zero outside [1000, 9000]: no break-even is reported, and the report says none."""
    out = crossing_at(budget)
    found = break_even_budgets(BudgetPlan, out, "return_on_spend")
    assert found == {}
    assert "break even" not in conclusion(findings_for(out, found))


def test_break_even_inside_the_sampled_budgets_is_stated_in_the_report():
    out = crossing_at(8999)  # just inside the range
    found = break_even_budgets(BudgetPlan, out, "return_on_spend")
    assert found == {"campaigns.ads.budget": pytest.approx(8999)}
    assert "micro and macro break even at a ads: budget of about 8,999." in conclusion(findings_for(out, found))


def findings_for(out: pd.DataFrame, break_even: dict) -> Findings:
    """Findings on ``out`` by the return on spend, with nothing but the break-even to state."""
    best, payback = probability_best(out, "return_on_spend"), pd.Series({"micro": 0.5, "macro": 0.0})
    futures = out["sample"].nunique()
    return Findings("return_on_spend", out, quantiles(out.assign(**{m: np.nan for m in METRICS
                                                                    if m not in out})),
                    best, payback, probability_interval(best, futures), probability_interval(payback, futures),
                    break_even, "micro", "macro", pd.Series(np.zeros(9, dtype=bool)), [], pd.DataFrame(), 0,
                    pd.DataFrame())


@pytest.mark.parametrize("p", [0.1, 0.56, 0.95])
def test_the_interval_of_a_probability_covers_it_at_about_its_nominal_rate(p):
    """Repeated assessments of a plan that pays back with probability p, 64 futures each: the 95%
    interval of P(pays back) holds p in about 95% of them (measured over 4,000 repetitions)."""
    rng = np.random.default_rng(12)
    futures, repetitions = 64, 4000
    paid = rng.random((repetitions, futures)) < p
    shares = pd.Series(paid.mean(axis=1))
    interval = probability_interval(shares, futures)
    coverage = float(((interval.low <= p) & (p <= interval.high)).mean())
    assert 0.93 <= coverage <= 0.975, coverage
    assert (interval.low >= 0).all() and (interval.high <= 1).all()
    assert probability_interval(pd.Series([1.0]), 64).low[0] == pytest.approx(0.943, abs=0.001)  # 64 of 64


def test_the_conclusion_says_when_the_futures_cannot_tell_two_plans_apart():
    out = crossing_at(8999)
    near = findings_for(out, {})
    near.best = pd.Series({"micro": 0.55, "macro": 0.45})
    near.best_interval = probability_interval(near.best, 9)
    assert "cannot tell them apart" in conclusion(near)
    clear = findings_for(out, {})
    clear.best = pd.Series({"micro": 1.0, "macro": 0.0})
    clear.best_interval = probability_interval(clear.best, 9)
    text = conclusion(clear)
    assert "cannot tell them apart" not in text and "70% to 100% of all futures" in text


@pytest.mark.parametrize("label, p", [("P10", 0.1), ("P50", 0.5), ("P90", 0.9)])
def test_the_interval_of_a_percentile_covers_it_at_least_at_its_nominal_rate(label, p):
    """Repeated assessments of 64 futures each, outcomes uniform on [0, 1] (so the true percentile is p):
    the order statistics' 95% interval holds it in at least about 95% of them (such intervals are
    conservative, over 1,000 repetitions)."""
    rng = np.random.default_rng(13)
    held = [low <= p <= high for _, low, high in (percentile(rng.random(64), p) for _ in range(1000))]
    assert 0.94 <= np.mean(held) <= 0.995, np.mean(held)
    values = np.arange(1.0, 65.0)
    out = pd.DataFrame({"sample": range(64), "strategy": "a", **{m: values for m in METRICS}})
    row = quantiles(out).set_index("metric").loc["reach"]  # the table carries the same interval
    assert (row[label], row[f"{label}_low"], row[f"{label}_high"]) == percentile(values, p)


def test_an_assumption_without_a_sensitivity_index_is_never_named_as_mattering():
    found = findings_for(crossing_at(8999), {})
    found.sensitivity = pd.DataFrame({"factor": ["cpm", "strength"], "delta": [0.4, np.nan],
                                      "delta_conf": [0.1, np.nan], "S1": [0.3, np.nan], "S1_conf": [0.1, np.nan]})
    text = conclusion(found)
    assert "matter most are cpm: check" in text and "strength" not in text


def test_quantiles_are_the_inverted_cdf_percentiles_and_never_counts_as_latest():
    values = np.arange(1.0, 11.0)  # 1..10: the smallest value with at least 10%, 50%, 90% at or below it
    out = pd.DataFrame({"sample": np.r_[0:10, 0:10], "strategy": ["a"] * 10 + ["b"] * 10,
                        **{m: np.r_[values, values[::-1] * 10] for m in METRICS}})
    out.loc[out.strategy == "a", "customers"] = [np.nan] * 5 + [4.0, 1.0, 3.0, 2.0, 5.0]  # missing: left out
    out.loc[out.strategy == "b", "time_to_control"] = [np.nan] * 3 + list(range(1, 8))  # never: after 7
    q = quantiles(out).set_index(["strategy", "metric"])[["P10", "P50", "P90"]]
    assert q.loc[("a", "cac")].tolist() == [1.0, 5.0, 9.0]
    assert q.loc[("b", "reach")].tolist() == [10.0, 50.0, 90.0]
    assert q.loc[("a", "customers")].tolist() == [1.0, 3.0, 5.0]
    assert q.loc[("b", "time_to_control")].tolist() == [1.0, 5.0, np.inf]


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((300, 3)), columns=["a", "b", "c"])
    fails = ((x.a < 0.3) & (x.b > 0.6)).to_numpy()
    (box, *_) = find_boxes(x, fails)
    assert set(box.limits) >= {"a", "b"}
    assert box.limits["a"][1] == pytest.approx(0.3, abs=0.05) and box.limits["b"][0] == pytest.approx(0.6, abs=0.05)
    assert box.coverage > 0.8 and box.density > 0.8
    assert find_boxes(x, np.zeros(300, dtype=bool)) == []


def test_prim_chooses_the_widest_box_that_is_dense_enough():
    """assess.md: of the boxes of density at least 90%, the one that covers most failures, not the
    densest: failures fill a < 0.4 at 93%, and its corner b < 0.2 entirely (a tiny box of density 1)."""
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.random((2000, 2)), columns=["a", "b"])
    corner = (x.a < 0.4) & (x.b < 0.2)
    fails = ((x.a < 0.4) & (corner | (rng.random(2000) < 0.93))).to_numpy()
    (box, *_) = find_boxes(x, fails)
    assert box.density >= 0.9 and box.coverage > 0.8  # the corner alone covers a fifth of the failures


def test_assessment_end_to_end(tmp_path):
    plan = plan_assessment(write(tmp_path, raw_scenario()), runs=12, seed=1)
    with ThreadPoolExecutor(1) as pool:
        report = run_sweep(plan.experiment, tmp_path / "runs", executor=pool)
    table = pd.read_parquet(report.out / "runs.parquet")
    assert (table.status == "done").all()
    out = outcomes(plan, table)
    micro, macro = (out[out.strategy == s].set_index("sample") for s in ("micro", "macro"))
    assert (micro.reach < macro.reach).all()  # the app reaches only the young, at fewer impressions
    findings = analyse(plan, table, "cac")
    assert findings.best.sum() == pytest.approx(1)
    for name, runs_of in (("micro", micro), ("macro", macro)):  # the runs' own 12 values, read by hand
        reach = np.sort(runs_of.reach.to_numpy())
        q = findings.quantiles.set_index(["strategy", "metric"]).loc[(name, "reach")]
        assert (q.P10, q.P50, q.P90) == (reach[1 - 1], reach[6 - 1], reach[11 - 1])  # ceil(12 p)-th smallest
    assert findings.sensitivity.empty  # 12 runs are too few for indices worth showing
    files = write_report(findings, "test", "day", tmp_path / "report")
    assert {"report.html", "report.md", "distributions.png", "best.png"} <= {f.name for f in files}
    for figure in (f for f in files if f.suffix == ".png"):  # real pictures, not empty files
        height, width, _ = matplotlib.image.imread(figure).shape
        assert height > 100 and width > 100, figure
    md = (tmp_path / "report" / "report.md").read_text()
    assert f"{findings.best.max():.0%} of them" in md and "Too few runs for sensitivity" in md
    for name in ("micro", "macro"):  # the odds table states this run's numbers
        best, pays = findings.best_interval.loc[name], findings.payback_interval.loc[name]
        row = (f"| {name} | {findings.best[name]:.0%} | {best.low:.0%} to {best.high:.0%} | "
               f"{findings.payback[name]:.0%} | {pays.low:.0%} to {pays.high:.0%} |")
        assert row in md
    page = (tmp_path / "report" / "report.html").read_text()
    assert conclusion(findings) in md and html.escape(conclusion(findings)) in page
    assert page.count("<tr>") == md.count("\n| ") - md.count("\n|---")  # the same tables, row for row
    assert "<img src='distributions.png'" in page and "![Outcomes per strategy](distributions.png)" in md


def test_sensitivity_ranks_the_factor_that_drives_the_outcome():
    rng = np.random.default_rng(2)
    x = pd.DataFrame(rng.random((120, 3)), columns=["word of mouth strength", "cpm", "noise"])
    y = 3 * x["word of mouth strength"].to_numpy() + 2 * x["cpm"].to_numpy() + rng.normal(0, 0.1, 120)
    s = sensitivity(x, y, [(0, 1)] * 3)  # first-order shares of variance: 9/13, 4/13, 0
    assert list(s.factor) == ["word of mouth strength", "cpm", "noise"]
    assert s.S1.iloc[0] == pytest.approx(9 / 13, abs=0.15) and abs(s.S1.iloc[2]) < 0.1


@pytest.mark.slow
def test_cli_assess_resumes_and_writes_the_page(tmp_path):
    path = write(tmp_path, raw_scenario())
    args = ["assess", str(path), "--runs", "8", "--workers", "1", "--out", str(tmp_path / "runs"),
            "--report", str(tmp_path / "page"), "--quiet", "--metric", "customers"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    result = json.loads((tmp_path / "runs" / "assessment-customers.json").read_text())
    assert result["metric"] == "customers" and result["samples"] == 8
    page = (tmp_path / "page" / "report.html").read_text()
    for name, p in result["probability_best"].items():  # the page states the numbers the run recorded
        (low, high), paid = result["probability_best_interval"][name], result["probability_payback"][name]
        assert (f"<td>{name}</td>\n      <td>{p:.0%}</td>\n      <td>{low:.0%} to {high:.0%}</td>\n      "
                f"<td>{paid:.0%}</td>") in page
        assert 0 <= low <= p <= high <= 1
    assert "Across 8 sampled futures" in page
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and json.loads((tmp_path / "runs" / "assessment-customers.json").read_text()) == result
    bad = CliRunner().invoke(app, [*args[:2], "--metric", "happiness"])
    assert bad.exit_code == 2 and "happiness" in bad.output


@pytest.mark.parametrize("seed", [0, 7])
def test_sensitivity_is_reproducible_from_its_seed(seed):
    """SALib leaves numpy's global generator alone for a seed of 0: the indices must not depend on it."""
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((80, 2)), columns=["a", "b"])
    y = x["a"].to_numpy() + rng.normal(0, 0.1, 80)
    indices = []
    for earlier in (1, 2):
        np.random.seed(earlier)  # whatever ran before in the same process
        indices.append(sensitivity(x, y, [(0, 1)] * 2, seed=seed))
    pd.testing.assert_frame_equal(indices[0], indices[1])
