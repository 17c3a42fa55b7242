"""The contact pipeline gives, to the last bit, what numpy's bincount gives for the same impressions."""

import types
from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from marketsim.market.exposure import BLOCK_BITS, ContactPipeline

RESPONSE = types.SimpleNamespace(relevance_gain=2.0, wearout=0.1, recovery_half_life=7.3, ad_effect=0.005)


@dataclass
class Contacts:
    consumers: np.ndarray
    relevance: float
    in_audience: np.ndarray
    cost: np.ndarray
    impact: float


def reference(contacts, n, segment, satisfied, region, boost, time, wear, wear_time):
    """The bincount formulation the pipeline replaced."""
    hits = np.concatenate([c.consumers for c in contacts])
    relevance = np.concatenate([np.where(c.in_audience, c.relevance, 0.0) for c in contacts])
    strength = np.concatenate([c.impact * (1.0 + RESPONSE.relevance_gain * np.where(c.in_audience, c.relevance, 0.0))
                               for c in contacts])
    count = np.bincount(hits, minlength=n)
    consumers = np.flatnonzero(count != 0)
    count = count[consumers]
    relevance = np.bincount(hits, weights=relevance, minlength=n)[consumers]
    strength = np.bincount(hits, weights=strength, minlength=n)[consumers]
    kept = (1.0 - RESPONSE.wearout) ** np.arange(count.max() + 1)
    idle = time - wear_time[consumers]
    w = 1.0 - (1.0 - wear[consumers]) * np.exp2(-idle / RESPONSE.recovery_half_life)
    effective = w * (1.0 - kept[count]) / RESPONSE.wearout
    ad = RESPONSE.ad_effect * effective * strength / count * boost[region[consumers]]
    wasted = np.concatenate([~c.in_audience | ~satisfied[c.consumers] for c in contacts])
    segments = 3
    cost = np.concatenate([c.cost for c in contacts])
    return dict(consumers=consumers, ad=ad, personal=effective * relevance / count,
                impressions=np.bincount(segment[hits], minlength=segments),
                wasted=np.bincount(segment[hits][wasted], minlength=segments),
                wasted_spend=np.bincount(segment[hits][wasted], weights=cost[wasted], minlength=segments))


@settings(max_examples=30, deadline=None)
@given(n=st.sampled_from([1, 7, 1000, (1 << BLOCK_BITS) + 5, 3 << BLOCK_BITS]), seed=st.integers(0, 2**32 - 1),
       campaigns=st.integers(1, 3), per_consumer=st.sampled_from([0.001, 0.3, 2.0]))
def test_pipeline_equals_bincount(n, seed, campaigns, per_consumer):
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, 3, n).astype(np.int16)
    region = rng.integers(0, 2, n).astype(np.int16)
    satisfied = rng.random(n) < 0.7
    boost = np.array([1.0, 1.5])
    contacts = []
    for _ in range(campaigns):
        hits = rng.integers(0, n, max(1, int(per_consumer * n)))
        contacts.append(Contacts(hits, float(rng.random()), rng.random(hits.size) < 0.8,
                                 rng.choice([0.004, 0.002], hits.size), float(rng.uniform(0.5, 2))))
    wear = np.where(rng.random((1, n)) < 0.5, 1.0, rng.random((1, n)))
    wear_time = rng.integers(0, 40, (1, n)) / 4.0  # steps of a quarter: exp2 of fractions, not just of whole numbers
    expected = reference(contacts, n, segment, satisfied, region, boost, 12.25, wear[0], wear_time[0])

    reached, ad = np.zeros((1, n), dtype=bool), np.zeros((1, n))
    pipeline = ContactPipeline(1, n)
    pipeline.start_step()
    exposure, first = pipeline.expose(0, contacts, 12.25, boost, segment, 3, region, satisfied, RESPONSE, wear,
                                      wear_time, reached, ad)
    assert np.array_equal(exposure.consumers, expected["consumers"])
    assert np.array_equal(first, expected["consumers"])  # nobody had been reached before
    assert np.array_equal(ad[0, exposure.consumers], expected["ad"])  # bit for bit
    assert np.array_equal(exposure.personal, expected["personal"])
    assert np.array_equal(exposure.impressions, expected["impressions"])
    assert np.array_equal(exposure.wasted_impressions, expected["wasted"])
    assert np.allclose(exposure.wasted_spend, expected["wasted_spend"], rtol=1e-12)
    assert (wear_time[0, exposure.consumers] == 12.25).all()
    # the scratch arrays are left clean for the next step
    assert not pipeline.scratch.any() and not pipeline.on_list.any()
