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
                                      "delta_conf": [0.1, np.nan], "S1": [0.3, np.nan], "S1_conf": [0.1, np.nan],
                                      "rank_stability": [0.9, np.nan]})
    text = conclusion(found)
    assert "matters most is cpm (ranked first in 90% of resamples of the futures): check it" in text
    assert "strength" not in text


def test_an_assumption_indistinguishable_from_no_influence_is_never_named():
    found = findings_for(crossing_at(8999), {})
    found.sensitivity = pd.DataFrame({"factor": ["cpm", "strength", "noise"], "delta": [0.4, 0.2, 0.05],
                                      "delta_conf": [0.1, 0.06, 0.06], "S1": [0.3, 0.1, 0.0],
                                      "S1_conf": [0.1, 0.1, 0.1], "rank_stability": [0.7, 0.7, 0.5]})
    text = conclusion(found)
    assert "are cpm (ranked first in 70% of resamples of the futures) and strength (ranked second in 70%" in text
    assert "noise" not in text and "order is not settled" in text  # held their ranks in fewer than 80% of resamples
    found.sensitivity["rank_stability"] = [0.95, 0.9, 0.5]
    assert "order is not settled" not in conclusion(found)
    found.sensitivity["delta"] = [0.05, 0.02, 0.01]
    assert "No assumption's influence stands out from the Monte Carlo noise" in conclusion(found)


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


@pytest.mark.parametrize("seed", range(5))
def test_the_factor_that_drives_the_outcome_ranks_first_over_five_seeds(seed):
    """Each seed a new Latin-hypercube sample of 64 futures, new noise and a new analysis seed: the factor
    that drives the outcome ranks first in every one and holds that rank in nearly every resample; the
    weaker one second (SALib's own delta.analyze ranked the second factor differently by seed)."""
    from scipy.stats import qmc

    rng = np.random.default_rng(seed)
    x = pd.DataFrame(qmc.LatinHypercube(d=4, seed=rng).random(64), columns=["ad effect", "budget", "cpm", "noise"])
    y = 3 * x["ad effect"].to_numpy() + 1.5 * x["budget"].to_numpy() + rng.normal(0, 0.3, 64)
    s = sensitivity(x, y, seed=seed)
    assert list(s.factor[:2]) == ["ad effect", "budget"]
    assert s.rank_stability.iloc[0] >= 0.95
    assert (s.delta.iloc[1] - s.delta_conf.iloc[1]) > 0 > (s.delta.iloc[2:] - s.delta_conf.iloc[2:]).max()


def test_on_the_same_futures_the_ranking_does_not_depend_on_the_analysis_seed():
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.random((64, 3)), columns=["a", "b", "c"])
    y = 3 * x["a"].to_numpy() + 1.5 * x["b"].to_numpy() + rng.normal(0, 0.3, 64)
    found = [sensitivity(x, y, seed=s).set_index("factor") for s in range(5)]
    assert all(list(f.index[:2]) == ["a", "b"] for f in found)
    spread = pd.concat([f.delta for f in found], axis=1)
    assert (spread.max(axis=1) - spread.min(axis=1)).max() < 0.03  # only the bias correction's resampling moves


def test_sensitivity_ranks_the_factor_that_drives_the_outcome():
    rng = np.random.default_rng(2)
    x = pd.DataFrame(rng.random((120, 3)), columns=["word of mouth strength", "cpm", "noise"])
    y = 3 * x["word of mouth strength"].to_numpy() + 2 * x["cpm"].to_numpy() + rng.normal(0, 0.1, 120)
    s = sensitivity(x, y)  # first-order shares of variance: 9/13, 4/13, 0
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
        indices.append(sensitivity(x, y, seed=seed))
    pd.testing.assert_frame_equal(indices[0], indices[1])


def test_each_run_is_also_simulated_without_its_judged_brands_campaigns(tmp_path):
    """Plans are judged by what their campaigns added: the runs of a variant carry lift for the brands of
    its strategies, and only for them (the rival's counterfactual is not simulated)."""
    raw = raw_scenario()
    raw["brands"].append({**raw["brands"][0], "name": "Rival"})
    raw["campaigns"].append({**raw["campaigns"][0], "name": "rival_ads", "brand": "Rival", "budget": 2000})
    plan = plan_assessment(write(tmp_path, raw), runs=3, seed=2)
    assert {plan.experiment.lift(r) for r in plan.experiment.runs()} == {frozenset({"A"})}
    with ThreadPoolExecutor(1) as pool:
        report = run_sweep(plan.experiment, tmp_path / "runs", executor=pool)
    table = pd.read_parquet(report.out / "runs.parquet")
    assert table["A.incremental_margin"].notna().all() and table["Rival.incremental_margin"].isna().all()
    out = outcomes(plan, table)
    rows = table.sort_values("run").reset_index(drop=True)
    assert out.incremental_profit.tolist() == pytest.approx((rows["A.incremental_margin"] - rows["A.spend"]).tolist())
    assert out.profit.tolist() == pytest.approx((rows["A.margin"] - rows["A.spend"]).tolist())
    assert out.customer_equity.tolist() == pytest.approx(rows["A.customer_equity"].tolist())


def test_the_command_lists_every_metric_and_defaults_to_incremental_profit():
    from marketsim.studies.objectives import DEFAULT_METRIC

    import typer

    option = next(p for p in typer.main.get_command(app).commands["assess"].params if p.name == "metric")
    assert DEFAULT_METRIC == "incremental_profit" == option.default
    assert all(metric in option.help for metric in METRICS)


def test_the_figure_draws_the_percentiles_the_table_states():
    """The time-to-control figure once left out the futures that never reach control while the table
    counted them as latest: both now read the same inverted-CDF percentiles, 'never' as latest."""
    from marketsim.output.assess_report import _box

    times = np.r_[np.arange(10.0, 80.0, 10.0), [np.nan] * 3]  # 7 futures reach control, 3 never do
    out = pd.DataFrame({"sample": range(10), "strategy": "a", **{m: times for m in METRICS}})
    row = quantiles(out).set_index("metric").loc["time_to_control"]
    never = 1000.0
    box = _box(np.where(np.isnan(times), never, times), "a")
    assert (box["whislo"], box["med"]) == (row.P10, row.P50) and row.P90 == np.inf and box["whishi"] == never


def test_the_ready_assessment_and_pilot_are_found_by_name_from_any_folder(tmp_path, monkeypatch):
    """README/docs: `marketsim assess launch_decision` and `marketsim calibrate launch_decision
    launch_decision_pilot` work out of the box, from a folder with no scenarios in it."""
    import marketsim.studies.calibrate as calibration

    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(app, ["assess", "launch_decision", "--runs", "2", "--workers", "1", "--quiet"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "results" / "assess-launch_decision" / "assessment-incremental_profit.json").is_file()
    seen = {}

    def fit(scenario, pilot, **_):
        seen.update(scenario=scenario, pilot=pilot)
        raise ScenarioError(str(pilot), [("", "stop here")])

    monkeypatch.setattr(calibration, "calibrate", fit)
    stopped = CliRunner().invoke(app, ["calibrate", "launch_decision", "launch_decision_pilot", "--quiet"])
    assert stopped.exit_code == 2 and "stop here" in stopped.output
    assert seen["scenario"].name == "launch_decision.toml" and seen["scenario"].is_file()
    assert seen["pilot"].name == "launch_decision_pilot.csv" and seen["pilot"].is_file()


def test_runs_auto_stops_once_the_best_plan_is_clear_and_matches_a_plain_assessment_of_as_many(tmp_path):
    """A plan that wins every future is settled by the first batch: the same futures, seeds and findings
    as `--runs 32`; two copies of one plan can never be told apart, so batches go on up to the cap."""
    from marketsim.studies.assess import AUTO_BATCH, assess

    raw = raw_scenario()
    raw["strategies"] = [{"name": "micro"}, {"name": "silent", "set": {"campaigns.ads.budget": 0}}]
    path = write(tmp_path, raw)
    auto = assess(path, runs="auto", metric="customers", workers=1, out=tmp_path / "auto", cap=64)
    plain = assess(path, runs=AUTO_BATCH, metric="customers", workers=1, out=tmp_path / "plain")
    assert (auto.outcomes.set_index("strategy").loc["silent", "customers"] == 0).all()  # its set beats the draw
    assert auto.outcomes["sample"].nunique() == AUTO_BATCH and auto.best["micro"] == 1
    pd.testing.assert_frame_equal(auto.outcomes, plain.outcomes)
    raw["strategies"] = [{"name": "micro"}, {"name": "twin"}]
    twins = assess(write(tmp_path, raw, "twins.toml"), runs="auto", metric="customers", workers=1,
                   out=tmp_path / "twins", cap=64)
    assert twins.outcomes["sample"].nunique() == 64 and twins.best.tolist() == [0.5, 0.5]
    assert sorted(p.name for p in (tmp_path / "twins").iterdir() if p.is_dir()) == ["batch-0", "batch-1"]
    seeds = pd.concat(pd.read_parquet(tmp_path / "twins" / f"batch-{j}" / "runs.parquet").seed for j in (0, 1))
    assert seeds.nunique() == 64  # the second batch's futures have seeds of their own


def test_settled_means_the_best_plans_interval_clears_the_runner_ups():
    from marketsim.studies.assess import settled

    found = findings_for(crossing_at(8999), {})
    found.best = pd.Series({"micro": 0.8, "macro": 0.2})
    found.best_interval = pd.DataFrame({"low": [0.6, 0.1], "high": [0.9, 0.4]}, index=["micro", "macro"])
    assert settled(found)
    found.best_interval.loc["macro", "high"] = 0.6  # touching: still overlapping
    assert not settled(found)
    found.best, found.payback_interval = pd.Series({"micro": 1.0}), pd.DataFrame({"low": [0.4], "high": [0.8]},
                                                                                  index=["micro"])
    assert not settled(found)  # a plan alone: does it pay back more often than not? not yet clear
    found.payback_interval.loc["micro", "low"] = 0.55
    assert settled(found)


def test_bad_runs_are_refused_by_the_command(tmp_path):
    path = write(tmp_path, raw_scenario())
    for value in ("1", "often", "100001", "-3"):
        done = CliRunner().invoke(app, ["assess", str(path), "--runs", value, "--out", str(tmp_path / "o"), "--quiet"])
        assert done.exit_code == 2 and "neither a number from 2 to 100,000 nor auto" in done.output
        assert not (tmp_path / "o").exists()


def test_sobol_indices_on_saltellis_design_match_a_known_function():
    """y = 3a + 1.5b on the unit cube: total (and first-order) indices 9/11.25 = 0.8 and 0.2, none for c."""
    from marketsim.scenario.uncertainty import Uncertain, saltelli
    from marketsim.studies.discovery import sobol_sensitivity

    class Unit:  # a uniform distribution on [0, 1], as the sampler's quantile function sees it
        support = (0.0, 1.0)

        @staticmethod
        def ppf(u):
            return u

    fields = [Uncertain(path=name, keys=(name,), dist=Unit(), integer=False) for name in "abc"]
    x = saltelli(fields, 256, seed=1)
    assert len(x) == 256 * (3 + 2)
    s = sobol_sensitivity(x, 3 * x.a.to_numpy() + 1.5 * x.b.to_numpy(), 256, seed=1).set_index("factor")
    assert s.ST.tolist() == pytest.approx([0.8, 0.2, 0.0], abs=0.02) and s.loc["a", "rank_stability"] == 1
    assert (s.ST_conf > 0).iloc[:2].all() and s.loc["c", "ST"] == 0


def test_assess_with_a_sobol_design_ranks_by_the_total_index_and_says_so(tmp_path):
    from marketsim.studies.assess import assess

    found = assess(write(tmp_path, raw_scenario()), sobol=8, metric="customers", workers=1, out=tmp_path / "runs")
    assert found.outcomes["sample"].nunique() == 8 * (3 + 2)  # three uncertain assumptions
    assert list(found.sensitivity.columns[:3]) == ["factor", "ST", "ST_conf"]
    assert found.sensitivity.ST.is_monotonic_decreasing
    write_report(found, "sobol", "day", tmp_path / "page")
    md = (tmp_path / "page" / "report.md").read_text()
    assert "Saltelli's design, --sobol" in md and "| assumption | total Sobol index |" in md
    runner = CliRunner()
    for args in (["--sobol", "6"], ["--sobol", "8", "--runs", "16"]):
        done = runner.invoke(app, ["assess", str(tmp_path / "s.toml"), *args, "--quiet", "--out", str(tmp_path / "x")])
        assert done.exit_code == 2 and "power of 2" in done.output and not (tmp_path / "x").exists()


def test_a_named_assumption_keeps_the_rank_its_stability_is_about():
    """If the top assumption is left out (its interval reaches zero), the next one is named with its own rank."""
    found = findings_for(crossing_at(8999), {})
    found.sensitivity = pd.DataFrame({"factor": ["wide", "clear"], "delta": [0.5, 0.3], "delta_conf": [0.6, 0.1],
                                      "S1": [0.3, 0.2], "S1_conf": [0.1, 0.1], "rank_stability": [0.6, 0.7]})
    text = conclusion(found)
    assert "matters most is clear (ranked second in 70% of resamples" in text and "wide" not in text


def test_sobol_indices_do_not_depend_on_numpys_global_state_at_seed_0():
    """SALib seeds its resampling only for a truthy seed: the default seed 0 must still reproduce."""
    from SALib.sample import sobol as sampler

    from marketsim.studies.discovery import sobol_sensitivity

    x = pd.DataFrame(sampler.sample({"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1]] * 2}, 64,
                                    calc_second_order=False, seed=1), columns=["a", "b"])
    y = x.a.to_numpy() + 0.1 * np.random.default_rng(0).normal(size=len(x))
    found = []
    for earlier in (1, 2):
        np.random.seed(earlier)
        found.append(sobol_sensitivity(x, y, 64, seed=0))
    pd.testing.assert_frame_equal(*found)


def test_a_saltelli_block_shares_its_seed(tmp_path):
    """A, each AB_j and B of one base sample run on the same random numbers: the total index then measures
    the assumption, not the simulator's noise between runs."""
    plan = plan_assessment(write(tmp_path, raw_scenario()), runs=2, sobol=4)
    block = 3 + 2  # three uncertain assumptions
    seeds = [r.seed for r in plan.experiment.runs()][:4 * block]  # the first strategy's futures
    assert all(len(set(seeds[i:i + block])) == 1 for i in range(0, len(seeds), block))
    assert len(set(seeds)) == 4


def test_rank_stability_is_each_assumptions_own_rank_whatever_the_column_order():
    """The columns in an order the ranking turns round in a cycle (weak, noise, strong ranked strong, weak,
    noise): the driving factor still ranks first and holds that rank in nearly every resample, and a factor of
    no influence does not inherit its stability."""
    rng = np.random.default_rng(6)
    x = pd.DataFrame(rng.random((64, 3)), columns=["weak", "noise", "strong"])
    y = 3 * x["strong"].to_numpy() + 1.5 * x["weak"].to_numpy() + rng.normal(0, 0.3, 64)
    s = sensitivity(x, y, seed=1).set_index("factor")
    assert list(s.index[:2]) == ["strong", "weak"] and s.loc["strong", "rank_stability"] >= 0.95
    assert s.loc["noise", "rank_stability"] < 0.95  # last by chance among the near-zero ones, not for sure


def test_a_sobol_design_ranks_by_the_total_index_which_counts_interactions():
    """y = a * b (centred): neither acts alone (first-order indices near 0) but both act together (total 0.5
    each), while c acts alone a little: ranked by the total index, a and b come first."""
    from SALib.sample import sobol as sampler

    from marketsim.studies.discovery import sobol_sensitivity

    x = pd.DataFrame(sampler.sample({"num_vars": 3, "names": list("abc"), "bounds": [[0, 1]] * 3}, 256,
                                    calc_second_order=False, seed=2), columns=list("abc"))
    y = ((x.a - 0.5) * (x.b - 0.5) * 12 + 0.3 * x.c).to_numpy()
    s = sobol_sensitivity(x, y, 256, seed=1)
    assert set(s.factor[:2]) == {"a", "b"} and s.factor.iloc[2] == "c"
    assert s.set_index("factor").loc["c", "S1"] > s.set_index("factor").loc["a", "S1"]  # S1 would rank c first


def test_a_box_of_failures_is_shown_only_when_it_is_denser_than_failing_already_is():
    """assess.md: density at least 50% AND 1.5 times the overall share of failures: when the plan fails in 70%
    of futures everywhere alike, no region concentrates them and no box is shown."""
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.random((400, 2)), columns=["a", "b"])
    assert find_boxes(x, rng.random(400) < 0.7) == []


def test_the_overlap_warning_compares_the_two_leading_plans():
    """The best plan's interval is compared with the runner-up's (the second best), not with the worst's."""
    two = crossing_at(8999)
    found = findings_for(pd.concat([two, two[two.strategy == "macro"].assign(strategy="mixed")], ignore_index=True),
                         {})
    found.best = pd.Series({"micro": 0.05, "macro": 0.45, "mixed": 0.50})
    found.best_interval = pd.DataFrame({"low": [0.01, 0.33, 0.38], "high": [0.15, 0.57, 0.62]},
                                       index=["micro", "macro", "mixed"])
    assert "The intervals of mixed and macro overlap" in conclusion(found)


def test_each_strategy_is_judged_on_its_own_brands_lift(tmp_path):
    """assess.md What it runs: a strategy of brand B, in a variant of its own, is judged by what B's campaigns added:
    its runs carry lift for B, not for the brand of the first strategy, and its incremental profit is B's."""
    raw = raw_scenario()
    raw["brands"].append({**raw["brands"][0], "name": "B"})
    raw["campaigns"].append({**raw["campaigns"][0], "name": "b_ads", "brand": "B", "budget": 2000})
    raw["strategies"] = [{"name": "A_louder", "brand": "A", "set": {"campaigns.ads.impressions": 3000}},
                         {"name": "B_louder", "brand": "B", "set": {"campaigns.b_ads.impressions": 3000}}]
    plan = plan_assessment(write(tmp_path, raw), runs=3, seed=2)
    lifts = {plan.experiment.lift(r) for r in plan.experiment.runs() if "b_ads" in str(r.overrides)}
    assert lifts == {frozenset({"B"})}
    with ThreadPoolExecutor(1) as pool:
        report = run_sweep(plan.experiment, tmp_path / "runs", executor=pool)
    table = pd.read_parquet(report.out / "runs.parquet")
    out = outcomes(plan, table)
    b = out[out.strategy == "B_louder"]
    assert b.incremental_profit.notna().all()


def test_a_plan_pays_back_on_what_its_campaigns_added_not_on_its_installed_base(tmp_path):
    """assess.md: return_on_spend (and so P(pays back)) is the INCREMENTAL return on spend; a brand with customers
    before the run earns margin from them whatever it spends, which the gross return would credit to the plan."""
    raw = raw_scenario()
    raw["brands"][0]["initial"] = {"share": {"young": 0.4, "old": 0.4}}
    raw["brands"][0]["purchase_rate"] = 0.3
    plan = plan_assessment(write(tmp_path, raw), runs=3, seed=2)
    with ThreadPoolExecutor(1) as pool:
        report = run_sweep(plan.experiment, tmp_path / "runs", executor=pool)
    table = pd.read_parquet(report.out / "runs.parquet")
    out = outcomes(plan, table)  # the strategies' rows in the order of their runs, as the table's
    rows = table.sort_values("run").reset_index(drop=True)
    assert len(out) == len(rows) == 6
    assert out.return_on_spend.tolist() == pytest.approx(rows["A.incremental_return_on_spend"].tolist())
    assert (rows["A.return_on_spend"] > rows["A.incremental_return_on_spend"] + 1).all()  # the base's margin


def test_the_micro_plan_fails_wherever_any_other_plan_beats_it():
    """assess.md boxes: the micro plan fails in a future where it is beaten by ANOTHER strategy on the metric, a
    third plan (mixed) included, not only where the macro plan beats it."""
    from types import SimpleNamespace

    from marketsim.studies.assess import micro_fails

    plan = SimpleNamespace(strategies=[Strategy("micro", "A", "micro"), Strategy("macro", "A", "macro"),
                                       Strategy("mixed", "A", "mixed")])
    out = pd.DataFrame({"sample": np.tile(np.arange(3), 3), "strategy": ["micro"] * 3 + ["macro"] * 3 + ["mixed"] * 3,
                        "incremental_profit": [5, 5, 5, 1, 9, 1, 9, 1, 1]})
    assert micro_fails(plan, out, "incremental_profit").tolist() == [True, True, False]


def test_batches_combine_with_each_variants_futures_kept_together(tmp_path):
    """assess.md --runs auto: two batches of two futures, two variants (micro's changes, macro as written): as one
    assessment of four futures, variant v's futures are points 4v to 4v + 3, batch j's at 2j and 2j + 1 within
    them, so no run of one variant lands among another's."""
    from marketsim.studies.assess import combined

    path = write(tmp_path, raw_scenario())
    plans = [plan_assessment(path, runs=2, seed=j) for j in (1, 2)]
    assert plans[0].experiment.samples == 2 and len(plans[0].experiment.points) == 4  # 2 variants x 2 futures
    tables = [pd.DataFrame({"point": np.arange(4), "run": np.arange(4), "batch": j, "variant": [0, 0, 1, 1],
                            "future": [0, 1, 0, 1]}) for j in (0, 1)]
    plan, table = combined(plans, tables)
    assert plan.experiment.samples == 4 and len(plan.draws) == 4
    expected = table.variant * 4 + table.batch * 2 + table.future
    assert table.point.tolist() == expected.tolist() and table.point.is_unique
    assert (table.run == table.point).all()


def test_each_metric_reads_the_summary_field_assess_md_defines():
    """assess.md Metrics: cac is the BLENDED CAC (spend per first-time customer, word of mouth included),
    return_on_spend the incremental one, incremental_profit incremental margin less spend, profit all margin
    less spend, time_to_control the first segment controlled; each read from the strategy brand's columns
    (fifth mutant batch: the paid CAC read for cac)."""
    from types import SimpleNamespace

    from marketsim.studies.assess import outcomes

    fields = ["cac_blended", "cac_paid", "ltv_to_cac", "incremental_return_on_spend", "return_on_spend",
              "incremental_margin", "margin", "spend", "customer_equity", "incremental_customers", "reach",
              "customers", "time_to_control.young", "time_to_control.old"]
    table = pd.DataFrame({"run": [0, 1], "point": [0, 1], "status": ["done", "done"],
                          **{f"B.{f}": [10.0 * (k + 1), 10.0 * (k + 1) + 1] for k, f in enumerate(fields)},
                          **{f"A.{f}": [-1.0, -1.0] for f in fields}})
    plan = SimpleNamespace(experiment=SimpleNamespace(samples=2),
                           strategies=[SimpleNamespace(name="only", brand="B", variant="v")])
    got = outcomes(plan, table).iloc[0]
    value = {f: 10.0 * (k + 1) for k, f in enumerate(fields)}
    assert got.cac == value["cac_blended"]
    assert got.return_on_spend == value["incremental_return_on_spend"]
    assert got.incremental_profit == value["incremental_margin"] - value["spend"]
    assert got.profit == value["margin"] - value["spend"]
    assert got.time_to_control == min(value["time_to_control.young"], value["time_to_control.old"])
    for same in ("ltv_to_cac", "customer_equity", "incremental_customers", "reach", "customers", "spend"):
        assert got[same] == value[same], same
