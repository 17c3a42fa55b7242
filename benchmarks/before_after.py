"""A change's cost in speed: the model and plain-diffusion benchmarks of two commits, alternated in
one run.

    python benchmarks/before_after.py --before 0e06f10 [--after HEAD] [--rounds 2] [--size 1000000]

Checks both commits out side by side in temporary git worktrees (a tree run from elsewhere, such as
the repository itself, measured 10% slower on the plain diffusion than a worktree of the same
commit: ``--before HEAD`` against the repository on 2026-12-06), runs each side's benchmarks once
small (numba compiles its kernels into each tree's cache), then runs, ``--rounds`` times, in
alternation (before then after, after then before, ...: each side first in half the rounds), each in a
fresh process: benchmarks/model_speed.py's baseline year
at ``--size`` consumers, and benchmarks/diffusion_speed.py's marketsim plain diffusion (one product,
every other mechanism neutral) at the same size. Each side imports its own tree's marketsim (its
root first on ``PYTHONPATH``). Prints each figure's median per side and the ratio after / before, the
figures a change's note quotes (for example: at 1M a step may cost at most 1.3 times what it cost
before), and the baseline year's peak memory on each side.

``--same-bits`` checks instead that speed work left the results as they were in a market of several
of the kernels' chunks (the fingerprints' markets fit in one, bar one): each side runs the baseline
at 300,000 consumers for 150 steps and the plain diffusion for 60 from the same seed, and every array
the recorder holds, the consumers' state and the talk they hear must be the same bits on both sides.

    python benchmarks/before_after.py --before 88eb479 --same-bits
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def measure(root: Path, benchmark: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, str(root / "benchmarks" / benchmark[0]), *benchmark[1:]], cwd=root,
                          env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def results(root: Path, out: Path) -> None:
    """Run ``root``'s baseline and plain diffusion (its marketsim and benchmarks on the path) and save
    what they recorded and left, for ``--same-bits``."""
    sys.path[:0] = [str(root), str(root / "benchmarks")]
    import numpy as np
    from diffusion_speed import diffusion_scenario
    from model_speed import scaled_baseline

    import marketsim
    arrays = {}
    for name, scenario, steps in (("baseline", scaled_baseline(300_000), 150),
                                  ("diffusion", diffusion_scenario(300_000, 60), 60)):
        model = marketsim.MarketModel(scenario, rng=7)
        for _ in range(steps):
            model.step()
        st, wom = model.state, model.wom
        arrays |= {f"{name} recorded {k}": np.asarray(v) for k, v in model.recorder.data.items()}
        arrays |= {f"{name} {k}": getattr(st, k) for k in ("state", "current", "loyalty", "wear", "ad")}
        # when each consumer's wear-out was last updated: a time per consumer, or since 2026-12-07 a step
        # (a place in the contact pipeline's times)
        wear_time = st.wear_time if hasattr(st, "wear_time") else st.pipeline.times[st.wear_step]
        arrays[f"{name} wear_time"] = wear_time
        arrays |= {f"{name} talk": wom.sums, f"{name} clocks": model.buying.clock}
    np.savez(out, **arrays)


def same_bits(sides: dict[str, Path], tmp: Path) -> None:
    import numpy as np
    saved = {}
    for side, root in sides.items():
        saved[side] = tmp / f"{side}.npz"
        subprocess.run([sys.executable, __file__, "--results-of", str(root), str(saved[side])], check=True,
                       env={**os.environ, "PYTHONPATH": str(root)})
    before, after = np.load(saved["before"]), np.load(saved["after"])
    differ = sorted(set(before.files) ^ set(after.files)) + [
        k for k in sorted(set(before.files) & set(after.files))
        if before[k].shape != after[k].shape or before[k].tobytes() != after[k].tobytes()]
    print(f"{len(after.files)} arrays compared; " + (f"NOT the same bits: {', '.join(differ)}" if differ
                                                      else "all the same bits"))
    if differ:
        sys.exit(1)


def main() -> None:
    if sys.argv[1:2] == ["--results-of"]:  # one side's run, in its own process (``same_bits``)
        results(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the commit to compare with")
    parser.add_argument("--after", default="HEAD", help="the commit measured against it (default HEAD)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--same-bits", action="store_true", help="check the results instead of timing")
    args = parser.parse_args()
    def benchmarks_at(size: int) -> dict:
        return {"baseline year, s per step": (["model_speed.py", "--one", str(size)], "step_seconds"),
                "plain diffusion, s per step": (["diffusion_speed.py", "--one", "marketsim", "--size", str(size),
                                                 "--steps", "200", "--impressions", "0.01"], "per_step")}

    benchmarks = benchmarks_at(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        sides = {"before": Path(tmp) / "before", "after": Path(tmp) / "after"}
        for side, root in sides.items():
            subprocess.run(["git", "-C", str(HERE), "worktree", "add", "--detach", str(root), getattr(args, side)],
                           check=True, capture_output=True)
        try:
            if args.same_bits:
                same_bits(sides, Path(tmp))
                return
            for root in sides.values():  # a first, smaller run compiles the kernels into each tree's numba cache
                for command, _ in benchmarks_at(min(args.size, 20_000)).values():
                    measure(root, command)
            figures = {name: {"before": [], "after": []} for name in benchmarks}
            peaks = {"before": [], "after": []}  # the baseline year's, in MiB
            for round_ in range(args.rounds):
                # ABBA: each side goes first in every other round, so that whatever the process run just before
                # does to the next (here, freeing hundreds of MB) weighs on both sides alike
                order = list(sides.items()) if round_ % 2 == 0 else list(sides.items())[::-1]
                for name, (command, key) in benchmarks.items():
                    for side, root in order:
                        result = measure(root, command)
                        figures[name][side].append(result[key])
                        if "peak_mib" in result:
                            peaks[side].append(result["peak_mib"])
                        print(f"{name} ({side}): {figures[name][side][-1] * 1000:.2f} ms", flush=True)
        finally:
            for root in sides.values():
                subprocess.run(["git", "-C", str(HERE), "worktree", "remove", "--force", str(root)], check=True)
    for name, sides in figures.items():
        b, a = statistics.median(sides["before"]), statistics.median(sides["after"])
        print(f"{name}: before {b * 1000:.2f} ms, after {a * 1000:.2f} ms, ratio {a / b:.3f}")
    print(f"baseline year's peak memory: before {statistics.median(peaks['before']):,.0f} MiB, "
          f"after {statistics.median(peaks['after']):,.0f} MiB")


if __name__ == "__main__":
    main()
