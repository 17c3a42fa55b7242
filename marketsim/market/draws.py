"""Counter-based random numbers: a consumer's number for a purpose on a step is a function of a key
and those indices, not the next number of a stream.

Philox4x32-10 (Salmon, Moraes, Dror and Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3";
the Random123 library) turns a 128-bit counter and a 64-bit key into 128 random bits. Each purpose
(the events of adoption and churn, each brand's awareness) has its own key, drawn from its spawned
``SeedSequence``; the counter is (consumer, step, 0, consumer's high word). So only the consumers
who need a number compute one, in any order and on any thread, and two runs that differ in who needs
one (a brand's campaigns switched off, for lift) still give every consumer the same number: common
random numbers at the cost of the candidates alone. tests/test_draws.py checks the generator
against Random123's published known-answer vectors and the uniforms for uniformity and independence.
"""

from __future__ import annotations

import numba
import numpy as np

from .chunks import bounds, chunks

ROUNDS = 10
M0, M1 = 0xD2511F53, 0xCD9E8D57  # Philox4x32's multipliers
W0, W1 = 0x9E3779B9, 0xBB67AE85  # its key schedule's increments (golden ratio, sqrt(3) - 1)
LOW = 0xFFFFFFFF


def key_of(seeds: np.random.SeedSequence) -> np.ndarray:
    """A purpose's 64-bit key, as two 32-bit words, from its spawned seed sequence."""
    return seeds.generate_state(2, np.uint32)


@numba.njit(cache=True, nogil=True, inline="always")
def philox(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1): four 32-bit words."""
    c0, c1, c2, c3 = np.uint32(c0), np.uint32(c1), np.uint32(c2), np.uint32(c3)
    k0, k1 = np.uint32(k0), np.uint32(k1)
    for _ in range(ROUNDS):
        p0 = np.uint64(M0) * np.uint64(c0)
        p1 = np.uint64(M1) * np.uint64(c2)
        c0, c1, c2, c3 = (np.uint32(p1 >> np.uint64(32)) ^ c1 ^ k0, np.uint32(p1 & np.uint64(LOW)),
                          np.uint32(p0 >> np.uint64(32)) ^ c3 ^ k1, np.uint32(p0 & np.uint64(LOW)))
        # in 64 bits and cut to 32: the same sums, without numpy's overflow warning when the JIT is off
        k0 = np.uint32((np.uint64(k0) + np.uint64(W0)) & np.uint64(LOW))
        k1 = np.uint32((np.uint64(k1) + np.uint64(W1)) & np.uint64(LOW))
    return c0, c1, c2, c3


@numba.njit(cache=True, nogil=True, inline="always")
def uniform(key, step, consumer):
    """Consumer's uniform in [0, 1) for the purpose ``key`` on ``step``: 53 random bits, as numpy
    makes a double from two 32-bit words. ``consumer`` may be a 32-bit index (a work list's)."""
    consumer = np.int64(consumer)
    a, b, _, _ = philox(consumer & LOW, step, 0, consumer >> 32, key[0], key[1])
    return ((a >> np.uint32(5)) * 67108864.0 + (b >> np.uint32(6))) / 9007199254740992.0


@numba.njit(cache=True, nogil=True, parallel=True)
def uniforms(key, step, lists, lengths, stride, out):
    """``out[j]``: the uniform for ``key`` on ``step`` of consumer ``lists[j]``, for lists each written from
    its own place (list c from ``c * stride``, ``lengths[c]`` long, as ``chunks.joined`` takes them; one
    list: ``lengths = [size]``), a list to a thread at a time; returns ``out``."""
    for c in numba.prange(lengths.size):
        first = np.int64(c) * stride
        consumers, numbers = lists[first:first + lengths[c]], out[first:first + lengths[c]]
        for j in range(consumers.size):  # over slices: the loop vectorises (over the places, it did not)
            numbers[j] = uniform(key, step, consumers[j])
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def below(n, key, step, stream, k):
    """The k-th whole number in [0, n) for ``key`` on ``step`` in ``stream``: 64 random bits times n, the top
    64 bits of the product (Lemire 2019's multiply, without its rejection step: an outcome is at most n / 2**64
    more likely than another, 5e-14 at a million). n must be below 2**32."""
    a, b, _, _ = philox(k & LOW, step, stream, k >> 32, key[0], key[1])
    n = np.uint64(n)
    return np.int64((np.uint64(a) * n + ((np.uint64(b) * n) >> np.uint64(32))) >> np.uint64(32))


@numba.njit(cache=True, nogil=True, parallel=True)
def whole_numbers(n, key, step, stream, out):
    """``out[k] = below(n, key, step, stream, k)`` for every k, in chunks of a fixed size on every thread
    (each number on its own, so in any order); returns ``out``."""
    for c in numba.prange(chunks(out.size)):
        first, last = bounds(c, out.size)
        numbers = out[first:last]
        for j in range(numbers.size):  # over a slice: the loop vectorises
            numbers[j] = below(n, key, step, stream, first + j)
    return out
