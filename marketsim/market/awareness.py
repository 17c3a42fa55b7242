"""Awareness: who has heard of each brand.

Paid contact and hearing from others make the unaware aware; the aware (not the lapsed, who know the
brand from use) forget at ``response.awareness_half_life`` before this step's news, so that a paid
contact this step makes a forgetter aware again, while talk reaches only those unaware as the step
began (docs/model.md, Awareness). One pass over the market per brand does both, and keeps the
per-segment state counts up to date as it goes.
"""

from __future__ import annotations

import numba
import numpy as np

from .draws import uniforms_at

UNAWARE, AWARE = 0, 1


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _forget_and_hear(state, hearing, u, forget, segment, counts):
    """The aware forget with probability ``forget`` (talk this step does not keep them aware); the
    unaware who hear talk (hazard ``hearing``) become aware. They are different consumers, so one
    number ``u`` per consumer serves both. ``counts[state, segment]`` follows every change."""
    for i in range(state.size):
        s = state[i]
        if s == AWARE and u[i] < forget:
            state[i] = UNAWARE
            counts[AWARE, segment[i]] -= 1
            counts[UNAWARE, segment[i]] += 1
        elif s == UNAWARE and hearing[i] > 0 and u[i] < -np.expm1(-hearing[i]):
            state[i] = AWARE
            counts[UNAWARE, segment[i]] -= 1
            counts[AWARE, segment[i]] += 1


@numba.njit(cache=True, nogil=True)
def _listening(state, hearing, positions):
    """The unaware who hear talk, in index order; returns how many there are."""
    k = 0
    for i in range(state.size):
        positions[k] = i  # kept only if i listens: no branch to mispredict
        k += (state[i] == UNAWARE) & (hearing[i] > 0)
    return k


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _hear(state, hearing, listening, u, segment, counts):
    """The listening unaware become aware with probability ``1 - exp(-hearing)``; ``u[k]`` is
    listener k's number."""
    for k in range(listening.size):
        i = listening[k]
        if u[k] < -np.expm1(-hearing[i]):
            state[i] = AWARE
            counts[UNAWARE, segment[i]] -= 1
            counts[AWARE, segment[i]] += 1


@numba.njit(cache=True, nogil=True)
def _contacted(state, consumers, segment, counts):
    """A paid contact makes the unaware aware."""
    for k in range(consumers.size):
        i = consumers[k]
        if state[i] == UNAWARE:
            state[i] = AWARE
            counts[UNAWARE, segment[i]] -= 1
            counts[AWARE, segment[i]] += 1


def update_awareness(state: np.ndarray, hearing: np.ndarray, contacted: list[np.ndarray], forget: float,
                     segment: np.ndarray, counts: np.ndarray, rngs: list[np.random.Generator],
                     uniform: np.ndarray, positions: np.ndarray) -> None:
    """One step of awareness for every brand b: ``state[b]`` and ``counts[b]`` change in place;
    ``uniform`` and ``positions`` are work arrays of one entry per consumer.

    Forgetting comes before this step's news, so that what was just heard is not forgotten at
    once. Every consumer has a number from the brand's own stream whether or not it can change,
    so that runs differing in one brand's campaigns keep common random numbers. Without
    forgetting only the listeners use theirs, and the stream jumps over the others when they are
    few (``uniforms_at``).
    """
    n = state.shape[1]
    for b, rng in enumerate(rngs):
        if forget > 0:
            rng.random(out=uniform)
            _forget_and_hear(state[b], hearing[b], uniform, forget, segment, counts[b])
        else:
            listening = positions[:_listening(state[b], hearing[b], positions)]
            _hear(state[b], hearing[b], listening, uniforms_at(rng, n, listening, uniform), segment, counts[b])
        _contacted(state[b], contacted[b], segment, counts[b])
