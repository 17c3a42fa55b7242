"""What must be true: where a plan fails (PRIM boxes) and which assumptions matter (sensitivity).

Both work on the Latin-hypercube sample that ``marketsim assess`` ran: PRIM from the EMA
Workbench finds boxes of assumptions in which failures concentrate; SALib's delta method
(Borgonovo's moment-independent index, with the first-order Sobol index) works on any given
sample, so no special design is needed.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

MIN_DENSITY = 0.9  # a box is worth showing when at least this share of the futures in it fail
WORTH_SHOWING = 0.5  # ... and never a box in which most futures do not fail
TRIVIAL = 0.05  # a limit that leaves out fewer futures than this is not worth stating
MIN_POINTS = 40  # below this, the delta method's bins hold too few points for an index worth showing
RESAMPLES = 200  # bootstrap resamples: for the bias reduction, the half-widths and the rank stability


@dataclass
class Box:
    limits: dict[str, tuple[float, float]]  # the restricted assumptions only
    coverage: float  # share of all failures that fall in the box
    density: float  # share of the futures in the box that fail
    mass: float  # share of all futures in the box


def find_boxes(x: pd.DataFrame, fails: np.ndarray, max_boxes: int = 3) -> list[Box]:
    """PRIM boxes where ``fails`` concentrates; none when everything or nothing fails."""
    fails = np.asarray(fails, dtype=bool)
    if fails.all() or not fails.any() or len(x) < 10:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("EMA").setLevel(logging.ERROR)
        from ema_workbench.analysis import prim

        finder = prim.Prim(x.reset_index(drop=True), fails, mass_min=0.05)
        boxes = []
        while len(boxes) < max_boxes:
            box = finder.find_box()
            if box is None:
                break
            trajectory = box.peeling_trajectory
            good = trajectory[trajectory.density >= min(MIN_DENSITY, trajectory.density.max())]
            chosen = int(good.coverage.idxmax())
            if trajectory.density[chosen] < max(WORTH_SHOWING, 1.5 * fails.mean()):
                break  # failures are spread out: no region concentrates them
            box.select(chosen)
            lims = box.box_lims[chosen]
            limits = {}
            for c in x.columns:  # keep the limits that matter: each must leave out some of the futures
                lo, hi = float(lims[c].iloc[0]), float(lims[c].iloc[1])
                if ((x[c] < lo) | (x[c] > hi)).mean() >= TRIVIAL:
                    limits[c] = (lo, hi)
            if not limits:
                break
            row = trajectory.iloc[chosen]
            boxes.append(Box(limits, float(row.coverage), float(row.density), float(row.mass)))
    return boxes


def _classes(n: int) -> np.ndarray:
    """Rank edges of the equal-frequency classes SALib's delta method conditions on (its partition of n points)."""
    exponent = 2.0 / (7.0 + np.tanh((1500.0 - n) / 500.0))
    return np.linspace(0, n, int(np.round(min(int(np.ceil(n ** exponent)), 48)) + 1))


def _delta_raw(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Borgonovo's delta of ``y`` for each column of ``x`` (SALib's estimator, on exactly these points)."""
    from SALib.analyze.delta import calc_delta

    grid = np.linspace(y.min(), y.max(), 100)
    classes = _classes(len(y))
    return np.array([calc_delta(y, grid, x[:, i], classes) for i in range(x.shape[1])])


def sensitivity(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Delta (moment-independent) and first-order Sobol indices of ``y`` for each column of ``x``, ranked.

    SALib's ``delta.analyze`` estimates delta on one bootstrap resample, so its ranking changed with
    the seed on the same runs. Here delta is SALib's estimator on all the points, bias-reduced as in
    Plischke et al. (2013, eq. 30) with ``RESAMPLES`` bootstrap resamples of the futures, which also
    give the 95% half-widths and each factor's rank stability: the share of resamples in which it
    holds the rank it has here."""
    from SALib.analyze.delta import sobol_first

    columns = ["factor", "delta", "delta_conf", "S1", "S1_conf", "rank_stability"]
    ok = np.isfinite(y)
    if ok.sum() < MIN_POINTS or np.ptp(y[ok]) == 0:
        return pd.DataFrame(columns=columns)
    values, target = x.to_numpy(dtype=float)[ok], y[ok]
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x5E45,)))
    resamples = rng.integers(0, len(target), size=(RESAMPLES, len(target)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant classes in a resample: SALib skips them, as it should
        point = _delta_raw(values, target)
        boot = np.array([_delta_raw(values[r], target[r]) for r in resamples])  # (resamples, factors)
        classes = _classes(len(target))
        first = np.array([sobol_first(target, values[:, i], classes) for i in range(values.shape[1])])
        first_boot = np.array([[sobol_first(target[r], values[r, i], classes) for i in range(values.shape[1])]
                               for r in resamples])
    z = norm.ppf(0.975)
    table = pd.DataFrame({"factor": list(x.columns), "delta": 2 * point - boot.mean(axis=0),
                          "delta_conf": z * boot.std(axis=0, ddof=1), "S1": first,
                          "S1_conf": z * first_boot.std(axis=0, ddof=1)})
    return _ranked(table, "delta", boot)


def _ranked(table: pd.DataFrame, index: str, boot: np.ndarray) -> pd.DataFrame:
    """``table`` ranked by ``index``, with each factor's rank stability: the share of the bootstrap
    replicates ``boot`` (resamples, factors) in which the factor holds the rank it has here."""
    order = table[index].sort_values(ascending=False, kind="stable").index.to_numpy()
    ranks = np.argsort(np.argsort(-boot, axis=1, kind="stable"), axis=1)  # each resample's rank of each factor
    table["rank_stability"] = (ranks == np.argsort(order)).mean(axis=0)
    return table.loc[order].reset_index(drop=True)


def sobol_sensitivity(x: pd.DataFrame, y: np.ndarray, base: int, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices of ``y`` on Saltelli's design (``x`` in the order SALib's sampler
    made it, ``base`` samples), SALib's estimators with ``RESAMPLES`` bootstrap resamples for the 95%
    half-widths and each factor's rank stability (its rank by the total index, held in that share of them)."""
    from SALib.analyze import sobol

    problem = {"num_vars": x.shape[1], "names": list(x.columns), "bounds": [[0.0, 1.0]] * x.shape[1]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # SALib seeds its resampling only for a truthy seed: a seed of 0 would leave it to numpy's global state
        nonzero = int(np.random.SeedSequence(seed).generate_state(1)[0]) | 1
        res = sobol.analyze(problem, np.asarray(y, dtype=float), calc_second_order=False, num_resamples=RESAMPLES,
                            keep_resamples=True, seed=nonzero)
    table = pd.DataFrame({"factor": list(x.columns), "ST": res["ST"], "ST_conf": res["ST_conf"], "S1": res["S1"],
                          "S1_conf": res["S1_conf"]})
    return _ranked(table, "ST", np.asarray(res["ST_conf_all"]))  # SALib's kept replicates of the total index
