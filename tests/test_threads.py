"""A run gives the same numbers, to the bit, on one thread or on several (chunks.py): the kernels split
the market in chunks of a fixed size and add the chunks' sums in chunk order (the contact pipeline, its
blocks), and a consumer's random numbers are a function of its index (draws.py), not of the order
anyone drew them in.

The runs are made in a process of their own, started with two threads whatever the suite's setting
(tests/conftest.py gives each test worker one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np

import marketsim
from marketsim.market.chunks import CHUNK
from marketsim.market.exposure import BLOCK_BITS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from diffusion_speed import diffusion_scenario  # noqa: E402
from model_speed import scaled_baseline  # noqa: E402

SIZE = 5 * CHUNK // 2  # two chunks and a half
assert SIZE > 4 << BLOCK_BITS  # and several blocks of the contact pipeline
STEPS = 70  # past the start of the niche brand's social ads, samples and event


def recorded(threads: int, scenario) -> dict[str, np.ndarray]:
    numba.set_num_threads(threads)
    model = marketsim.MarketModel(scenario, rng=5)
    for _ in range(STEPS):
        model.step()
    rec = model.recorder
    out = {name: values[:STEPS + 1] for name, values in rec.data.items()}
    out.update(held=rec.held[:STEPS + 1], spend=rec.spend[:STEPS + 1], first_control=rec.first_control,
               loyalty=model.state.loyalty, state=model.state.state, bought=model.buying.bought)
    return out


def compare() -> dict:
    """Both runs of each market, in this process: the arrays that differ, and how the market moved. The
    plain diffusion (one brand, no churn) passes over its prospects only once most have adopted
    (prospects.py)."""
    out = {"threads": numba.get_num_threads()}
    for name, scenario in (("baseline", scaled_baseline(SIZE)), ("diffusion", diffusion_scenario(SIZE, STEPS))):
        one, two = recorded(1, scenario), recorded(2, scenario)
        out[name] = {"names": sorted(one) == sorted(two),
                     "differ": [k for k in one if not np.array_equal(one[k], two[k], equal_nan=True)],
                     "customers": [int(one["customer"][30].sum()), int(one["customer"][STEPS].sum())]}
    return out


def test_one_thread_and_two_give_the_same_run():
    done = subprocess.run([sys.executable, __file__], capture_output=True, text=True, check=True,
                          env={**os.environ, "NUMBA_NUM_THREADS": "2"})
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["threads"] == 2
    for market in ("baseline", "diffusion"):
        assert result[market]["names"]
        assert result[market]["differ"] == []
        assert result[market]["customers"][1] > result[market]["customers"][0]  # the market moved
    assert result["diffusion"]["customers"][1] > 0.75 * SIZE  # most adopted: the prospects were listed


if __name__ == "__main__":
    print(json.dumps(compare()))
