"""Loyalty: how strongly each customer is bound to its brand.

While a consumer stays, loyalty relaxes toward a level set by satisfaction (``loyalty_target``,
reached at the rate ``loyalty_keep`` leaves); relevant, personalised contact from one's own brand
closes part of the gap to full loyalty, with the same diminishing returns as conversion. One pass
over the market does both and sums loyalty per brand and segment for the metrics.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def update_loyalty(loyalty, target, keep, current, segment, bonded, personal, starts, gain, loyalty_sum):
    """One step of loyalty for every consumer. ``bonded[starts[b]:starts[b + 1]]`` are the consumers
    brand b's paid contacts reached, in index order, with their ``personal`` weight (see
    ``Exposure``); only a customer of b is bonded by it. ``loyalty_sum[brand, segment]`` is rewritten."""
    at = starts[:-1].copy()  # per brand: the next bonded consumer not yet passed
    loyalty_sum[:] = 0.0
    for i in range(loyalty.size):
        value = target[i] + (loyalty[i] - target[i]) * keep[i]
        b = current[i]
        if b >= 0:
            end = starts[b + 1]
            while at[b] < end and bonded[at[b]] < i:
                at[b] += 1
            if at[b] < end and bonded[at[b]] == i:
                value += (1.0 - value) * -np.expm1(-gain * personal[at[b]])
            loyalty_sum[b, segment[i]] += value
        loyalty[i] = value
