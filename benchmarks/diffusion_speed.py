"""The peers' plain diffusion in marketsim and in two reference implementations, side by side.

The model the peers benchmark: one product, every consumer who has not adopted adopts on a step
with probability ``1 - exp(-(p + q * adopted_neighbours / degree))`` (Bass on a network: ads give
the innovation hazard p, word of mouth the imitation hazard q), on a scale-free graph, 200 steps.
marketsim reads the talk at the middle of the step, which makes its step second order: the
adopted neighbours count whole and those who adopted on the step before count half again
(docs/model.md, 7.4). The references below run that rule too, at the cost of one more pass over
the last step's adopters' neighbours (the frontier) or one more vector copy (the mat-vec).
Three implementations of it run here, each in a fresh process of its own (so the peak memory is
its own), on the same graph (marketsim's Chung-Lu generator from the same seed):

- ``marketsim``: the full model, set up so that all its other mechanisms are neutral (see
  ``diffusion_scenario``): the whole run is ``MarketModel(...)`` (population, network, agents,
  recorder) plus the steps (not the output tables ``marketsim.run`` assembles afterwards);
- ``numba frontier``: a numba loop over the consumers who have not adopted, with the counts of
  adopted neighbours updated from each step's new adopters only (the fast reference);
- ``scipy mat-vec``: numpy with one sparse matrix-vector product ``A @ adopted`` per step.

How many impressions carry the ads' hazard p is marketsim's choice, not the rule's: with k
impressions per consumer per step, each of effect ``-log(1 - p/k)``, every consumer's chance of
adopting from ads is exactly ``1 - exp(-p)`` for any k. marketsim's work grows with the impressions
it delivers, so it runs twice by default: k = 0.01 (a campaign that reaches 1% of the market a day,
each impression converting about one time in ten) and k = 1 (everyone sees an ad every day).

Each reference's whole run includes building the graph, as marketsim's includes its build; the
per-step figure is the steps alone. The table gives each one's whole-run and per-step times as
ratios to the numba frontier's, its peak memory, and its adopters at the end and the step by which
half the market had adopted. The three run the same rule, so these agree: the final counts within
a fraction of a percent, the half-way step within a few steps (when the hubs of a scale-free graph
happen to adopt moves the take-off from seed to seed, in every implementation alike).
tests/test_diffusion_benchmark.py checks over several seeds that marketsim's curve and the
frontier reference's are the same.

Numba's compile time is left out of every figure: each process first runs its implementation
once on a small market for as many steps (a warm-up that compiles the frontier kernel, loads
marketsim's kernels from numba's cache, and pays Python's first calls; as long as the timed run, so
that it takes the same paths: marketsim's kernels for the prospects, once most have adopted, were
otherwise loaded inside the timed run, 20-30 ms of it at 1M), then times the full-size run. Peak memory
includes each process's imports (the references import only marketsim's network generator).

    python benchmarks/diffusion_speed.py                       # 1,000,000 consumers, 200 steps
    python benchmarks/diffusion_speed.py --size 100000 --steps 100
    python benchmarks/diffusion_speed.py --impressions 0.01    # marketsim with 0.01 impressions only
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time

import numba
import numpy as np

from marketsim.market.network import Graph, scale_free
from marketsim.scenario.schema import Scenario

P, Q = 0.001, 0.3  # per step: innovation (ads) and imitation (word of mouth) hazards
MEAN_DEGREE, EXPONENT = 10.0, 2.5
SEED = 1
WARM_UP_SIZE = 2_000
IMPLEMENTATIONS = ("marketsim", "numba frontier", "scipy mat-vec")


def diffusion_scenario(size: int, steps: int, p: float = P, q: float = Q, impressions: float = 1.0) -> Scenario:
    """marketsim with every mechanism but ads and word of mouth neutral (docs/model.md).

    One brand that fits everyone perfectly (so every customer is satisfied and talks), everyone
    equally talkative, no wear-out, forgetting, churn, price effect or installed base, unaware
    consumers responding fully. Ads deliver ``impressions * size`` impressions a step on
    uniformly drawn consumers, so a consumer gets m ~ Poisson(k) of them (k = ``impressions``) with
    ad hazard ``ad_effect * m``; then P(no adoption from ads) = exp(-k (1 - exp(-ad_effect))),
    which is exp(-p) when ad_effect = -log(1 - p / k). Word of mouth adds ``q`` times the share of
    adopted contacts to the hazard, as in the reference.
    """
    from marketsim.scenario.loading import scenario_from_dict

    k = impressions
    return scenario_from_dict({
        "name": "plain_diffusion",
        "time": {"dt": 1.0, "horizon": float(steps)},
        "population": {"size": size, "talkativeness_spread": 0.0,
                       "segments": [{"name": "everyone", "share": 1.0}]},
        "network": {"type": "scale_free", "mean_degree": MEAN_DEGREE, "exponent": EXPONENT},
        "response": {"ad_effect": -math.log1p(-p / k), "relevance_gain": 0.0, "wearout": 0.0, "fit_spread": 0.0,
                     "unaware_response": 1.0},
        "word_of_mouth": {"strength": q, "negative_weight": 0.0},
        "loyalty": {"churn": 0.0, "negative_word_churn": 0.0},
        "channels": [{"name": "ads", "cpm": 0.0}],
        "brands": [{"name": "product", "price": 1.0, "margin": 0.5, "purchase_rate": 0.0, "default_fit": 1.0}],
        "campaigns": [{"name": "ads", "brand": "product", "channel": "ads", "impressions": k * size}],
    })


def reference_graph(size: int, seed: int = SEED) -> Graph:
    """The graph marketsim builds for ``diffusion_scenario(size)`` with this seed (its network stream
    is the second of the nine the model spawns from the seed), built the same way."""
    network_seq = np.random.SeedSequence(seed).spawn(9)[1]
    return scale_free(size, MEAN_DEGREE, EXPONENT, np.random.default_rng(network_seq))


@numba.njit
def _frontier_steps(indptr, indices, p, q, steps, seed, adopters):
    """The frontier reference: only non-adopters draw, and the adopted neighbours heard (plus half of
    those who adopted on the step before: the talk at the step's middle) change only around the
    last two steps' new adopters. ``adopters[t]`` is the number adopted after step t."""
    np.random.seed(seed)
    n = indptr.size - 1
    adopted = np.zeros(n, dtype=np.bool_)
    heard = np.zeros(n)  # adopted neighbours, plus half of those new on the step before
    q_share = np.zeros(n)  # q / degree
    for i in range(n):
        if indptr[i + 1] > indptr[i]:
            q_share[i] = q / (indptr[i + 1] - indptr[i])
    new, before = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    adopters[0] = 0
    k_before = 0
    for t in range(steps):
        k = 0
        for i in range(n):
            if not adopted[i] and np.random.random() < -math.expm1(-(p + q_share[i] * heard[i])):
                new[k] = i
                k += 1
        for a in range(k_before):  # their half of this step is over
            i = before[a]
            for e in range(indptr[i], indptr[i + 1]):
                heard[indices[e]] -= 0.5
        for a in range(k):  # whole, and half again for the next step
            i = new[a]
            adopted[i] = True
            for e in range(indptr[i], indptr[i + 1]):
                heard[indices[e]] += 1.5
        new, before, k_before = before, new, k
        adopters[t + 1] = adopters[t] + k


def run_frontier(size: int, steps: int, p: float = P, q: float = Q, seed: int = SEED) -> dict:
    start = time.perf_counter()
    graph = reference_graph(size, seed)
    built = time.perf_counter()
    adopters = np.empty(steps + 1, dtype=np.int64)
    _frontier_steps(graph.indptr, graph.indices, p, q, steps, seed, adopters)
    return timings(start, built, time.perf_counter(), adopters)


def run_matvec(size: int, steps: int, p: float = P, q: float = Q, seed: int = SEED) -> dict:
    start = time.perf_counter()
    graph = reference_graph(size, seed)
    adjacency = graph.adjacency()
    q_share = np.divide(q, graph.degree, out=np.zeros(size), where=graph.degree > 0)
    built = time.perf_counter()
    rng = np.random.default_rng(seed)
    adopted = np.zeros(size, dtype=np.float32)
    talking = np.zeros(size, dtype=np.float32)  # adopted, plus half of those new on the step before
    adopters = np.zeros(steps + 1, dtype=np.int64)
    for t in range(steps):
        hazard = p + q_share * (adjacency @ talking)
        new = (adopted == 0) & (rng.random(size) < -np.expm1(-hazard))
        talking[:] = adopted
        adopted[new] = 1.0
        talking[new] = 1.5
        adopters[t + 1] = adopters[t] + np.count_nonzero(new)
    return timings(start, built, time.perf_counter(), adopters)


def run_marketsim(size: int, steps: int, p: float = P, q: float = Q, seed: int = SEED,
                  impressions: float = 1.0) -> dict:
    from marketsim.market.model import MarketModel

    sc = diffusion_scenario(size, steps, p, q, impressions)
    start = time.perf_counter()
    model = MarketModel(sc, rng=seed)
    built = time.perf_counter()
    while model.running:
        model.step()
    done = time.perf_counter()
    adopters = model.recorder.data["customer"][:, 0, :].sum(axis=1)  # no churn: customers are the adopters
    return timings(start, built, done, adopters)


def timings(start: float, built: float, done: float, adopters: np.ndarray) -> dict:
    steps = adopters.size - 1
    return {"build": built - start, "per_step": (done - built) / steps, "whole": done - start,
            "adopters": [int(a) for a in adopters]}


RUNNERS = {"marketsim": run_marketsim, "numba frontier": run_frontier, "scipy mat-vec": run_matvec}


def measure(name: str, size: int, steps: int, impressions: float) -> dict:
    """Warm up (numba compile or cache load, first calls) on a small market for as many steps, then time
    the full run."""
    options = {"impressions": impressions} if name == "marketsim" else {}
    RUNNERS[name](WARM_UP_SIZE, steps, **options)
    out = RUNNERS[name](size, steps, **options)
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="consumers (default 1,000,000)")
    parser.add_argument("--steps", type=int, default=200, help="steps (default 200)")
    parser.add_argument("--impressions", type=float, nargs="+", default=[0.01, 1.0],
                        help="marketsim's ad impressions per consumer per step, one row each (default 0.01 and "
                             "1); the ad effect per impression is set so that the ads' hazard stays p")
    parser.add_argument("--one", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)  # internal: one run, JSON out
    args = parser.parse_args()
    if min(args.impressions) <= P:
        parser.error(f"--impressions must be above p = {P:g}: fewer impressions cannot give every consumer hazard p")
    if args.one:
        print(json.dumps(measure(args.one, args.size, args.steps, args.impressions[0])))
        return
    print(f"plain diffusion: {args.size:,} consumers, {args.steps} steps, scale-free graph (mean degree "
          f"{MEAN_DEGREE:g}, exponent {EXPONENT:g}), p = {P:g}, q = {Q:g} per step", flush=True)
    rows = {}
    runs = [("marketsim", k) for k in args.impressions] + [(name, 1.0) for name in IMPLEMENTATIONS[1:]]
    for name, k in runs:  # one process each, so that peak memory is each one's own
        done = subprocess.run([sys.executable, __file__, "--one", name, "--size", str(args.size),
                               "--steps", str(args.steps), "--impressions", str(k)],
                              capture_output=True, text=True, check=True)
        label = f"marketsim, {k:g} imp." if name == "marketsim" else name
        rows[label] = json.loads(done.stdout.strip().splitlines()[-1])
    reference = rows["numba frontier"]
    print(f"{'implementation':<22} {'build s':>8} {'per step ms':>12} {'whole run s':>12} {'x frontier':>11} "
          f"{'step x frontier':>16} {'peak MiB':>9} {'final adopters':>15} {'half at step':>13}")
    for name, r in rows.items():
        half = int(np.argmax(np.array(r["adopters"]) >= args.size / 2)) or "-"
        print(f"{name:<22} {r['build']:8.2f} {r['per_step'] * 1000:12.2f} {r['whole']:12.2f} "
              f"{r['whole'] / reference['whole']:11.2f} {r['per_step'] / reference['per_step']:16.2f} "
              f"{r['peak_mib']:9,.0f} {r['adopters'][-1]:15,} {half:>13}")


if __name__ == "__main__":
    main()
