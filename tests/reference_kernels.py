"""Plain-numpy references for the numba kernels of marketsim.market, written from the rules of
docs/model.md (and the kernels' documented contracts), as simply as numpy allows: no loops over
consumers where a vectorised form says the same, no copy of the kernels' bookkeeping.

Each returns new arrays rather than changing its inputs in place; tests/test_kernels.py compares
them with the kernels. Where a reference sums in the same order as the kernel (np.bincount,
np.add.at and cumulative sums all go through their input in order) the results are equal to the bit.

The contact pipeline (exposure.py) has its reference, the bincount formulation it replaced, in
tests/test_exposure.py; the counter-based generator (draws.py) against Philox's published vectors and a numpy
statement of it in tests/test_draws.py, which the references here use for the random numbers.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from marketsim.market.awareness import AWARE, UNAWARE
from marketsim.market.draws import uniforms

# The C library's expm1, which compiled kernels call; numpy's own (SIMD) one differs from it in the
# last bit on some inputs. With the JIT off the kernels call numpy's.
expm1 = np.expm1 if numba.config.DISABLE_JIT else np.vectorize(math.expm1, otypes=[float])


def tally(state: np.ndarray, segment: np.ndarray, counts_shape: tuple[int, int]) -> np.ndarray:
    """``counts[state, segment]``: how many consumers of each segment are in each state."""
    states, segments = counts_shape
    return np.bincount(state.astype(np.int64) * segments + segment, minlength=states * segments).reshape(
        counts_shape)


def recounted(counts: np.ndarray, before: np.ndarray, after: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """The state counts after the change ``before`` -> ``after``: every change is followed."""
    return counts - tally(before, segment, counts.shape) + tally(after, segment, counts.shape)


def becomes_aware(hearing: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Hearing at hazard ``h`` makes aware with probability ``1 - exp(-h)``."""
    return u < -expm1(-hearing)


# --- awareness.py ---------------------------------------------------------------------------

def forget_and_hear(state, hearing, u, forget, segment, counts):
    """The aware forget with probability ``forget``; the unaware who hear talk become aware."""
    after = state.copy()
    after[(state == AWARE) & (u < forget)] = UNAWARE
    after[(state == UNAWARE) & (hearing > 0) & becomes_aware(hearing, u)] = AWARE
    return after, recounted(counts, state, after, segment)


def contacted(state, consumers, segment, counts):
    """A paid contact makes the unaware aware (a consumer contacted twice counts once)."""
    after = state.copy()
    after[consumers[state[consumers] == UNAWARE]] = AWARE
    return after, recounted(counts, state, after, segment)


def update_awareness(state, hearing, contacts, forget, segment, counts, keys, step):
    """One step for every brand b, consumer i's number its uniform under ``keys[b]`` on ``step``;
    returns the states and counts."""
    state, counts = state.copy(), counts.copy()
    u = np.empty(state.shape[1])
    for b, key in enumerate(keys):
        uniforms(key, step, np.arange(state.shape[1]), np.array([state.shape[1]]), 0, u)
        state[b], counts[b] = forget_and_hear(state[b], hearing[b], u, forget, segment, counts[b])
        state[b], counts[b] = contacted(state[b], contacts[b], segment, counts[b])
    return state, counts


# --- loyalty.py -----------------------------------------------------------------------------

def update_loyalty(loyalty, target, keep, current, segment, bonded, personal, starts, gain, sum_shape):
    """Loyalty relaxes toward its target (``L* + (L - L*) keep``); a customer of b among brand b's
    bonded consumers then closes ``1 - exp(-gain * personal)`` of its gap to 1. Returns the new
    loyalty and its sum per (current brand, segment) over customers."""
    value = target + (loyalty - target) * keep
    for b in range(starts.size - 1):
        who, weight = bonded[starts[b]:starts[b + 1]], personal[starts[b]:starts[b + 1]]
        own = current[who] == b
        who, weight = who[own], weight[own]
        value[who] += (1.0 - value[who]) * -expm1(-gain * weight)
    customers = np.flatnonzero(current >= 0)
    brands, segments = sum_shape
    sums = np.bincount(current[customers].astype(np.int64) * segments + segment[customers],
                       weights=value[customers], minlength=brands * segments)
    return value, sums.reshape(sum_shape)


# --- wom.py ---------------------------------------------------------------------------------

def spread(indptr, indices, nodes, weights, out):
    """Each node's weight added to what each of its neighbours hears (nodes may repeat)."""
    out = out.copy()
    rows = [indices[indptr[j]:indptr[j + 1]] for j in nodes]
    np.add.at(out, np.concatenate([np.zeros(0, indices.dtype), *rows]),
              np.repeat(weights, [r.size for r in rows]))
    return out


def heard(sums, buzz, inv_contacts, brand):
    """Every consumer's positive and negative talk about ``brand``: lasting plus fading talk, clipped
    at zero, per contact; a width-1 array is the one value that everyone hears (fully mixed)."""
    pos = np.maximum(sums[0, brand] + buzz[0, brand], 0.0) * inv_contacts
    neg = np.maximum(sums[1, brand] + buzz[1, brand], 0.0) * inv_contacts
    return pos, neg


# --- network.py -----------------------------------------------------------------------------

def csr(u, v, n):
    """The undirected simple graph of the pairs u-v: both directions, no self-loops, no repeats,
    rows sorted."""
    keep = u != v
    rows = np.concatenate([u[keep], v[keep]]).astype(np.int64)
    cols = np.concatenate([v[keep], u[keep]]).astype(np.int64)
    pairs = np.unique(rows * n + cols)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(pairs // n, minlength=n))]).astype(np.int64)
    return indptr, (pairs % n).astype(np.int32)


def cdf_guide(cdf):
    """For each of n equal slices of [0, 1), how many cdf values lie at or below its start."""
    n = cdf.size
    return np.searchsorted(cdf, np.arange(n + 1) / n, side="right")


def draw_from_cdf(cdf, x):
    """The index each x in [0, 1) falls on under a non-decreasing cdf ending at 1."""
    return np.minimum(np.searchsorted(cdf, x, side="right"), cdf.size - 1)


def ends_inside(u, inside, draws, group):
    """A link's far end inside the group of its start u: member ``floor(draw * size)`` of the group
    (in consumer order), also for a group that is everyone. Elsewhere v holds u's group."""
    g, sizes = group[u], np.bincount(group)
    inside = inside | (sizes[g] == group.size)
    pick = (draws * sizes[g]).astype(np.int64)
    members = [np.flatnonzero(group == k) for k in range(sizes.size)]
    v = np.array([members[k][p] if ins else k for k, p, ins in zip(g, pick, inside)], dtype=np.int64)
    return inside, v


def ends_outside(inside, draws, order, start, sizes, v):
    """Where not inside, the far end: consumer ``floor(draw * (n - size))`` among the non-members
    of group v, listed in group order."""
    out = v.astype(np.int64).copy()
    for k in np.flatnonzero(~inside):
        g = v[k]
        others = np.delete(order, np.arange(start[g], start[g] + sizes[g]))
        out[k] = others[int(draws[k] * (order.size - sizes[g]))]
    return out


def wind_down(current, segment, rate_by_brand, rate_by_segment, propensity, dt, clock):
    """Customers' purchase clocks run down by their segment's rate (their brand's where the segment's
    is NaN) × propensity × dt; returns the customers whose clock ran out, in index order."""
    customers = current >= 0
    rate = rate_by_segment[segment]
    rate = np.where(np.isnan(rate), rate_by_brand[np.maximum(current, 0)], rate)
    clock[customers] -= (rate * propensity * dt)[customers]
    return np.flatnonzero(customers & (clock <= 0.0))


def sequential_sum(terms) -> float:
    """0 + t1 + t2 + ..., left to right (numpy's cumsum adds in order; its sum adds pairwise)."""
    return float(np.cumsum(np.concatenate([[0.0], *terms]))[-1])


def expected_shares(current, loyalty, state, fit, appeal, segment, propensity, repertoire, segments, chunk, lanes):
    """(brands, segments) each brand's expected buying: a customer's propensity to its own brand with
    1 - repertoire (1 - loyalty), the rest split among the brands it knows (aware or beyond) by fit ×
    appeal, or to its own brand if none it knows appeals. Summed as the kernel sums, to the bit: per
    chunk of ``chunk`` consumers and per lane (consumer index mod ``lanes``), each running sum takes
    the own-brand terms, then the none-known terms, then each brand's terms, each in index order; the
    chunks' and lanes' sums are then added in chunk order."""
    brands, n = fit.shape
    parts = []  # per chunk: (brands, lanes, segments)
    for first in range(0, n, chunk):
        i = np.arange(first, min(first + chunk, n))
        i = i[current[i] >= 0]  # only customers hold any buying (the others would add zeros)
        own, seg, g, lane = current[i], segment[i], propensity[i], i % lanes
        stay = 1.0 - repertoire * (1.0 - loyalty[i])
        spread = g * (1.0 - stay)
        known = np.zeros(i.size)
        for b in range(brands):
            known = known + (state[b, i] >= 1) * fit[b, i] * appeal[b, seg]  # AWARE = 1
        none = known == 0.0
        per_unit = (1.0 - none) * spread / (known + none)
        part = np.zeros((brands, lanes, segments))
        for b in range(brands):
            for k in range(lanes):
                for s in range(segments):
                    mine, here = (own == b) & (lane == k) & (seg == s), (lane == k) & (seg == s)
                    terms = [(g * stay)[mine]]
                    if repertoire > 0.0:
                        terms += [(none * spread)[mine],
                                  ((state[b, i] >= 1) * per_unit * fit[b, i] * appeal[b, seg])[here]]
                    part[b, k, s] = sequential_sum(terms)
        parts.append(part)
    return np.array([[sequential_sum([[p[b, k, s] for p in parts for k in range(lanes)]]) for s in range(segments)]
                     for b in range(brands)])


def distance(prof, consumers: np.ndarray, pop) -> np.ndarray:
    """How unlike an audience each consumer is (relevance.py's docstring): the mismatch of its age decade,
    of each categorical field and the mean over the audience's tags of |holds - prevalence|, averaged over
    the dimensions; array by array, in that order."""
    from marketsim.market.relevance import DIMENSIONS
    from marketsim.scenario.schema import CATEGORICAL_FIELDS

    decades = np.minimum(pop.age[consumers].astype(np.int64) // 10, prof.decade_mismatch.size - 1)
    d = prof.decade_mismatch[decades]
    for f, table in zip(CATEGORICAL_FIELDS, prof.field_mismatch):
        d = d + table[getattr(pop, f)[consumers]]
    if prof.tag_bits.size:
        off = np.zeros(consumers.size)
        for bit, share in zip(prof.tag_bits, prof.prevalence):
            off = off + np.abs((pop.interests[consumers] & bit != 0) - share)
        d = d + off / prof.tag_bits.size
    return d / DIMENSIONS
