"""Adoption and churn: the competing hazards every consumer faces on a step, and which one happens.

A consumer faces a hazard of adopting each brand it is not a customer of (paid contacts plus
word of mouth, scaled by fit, price and the barrier of loyalty to its own brand) and, if a
customer, of churning (disloyalty, price, bad word about its brand). At most one of them happens,
chosen in proportion to its hazard, so the rules converge as ``dt`` shrinks. The kernels pass over
the market brand by brand; see docs/model.md for the equations.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from ..scenario.schema import Scenario
from .awareness import UNAWARE
from .chunks import CHUNK, bounds, chunks, clear_at, joined
from .draws import uniforms
from .exposure import Exposure
from .prices import Prices
from .prospects import LIST_ABOVE, Prospects, customers_stay, prospects_of
from .state import CUSTOMER, ConsumerState, Transitions
from .wom import WordOfMouth, heard_by, talk_heard

SKIP_CUSTOMERS_ABOVE = 0.75  # a brand's share of the market above which hazards skip its customers (break-even 0.72)


class Consumers(NamedTuple):
    """The per-consumer arrays the hazards read (views of ``ConsumerState``'s)."""

    state: np.ndarray  # (brands, N) unaware, aware, customer or lapsed
    current: np.ndarray  # (N,) the brand it is a customer of, -1 for none
    loyalty: np.ndarray  # (N,) to its current brand
    segment: np.ndarray  # (N,) segment code
    fit: np.ndarray  # (brands, N) true product fit
    ad: np.ndarray  # (brands, N) hazard from this step's paid impressions, before fit and barriers


class Talk(NamedTuple):
    """Word of mouth as the kernels read it: what each consumer hears (``wom.heard_by`` reads the
    first four) and how much more each brand's customers recommend it (a referral offer)."""

    sums: np.ndarray
    buzz: np.ndarray
    buzz_scale: float
    inv_contacts: np.ndarray
    uplift: np.ndarray  # (brands,)


class Rates(NamedTuple):
    """The scenario's constants of adoption and churn, per step of length dt."""

    q_dt: float  # word of mouth's hazard per unit of talk heard
    negative_weight: float  # how much bad word damps adoption
    switching: float  # a customer's barrier to switching, at zero loyalty
    unaware_response: float  # the response of the unaware to an ad, relative to the aware
    churn_dt: float  # churn hazard at zero loyalty
    negative_churn_dt: float  # churn hazard per unit of bad word heard about one's brand


def rates_of(scenario: Scenario) -> Rates:
    """The scenario's rates, as floats: one compiled kernel for every scenario."""
    sc = scenario
    dt, lp, wom = sc.time.dt, sc.loyalty, sc.word_of_mouth
    return Rates(*map(float, (wom.strength * dt, wom.negative_weight, lp.switching, sc.response.unaware_response,
                              lp.churn * dt, lp.negative_word_churn * dt)))


@numba.njit(cache=True, nogil=True)
def _total(hazard, i):
    """Consumer i's hazards summed, always in the same order."""
    t = hazard[0, i]
    for o in range(1, hazard.shape[0]):
        t += hazard[o, i]
    return t


@numba.njit(cache=True, nogil=True, inline="always")
def _adopting(ad, pos, neg, fit, price, barrier, q_dt, negative_weight):
    """The hazard of adopting a brand: its paid contacts and good word, scaled by fit, price and the
    barrier (loyalty to one's own brand, or being unaware), damped by bad word."""
    return (ad + q_dt * pos) * fit * price * barrier / (1.0 + negative_weight * neg)


@numba.njit(cache=True, nogil=True, parallel=True)
def _churn_hazards(consumers, churn_price, churn_dt, hazard):
    """Customers' churn from disloyalty and price, on every thread; brands add churn from bad word after."""
    current, loyalty, segment = consumers.current, consumers.loyalty, consumers.segment
    brands = churn_price.shape[0]
    for i in numba.prange(current.size):
        cur = current[i]
        hazard[brands, i] = churn_dt * (1.0 - loyalty[i]) * churn_price[cur, segment[i]] if cur >= 0 else 0.0


def _brand_hazards_kernel(skip_customers: bool, listing: bool):
    """The kernel for each brand. ``listing`` (for the last brand) also lists the candidates, a
    positive total hazard: each chunk of consumers (``chunks.py``) from its own first place in
    ``candidates``, ``listed[chunk]`` of them, in a second loop over the chunk (in the first, the
    list's running count would stop the loop from vectorising). ``skip_customers`` (when most are the
    brand's customers) skips reading what its customers do not need. Both are compiled in."""

    @numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
    def brand_hazards(b, consumers, adopt_price, talk, rates, hazard, hearing, candidates, listed):
        """Each consumer's hazard of adopting brand b, its hazard of hearing of b if unaware, and the
        churn that bad word about its own brand b adds, chunk by chunk on every thread. The talk heard
        is ``wom.heard_by``'s, read from the chunk's slices: one value for all where the market is fully
        mixed (or has no buzz)."""
        # plain arrays out of the bundles before the loop: a bundle passed per consumer costs a
        # reference count per array on every call
        state, current, loyalty, segment, fit, ad = consumers
        sums, buzz, buzz_scale, inv_contacts, uplift = talk
        q_dt, negative_weight, switching, unaware_response, _, negative_churn_dt = rates
        brands, n = fit.shape
        price, more = adopt_price[b], uplift[b]
        talk_each, buzz_each = sums.shape[2] > 1, buzz.shape[2] > 1
        for c in numba.prange(chunks(n)):
            start, end = bounds(c, n)
            # the chunk's slices, indexed from 0: so the loop vectorises (indexed by consumer, it did not)
            known, fits, ads = state[b, start:end], fit[b, start:end], ad[b, start:end]
            adopt, churn, hears = hazard[b, start:end], hazard[brands, start:end], hearing[b, start:end]
            brand_of, loyal, segment_of = current[start:end], loyalty[start:end], segment[start:end]
            first, last = (start, end) if talk_each else (0, 1)
            good, bad, per_contact = sums[0, b, first:last], sums[1, b, first:last], inv_contacts[first:last]
            first, last = (start, end) if buzz_each else (0, 1)
            good_buzz, bad_buzz = buzz[0, b, first:last], buzz[1, b, first:last]
            for x in range(adopt.size):
                t, z = x if talk_each else 0, x if buzz_each else 0
                mine = brand_of[x] == b
                if skip_customers and mine:
                    adopt[x] = 0.0
                    hears[x] = 0.0
                    if negative_churn_dt != 0.0:
                        churn[x] += negative_churn_dt * talk_heard(bad[t], bad_buzz[z], buzz_scale, per_contact[t])
                else:
                    pos = talk_heard(good[t], good_buzz[z], buzz_scale, per_contact[t]) * more
                    neg = talk_heard(bad[t], bad_buzz[z], buzz_scale, per_contact[t])
                    unaware = known[x] == UNAWARE
                    hears[x] = q_dt * (pos + neg) if unaware else 0.0
                    barrier = switching * (1.0 - loyal[x])
                    barrier = barrier if brand_of[x] >= 0 else 1.0
                    barrier *= unaware_response if unaware else 1.0
                    h = _adopting(ads[x], pos, neg, fits[x], price[segment_of[x]], barrier, q_dt, negative_weight)
                    adopt[x] = 0.0 if mine else h
                    churn[x] += negative_churn_dt * neg if mine else 0.0
            if listing:
                rows, listing_here, k = hazard[:, start:end], candidates[start:end], 0
                for x in range(adopt.size):
                    listing_here[k] = start + x  # kept only if the total is positive: no branch to mispredict
                    k += np.int64(_total(rows, x) > 0.0)
                listed[c] = k

    return brand_hazards


_brand_hazards = {(skip, last): _brand_hazards_kernel(skip, last) for skip in (False, True) for last in (False, True)}


@numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def _prospect_hazards(consumers, adopt_price, talk, rates, hazard, hearing, prospects, candidates, listed):
    """Where customers stay (``prospects.py``): each prospect's hazard of adopting the one brand and of
    hearing of it, computed as ``brand_hazards`` does for a non-customer, chunk by chunk on every thread;
    its churn is 0. The step's new customers are dropped from the list as it is read. Candidates are
    listed as ``brand_hazards`` lists them (the prospects are in index order)."""
    state, current, loyalty, segment, fit, ad = consumers
    sums, buzz, buzz_scale, inv_contacts, uplift = talk
    q_dt, negative_weight, _, unaware_response, _, _ = rates
    who, count = prospects.listed, prospects.count  # by name: writes to arrays unpacked are lost (numba#7135)
    price, more = adopt_price[0], uplift[0]
    talk_each, buzz_each = sums.shape[2] > 1, buzz.shape[2] > 1
    for c in numba.prange(count.size):
        first = np.int64(c) * CHUNK
        kept, k = first, first
        for j in range(first, first + count[c]):
            i = np.int64(who[j])
            if current[i] >= 0:
                continue
            who[kept] = i
            kept += 1
            t, z = i if talk_each else 0, i if buzz_each else 0
            pos = talk_heard(sums[0, 0, t], buzz[0, 0, z], buzz_scale, inv_contacts[t]) * more
            neg = talk_heard(sums[1, 0, t], buzz[1, 0, z], buzz_scale, inv_contacts[t])
            unaware = state[0, i] == UNAWARE
            hearing[0, i] = q_dt * (pos + neg) if unaware else 0.0
            barrier = unaware_response if unaware else 1.0
            h = _adopting(ad[0, i], pos, neg, fit[0, i], price[segment[i]], barrier, q_dt, negative_weight)
            hazard[0, i], hazard[1, i] = h, 0.0
            candidates[k] = i
            k += np.int64(h > 0.0)
        count[c] = kept - first
        listed[c] = k - first


def _hazards(consumers: Consumers, prices: Prices, talk: Talk, rates: Rates, hazard: np.ndarray,
             hearing: np.ndarray, candidates: np.ndarray, customer_counts: np.ndarray,
             prospects: Prospects | None = None) -> np.ndarray:
    """Each consumer's hazard, integrated over the step, of adopting each brand and of churning
    (``hazard``, brands then churn), and of hearing of each brand if unaware (``hearing``); lists
    the candidates (a positive total) in index order, chunk by chunk, each chunk's from its own first
    place in ``candidates`` (``chunks.py``), and returns how many each chunk lists.
    ``customer_counts[b]`` is how many customers b has. Given ``prospects`` (where customers stay),
    only they are computed: a customer's hazards are all 0 and its entries are left as they were."""
    brands, n = consumers.fit.shape
    listed = np.zeros(chunks(n), dtype=np.int64)
    if prospects is not None:
        _prospect_hazards(consumers, prices.adoption, talk, rates, hazard, hearing, prospects, candidates, listed)
        return listed
    _churn_hazards(consumers, prices.churn, rates.churn_dt, hazard)
    for b in range(brands):  # brand by brand: few memory streams at a time
        kernel = _brand_hazards[bool(customer_counts[b] > SKIP_CUSTOMERS_ABOVE * n), b == brands - 1]
        kernel(b, consumers, prices.adoption, talk, rates, hazard, hearing, candidates, listed)
    return listed


@numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def _events(candidates, listed, u, hazard, ad, talk, q_dt, option, paid, events):
    """Which candidates have an event, which one (``option``), and whether an adoption came from a
    paid contact (``paid``), chunk by chunk on every thread: chunk c's candidates are ``listed[c]``
    from ``c * CHUNK`` on, their numbers in ``u`` at the same places; those with an event move up in
    place, their option and whether paid at the same places in ``option`` and ``paid``, ``events[c]``
    of them (few: only they are joined up after).

    One uniform number per consumer (its own for this step whether it is a candidate or not, so that
    runs that differ only in who is a candidate keep common random numbers) decides all three: below
    P(any event) it is uniform over the summed hazards, which picks the event; its place inside that
    event's share is uniform again and splits the adoption between paid contact and word of mouth in
    proportion to their hazards.
    """
    sums, buzz, buzz_scale, inv_contacts, uplift = talk  # plain arrays for the per-consumer call
    options = hazard.shape[0]
    for c in numba.prange(listed.size):
        first = np.int64(c) * CHUNK
        e = first
        for j in range(first, first + listed[c]):
            i = candidates[j]
            total = _total(hazard, i)
            if u[j] >= total:  # then u >= P(any event) = 1 - exp(-total) <= total too: most stop here, spared the exp
                continue
            p = -np.expm1(-total)
            if u[j] >= p:
                continue
            v = u[j] / p * total
            o, before, last = 0, 0.0, -1
            while o < options - 1 and (hazard[o, i] == 0.0 or before + hazard[o, i] <= v):
                if hazard[o, i] > 0.0:
                    last = o
                before += hazard[o, i]
                o += 1
            if o == options - 1 and hazard[o, i] == 0.0:  # rounding ran past the last positive hazard
                o = last
                before -= hazard[o, i]
            by_paid_contact = True
            if o < options - 1:
                w = min((v - before) / hazard[o, i], 1.0)
                pos, _ = heard_by(sums, buzz, buzz_scale, inv_contacts, o, i)
                by_paid_contact = w * (ad[o, i] + q_dt * pos * uplift[o]) < ad[o, i]
            candidates[e], option[e], paid[e] = i, o, by_paid_contact
            e += 1
        events[c] = e - first


def _decide(candidates: np.ndarray, listed: np.ndarray, u: np.ndarray, hazard: np.ndarray, ad: np.ndarray,
            talk: Talk, q_dt: float, option: np.ndarray, paid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The events of each chunk's candidates (``_events``), joined up: who has one (as int64 indices, like
    every list of consumers outside the work arrays), which option and whether a paid contact caused it, in
    index order (views of the work arrays ``option`` and ``paid``, valid until they are next used)."""
    events = np.empty(listed.size, dtype=np.int64)
    _events(candidates, listed, u, hazard, ad, talk, q_dt, option, paid, events)
    happened = joined(candidates, events, CHUNK)
    joined(option, events, CHUNK)
    joined(paid, events, CHUNK)
    return candidates[:happened].astype(np.int64), option[:happened], paid[:happened]


def adopt_and_churn(state: ConsumerState, wom: WordOfMouth, rates: Rates, prices: Prices, uplift: np.ndarray,
                    exposure: list[Exposure], key: np.ndarray, step: int, moved: Transitions, time: float) -> None:
    """Every consumer's competing hazards, then at most one event each: churners leave, adopters
    join their brand (leaving the one they had). ``uplift[b]`` is how much more b's satisfied
    customers recommend it (a referral offer). Every consumer has its own number for the step under
    the events' ``key`` (``draws.py``), and only the candidates compute theirs, so two runs that
    differ in one brand's campaigns share their random numbers.
    """
    brands, n = state.state.shape
    talk = Talk(wom.sums, wom.buzz, wom.buzz_scale, wom.inv_contacts, uplift)
    customers = state.counts[:, CUSTOMER].sum(axis=1)
    if (state.prospects is None and customers_stay(brands, rates.churn_dt, rates.negative_churn_dt)
            and customers.sum() > LIST_ABOVE * n):
        state.prospects = prospects_of(state.current)
    listed = _hazards(Consumers(state.state, state.current, state.loyalty, state.segment, state.fit, state.ad),
                      prices, talk, rates, state.hazard, state.hearing, state.candidates, customers, state.prospects)
    u = uniforms(key, step, state.candidates, listed, CHUNK, state.uniform)
    who, option, paid = _decide(state.candidates, listed, u, state.hazard, state.ad, talk, rates.q_dt, state.option,
                                state.paid)
    for e in exposure:  # the ad hazard lasts this step
        clear_at(state.ad[e.brand], e.consumers)

    churners = who[option == brands]
    previous = state.current[churners]
    for b in np.unique(previous):
        state.leave(int(b), churners[previous == b], wom, moved, switched=False, time=time, by_hazard=True)
    for b in range(brands):
        chose = option == b
        if chose.any():
            state.adopt(b, who[chose], wom, moved, paid=paid[chose], time=time, by_hazard=True)
