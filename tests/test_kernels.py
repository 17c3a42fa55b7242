"""Every numba kernel of awareness, loyalty, buying (purchase clocks, expected shares), word of mouth
and the network builders equals its plain-numpy reference (tests/reference_kernels.py) on small
random inputs, edge cases included: no consumers, one consumer, one brand and several, zero rates,
consumers repeated.

The references sum and multiply in the kernels' order, so the results are compared to the bit.
These tests also run with NUMBA_DISABLE_JIT=1 (.ci/run), fewer examples then, so that coverage and
tracebacks see the kernels' Python.
"""

from __future__ import annotations

import numba
import numpy as np
import reference_kernels as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from marketsim.market import awareness, buying, loyalty, network, wom
from marketsim.market.awareness import AWARE, UNAWARE
from marketsim.market.chunks import CHUNK, chunks, clear_at, joined, take
from marketsim.market.draws import uniforms
from marketsim.market.prospects import prospects_of
from marketsim.market.state import CUSTOMER

JIT = not numba.config.DISABLE_JIT
OTHER_STATES = (2, 3)  # customer, lapsed: states that awareness leaves alone


def examples(n: int) -> settings:
    """``n`` examples compiled; a fifth of them when the kernels run as Python."""
    return settings(max_examples=n if JIT else max(5, n // 5), deadline=None)


seeds = st.integers(0, 2**32 - 1)
sizes = st.one_of(st.sampled_from([0, 1, 2]), st.integers(3, 400))
# markets of several chunks (chunks.py), compiled only: as Python, a pass over them takes seconds
several_chunks = st.sampled_from([CHUNK - 1, CHUNK + 3, 2 * CHUNK + 5]) if JIT else st.nothing()


def states(rng, shape):
    return rng.choice(np.array([awareness.UNAWARE, awareness.AWARE, *OTHER_STATES], dtype=np.int8), shape)


def hearing(rng, shape, talk):
    """Talk heard: zero for most when ``talk`` is small; zero, tiny and large hazards occur."""
    h = rng.exponential(1.0, shape) * rng.choice([1e-9, 1.0, 30.0], shape)
    return np.where(rng.random(shape) < talk, h, 0.0)


def segments_of(rng, n, segments):
    return rng.integers(0, segments, n).astype(np.int16)


# --- awareness ------------------------------------------------------------------------------

@examples(60)
@given(seed=seeds, n=st.one_of(sizes, several_chunks), segments=st.integers(1, 3),
       forget=st.sampled_from([0.0, 0.2, 1.0]), talk=st.sampled_from([0.0, 0.3, 1.0]))
def test_forget_and_hear(seed, n, segments, forget, talk):
    """Consumer i's number is its uniform under the brand's key on the step (draws.py), whichever chunk it is in."""
    rng = np.random.default_rng(seed)
    state, heard, segment = states(rng, n), hearing(rng, n, talk), segments_of(rng, n, segments)
    key, step = rng.integers(0, 2**32, 2).astype(np.uint32), int(rng.integers(0, 10_000))
    u = uniforms(key, step, np.arange(n), np.array([n]), 0, np.empty(n))
    counts = ref.tally(state, segment, (4, segments))
    expected_state, expected_counts = ref.forget_and_hear(state, heard, u, forget, segment, counts)
    became_aware = np.full((chunks(n), segments), 99, np.int64)
    awareness._forget_and_hear[False](state, heard, key, step, forget, segment, np.zeros(0, np.int64), np.empty(n),
                                      np.empty(n, np.int64), became_aware, *awareness.NONE_LISTED)
    assert np.array_equal(state, expected_state)
    change = became_aware.sum(axis=0)
    assert np.array_equal(counts[AWARE] + change, expected_counts[AWARE])
    assert np.array_equal(counts[UNAWARE] - change, expected_counts[UNAWARE])


@examples(60)
@given(seed=seeds, n=st.one_of(sizes, several_chunks), segments=st.integers(1, 3), contacts=st.integers(0, 600))
def test_contacted(seed, n, segments, contacts):
    """Paid contacts alone (no talk, no forgetting), over one chunk or several."""
    rng = np.random.default_rng(seed)
    state, segment = states(rng, n), segments_of(rng, n, segments)
    consumers = np.unique(rng.integers(0, max(n, 1), contacts if n else 0))
    counts = ref.tally(state, segment, (4, segments))
    expected_state, expected_counts = ref.contacted(state, consumers, segment, counts)
    became_aware = np.full((chunks(n), segments), 99, np.int64)
    awareness._forget_and_hear[False](state, np.zeros(n), np.zeros(2, np.uint32), 1, 0.0, segment, consumers,
                                      np.empty(n), np.empty(n, np.int64), became_aware, *awareness.NONE_LISTED)
    assert np.array_equal(state, expected_state)
    change = became_aware.sum(axis=0)
    assert np.array_equal(counts[AWARE] + change, expected_counts[AWARE])
    assert np.array_equal(counts[UNAWARE] - change, expected_counts[UNAWARE])


@examples(40)
@given(seed=seeds, n=st.one_of(sizes, st.integers(2_000, 5_000), several_chunks), brands=st.integers(1, 3),
       segments=st.integers(1, 3), forget=st.sampled_from([0.0, 0.0, 0.1]),
       talk=st.sampled_from([0.0, 0.0005, 0.2]), over_prospects=st.booleans())
def test_update_awareness(seed, n, brands, segments, forget, talk, over_prospects):
    """The whole step, each brand under its own key; for one brand, also looking at its prospects only
    (``prospects.py``: its non-customers)."""
    rng = np.random.default_rng(seed)
    state, heard, segment = states(rng, (brands, n)), hearing(rng, (brands, n), talk), segments_of(rng, n, segments)
    counts = np.stack([ref.tally(s, segment, (4, segments)) for s in state])
    contacts = [np.unique(rng.integers(0, max(n, 1), rng.integers(0, 50) if n else 0)) for _ in range(brands)]
    keys, step = list(rng.integers(0, 2**32, (brands, 2)).astype(np.uint32)), int(rng.integers(0, 400))
    expected_state, expected_counts = ref.update_awareness(state, heard, contacts, forget, segment, counts, keys, step)
    one_brand_listed = over_prospects and brands == 1
    listed = prospects_of(np.where(state[0] == CUSTOMER, 0, -1).astype(np.int16)) if one_brand_listed else None
    awareness.update_awareness(state, heard, contacts, forget, segment, counts, keys, step, np.empty(n),
                               np.empty(n, np.int64), listed)
    assert np.array_equal(state, expected_state)
    assert np.array_equal(counts, expected_counts)


# --- loyalty --------------------------------------------------------------------------------

@examples(60)
@given(seed=seeds, n=st.one_of(sizes, several_chunks), brands=st.integers(1, 3),
       segments=st.integers(1, 3),
       gain=st.sampled_from([0.0, 0.7, 50.0]), reach=st.sampled_from([0.0, 0.3, 1.0]))
def test_update_loyalty(seed, n, brands, segments, gain, reach):
    rng = np.random.default_rng(seed)
    current = rng.integers(-1, brands, n).astype(np.int16)
    value = np.where(current >= 0, rng.random(n), 0.0)
    target, keep = rng.random(n) * (current >= 0), rng.choice([0.0, 0.5, 0.99, 1.0], n)
    segment = segments_of(rng, n, segments)
    # each brand's contacts: distinct consumers in index order, customers of any brand or of none
    bonded = [np.flatnonzero(rng.random(n) < reach) for _ in range(brands)]
    starts = np.cumsum([0, *(b.size for b in bonded)])
    bonded = np.concatenate([np.zeros(0, np.int64), *bonded])
    personal = rng.exponential(1.0, bonded.size) * (rng.random(bonded.size) < 0.9)
    expected, expected_sum = ref.update_loyalty(value, target, keep, current, segment, bonded, personal, starts,
                                                gain, (brands, segments))
    loyalty_sum = np.full((brands, segments), np.nan)  # rewritten, not added to
    loyalty.update_loyalty(value, target, keep, current, segment, bonded, personal, starts, gain, loyalty_sum)
    assert np.array_equal(value, expected)
    if n <= CHUNK:  # one chunk: summed in the reference's order
        assert np.array_equal(loyalty_sum, expected_sum)
    else:  # chunk by chunk, then the chunks' sums
        assert np.allclose(loyalty_sum, expected_sum, rtol=1e-12, atol=0)


# --- buying ---------------------------------------------------------------------------------

@examples(40)
@given(seed=seeds, n=st.one_of(sizes, several_chunks), brands=st.integers(1, 3), segments=st.integers(1, 3))
def test_wind_down(seed, n, brands, segments):
    """The purchase clocks, chunk by chunk, equal the reference; the due are listed in index order."""
    rng = np.random.default_rng(seed)
    current = rng.integers(-1, brands, n).astype(np.int16)
    segment = segments_of(rng, n, segments)
    rate_by_segment = np.where(rng.random(segments) < 0.5, np.nan, rng.random(segments))
    rate_by_brand, propensity = rng.random(brands), rng.gamma(1.0, 1.0, n)
    clock = rng.standard_exponential(n)
    expected_clock = clock.copy()
    expected = ref.wind_down(current, segment, rate_by_brand, rate_by_segment, propensity, 0.7, expected_clock)
    due = np.full(n, -1, dtype=np.int64)
    k = buying._wind_down(current, segment, rate_by_brand, rate_by_segment, propensity, 0.7, clock, due)
    assert np.array_equal(clock, expected_clock)
    assert np.array_equal(due[:k], expected)


@examples(40)
@given(seed=seeds, n=st.one_of(sizes, several_chunks), brands=st.integers(1, 3), segments=st.integers(1, 3),
       repertoire=st.sampled_from([0.0, 0.4, 1.0]), customers=st.sampled_from([0.0, 0.2, 1.0]))
def test_expected_shares(seed, n, brands, segments, repertoire, customers):
    """Each brand's expected buying per segment, chunk by chunk over the customers, equals the
    reference, to the bit: the same sums in the same order."""
    rng = np.random.default_rng(seed)
    current = np.where(rng.random(n) < customers, rng.integers(0, brands, n), -1).astype(np.int16)
    state = states(rng, (brands, n))
    for b in range(brands):
        state[b, current == b] = 2  # customer
    fit = rng.random((brands, n)) * (rng.random((brands, n)) < 0.8)  # some fit nothing: none known may appeal
    appeal, segment = rng.random((brands, segments)) + 0.5, segments_of(rng, n, segments)
    loyalty, propensity = rng.random(n) * (current >= 0), rng.gamma(1.0, 1.0, n)
    held = np.zeros((brands, segments))
    buying._expected_shares(current, loyalty, state, fit, appeal, segment, propensity, repertoire, held)
    expected = ref.expected_shares(current, loyalty, state, fit, appeal, segment, propensity, repertoire, segments,
                                   CHUNK, buying.LANES)
    assert np.array_equal(held, expected)


# --- word of mouth --------------------------------------------------------------------------

def random_graph(rng, n, pairs):
    return ref.csr(rng.integers(0, n, pairs), rng.integers(0, n, pairs), n)


@examples(60)
@given(seed=seeds, n=st.integers(1, 300), pairs=st.integers(0, 1_500), talkers=st.integers(0, 400))
def test_spread(seed, n, pairs, talkers):
    rng = np.random.default_rng(seed)
    indptr, indices = random_graph(rng, n, pairs)
    nodes = rng.integers(0, n, talkers)  # repeats among them
    weights = rng.normal(0.0, 1.0, talkers)  # joining and leaving: both signs
    out = rng.random(n)
    expected = ref.spread(indptr, indices, nodes, weights, out)
    wom._spread(indptr, indices, nodes, weights, out)
    assert np.array_equal(out, expected)


@examples(60)
@given(seed=seeds, n=st.integers(1, 200), brands=st.integers(1, 3), networked=st.booleans(),
       fades=st.booleans())
def test_heard_by(seed, n, brands, networked, fades):
    rng = np.random.default_rng(seed)
    width, buzz_width = (n if networked else 1), (n if networked and fades else 1)
    sums = rng.normal(0.0, 1.0, (2, brands, width)) * rng.integers(0, 2, (2, brands, width))  # some below zero
    buzz = rng.random((2, brands, buzz_width)) * fades
    scale = rng.uniform(1e-3, 1.0) if fades else 1.0  # what a step's fading has left of the kept buzz
    inv_contacts = 1.0 / rng.integers(1, 20, width) if networked else np.array([1.0 / max(n - 1, 1)])
    for b in range(brands):
        pos, neg = ref.heard(sums, buzz * scale, inv_contacts, b)
        got = np.array([wom.heard_by(sums, buzz, scale, inv_contacts, b, i) for i in range(n)]).reshape(n, 2)
        assert np.array_equal(got[:, 0], np.broadcast_to(pos, n))
        assert np.array_equal(got[:, 1], np.broadcast_to(neg, n))


# --- network --------------------------------------------------------------------------------

@examples(60)
@given(seed=seeds, length=st.sampled_from([0, 1, 2, network.SHORT_ROW - 1, network.SHORT_ROW,
                                           network.SHORT_ROW + 1, 300]), spread=st.integers(1, 1000))
def test_sort_row(seed, length, spread):
    row = np.random.default_rng(seed).integers(0, spread, length).astype(np.int32)  # repeats when spread is small
    expected = np.sort(row)
    network._sort_row(row)
    assert np.array_equal(row, expected)


@examples(60)
@given(seed=seeds, n=st.integers(1, 300), pairs=st.integers(0, 2_000), wide=st.booleans())
def test_csr_arrays(seed, n, pairs, wide):
    rng = np.random.default_rng(seed)
    span = max(1, min(n, int(rng.integers(1, 20))))  # a few consumers: many self-loops and repeats
    u, v = rng.integers(0, span, pairs), rng.integers(0, span, pairs)
    u, v = (u, v) if wide else (u.astype(np.int32), v.astype(np.int32))  # edge files give int64, generators int32
    expected_indptr, expected_indices = ref.csr(u, v, n)
    indptr, indices = network._csr_arrays(u, v, n)
    assert np.array_equal(indptr, expected_indptr)
    assert np.array_equal(indices[:indptr[-1]], expected_indices)


def cdf_of(rng, n, grid):
    """A cdf as scale_free builds it, with plateaus (zero weights) now and then; or one whose
    values lie on the guide's slice starts k / n, where rounding decides."""
    if grid:
        steps = rng.integers(0, n + 1, 3)  # few distinct values: long plateaus, a first value far from 0
        return np.concatenate([np.sort(rng.choice(steps, n - 1)), [n]]) / n
    weight = rng.random(n) * (rng.random(n) < 0.8)
    weight[rng.integers(0, n)] = 1.0
    cdf = np.cumsum(weight)
    return cdf / cdf[-1]


@examples(100)
@given(seed=seeds, n=st.one_of(st.integers(1, 3), st.integers(4, 2_000)), draws=st.integers(0, 500),
       grid=st.booleans())
def test_cdf_guide_and_draw(seed, n, draws, grid):
    rng = np.random.default_rng(seed)
    cdf = cdf_of(rng, n, grid)
    guide = network._cdf_guide(cdf)
    assert np.array_equal(guide, ref.cdf_guide(cdf))
    starts = np.arange(n + 1) / n
    edges = np.concatenate([[0.0], cdf, starts, np.nextafter(cdf, 0.0), np.nextafter(starts, 0.0)])  # ties, rounding
    x = np.concatenate([rng.random(draws), edges[(edges >= 0.0) & (edges < 1.0)]])
    out = np.full(x.size, -1, dtype=np.int32)
    network._draw_from_cdf(cdf, guide, x, out)
    assert np.array_equal(out, ref.draw_from_cdf(cdf, x))


@examples(60)
@given(seed=seeds, n=st.integers(1, 300), groups=st.integers(1, 4), links=st.integers(0, 300),
       homophily=st.sampled_from([0.0, 0.6, 1.0]))
def test_ends_inside_and_outside(seed, n, groups, links, homophily):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, groups, n).astype(np.int16)  # a group may be empty, or everyone
    order = np.argsort(group, kind="stable").astype(np.int32)  # as homophilous() builds them
    sizes = np.bincount(group)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    groups = network.Groups(group, order, start, sizes)
    u = rng.integers(0, n, links).astype(np.int32)
    inside = rng.random(links) < homophily
    draws = np.where(rng.random(links) < 0.1, np.nextafter(1.0, 0.0), rng.random(links))  # the top of [0, 1)
    expected_inside, expected_v = ref.ends_inside(u, inside, draws, group)
    v = np.full(links, -1, dtype=np.int32)
    network._ends_inside(u, inside, draws, groups, v)
    assert np.array_equal(inside, expected_inside)
    assert np.array_equal(v, expected_v)
    draws = rng.random(links)
    expected_v = ref.ends_outside(inside, draws, order, start, sizes, v)
    network._ends_outside(inside, draws, groups, v)
    assert np.array_equal(v, expected_v)


# --- chunks: gathers and clears on every thread -----------------------------------------------

@examples(40)
@given(seed=seeds, n=st.integers(1, 3_000), picks=st.integers(0, 5_000))
def test_take_and_clear_at_are_numpys(seed, n, picks):
    rng = np.random.default_rng(seed)
    source, positions = rng.random(n), rng.integers(0, n, picks)  # repeats among the positions
    assert np.array_equal(take(source, positions, np.empty(picks)), np.take(source, positions))
    expected = source.copy()
    expected[positions] = 0.0
    clear_at(source, positions)
    assert np.array_equal(source, expected)


@examples(40)
@given(seed=seeds, lengths=st.lists(st.integers(0, 7), max_size=6))
def test_joined_puts_the_lists_one_after_another(seed, lengths):
    stride, rng = 7, np.random.default_rng(seed)
    lists = rng.integers(0, 1000, stride * max(len(lengths), 1))
    expected = np.concatenate([np.zeros(0, lists.dtype)] + [lists[c * stride:c * stride + n]
                                                             for c, n in enumerate(lengths)])
    assert joined(lists, np.array(lengths, np.int64), stride) == expected.size
    assert np.array_equal(lists[:expected.size], expected)


@settings(max_examples=25 if JIT else 5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.sampled_from([50, 3_000]), share=st.sampled_from([0.01, 0.3, 1.0]))
def test_distance(seed, n, share):
    """A message's distance from each consumer (relevance.py), compiled: the numpy statement's bits, for
    audiences small and large, of consumers in and out of them."""
    from marketsim.market.population import build_population
    from marketsim.market.relevance import distance, profile
    from marketsim.scenario.loading import load_scenario

    sc = load_scenario("scenarios/baseline.toml", {"population.size": n})
    rng = np.random.default_rng(seed)
    pop = build_population(sc, rng)
    members = np.flatnonzero(rng.random(n) < share)
    consumers = np.sort(rng.choice(n, size=rng.integers(0, n + 1), replace=False))
    if members.size:
        prof = profile(members, pop)
        assert np.array_equal(distance(prof, consumers, pop), ref.distance(prof, consumers, pop))


def test_distance_at_the_edges():
    """Ages past the last decade the profile knows (clamped to it), an audience holding no tag, and the
    64th tag: the numpy statement's bits."""
    from marketsim.market.population import Population
    from marketsim.market.relevance import Profile, distance
    from marketsim.scenario.schema import CATEGORICAL_FIELDS

    rng = np.random.default_rng(5)
    n = 500
    codes = {f: rng.integers(0, 3, n).astype(np.int16) for f in CATEGORICAL_FIELDS}
    interests = rng.integers(0, 2**63, n, dtype=np.uint64) | (np.uint64(1) << np.uint64(63)) * (rng.random(n) < 0.5)
    pop = Population(segment=np.zeros(n, np.int16), age=rng.integers(0, 200, n).astype(np.int16),
                     interests=interests, talkativeness=np.ones(n), categories={}, **codes)
    fields = tuple(rng.random(3) for _ in CATEGORICAL_FIELDS)
    for bits in ([], [0, 5, 63]):
        tags = np.array([np.uint64(1) << np.uint64(k) for k in bits], dtype=np.uint64)
        prof = Profile(rng.random(13), fields, tags, rng.random(tags.size))
        consumers = np.arange(n)
        assert np.array_equal(distance(prof, consumers, pop), ref.distance(prof, consumers, pop))
