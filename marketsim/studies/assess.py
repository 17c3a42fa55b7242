"""Assessing plans under uncertainty: every strategy on the same sampled futures.

The uncertain assumptions of a scenario (marketsim/scenario/uncertainty.py) are drawn by Latin hypercube
(in batches until the decision is settled, with --runs auto; or as Saltelli's design, with --sobol); each
strategy (a named variant of the scenario and the brand whose results count) runs on every draw with the
same seed (common random numbers), and again without its brand's campaigns (lift), so differences between
strategies are differences of plan, not of luck, and each is judged by what its campaigns added. The runs
go through the sweep machinery (marketsim/studies/sweep.py): local processes or a Dask cluster, resumable,
with progress. docs/assess.md explains the outputs.
"""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario.errors import validation_problems
from ..scenario.loading import read_toml, scenario_from_dict
from ..scenario.schema import Scenario, ScenarioError, StrategySpec
from ..scenario.uncertainty import Uncertain, find_uncertain, latin_hypercube, saltelli
from .experiment import Experiment, ExperimentSpec, Factor, Run, check_points, input_files
from .objectives import DEFAULT_METRIC, METRICS
from .pilot import read_posterior

VARIANT = "strategy_variant"
# a sampled future counts only if every strategy's run in it finished (a failed run is not a loss);
# with fewer than this share of the futures left, or fewer than MIN_FUTURES, nothing is concluded
MIN_FUTURES_SHARE = 0.5
MIN_FUTURES = 2


class TooFewFutures(ValueError):
    """So many runs failed that the futures left cannot support a conclusion."""


@dataclass(frozen=True)
class Strategy:
    name: str
    brand: str
    variant: str  # the scenario variant it runs in (strategies with the same changes share runs)


@dataclass
class Assessment(Experiment):
    """An experiment whose points are (variant, sample) and whose seeds depend on the sample only. Each run
    is also simulated without the campaigns of the brands judged in its variant (lift, on the same random
    numbers), so every plan is measured by what its campaigns added, not by what its brand would earn anyway."""

    samples: int = 0
    judged: dict[str, frozenset[str]] = field(default_factory=dict)  # variant -> brands of its strategies
    first_sample: int = 0  # of a later batch of futures (--runs auto): its seeds follow the earlier batches'
    # futures per seed: 1, or a Saltelli block (A, each AB_j, B share one seed, so that the indices compare
    # assumptions on the same random numbers instead of counting the simulator's own noise as influence)
    per_seed: int = 1

    def lift(self, run: Run) -> frozenset[str]:
        return self.judged[run.factors[VARIANT]]

    def runs(self) -> list[Run]:
        out = []
        for p, point in enumerate(self.points):
            sample = (self.first_sample + p % self.samples) // self.per_seed
            seed = int(np.random.SeedSequence(self.spec.seed, spawn_key=(sample,)).generate_state(1, np.uint64)[0])
            out.append(Run(p, p, 0, seed, point, self.overrides(point)))
        return out


@dataclass
class Plan:
    """What to run: the experiment, the strategies, the uncertain fields and their draws."""

    experiment: Assessment
    strategies: list[Strategy]
    uncertain: list[Uncertain]
    draws: pd.DataFrame
    scenario: Scenario
    sobol_base: int | None = None  # the futures are Saltelli's design of this many base samples (--sobol)


def _strategy_problems(raw: list, exc) -> list[tuple[str, str]]:
    return [(f"strategies{p}", m) for p, m in validation_problems(raw, exc)]


def load_strategies(path: Path) -> list[StrategySpec]:
    """A strategies file: one or more ``[[strategies]]`` tables (name, brand, set)."""
    from pydantic import TypeAdapter, ValidationError

    _, raw = read_toml(path)
    if set(raw) != {"strategies"} or not isinstance(raw["strategies"], list) or not raw["strategies"]:
        raise ScenarioError(str(path), [("", "a strategies file holds only [[strategies]] tables "
                                             "(name, brand, set)")])
    try:
        return TypeAdapter(list[StrategySpec]).validate_python(raw["strategies"])
    except ValidationError as exc:
        raise ScenarioError(str(path), _strategy_problems(raw["strategies"], exc)) from None


def plan_assessment(scenario_path: str | Path, runs: int, seed: int = 0,
                    strategies: list[StrategySpec] | None = None, strategies_source: str | None = None,
                    batch: int = 0, sobol: int | None = None, posterior: str | Path | None = None) -> Plan:
    """Check everything and lay out the runs: strategies x Latin-hypercube draws of the uncertain fields.
    Errors in ``strategies`` name ``strategies_source``, the file they came from (default: the scenario).
    ``batch`` j > 0 lays out the j-th further batch of ``runs`` futures (--runs auto): a Latin hypercube of
    its own, and the seeds of samples j x runs onwards; batch 0 is the plain assessment of ``runs``.
    ``sobol`` N replaces the Latin hypercube by Saltelli's design of N base samples: N x (fields + 2) futures,
    for first-order and total Sobol indices with bootstrap errors. ``posterior`` (a calibration's
    posterior.csv) gives the fields it holds jointly: each future takes one of its rows, drawn at random."""
    path = Path(scenario_path)
    source = str(path)
    where = strategies_source or source
    text, raw = read_toml(path)
    base = scenario_from_dict(copy.deepcopy(raw), source, path.parent)
    uncertain = find_uncertain(copy.deepcopy(raw), source)
    if not uncertain:
        raise ScenarioError(source, [("", "no uncertain assumptions to sample: give at least one number as a "
                                          "distribution, e.g. strength = { dist = \"uniform\", low = 0.002, "
                                          "high = 0.01 } (docs/scenarios.md)")])
    specs = strategies or list(base.strategies) or [StrategySpec(name=b.name, brand=b.name) for b in base.brands]
    brands = [b.name for b in base.brands]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ScenarioError(where, [("strategies", "names must be unique")])
    variants: dict[str, dict] = {}
    chosen: list[Strategy] = []
    for s in specs:
        brand = s.brand or brands[0]
        if brand not in brands:
            raise ScenarioError(where, [(f"strategies[{s.name}].brand", f"'{brand}' is not a brand; allowed: "
                                                                         f"{', '.join(brands)}")])
        key = next((v for v, sets in variants.items() if sets == s.set), s.name)
        variants.setdefault(key, dict(s.set))
        chosen.append(Strategy(s.name, brand, key))
        try:
            scenario_from_dict(copy.deepcopy(raw), source, path.parent, dict(s.set))
        except ScenarioError as exc:
            raise ScenarioError(where, [(f"strategies[{s.name}].set {p}".strip(), m) for p, m in exc.problems]) \
                from None

    if sobol is not None:
        draws = saltelli(uncertain, sobol, seed)
        runs = len(draws)
    else:
        draws = latin_hypercube(uncertain, runs, seed if batch == 0 else int(
            np.random.SeedSequence(seed, spawn_key=(2**32, batch)).generate_state(1, np.uint32)[0]))
    if posterior is not None and sobol is not None:
        raise ScenarioError(str(posterior), [("", "a posterior's joint draws would break Saltelli's design: use it "
                                                  "with --runs, not --sobol")])
    if posterior is not None:
        draws = from_posterior(draws, read_posterior(posterior, [u.path for u in uncertain]), uncertain,
                               np.random.SeedSequence(seed, spawn_key=(2**32 + 1, batch)))
    # the strategy's changes come last: a plan that sets a field also given as a distribution (a budget) wins
    factors = [*[Factor(path=u.path, levels=list(dict.fromkeys(draws[u.path].tolist()))) for u in uncertain],
               Factor(name=VARIANT, variants=variants)]
    spec = ExperimentSpec(name="assess", scenario=source, seed=seed, replications=1, factors=factors,
                          metrics=["customer"])
    points = [{VARIANT: v, **draw} for v in variants for draw in draws.to_dict("records")]  # native ints stay ints
    record = json.dumps({"scenario": text, "runs": runs, "seed": seed, "lift": "judged brands",
                         **({"posterior": draws.to_json()} if posterior is not None else {}),
                         **({"batch": batch} if batch else {}), **({"sobol": sobol} if sobol else {}),
                         "strategies": [s.model_dump() for s in specs]}, indent=1, sort_keys=True)
    experiment = Assessment(spec=spec, source=path, text=record, base=raw, inputs=input_files(spec, path, raw),
                            base_dir=path.parent, points=points, samples=runs, first_sample=batch * runs,
                            per_seed=len(uncertain) + 2 if sobol is not None else 1,
                            judged={v: frozenset(s.brand for s in chosen if s.variant == v) for v in variants})
    check_points(experiment, source)  # each strategy with each draw, such as a small population with a big event
    return Plan(experiment, chosen, uncertain, draws, base, sobol)


def from_posterior(draws: pd.DataFrame, posterior: pd.DataFrame, uncertain: list[Uncertain],
                   seed: np.random.SeedSequence) -> pd.DataFrame:
    """The draws with the posterior's fields replaced, each future by one whole row of the posterior (so the
    fields keep the correlation the pilot gave them), rows drawn at random (with replacement only when the
    futures outnumber them)."""
    rng = np.random.default_rng(seed)
    rows = posterior.iloc[rng.choice(len(posterior), size=len(draws), replace=len(posterior) < len(draws))]
    whole = {u.path for u in uncertain if u.integer}
    out = draws.copy()
    for column in posterior.columns:
        values = rows[column].to_numpy()
        out[column] = np.round(values).astype(np.int64) if column in whole else values
    return out


def _column(table: pd.DataFrame, brand: str, *names: str) -> pd.Series:
    """The first of ``<brand>.<name>`` columns that exists and holds a number, else NaN."""
    for name in names:
        col = f"{brand}.{name}"
        if col in table and table[col].notna().any():
            return pd.to_numeric(table[col], errors="coerce")
    return pd.Series(np.nan, index=table.index)


def outcomes(plan: Plan, table: pd.DataFrame) -> pd.DataFrame:
    """One row per (sample, strategy): the strategy brand's metrics in that sampled future."""
    table = table.sort_values("run").reset_index(drop=True)
    samples = plan.experiment.samples
    variants = list(dict.fromkeys(s.variant for s in plan.strategies))
    frames = []
    for s in plan.strategies:
        v = variants.index(s.variant)
        rows = table[(table.point >= v * samples) & (table.point < (v + 1) * samples)].reset_index(drop=True)
        control = rows.filter(like=f"{s.brand}.time_to_control.").apply(pd.to_numeric, errors="coerce")
        spend = _column(rows, s.brand, "spend")
        frames.append(pd.DataFrame({
            "sample": rows.point - v * samples,
            "strategy": s.name,
            "status": rows.status,
            "cac": _column(rows, s.brand, "cac_blended", "cac"),
            "ltv_to_cac": _column(rows, s.brand, "ltv_to_cac"),
            "return_on_spend": _column(rows, s.brand, "incremental_return_on_spend", "return_on_spend"),
            "incremental_profit": _column(rows, s.brand, "incremental_margin") - spend,
            "profit": _column(rows, s.brand, "margin") - spend,
            "customer_equity": _column(rows, s.brand, "customer_equity"),
            "incremental_customers": _column(rows, s.brand, "incremental_customers"),
            "reach": _column(rows, s.brand, "reach"),
            "customers": _column(rows, s.brand, "customers"),
            "time_to_control": control.min(axis=1) if control.shape[1] else np.nan,
            "spend": spend,
        }))
    return pd.concat(frames, ignore_index=True)


PERCENTILES = {"P10": 0.1, "P50": 0.5, "P90": 0.9}


def percentile(values: np.ndarray, p: float) -> tuple[float, float, float]:
    """The ``p`` percentile of ``values`` (the inverted CDF: the smallest value with a share ``p`` at or
    below it) and its 95% interval from the order statistics (scipy's quantile test), which assumes
    nothing about the distribution; an end is NaN where the values are too few to bound it."""
    from scipy.stats import quantile_test

    interval = quantile_test(values, q=0.0, p=p).confidence_interval(0.95)  # the interval does not use q
    return float(np.quantile(values, p, method="inverted_cdf")), float(interval.low), float(interval.high)


def quantiles(out: pd.DataFrame) -> pd.DataFrame:
    """P10, P50, P90 of each metric per strategy, each with its 95% interval (``P50_low``, ``P50_high``);
    time to control counts 'never' as later than any time."""
    rows = []
    for name, group in out.groupby("strategy", sort=False):
        for metric in METRICS:
            values = group[metric]
            if metric == "time_to_control":
                values = values.fillna(np.inf)
            values = values.dropna().to_numpy()
            row = {"strategy": name, "metric": metric}
            for label, p in PERCENTILES.items():
                found = percentile(values, p) if len(values) else (np.nan,) * 3
                row |= dict(zip((label, f"{label}_low", f"{label}_high"), found))
            rows.append(row)
    return pd.DataFrame(rows)


def wide(out: pd.DataFrame, metric: str) -> pd.DataFrame:
    """(sample x strategy) values of one metric, oriented so that higher is better; NaN is worst."""
    table = out.pivot(index="sample", columns="strategy", values=metric)[out.strategy.unique()]
    if METRICS[metric][1] == "lower":
        table = -table
    return table.fillna(-np.inf)


def probability_best(out: pd.DataFrame, metric: str) -> pd.Series:
    """Share of sampled futures in which each strategy is best on ``metric`` (ties shared)."""
    table = wide(out, metric)
    best = table.eq(table.max(axis=1), axis=0)
    return best.div(best.sum(axis=1), axis=0).mean()


def probability_payback(out: pd.DataFrame) -> pd.Series:
    """Share of sampled futures in which the strategy's margin covers its spend (return on spend > 0)."""
    return out.groupby("strategy", sort=False)["return_on_spend"].apply(lambda r: float((r > 0).mean()))


def probability_interval(shares: pd.Series, futures: int) -> pd.DataFrame:
    """95% Wilson score interval of each share of ``futures`` sampled futures (the Monte Carlo error of a
    probability: 64 of 64 still means only "at least 94%"). Wilson keeps its coverage near 95% at the
    counts an assessment has, and stays inside [0, 1]; a tie's shares count as fractions of a future."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(shares.to_numpy() * futures, futures, alpha=0.05, method="wilson")
    return pd.DataFrame({"low": low, "high": high}, index=shares.index)


def roles(strategies: list[Strategy]) -> tuple[str, str | None]:
    """The micro and macro strategies: those so named, else the first and second."""
    names = [s.name for s in strategies]
    micro = next((n for n in names if n.lower() == "micro"), names[0])
    others = [n for n in names if n != micro]
    macro = next((n for n in others if n.lower() == "macro"), others[0] if others else None)
    return micro, macro


def break_even_budgets(plan: Plan, out: pd.DataFrame, metric: str) -> dict[str, float]:
    """For each uncertain budget, where the micro-minus-macro advantage on ``metric`` crosses zero.

    A straight line fitted to the advantage against the budget; reported only when it crosses
    zero inside the sampled range.
    """
    micro, macro = roles(plan.strategies)
    if macro is None:
        return {}
    table = wide(out, metric).replace(-np.inf, np.nan)
    advantage = (table[micro] - table[macro]).to_numpy()
    found = {}
    for u in plan.uncertain:
        if not u.path.endswith("budget"):
            continue
        x = plan.draws[u.path].to_numpy()
        ok = np.isfinite(advantage)
        if ok.sum() < 3 or np.ptp(x[ok]) == 0:
            continue
        slope, intercept = np.polyfit(x[ok], advantage[ok], 1)
        if slope != 0 and x.min() <= -intercept / slope <= x.max():
            found[u.path] = float(-intercept / slope)
    return found


def micro_fails(plan: Plan, out: pd.DataFrame, metric: str) -> pd.Series:
    """Per sample: the micro plan is not the best on ``metric`` (alone: it does not pay back)."""
    micro, macro = roles(plan.strategies)
    if macro is None:
        group = out[out.strategy == micro].set_index("sample")
        return ~(group["return_on_spend"] > 0)
    table = wide(out, metric)
    return table[micro] < table.max(axis=1)


def readable(path: str) -> str:
    """A dotted field path as words: 'campaigns.spark_social.budget' -> 'spark social: budget'."""
    parts = path.split(".")
    if parts[0] in ("campaigns", "brands", "channels", "conditions", "strategies") and len(parts) > 2:
        return f"{parts[1].replace('_', ' ')}: {' '.join(parts[2:]).replace('_', ' ')}"
    if parts[:2] == ["population", "segments"] and len(parts) > 3:
        return f"{parts[2].replace('_', ' ')} {' '.join(parts[3:]).replace('_', ' ')}"
    return " ".join(parts).replace("_", " ")


@dataclass
class Findings:
    metric: str
    outcomes: pd.DataFrame
    quantiles: pd.DataFrame
    best: pd.Series
    payback: pd.Series
    best_interval: pd.DataFrame  # 95% interval of each P(best): columns low, high
    payback_interval: pd.DataFrame
    break_even: dict[str, float]
    micro: str
    macro: str | None
    fails: pd.Series
    boxes: list
    sensitivity: pd.DataFrame  # ranked by the total Sobol index ("ST") on a whole Saltelli design, else delta
    failed_runs: int
    draws: pd.DataFrame  # columns named readably


def analyse(plan: Plan, table: pd.DataFrame, metric: str) -> Findings:
    """Everything the report states, from the runs table of an assessment."""
    from .discovery import find_boxes, sensitivity, sobol_sensitivity

    out = outcomes(plan, table)
    finished = out.groupby("sample").status.apply(lambda s: bool((s == "done").all()))
    kept = finished.index[finished.to_numpy()]
    failed = int((table.status == "failed").sum())
    if len(kept) < max(MIN_FUTURES, MIN_FUTURES_SHARE * plan.experiment.samples):
        raise TooFewFutures(f"{failed} of {len(table)} runs failed, leaving {len(kept)} of {plan.experiment.samples} "
                            f"sampled futures with every strategy's result; an assessment needs at least half of "
                            f"them, and at least {MIN_FUTURES}")
    out = out[out["sample"].isin(kept)].reset_index(drop=True)
    plan = replace(plan, draws=plan.draws.loc[kept])
    micro, macro = roles(plan.strategies)
    fails = micro_fails(plan, out, metric)
    draws = plan.draws.rename(columns=readable)
    boxes = find_boxes(draws, fails.to_numpy())
    scored = wide(out, metric).replace(-np.inf, np.nan)
    target = (scored[micro] - scored[macro]) if macro else scored[micro]
    y, seed = target.to_numpy(dtype=float), plan.experiment.spec.seed
    whole_design = plan.sobol_base is not None and len(kept) == plan.experiment.samples and np.isfinite(y).all()
    sens = sobol_sensitivity(draws, y, plan.sobol_base, seed) if whole_design else sensitivity(draws, y, seed=seed)
    best, payback, futures = probability_best(out, metric), probability_payback(out), len(kept)
    return Findings(metric, out, quantiles(out), best, payback, probability_interval(best, futures),
                    probability_interval(payback, futures), break_even_budgets(plan, out, metric), micro, macro,
                    fails, boxes, sens, failed, draws)


def findings_json(f: Findings) -> dict:
    """The findings as plain data, for assessment-<metric>.json."""
    return {
        "metric": f.metric,
        "micro": f.micro,
        "macro": f.macro,
        "samples": int(f.outcomes["sample"].nunique()),
        "failed_runs": f.failed_runs,
        "quantiles": {s: {r["metric"]: {**{k: r[k] for k in PERCENTILES},
                                        **{f"{k}_interval": [r[f"{k}_low"], r[f"{k}_high"]] for k in PERCENTILES}}
                          for _, r in g.iterrows()}
                      for s, g in f.quantiles.groupby("strategy", sort=False)},
        "probability_best": f.best.to_dict(),
        "probability_best_interval": {k: [r.low, r.high] for k, r in f.best_interval.iterrows()},
        "probability_payback": f.payback.to_dict(),
        "probability_payback_interval": {k: [r.low, r.high] for k, r in f.payback_interval.iterrows()},
        "break_even_budget": f.break_even,
        "micro_fails_share": float(f.fails.mean()),
        "boxes": [{"limits": b.limits, "coverage": b.coverage, "density": b.density, "mass": b.mass}
                  for b in f.boxes],
        "sensitivity": f.sensitivity.to_dict(orient="records"),
    }


AUTO_BATCH = 32  # futures per batch of --runs auto
AUTO_CAP = 512  # ... and at most this many futures in all


def combined(plans: list[Plan], tables: list[pd.DataFrame]) -> tuple[Plan, pd.DataFrame]:
    """Batches of futures (--runs auto) as one assessment: samples numbered on, the draws stacked."""
    size = plans[0].experiment.samples
    total = size * len(plans)
    frames = []
    for j, table in enumerate(tables):
        frame = table.copy()
        frame["point"] = frame.point // size * total + j * size + frame.point % size
        frame["run"] = frame["point"]
        frames.append(frame)
    first = plans[0]
    return (replace(first, experiment=replace(first.experiment, samples=total),
                    draws=pd.concat([p.draws for p in plans], ignore_index=True)),
            pd.concat(frames, ignore_index=True))


def settled(f: Findings) -> bool:
    """Whether more futures could no longer change the decision: the best plan's P(best) interval is clear of
    the runner-up's (a plan alone: its P(pays back) interval is clear of one half)."""
    best = f.best.idxmax()
    if len(f.best) == 1:
        low, high = f.payback_interval.loc[best]
        return bool(low > 0.5 or high < 0.5)
    return bool(f.best_interval.loc[best, "low"] > f.best_interval.loc[f.best.drop(best).idxmax(), "high"])


def until_settled(plan_batch: Callable[[int], Plan], run_batch: Callable[[Plan, int], pd.DataFrame], metric: str,
                  cap: int = AUTO_CAP) -> Findings:
    """--runs auto: batches of AUTO_BATCH futures, each a Latin hypercube of its own, until the decision is
    settled or ``cap`` futures have run. ``run_batch(plan, j)`` runs batch j and returns its runs table."""
    plans, tables = [], []
    while True:
        plans.append(plan_batch(len(plans)))
        tables.append(run_batch(plans[-1], len(plans) - 1))
        findings = analyse(*combined(plans, tables), metric)
        if settled(findings) or (len(plans) + 1) * AUTO_BATCH > cap:
            return findings


def assess(scenario: str | Path, runs: int | str = 64, metric: str = DEFAULT_METRIC,
           strategies: str | Path | list[StrategySpec] | None = None, seed: int = 0, out: str | Path | None = None,
           workers: int | None = None, scheduler: str | None = None, cap: int = AUTO_CAP, sobol: int | None = None,
           posterior: str | Path | None = None, progress: Callable[[int, int], None] | None = None) -> Findings:
    """``marketsim assess`` from Python: plan, run (resuming in ``out`` when given, else in a temporary
    folder) and analyse; ``runs="auto"`` adds batches of futures until the decision is settled, within
    ``cap``; ``sobol`` N runs Saltelli's design of N base samples instead; ``posterior`` (a calibration's
    posterior.csv) supplies the fields it holds. ``strategies`` is a strategies file or a list of StrategySpec; the findings' fields are what
    the report states (``output.assess_report.conclusion`` words them)."""
    from .results import layout_of, read_results
    from .sweep import run_sweep

    if metric not in METRICS:
        raise ValueError(f"metric '{metric}' is not one of {', '.join(METRICS)}")
    if sobol is not None and (runs == "auto" or sobol < 2 or sobol & (sobol - 1)):
        raise ValueError("sobol takes a power of 2 and replaces runs; it cannot be combined with runs='auto'")
    source = None
    if isinstance(strategies, (str, Path)):
        source, strategies = str(strategies), load_strategies(Path(strategies))
    with tempfile.TemporaryDirectory() if out is None else nullcontext(out) as folder:
        def run_batch(plan: Plan, batch: int | None = None) -> pd.DataFrame:
            where = Path(folder) if batch is None else Path(folder) / f"batch-{batch}"
            run_sweep(plan.experiment, where, workers=workers, scheduler=scheduler, progress=progress)
            return read_results(where, layout_of(plan.experiment)).runs

        if runs == "auto":
            return until_settled(lambda j: plan_assessment(scenario, AUTO_BATCH, seed, strategies, source, j,
                                                           posterior=posterior), run_batch, metric, cap)
        plan = plan_assessment(scenario, int(runs), seed, strategies, source, sobol=sobol, posterior=posterior)
        return analyse(plan, run_batch(plan), metric)
