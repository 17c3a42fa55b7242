"""Fitting a scenario's uncertain fields to a pilot by simulation (docs/calibration.md).

Simulation-based weighted least squares on the mean curve over a few common seeds: every
candidate is simulated with the same seeds, so the objective is a deterministic function of the
parameters. It is still rough (agents are discrete), so a derivative-free Nelder-Mead search
(scipy) starts from the best point of a small Latin-hypercube screen. Parameters move in
probability space (each field's prior quantile in [0, 1]): the prior bounds the search and a
log-uniform prior becomes a log scale. Intervals come from the Jacobian at the optimum and an
explicit observation model: the spread of fresh runs there (the agents' own noise) plus independent
overdispersion fitted from what the residuals leave over (a misfit, reporting noise), with Student's t
quantile, mapped back through each prior's quantile function.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import minimize
from scipy.stats import qmc

from ..files import atomic_path, file_set, folder_lock, json_safe, write_text
from ..scenario.loading import read_toml, scenario_from_dict
from ..scenario.schema import ScenarioError
from ..scenario.uncertainty import Uncertain
from .memory import run_bytes, too_big
from .pilot import Pilot, read_pilot, simulated_counts
from .runner import run

EDGE = 1e-3  # search quantiles in [EDGE, 1 - EDGE]: the extreme tails of a prior are not candidates
NOISE_RUNS = 24  # fresh runs at the estimate that measure how much a pilot's counts vary by chance
SIMPLEX = 0.1  # first simplex edge in quantile space: a tenth of each prior
STEP = 0.05  # finite-difference step in quantile space: large enough to rise above the seeds' noise
POSTERIOR_DRAWS = 1000  # joint draws of the fitted fields written for assess and optimize (--posterior)


@dataclass
class Calibration:
    fields: list[Uncertain]
    estimate: np.ndarray  # natural units, one per field
    interval: np.ndarray  # (fields, 2): 95% interval, natural units
    observed: np.ndarray
    fitted: np.ndarray  # mean over seeds at the estimate
    fitted_low: np.ndarray  # 5th and 95th percentile of single runs at the estimate
    fitted_high: np.ndarray
    observation_noise: float  # lack of fit: variance per period (weighted) beyond the agents' own noise (>= 0)
    rmse: float  # root mean squared error of the mean curve, people per period
    evaluations: int  # simulated parameter sets (each over every seed)
    seconds: float
    seeds: list[int]
    posterior: pd.DataFrame  # joint draws of the fitted fields (one column per dotted path), natural units

    @property
    def r2(self) -> float:
        total = float(((self.observed - self.observed.mean()) ** 2).sum())
        return 1.0 - float(((self.observed - self.fitted) ** 2).sum()) / total if total > 0 else float("nan")


def _simulate(raw: dict, source: str, base_dir: Path, overrides: dict, seed: int, pilot: Pilot) -> np.ndarray:
    sc = scenario_from_dict(copy.deepcopy(raw), source, base_dir, overrides)
    return simulated_counts(run(sc, seed=seed).timeseries, pilot, sc.time.dt)


class Fitter:
    """The pilot, the fields to fit and the seeds: simulates a point in quantile space."""

    def __init__(self, path: Path, pilot_path: Path, seeds: int, seed: int):
        self.source = str(path)
        self.base_dir = path.parent
        _, self.raw = read_toml(path)
        self.scenario = scenario_from_dict(copy.deepcopy(self.raw), self.source, self.base_dir)
        self.fields: list[Uncertain] = self.scenario._uncertain
        if not self.fields:
            raise ScenarioError(self.source, [("", "nothing to calibrate: give the fields to fit as distributions "
                                                   "(their ranges bound the fit), see docs/scenarios.md")])
        self.pilot = read_pilot(pilot_path, self.scenario)
        self.observed = self.pilot.data.new_adopters.to_numpy(dtype=float)
        self.weight = 1.0 / np.sqrt(np.maximum(self.observed, 1.0))  # Poisson-like: big counts vary more
        self.horizon = float(self.pilot.data.time.max())  # simulate no further than the data
        children = np.random.SeedSequence(seed).spawn(seeds + NOISE_RUNS)
        spawned = [int(s.generate_state(1, np.uint64)[0]) for s in children]
        self.seeds, self.noise_seeds = spawned[:seeds], spawned[seeds:]
        self.evaluations = 0

    def largest_run_bytes(self) -> int:
        """The memory estimate of the biggest run the search can make: each fitted field at either
        end of its search range, the others at their medians, to the pilot's horizon."""
        return max(run_bytes(scenario_from_dict(copy.deepcopy(self.raw), self.source, self.base_dir,
                                                {**self.values(np.where(np.arange(len(self.fields)) == k, q, 0.5)),
                                                 "time.horizon": self.horizon}))
                   for k in range(len(self.fields)) for q in (EDGE, 1 - EDGE))

    def values(self, u: np.ndarray) -> dict[str, float | int]:
        return {f.path: f.at(x) for f, x in zip(self.fields, u)}

    def curves(self, u: np.ndarray, pool: Executor | None, seeds: list[int] | None = None) -> np.ndarray:
        """(seeds, periods) simulated new adopters at quantiles ``u`` (default: the common seeds)."""
        seeds = self.seeds if seeds is None else seeds
        self.evaluations += 1
        overrides = {**self.values(u), "time.horizon": self.horizon}
        args = (self.raw, self.source, self.base_dir, overrides)
        if pool is None:
            return np.array([_simulate(*args, s, self.pilot) for s in seeds])
        futures = [pool.submit(_simulate, *args, s, self.pilot) for s in seeds]
        return np.array([f.result() for f in futures])

    def residuals(self, u: np.ndarray, pool: Executor | None) -> np.ndarray:
        return (self.curves(u, pool).mean(axis=0) - self.observed) * self.weight


def _jacobian(fitter: Fitter, u: np.ndarray, pool) -> np.ndarray:
    """Central differences with a fixed step in quantile space, kept inside the search box."""
    cols = []
    for k in range(len(u)):
        up, down = u.copy(), u.copy()
        up[k] = min(u[k] + STEP, 1 - EDGE)
        down[k] = max(u[k] - STEP, EDGE)
        cols.append((fitter.residuals(up, pool) - fitter.residuals(down, pool)) / (up[k] - down[k]))
    return np.column_stack(cols)


def calibrate(path: str | Path, pilot_path: str | Path, seeds: int = 4, seed: int = 0, workers: int = 1,
              executor: Executor | None = None,
              progress: Callable[[str], None] | None = None) -> tuple[Fitter, Calibration]:
    """Fit the scenario's uncertain fields to the pilot; ``workers`` > 1 runs the seeds in parallel."""
    from .sweep import executor_for

    started = time.perf_counter()
    fitter = Fitter(Path(path), Path(pilot_path), seeds, seed)
    problem = too_big(fitter.largest_run_bytes(), workers)
    if problem:
        raise ScenarioError(fitter.source, [("", problem)])
    d = len(fitter.fields)
    note = progress or (lambda message: None)
    context = nullcontext(executor) if executor is not None or workers <= 1 else executor_for(workers, None)
    with context as pool:
        # a coarse Latin-hypercube screen, then Nelder-Mead from the best point found
        screen = np.vstack([np.full(d, 0.5), EDGE + (1 - 2 * EDGE) * qmc.LatinHypercube(
            d=d, rng=np.random.default_rng(seed)).random(4 * d + 4)])
        costs = []
        for i, u in enumerate(screen):
            costs.append(float((fitter.residuals(u, pool) ** 2).sum()))
            note(f"screening {i + 1}/{len(screen)}")
        start = screen[int(np.argmin(costs))]
        simplex = np.vstack([start, start + SIMPLEX * np.eye(d)])
        simplex = np.where(simplex > 1 - EDGE, simplex - 2 * SIMPLEX, simplex)  # step inwards at the upper edge

        def cost(u):
            value = float((fitter.residuals(u, pool) ** 2).sum())
            note(f"fitting: {fitter.evaluations} parameter sets simulated")
            return value

        fit = minimize(cost, start, method="Nelder-Mead", bounds=[(EDGE, 1 - EDGE)] * d,
                       options={"initial_simplex": simplex, "xatol": 2e-3, "fatol": 1e-2, "maxfev": 60 * d})
        u = np.clip(fit.x, EDGE, 1 - EDGE)
        jac = _jacobian(fitter, u, pool)
        # how much the data themselves vary, from fresh runs at the estimate: a sandwich covariance
        # that keeps the periods' correlation (an early surge feeds later word of mouth)
        spread = fitter.curves(u, pool, fitter.noise_seeds)
        noise = np.cov((spread * fitter.weight).T)
        lever = np.linalg.pinv(jac.T @ jac) @ jac.T
        inflation = 1 + 1 / len(fitter.seeds)  # the fitted curve is a K-seed mean
        extra = lack_of_fit(fitter.residuals(u, pool), inflation * noise, d)
        cov = lever @ (inflation * noise + extra * np.eye(len(noise))) @ lever.T
        dof = max(len(noise) - d, 1)  # the periods left to estimate the observation noise from
        half = stats.t.ppf(0.975, dof) * np.sqrt(np.clip(np.diag(cov), 0, None))
        curves = fitter.curves(u, pool)
    lo, hi = np.clip(u - half, 0, 1), np.clip(u + half, 0, 1)
    posterior = joint_draws(fitter.fields, u, cov, dof, seed)
    estimate = np.array([f.value(x) for f, x in zip(fitter.fields, u)], dtype=float)
    interval = np.array([[f.value(a), f.value(b)] for f, a, b in zip(fitter.fields, lo, hi)], dtype=float)
    fitted = curves.mean(axis=0)
    rmse = float(np.sqrt(((fitted - fitter.observed) ** 2).mean()))
    return fitter, Calibration(fitter.fields, estimate, interval, fitter.observed, fitted,
                               np.percentile(spread, 5, axis=0), np.percentile(spread, 95, axis=0), extra,
                               rmse,
                               fitter.evaluations, time.perf_counter() - started, fitter.seeds, posterior)


def lack_of_fit(residuals: np.ndarray, agents_noise: np.ndarray, fitted: int) -> float:
    """The variance per period of what the model does not explain (at least 0): the weighted residual sum of
    squares beyond what the agents' own noise (covariance ``agents_noise``) leaves after a fit of ``fitted``
    fields, spread over the degrees of freedom left. The observation model is the simulated counts plus
    independent overdispersion of that variance (a misfit, or reporting noise in the data), so where it
    dominates the intervals are least squares' own and their width is set by the data, not by how many
    people an agent stands for."""
    n = len(residuals)
    if n <= fitted:
        return 0.0
    expected = float(np.trace(agents_noise)) * (n - fitted) / n
    return max(0.0, (float((residuals ** 2).sum()) - expected) / (n - fitted))


def joint_draws(fields: list[Uncertain], u: np.ndarray, cov: np.ndarray, dof: int, seed: int) -> pd.DataFrame:
    """``POSTERIOR_DRAWS`` joint draws of the fitted fields: the estimate's multivariate Student t approximation in
    quantile space (the same covariance and degrees of freedom as the intervals, so its 95% central range per field
    is the interval, and a trade-off between two fields, such as ad effect against word of mouth, is kept),
    truncated to the prior's range (a draw outside it is drawn again, so the draws do not pile up at the range's
    ends), then mapped to natural units."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xCA1,)))

    def draw(n: int) -> np.ndarray:
        normal = rng.multivariate_normal(np.zeros(len(u)), cov, size=n, method="eigh", check_valid="ignore")
        return u + normal * np.sqrt(dof / rng.chisquare(dof, size=(n, 1)))

    q = draw(POSTERIOR_DRAWS)
    for _ in range(100):  # rejection: the truncated t, unless the prior cuts off nearly all of it
        outside = ((q < EDGE) | (q > 1 - EDGE)).any(axis=1)
        if not outside.any():
            break
        q[outside] = draw(int(outside.sum()))
    q = np.clip(q, EDGE, 1 - EDGE)
    return pd.DataFrame({f.path: f.value(q[:, k]).astype(np.int64 if f.integer else float)
                         for k, f in enumerate(fields)})


def calibrated_raw(fitter: Fitter, result: Calibration) -> dict:
    """The scenario as read, with each fitted distribution replaced by its estimate."""
    raw = copy.deepcopy(fitter.raw)
    for f, x in zip(result.fields, result.estimate):
        node = raw
        for k in f.keys[:-1]:
            node = node[k]
        node[f.keys[-1]] = int(x) if f.integer else float(x)
    net = raw.get("network")
    if isinstance(net, dict) and isinstance(net.get("path"), str):  # the new file may live elsewhere
        net["path"] = str((fitter.base_dir / net["path"]).resolve())
    return raw


def plot_fit(fitter: Fitter, result: Calibration, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = fitter.pilot.data
    series = fitter.pilot.series
    fig, axes = plt.subplots(len(series), 1, figsize=(8, 3.2 * len(series)), squeeze=False)
    unit = fitter.scenario.time.unit
    for ax, (brand, segment) in zip(axes[:, 0], series):
        rows = (data.brand == brand).to_numpy() & (data.segment == segment).to_numpy()
        t = data.time[rows]
        ax.fill_between(t, result.fitted_low[rows], result.fitted_high[rows], alpha=0.25,
                        label="fitted: 90% of single runs")
        ax.plot(t, result.fitted[rows], "-", label="fitted: mean over seeds")
        ax.plot(t, result.observed[rows], "o", color="black", label="observed")
        ax.set_title(f"{brand}, {'whole market' if segment == 'all' else segment}")
        ax.set_xlabel(f"end of period ({unit}s)")
        ax.set_ylabel("new adopters in the period (people)")
        ax.legend(fontsize=8)
    fig.suptitle(f"Calibration of {fitter.scenario.name}: RMSE {result.rmse:,.1f} people per period")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return path


CALIBRATION_FILES = ("calibrated.toml", "calibration.json", "fit.png", "posterior.csv")


def write_calibration(fitter: Fitter, result: Calibration, out_dir: str | Path) -> list[Path]:
    """calibrated.toml (checked to be a valid scenario first), calibration.json and fit.png."""
    import tomli_w

    out = Path(out_dir)
    raw = calibrated_raw(fitter, result)
    scenario_from_dict(copy.deepcopy(raw), str(out / "calibrated.toml"))  # never write an invalid scenario
    report = {
        "scenario": fitter.source,
        "method": "simulation-based weighted least squares on the mean curve over common seeds "
                  "(Latin-hypercube screen, then scipy Nelder-Mead in prior-quantile space)",
        "seeds": result.seeds,
        "evaluations": result.evaluations,
        "seconds": round(result.seconds, 2),
        "fit": {"rmse": result.rmse, "r2": result.r2, "periods": int(len(result.observed)),
                "observation_noise": result.observation_noise},
        "fields": {f.path: {"prior": f.dist.describe(), "estimate": float(x), "interval_95": [float(a), float(b)]}
                   for f, x, (a, b) in zip(result.fields, result.estimate, result.interval)},
        "posterior": {"file": "posterior.csv", "draws": len(result.posterior),
                      "correlation": result.posterior.corr().round(3).to_dict()},
    }
    with folder_lock(out), file_set(out, CALIBRATION_FILES) as staging:  # the three together, or the old ones
        write_text(staging / "calibrated.toml", tomli_w.dumps(raw))
        write_text(staging / "calibration.json", json.dumps(json_safe(report), indent=1) + "\n")
        plot_fit(fitter, result, staging / "fit.png")
        with atomic_path(staging / "posterior.csv") as tmp:
            result.posterior.to_csv(tmp, index=False)
    return [out / name for name in CALIBRATION_FILES]
