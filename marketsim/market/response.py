"""Consumer response for the whole population at once: awareness, adoption, churn and switching.

Each consumer is in exactly one state per brand (unaware, aware, customer, lapsed) and a customer
of at most one brand. On a step every consumer faces competing hazards: adopting each brand it is
not a customer of (paid contacts plus word of mouth) and, for customers, churning. At most one of
them happens, chosen in proportion to its hazard, so the rules converge as ``dt`` shrinks. See
docs/model.md for the equations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

from .awareness import AWARE, UNAWARE, update_awareness
from .campaigns import Contacts
from .draws import uniforms_at
from .exposure import ContactPipeline, Exposure
from .loyalty import update_loyalty
from ..scenario.schema import Scenario
from .wom import WordOfMouth, heard_by

CUSTOMER, LAPSED = 2, 3  # after UNAWARE and AWARE
STATES = ("unaware", "aware", "customer", "lapsed")
SKIP_CUSTOMERS_ABOVE = 0.75  # a brand's share of the market above which hazards skip its customers (break-even 0.72)


@dataclass
class Transitions:
    """What changed on a step, per brand, for metrics and word of mouth."""

    adopted: list[list[np.ndarray]] = field(default_factory=list)  # per brand: arrays of adopters
    paid: list[list[np.ndarray]] = field(default_factory=list)  # per brand: caused by a paid contact?
    left: list[list[np.ndarray]] = field(default_factory=list)  # per brand: customers lost
    switched: list[list[np.ndarray]] = field(default_factory=list)  # per brand: lost to a competitor?
    reached: list[list[np.ndarray]] = field(default_factory=list)  # per brand: first paid contact
    first: list[list[np.ndarray]] = field(default_factory=list)  # per brand: adoption by one who never had it?
    seeded: list[list[np.ndarray]] = field(default_factory=list)  # per brand: given the product free
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


@numba.njit(cache=True, nogil=True)
def _count_states(state, segment, counts):
    """counts[brand, state, segment] from scratch; the step then keeps them up to date."""
    counts[:] = 0
    brands, n = state.shape
    for i in range(n):
        for b in range(brands):
            counts[b, state[b, i], segment[i]] += 1


class ConsumerState:
    """Per-consumer, per-brand state arrays, and the step that updates them."""

    def __init__(self, scenario: Scenario, fit: np.ndarray, segment: np.ndarray, region: np.ndarray):
        brands, n = fit.shape
        segments = len(scenario.segment_names)
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
        self.wear = np.ones((brands, n))  # weight of the next impression, as of ``wear_time``
        self.wear_time = np.zeros((brands, n))
        self.reached = np.zeros((brands, n), dtype=bool)
        self.adopted_ever = np.zeros((brands, n), dtype=bool)
        # consumers per (brand, state, segment) and loyalty summed per (brand, segment), kept up to date
        self.counts = np.zeros((brands, len(STATES), segments), dtype=np.int64)
        self.counts[:, UNAWARE] = np.bincount(segment, minlength=segments)
        self.loyalty_sum = np.zeros((brands, segments))
        # per-step work arrays, kept to avoid reallocating them
        self.ad = np.zeros((brands, n))  # ad hazard from this step's impressions, before fit and barriers
        self.hazard = np.empty((brands + 1, n))  # adopt each brand, then churn
        self.candidates = np.empty(n, dtype=np.int64)  # consumers with a positive total hazard
        self.hearing = np.empty((brands, n))  # hazard of hearing of the brand, for the unaware
        self.uniform = np.empty(n)  # one random number per consumer, refilled for each use
        self.pipeline = ContactPipeline(brands, n)

    # --- the market at step 0 -------------------------------------------------------------
    def install(self, wom: WordOfMouth, segment_codes: dict[str, int], rng: np.random.Generator) -> None:
        """Give each brand its installed base and its existing awareness (``brands[].initial``)."""
        brands, n = self.state.shape
        specs = self.scenario.brands
        for name, s in segment_codes.items():
            members = rng.permutation(np.flatnonzero(self.segment == s))
            taken = 0
            for b, spec in enumerate(specs):
                k = round(spec.initial.share.get(name, 0.0) * members.size)
                base = np.sort(members[taken:taken + k])
                taken += k
                self._become_customers(b, base, spec.initial.loyalty)
                wom.joined(b, base, 0.0, established=True)
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
        lp = self.scenario.loyalty
        self._count_move(brand, who, CUSTOMER)
        self.state[brand, who] = CUSTOMER
        self.current[who] = brand
        self.adopted_ever[brand, who] = True
        self.loyalty[who] = loyalty
        rate = lp.growth * self.fit[brand, who] + lp.decay
        self.loyalty_target[who] = np.divide(lp.growth * self.fit[brand, who], rate,
                                             out=np.zeros(who.size), where=rate > 0)
        self.loyalty_keep[who] = np.exp(-rate * self.scenario.time.dt)

    # --- transitions --------------------------------------------------------------------
    def _count_move(self, brand: int, who: np.ndarray, to: int) -> None:
        """Keep ``counts`` up to date as ``who`` (distinct consumers) move to state ``to`` of ``brand``."""
        np.subtract.at(self.counts[brand], (self.state[brand, who], self.segment[who]), 1)
        self.counts[brand, to] += np.bincount(self.segment[who], minlength=self.counts.shape[2])

    def _adopt(self, brand: int, who: np.ndarray, wom: WordOfMouth, t: Transitions, paid: np.ndarray,
               time: float) -> None:
        """``who`` become customers of ``brand``; the brand they had (if any) loses them."""
        previous = self.current[who]
        for other in np.unique(previous[previous >= 0]):
            lost = who[previous == other]
            self._leave(int(other), lost, wom, t, switched=True, time=time)
        t.first[brand].append(~self.adopted_ever[brand, who])
        self._become_customers(brand, who, self.scenario.loyalty.initial)
        wom.joined(brand, who, time)
        t.adopted[brand].append(who)
        t.paid[brand].append(paid)

    def _leave(self, brand: int, who: np.ndarray, wom: WordOfMouth, t: Transitions, switched: bool,
               time: float) -> None:
        self._count_move(brand, who, LAPSED)
        self.state[brand, who] = LAPSED
        self.current[who] = -1
        self.loyalty[who] = 0.0
        self.loyalty_target[who] = 0.0
        self.loyalty_keep[who] = 1.0
        wom.left(brand, who, time)
        t.left[brand].append(who)
        t.switched[brand].append(np.full(who.size, switched))

    def _mark_reached(self, brand: int, who: np.ndarray, t: Transitions) -> None:
        new = who[~self.reached[brand, who]]
        self.reached[brand, new] = True
        t.reached[brand].append(new)

    # --- the step -------------------------------------------------------------------------
    def step(self, time: float, contacts: list[Contacts], wom: WordOfMouth, boost: list[np.ndarray],
             churn_price_factor: np.ndarray, adopt_price_factor: np.ndarray, talk: np.ndarray,
             event_rng: np.random.Generator, awareness_rngs: list[np.random.Generator]) -> Transitions:
        """Advance everyone by one step of length dt, starting at ``time``.

        ``boost[b]`` multiplies the response to brand b's ads per region code (context such as
        rain); ``churn_price_factor[b, s]`` scales churn of b's customers in segment s and
        ``adopt_price_factor[b, s]`` the adoption of b in segment s; ``talk[b]`` how much more b's
        satisfied customers recommend it (a referral offer). Every consumer has a random number per
        step from each stream of its own purpose (events; awareness of each brand), used or not, so
        that two runs that differ in one brand's campaigns share their random numbers; numbers
        nobody needs are jumped over rather than drawn (``uniforms_at``).
        """
        sc = self.scenario
        dt, lp, q_dt = sc.time.dt, sc.loyalty, sc.word_of_mouth.strength * sc.time.dt
        brands, n = self.state.shape
        t = Transitions.empty(brands)

        for c in contacts:
            if c.seeded:
                self._mark_reached(c.brand, c.consumers, t)
                given = c.consumers[self.current[c.consumers] != c.brand]  # two seedings may pick one person
                t.seeded[c.brand].append(given)
                self._adopt(c.brand, given, wom, t, paid=np.ones(given.size, dtype=bool), time=time)
        self.pipeline.start_step()
        exposure = [self._exposure(b, [c for c in contacts if c.brand == b and not c.seeded], boost[b], t, time)
                    for b in range(brands)]
        t.exposure = exposure

        wom_args = (wom.sums, wom.buzz, wom.inv_contacts, talk)  # what the kernels read of word of mouth
        listed = _hazards(self.state, self.loyalty, self.fit, self.ad, self.segment, churn_price_factor,
                          adopt_price_factor, sc.response.unaware_response, *wom_args, self.current, q_dt,
                          sc.word_of_mouth.negative_weight, lp.switching, lp.churn * dt, lp.negative_word_churn * dt,
                          self.hazard, self.hearing, self.candidates, self.counts[:, CUSTOMER].sum(axis=1))
        candidates = self.candidates[:listed]
        who = np.empty(candidates.size, dtype=np.int64)
        option = np.empty(candidates.size, dtype=np.int64)
        paid = np.empty(candidates.size, dtype=np.bool_)
        k = _events(candidates, uniforms_at(event_rng, n, candidates, self.uniform), self.hazard, self.ad,
                    *wom_args, q_dt, who, option, paid)
        who, option, paid = who[:k], option[:k], paid[:k]
        for e in exposure:
            self.ad[e.brand, e.consumers] = 0.0

        churners = who[option == brands]
        previous = self.current[churners]
        for b in np.unique(previous):
            self._leave(int(b), churners[previous == b], wom, t, switched=False, time=time)
        for b in range(brands):
            chose = option == b
            if chose.any():
                self._adopt(b, who[chose], wom, t, paid=paid[chose], time=time)

        half_life = sc.response.awareness_half_life
        forget = 0.0 if half_life is None else -np.expm1(-np.log(2.0) * dt / half_life)
        # the candidates' list is free again: awareness uses it as a work array
        update_awareness(self.state, self.hearing, [e.consumers for e in exposure], forget, self.segment,
                         self.counts, awareness_rngs, self.uniform, self.candidates)
        starts = np.cumsum([0, *(e.consumers.size for e in exposure)])
        update_loyalty(self.loyalty, self.loyalty_target, self.loyalty_keep, self.current, self.segment,
                       *self.pipeline.exposed(), starts, lp.relationship_gain, self.loyalty_sum)
        self._spread_buzz(contacts, wom, time)
        wom.fade(dt)
        return t

    def _exposure(self, brand: int, contacts: list[Contacts], boost: np.ndarray, t: Transitions,
                  time: float) -> Exposure:
        """Gather a brand's impressions per consumer and set their ad hazard for this step."""
        exposure, first_reached = self.pipeline.expose(
            brand, contacts, time, boost, self.segment, self.counts.shape[2], self.region, self.satisfied[brand],
            self.scenario.response, self.wear, self.wear_time, self.reached, self.ad)
        t.reached[brand].append(first_reached)
        return exposure

    def _spread_buzz(self, contacts: list[Contacts], wom: WordOfMouth, time: float) -> None:
        """Customers touched by a campaign with ``buzz`` (a shared bottle, an event) talk more for a while."""
        for c in contacts:
            if c.buzz > 0:
                wom.excite(c.brand, np.unique(c.consumers[self.current[c.consumers] == c.brand]), c.buzz, time)
