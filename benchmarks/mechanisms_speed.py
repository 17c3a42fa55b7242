"""What the credible comparison's mechanisms cost per step at 1M consumers, against the code before them.

Side by side in one run: the code at ``--before`` (default: the commit before relevance by distance,
the targeting premium, intrusiveness, copy wear-out by intensity, smooth satisfaction, share of
voice and samples resolved at once) and this tree, each stepping the same scenario (the older
tree's baseline, scaled as ``model_speed.py`` scales it) in a fresh process, one after the other
and round after round, so that all see the same load. This tree runs twice: with every new
mechanism at its neutral setting, and with all of them on. Each process builds the market, takes
``--warmup`` steps (numba compiles on the first) and times the next ``--steps``.

    python benchmarks/mechanisms_speed.py            # 1M consumers, 9 rounds (about 7 minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
BEFORE = "1752074"  # the last commit before the mechanisms of the credible comparison
MECHANISMS_ON = {
    "response.tailoring": 0.5, "response.intrusion_threshold": 0.8, "response.satisfaction_width": 0.05,
    "response.competitive_interference": 0.3, "channels.tv.targeting_premium": 1.0,
    "channels.social.targeting_premium": 1.0, "campaigns.mass_tv.copy_intensity_wearout": 0.01,
    "campaigns.spark_social.copy_intensity_wearout": 0.01,
}

CHILD = """
import json, sys, time
sys.path.insert(0, {benchmarks!r})
import marketsim
from model_speed import scaled_baseline
sc = scaled_baseline({size}, {baseline!r})
model = marketsim.MarketModel(sc, rng=1, **{{k.replace('.', '__'): v for k, v in {fields!r}.items()}})
for _ in range({warmup}):
    model.step()
start = time.perf_counter()
for _ in range({steps}):
    model.step()
print(json.dumps((time.perf_counter() - start) / {steps}))
"""


def step_seconds(tree: Path, baseline: Path, size: int, fields: dict, warmup: int, steps: int) -> float:
    """Seconds per step of the code in ``tree``, in a fresh process."""
    code = CHILD.format(benchmarks=str(HERE), size=size, baseline=str(baseline), fields=fields, warmup=warmup,
                        steps=steps)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(REPOSITORY), "worktree", "add", "--detach", str(old), args.before],
                       check=True, capture_output=True)
        try:
            baseline = old / "scenarios" / "baseline.toml"
            runs = {"before": (old, {}), "neutral": (REPOSITORY, {}), "mechanisms on": (REPOSITORY, MECHANISMS_ON)}
            seconds = {name: [] for name in runs}
            names = list(runs)
            for r in range(args.rounds):
                for name in names[r % 3:] + names[:r % 3]:  # each takes each place in turn
                    tree, fields = runs[name]
                    seconds[name].append(step_seconds(tree, baseline, args.size, fields, args.warmup, args.steps))
                    print(f"round {r + 1}, {name}: {seconds[name][-1] * 1000:.1f} ms a step", flush=True)
        finally:
            subprocess.run(["git", "-C", str(REPOSITORY), "worktree", "remove", "--force", str(old)], check=True)
    before = np.array(seconds["before"])
    print(f"\n{args.size:,} consumers, {args.rounds} rounds of {args.steps} steps; the ratio to the code before "
          "is taken within each round (the machine's speed drifts between rounds)")
    for name, values in seconds.items():
        ratios = np.array(values) / before
        print(f"{name:>14}: median {np.median(values) * 1000:6.1f} ms a step; ratio to before: median "
              f"{np.median(ratios):.2f}, range {ratios.min():.2f}-{ratios.max():.2f}")


if __name__ == "__main__":
    main()
