"""A message's relevance to each consumer it reaches: it is written for its audience, so it fits a
consumer like the audience's members better than one unlike most of them.

A campaign's ``relevance`` is its message's relevance to a consumer typical of its audience. With
``response.tailoring = t``, a consumer ``i`` inside the audience gets ``relevance x (1 - t x d_i)``,
where ``d_i`` in [0, 1] is how unlike the audience ``i`` is: the mean, over age (by decade),
gender, region, occupation, income and interests, of the share of audience members who differ from
``i`` there (for interests: the mean over the tags the audience holds of ``|holds_i - prevalence|``).
A small, homogeneous niche is close to every member; "everyone" in a market of distinct personas is
far from most: a broad message is less relevant by itself. ``t = 0`` (the default) gives every
audience member the campaign's relevance, as before. Outside the audience relevance is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from ..scenario.schema import CATEGORICAL_FIELDS
from .population import Population

DIMENSIONS = 2 + len(CATEGORICAL_FIELDS)  # age by decade, the categorical fields, interests


@dataclass(frozen=True)
class Profile:
    """What an audience looks like: per value of each attribute, the share of members who differ."""

    decade_mismatch: np.ndarray  # per age decade (age // 10)
    field_mismatch: tuple[np.ndarray, ...]  # per categorical field, per category code
    tag_bits: np.ndarray  # uint64, one bit per tag some member holds
    prevalence: np.ndarray  # share of members holding each of those tags


def profile(members: np.ndarray, pop: Population) -> Profile | None:
    """The audience's profile; None for an empty audience (nobody to be relevant to)."""
    if members.size == 0:
        return None

    def mismatch(codes: np.ndarray, size: int) -> np.ndarray:
        return 1.0 - np.bincount(codes, minlength=size) / members.size

    decades = pop.age[members].astype(np.int64) // 10
    fields = tuple(mismatch(getattr(pop, f)[members].astype(np.int64), len(pop.categories[f]))
                   for f in CATEGORICAL_FIELDS)
    interests = pop.interests[members]
    bits = np.array([np.uint64(1) << np.uint64(k) for k in range(len(pop.categories["interests"]))], dtype=np.uint64)
    prevalence = np.array([np.count_nonzero(interests & bit) / members.size for bit in bits])
    held = prevalence > 0
    return Profile(mismatch(decades, 13), fields, bits[held], prevalence[held])


def distance(prof: Profile, consumers: np.ndarray, pop: Population) -> np.ndarray:
    """How unlike the audience each consumer is, in [0, 1] (the module's docstring)."""
    out = np.empty(consumers.size)
    _distances(consumers, pop.age, prof.decade_mismatch, tuple(getattr(pop, f) for f in CATEGORICAL_FIELDS),
               prof.field_mismatch, pop.interests, prof.tag_bits, prof.prevalence, out)
    return out


@numba.njit(cache=True, nogil=True, parallel=True)
def _distances(consumers, age, decade_mismatch, codes, mismatch, interests, tag_bits, prevalence, out):
    """``distance`` per consumer, on every thread: its attributes' mismatches added in the order numpy's
    array additions took (age, the categorical fields, the interests' mean), the same bits, without
    an array per term (at 1M, 26 ms a campaign against 3)."""
    last = decade_mismatch.size - 1
    for j in numba.prange(consumers.size):
        i = consumers[j]
        d = decade_mismatch[min(np.int64(age[i]) // 10, last)]
        for f in range(len(codes)):
            d += mismatch[f][codes[f][i]]
        if tag_bits.size:
            off = 0.0
            for t in range(tag_bits.size):
                held = 1.0 if interests[i] & tag_bits[t] != 0 else 0.0
                off += abs(held - prevalence[t])
            d += off / tag_bits.size
        out[j] = d / DIMENSIONS


def relevance_to(consumers: np.ndarray, relevance: float, tailoring: float, prof: Profile, pop: Population,
                 out: np.ndarray) -> np.ndarray:
    """The message's relevance to each of ``consumers`` inside the audience, written into ``out`` (a
    campaign computes it for everyone once per aim; without tailoring it is the campaign's relevance)."""
    np.multiply(relevance, 1.0 - tailoring * distance(prof, consumers, pop), out=out)
    return out
