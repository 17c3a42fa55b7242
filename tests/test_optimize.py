"""Choosing a plan (marketsim optimize): the known best split is found, the runner-up's regret and the value of
information mean what they say, and bad input is refused before anything runs."""

import copy
import json

import numpy as np
import pandas as pd
import pytest
import tomli_w
from typer.testing import CliRunner

from marketsim.cli import app
from marketsim.scenario.schema import LeverSpec, ScenarioError
from marketsim.studies.optimize import (
    Trial,
    frontier,
    optimize,
    paired_difference,
    prepare,
    summarise,
    value_of_information,
)
from tests.helpers import BASE

HORIZON = 20
TOTAL = 600  # money to split between a cheap, well-aimed channel and one twenty times dearer


def split_scenario() -> dict:
    """Brand A splits TOTAL between ads on the app (young, well-fitting users, list CPM) and a sponsorship
    channel at twenty times the CPM: every unit moved to the app buys more customers, so the known best
    split is all of it on the app (share 4 of 4). The discount rate is doubtful but touches only LTV."""
    raw = copy.deepcopy(BASE)
    raw["population"]["size"] = 1000
    raw["time"]["horizon"] = HORIZON
    raw["channels"].append({"name": "dear", "cpm": 200.0})
    raw["response"]["ad_effect"] = {"dist": "loguniform", "low": 0.01, "high": 0.05}
    raw["valuation"] = {"discount_rate": {"dist": "uniform", "low": 0.0, "high": 0.3}}
    raw["brands"][0]["budget"] = TOTAL
    raw["campaigns"] = [
        {"name": "app_ads", "brand": "A", "channel": "app", "spend_rate": 0, "budget": TOTAL},
        {"name": "dear_ads", "brand": "A", "channel": "dear", "spend_rate": TOTAL / HORIZON, "budget": TOTAL}]
    rate = TOTAL / HORIZON / 4
    raw["levers"] = [{"name": "app_share", "low": 0, "high": 4, "integer": True,
                      "set": {"campaigns.app_ads.spend_rate": [0, rate],
                              "campaigns.dear_ads.spend_rate": [4 * rate, -rate]}}]
    return raw


def write(tmp_path, raw, name="split.toml"):
    path = tmp_path / name
    path.write_text(tomli_w.dumps(raw))
    return path


@pytest.mark.slow
def test_optimize_finds_the_known_best_split_with_no_regret_against_it(tmp_path):
    path = write(tmp_path, split_scenario())
    found = optimize(path, tmp_path / "runs", trials=8, futures=16, seed=3, workers=1)
    assert found.chosen.levers == {"app_share": 4}  # all of it on the well-aimed channel
    tried = {t.levers["app_share"]: t for t in found.trials}
    assert set(tried) == {0, 1, 2, 3, 4}  # an integer lever of five values: every split gets tried
    means = [tried[k].score("mean") for k in range(5)]
    assert means == sorted(means)  # each unit moved to the app adds profit: the best split is known
    runner_up = max((t for t in found.trials if t.levers["app_share"] != 4), key=lambda t: t.score("mean"))
    assert found.runner_up.levers == runner_up.levers and found.regret[1] > 0  # a clear, positive regret
    assert paired_difference(found.chosen.values, found.chosen.values) == (0.0, 0.0, 0.0)  # no regret against itself
    # one plan is best in every future: knowing either assumption would not change the choice
    assert found.value_of_information.to_dict() == {"response ad effect": 0, "valuation discount rate": 0}
    again = optimize(path, tmp_path / "runs", trials=8, futures=16, seed=3, workers=1)  # resumes: same answer
    assert [t.levers for t in again.trials] == [t.levers for t in found.trials]
    assert np.array_equal(again.chosen.values, found.chosen.values)


def trial(number, values, pays=None):
    values = np.asarray(values, dtype=float)
    return Trial(number, {"x": number}, values, values > 0 if pays is None else np.asarray(pays))


def test_the_value_of_information_is_zero_for_an_assumption_the_decision_does_not_depend_on():
    """Plan A earns theta, plan B a sure 0.3: knowing theta (uniform) is worth E[max(theta, 0.3)] - 0.5 = 0.045;
    knowing an unrelated assumption is worth nothing, since A stays best whatever its value."""
    rng = np.random.default_rng(0)
    theta, unrelated = (rng.permutation(np.arange(400) + 0.5) / 400 for _ in range(2))
    values = np.vstack([theta, np.full(400, 0.3)])
    assert value_of_information(values, unrelated) == 0
    assert value_of_information(values, theta) == pytest.approx(0.045, abs=0.004)  # 8 bins of 50 futures


def test_the_runner_up_regret_is_the_paired_mean_shortfall_over_the_same_futures():
    a, b = trial(0, [3.0, 5.0, 7.0, 9.0]), trial(1, [2.0, 5.0, 6.0, 8.0])
    found = summarise([b, a], pd.DataFrame({"theta": [0.1, 0.2, 0.3, 0.4]}), "profit", "mean")
    assert found.chosen is a and found.runner_up is b
    assert found.regret[0] == pytest.approx(0.75) and found.regret[1] < 0.75 < found.regret[2]
    assert found.interval[0] < 6.0 < found.interval[1]  # the chosen plan's mean, 6, inside its interval


def test_the_goal_picks_a_cautious_plan_over_a_risky_one():
    """The same two plans: the risky one has the higher mean, the cautious one the higher 10th percentile
    and pays back more often; each goal chooses accordingly, and both sit on the frontier."""
    risky = trial(0, [-5.0] * 3 + [20.0] * 7)
    cautious = trial(1, [4.0] * 10)
    draws = pd.DataFrame({"theta": np.linspace(0, 1, 10)})
    assert summarise([risky, cautious], draws, "profit", "mean").chosen is risky
    assert summarise([risky, cautious], draws, "profit", "p10").chosen is cautious
    assert summarise([risky, cautious], draws, "profit", "p_payback").chosen is cautious
    dominated = trial(2, [3.0] * 10)
    assert frontier([risky, cautious, dominated]) == [risky, cautious]


def test_bad_levers_and_goals_are_refused_before_anything_runs(tmp_path):
    raw = split_scenario()
    raw["levers"][0]["set"] = {"campaigns.nowhere.budget": [0, 1]}
    with pytest.raises(ScenarioError, match=r"levers\[app_share\] at 0"):
        prepare(write(tmp_path, raw), "incremental_profit", "mean", None, 4)
    raw = split_scenario()
    raw["levers"][0]["low"] = 5
    with pytest.raises(ScenarioError, match="must be below high"):
        prepare(write(tmp_path, raw), "incremental_profit", "mean", None, 4)
    good = write(tmp_path, split_scenario())
    with pytest.raises(ValueError, match="cannot be maximised"):
        prepare(good, "cac", "mean", None, 4)
    with pytest.raises(ValueError, match="goal 'best' is not one of"):
        prepare(good, "profit", "best", None, 4)
    with pytest.raises(ScenarioError, match="nothing to optimise"):
        prepare(good, "profit", "mean", [], 4)
    runner = CliRunner()
    for args, words in ((["--lever", "campaigns.app_ads.budget=9:1"], "LOW below HIGH"),
                        (["--lever", "campaigns.app_ads.budget"], "PATH=LOW:HIGH"),
                        (["--goal", "best"], "goal 'best'"),
                        (["--metric", "time_to_control"], "cannot be maximised")):
        done = runner.invoke(app, ["optimize", str(good), "--out", str(tmp_path / "out"), "--quiet", *args])
        assert done.exit_code == 2 and words in done.output, done.output
        assert not (tmp_path / "out").exists()  # nothing written


def test_a_lever_sets_each_of_its_fields_along_a_line():
    lever = LeverSpec(name="split", low=0, high=1, set={"a.budget": [100.0, -100.0], "b.budget": [0.0, 100.0]})
    assert lever.fields(0.25) == {"a.budget": 75, "b.budget": 25}  # whole numbers stay whole
    assert lever.fields(0.3) == {"a.budget": 70.0, "b.budget": pytest.approx(30.0)}


@pytest.mark.slow
def test_cli_optimize_writes_the_choice_and_its_frontier(tmp_path):
    path = write(tmp_path, split_scenario())
    args = ["optimize", str(path), "--trials", "4", "--futures", "4", "--workers", "1", "--quiet",
            "--out", str(tmp_path / "out"), "--metric", "profit"]
    done = CliRunner().invoke(app, args, terminal_width=200)
    assert done.exit_code == 0, done.output
    result = json.loads((tmp_path / "out" / "optimization-profit-mean.json").read_text())
    plans = len(result["trials"])  # distinct ones: the sampler may propose an integer lever's value again
    assert result["futures"] == 4 and 2 <= plans <= 4
    assert result["chosen"]["score"] == max(t["score"] for t in result["trials"])
    assert (tmp_path / "out" / "frontier-profit-mean.png").stat().st_size > 10_000
    said = " ".join(done.output.split())
    share = result["chosen"]["levers"]["app_share"]
    assert f"Best of {plans} plans over 4 sampled futures: app_share = {share}" in said


def test_chance_alone_is_taken_out_of_the_value_of_information():
    """Two plans 0.1 apart with noise of 0.5 per future, 32 futures, an assumption that plays no part: the
    maximum of noisy bin means alone made it worth about as much as the plans' whole gap (0.10 on average);
    with the same statistic on shuffled futures subtracted it is worth about nothing."""
    rng = np.random.default_rng(1)
    found = [value_of_information(np.vstack([rng.normal(0.1, 0.5, 32), rng.normal(0.0, 0.5, 32)]), rng.random(32),
                                  seed=t) for t in range(200)]
    assert np.mean(found) < 0.03


def test_a_tie_on_the_goal_goes_to_the_better_mean_and_a_negative_regret_is_worded_as_such():
    from marketsim.output.optimize_report import summary_lines

    first, richer = trial(0, [1.0, 2.0, 3.0, 4.0]), trial(1, [5.0, 6.0, 7.0, 8.0])  # both always pay back
    found = summarise([first, richer], pd.DataFrame({"theta": [0.1, 0.2, 0.3, 0.4]}), "profit", "p_payback")
    assert found.chosen is richer  # not the first one tried
    cautious, risky = trial(0, [4.0] * 10), trial(1, [-5.0] * 3 + [20.0] * 7)
    found = summarise([cautious, risky], pd.DataFrame({"theta": np.linspace(0, 1, 10)}), "profit", "p10")
    assert found.chosen is cautious and found.regret[0] < 0
    said = " ".join(summary_lines(found))
    assert "would earn 8.5 more gross profit on average" in said and "but its 10th percentile of" in said


def test_the_chosen_plans_interval_is_the_monte_carlo_error_of_its_score():
    """assess.md: Student's t for a mean (its standard error, not the futures' spread), the order statistics
    for P10, Wilson's for a probability; a mean's interval narrows as the futures grow."""
    from scipy import stats

    from marketsim.studies.optimize import score_interval

    values = np.random.default_rng(4).normal(100.0, 20.0, 64)
    plan = trial(0, values)
    expected = stats.t.interval(0.95, 63, loc=values.mean(), scale=stats.sem(values))
    assert score_interval(plan, "mean") == pytest.approx(expected, rel=1e-12)
    four_times = trial(1, np.tile(values, 4))
    low, high = score_interval(four_times, "mean")
    assert (high - low) < 0.55 * (expected[1] - expected[0])  # four times the futures: about half as wide
    assert score_interval(plan, "p_payback") == pytest.approx((0.943, 1.0), abs=0.001)  # 64 of 64 pay back


def test_a_gap_whose_interval_reaches_zero_is_not_called_clear():
    """assess.md: the runner-up's regret interval reaching 0 means the futures cannot tell the two apart, even
    when the mean regret is positive."""
    from marketsim.output.optimize_report import summary_lines

    rng = np.random.default_rng(8)
    noise, gap = rng.normal(0, 10, 16), rng.normal(0, 1, 16)
    gap = 0.5 + 3 * (gap - gap.mean()) / gap.std(ddof=1)  # ahead by 0.5 on average, give or take 3 per future
    best, close = trial(0, 100 + noise + gap), trial(1, 100 + noise)
    found = summarise([best, close], pd.DataFrame({"theta": np.linspace(0, 1, 16)}), "profit", "mean")
    assert found.chosen is best and found.regret[0] > 0 > found.regret[1]
    assert "cannot tell the two apart" in " ".join(summary_lines(found))


def test_perfect_information_is_the_best_plan_in_each_future_less_the_best_expected_value():
    """assess.md: the value of perfect information on everything is the mean over futures of the best plan in
    that future, less the best expected value (fifth mutant batch: each plan's best future instead)."""
    values = [[4.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]]  # plans x futures
    draws = pd.DataFrame({"a": [0.1, 0.2, 0.3, 0.4]})
    found = summarise([trial(k, v) for k, v in enumerate(values)], draws, "profit", "mean")
    best_each_future = np.mean([4.0, 1.0, 1.0, 1.0])  # 1.75 (each plan's best future would give 2)
    assert found.perfect_information == pytest.approx(best_each_future - 1.0)  # the best mean is 1.0
