"""Running every point and replication of an experiment, locally or on a Dask cluster.

One code path: runs are bundled into tasks and submitted to a ``concurrent.futures`` executor,
a local process pool by default or a Dask cluster's (``Client(address).get_executor()``). Each
finished bundle is written at once as its own Parquet parts, atomically, so a killed sweep loses
only the bundles in flight; running it again skips the bundles already on disk. The final tables
are sorted by run number, so they do not depend on workers, bundles or the order runs finished.
"""

from __future__ import annotations

import math
import multiprocessing
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .experiment import Experiment, Run
from .files import write_parquet, write_text
from .runner import run

# consumer-steps one task should hold: about a second of work, so task overhead stays small
BUNDLE_WORK = 10_000_000


def summary_row(summary: dict) -> dict:
    """A run's summary as flat columns: <brand>.<metric>[.<segment>]."""
    row = {}
    for brand, metrics in summary["brands"].items():
        for key, value in metrics.items():
            if isinstance(value, dict):
                for segment, v in value.items():
                    row[f"{brand}.{key}.{segment}"] = np.nan if v is None else v
            elif isinstance(value, list):
                row[f"{brand}.{key}"] = ",".join(value)
            else:
                row[f"{brand}.{key}"] = value
    return row


def run_bundle(experiment: Experiment, runs: list[Run]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a bundle of runs; one that raises is recorded as failed and the others go on."""
    rows, series = [], []
    for r in runs:
        row = {"run": r.run, "point": r.point, "replication": r.replication, "seed": r.seed, **r.factors}
        try:
            result = run(experiment.scenario(r.overrides), seed=r.seed, lift=experiment.spec.lift)
        except Exception as exc:  # noqa: BLE001 - a failed run must not stop the sweep
            error = "".join(traceback.format_exception_only(exc)).strip()
            rows.append({**row, "status": "failed", "error": error})
            continue
        rows.append({**row, "status": "done", "error": "", **summary_row(result.summary)})
        ts = result.timeseries[["step", "time", "brand", "segment", *experiment.spec.metrics]].copy()
        ts.insert(0, "run", r.run)
        series.append(ts)
    return pd.DataFrame(rows), (pd.concat(series, ignore_index=True) if series else pd.DataFrame())


def bundle_size(experiment: Experiment, runs: int) -> int:
    """Runs per task: the experiment's own choice, else about a second of work, and never so
    large that there are fewer than eight tasks to share among workers."""
    if experiment.spec.bundle is not None:
        return experiment.spec.bundle
    sc = experiment.scenario(experiment.overrides(experiment.points[0]))
    per_run = sc.population.size * sc.time.steps
    return max(1, min(math.ceil(BUNDLE_WORK / per_run), math.ceil(runs / 8)))


@dataclass
class SweepReport:
    out: Path
    total: int
    done: int
    failed: int
    skipped: int
    seconds: float


@contextmanager
def executor_for(workers: int | None, scheduler: str | None):
    """A local process pool, or a Dask cluster's executor when a scheduler address is given."""
    if scheduler is None:
        # workers fork from a server that has imported the simulator once, so they start at once
        # (plain fork is unsafe with threads running; spawn re-imports numpy, numba and Mesa each time)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["sim.sweep"])
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    from distributed import Client

    client = Client(scheduler)
    try:
        yield client.get_executor()
    finally:
        client.close()


def run_sweep(experiment: Experiment, out_dir: str | Path, workers: int | None = None, scheduler: str | None = None,
              executor: Executor | None = None, progress: Callable[[int, int], None] | None = None) -> SweepReport:
    """Run what is not yet on disk in ``out_dir``, then write runs.parquet and timeseries.parquet.

    ``progress(done, total)`` is called as bundles finish (counting runs skipped as done).
    """
    started = time.perf_counter()
    out = Path(out_dir)
    parts = out / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    record = out / "experiment.toml"
    if record.exists() and record.read_text(encoding="utf-8") != experiment.text:
        raise ValueError(f"{out} holds results of a different experiment file; choose another --out")
    write_text(record, experiment.text)

    runs = experiment.runs()
    size = bundle_size(experiment, len(runs))
    bundles = [runs[i:i + size] for i in range(0, len(runs), size)]
    todo = [b for b, bundle in enumerate(bundles) if not (parts / f"runs-{b:06d}.parquet").exists()]
    skipped = sum(len(bundles[b]) for b in range(len(bundles)) if b not in set(todo))
    finished = skipped
    if progress:
        progress(finished, len(runs))

    def store(b: int, frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
        rows, series = frames
        write_parquet(parts / f"timeseries-{b:06d}.parquet", series)
        write_parquet(parts / f"runs-{b:06d}.parquet", rows)  # last: its presence marks the bundle done

    if todo:
        with executor_for(workers, scheduler) if executor is None else nullcontext(executor) as pool:
            futures = {pool.submit(run_bundle, experiment, bundles[b]): b for b in todo}
            for future in as_completed(futures):
                b = futures[future]
                store(b, future.result())
                finished += len(bundles[b])
                if progress:
                    progress(finished, len(runs))

    table = pd.concat([pd.read_parquet(parts / f"runs-{b:06d}.parquet") for b in range(len(bundles))],
                      ignore_index=True).sort_values("run", kind="stable").reset_index(drop=True)
    series = [pd.read_parquet(parts / f"timeseries-{b:06d}.parquet") for b in range(len(bundles))]
    series = [s for s in series if len(s)]
    timeseries = (pd.concat(series, ignore_index=True).sort_values("run", kind="stable").reset_index(drop=True)
                  if series else pd.DataFrame())
    write_parquet(out / "runs.parquet", table)
    write_parquet(out / "timeseries.parquet", timeseries)
    failed = int((table.status == "failed").sum())
    return SweepReport(out, len(runs), len(runs) - failed, failed, skipped, time.perf_counter() - started)
