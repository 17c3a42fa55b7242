"""What must be true: where a plan fails (PRIM boxes) and which assumptions matter (sensitivity).

Both work on the Latin-hypercube sample that ``marketsim assess`` ran: PRIM from the EMA
Workbench finds boxes of assumptions in which failures concentrate; SALib's delta method
(Borgonovo's moment-independent index, with the first-order Sobol index) works on any given
sample, so no special design is needed.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_DENSITY = 0.9  # a box is worth showing when at least this share of the futures in it fail
WORTH_SHOWING = 0.5  # ... and never a box in which most futures do not fail
TRIVIAL = 0.05  # a limit that leaves out fewer futures than this is not worth stating
MIN_POINTS = 40  # below this, the delta method's bins hold too few points for an index worth showing
RESAMPLES = 20  # bootstrap resamples for the confidence half-widths: enough for a ranking, and quick


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


def sensitivity(x: pd.DataFrame, y: np.ndarray, bounds: list[tuple[float, float]], seed: int = 0) -> pd.DataFrame:
    """Delta (moment-independent) and first-order Sobol indices of ``y`` for each column of ``x``."""
    from SALib.analyze import delta

    ok = np.isfinite(y)
    problem = {"num_vars": x.shape[1], "names": list(x.columns), "bounds": [list(b) for b in bounds]}
    if ok.sum() < MIN_POINTS or np.ptp(y[ok]) == 0:
        return pd.DataFrame(columns=["factor", "delta", "delta_conf", "S1", "S1_conf"])
    seed %= 2**32  # SALib seeds numpy's legacy generator, which takes 32 bits; any command's seed may be larger
    notices = io.StringIO()  # SALib prints notices on both streams
    with warnings.catch_warnings(), contextlib.redirect_stdout(notices), contextlib.redirect_stderr(notices):
        warnings.simplefilter("ignore")
        np.random.seed(seed)  # SALib seeds numpy's global generator itself, but not for a seed of 0
        res = delta.analyze(problem, x.to_numpy()[ok], y[ok], num_resamples=RESAMPLES, seed=seed,
                            print_to_console=False)
    return (pd.DataFrame({"factor": list(x.columns), "delta": res["delta_raw"], "delta_conf": res["delta_raw_conf"],
                          "S1": res["S1"], "S1_conf": res["S1_conf"]})
            .sort_values("delta", ascending=False, kind="stable").reset_index(drop=True))
