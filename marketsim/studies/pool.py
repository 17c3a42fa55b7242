"""The local worker pool's processes, in a module light enough for the ``marketsim`` command to
import first: starting the pool's server early lets it import the simulator while the command
does the same and checks the design, on another core, instead of after."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext

WORKER_IMPORTS = ["marketsim.studies.sweep"]  # what the workers need, imported once by the server they fork from


def pool_context() -> BaseContext:
    """Workers fork from a server that has imported the simulator once, so they start at once
    (plain fork is unsafe with threads running; spawn, where forkserver is missing as on Windows,
    re-imports numpy, numba and Mesa in each worker)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(WORKER_IMPORTS)
        return context
    return multiprocessing.get_context("spawn")


def share_cores(threads: int) -> None:
    """A worker's runs take ``threads`` threads each, so that the pool's workers share the cores instead
    of each taking all of them (numba's default). A run's results do not depend on it."""
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))


def process_pool(workers: int | None) -> ProcessPoolExecutor:
    """A local pool of ``workers`` processes (one per core if None), the cores shared out among them."""
    cores = os.cpu_count() or 1
    return ProcessPoolExecutor(max_workers=workers, mp_context=pool_context(), initializer=share_cores,
                               initargs=(max(1, cores // (workers or cores)),))


def start_pool_server() -> None:
    """Start the server local workers fork from, if it is not running: it takes about a second
    (a Python start and the simulator's imports) that then overlaps whatever this process does next."""
    if pool_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
