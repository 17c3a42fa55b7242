"""The consumers' state, for the whole population at once, and the transitions that change it.

Each consumer is in exactly one state per brand (``STATES``: unaware, aware, customer, lapsed) and a
customer of at most one brand (``current``). Per-(brand, state, segment) counts and loyalty sums
are kept up to date as consumers move, so the metrics never pass over the market. Becoming a
customer (by adoption or seeding) and leaving (churn or switching) are the only ways in and out of
``CUSTOMER``: they update the counts, loyalty and word of mouth together, and note what happened in
the step's ``Transitions``. The phases that decide who moves are in the model's step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numba
import numpy as np

from ..scenario.schema import Scenario
from .awareness import AWARE, UNAWARE
from .exposure import ContactPipeline, Exposure
from .prospects import Prospects
from .wom import WordOfMouth

CUSTOMER, LAPSED = 2, 3  # after UNAWARE and AWARE
STATES = ("unaware", "aware", "customer", "lapsed")


@dataclass
class Transitions:
    """What changed on a step, per brand, for metrics and word of mouth."""

    adopted: list[list[np.ndarray]] = field(default_factory=list)  # per brand: arrays of adopters
    paid: list[list[np.ndarray]] = field(default_factory=list)  # per brand: caused by a paid contact?
    left: list[list[np.ndarray]] = field(default_factory=list)  # per brand: customers lost
    switched: list[list[np.ndarray]] = field(default_factory=list)  # per brand: lost to a competitor?
    reached: list[list[np.ndarray]] = field(default_factory=list)  # per brand: first paid contact
    first: list[list[np.ndarray]] = field(default_factory=list)  # per brand: adoption by one who never had it?
    seeded: list[list[np.ndarray]] = field(default_factory=list)  # per brand: won by a free sample
    exposure: list[Exposure] = field(default_factory=list)  # per brand: paid contacts (seeding apart), this step

    @classmethod
    def empty(cls, brands: int) -> Transitions:
        return cls(*([[] for _ in range(brands)] for _ in range(7)))

    @staticmethod
    def joined(parts: list[np.ndarray], dtype=np.int64) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    def referred(self, brand: int) -> int:
        """First acquisitions of ``brand`` by word of mouth on this step: what a referral offer pays for."""
        return int((~self.joined(self.paid[brand], bool) & self.joined(self.first[brand], bool)).sum())


@numba.njit(cache=True, nogil=True)
def _count_states(state, segment, counts):
    """counts[brand, state, segment] from scratch; the transitions then keep them up to date."""
    counts[:] = 0
    brands, n = state.shape
    for i in range(n):
        for b in range(brands):
            counts[b, state[b, i], segment[i]] += 1


class Joining(NamedTuple):
    """Loyalty for those who join (``initial`` for all, ``target`` and ``keep`` one each) and the arrays it goes in."""

    initial: float
    target: np.ndarray
    keep: np.ndarray
    loyalty: np.ndarray
    loyalty_target: np.ndarray
    loyalty_keep: np.ndarray


@numba.njit(cache=True, nogil=True)
def _join(brand, who, state, current, adopted_ever, segment, counts, joining):
    """Each of ``who`` a customer of ``brand`` (``state``, ``adopted_ever`` and ``counts`` are the brand's):
    one pass writing all its arrays, which numpy's indexed assignments, one array after another, took
    twice as long to do (60,000 joining a market of 1M, 2026-12-07)."""
    for k in range(who.size):
        i = who[k]
        counts[state[i], segment[i]] -= 1
        counts[CUSTOMER, segment[i]] += 1
        state[i] = CUSTOMER
        current[i] = brand
        adopted_ever[i] = True
        joining.loyalty[i] = joining.initial
        joining.loyalty_target[i] = joining.target[k]
        joining.loyalty_keep[i] = joining.keep[k]


class ConsumerState:
    """Per-consumer, per-brand state arrays, and the transitions in and out of being a customer."""

    def __init__(self, scenario: Scenario, fit: np.ndarray, satisfied: np.ndarray, segment: np.ndarray,
                 region: np.ndarray):
        brands, n = fit.shape
        segments = len(scenario.segment_names)
        self.scenario = scenario
        self.fit = fit  # (brands, N) true product fit in [0, 1]
        self.satisfied = satisfied  # (brands, N) bool (satisfaction.py)
        self.segment = segment
        self.region = region
        self.state = np.zeros((brands, n), dtype=np.int8)
        self.current = np.full(n, -1, dtype=np.int16)
        self.loyalty = np.zeros(n)
        self.loyalty_target = np.zeros(n)  # where loyalty heads while the consumer stays
        self.loyalty_keep = np.ones(n)  # share of the gap to the target left after a step
        self.wear = np.ones((brands, n))  # weight of the next impression, as of ``wear_step``
        self.wear_step = np.zeros((brands, n), dtype=np.int32)  # the step wear was last updated on (exposure.py)
        self.reached = np.zeros((brands, n), dtype=bool)
        self.adopted_ever = np.zeros((brands, n), dtype=bool)
        # consumers per (brand, state, segment) and loyalty summed per (brand, segment), kept up to date
        self.counts = np.zeros((brands, len(STATES), segments), dtype=np.int64)
        self.counts[:, UNAWARE] = np.bincount(segment, minlength=segments)
        self.loyalty_sum = np.zeros((brands, segments))
        # per-step work arrays, kept to avoid reallocating them
        self.ad = np.zeros((brands, n))  # ad hazard from this step's impressions, before fit and barriers
        self.hazard = np.empty((brands + 1, n))  # adopt each brand, then churn
        # consumers with a positive total hazard, then those of them with an event; then awareness's list
        self.candidates = np.empty(n, dtype=np.int32)  # a consumer's index fits in 32 bits (as in the graph)
        self.hearing = np.empty((brands, n))  # hazard of hearing of the brand, for the unaware
        self.uniform = np.empty(n)  # the candidates' random numbers, refilled each step; then awareness's
        # of the candidates with an event: which option, and whether a paid contact caused it
        self.option, self.paid = np.empty(n, dtype=np.int16), np.empty(n, dtype=bool)  # int16: as ``current``
        self.pipeline = ContactPipeline(brands, n)
        self.prospects: Prospects | None = None  # listed once customers are most of a market they never leave

    # --- the market at step 0 -------------------------------------------------------------
    def install(self, wom: WordOfMouth, segment_codes: dict[str, int], rng: np.random.Generator) -> None:
        """Give each brand its installed base and its existing awareness (``brands[].initial``)."""
        specs = self.scenario.brands
        # a market with no installed base and nobody aware draws nothing (the stream is install's alone): at
        # 1M, the segments' shuffles cost 20 to 70 ms
        anything = any(v > 0 for spec in specs
                       for v in (*spec.initial.share.values(), *spec.initial.awareness.values()))
        for name, s in segment_codes.items() if anything else ():
            members = rng.permutation(np.flatnonzero(self.segment == s))
            taken = 0
            for b, spec in enumerate(specs):
                k = round(spec.initial.share.get(name, 0.0) * members.size)
                base = np.sort(members[taken:taken + k])
                taken += k
                self._become_customers(b, base, spec.initial.loyalty)
                wom.joined(b, base, 0.0, by_hazard=False, established=True)
            for b, spec in enumerate(specs):
                aware_share = spec.initial.awareness.get(name, 0.0)
                unaware = members[self.state[b, members] == UNAWARE]
                k = min(unaware.size, round(aware_share * members.size) - (members.size - unaware.size))
                if k > 0:
                    self.state[b, rng.choice(unaware, size=k, replace=False)] = AWARE
        _count_states(self.state, self.segment, self.counts)
        self.loyalty_sum[:] = 0.0
        customers = self.current >= 0
        np.add.at(self.loyalty_sum, (self.current[customers], self.segment[customers]), self.loyalty[customers])

    def _become_customers(self, brand: int, who: np.ndarray, loyalty: float) -> None:
        """``who`` (distinct) become customers of ``brand`` at ``loyalty``, heading for what their fit sustains."""
        lp = self.scenario.loyalty
        fit = self.fit[brand, who]
        rate = lp.growth * fit + lp.decay
        target = np.divide(lp.growth * fit, rate, out=np.zeros(who.size), where=rate > 0)
        keep = np.exp(-rate * self.scenario.time.dt)
        _join(brand, who, self.state[brand], self.current, self.adopted_ever[brand], self.segment, self.counts[brand],
              Joining(loyalty, target, keep, self.loyalty, self.loyalty_target, self.loyalty_keep))

    # --- transitions --------------------------------------------------------------------
    def _count_move(self, brand: int, who: np.ndarray, to: int) -> None:
        """Keep ``counts`` up to date as ``who`` (distinct consumers) move to state ``to`` of ``brand``."""
        np.subtract.at(self.counts[brand], (self.state[brand, who], self.segment[who]), 1)
        self.counts[brand, to] += np.bincount(self.segment[who], minlength=self.counts.shape[2])

    def adopt(self, brand: int, who: np.ndarray, wom: WordOfMouth, moved: Transitions, paid: np.ndarray,
              time: float, by_hazard: bool) -> None:
        """``who`` become customers of ``brand``, by the step's hazards or a free sample; the brand
        they had (if any) loses them."""
        previous = self.current[who]
        for other in np.unique(previous[previous >= 0]):
            lost = who[previous == other]
            self.leave(int(other), lost, wom, moved, switched=True, time=time, by_hazard=by_hazard)
        moved.first[brand].append(~self.adopted_ever[brand, who])
        self._become_customers(brand, who, self.scenario.loyalty.initial)
        wom.joined(brand, who, time, by_hazard)
        moved.adopted[brand].append(who)
        moved.paid[brand].append(paid)

    def leave(self, brand: int, who: np.ndarray, wom: WordOfMouth, moved: Transitions, switched: bool,
              time: float, by_hazard: bool) -> None:
        """``who`` stop being customers of ``brand``: lapsed, without loyalty, their voice gone."""
        self._count_move(brand, who, LAPSED)
        self.state[brand, who] = LAPSED
        self.current[who] = -1
        self.loyalty[who] = 0.0
        self.loyalty_target[who] = 0.0
        self.loyalty_keep[who] = 1.0
        wom.left(brand, who, time, by_hazard)
        moved.left[brand].append(who)
        moved.switched[brand].append(np.full(who.size, switched))

    def sample(self, brand: int, given: np.ndarray, kept: np.ndarray, wom: WordOfMouth, moved: Transitions,
               time: float) -> None:
        """``given`` received a free sample of ``brand``: reached by it and aware of it; ``kept``,
        among them, became its customers (counted as paid adoptions; ``seeding.py`` decides who)."""
        new = given[~self.reached[brand, given]]
        self.reached[brand, new] = True
        moved.reached[brand].append(new)
        unaware = given[self.state[brand, given] == UNAWARE]
        self._count_move(brand, unaware, AWARE)
        self.state[brand, unaware] = AWARE
        moved.seeded[brand].append(kept)
        self.adopt(brand, kept, wom, moved, paid=np.ones(kept.size, dtype=bool), time=time, by_hazard=False)
