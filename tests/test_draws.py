"""The counter-based generator (draws.py): Philox4x32-10 as published, and uniforms that are uniform,
independent across consumers, steps and purposes, and the same whoever else draws; whole numbers below
n (a campaign's impressions) that are the top bits of Philox's 64 bits times n, uniform and independent.

Also run with NUMBA_DISABLE_JIT=1 (.ci/run), where the kernels are plain Python.
"""

import numba
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from marketsim.market.draws import below, key_of, philox, uniform, uniforms, whole_numbers

JIT = not numba.config.DISABLE_JIT
# Random123's known-answer vectors for Philox4x32-10 (its tests/kat_vectors): counter, key, output
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]
MANY = 1_000_000 if JIT else 20_000


def philox_numpy(counter: np.ndarray, key: tuple[int, int]) -> np.ndarray:
    """Philox4x32-10 written from the paper in numpy, for (m, 4) counters: the reference the kernel must equal."""
    c = counter.astype(np.uint64)
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    low = np.uint64(0xFFFFFFFF)
    for _ in range(10):
        p0, p1 = np.uint64(0xD2511F53) * c[:, 0], np.uint64(0xCD9E8D57) * c[:, 2]
        c = np.stack([(p1 >> np.uint64(32)) ^ c[:, 1] ^ k0, p1 & low, (p0 >> np.uint64(32)) ^ c[:, 3] ^ k1, p0 & low],
                     axis=1)
        k0, k1 = (k0 + np.uint64(0x9E3779B9)) & low, (k1 + np.uint64(0xBB67AE85)) & low
    return c.astype(np.uint32)


@numba.njit
def _philox(c, k):
    return philox(c[0], c[1], c[2], c[3], k[0], k[1])


def test_known_answers():
    for counter, key, expected in KNOWN_ANSWERS:
        assert tuple(int(w) for w in _philox(np.array(counter, np.uint32), np.array(key, np.uint32))) == expected
        assert tuple(philox_numpy(np.array([counter], np.uint32), key)[0].tolist()) == expected


@settings(max_examples=40, deadline=None)
@given(key=st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)), step=st.integers(0, 2**32 - 1),
       consumers=st.lists(st.integers(0, 2**40), min_size=1, max_size=50))
def test_uniforms_are_philox_of_consumer_and_step(key, step, consumers):
    """A consumer's uniform is 53 bits of Philox of (consumer's low word, step, 0, consumer's high word),
    as numpy makes a double of two words; one at a time or many at once, the same."""
    consumers = np.array(consumers, np.int64)
    counter = np.stack([consumers & 0xFFFFFFFF, np.full(consumers.size, step), np.zeros(consumers.size, np.int64),
                        consumers >> 32], axis=1)
    words = philox_numpy(counter, key).astype(np.float64)
    expected = (np.floor(words[:, 0] / 32) * 67108864.0 + np.floor(words[:, 1] / 64)) / 2.0**53
    k = np.array(key, np.uint32)
    got = uniforms(k, step, consumers, np.array([consumers.size]), 0, np.empty(consumers.size))
    assert np.array_equal(got, expected)
    assert [uniform(k, step, c) for c in consumers.tolist()] == got.tolist()


def test_uniform_and_independent():
    """Over a million consumers: uniform on [0, 1) (Kolmogorov-Smirnov and a chi-square of 100 bins),
    and no correlation between neighbouring consumers, consecutive steps or two purposes' keys."""
    consumers = np.arange(MANY, dtype=np.int64)
    key, other = key_of(np.random.SeedSequence(7)), key_of(np.random.SeedSequence(8))
    u = uniforms(key, 3, consumers, np.array([MANY]), 0, np.empty(MANY))
    assert 0.0 <= u.min() and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    assert stats.chisquare(np.bincount((u * 100).astype(int), minlength=100)).pvalue > 1e-4
    next_step = uniforms(key, 4, consumers, np.array([MANY]), 0, np.empty(MANY))
    other_purpose = uniforms(other, 3, consumers, np.array([MANY]), 0, np.empty(MANY))
    for a, b in ((u[:-1], u[1:]), (u, next_step), (u, other_purpose)):
        assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(MANY)  # five standard errors


def test_a_consumers_number_does_not_depend_on_who_else_draws():
    """Common random numbers at the cost of the candidates: drawing for a few gives what drawing for all gives."""
    key = key_of(np.random.SeedSequence(3))
    everyone = uniforms(key, 12, np.arange(5000, dtype=np.int64), np.array([5000]), 0, np.empty(5000))
    few = np.array([4999, 17, 3, 2500], np.int64)
    assert np.array_equal(uniforms(key, 12, few, np.array([few.size]), 0, np.empty(few.size)), everyone[few])
    # lists each from its own place (a chunk's candidates): only their places are written
    lists, out = np.full(30, -1, np.int64), np.full(30, np.nan)
    lists[0:3], lists[5:6], lists[20:24] = [4, 9, 4000], [17], [3, 5, 6, 4999]
    uniforms(key, 12, lists, np.array([3, 1, 0, 0, 4]), 5, out)  # list c from 5 c: empty lists 2 and 3
    written = lists >= 0
    assert np.array_equal(out[written], everyone[lists[written]]) and np.isnan(out[~written]).all()


@settings(max_examples=40, deadline=None)
@given(key=st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)), step=st.integers(0, 2**32 - 1),
       stream=st.integers(0, 1), n=st.one_of(st.integers(1, 10), st.integers(1, 2**32 - 1)),
       size=st.integers(0, 70))
def test_whole_numbers_are_the_top_bits_of_philox_times_n(key, step, stream, n, size):
    """The k-th number below n is floor(r n / 2**64), r the first two words of Philox of (k's low word,
    step, stream, k's high word) as one 64-bit number, worked out here in Python's exact integers; all at
    once (on the threads) or one at a time, the same; a longer draw begins with a shorter one."""
    k = np.arange(size, dtype=np.int64) + (2**33 if size % 2 else 0)  # some with a high word
    counter = np.stack([k & 0xFFFFFFFF, np.full(size, step), np.full(size, stream), k >> 32], axis=1)
    words = philox_numpy(counter, key).tolist() if size else []
    expected = [((a << 32 | b) * n) >> 64 for a, b, _, _ in words]
    assert all(0 <= x < n for x in expected)
    kk = np.array(key, np.uint32)
    assert [below(n, kk, step, stream, int(j)) for j in k] == expected
    if size and not size % 2:  # from k = 0: whole_numbers' own counter
        got = whole_numbers(n, kk, step, stream, np.empty(size, np.int64))
        assert got.tolist() == expected
        assert np.array_equal(whole_numbers(n, kk, step, stream, np.empty(size // 2, np.int64)), got[:size // 2])


def test_whole_numbers_are_uniform_and_independent():
    """A million numbers below 7 and below a million: each outcome as likely (chi-square), and no
    correlation between neighbours, the two streams of a step, two steps or two campaigns' keys."""
    key, other = key_of(np.random.SeedSequence(5)), key_of(np.random.SeedSequence(6))
    size = MANY if JIT else MANY // 4  # as Python (JIT off), a quarter: the same checks, in about 3 s
    for n in (7, 1_000_000):
        x = whole_numbers(n, key, 9, 0, np.empty(size, np.int64))
        assert 0 <= x.min() and x.max() < n
        bins = np.bincount(x if n < 100 else x * 100 // n, minlength=min(n, 100))
        assert stats.chisquare(bins).pvalue > 1e-4
        for y in (x[1:], whole_numbers(n, key, 9, 1, np.empty(size, np.int64)),
                  whole_numbers(n, key, 10, 0, np.empty(size, np.int64)),
                  whole_numbers(n, other, 9, 0, np.empty(size, np.int64))):
            assert abs(np.corrcoef(x[:y.size], y)[0, 1]) < 5 / np.sqrt(size)
