"""The contact pipeline gives, to the last bit, what numpy's bincount gives for the same impressions.

Also run with NUMBA_DISABLE_JIT=1 (.ci/run): then with fewer examples and impressions.
"""

import types
from dataclasses import dataclass, field

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketsim.market.chunks import CHUNK
from marketsim.market.exposure import (BLOCK_BITS, REGION, ContactPipeline, Scratch, _by_block, _by_consumer,
                                       _in_index_order, blocks)

JIT = not numba.config.DISABLE_JIT
MOST_HITS = 10**7 if JIT else 2_000  # per campaign: a Python loop per impression without the JIT
BLOCK = 1 << BLOCK_BITS


@dataclass
class Contacts:
    consumers: np.ndarray
    relevance: np.ndarray  # per consumer of the market, or one for all, or per consumer of written_for
    audience: np.ndarray  # per consumer of the market, or one for all
    cost_by_segment: np.ndarray
    impact: float
    written_for: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def per_impression(self, values: np.ndarray) -> np.ndarray:
        return values[self.consumers] if values.size > 1 else np.repeat(values, self.consumers.size)

    @property
    def in_audience(self) -> np.ndarray:
        return self.per_impression(self.audience)

    @property
    def relevance_inside(self) -> np.ndarray:
        """The message's relevance per impression, 0 outside the audience."""
        if self.written_for.size == 0:  # per consumer of the market, or one for all
            per = self.per_impression(self.relevance)
        else:  # per consumer of written_for (the places of those outside it are clipped, then not used)
            per = self.relevance[np.minimum(np.searchsorted(self.written_for, self.consumers), self.relevance.size - 1)]
        return np.where(self.in_audience, per, 0.0)


def response(wearout):
    return types.SimpleNamespace(relevance_gain=2.0, wearout=wearout, recovery_half_life=7.3, ad_effect=0.005,
                                 intrusion_threshold=0.6)


def response_to(r, rules):
    """docs/model.md Ad response: 1 + gain x r up to the intrusion threshold, back down past it."""
    past = np.maximum(r - rules.intrusion_threshold, 0.0)
    return np.maximum(1.0 + rules.relevance_gain * (r - 2.0 * past), 0.0)


def reference(contacts, n, segment, satisfied, region, boost, time, wear, wear_time, rules):
    """The bincount formulation the pipeline replaced (docs/model.md, Ad response), and ``wear`` after."""
    none = [np.zeros(0, np.int64)]
    hits = np.concatenate(none + [c.consumers for c in contacts])
    relevance = np.concatenate(none + [c.relevance_inside for c in contacts])
    strength = np.concatenate(none + [c.impact * response_to(c.relevance_inside, rules) for c in contacts])
    count = np.bincount(hits, minlength=n)
    consumers = np.flatnonzero(count != 0)
    count = count[consumers]
    relevance = np.bincount(hits, weights=relevance, minlength=n)[consumers]
    strength = np.bincount(hits, weights=strength, minlength=n)[consumers]
    wear = wear.copy()
    if rules.wearout > 0:
        kept = (1.0 - rules.wearout) ** np.arange(count.max(initial=0) + 1)
        idle = time - wear_time[consumers]
        w = 1.0 - (1.0 - wear[consumers]) * np.exp2(-idle / rules.recovery_half_life)
        effective = w * (1.0 - kept[count]) / rules.wearout
        w = w * kept[count]
        wear[consumers] = np.where(w < 1e-100, 0.0, w)  # worn out
    else:
        effective = count.astype(float)
    ad = rules.ad_effect * effective * strength / count * boost[region[consumers]]
    wasted = np.concatenate([np.zeros(0, bool)] + [~c.in_audience | ~satisfied[c.consumers] for c in contacts])
    segments = 3
    cost = np.concatenate(none + [c.cost_by_segment[segment[c.consumers]] for c in contacts])
    return dict(consumers=consumers, ad=ad, wear=wear, personal=effective * relevance / count,
                impressions=np.bincount(segment[hits], minlength=segments),
                wasted=np.bincount(segment[hits][wasted], minlength=segments),
                wasted_spend=np.bincount(segment[hits][wasted], weights=cost[wasted], minlength=segments))


def impressions(rng, n, count):
    """Uniform consumers; or consumers on both sides of the blocks' boundaries; or one or two
    consumers hit again and again (wear-out down to its floor)."""
    mode = rng.integers(0, 3)
    if mode == 1 and n > BLOCK:
        edges = np.arange(BLOCK, n, BLOCK)
        return np.clip(rng.choice(edges, count) + rng.integers(-2, 2, count), 0, n - 1)
    if mode == 2:
        return rng.integers(0, min(n, 2), count)
    return rng.integers(0, n, count)


@settings(max_examples=40 if JIT else 8, deadline=None)
@given(n=st.sampled_from([1, 7, 1000, BLOCK, BLOCK + 5, 3 * BLOCK]), seed=st.integers(0, 2**32 - 1),
       campaigns=st.lists(st.integers(0, 3), min_size=1, max_size=3), per_consumer=st.sampled_from([0.001, 0.3, 2.0]),
       wearout=st.sampled_from([0.0, 0.1, 0.9]))
def test_pipeline_equals_bincount(n, seed, campaigns, per_consumer, wearout):
    """Brand after brand (each with 0 to 3 campaigns, a campaign with no impression at all now and
    then) in one step of one pipeline, some consumers reached before."""
    rng = np.random.default_rng(seed)
    brands, rules, time = len(campaigns), response(wearout), 12.25
    segment = rng.integers(0, 3, n).astype(np.int16)
    region = rng.integers(0, 2, n).astype(np.int16)
    satisfied = rng.random((brands, n)) < 0.7
    boost = np.array([1.0, 1.5])
    wear = np.where(rng.random((brands, n)) < 0.5, 1.0, rng.random((brands, n)) ** 200)  # some near zero
    times = np.append(np.arange(40) / 4.0, time)  # steps of a quarter: exp2 of fractions, not just of integers
    wear_step = rng.integers(0, 40, (brands, n)).astype(np.int32)  # the step wear was last updated on
    wear_step[rng.random((brands, n)) < 0.2] = 40  # this step: no time to recover, wear-out can reach its floor
    wear_time = times[wear_step]
    reached, ad = rng.random((brands, n)) < 0.2, np.zeros((brands, n))
    before, wear_before = reached.copy(), wear.copy()
    pipeline = ContactPipeline(brands, n)
    for t in times:  # recovery is computed once per step so far, or once per consumer listed when they are fewer
        pipeline.start_step(t)
    listed, weights = [], []
    for brand, campaign_count in enumerate(campaigns):
        contacts = []
        for _ in range(campaign_count):
            hits = impressions(rng, n, min(MOST_HITS, int(per_consumer * n) * int(rng.integers(0, 3) > 0)))
            audience = rng.random(n) < 0.8 if rng.random() < 0.7 else np.ones(1, bool)  # or everyone
            # tailored to every consumer, or one for all, or to the audience and some others (a campaign's
            # targets: its audience among its channel's users, whom all its contacts reach)
            written_for = np.flatnonzero((audience if audience.size > 1 else np.ones(n, bool)) | (rng.random(n) < 0.1))
            tailoring = rng.integers(0, 3)
            relevance = [rng.random(n), np.array([rng.random()]), rng.random(written_for.size)][tailoring]
            contacts.append(Contacts(hits, relevance, audience, rng.choice([0.004, 0.002, 0.0], 3),
                                     float(rng.uniform(0.5, 2)), written_for if tailoring == 2 else np.zeros(0, int)))
        expected = reference(contacts, n, segment, satisfied[brand], region, boost, time, wear_before[brand],
                             wear_time[brand], rules)
        exposure, first = pipeline.expose(brand, contacts, boost, segment, 3, region, satisfied[brand], rules,
                                          wear, wear_step, reached, ad)
        assert exposure.brand == brand
        assert np.array_equal(exposure.consumers, expected["consumers"])
        assert np.array_equal(first, expected["consumers"][~before[brand, expected["consumers"]]])
        assert reached[brand, exposure.consumers].all()
        assert np.array_equal(ad[brand, exposure.consumers], expected["ad"])  # bit for bit
        assert not np.delete(ad[brand], exposure.consumers).any()
        assert np.array_equal(exposure.personal, expected["personal"])
        assert np.array_equal(exposure.impressions, expected["impressions"])
        assert np.array_equal(exposure.wasted_impressions, expected["wasted"])
        # the pipeline sums the cost per segment block by block, the reference in impression order: the
        # rounding of up to a million terms differs
        assert np.allclose(exposure.wasted_spend, expected["wasted_spend"], rtol=1e-9, atol=0)
        if wearout > 0:
            assert np.array_equal(wear[brand], expected["wear"])
            assert (wear_step[brand, exposure.consumers] == 40).all()
        listed.append(exposure.consumers.copy())
        weights.append(exposure.personal.copy())
        # the flags are left clear for the next brand (a consumer's sums start from 0 at its first impression)
        assert not pipeline.on_list.any()
    consumers, personal = pipeline.exposed()  # every brand's, brand after brand
    assert np.array_equal(consumers, np.concatenate(listed)) and np.array_equal(personal, np.concatenate(weights))


@settings(max_examples=60 if JIT else 12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.sampled_from([1, 1000, BLOCK, BLOCK + 1, 5 * BLOCK - 3]),
       hits=st.one_of(st.integers(0, 3_000), st.just(2 * CHUNK + 5) if JIT else st.nothing()))
def test_by_block_is_a_stable_sort_by_block(seed, n, hits):
    rng = np.random.default_rng(seed)
    consumers = impressions(rng, n, hits)
    order = np.argsort(consumers >> BLOCK_BITS, kind="stable")
    sorted_hits = np.full(hits, -1, np.int64)
    start = np.full(blocks(n) + 1, -1, np.int64)
    _by_block(consumers, sorted_hits, start)
    assert np.array_equal(start, np.searchsorted(consumers[order] >> BLOCK_BITS, np.arange(blocks(n) + 1)))
    assert np.array_equal(sorted_hits, consumers[order])


@settings(max_examples=60 if JIT else 12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.sampled_from([1, 1000, BLOCK, 3 * BLOCK - 3]),
       hits=st.integers(0, 3_000), distinct=st.sampled_from([0, 1024, 1500, BLOCK]))
def test_by_consumer(seed, n, hits, distinct):
    """Each block's impressions become its consumers reached, ascending, and how many times each, in the
    block's own places; also where every impression of a block is on a consumer of its own (``distinct``
    of them in the first block: counted, not sorted), which leaves no spare place before the next block's."""
    rng = np.random.default_rng(seed)
    consumers = impressions(rng, n, hits)
    if n > 2 * BLOCK:  # the first block's impressions all on consumers of their own, the others' after them
        consumers = np.concatenate([rng.permutation(BLOCK)[:distinct], BLOCK + impressions(rng, n - BLOCK, hits)])
    elif n == BLOCK:  # the last block's, so that nothing follows them
        consumers = rng.permutation(BLOCK)[:distinct]
    # one place more at the end of each array, which nothing may write
    sorted_hits, start = np.full(consumers.size + 1, -7, np.int64), np.empty(blocks(n) + 1, np.int64)
    _by_block(consumers, sorted_hits[:-1], start)
    times, found, most = np.full(consumers.size + 1, -1, np.int32), np.empty(blocks(n), np.int64), np.empty(blocks(n))
    _by_consumer(sorted_hits[:-1], start, times[:-1], found, most)
    assert sorted_hits[-1] == -7 and times[-1] == -1
    for b in range(blocks(n)):
        reached, count = np.unique(consumers[consumers >> BLOCK_BITS == b], return_counts=True)
        assert found[b] == reached.size and most[b] == count.max(initial=0)
        assert np.array_equal(sorted_hits[start[b]:start[b] + found[b]] + b * BLOCK, reached)
        assert np.array_equal(times[start[b]:start[b] + found[b]], count)


@settings(max_examples=60 if JIT else 12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.sampled_from([1, 3_000, BLOCK, 2 * BLOCK + 7]),
       share=st.sampled_from([0.0, 0.01, 1 / 16, 0.5, 1.0]))
def test_in_index_order(seed, n, share):
    """Few listed consumers of a block are sorted, many found by a scan of the block's flags: both give
    index order, block after block."""
    rng = np.random.default_rng(seed)
    on_list = (rng.random(n) < share).astype(np.uint8)
    listed = np.array([on_list[b * BLOCK:(b + 1) * BLOCK].sum() for b in range(blocks(n))], np.int64)
    touched = np.full(blocks(n) * REGION, -1, np.int64)
    for b in range(blocks(n)):  # each block's listed consumers in the order they were hit
        touched[b * REGION:b * REGION + listed[b]] = rng.permutation(np.flatnonzero(on_list[b * BLOCK:(b + 1) * BLOCK]))
        touched[b * REGION:b * REGION + listed[b]] += b * BLOCK
    assert _in_index_order(Scratch(np.zeros((n, 3)), on_list, touched), listed) == on_list.sum()
    assert np.array_equal(touched[:on_list.sum()], np.flatnonzero(on_list))


def test_worn_out_floors_at_zero():
    """Past 1e-100 responsiveness is worn out (0), keeping the floats off slow denormals."""
    n, hits, rules = 10, np.full(150, 3), response(0.9)  # (1 - 0.9)^150 = 1e-150
    contacts = [Contacts(hits, np.array([0.5]), np.ones(1, bool), np.full(3, 0.004), 1.0)]
    wear, wear_step = np.ones((1, n)), np.zeros((1, n), np.int32)
    expected = reference(contacts, n, np.zeros(n, np.int16), np.ones(n, bool), np.zeros(n, np.int16), np.ones(1), 1.0,
                         wear[0], np.zeros(n), rules)
    pipeline = ContactPipeline(1, n)
    pipeline.start_step(0.0)
    pipeline.start_step(1.0)
    pipeline.expose(0, contacts, np.ones(1), np.zeros(n, np.int16), 3, np.zeros(n, np.int16), np.ones(n, bool),
                    rules, wear, wear_step, np.zeros((1, n), bool), np.zeros((1, n)))
    assert wear[0, 3] == 0.0 and np.array_equal(wear[0], expected["wear"])


@settings(max_examples=30 if JIT else 6, deadline=None)
@given(n=st.sampled_from([1, 1000, BLOCK + 5, 3 * BLOCK]), seed=st.integers(0, 2**32 - 1),
       per_consumer=st.sampled_from([0.001, 0.3, 2.0]), wearout=st.sampled_from([0.0, 0.1]))
def test_one_campaign_settled_as_gathered_or_after(n, seed, per_consumer, wearout):
    """A brand's one campaign is settled as its impressions are gathered (``_gather[True]``) or in a pass
    of its own over the summed consumers (``_settle``): every output the same bits, and every array
    written the same, two steps running (the second recovers from the first's wear-out)."""
    from marketsim.market import exposure

    outputs = []
    for as_gathered in (True, False):
        rng = np.random.default_rng(seed)
        segment, region = rng.integers(0, 3, n).astype(np.int16), rng.integers(0, 2, n).astype(np.int16)
        satisfied, boost = rng.random(n) < 0.7, np.array([1.0, 1.5])
        wear, wear_step = rng.random((1, n)), np.zeros((1, n), np.int32)
        reached, ad = rng.random((1, n)) < 0.2, np.zeros((1, n))
        pipeline, seen = ContactPipeline(1, n), []
        for time in (0.0, 1.5):
            pipeline.start_step(time)
            audience = rng.random(n) < 0.8 if rng.random() < 0.5 else np.ones(1, bool)
            contact = Contacts(impressions(rng, n, max(1, int(per_consumer * n))), rng.random(n), audience,
                               np.array([0.004, 0.002, 0.0]), 1.3)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(exposure, "settles_as_gathered", lambda *_, now=as_gathered: now)
                exposure_, first = pipeline.expose(0, [contact], boost, segment, 3, region, satisfied,
                                                   response(wearout), wear, wear_step, reached, ad)
            seen += [exposure_.consumers.copy(), exposure_.personal.copy(), exposure_.impressions,
                     exposure_.wasted_impressions, exposure_.wasted_spend, first]
        outputs.append(seen + [wear, wear_step, reached, ad, pipeline.on_list])
    for gathered, after in zip(*outputs):
        assert np.array_equal(gathered, after)
