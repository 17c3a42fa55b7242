"""Speed and memory of the market model from 10k to 10M consumers, measured in one run.

For each size, a fresh process builds the baseline scenario scaled to that size (homophilous
network of mean degree 10, two brands, four campaigns, 365 daily steps), runs it, and reports
build time (population, network), time per step, total time and peak memory. Beside it:
the time of one sparse matrix-vector product on the same graph (the floor for one word-of-mouth
pass), and, at 10k and 100k, the same model stepped the plain Mesa way (a Python ``step`` per
consumer) for a few steps, so the speed-up is a ratio measured on this machine in this run, after
making its consumer agents (which the vectorised run never does; the time they take is printed).
Then the time per consumer-step at each size, and relative to 1M (how well the step scales), and the
largest market whose year would fit in 10 minutes and 20 GiB here, from the largest size measured.

How close to the machine's limit: the bytes the step's passes over the consumers read and write per
consumer (counted from the model's own arrays, ``bytes_per_consumer``), against the memory bandwidth
of a plain copy loop on all the threads, measured in the same process: the step's time as a multiple
of the time those bytes take at that bandwidth. Work that follows the impressions (a campaign's
contacts, gathered per consumer) is not in the count, so the multiple overstates the distance.

With ``--threads 1 2`` each size runs once per thread count (``NUMBA_NUM_THREADS``), and the table
gives the speed-up of the most threads over one; the results are the same bits whatever the count
(tests/test_threads.py). The classroom dashboard's speed is benchmarks/dashboard_speed.py's.

    python benchmarks/model_speed.py                 # 10k, 100k and 1M
    python benchmarks/model_speed.py --sizes 1000000 --threads 1 2    # the 1M year on one thread and two
    python benchmarks/model_speed.py --sizes 1000000 10000000   # 1M and 10M (about 9 minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numba
import numpy as np

import marketsim
from marketsim.market.model import Consumer
from marketsim.market.state import AWARE, CUSTOMER, LAPSED, UNAWARE

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
PLAIN_STEPS = {10_000: 10, 100_000: 3}
BUDGET_SECONDS, BUDGET_GIB = 600, 20  # what "fits on this machine" means: a year in 10 minutes and 20 GiB


def scaled_baseline(size: int, baseline: Path = BASELINE) -> marketsim.Scenario:
    """The baseline with its campaigns' volumes and budgets scaled with the population."""
    k = size / 20_000
    return marketsim.load_scenario(baseline, {
        "population.size": size,
        "campaigns.mass_tv.impressions": 15_000 * k, "campaigns.spark_social.impressions": 3_000 * k,
        "campaigns.spark_event.reach": int(1_500 * k), "campaigns.spark_samples.seeds": int(200 * k),
        "campaigns.spark_social.budget": 30_000 * k,
        "brands.Spark.budget": 60_000 * k, "brands.Mass.budget": 60_000 * k,
    })


def matvec_seconds(model: marketsim.MarketModel, repeats: int = 7) -> float:
    adjacency = model.graph.adjacency()
    x = np.ones(adjacency.shape[0], dtype=np.float32)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        adjacency @ x
        times.append(time.perf_counter() - start)
    return float(np.median(times))


@numba.njit(parallel=True)
def _copy(source, target):
    for i in numba.prange(source.size):
        target[i] = source[i]


def copy_bandwidth(gib: float = 1.0, repeats: int = 5) -> float:
    """Bytes a second a plain copy loop moves (each element read once and written once) on all the
    threads, arrays far larger than the caches: the machine's memory bandwidth, as a step would see it."""
    source = np.ones(int(gib * 2**30) // 8)
    target = np.empty_like(source)
    _copy(source[:1000], target[:1000])  # compiled outside the timing
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _copy(source, target)
        times.append(time.perf_counter() - start)
    return 2 * source.nbytes / min(times)


def bytes_per_consumer(model: marketsim.MarketModel) -> dict[str, int]:
    """The bytes per consumer each pass of a step over all the consumers reads and writes, each array
    counted once per pass, from the model's own arrays (so their types): a memory-bound step cannot
    take less than these bytes at the machine's bandwidth."""
    st, wom, buying = model.state, model.wom, model.buying
    brands, n = st.fit.shape
    current, loyalty, segment = st.current.itemsize, st.loyalty.itemsize, st.segment.itemsize
    state, fit, ad, hazard = st.state.itemsize, st.fit.itemsize, st.ad.itemsize, st.hazard.itemsize
    talk = 2 * wom.sums.itemsize * (wom.sums.shape[2] == n) + 2 * wom.buzz.itemsize * (wom.buzz.shape[2] == n)
    passes = {
        # churn, then each brand's hazards (read-modify-write of the churn row), the last one adding them up
        "hazards": current + loyalty + segment + hazard
        + brands * (current + state + loyalty + segment + fit + ad + talk + 3 * hazard + st.hearing.itemsize)
        + (brands + 1) * hazard,
        # each brand: state and hearing (the numbers stay in a core's cache; only the few who change are written)
        "awareness": brands * (state + st.hearing.itemsize),
        "loyalty": 3 * loyalty + current + segment + loyalty,
    }  # buzz fades by one shared factor (wom.py): no pass
    if buying.buys_again:  # the purchase clocks wound down: read and written, with what sets their rate
        passes["purchase clocks"] = current + segment + buying.propensity.itemsize + 2 * buying.clock.itemsize
    if not buying.one_brand_one_rate:  # what a chunk reads again, and its customers' work values, stay in cache
        passes["shares"] = segment + buying.propensity.itemsize + current + loyalty \
            + (brands * (state + fit) if buying.repertoire else 0)
    return passes


def plain_consumer_step(agent: Consumer, impressions: Counter) -> None:
    """The same response rules written per consumer, as a plain Mesa model would."""
    model = agent.model
    sc, st, wom, graph = model.scenario_spec, model.state, model.wom, model.graph
    i, dt = agent.index, sc.time.dt
    neighbours = graph.neighbours(i)
    cur = int(st.current[i])
    hazards = []
    for b in range(len(sc.brands)):
        pos = neg = 0.0
        for j in neighbours:
            if st.current[j] == b:
                if wom.satisfied[b, j]:
                    pos += wom.talk[j]
                else:
                    neg += wom.talk[j]
        pos, neg = pos / max(len(neighbours), 1), neg / max(len(neighbours), 1)
        if st.state[b, i] == UNAWARE and model.random.random() < 1 - np.exp(-sc.word_of_mouth.strength * dt * (pos + neg)):
            st.state[b, i] = AWARE
        if cur == b:
            hazards.append(0.0)
            continue
        barrier = 1.0 if cur < 0 else sc.loyalty.switching * (1 - st.loyalty[i])
        ads = sc.response.ad_effect * impressions.get((b, i), 0)
        hazards.append((ads + sc.word_of_mouth.strength * dt * pos) * st.fit[b, i] * barrier
                       / (1 + sc.word_of_mouth.negative_weight * neg))
    churn = sc.loyalty.churn * dt * (1 - st.loyalty[i]) if cur >= 0 else 0.0
    total = sum(hazards) + churn
    if total > 0 and model.random.random() < 1 - np.exp(-total):
        pick = model.random.random() * total
        for b, h in enumerate(hazards):
            if pick < h:
                if cur >= 0:
                    st.state[cur, i] = LAPSED
                st.state[b, i], st.current[i], st.loyalty[i] = CUSTOMER, b, sc.loyalty.initial
                return
            pick -= h
        st.state[cur, i], st.current[i] = LAPSED, -1


def plain_step(model: marketsim.MarketModel) -> None:
    from marketsim.market.campaigns import StepContext
    from marketsim.market.conditions import draw_conditions

    sc = model.scenario_spec
    regions_with = draw_conditions(sc.conditions, model.population.categories["region"], model.conditions_rng)
    ctx = StepContext(0.0, sc.time.dt, model.steps, model.recorder.controlled(0), regions_with,
                      model.state.current, model.graph, sc.niche.reach_discount)
    contacts = [c for made in model.agents_by_type[marketsim.Brand].map("act", ctx) for c in made]
    impressions = Counter((c.brand, int(i)) for c in contacts for i in c.consumers)
    model.agents_by_type[Consumer].shuffle_do(plain_consumer_step, impressions)


def measure(size: int) -> dict:
    sc = scaled_baseline(size)
    start = time.perf_counter()
    model = marketsim.MarketModel(sc, rng=1)
    build = model.build_seconds
    stepping = time.perf_counter()
    while model.running:
        model.step()
    steps_seconds = time.perf_counter() - stepping
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the run's own, before the mat-vec's matrix
    out = {
        "size": size, "edges": model.graph.edges, "steps": sc.time.steps,
        "build_population": build["population"], "build_network": build["network"],
        "build_total": build["total"], "step_seconds": steps_seconds / sc.time.steps,
        "total_seconds": time.perf_counter() - start, "matvec_seconds": matvec_seconds(model),
        "threads": numba.get_num_threads(), "bytes": bytes_per_consumer(model),
    }
    out["peak_mib"] = peak_mib
    out["bandwidth"] = copy_bandwidth()  # after the peak was read: its two arrays are larger than the run
    if size in PLAIN_STEPS:
        plain = marketsim.MarketModel(sc, rng=1)
        begin = time.perf_counter()
        plain.agents  # the consumer agents are made on first access
        out["agents_seconds"] = time.perf_counter() - begin
        begin = time.perf_counter()
        for _ in range(PLAIN_STEPS[size]):
            plain_step(plain)
        out["plain_step_seconds"] = (time.perf_counter() - begin) / PLAIN_STEPS[size]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--threads", type=int, nargs="+", default=[os.cpu_count() or 1])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size, print JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    rows = []
    for size in args.sizes:
        for threads in args.threads:  # one process each, so that peak memory is that run's own
            done = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True,
                                  check=True, env={**os.environ, "NUMBA_NUM_THREADS": str(threads)})
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            report(rows[-1])
    fastest = {}
    for r in rows:
        if r["size"] not in fastest or r["threads"] > fastest[r["size"]]["threads"]:
            fastest[r["size"]] = r
    for size in fastest:
        one = [r for r in rows if r["size"] == size and r["threads"] == 1]
        if one and fastest[size]["threads"] > 1:
            speedup = one[0]["total_seconds"] / fastest[size]["total_seconds"]
            print(f"{size:>9,}: {fastest[size]['threads']} threads {speedup:.2f} times as fast as one on the year, "
                  "build included")
    per = {n: r["step_seconds"] / n * 1e9 for n, r in fastest.items()}
    print("time per consumer-step: " + ", ".join(f"{n:,}: {ns:.0f} ns" for n, ns in per.items()))
    if 1_000_000 in per:
        print("  relative to 1M: " + ", ".join(f"{n:,}: {ns / per[1_000_000]:.2f}" for n, ns in per.items()))
    largest = fastest[max(fastest)]
    seconds_each = largest["total_seconds"] / largest["size"]  # build and year, per consumer
    bytes_each = largest["peak_mib"] * 2**20 / largest["size"]
    fits = min(BUDGET_SECONDS / seconds_each, BUDGET_GIB * 2**30 / bytes_each)
    print(f"largest year in {BUDGET_SECONDS // 60} minutes and {BUDGET_GIB} GiB, from {largest['size']:,}: "
          f"about {fits / 1e6:.0f} million consumers ({seconds_each * 1e6:.0f} s per million, "
          f"{bytes_each:.0f} bytes of peak memory per consumer)")


def report(r: dict) -> None:
    year = r["total_seconds"] / (r["steps"] * r["matvec_seconds"])
    print(f"{r['size']:>9,} consumers, {r['edges']:>10,} edges, {r['threads']} thread(s): "
          f"build {r['build_total']:6.2f} s "
          f"(population {r['build_population']:.2f}, network {r['build_network']:.2f}); "
          f"{r['steps']} steps at {r['step_seconds'] * 1000:7.2f} ms "
          f"= {r['step_seconds'] / r['matvec_seconds']:5.1f} x one mat-vec ({r['matvec_seconds'] * 1000:.2f} ms); "
          f"total {r['total_seconds']:6.1f} s = {year:.2f} x {r['steps']} mat-vecs; peak {r['peak_mib']:,.0f} MiB",
          flush=True)
    moved = sum(r["bytes"].values())
    floor = moved * r["size"] / r["bandwidth"]
    print(f"{'':>9}  the passes over the consumers move {moved} bytes per consumer-step ("
          + ", ".join(f"{name} {b}" for name, b in r["bytes"].items())
          + f"); at the copy loop's {r['bandwidth'] / 1e9:.1f} GB/s that is {floor * 1000:.2f} ms, "
          f"the step {r['step_seconds'] / floor:.1f} times that", flush=True)
    if "plain_step_seconds" in r:
        print(f"{'':>9}  plain Mesa (Python step per consumer): {r['plain_step_seconds'] * 1000:9.1f} ms per step "
              f"= {r['plain_step_seconds'] / r['step_seconds']:6.0f} x slower than the vectorised step "
              f"(after {r['agents_seconds']:.2f} s to make its consumer agents)", flush=True)


if __name__ == "__main__":
    main()
