"""Loyalty: how strongly each customer is bound to its brand.

While a consumer stays, loyalty relaxes toward a level set by satisfaction (``loyalty_target``,
reached at the rate ``loyalty_keep`` leaves); relevant, personalised contact from one's own brand
closes part of the gap to full loyalty, with the same diminishing returns as conversion. One pass
over the market does both and sums loyalty per brand and segment for the metrics.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from .chunks import bounds, chunks


class Customers(NamedTuple):
    """Per consumer: loyalty, the level it relaxes to and the share of the gap a step keeps, the
    current brand (-1 for none) and the segment."""

    loyalty: np.ndarray
    target: np.ndarray
    keep: np.ndarray
    current: np.ndarray
    segment: np.ndarray


class Bonds(NamedTuple):
    """The step's paid contacts: ``consumers[starts[b]:starts[b + 1]]`` are those brand b reached,
    in index order, with their ``personal`` weight (see ``Exposure``)."""

    consumers: np.ndarray
    personal: np.ndarray
    starts: np.ndarray


def _relax_and_bond_kernel(one_sum: bool):
    """The kernel below; ``one_sum`` (one brand and one segment) compiles in a sum kept in a register,
    not in memory: the same additions in the same order, without waiting on the last one's store
    (2026-12-07, the plain diffusion at 1M: 1.8 -> 1.25 ms; with more sums, keeping the current one in a
    register and changing it when the customer's brand or segment changes was slower)."""

    @numba.njit(cache=True, nogil=True, parallel=True)
    def relax_and_bond(customers, bonds, gain, loyalty_sum):
        """Chunk by chunk on every thread (``chunks.py``); each chunk sums its customers' loyalty per brand
        and segment, and the chunks' sums are added in chunk order."""
        loyalty, target, keep = customers.loyalty, customers.target, customers.keep
        current, segment = customers.current, customers.segment
        bonded, personal, starts = bonds.consumers, bonds.personal, bonds.starts
        brands, segments = loyalty_sum.shape
        n = loyalty.size
        sums = np.zeros((chunks(n), brands, segments))
        for c in numba.prange(chunks(n)):
            start, end = bounds(c, n)
            at = np.empty(brands, np.int64)  # per brand: the next bonded consumer not yet passed
            for b in range(brands):
                at[b] = starts[b] + np.searchsorted(bonded[starts[b]:starts[b + 1]], start)
            # slices indexed from 0: indexed by consumer, the loop was slower
            loyal, heads_to, kept = loyalty[start:end], target[start:end], keep[start:end]
            brand_of, segment_of, chunk_sums = current[start:end], segment[start:end], sums[c]
            total = 0.0
            for x in range(loyal.size):
                value = heads_to[x] + (loyal[x] - heads_to[x]) * kept[x]
                b = brand_of[x]
                if b >= 0:
                    i, end_b = start + x, starts[b + 1]
                    while at[b] < end_b and bonded[at[b]] < i:
                        at[b] += 1
                    if at[b] < end_b and bonded[at[b]] == i:
                        value += (1.0 - value) * -np.expm1(-gain * personal[at[b]])
                    if one_sum:
                        total += value
                    else:
                        chunk_sums[b, segment_of[x]] += value
                loyal[x] = value
            if one_sum:
                chunk_sums[0, 0] = total
        loyalty_sum[:] = 0.0
        for c in range(sums.shape[0]):
            loyalty_sum += sums[c]

    return relax_and_bond


_relax_and_bond = {one: _relax_and_bond_kernel(one) for one in (False, True)}


def update_loyalty(loyalty: np.ndarray, target: np.ndarray, keep: np.ndarray, current: np.ndarray,
                   segment: np.ndarray, bonded: np.ndarray, personal: np.ndarray, starts: np.ndarray, gain: float,
                   loyalty_sum: np.ndarray) -> None:
    """One step of loyalty for every consumer, in place; only a customer of b is bonded by b's
    contacts (``Bonds``). ``loyalty_sum[brand, segment]`` is rewritten."""
    _relax_and_bond[loyalty_sum.size == 1](Customers(loyalty, target, keep, current, segment),
                                           Bonds(bonded, personal, starts), float(gain), loyalty_sum)
