"""A sweep's overhead per run, and its throughput with one and two workers, in one run.

For two run sizes (10k consumers x 100 steps, and a run of about a second) it runs an experiment
as a sweep, each sweep in a fresh process that does what ``marketsim sweep`` does (start the worker
pool's server, then import the simulator and load the experiment while the server starts, then
sweep), and times inside each worker every call of the model, ``marketsim.studies.runner.run``: the very call a
script running the same runs directly would make. The sweep's overhead is the part of its wall
time, from the moment the experiment is loaded (where a script would start its first run), not
spent in those calls:

    overhead = (workers x wall time - time in the runs) / time in the runs

and "without start-up" leaves out the time until the first run begins (what is left of the pool's
start-up: waiting for its server if its imports are not done yet, forking the worker, sending the
first task). The runs' time is measured inside the sweep's own wall time, and with one worker the
runs follow one another, so neither figure can come out negative, whatever the machine's load.
(The former figure compared the sweep with runs called directly earlier in the parent process,
whose first call paid numba's cache loading, and subtracted a start-up measured on a pool of its
own: that pool started the forkserver, which the sweeps timed after it reused, so they never paid
the start-up subtracted from them. Both errors, and the shared machine's load between the two
moments, made it negative.)

So that the time in the runs is an honest baseline, the same runs are also called directly in a
fresh process, and the script prints a run's median time inside a worker and called directly:
they should agree, up to the machine's load. The first run of each process (direct or worker)
also loads the model's numba kernels from the cache; it counts as run time on both sides.

Clock: the workers' run start times are read with ``time.monotonic``, which on Linux and macOS is
one clock for all processes, so they can be compared with the sweep's start.

``--refusals`` times how long ``marketsim sweep`` takes to refuse bad options, in turn: ``--workers 0``
(refused once the experiment is loaded) and a scheduler address nobody listens on (refused when
the Dask client gives up, after at most CONNECT_SECONDS). The second minus the first is the wait
for the scheduler, printed beside CONNECT_SECONDS (tests/test_sweep.py checks the refusals and the
timeout asked for, not how long they take).

    python benchmarks/sweep_speed.py
    python benchmarks/sweep_speed.py --refusals
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from marketsim.studies.experiment import Experiment

BASELINE = (Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml").resolve()
SIZES = {"small": (10_000, 100, 24), "one-second": (40_000, 250, 12)}  # consumers, steps, runs
DIRECT_RUNS = 4  # runs called directly (after a first, cold one) for the baseline's median


def experiment(folder: Path, size: int, steps: int, runs: int) -> Experiment:
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
    from marketsim.studies.experiment import load_experiment

    return load_experiment(path)


def timed_bundle(experiment: Experiment, runs: list) -> tuple[list[tuple[int, float, float]], tuple]:
    """``run_bundle`` in the worker, with (worker, start, seconds) of each model run in it."""
    import marketsim.studies.sweep

    timings = []
    model_run = marketsim.studies.sweep.run

    def timed_run(*args, **kwargs):
        start = time.monotonic()
        try:
            return model_run(*args, **kwargs)
        finally:
            timings.append((os.getpid(), start, time.monotonic() - start))

    marketsim.studies.sweep.run = timed_run
    try:
        return timings, marketsim.studies.sweep.run_bundle(experiment, runs)
    finally:
        marketsim.studies.sweep.run = model_run


class TimedPool(Executor):
    """Hands ``run_sweep`` what ``run_bundle`` returns, and keeps the timings taken in the worker."""

    def __init__(self, pool: Executor):
        self.pool = pool
        self.timings: list[tuple[int, float, float]] = []

    def submit(self, fn, /, *args, **kwargs) -> Future:
        assert fn.__name__ == "run_bundle" and not kwargs
        result: Future = Future()

        def unpack(done: Future) -> None:
            if done.exception() is not None:
                result.set_exception(done.exception())
                return
            timings, returned = done.result()
            self.timings += timings
            result.set_result(returned)

        self.pool.submit(timed_bundle, *args).add_done_callback(unpack)
        return result


def measure_sweep(label: str, workers: int) -> dict:
    from marketsim.studies.pool import start_pool_server

    start_pool_server()  # as marketsim sweep does, before its imports
    from marketsim.studies.sweep import executor_for, run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        exp = experiment(Path(tmp), *SIZES[label])
        start = time.monotonic()
        with executor_for(workers, None) as pool:
            timed = TimedPool(pool)
            run_sweep(exp, Path(tmp) / "out", executor=timed)
        wall = time.monotonic() - start
    by_worker: dict[int, list[float]] = {}
    for pid, _, seconds in sorted(timed.timings, key=lambda t: t[1]):
        by_worker.setdefault(pid, []).append(seconds)
    return {"wall": wall, "in_runs": sum(t[2] for t in timed.timings),
            "start_up": min(t[1] for t in timed.timings) - start,
            "first_run": statistics.mean(s[0] for s in by_worker.values()),
            "median_run": statistics.median(s for each in by_worker.values() for s in each[1:])}


def measure_direct(label: str) -> dict:
    from marketsim.studies.runner import run  # imported here, not within the first run's time

    with tempfile.TemporaryDirectory() as tmp:
        exp = experiment(Path(tmp), *SIZES[label])
        seconds = []
        for r in exp.runs()[:DIRECT_RUNS + 1]:
            start = time.monotonic()
            run(exp.scenario(r.overrides), seed=r.seed, lift=exp.spec.lift)
            seconds.append(time.monotonic() - start)
    return {"first_run": seconds[0], "median_run": statistics.median(seconds[1:])}


def in_fresh_process(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_refusals(repeats: int = 3) -> dict:
    """Median wall time of ``marketsim sweep`` refusing --workers 0 and an unreachable scheduler, taken in turn."""
    from marketsim.studies.sweep import CONNECT_SECONDS

    times: dict[str, list[float]] = {"workers 0": [], "no scheduler": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = experiment(Path(tmp), *SIZES["small"]).source
        for _ in range(repeats):
            for label, args in (("workers 0", ["--workers", "0"]), ("no scheduler", ["--scheduler", "tcp://127.0.0.1:1"])):
                start = time.monotonic()
                done = subprocess.run([sys.executable, "-m", "marketsim", "sweep", str(path), "--out",
                                       str(Path(tmp) / "o"), "--quiet", *args], capture_output=True, text=True)
                times[label].append(time.monotonic() - start)
                assert done.returncode == 2, done.stderr
    return {"connect_seconds": CONNECT_SECONDS, **{k: statistics.median(v) for k, v in times.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sweep", nargs=2, metavar=("SIZE", "WORKERS"), help=argparse.SUPPRESS)  # internal
    parser.add_argument("--direct", metavar="SIZE", help=argparse.SUPPRESS)  # internal
    parser.add_argument("--refusals", action="store_true", help="time the refusal of bad options only")
    args = parser.parse_args()
    if args.refusals:
        r = measure_refusals()
        print(f"refusing --workers 0: {r['workers 0']:.1f} s; an unreachable scheduler: {r['no scheduler']:.1f} s, "
              f"so {r['no scheduler'] - r['workers 0']:.1f} s waiting for it (the client's timeout: "
              f"{r['connect_seconds']} s; ratio {r['no scheduler'] / r['workers 0']:.2f})", flush=True)
        return
    if args.sweep:
        print(json.dumps(measure_sweep(args.sweep[0], int(args.sweep[1]))))
        return
    if args.direct:
        print(json.dumps(measure_direct(args.direct)))
        return
    for label, (size, steps, runs) in SIZES.items():
        direct = in_fresh_process("--direct", label)
        one, two = in_fresh_process("--sweep", label, "1"), in_fresh_process("--sweep", label, "2")
        bookkeeping = one["wall"] - one["start_up"] - one["in_runs"]
        print(f"{label} ({size // 1000}k consumers x {steps} steps), {runs} runs: a run takes "
              f"{one['median_run']:.2f} s in a sweep's worker and {direct['median_run']:.2f} s called directly "
              f"(x{one['median_run'] / direct['median_run']:.2f}; the first run of a process "
              f"{one['first_run']:.2f} s and {direct['first_run']:.2f} s)", flush=True)
        print(f"  1 worker: {one['wall']:.1f} s, of which {one['in_runs']:.1f} s in the runs: overhead "
              f"{(one['wall'] - one['in_runs']) / one['in_runs']:.1%} (start-up until the first run "
              f"{one['start_up']:.2f} s; without it {bookkeeping / one['in_runs']:.1%}, "
              f"{bookkeeping / runs * 1000:.0f} ms per run)", flush=True)
        print(f"  2 workers: {two['wall']:.1f} s, {one['wall'] / two['wall']:.2f}x the 1-worker throughput; "
              f"overhead {(2 * two['wall'] - two['in_runs']) / two['in_runs']:.1%} of the workers' time "
              f"(start-up {two['start_up']:.2f} s)", flush=True)


if __name__ == "__main__":
    main()
