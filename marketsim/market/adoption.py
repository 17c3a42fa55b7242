"""Adoption and churn: the competing hazards every consumer faces on a step, and which one happens.

A consumer faces a hazard of adopting each brand it is not a customer of (paid contacts plus
word of mouth, scaled by fit, price and the barrier of loyalty to its own brand) and, if a
customer, of churning (disloyalty, price, bad word about its brand). At most one of them happens,
chosen in proportion to its hazard, so the rules converge as ``dt`` shrinks. The kernels pass over
the market brand by brand; see docs/model.md for the equations.
"""

from __future__ import annotations

import numba
import numpy as np

from .awareness import UNAWARE
from .draws import uniforms_at
from .exposure import Exposure
from .prices import Prices
from ..scenario.schema import Scenario
from .state import CUSTOMER, ConsumerState, Transitions
from .wom import WordOfMouth, heard_by

SKIP_CUSTOMERS_ABOVE = 0.75  # a brand's share of the market above which hazards skip its customers (break-even 0.72)


@numba.njit(cache=True, nogil=True)
def _total(hazard, i):
    """Consumer i's hazards summed, always in the same order."""
    t = hazard[0, i]
    for o in range(1, hazard.shape[0]):
        t += hazard[o, i]
    return t


@numba.njit(cache=True, nogil=True)
def _churn_hazards(loyalty, segment, churn_price, current, churn_dt, hazard):
    """Customers' churn from disloyalty and price; brands add churn from bad word after."""
    brands = churn_price.shape[0]
    for i in range(current.size):
        cur = current[i]
        hazard[brands, i] = churn_dt * (1.0 - loyalty[i]) * churn_price[cur, segment[i]] if cur >= 0 else 0.0


def _brand_hazards_kernel(skip_customers: bool, listing: bool):
    """The kernel for each brand. ``listing`` (for the last brand) also lists the candidates, a
    positive total hazard, while the consumer's hazards are at hand. ``skip_customers`` (when most
    are the brand's customers) skips reading what its customers do not need. Both are compiled in:
    without the branch, the loop vectorises."""

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def brand_hazards(b, state, loyalty, fit, ad, segment, adopt_price, unaware_response, sums, buzz, inv_contacts,
                      talk, current, q_dt, negative_weight, switching, negative_churn_dt, hazard, hearing, candidates):
        """Each consumer's hazard of adopting brand b, its hazard of hearing of b if unaware, and the
        churn that bad word about its own brand b adds; returns how many candidates it listed."""
        brands = fit.shape[0]
        k = 0
        for i in range(current.size):
            mine = current[i] == b
            if skip_customers and mine:
                hazard[b, i] = 0.0
                hearing[b, i] = 0.0
                if negative_churn_dt != 0.0:
                    hazard[brands, i] += negative_churn_dt * heard_by(sums, buzz, inv_contacts, b, i)[1]
            else:
                pos, neg = heard_by(sums, buzz, inv_contacts, b, i)
                pos *= talk[b]
                unaware = state[b, i] == UNAWARE
                hearing[b, i] = q_dt * (pos + neg) if unaware else 0.0
                barrier = switching * (1.0 - loyalty[i])  # read unconditionally: the loop vectorises
                barrier = barrier if current[i] >= 0 else 1.0
                barrier *= unaware_response if unaware else 1.0
                h = ((ad[b, i] + q_dt * pos) * fit[b, i] * adopt_price[b, segment[i]] * barrier
                     / (1.0 + negative_weight * neg))
                hazard[b, i] = 0.0 if mine else h
                hazard[brands, i] += negative_churn_dt * neg if mine else 0.0
            if listing:
                candidates[k] = i  # kept only if the total is positive: no branch to mispredict
                k += _total(hazard, i) > 0
        return k

    return brand_hazards


_brand_hazards = {(skip, last): _brand_hazards_kernel(skip, last) for skip in (False, True) for last in (False, True)}


def _hazards(state, loyalty, fit, ad, segment, churn_price, adopt_price, unaware_response, sums, buzz, inv_contacts,
             talk, current, q_dt, negative_weight, switching, churn_dt, negative_churn_dt, hazard, hearing, candidates,
             customers) -> int:
    """Each consumer's hazard, integrated over the step, of adopting each brand and of churning;
    lists the candidates (a positive total) in index order and returns how many there are.
    ``customers[b]`` is how many b has."""
    brands, n = fit.shape
    _churn_hazards(loyalty, segment, churn_price, current, churn_dt, hazard)
    listed = 0
    for b in range(brands):  # brand by brand: few memory streams at a time
        kernel = _brand_hazards[bool(customers[b] > SKIP_CUSTOMERS_ABOVE * n), b == brands - 1]
        listed = kernel(b, state, loyalty, fit, ad, segment, adopt_price, unaware_response, sums, buzz, inv_contacts,
                        talk, current, q_dt, negative_weight, switching, negative_churn_dt, hazard, hearing, candidates)
    return listed


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _events(candidates, u, hazard, ad, sums, buzz, inv_contacts, talk, q_dt, who, option, paid):
    """Which candidates have an event, which one, and whether an adoption came from a paid contact.

    One uniform number per consumer (``u[c]`` for candidate c; the stream has one for everyone, so
    that runs that differ only in who is a candidate keep common random numbers) decides all three:
    below P(any event) it is uniform over the summed hazards, which picks the event; its place
    inside that event's share is uniform again and splits the adoption between paid contact and
    word of mouth in proportion to their hazards.
    """
    options = hazard.shape[0]
    k = 0
    for c in range(candidates.size):
        i = candidates[c]
        total = _total(hazard, i)
        p = -np.expm1(-total)
        if u[c] >= p:
            continue
        v = u[c] / p * total
        o, before, last = 0, 0.0, -1
        while o < options - 1 and (hazard[o, i] == 0.0 or before + hazard[o, i] <= v):
            if hazard[o, i] > 0.0:
                last = o
            before += hazard[o, i]
            o += 1
        if o == options - 1 and hazard[o, i] == 0.0:  # rounding ran past the last positive hazard
            o = last
            before -= hazard[o, i]
        who[k] = i
        option[k] = o
        paid[k] = True
        if o < options - 1:
            w = min((v - before) / hazard[o, i], 1.0)
            pos, _ = heard_by(sums, buzz, inv_contacts, o, i)
            paid[k] = w * (ad[o, i] + q_dt * pos * talk[o]) < ad[o, i]
        k += 1
    return k



def adopt_and_churn(state: ConsumerState, wom: WordOfMouth, scenario: Scenario, prices: Prices, talk: np.ndarray,
                    exposure: list[Exposure], rng: np.random.Generator, moved: Transitions, time: float) -> None:
    """Every consumer's competing hazards, then at most one event each: churners leave, adopters
    join their brand (leaving the one they had). ``talk[b]`` is how much more b's satisfied
    customers recommend it (a referral offer). Every consumer has a number from the events stream
    ``rng`` per step, used or not, so that two runs that differ in one brand's campaigns share
    their random numbers; numbers nobody needs are jumped over rather than drawn (``uniforms_at``).
    """
    sc = scenario
    dt, lp, q_dt = sc.time.dt, sc.loyalty, sc.word_of_mouth.strength * sc.time.dt
    brands, n = state.state.shape
    wom_args = (wom.sums, wom.buzz, wom.inv_contacts, talk)  # what the kernels read of word of mouth
    listed = _hazards(state.state, state.loyalty, state.fit, state.ad, state.segment, prices.churn,
                      prices.adoption, sc.response.unaware_response, *wom_args, state.current, q_dt,
                      sc.word_of_mouth.negative_weight, lp.switching, lp.churn * dt, lp.negative_word_churn * dt,
                      state.hazard, state.hearing, state.candidates, state.counts[:, CUSTOMER].sum(axis=1))
    candidates = state.candidates[:listed]
    who = np.empty(candidates.size, dtype=np.int64)
    option = np.empty(candidates.size, dtype=np.int64)
    paid = np.empty(candidates.size, dtype=np.bool_)
    k = _events(candidates, uniforms_at(rng, n, candidates, state.uniform), state.hazard, state.ad,
                *wom_args, q_dt, who, option, paid)
    who, option, paid = who[:k], option[:k], paid[:k]
    for e in exposure:  # the ad hazard lasts this step
        state.ad[e.brand, e.consumers] = 0.0

    churners = who[option == brands]
    previous = state.current[churners]
    for b in np.unique(previous):
        state.leave(int(b), churners[previous == b], wom, moved, switched=False, time=time)
    for b in range(brands):
        chose = option == b
        if chose.any():
            state.adopt(b, who[chose], wom, moved, paid=paid[chose], time=time)
