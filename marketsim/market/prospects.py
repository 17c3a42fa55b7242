"""Prospects: the consumers who are not customers, listed, in a market where a customer stays one.

With one brand and no churn, nothing can happen to a customer again: no hazard of adopting (it has
the only brand), none of churning, nothing to hear of (it knows the brand). Once customers are most
of the market, the hazards and awareness pass over the prospects only, as a frontier reference does
(benchmarks/diffusion_speed.py), and compute for them exactly what the passes over everyone do: the
same numbers, listed in the same order. The list only shrinks: each pass over it drops the step's
new customers. Chunk c's prospects are kept from place ``c * CHUNK`` on, ``count[c]`` of them, in
index order, so each thread takes whole chunks as the passes over everyone do (``chunks.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from .chunks import bounds, chunks

LIST_ABOVE = 0.75  # customers' share of the market above which the passes go over the prospects only


class Prospects(NamedTuple):
    listed: np.ndarray  # (N,) int32: chunk c's prospects from c * CHUNK on
    count: np.ndarray  # (chunks,) int64: how many each chunk has


@numba.njit(cache=True, nogil=True, parallel=True)
def _list(current, listed, count):
    """Each chunk's non-customers, without a branch (each index written, kept only if a prospect)."""
    n = current.size
    for c in numba.prange(chunks(n)):
        start, end = bounds(c, n)
        brand_of, here, k = current[start:end], listed[start:end], 0
        for x in range(brand_of.size):
            here[k] = start + x
            k += np.int64(brand_of[x] < 0)
        count[c] = k


def customers_stay(brands: int, churn_dt: float, negative_churn_dt: float) -> bool:
    """One brand and no churn of any kind: a customer stays one for good."""
    return brands == 1 and churn_dt == 0.0 and negative_churn_dt == 0.0


def prospects_of(current: np.ndarray) -> Prospects:
    """The non-customers of ``current``, listed chunk by chunk."""
    listed, count = np.empty(current.size, dtype=np.int32), np.empty(chunks(current.size), dtype=np.int64)
    _list(current, listed, count)
    return Prospects(listed, count)
