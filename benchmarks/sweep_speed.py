"""Throughput of a sweep, serially and with 2 workers, and its overhead per run, in one run.

For two run sizes (10k consumers x 100 steps, and a run of about a second), it times the same
runs called directly in this process, then as a sweep with 1 and with 2 worker processes, and
prints runs per second, the sweep's overhead per run against the direct call (with and without
the one-off start-up of the worker pool, measured on its own), and the gain from the second
worker.

    python benchmarks/sweep_speed.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import sim
from sim.experiment import load_experiment
from sim.sweep import executor_for, run_sweep

BASELINE = (Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml").resolve()
SIZES = {"small (10k x 100 steps)": (10_000, 100, 24), "one-second (40k x 250 steps)": (40_000, 250, 12)}


def experiment(folder: Path, size: int, steps: int, runs: int) -> Path:
    path = folder / f"bench_{size}.toml"
    path.write_text(f"""
name = "bench_{size}"
scenario = "{BASELINE}"
replications = {runs // 2}
horizon = {steps}
overrides = {{ "population.size" = {size} }}
metrics = ["customer"]
[[factors]]
path = "network.homophily"
levels = [0.5, 0.8]
""")
    return path


def start_up_seconds() -> float:
    """Time to start a one-worker pool and run a trivial task in it."""
    start = time.perf_counter()
    with executor_for(1, None) as pool:
        pool.submit(int, 1).result()
    return time.perf_counter() - start


def main() -> None:
    start_up = start_up_seconds()
    print(f"worker pool start-up: {start_up:.2f} s (once per sweep)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, (size, steps, runs) in SIZES.items():
            exp = load_experiment(experiment(folder, size, steps, runs))
            all_runs = exp.runs()
            start = time.perf_counter()
            for r in all_runs:
                sim.run(exp.scenario(r.overrides), seed=r.seed)
            direct = (time.perf_counter() - start) / len(all_runs)
            per_run = {}
            for workers in (1, 2):
                start = time.perf_counter()
                run_sweep(exp, folder / f"out_{size}_{workers}", workers=workers)
                per_run[workers] = (time.perf_counter() - start) / len(all_runs)
            steady = per_run[1] - start_up / len(all_runs)
            print(f"{label}: {len(all_runs)} runs; direct {direct:.3f} s/run; "
                  f"sweep 1 worker {per_run[1]:.3f} s/run ({1 / per_run[1]:.2f} runs/s, overhead "
                  f"{(per_run[1] - direct) / direct:+.1%}, {(steady - direct) / direct:+.1%} without start-up); "
                  f"2 workers {per_run[2]:.3f} s/run ({1 / per_run[2]:.2f} runs/s, "
                  f"{per_run[1] / per_run[2]:.2f}x the 1-worker throughput)", flush=True)


if __name__ == "__main__":
    main()
