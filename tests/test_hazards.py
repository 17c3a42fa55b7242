"""The adoption kernels (market/adoption.py) give, to the last bit, what a plain-numpy statement of
the same rules gives on random small markets (1 to 3 brands, networked or fully mixed, with or
without churn from bad word); and skipping a brand's customers in the hazard pass (done when they
are most of the market), or passing over the prospects only (one brand, no churn), gives the same
hazards, talk heard and candidates as computing everyone's.
The numpy versions add in the kernels' order, so they agree to the bit, not only to rounding."""

import math

import numba
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from marketsim.market.adoption import Consumers, Rates, Talk, _decide, _hazards
from marketsim.market.awareness import AWARE, UNAWARE
from marketsim.market.chunks import CHUNK, joined
from marketsim.market.prices import Prices
from marketsim.market.prospects import prospects_of
from marketsim.market.state import CUSTOMER, LAPSED

# a market of two chunks (chunks.py), compiled only: as Python, a pass over it takes seconds
SEVERAL_CHUNKS = st.nothing() if numba.config.DISABLE_JIT else st.just(CHUNK + 3)


def market(seed: int, brands: int, n: int, networked: bool, negative_churn: bool) -> dict:
    """Consistent random state: a customer of b is in state CUSTOMER for b and no other brand's. In a
    networked market, the buzz is per consumer or (no buzz half-life) one value for all, by the seed."""
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
        talk=Talk(talk_heard, rng.random((2, brands, width if rng.random() < 0.5 else 1)) * 0.1,  # buzz
                  rng.uniform(0.5, 2.0),  # its scale
                  1.0 / rng.integers(1, 20, width), rng.random(brands) + 1.0),
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
        out[skip] = hazard, hearing, candidates[:joined(candidates, listed, CHUNK)]
    for skipped, computed in zip(out["every brand"], out["none"]):
        assert np.array_equal(skipped, computed)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.one_of(st.integers(1, 3000), SEVERAL_CHUNKS), networked=st.booleans())
def test_the_prospects_hazards_are_everyones_for_them(seed, n, networked):
    """One brand, no churn (prospects.py): listed from an earlier step, the prospects who have since become
    customers are dropped from the list; the others get the hazards, talk heard and candidacy the pass over
    everyone gives them, and a churn hazard of 0; a customer's entries are left as they were."""
    inputs = market(seed, 1, n, networked, negative_churn=False)
    inputs["rates"] = inputs["rates"]._replace(churn_dt=0.0)
    current = inputs["consumers"].current
    earlier = np.where(np.random.default_rng(seed).random(n) < 0.3, -1, current).astype(np.int16)
    prospects = prospects_of(earlier)
    hazard, hearing = np.full((2, n), np.nan), np.full((1, n), np.nan)
    candidates = np.empty(n, dtype=np.int64)
    listed = _hazards(**inputs, hazard=hazard, hearing=hearing, candidates=candidates,
                      customer_counts=np.zeros(1, np.int64), prospects=prospects)
    want_hazard, want_hearing, want_candidates = hazards_reference(**inputs)
    stay = current >= 0
    assert np.array_equal(hazard[:, ~stay], want_hazard[:, ~stay]) and (hazard[1, ~stay] == 0.0).all()
    assert np.array_equal(hearing[:, ~stay], want_hearing[:, ~stay])
    assert np.isnan(hazard[:, stay]).all() and np.isnan(hearing[:, stay]).all()
    assert np.array_equal(candidates[:joined(candidates, listed, CHUNK)], want_candidates)
    still = prospects.listed[:joined(prospects.listed, prospects.count, CHUNK)]
    assert np.array_equal(still, np.flatnonzero(~stay))


# --- the rules in plain numpy -------------------------------------------------------------
def heard(talk: Talk, brands: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(brands, n): positive and negative talk each consumer hears of each brand (wom.heard_by)."""
    pos, neg = (np.maximum(talk.sums[v] + talk.buzz[v] * talk.buzz_scale, 0.0) * talk.inv_contacts for v in (0, 1))
    return np.broadcast_to(pos, (brands, n)), np.broadcast_to(neg, (brands, n))


def hazards_reference(consumers: Consumers, prices: Prices, talk: Talk, rates: Rates):
    """Hazards (brands, then churn), hearing and candidates, as _hazards gives them."""
    state, current, loyalty, segment, fit, ad = consumers
    brands, n = fit.shape
    pos, neg = heard(talk, brands, n)
    pos = pos * talk.uplift[:, None]
    unaware = state == UNAWARE
    hearing = np.where(unaware, rates.q_dt * (pos + neg), 0.0)
    barrier = np.where(current >= 0, rates.switching * (1.0 - loyalty), 1.0) * np.where(unaware, rates.unaware_response, 1.0)
    adopt_price = prices.adoption[np.arange(brands)[:, None], segment]
    adopt = (ad + rates.q_dt * pos) * fit * adopt_price * barrier / (1.0 + rates.negative_weight * neg)
    mine = current == np.arange(brands)[:, None]
    churn = np.where(current >= 0, rates.churn_dt * (1.0 - loyalty) * prices.churn[current, segment], 0.0)
    for b in range(brands):  # bad word about one's own brand, brand by brand as the kernels add it
        churn = churn + np.where(mine[b], rates.negative_churn_dt * neg[b], 0.0)
    hazard = np.vstack([np.where(mine, 0.0, adopt), churn])
    total = hazard[0].copy()
    for row in hazard[1:]:
        total += row
    return hazard, hearing, np.flatnonzero(total > 0)


def p_any_event(total: np.ndarray) -> np.ndarray:
    """1 - exp(-total) one number at a time, as the kernel computes it: by libm's expm1 when compiled
    (numpy's vectorised expm1 differs from it in the last bit for about one number in ten), by numpy's
    scalar expm1 with the JIT off."""
    one = np.expm1 if numba.config.DISABLE_JIT else math.expm1
    return -np.array([one(-t) for t in total.astype(np.float64)], dtype=np.float64)


def events_reference(candidates, u, hazard, ad, talk: Talk, q_dt):
    """Who has an event, which option, and whether a paid contact caused it, as _events gives them."""
    h = hazard[:, candidates]
    options, count = h.shape
    cum = np.cumsum(h, axis=0)  # added in order, as the kernel does
    with np.errstate(divide="ignore", invalid="ignore"):
        p = p_any_event(cum[-1])
        v = u / p * cum[-1]
    # the first positive option whose share ends past v; the last option if none does
    ends_past = (h[:-1] > 0) & (cum[:-1] > v)
    option = np.where(ends_past.any(axis=0), ends_past.argmax(axis=0), options - 1)
    columns = np.arange(count)
    before = np.where(option > 0, cum[option - 1, columns], 0.0)
    # rounding ran past the last positive hazard: take that one back
    past = (option == options - 1) & (h[-1] == 0)
    last_positive = options - 2 - (h[-2::-1] > 0).argmax(axis=0)
    option = np.where(past, last_positive, option)
    before = np.where(past, cum[options - 2] - h[last_positive, columns], before)
    adoption = option < options - 1
    picked = np.minimum(options - 2, option)  # an adoption's brand; churn rows are masked out below
    pos, _ = heard(talk, options - 1, hazard.shape[1])
    who = candidates
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.minimum((v - before) / h[option, columns], 1.0)
    ad_here = ad[picked, who]
    paid = ~adoption | (w * (ad_here + q_dt * pos[picked, who] * talk.uplift[picked]) < ad_here)
    happens = u < p
    return who[happens], option[happens], paid[happens]


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), brands=st.integers(1, 3), n=st.one_of(st.integers(1, 400), SEVERAL_CHUNKS),
       networked=st.booleans(), negative_churn=st.booleans(), skip=st.booleans())
def test_kernels_match_the_numpy_reference(seed, brands, n, networked, negative_churn, skip):
    inputs = market(seed, brands, n, networked, negative_churn)
    hazard, hearing = np.full((brands + 1, n), np.nan), np.full((brands, n), np.nan)
    candidates = np.empty(n, dtype=np.int64)
    customer_counts = np.full(brands, n if skip else 0)
    listed = _hazards(**inputs, hazard=hazard, hearing=hearing, candidates=candidates, customer_counts=customer_counts)
    in_chunks = candidates.copy()  # each chunk's list from its own place, as _events takes them
    joined_candidates = candidates[:joined(candidates, listed, CHUNK)]
    expected = hazards_reference(**inputs)
    for got, want in zip((hazard, hearing, joined_candidates), expected):
        assert np.array_equal(got, want)

    rng = np.random.default_rng(seed + 1)
    u = rng.random(joined_candidates.size)
    # some numbers just under P(any event), where rounding can run past the last positive hazard
    p = p_any_event(np.cumsum(hazard[:, joined_candidates], axis=0)[-1])
    edge = rng.random(u.size) < 0.2
    u[edge] = np.nextafter(p[edge], 0.0)
    u_in_chunks = np.full(n, np.nan)
    u_in_chunks[np.concatenate([np.arange(c * CHUNK, c * CHUNK + k) for c, k in enumerate(listed)])] = u
    option, paid = np.full(n, 99, dtype=np.int64), np.empty(n, dtype=np.bool_)
    decided = _decide(in_chunks, listed, u_in_chunks, hazard, inputs["consumers"].ad, inputs["talk"],
                      inputs["rates"].q_dt, option, paid)
    for got, want in zip(decided, events_reference(joined_candidates, u, hazard, inputs["consumers"].ad,
                                                   inputs["talk"], inputs["rates"].q_dt)):
        assert np.array_equal(got, want)
