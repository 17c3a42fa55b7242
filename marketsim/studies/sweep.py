"""Running every point and replication of an experiment, locally or on a Dask cluster.

One code path: runs are bundled into tasks and submitted to a ``concurrent.futures`` executor,
a local process pool by default or a Dask cluster's (``Client(address).get_executor()``). Each
finished bundle is written at once as its own Parquet parts, atomically, so a killed sweep loses
only the bundles in flight; running it again skips the bundles already on disk. The final tables
are sorted by run number, so they do not depend on workers, bundles or the order runs finished.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..files import folder_lock, unwritable_folder, write_parquet, write_text
from ..scenario.schema import plain
from .experiment import Experiment, Run, fingerprint
from .pool import process_pool
from .results import NoFinishedRuns, ResultsError, check_runs, check_timeseries, layout_of
from .runner import run

# consumer-steps one task should hold: about a second of work, so task overhead stays small
BUNDLE_WORK = 10_000_000
SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx)://[A-Za-z0-9.\-\[\]:]+:\d{1,5}")
CONNECT_SECONDS = 5


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
            result = run(experiment.scenario(r.overrides), seed=r.seed, lift=experiment.lift(r))
        except Exception as exc:  # noqa: BLE001 - a failed run must not stop the sweep
            error = "".join(traceback.format_exception_only(exc)).strip()
            rows.append({**row, "status": "failed", "error": error})
            continue
        rows.append({**row, "status": "done", "error": "", **summary_row(result.summary)})
        ts = result.timeseries[["step", "time", "brand", "segment", *experiment.spec.metrics]].copy()
        ts.insert(0, "run", r.run)
        series.append(ts)
    table = pd.DataFrame(rows)
    table["seed"] = np.array([r.seed for r in runs], dtype=np.uint64)  # exact: a float64 column rounds seeds
    return table, (pd.concat(series, ignore_index=True) if series else pd.DataFrame())


def bundle_size(experiment: Experiment, runs: int) -> int:
    """Runs per task: the experiment's own choice, else about a second of work, and never so
    large that there are fewer than eight tasks to share among workers."""
    if experiment.spec.bundle is not None:
        return experiment.spec.bundle
    sc = experiment.scenario(experiment.overrides(experiment.points[0]))
    per_run = sc.population.size * sc.time.steps
    return max(1, min(math.ceil(BUNDLE_WORK / per_run), math.ceil(runs / 8)))


def check_resumable(out: Path, experiment: Experiment, inputs: dict[str, str]) -> None:
    """Refuse to add runs to results made from other inputs: a table must hold one version of them."""
    record, manifest = out / "experiment.toml", out / "inputs.json"
    if record.exists() and record.read_text(encoding="utf-8") != experiment.text:
        raise ValueError(f"{out} holds results of a different experiment file; choose another --out")
    if not manifest.exists():
        return
    try:
        before = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = {}
    changed = sorted(k for k in set(before) | set(inputs) if before.get(k) != inputs.get(k))
    if changed:
        raise ValueError(f"{out} holds runs made with other inputs: changed since they were made: "
                         f"{', '.join(changed)} (content hashes and version in {manifest}). To start afresh, "
                         f"delete {out} or choose another --out")


def snapshot_inputs(out: Path, experiment: Experiment, inputs: dict[str, str]) -> None:
    """Keep the experiment, the base scenario and the files it names beside the results, with hashes."""
    write_text(out / "experiment.toml", experiment.text)
    folder = out / "inputs"
    folder.mkdir(exist_ok=True)
    for label, path in experiment.inputs.items():
        if path.is_file():
            shutil.copyfile(path, folder / ("scenario.toml" if label == "scenario" else path.name))
    write_text(out / "inputs.json", json.dumps(inputs, indent=2) + "\n")


def remove_leftovers(out: Path) -> None:
    """Temporary files of a sweep killed while writing (hidden, beside the table they were to become)."""
    for folder in (out, out / "parts"):
        for tmp in folder.glob(".*.parquet.*"):
            tmp.unlink(missing_ok=True)


def part_done(parts: Path, b: int) -> bool:
    """A bundle is done when both its parts are on disk and readable; broken parts are removed."""
    names = [parts / f"runs-{b:06d}.parquet", parts / f"timeseries-{b:06d}.parquet"]
    if not names[0].exists():
        return False
    try:
        for name in names:
            pq.read_metadata(name)
    except Exception:  # noqa: BLE001 - any unreadable part (empty, truncated, foreign) means: run again
        for name in names:
            name.unlink(missing_ok=True)
        return False
    return True


def check_combined(out: Path, experiment: Experiment, runs: pd.DataFrame, timeseries: pd.DataFrame) -> None:
    """The tables a sweep is about to write pass the checks every reader makes (studies/results.py):
    parts damaged on disk since they were written are refused here, not in a later report."""
    layout = layout_of(experiment)
    try:
        check_timeseries(timeseries, check_runs(runs, layout, out / "runs.parquet"), layout,
                         out / "timeseries.parquet")
    except NoFinishedRuns:
        return  # every run failed: a finished sweep all the same, whose errors are in runs.parquet
    except ResultsError as exc:
        raise ValueError(f"the finished runs in {out / 'parts'} do not make valid tables ({exc.problem}, in "
                         f"{exc.file.name}{f' column {exc.column}' if exc.column else ''}); they were changed or "
                         f"damaged after they were written: delete {out / 'parts'} and run the sweep again") from None


@dataclass
class SweepReport:
    out: Path
    total: int
    done: int
    failed: int
    skipped: int
    seconds: float


def terminate_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now: a SIGTERM reaches this process alone, and the workers
    (forked from the pool's server, not from us) would otherwise finish their runs as orphans.
    Python 3.14 has ``terminate_workers``; before it, the pool's own process table."""
    if hasattr(pool, "terminate_workers"):
        pool.terminate_workers()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def check_scheduler(scheduler: str | None) -> None:
    """A Dask scheduler's address, checked before anything connects or is written."""
    if scheduler is not None and not SCHEDULER_ADDRESS.fullmatch(scheduler):
        raise ValueError(f"--scheduler takes an address such as tcp://127.0.0.1:8786, not '{plain(scheduler, 60)}'")


@contextmanager
def executor_for(workers: int | None, scheduler: str | None):
    """A local process pool, or a Dask cluster's executor when a scheduler address is given."""
    if scheduler is None:
        pool = process_pool(workers)
        try:
            yield pool
        except BaseException:  # interrupted (Ctrl-C, or SIGTERM from a job scheduler): stop the runs at once
            terminate_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    from distributed import Client

    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_SECONDS} s "
                         f"({type(exc).__name__}); is it running?") from None
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
    if workers is not None and workers < 1:
        raise ValueError(f"--workers must be at least 1, not {workers}")
    check_scheduler(scheduler)
    problem = unwritable_folder(out)
    if problem:
        raise ValueError(problem)
    inputs = fingerprint(experiment)
    runs = experiment.runs()
    size = bundle_size(experiment, len(runs))
    bundles = [runs[i:i + size] for i in range(0, len(runs), size)]
    parts = out / "parts"

    with ExitStack() as stack:
        pool = executor
        if pool is None and scheduler is not None:  # reach the cluster before anything is written
            pool = stack.enter_context(executor_for(workers, scheduler))
        stack.enter_context(folder_lock(out))  # from the check of what the folder holds to the last write
        check_resumable(out, experiment, inputs)
        parts.mkdir(parents=True, exist_ok=True)
        snapshot_inputs(out, experiment, inputs)
        remove_leftovers(out)
        todo = [b for b in range(len(bundles)) if not part_done(parts, b)]
        skipped = sum(len(bundles[b]) for b in range(len(bundles)) if b not in set(todo))
        finished = skipped
        if progress:
            progress(finished, len(runs))
        if todo:
            pool = pool or stack.enter_context(executor_for(workers, None))
            futures = {pool.submit(run_bundle, experiment, bundles[b]): b for b in todo}
            for future in as_completed(futures):
                b = futures[future]
                rows, series = future.result()
                write_parquet(parts / f"timeseries-{b:06d}.parquet", series)
                write_parquet(parts / f"runs-{b:06d}.parquet", rows)  # last: its presence marks the bundle done
                finished += len(bundles[b])
                if progress:
                    progress(finished, len(runs))

        table = pd.concat([pd.read_parquet(parts / f"runs-{b:06d}.parquet") for b in range(len(bundles))],
                          ignore_index=True).sort_values("run", kind="stable").reset_index(drop=True)
        series = [pd.read_parquet(parts / f"timeseries-{b:06d}.parquet") for b in range(len(bundles))]
        series = [s for s in series if len(s)]
        timeseries = (pd.concat(series, ignore_index=True).sort_values("run", kind="stable").reset_index(drop=True)
                      if series else pd.DataFrame())
        check_combined(out, experiment, table, timeseries)
        write_parquet(out / "runs.parquet", table)
        write_parquet(out / "timeseries.parquet", timeseries)
    failed = int((table.status == "failed").sum())
    return SweepReport(out, len(runs), len(runs) - failed, failed, skipped, time.perf_counter() - started)
