"""Buying: purchase occasions, the brand bought on each, and what a panel would count of them.

A customer of any brand buys the category on occasions that come as a Poisson process at its own
rate: its segment's category rate (or, where the segment gives none, its brand's ``purchase_rate``)
times a gamma draw of mean 1 (``buying.rate_shape``), so that counts over a period are NBD across
consumers, as panels find. Each consumer's process runs on a clock of unit-rate exponential waits: a step only
winds the clocks down, and only the consumers whose clock ran out draw (their next wait and their
choice), so the step costs one pass over the market and draws per purchase, not per consumer.

On an occasion a customer buys its own brand with probability ``loyalty``; otherwise, with
probability ``buying.repertoire``, it chooses afresh among the brands it knows (aware of, buying,
or once bought) in proportion to fit × the price factor its segment applies, its own brand
included. With ``repertoire`` 0 it always rebuys its brand: the one-brand model. Nothing here
writes double jeopardy or duplication in; they emerge, or not, from who knows and fits what.

``Buying`` also tallies each consumer's purchases of each brand over a period
(``buying.period``) and, at its end, the panel measures per brand and segment (penetration,
purchase frequency, share of category requirements, sole buyers, repeat rate) and the duplication
of purchase between brands (docs/outputs.md).
"""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd

from ..scenario.schema import Scenario
from .awareness import AWARE
from .chunks import CHUNK, bounds, chunks, joined
from .metrics import ALL
from .state import CUSTOMER

# the measures of the last period (all segments) that the run summary gives per brand
PANEL_SUMMARY = ("buyers", "purchase_frequency", "share_of_requirements", "sole_buyer_share", "repeat_rate")
PANEL_AMOUNTS = ("buyers",)  # of them, the counts of people (scaled by people_per_consumer)


@numba.njit(cache=True, nogil=True, parallel=True)
def _wind_down(current, segment, rate_by_brand, rate_by_segment, propensity, dt, clock, due):
    """Every customer's clock runs down by its rate × dt (its segment's, or NaN there for its brand's);
    lists (in index order) those whose clock ran out. Chunk by chunk on every thread, each chunk
    listing from its own place in ``due``, the lists then joined in chunk order (``chunks.py``)."""
    n = current.size
    found = np.zeros(chunks(n), dtype=np.int64)
    for c in numba.prange(chunks(n)):
        start, end = bounds(c, n)
        k = start
        # slices indexed from 0: indexed by consumer, the loop was slower
        brand_of, segment_of, rate_of, clock_of = current[start:end], segment[start:end], propensity[start:end], \
            clock[start:end]
        for x in range(brand_of.size):
            b = brand_of[x]
            if b < 0:
                continue
            rate = rate_by_segment[segment_of[x]]
            if np.isnan(rate):
                rate = rate_by_brand[b]
            clock_of[x] -= rate * rate_of[x] * dt
            if clock_of[x] <= 0.0:
                due[k] = start + x
                k += 1
        found[c] = k - start
    return joined(due, found, CHUNK)


@numba.njit(cache=True, nogil=True)
def _tally(bought, purchases, chosen, buyer, segment):
    """Each occasion's purchase, per consumer for the period and per (brand, segment) for the step
    (``np.add.at``, compiled)."""
    for j in range(buyer.size):
        bought[chosen[j], buyer[j]] += 1
        purchases[chosen[j], segment[buyer[j]]] += 1


@numba.njit(cache=True, nogil=True, parallel=True)
def _choose(buyer, u, current, loyalty, state, fit, appeal, segment, repertoire, chosen):
    """The brand each occasion buys: its own with probability 1 - repertoire (1 - loyalty); else one
    of the brands the buyer knows, in proportion to fit × appeal, the same uniform split again. Each
    occasion on its own number, on every thread (each a few misses to memory)."""
    brands = fit.shape[0]
    for j in numba.prange(buyer.size):
        i = buyer[j]
        own = current[i]
        stay = 1.0 - repertoire * (1.0 - loyalty[i])
        chosen[j] = own
        if u[j] < stay:
            continue
        total = 0.0
        for b in range(brands):
            if state[b, i] >= AWARE:
                total += fit[b, i] * appeal[b, segment[i]]
        v = (u[j] - stay) / (1.0 - stay) * total
        for b in range(brands):
            if state[b, i] >= AWARE:
                w = fit[b, i] * appeal[b, segment[i]]
                if w > 0.0:
                    chosen[j] = b
                    if v < w:
                        break
                    v -= w


LANES = 4  # independent running sums per segment, so that consecutive consumers do not wait on each other's add


@numba.njit(cache=True, nogil=True, parallel=True)
def _expected_shares(current, loyalty, state, fit, appeal, segment, propensity, repertoire, held):
    """Each brand's expected share of each segment's buying, unnormalised (of the segment's total
    propensity, ``Buying.weight``): a customer's propensity goes to brands as its occasions would, its own
    with 1 - repertoire (1 - loyalty), the rest (``spread``) among the brands it knows by fit × appeal
    (``_choose``). Chunk by chunk on every thread (``chunks.py``): the chunk's customers are listed (one
    who is no customer would only add zeros), then taken pass by pass and brand by brand in index
    order, without branches on what they know (a term is multiplied by 0 instead: a market of mixed
    states mispredicts branches), summing in LANES. The chunks' sums are added in chunk order:
    reproducible whatever the machine and the threads."""
    brands, n = fit.shape
    segments = held.shape[1]
    sums = np.zeros((chunks(n), brands, LANES, segments))
    for c in numba.prange(chunks(n)):
        start, end = bounds(c, n)
        part = sums[c]
        buyer, spread, known = np.empty(end - start, np.int64), np.empty(end - start), np.empty(end - start)
        size = 0  # the chunk's customers, listed without a branch: only they hold any buying
        brand_of = current[start:end]  # a slice indexed from 0: indexed by consumer, the loop was slower
        for x in range(brand_of.size):
            buyer[size] = start + x
            size += brand_of[x] >= 0
        for j in range(size):
            i = buyer[j]
            s, g = segment[i], propensity[i]
            stay = 1.0 - repertoire * (1.0 - loyalty[i])
            part[current[i], i % LANES, s] += g * stay
            spread[j] = g * (1.0 - stay)
            known[j] = 0.0
        if repertoire > 0.0:
            for b in range(brands):
                for j in range(size):
                    i = buyer[j]
                    known[j] += (state[b, i] >= AWARE) * fit[b, i] * appeal[b, segment[i]]
            for j in range(size):
                i = buyer[j]
                none = known[j] == 0.0  # no brand it knows appeals: every occasion rebuys its own (``_choose``)
                part[current[i], i % LANES, segment[i]] += none * spread[j]
                spread[j] = (1.0 - none) * spread[j] / (known[j] + none)  # now per unit of fit × appeal
            for b in range(brands):
                for j in range(size):
                    i = buyer[j]
                    s = segment[i]
                    part[b, i % LANES, s] += (state[b, i] >= AWARE) * spread[j] * fit[b, i] * appeal[b, s]
    for c in range(sums.shape[0]):
        for s in range(segments):
            for lane in range(LANES):
                for b in range(brands):
                    held[b, s] += sums[c, b, lane, s]


class Buying:
    """Purchase occasions and brand choice for the whole market, and the period tallies."""

    def __init__(self, scenario: Scenario, segment: np.ndarray, current: np.ndarray, rng: np.random.Generator):
        sc = scenario
        brands, n = len(sc.brands), segment.size
        self.segment = segment
        self.segments = len(sc.segment_names)
        self.repertoire = sc.buying.repertoire
        self.rate_by_segment = np.array([np.nan if s.purchase_rate is None else s.purchase_rate
                                         for s in sc.population.segments])
        self.rate_by_brand = np.array([b.purchase_rate for b in sc.brands])
        k = sc.buying.rate_shape
        self.propensity = np.ones(n) if k is None else rng.gamma(k, 1.0 / k, n)
        # every consumer buys its brand alone at one rate: a brand's share of a segment's buying is its
        # customers' share of the segment, counted already (``shares``)
        self.one_brand_one_rate = self.repertoire == 0.0 and k is None
        # what a segment buys in all, the denominator of a brand's share of it (``shares``): its size at one rate
        self.weight = np.bincount(segment, weights=self.propensity, minlength=self.segments)
        # a category nobody buys again (durables: purchase_rate 0) has no occasions to wind down
        self.buys_again = bool(np.nan_to_num(self.rate_by_segment).max(initial=0.0) > 0
                               or self.rate_by_brand.max(initial=0.0) > 0)
        self.clock = rng.standard_exponential(n)
        self.due = np.empty(n, dtype=np.int32)  # work array: a consumer's index fits (and it is copied out as int64)
        # each consumer's brand as the step began: those who were customers then buy on the step's
        # occasions (an adopter's purchase on the step is its first), and the brand they rebuy
        self.customer_of = current.copy()
        self.bought = np.zeros((brands, n), dtype=np.int32)  # purchases this period
        self.bought_before = np.zeros((brands, n), dtype=bool)  # bought in the last period
        self.own_purchases = np.zeros(brands, dtype=np.int64)  # occasions on which a customer bought its brand
        self.rng = rng
        period = sc.buying.period or sc.time.horizon
        self.period_steps = round(period / sc.time.dt)
        self.periods: list[dict] = []  # per period: counts (brands, segments) and duplication (brands, brands)

    def occasions(self, current: np.ndarray, dt: float) -> np.ndarray:
        """The consumers who buy on this step, once per occasion, in index order."""
        if not self.buys_again:
            return np.empty(0, dtype=np.int64)
        k = _wind_down(current, self.segment, self.rate_by_brand, self.rate_by_segment, self.propensity, dt,
                       self.clock, self.due)
        due = self.due[:k].astype(np.int64)
        times = np.zeros(k, dtype=np.int64)
        pending = np.arange(k)
        while pending.size:  # a clock can run out more than once in a step
            self.clock[due[pending]] += self.rng.standard_exponential(pending.size)
            times[pending] += 1
            pending = pending[self.clock[due[pending]] <= 0.0]
        return np.repeat(due, times)

    def step(self, state, first: list[np.ndarray], appeal: np.ndarray, dt: float) -> np.ndarray:
        """This step's purchases per (brand, segment): each brand's bought adoptions (``first[b]``,
        consumers) and the occasions of those who were customers as the step began, each choosing a
        brand; tallied per consumer for the period."""
        buyer = self.occasions(self.customer_of, dt)
        chosen = np.empty(buyer.size, dtype=np.int64)
        _choose(buyer, self.rng.random(buyer.size), self.customer_of, state.loyalty, state.state, state.fit, appeal,
                self.segment, self.repertoire, chosen)
        brands = self.bought.shape[0]
        for b in range(brands):
            self.bought[b, first[b]] += 1  # a consumer adopts once a step at most
        purchases = np.zeros((brands, self.segments), dtype=np.int64)
        _tally(self.bought, purchases, chosen, buyer, self.segment)
        self.own_purchases += np.bincount(chosen[chosen == self.customer_of[buyer]], minlength=brands)
        if self.buys_again:  # where nobody buys again, nobody reads whose customer one was
            self.customer_of[:] = state.current
        for b in range(brands):
            purchases[b] += np.bincount(self.segment[first[b]], minlength=self.segments)
        return purchases

    def shares(self, state, appeal: np.ndarray) -> np.ndarray:
        """What niche control counts: (brands, segments) each brand's expected buying in each segment as the
        step leaves it, each consumer weighed by its purchase propensity (none to any brand for one who buys
        nothing); divided by ``weight`` it is the brand's share. Expected, not sampled: control does not
        flicker with a few purchases; with repertoire 0 and no rate_shape, customers / size."""
        if self.one_brand_one_rate:  # what the kernel would sum, exactly, without a pass over the market
            return state.counts[:, CUSTOMER].astype(float)
        held = np.zeros((state.fit.shape[0], self.segments))
        _expected_shares(state.current, state.loyalty, state.state, state.fit, appeal, self.segment, self.propensity,
                         self.repertoire, held)
        return held

    def close_period(self, start: float, end: float) -> None:
        """Count the period's panel measures and start the next period's tallies."""
        counts = np.zeros((len(PANEL_COUNTS), self.bought.shape[0], self.segments), dtype=np.int64)
        _panel_counts(self.bought, self.bought_before, self.segment, counts)
        bought_any = self.bought > 0
        self.periods.append({"start": start, "end": end, "counts": dict(zip(PANEL_COUNTS, counts)),
                             "together": _bought_together(bought_any)})
        self.bought_before = bought_any
        self.bought = np.zeros_like(self.bought)


PANEL_COUNTS = ("buyers", "purchases", "category_buyers", "category_purchases", "buyers_category_purchases",
                "sole_buyers", "previous_buyers", "repeat_buyers")


@numba.njit(cache=True, nogil=True)
def _panel_counts(bought, bought_before, segment, counts):
    """The counts of PANEL_COUNTS per (brand, segment), in that order, in one pass over the consumers:
    buyers of the brand, their purchases of it, buyers of the category and their purchases (the same for
    every brand), the brand's buyers' category purchases, its sole buyers, last period's buyers and those
    of them who bought it again."""
    brands, n = bought.shape
    for i in range(n):
        s = segment[i]
        category = 0
        for b in range(brands):
            category += bought[b, i]
        for b in range(brands):
            k = bought[b, i]
            if k > 0:
                counts[0, b, s] += 1
                counts[1, b, s] += k
                counts[4, b, s] += category
                counts[5, b, s] += k == category
                counts[7, b, s] += bought_before[b, i]
            counts[6, b, s] += bought_before[b, i]
            if category > 0:
                counts[2, b, s] += 1
                counts[3, b, s] += category


DUPLICATION_BLOCK = 1 << 22  # consumers per block: float32 counts stay exact below 2**24


def _bought_together(bought_any: np.ndarray) -> np.ndarray:
    """(brands, brands): consumers who bought both, by a float32 product per block of consumers (fast,
    and exact while a block's count stays below 2**24), summed as integers."""
    brands, n = bought_any.shape
    together = np.zeros((brands, brands), dtype=np.int64)
    for start in range(0, n, DUPLICATION_BLOCK):
        block = bought_any[:, start:start + DUPLICATION_BLOCK].astype(np.float32)
        together += np.rint(block @ block.T).astype(np.int64)
    return together


def buying_table(periods: list[dict], brands: list[str], segments: list[str], sizes: np.ndarray,
                 people_per_consumer: int) -> pd.DataFrame:
    """One row per period, brand and segment (and ``all``): the counts in people and the measures."""
    rows = []
    for p, period in enumerate(periods):
        counts = {k: np.concatenate([v, v.sum(axis=1, keepdims=True)], axis=1) for k, v in period["counts"].items()}
        people = np.append(sizes, sizes.sum())
        for b, brand in enumerate(brands):
            for s, segment in enumerate([*segments, ALL]):
                c = {k: int(v[b, s]) for k, v in counts.items()}
                rows.append({"period": p, "start": period["start"], "end": period["end"], "brand": brand,
                             "segment": segment, **{k: v * people_per_consumer for k, v in c.items()},
                             **_measures(c, int(people[s]))})
    return pd.DataFrame(rows)


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def _measures(c: dict, people: int) -> dict:
    """The panel measures of one brand in one segment and period (docs/outputs.md)."""
    return {
        "penetration": _ratio(c["buyers"], people),
        "purchase_frequency": _ratio(c["purchases"], c["buyers"]),
        "share_of_requirements": _ratio(c["purchases"], c["buyers_category_purchases"]),
        "sole_buyer_share": _ratio(c["sole_buyers"], c["buyers"]),
        "repeat_rate": _ratio(c["repeat_buyers"], c["previous_buyers"]),  # none before the first period
        "purchase_share": _ratio(c["purchases"], c["category_purchases"]),
    }


def duplication_table(periods: list[dict], brands: list[str]) -> pd.DataFrame:
    """Per period: the share of each brand's buyers who also bought each other brand (all segments)."""
    rows = []
    for p, period in enumerate(periods):
        together = period["together"]
        for b, brand in enumerate(brands):
            for o, other in enumerate(brands):
                if o != b:
                    rows.append({"period": p, "brand": brand, "also_bought": other,
                                 "share": _ratio(int(together[b, o]), int(together[b, b]))})
    return pd.DataFrame(rows, columns=["period", "brand", "also_bought", "share"])
