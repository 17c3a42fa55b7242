"""The diffusion benchmark compares like with like: marketsim's set-up of the peers' plain diffusion
runs the same rule, on the same graph, as the reference implementations written in the benchmark."""

import importlib.util
from pathlib import Path

import numpy as np

from marketsim.market.model import MarketModel

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "diffusion_speed.py"
spec = importlib.util.spec_from_file_location("diffusion_speed", SCRIPT)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

SIZE = 20_000


def share(result: dict) -> np.ndarray:
    return np.array(result["adopters"]) / SIZE


def test_the_references_run_on_marketsims_graph():
    model = MarketModel(bench.diffusion_scenario(SIZE, 1), rng=7)
    graph = bench.reference_graph(SIZE, seed=7)
    assert np.array_equal(model.graph.indptr, graph.indptr)
    assert np.array_equal(model.graph.indices, graph.indices)


def test_marketsims_ads_give_every_consumer_the_innovation_hazard_p():
    p, steps = 0.01, 30
    expected = -np.expm1(-p * np.arange(steps + 1))
    tolerance = 4 * np.sqrt(expected * (1 - expected) / SIZE)  # binomial noise
    for impressions in (1.0, 0.05):  # however many impressions carry it
        curve = share(bench.run_marketsim(SIZE, steps, p=p, q=0.0, impressions=impressions))
        assert np.all(np.abs(curve - expected) <= tolerance + 1e-12)


def test_marketsim_and_the_numba_frontier_reference_give_the_same_adoption_curve():
    # p = 0.01 rather than 0.001 so that the take-off varies less from seed to seed; each seed is
    # a new graph and new draws, for both. A rule off by a third in p or q moves the mean curves
    # apart by more than 0.05 somewhere.
    p, q, steps = 0.01, bench.Q, 25
    ours = np.mean([share(bench.run_marketsim(SIZE, steps, p, q, seed=s)) for s in range(6)], axis=0)
    reference = np.mean([share(bench.run_frontier(SIZE, steps, p, q, seed=s)) for s in range(24)], axis=0)
    assert np.abs(ours - reference).max() < 0.04
    assert reference[-1] > 0.6  # the word-of-mouth take-off is inside the compared steps
