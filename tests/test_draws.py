"""Drawing uniforms for some consumers only gives the numbers, and leaves the stream, as a full draw."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from marketsim.market.draws import uniforms_at


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**64 - 1), n=st.integers(1, 200_000), data=st.data())
def test_uniforms_at_equal_a_full_draw(seed, n, data):
    positions = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1), max_size=min(n, 40)))), dtype=np.int64)
    full, sparse = np.random.default_rng(seed), np.random.default_rng(seed)
    expected = full.random(n)[positions]
    got = uniforms_at(sparse, n, positions, np.empty(n))
    assert np.array_equal(got, expected)
    assert full.random() == sparse.random()  # the stream goes on from the same place
