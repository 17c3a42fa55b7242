"""Runs computed ahead of the page, so that drawing never waits for the model.

A ``Track`` is one MarketModel run to its horizon in a background thread as soon as it is asked for; the
page shows it up to its cursor and only ever waits for steps not yet computed (a 20,000-consumer year takes
about a second, a class plays it in several). The scenario as written is the same for every session that
picks a lesson and a seed, so its tracks are shared (``written``); a variant with no lever moved is that same
run, not a second one. Every track also keeps, step by step, the state of the few hundred consumers the
network picture shows, since the model itself holds only the present.

``fan`` runs a scenario for many seeds in worker processes (both cores), for the picture of chance
against plan; its pool ends with the fan, so a server at rest holds no workers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from ..market.model import MarketModel
from ..scenario.schema import Scenario
from .readout import NetworkSample, network_sample

SHARED_TRACKS = 8  # scenarios as written kept for every session (a few MB each at 20,000 consumers)


@dataclass(frozen=True)
class SampleStates:
    """The network sample's consumers at every step: brand bought (-1: none), aware of any brand, loyalty."""

    current: np.ndarray  # (steps + 1, consumers)
    aware: np.ndarray
    loyalty: np.ndarray


class Track:
    """One run of ``scenario`` from ``seed``, stepped to its horizon in a thread of its own."""

    def __init__(self, scenario: Scenario, seed: int):
        self.scenario = scenario  # in people, as written (the model runs it in consumers)
        self.model = MarketModel(scenario, rng=seed)
        self.horizon = self.model.horizon_steps
        self.sample: NetworkSample = network_sample(self.model)
        size = (self.horizon + 1, len(self.sample.nodes))
        self.states = SampleStates(np.full(size, -1, dtype=np.int64), np.zeros(size, dtype=bool), np.zeros(size))
        self.computed = 0  # steps done, readable while the thread runs
        self.error: BaseException | None = None
        self._record_sample(0)
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="marketsim-track", daemon=True)
        self._thread.start()

    def _record_sample(self, step: int) -> None:
        state, nodes = self.model.state, self.sample.nodes
        self.states.current[step] = np.asarray(state.current)[nodes]
        self.states.aware[step] = (np.asarray(state.state)[:, nodes] > 0).any(axis=0)
        self.states.loyalty[step] = np.asarray(state.loyalty)[nodes]

    def _run(self) -> None:
        try:
            while self.model.running and not self._stop.is_set():
                self.model.step()
                self._record_sample(self.model.steps)
                self.computed = self.model.steps
        except BaseException as exc:  # shown on the page, not lost in a thread
            self.error = exc
        finally:
            self._done.set()

    @property
    def finished(self) -> bool:
        return self.computed >= self.horizon

    def cancel(self) -> None:
        """Stop stepping (a lever moved on): the thread ends after its current step."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run is over (or cancelled, or failed); True when it is."""
        return self._done.wait(timeout)


_shared: OrderedDict[tuple, Track] = OrderedDict()
_shared_lock = threading.Lock()


def written(path: Path, scenario: Scenario, seed: int) -> Track:
    """The run of a lesson as written, shared by every session (the least recently used beyond
    SHARED_TRACKS are dropped: a session still showing one keeps it alive)."""
    key = (str(path), path.stat().st_mtime_ns, seed)
    with _shared_lock:
        if key in _shared:
            _shared.move_to_end(key)
            return _shared[key]
    track = Track(scenario, seed)  # built outside the lock: other sessions need not wait for it
    with _shared_lock:
        if key in _shared:  # another session built it meanwhile: one run for all
            track.cancel()
            return _shared[key]
        _shared[key] = track
        while len(_shared) > SHARED_TRACKS:
            _shared.popitem(last=False)
        return track


def customers_curve(scenario: Scenario, seed: int) -> np.ndarray:
    """Customers of each brand at every step (people), for one seed: one line of the fan."""
    model = MarketModel(scenario, rng=seed)
    while model.running:
        model.step()
    rec = model.recorder
    return rec.data["customer"].sum(axis=2) * rec.people_per_consumer


def fan(scenarios: dict[str, Scenario], seeds: list[int], progress=None,
        cancel: threading.Event | None = None) -> dict[str, np.ndarray] | None:
    """Each scenario run once per seed, on every core: name -> (seeds, steps + 1, brands), or None when
    ``cancel`` is set first (the runs not started are dropped). ``progress(done, total)`` is called as runs
    finish. Each run is the same as a run alone from that seed (a process of its own changes nothing in a run),
    so the fan holds the page's own runs for the seeds the page can show."""
    jobs = [(name, k, seed) for name in scenarios for k, seed in enumerate(seeds)]
    out = {}
    pool = ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn"))
    try:
        futures = {pool.submit(customers_curve, scenarios[name], seed): (name, k) for name, k, seed in jobs}
        for done, future in enumerate(as_completed(futures), 1):
            if cancel is not None and cancel.is_set():
                return None
            name, k = futures[future]
            curve = future.result()
            out.setdefault(name, np.zeros((len(seeds), *curve.shape)))[k] = curve
            if progress is not None:
                progress(done, len(jobs))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return out

