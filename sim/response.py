"""Consumer response for the whole population at once: awareness, adoption, churn and switching.

Each consumer is in exactly one state per brand (unaware, aware, customer, lapsed) and a customer
of at most one brand. On a step every consumer faces competing hazards: adopting each brand it is
not a customer of (paid contacts plus word of mouth) and, for customers, churning. At most one of
them happens, chosen in proportion to its hazard, so the rules converge as ``dt`` shrinks. See
docs/model.md for the equations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .campaigns import Contacts
from .scenario import Scenario
from .wom import WordOfMouth

UNAWARE, AWARE, CUSTOMER, LAPSED = 0, 1, 2, 3
STATES = ("unaware", "aware", "customer", "lapsed")


@dataclass
class Exposure:
    """One brand's paid contacts this step, per distinct consumer."""

    consumers: np.ndarray
    count: np.ndarray
    relevance: np.ndarray  # summed over the consumer's impressions


@dataclass
class Transitions:
    """What changed on a step, per brand, for metrics and word of mouth."""

    adopted: list[list[np.ndarray]] = field(default_factory=list)  # per brand: arrays of adopters
    paid: list[list[np.ndarray]] = field(default_factory=list)  # per brand: caused by a paid contact?
    left: list[list[np.ndarray]] = field(default_factory=list)  # per brand: customers lost
    switched: list[list[np.ndarray]] = field(default_factory=list)  # per brand: lost to a competitor?
    reached: list[list[np.ndarray]] = field(default_factory=list)  # per brand: first paid contact
    first: list[list[np.ndarray]] = field(default_factory=list)  # per brand: adopters who never had it
    seeded: list[list[np.ndarray]] = field(default_factory=list)  # per brand: given the product free

    @classmethod
    def empty(cls, brands: int) -> Transitions:
        return cls(*([[] for _ in range(brands)] for _ in range(7)))

    @staticmethod
    def joined(parts: list[np.ndarray], dtype=np.int64) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


class ConsumerState:
    """Per-consumer, per-brand state arrays, and the step that updates them."""

    def __init__(self, scenario: Scenario, fit: np.ndarray, segment: np.ndarray, region: np.ndarray):
        brands, n = fit.shape
        self.scenario = scenario
        self.fit = fit  # (brands, N) true product fit in [0, 1]
        self.satisfied = fit >= scenario.response.satisfaction_threshold
        self.segment = segment
        self.region = region
        self.state = np.zeros((brands, n), dtype=np.int8)
        self.current = np.full(n, -1, dtype=np.int16)
        self.loyalty = np.zeros(n)
        self.loyalty_target = np.zeros(n)  # where loyalty heads while the consumer stays
        self.loyalty_keep = np.ones(n)  # share of the gap to the target left after a step
        self.exposures = np.zeros((brands, n), dtype=np.float32)  # past paid impressions, for wear-out
        self.reached = np.zeros((brands, n), dtype=bool)
        self.adopted_ever = np.zeros((brands, n), dtype=bool)

    # --- transitions --------------------------------------------------------------------
    def _adopt(self, brand: int, who: np.ndarray, wom: WordOfMouth, t: Transitions, paid: np.ndarray) -> None:
        """``who`` become customers of ``brand``; the brand they had (if any) loses them."""
        previous = self.current[who]
        for other in np.unique(previous[previous >= 0]):
            lost = who[previous == other]
            self._leave(int(other), lost, wom, t, switched=True)
        lp = self.scenario.loyalty
        t.first[brand].append(who[~self.adopted_ever[brand, who]])
        self.state[brand, who] = CUSTOMER
        self.current[who] = brand
        self.adopted_ever[brand, who] = True
        self.loyalty[who] = lp.initial
        rate = lp.growth * self.fit[brand, who] + lp.decay
        self.loyalty_target[who] = np.divide(lp.growth * self.fit[brand, who], rate,
                                             out=np.zeros(who.size), where=rate > 0)
        self.loyalty_keep[who] = np.exp(-rate * self.scenario.time.dt)
        wom.update(brand, who, +1.0)
        t.adopted[brand].append(who)
        t.paid[brand].append(paid)

    def _leave(self, brand: int, who: np.ndarray, wom: WordOfMouth, t: Transitions, switched: bool) -> None:
        self.state[brand, who] = LAPSED
        self.current[who] = -1
        self.loyalty[who] = 0.0
        self.loyalty_target[who] = 0.0
        self.loyalty_keep[who] = 1.0
        wom.update(brand, who, -1.0)
        t.left[brand].append(who)
        t.switched[brand].append(np.full(who.size, switched))

    def _mark_reached(self, brand: int, who: np.ndarray, t: Transitions) -> None:
        new = who[~self.reached[brand, who]]
        self.reached[brand, new] = True
        t.reached[brand].append(new)

    # --- the step -------------------------------------------------------------------------
    def step(self, contacts: list[Contacts], wom: WordOfMouth, boost: list[np.ndarray],
             churn_price_factor: np.ndarray, rng: np.random.Generator) -> Transitions:
        """Advance everyone by one step of length dt.

        ``boost[b]`` multiplies the response to brand b's ads per region code (context such as
        rain); ``churn_price_factor[b, s]`` scales churn of b's customers in segment s.
        """
        sc = self.scenario
        dt, resp, lp = sc.time.dt, sc.response, sc.loyalty
        brands, n = self.state.shape
        t = Transitions.empty(brands)

        for c in contacts:
            if c.seeded:
                self._mark_reached(c.brand, c.consumers, t)
                t.seeded[c.brand].append(c.consumers)
                self._adopt(c.brand, c.consumers, wom, t, paid=np.ones(c.consumers.size, dtype=bool))
        exposure = [self._exposure(b, [c for c in contacts if c.brand == b and not c.seeded], t)
                    for b in range(brands)]

        # hazards (integrated over the step): one row per brand to adopt, last row churn
        hazard = np.zeros((brands + 1, n))
        ad_part = []
        switch_barrier = np.where(self.current < 0, 1.0, lp.switching * (1.0 - self.loyalty))
        customers = self.current >= 0
        hazard[brands, customers] = (lp.churn * dt * (1.0 - self.loyalty[customers])
                                     * churn_price_factor[self.current[customers], self.segment[customers]])
        hearing = np.zeros((brands, n))
        for b in range(brands):
            mine = self.current == b
            pos, neg = wom.heard(b, mine)
            hearing[b] = pos + neg
            deterrence = 1.0 / (1.0 + sc.word_of_mouth.negative_weight * neg)
            barrier = np.where(mine, 0.0, switch_barrier) * deterrence * self.fit[b]
            hazard[b] = sc.word_of_mouth.strength * dt * pos * barrier
            hazard[brands, mine] += lp.negative_word_churn * dt * neg[mine]
            e = exposure[b]
            k = self.exposures[b, e.consumers]
            if resp.wearout > 0:  # impression j after k earlier ones weighs (1 - wearout)^(k + j)
                keep = 1.0 - resp.wearout
                effective = keep**k * (1.0 - keep**e.count) / resp.wearout
            else:
                effective = e.count
            ad = (resp.ad_effect * effective * (1.0 + resp.relevance_gain * e.relevance / e.count)
                  * boost[b][self.region[e.consumers]] * barrier[e.consumers])
            hazard[b, e.consumers] += ad
            ad_part.append(ad)
            self.exposures[b, e.consumers] += e.count

        # at most one event per consumer, chosen in proportion to its hazard
        total = hazard.sum(axis=0)
        candidates = np.flatnonzero(total > 0)
        happens = rng.random(candidates.size) < -np.expm1(-total[candidates])
        who = candidates[happens]
        pick = rng.random(who.size) * total[who]
        option = (np.cumsum(hazard[:, who], axis=0) < pick).sum(axis=0)
        option = np.minimum(option, brands)  # guards rounding at the top of the cumulative sum
        cause_draw = rng.random(who.size)

        churners = who[option == brands]
        if churners.size:
            previous = self.current[churners]
            for b in np.unique(previous):
                self._leave(int(b), churners[previous == b], wom, t, switched=False)
        for b in range(brands):
            adopters = who[option == b]
            if adopters.size == 0:
                continue
            ad = np.zeros(n)
            ad[exposure[b].consumers] = ad_part[b]
            paid = cause_draw[option == b] * hazard[b, adopters] < ad[adopters]
            self._adopt(b, adopters, wom, t, paid=paid)

        # awareness: every paid contact, and hearing about the brand from others
        for b in range(brands):
            unaware = np.flatnonzero(self.state[b] == UNAWARE)
            rate = sc.word_of_mouth.strength * dt * hearing[b, unaware]
            heard = unaware[rate > 0]
            heard = heard[rng.random(heard.size) < -np.expm1(-rate[rate > 0])]
            self.state[b, heard] = AWARE
            contacted = exposure[b].consumers
            self.state[b, contacted[self.state[b, contacted] == UNAWARE]] = AWARE

        self._update_loyalty(exposure)
        return t

    def _exposure(self, brand: int, contacts: list[Contacts], t: Transitions) -> Exposure:
        if not contacts:
            empty = np.zeros(0)
            return Exposure(np.zeros(0, dtype=np.int64), empty, empty)
        hits = np.concatenate([c.consumers for c in contacts])
        relevance = np.concatenate([c.relevance for c in contacts])
        consumers, inverse, count = np.unique(hits, return_inverse=True, return_counts=True)
        self._mark_reached(brand, consumers, t)
        return Exposure(consumers, count.astype(float), np.bincount(inverse, weights=relevance))

    def _update_loyalty(self, exposure: list[Exposure]) -> None:
        """Loyalty relaxes toward a level set by satisfaction; personalised contact builds it."""
        self.loyalty = self.loyalty_target + (self.loyalty - self.loyalty_target) * self.loyalty_keep
        gain = self.scenario.loyalty.relationship_gain
        for b, e in enumerate(exposure):
            own = self.current[e.consumers] == b
            who = e.consumers[own]
            self.loyalty[who] += (1.0 - self.loyalty[who]) * -np.expm1(-gain * e.relevance[own])
