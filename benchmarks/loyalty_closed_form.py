"""Would loyalty in closed form pay? Measured on the baseline scaled to 1M consumers, in one run.

Today one pass a step relaxes every customer's loyalty toward its target and bonds those their own
brand reached (``market/loyalty.py``). In closed form, loyalty would be stored as its value ``L0`` at
the step ``t0`` it was last set, and computed when read as target + (L0 - target) exp(-rate (t - t0)):
no pass, but an exp and one more array (t0) wherever loyalty is read. Every step reads every
customer's loyalty three times at least (its churn hazard, its switching barrier in each rival's
adoption hazard, its share of buying in ``buying.py``) and records its sum per brand and segment, so
the closed form pays only if one such read costs less than a third of the pass. This benchmark steps
the baseline to its 150th day, then times, on the model's own customers and the model's threads, the
pass as the model made it on that day and one closed-form read of every customer's loyalty summed per
brand and segment (what ``loyalty_sum`` records; only customers compute an exp, the best case for the
closed form), each the median of ``--repeats`` calls.

    python benchmarks/loyalty_closed_form.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model_speed import scaled_baseline  # noqa: E402

import marketsim  # noqa: E402
from marketsim.market.chunks import bounds, chunks  # noqa: E402
from marketsim.market import model as market_model  # noqa: E402
from marketsim.market.loyalty import update_loyalty  # noqa: E402


@numba.njit(cache=True, nogil=True, parallel=True)
def closed_form_read(start_value, target, rate, since, now, current, segment, loyalty_sum):
    """Every customer's loyalty in closed form, summed per brand and segment, chunk by chunk; only
    customers compute theirs."""
    n = start_value.size
    brands, segments = loyalty_sum.shape
    sums = np.zeros((chunks(n), brands, segments))
    for c in numba.prange(chunks(n)):
        first, end = bounds(c, n)
        for i in range(first, end):
            b = current[i]
            if b >= 0:  # only customers pay for the exp
                value = target[i] + (start_value[i] - target[i]) * np.exp(-rate[i] * (now - since[i]))
                sums[c, b, segment[i]] += value
    loyalty_sum[:] = 0.0
    for c in range(sums.shape[0]):
        loyalty_sum += sums[c]


def median_ms(call, repeats: int) -> float:
    call()  # compiled or loaded from the cache
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    model = marketsim.MarketModel(scaled_baseline(args.size), rng=1)
    for _ in range(args.steps - 1):
        model.step()
    passed = []  # the last step's call of the pass, as the model made it

    def recorded(*call):
        passed.append(tuple(a.copy() if isinstance(a, np.ndarray) else a for a in call))
        update_loyalty(*call)

    market_model.update_loyalty = recorded
    model.step()
    market_model.update_loyalty = update_loyalty
    st, dt = model.state, model.scenario_spec.time.dt
    customers = st.current >= 0
    rate = -np.log(st.loyalty_keep) / dt  # what the keep of a step stands for
    since = np.where(customers, model.steps * dt * np.random.default_rng(0).random(customers.size), 0.0)  # last set
    out = np.zeros_like(st.loyalty_sum)
    relax = median_ms(lambda: update_loyalty(*passed[0]), args.repeats)
    read = median_ms(lambda: closed_form_read(st.loyalty, st.loyalty_target, rate, since, model.steps * dt,
                                              st.current, st.segment, out), args.repeats)
    print(f"{datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.2f}, {numba.get_num_threads()} "
          f"thread(s), {args.size:,} consumers, {customers.mean():.0%} customers on day {model.steps}")
    print(f"relax-and-bond pass: {relax:.2f} ms; one closed-form read of every customer: {read:.2f} ms "
          f"({read / relax:.2f} times the pass); the three a step needs at least: {3 * read / relax:.2f} times")


if __name__ == "__main__":
    main()
