"""The adoption kernels (market/adoption.py) against a plain-numpy reference of the same rules, on
random small markets; and skipping a brand's customers in the hazard pass (done when they are most
of the market) gives the same hazards, talk heard and candidates, to the last bit, as computing
everyone's."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from marketsim.market.adoption import Consumers, Rates, Talk, _hazards
from marketsim.market.awareness import AWARE, UNAWARE
from marketsim.market.prices import Prices
from marketsim.market.state import CUSTOMER, LAPSED


def market(seed: int, brands: int, n: int, networked: bool, negative_churn: bool) -> dict:
    """Consistent random state: a customer of b is in state CUSTOMER for b and no other brand's."""
    rng = np.random.default_rng(seed)
    segments = 3
    current = rng.integers(-1, brands, n).astype(np.int16)
    current[rng.random(n) < 0.5] = 0  # brand 0's customers are many, mixed with the others
    state = rng.choice(np.array([UNAWARE, AWARE, LAPSED], dtype=np.int8), size=(brands, n))
    for b in range(brands):
        state[b, current == b] = CUSTOMER
    width = n if networked else 1
    talk_heard = rng.random((2, brands, width)) * rng.integers(0, 2, (2, brands, width))  # some hear nothing
    consumers = Consumers(state, current, np.where(current >= 0, rng.random(n), 0.0), rng.integers(0, segments, n),
                          rng.random((brands, n)), rng.random((brands, n)) * (rng.random((brands, n)) < 0.3))
    adoption, churn = rng.random((brands, segments)) + 0.5, rng.random((brands, segments)) + 0.5
    return dict(
        consumers=consumers, prices=Prices(np.ones((brands, segments)), adoption, churn),
        talk=Talk(talk_heard, rng.random((2, brands, width)) * 0.1, 1.0 / rng.integers(1, 20, width),
                  rng.random(brands) + 1.0),
        rates=Rates(q_dt=0.3, negative_weight=2.0, switching=0.7, unaware_response=0.4,
                    churn_dt=0.01 * float(rng.integers(0, 2)), negative_churn_dt=0.05 if negative_churn else 0.0))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), brands=st.integers(1, 3), n=st.integers(1, 3000),
       networked=st.booleans(), negative_churn=st.booleans())
def test_skipping_customers_changes_nothing(seed, brands, n, networked, negative_churn):
    inputs = market(seed, brands, n, networked, negative_churn)
    out = {}
    for skip, customers in (("every brand", np.full(brands, n)), ("none", np.zeros(brands, dtype=np.int64))):
        hazard, hearing = np.full((brands + 1, n), np.nan), np.full((brands, n), np.nan)
        candidates = np.empty(n, dtype=np.int64)
        listed = _hazards(**inputs, hazard=hazard, hearing=hearing, candidates=candidates, customer_counts=customers)
        out[skip] = hazard, hearing, candidates[:listed]
    for skipped, computed in zip(out["every brand"], out["none"]):
        assert np.array_equal(skipped, computed)
