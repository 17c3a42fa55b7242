"""Where a step's time goes: each phase of ``MarketModel.step`` timed on the baseline scaled up.

Builds the baseline at ``--size`` consumers (as ``model_speed.py`` scales it), takes ``--warmup``
steps (numba compiles or loads its kernels on the first; the market takes off), then times each
phase method of the step (docs/architecture.md, "The step") over ``--steps`` steps and prints its
mean per step, beside the whole step's. A profile to compare changes by, run by run; the speed of a
change is measured side by side (``before_after.py``).

    python benchmarks/step_phases.py                      # 1M consumers, steps 61 to 260
    python benchmarks/step_phases.py --size 10000000 --warmup 40 --steps 60
    python benchmarks/step_phases.py --diffusion 0.01 --warmup 20 --steps 180   # the plain diffusion
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import numba

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diffusion_speed import diffusion_scenario  # noqa: E402
from model_speed import scaled_baseline  # noqa: E402

import marketsim  # noqa: E402

PHASES = ("_conditions", "_campaigns_act", "_seeding", "_expose", "_adopt_and_churn", "_update_awareness",
          "_update_loyalty", "_word_of_mouth", "_buy", "_record")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--diffusion", type=float, metavar="IMPRESSIONS",
                        help="the plain diffusion of diffusion_speed.py (this many impressions per consumer "
                             "per step) instead of the baseline")
    args = parser.parse_args()
    if args.diffusion is None:
        scenario = scaled_baseline(args.size)
    else:
        scenario = diffusion_scenario(args.size, args.warmup + args.steps, impressions=args.diffusion)
    model = marketsim.MarketModel(scenario, rng=1)
    spent = dict.fromkeys(PHASES, 0.0)
    for phase in PHASES:  # each phase method, timed where the step calls it
        method = getattr(model, phase)

        def timed(*call, _method=method, _phase=phase, **named):
            start = time.perf_counter()
            out = _method(*call, **named)
            spent[_phase] += time.perf_counter() - start
            return out

        setattr(model, phase, timed)
    for _ in range(args.warmup):
        model.step()
    spent.update(dict.fromkeys(PHASES, 0.0))
    start = time.perf_counter()
    for _ in range(args.steps):
        model.step()
    whole = time.perf_counter() - start
    market = "baseline" if args.diffusion is None else f"plain diffusion ({args.diffusion:g} impressions)"
    print(f"{datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.2f}, {numba.get_num_threads()} "
          f"thread(s), {args.size:,} consumers, {market}, steps {args.warmup + 1} to {args.warmup + args.steps}, "
          "ms per step:")
    for phase in PHASES:
        print(f"  {phase.lstrip('_'):18s} {1000 * spent[phase] / args.steps:8.2f}")
    print(f"  {'rest of the step':18s} {1000 * (whole - sum(spent.values())) / args.steps:8.2f}")
    print(f"  {'whole step':18s} {1000 * whole / args.steps:8.2f}")


if __name__ == "__main__":
    main()
