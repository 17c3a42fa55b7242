"""Awareness: who has heard of each brand.

Paid contact and hearing from others make the unaware aware; the aware (not the lapsed, who know the
brand from use) forget at ``response.awareness_half_life`` before this step's news, so that a paid
contact this step makes a forgetter aware again, while talk reaches only those unaware as the step
began (docs/model.md, Awareness). One pass over the market per brand does both, on every thread
(in fixed chunks, ``chunks.py``), and keeps the per-segment state counts up to date.
"""

from __future__ import annotations

import numba
import numpy as np

from .chunks import bounds, chunks
from .draws import uniform
from .prospects import Prospects

UNAWARE, AWARE = 0, 1


DRAWN = 1024  # numbers drawn at a time into a buffer that stays in a core's own cache


def _forget_and_hear_kernel(over_prospects: bool):
    """The kernel below; ``over_prospects`` (where customers stay, ``prospects.py``) compiles in a first
    loop over each chunk's prospects, the only ones who may be aware or unaware."""

    @numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
    def forget_and_hear(state, hearing, key, step, forget, segment, contacted, u, may_change, became_aware,
                        prospects, prospect_count):
        """The aware forget with probability ``forget`` (talk this step does not keep them aware); the
        unaware who hear talk (hazard ``hearing``) become aware; then a paid contact makes the unaware
        aware (``contacted``: in index order, each once). They are different consumers, so one
        number per consumer (its uniform for ``key`` on ``step``) serves both. The few who may change are
        listed in the work array ``may_change``, with their numbers in the work array ``u`` at the same
        places; only they are decided. ``became_aware[chunk, segment]`` is each chunk's net change in the aware.

        Where the aware forget, most consumers need their number: all draw, ``DRAWN`` at a time in a
        loop without branches that draws several at once and flags the aware whose number is below
        ``forget`` and the unaware whose number is below h (which bounds their chance, 1 - exp(-h)); a
        second loop lists the flagged, a branch seldom taken and so well predicted (listing every consumer
        at a place that moves only for the flagged took 1.5 ms more a step at 1M, 2026-12-07). Where nobody
        forgets, only the unaware who hear need one: they are listed first, without a branch (a branch per
        consumer on its state cost twice the whole pass), and only they draw."""
        n = state.size
        forgetting = forget > 0.0
        for c in numba.prange(chunks(n)):
            start, end = bounds(c, n)
            became_aware[c, :] = 0
            k = start
            if over_prospects:  # the prospects who may change (customers cannot), each with its number
                for j in range(start, start + prospect_count[c]):
                    i = np.int64(prospects[j])
                    if (state[i] == AWARE and forgetting) or (state[i] == UNAWARE and hearing[i] > 0.0):
                        may_change[k], u[k] = i, uniform(key, step, i)
                        k += 1
            elif forgetting:
                drawn, may = np.empty(DRAWN), np.empty(DRAWN, np.bool_)
                for first in range(start, end, DRAWN):
                    # slices indexed from 0: indexed by consumer, the loops were slower
                    known, hears = state[first:min(first + DRAWN, end)], hearing[first:min(first + DRAWN, end)]
                    for x in range(known.size):
                        s, v = known[x], uniform(key, step, first + x)
                        drawn[x] = v
                        may[x] = ((s == AWARE) & (v < forget)) | ((s == UNAWARE) & (v < hears[x]))
                    for x in range(known.size):
                        if may[x]:
                            may_change[k], u[k] = first + x, drawn[x]
                            k += 1
            else:
                known, hears = state[start:end], hearing[start:end]
                for x in range(known.size):
                    may_change[k] = start + x
                    k += np.int64((known[x] == UNAWARE) & (hears[x] > 0.0))
                listening, numbers = may_change[start:k], u[start:k]
                for j in range(numbers.size):  # over slices, as in draws.uniforms (faster than over the places)
                    numbers[j] = uniform(key, step, listening[j])
            for j in range(start, k):
                i = may_change[j]
                if state[i] == AWARE:
                    if u[j] < forget:
                        state[i] = UNAWARE
                        became_aware[c, segment[i]] -= 1
                elif u[j] < hearing[i] and u[j] < -np.expm1(-hearing[i]):  # 1 - exp(-h) <= h: most are spared the exp
                    state[i] = AWARE
                    became_aware[c, segment[i]] += 1
            for j in range(np.searchsorted(contacted, start), np.searchsorted(contacted, end)):
                i = contacted[j]
                if state[i] == UNAWARE:
                    state[i] = AWARE
                    became_aware[c, segment[i]] += 1

    return forget_and_hear


_forget_and_hear = {over: _forget_and_hear_kernel(over) for over in (False, True)}
NONE_LISTED = Prospects(np.zeros(0, np.int32), np.zeros(0, np.int64))


def update_awareness(state: np.ndarray, hearing: np.ndarray, contacted: list[np.ndarray], forget: float,
                     segment: np.ndarray, counts: np.ndarray, keys: list[np.ndarray], step: int, u: np.ndarray,
                     may_change: np.ndarray, prospects: Prospects | None = None) -> None:
    """One step of awareness for every brand b: ``state[b]`` and ``counts[b]`` change in place;
    ``contacted[b]`` are the consumers b's paid contacts reached, in index order, each once; ``u``
    (float) and ``may_change`` (int32: a consumer index) are work arrays of one entry per consumer.

    Forgetting comes before this step's news, so that what was just heard is not forgotten at
    once. A consumer's number is its uniform from the brand's own key (``keys[b]``) for this step
    (``draws.py``), so runs differing in one brand's campaigns keep common random numbers. Given
    ``prospects`` (where customers stay), only they are looked at: the same consumers change.
    """
    became_aware = np.empty((chunks(state.shape[1]), counts.shape[2]), dtype=np.int64)
    for b, key in enumerate(keys):
        _forget_and_hear[prospects is not None](state[b], hearing[b], key, step, forget, segment, contacted[b], u,
                                                may_change, became_aware, *(prospects or NONE_LISTED))
        change = became_aware.sum(axis=0)
        counts[b, AWARE] += change
        counts[b, UNAWARE] -= change
