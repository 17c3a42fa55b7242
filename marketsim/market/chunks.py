"""Fixed chunks of consumers, for the kernels that run on several threads, and the joining of their
lists; a gather of many elements on every thread, and a compiled clear.

A kernel that splits the market over threads gives each chunk its own slice of any sum (a count per
segment, loyalty per brand and segment, a list of candidates) and adds the chunks' slices in chunk
order afterwards. The chunks have a fixed size, never one that depends on the number of threads, so
a run gives the same numbers on one thread or on many, whichever thread took which chunk.
"""

from __future__ import annotations

import numba
import numpy as np

CHUNK_BITS = 16  # 65,536 consumers a chunk: enough work to be worth a thread, few enough chunks to share out
CHUNK = 1 << CHUNK_BITS


@numba.njit(cache=True, nogil=True, inline="always")
def chunks(n):
    """How many chunks n consumers make."""
    return (n + CHUNK - 1) >> CHUNK_BITS


@numba.njit(cache=True, nogil=True, inline="always")
def bounds(chunk, n):
    """The first consumer of ``chunk`` and one past its last."""
    start = np.int64(chunk) << CHUNK_BITS  # a prange index may be unsigned: mixed with signed, it makes floats
    return start, min(np.int64(n), start + CHUNK)


@numba.njit(cache=True, nogil=True)
def joined(lists, lengths, stride):
    """Lists each written from its own place (list c from ``c * stride``, ``lengths[c]`` long) moved up
    behind one another, in order (each moves down or stays, so one pass in order is safe); returns
    how long the joined list is."""
    k = 0
    for c in range(lengths.size):
        first = np.int64(c) * stride
        for j in range(first, first + lengths[c]):
            lists[k] = lists[j]
            k += 1
    return k


@numba.njit(cache=True, nogil=True, parallel=True)
def take(source, positions, out):
    """``np.take(source, positions, out=out)`` on every thread: each element on its own, so in any order."""
    for k in numba.prange(positions.size):
        out[k] = source[positions[k]]
    return out


@numba.njit(cache=True, nogil=True, parallel=True)
def clear_at(row, positions):
    """``row[positions] = 0``, compiled (numpy's fancy assignment takes several times as long)."""
    for k in numba.prange(positions.size):
        row[positions[k]] = 0
