"""Choosing a plan: the best values of a scenario's levers under its uncertain assumptions (``marketsim optimize``).

Optuna's TPE sampler proposes lever values in batches; each batch runs as an assessment
(marketsim/studies/assess.py): every proposal on the same sampled futures with the same seeds
(common random numbers), through the sweep machinery (local processes or Dask, each batch in its
own resumable folder), and judged by the lift of its brand's campaigns. Two proposals therefore
differ by plan, not by luck. The goal is the expected metric, its 10th percentile (a cautious
plan) or the probability of paying back. What comes out: the chosen plan with its interval, the
frontier of expected value against risk, the regret of the runner-up, and the expected value of
perfect information on each assumption, which says what a pilot should measure first.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario.loading import read_toml, scenario_from_dict
from ..scenario.schema import LeverSpec, ScenarioError, StrategySpec
from .assess import Plan, outcomes, percentile, plan_assessment, probability_interval, readable
from .objectives import DEFAULT_METRIC, METRICS

GOALS = {"mean": "expected {what}", "p10": "10th percentile of {what}", "p_payback": "probability of paying back"}
BATCH = 4  # proposals run together: enough to keep two workers busy, few enough for the sampler to learn
MAX_BINS = 8  # of an assumption's range, for its value of information; about 8 futures or more in each
PERMUTATIONS = 200  # shuffles of the futures whose value of information is chance alone


@dataclass
class Trial:
    """A distinct plan tried (the sampler may propose one again: it then reuses these results)."""

    number: int  # in the order first proposed
    levers: dict[str, float]
    values: np.ndarray  # the metric in each sampled future, in the futures' order
    pays: np.ndarray  # whether the plan paid back its spend in each future
    spend: float = 0.0  # mean over the futures: what the plan spent (a brand's budget may cap what its levers ask)

    def score(self, goal: str) -> float:
        if goal == "p_payback":
            return float(self.pays.mean())
        return float(self.values.mean()) if goal == "mean" else percentile(self.values, 0.1)[0]


@dataclass
class Optimum:
    metric: str
    goal: str
    trials: list[Trial]
    draws: pd.DataFrame  # the sampled futures' assumptions, readable column names
    chosen: Trial
    interval: tuple[float, float]  # 95% interval of the chosen plan's score
    runner_up: Trial | None
    regret: tuple[float, float, float]  # the runner-up's expected shortfall on the metric, and its 95% interval
    frontier: list[Trial]  # no other plan has both a higher expected value and a higher 10th percentile
    value_of_information: pd.Series  # per assumption, in the metric's unit, largest first
    perfect_information: float  # of all assumptions at once


def score_interval(trial: Trial, goal: str) -> tuple[float, float]:
    """The Monte Carlo error of a score over the futures: Student's t for a mean, the order statistics
    for a percentile, Wilson's for a probability."""
    from scipy import stats

    if goal == "p_payback":
        found = probability_interval(pd.Series([trial.pays.mean()]), len(trial.pays)).iloc[0]
        return float(found.low), float(found.high)
    if goal == "p10":
        return percentile(trial.values, 0.1)[1:]
    mean, error = trial.values.mean(), stats.sem(trial.values)
    half = stats.t.ppf(0.975, len(trial.values) - 1) * error
    return float(mean - half), float(mean + half)


def paired_difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean of a - b over the same futures (common random numbers) and its 95% t-interval."""
    from scipy import stats

    d = a - b
    half = stats.t.ppf(0.975, len(d) - 1) * stats.sem(d) if np.ptp(d) > 0 else 0.0
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def _gain_by_bins(values: np.ndarray, order: np.ndarray, bins: int) -> float:
    """Knowing which of ``bins`` equal-count groups of futures (in ``order``) holds the truth, the best plan in
    each group earns its mean there: the average of that over groups, less the best plan's overall mean."""
    groups = np.array_split(order, bins)
    means = np.array([values[:, g].mean(axis=1) for g in groups])  # (bins, plans)
    if (means.argmax(axis=1) == values.mean(axis=1).argmax()).all():
        return 0.0  # the same choice whatever the bin: exactly nothing to gain (not a rounding error)
    sizes = np.array([len(g) for g in groups])
    return float((sizes * means.max(axis=1)).sum() / values.shape[1] - values.mean(axis=1).max())


def value_of_information(values: np.ndarray, assumption: np.ndarray, seed: int = 0) -> float:
    """Expected value of perfect information on one assumption (EVPPI), by binning its range (``values`` is
    (plans, futures)). The maximum of noisy bin means overstates it, so the same statistic on bins that know
    nothing (the futures shuffled, PERMUTATIONS times) is subtracted; zero when the same plan is best in every
    bin, so an assumption the decision does not depend on is worth nothing to measure."""
    futures = values.shape[1]
    bins = int(np.clip(futures // 8, 2, MAX_BINS))
    found = _gain_by_bins(values, np.argsort(assumption, kind="stable"), bins)
    if found == 0.0:
        return 0.0
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xE7,)))
    chance = np.mean([_gain_by_bins(values, rng.permutation(futures), bins) for _ in range(PERMUTATIONS)])
    return max(0.0, found - float(chance))


def frontier(trials: list[Trial]) -> list[Trial]:
    """The plans no other plan beats on both expected value and 10th percentile, by expected value."""
    points = [(t.score("mean"), t.score("p10")) for t in trials]
    kept = [t for t, (m, p) in zip(trials, points)
            if not any(m2 >= m and p2 >= p and (m2, p2) != (m, p) for m2, p2 in points)]
    return sorted(kept, key=lambda t: -t.score("mean"))


def check_levers(levers: list[LeverSpec], path: Path, raw: dict, source: str) -> None:
    """Each lever's fields must make a valid scenario at both ends of its range; names must be unique."""
    names = [lever.name for lever in levers]
    if not levers:
        raise ScenarioError(source, [("levers", "nothing to optimise: give [[levers]] in the scenario "
                                                "(docs/assess.md) or --lever PATH=LOW:HIGH")])
    if len(set(names)) != len(names):
        raise ScenarioError(source, [("levers", "names must be unique")])
    for lever in levers:
        for end in (lever.low, lever.high):
            try:
                scenario_from_dict(copy.deepcopy(raw), source, path.parent, lever.fields(end))
            except ScenarioError as exc:
                raise ScenarioError(source, [(f"levers[{lever.name}] at {end:g}: {p}".strip(), m)
                                             for p, m in exc.problems]) from None


class NoCandidates(RuntimeError):
    """Every proposed plan had failed runs: nothing to choose from."""


def prepare(scenario: str | Path, metric: str, goal: str, levers: list[LeverSpec] | None,
            futures: int, seed: int = 0, posterior: str | Path | None = None) -> tuple[list[LeverSpec], str, Plan]:
    """Check everything before a run: the metric, the goal, the levers at both ends, the uncertain
    assumptions. Returns the levers (default: the scenario's), the brand whose results count and the
    assessment of the scenario as written (for the command's checks of memory and edge lists)."""
    if metric not in METRICS or METRICS[metric][1] != "higher":
        raise ValueError(f"metric '{metric}' cannot be maximised; one of "
                         f"{', '.join(m for m, (_, better) in METRICS.items() if better == 'higher')}")
    if goal not in GOALS:
        raise ValueError(f"goal '{goal}' is not one of {', '.join(GOALS)}")
    path = Path(scenario)
    _, raw = read_toml(path)
    base = scenario_from_dict(copy.deepcopy(raw), str(path), path.parent)
    levers = list(base.levers) if levers is None else levers
    check_levers(levers, path, raw, str(path))
    as_written = plan_assessment(path, futures, seed, [StrategySpec(name="check", brand=base.brands[0].name)],
                                 posterior=posterior)
    return levers, base.brands[0].name, as_written


def optimize(scenario: str | Path, out: str | Path, trials: int = 24, futures: int = 32,
             metric: str = DEFAULT_METRIC, goal: str = "mean", levers: list[LeverSpec] | None = None,
             seed: int = 0, workers: int | None = None, scheduler: str | None = None,
             posterior: str | Path | None = None, progress: Callable[[int, int], None] | None = None) -> Optimum:
    """Search the levers (default: the scenario's ``[[levers]]``) for the plan that maximises ``goal`` of
    ``metric`` for the scenario's first brand, over ``futures`` sampled futures (the fields a calibration's
    ``posterior`` holds drawn from it); batches run in ``out``."""
    import optuna

    from .results import layout_of, read_results
    from .sweep import run_sweep

    levers, brand, as_written = prepare(scenario, metric, goal, levers, futures, seed, posterior)
    path, out = Path(scenario), Path(out)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed % 2**32))
    known: dict[tuple, Trial | None] = {}  # lever values -> that plan's results (None: its runs failed)
    draws = as_written.draws  # the futures every plan runs in
    for first in range(0, trials, BATCH):
        asked = [study.ask() for _ in range(min(BATCH, trials - first))]
        chosen = [{lever.name: (t.suggest_int(lever.name, int(np.ceil(lever.low)), int(np.floor(lever.high)))
                                if lever.integer else t.suggest_float(lever.name, lever.low, lever.high))
                   for lever in levers} for t in asked]
        new = {tuple(v.items()): v for v in chosen if tuple(v.items()) not in known}  # a plan runs once
        if new:
            plans = [StrategySpec(name=f"plan-{len(known) + i}", brand=brand,
                                  set={k: x for lever in levers for k, x in lever.fields(values[lever.name]).items()})
                     for i, values in enumerate(new.values())]
            plan = plan_assessment(path, futures, seed, plans, posterior=posterior)
            folder = out / f"batch-{first // BATCH}"
            run_sweep(plan.experiment, folder, workers=workers, scheduler=scheduler)
            found = outcomes(plan, read_results(folder, layout_of(plan.experiment)).runs)
            for number, ((key, values), spec) in enumerate(zip(new.items(), plans), start=len(known)):
                rows = found[found.strategy == spec.name].sort_values("sample")
                failed = (rows.status != "done").any() or not np.isfinite(rows[metric]).all()
                known[key] = None if failed else Trial(number, values,
                                                       rows[metric].to_numpy(dtype=float),
                                                       rows.return_on_spend.to_numpy(dtype=float) > 0,
                                                       float(rows.spend.mean()))
        for t, values in zip(asked, chosen):
            result = known[tuple(values.items())]
            if result is None:  # a plan whose runs fail is not a candidate
                study.tell(t, state=optuna.trial.TrialState.FAIL)
            else:
                study.tell(t, result.score(goal))
        if progress is not None:
            progress(first + len(asked), trials)
    done = [t for t in known.values() if t is not None]
    if not done:
        raise NoCandidates(f"every proposed plan had failed runs: their errors are in runs.parquet in {out}/batch-*")
    return summarise(done, draws.rename(columns=readable), metric, goal)


def summarise(trials: list[Trial], draws: pd.DataFrame, metric: str, goal: str) -> Optimum:
    """The chosen plan, its interval and runner-up, the frontier and the value of information."""
    ranked = sorted(trials, key=lambda t: (-t.score(goal), -t.score("mean"), t.number))  # ties: the better mean
    best, runner_up = ranked[0], (ranked[1] if len(ranked) > 1 else None)
    regret = paired_difference(best.values, runner_up.values) if runner_up else (0.0, 0.0, 0.0)
    values = np.array([t.values for t in trials])
    information = pd.Series({name: value_of_information(values, draws[name].to_numpy()) for name in draws.columns})
    perfect = float(values.max(axis=0).mean() - values.mean(axis=1).max())
    return Optimum(metric, goal, trials, draws, best, score_interval(best, goal), runner_up, regret,
                   frontier(trials), information.sort_values(ascending=False, kind="stable"), perfect)


def optimum_json(o: Optimum) -> dict:
    """The findings as plain data, for optimization.json."""
    def plan(t: Trial) -> dict:
        return {"trial": t.number, "levers": t.levers, "spend": t.spend, "mean": t.score("mean"), "p10": t.score("p10"),
                "p_payback": t.score("p_payback"), "score": t.score(o.goal)}

    return {"metric": o.metric, "goal": o.goal, "futures": len(o.draws),
            "chosen": {**plan(o.chosen), "interval": list(o.interval)},
            "runner_up": plan(o.runner_up) if o.runner_up else None,
            "runner_up_regret": {"mean": o.regret[0], "interval": list(o.regret[1:])},
            "frontier": [plan(t) for t in o.frontier],
            "value_of_information": o.value_of_information.to_dict(),
            "value_of_perfect_information": o.perfect_information,
            "trials": [plan(t) for t in sorted(o.trials, key=lambda t: t.number)]}
