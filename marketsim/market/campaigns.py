"""Campaigns: who a brand's paid contacts land on each step, and what they cost.

A campaign pays its research at ``start``, its set-up (channel and creative) at launch, then per
impression. Research with alternative audiences surveys a panel in each and aims the campaign at
the one that likes the product best. Impressions land on the channel's users: a share
``precision`` inside the audience, the rest leaking to random users. A trigger restricts delivery
to the steps and regions where an exogenous condition holds; flighting to its on periods. Events
reach a number of audience members once; seeding gives the product to K audience members. No
charge is made that the campaign's or the brand's budget cannot pay. Each campaign draws its
random numbers from its own stream and its own key, so a run without one brand's campaigns keeps
the others' contacts (common random numbers for lift).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..scenario.audience import matches
from ..scenario.schema import CampaignSpec, Channel
from .chunks import take
from .costs import (Budget, affordable, affordable_prefix, charge_all, delivery_cost, segment_costs, stochastic_round,
                    targeted_cpm)
from .draws import whole_numbers
from .network import Graph
from .population import Population
from .relevance import profile, relevance_to


@dataclass
class Contacts:
    """Paid contacts made this step; ``consumers`` may repeat (several impressions). ``consumers`` is
    the campaign's buffer, reused on its next step: copy it to keep it; ``relevance``, ``audience`` and
    ``written_for`` are the campaign's own arrays, to be read, never written."""

    brand: int
    consumers: np.ndarray
    # the message's relevance (relevance.py) to each consumer of ``written_for`` (the campaign's targets), or
    # one value for all; and whether each consumer is in the audience, or one value for all. Read per
    # consumer as the contacts are gathered (exposure.Message)
    relevance: np.ndarray
    audience: np.ndarray
    cost_by_segment: np.ndarray  # what one contact cost, per segment (costs.segment_costs): wasted spend is counted
    impact: float = 1.0  # standard impressions one contact is worth
    buzz: float = 0.0  # fresh talk a touched customer gains, in units of a new customer's talk
    seeded: bool = False  # the contacts are offered a free sample (seeding.py), not an impression
    channel: str | None = None  # where the contacts aired (share of voice is per channel)
    sample_draws: np.ndarray | None = None  # samples: (2, contacts) uniforms: converts? which of two?
    refund: Callable[[float], None] | None = None  # gives money back for samples nobody received
    written_for: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # ascending


@dataclass
class StepContext:
    """What a campaign may look at when it acts on a step."""

    time: float
    dt: float
    step: int  # Mesa's count: 1 on the first step
    controlled: np.ndarray  # (brands, segments) bool
    regions_with: dict[str, np.ndarray]  # condition name -> bool per region code
    current: np.ndarray  # brand each consumer is a customer of, -1 for none
    graph: Graph | None  # the social network, if any: seeding by degree reads its contacts per consumer
    reach_discount: float


class Campaign:
    """A campaign's run-time state; ``spec`` is what the scenario said."""

    def __init__(self, spec: CampaignSpec, brand_index: int, brand_budget: Budget, channel: Channel | None,
                 pop: Population, unit_cost: float, horizon: float, fit: np.ndarray, rng: np.random.Generator,
                 key: np.ndarray, tailoring: float):
        self.spec = spec
        self.tailoring = tailoring  # how fast relevance falls with distance from the audience (relevance.py)
        self.brand = brand_index
        self.fit = fit  # the brand's true fit per consumer: what research can learn about
        self.rng = rng  # numbers drawn one after another: delivery's totals, event guests, seeds, research panels
        self.key = key  # each impression's consumer (draws.whole_numbers), on any thread
        self.brand_budget = brand_budget
        self.budget = Budget(spec.budget)
        self.channel = channel
        self.pop = pop
        self.end = horizon if spec.end is None else spec.end
        self.cost_per_seed = unit_cost if spec.cost_per_seed is None else spec.cost_per_seed
        self.user_mask = matches(channel.users, pop) if channel else np.ones(pop.size, dtype=bool)
        self.users = pop.members(self.user_mask)
        self._aim("planned", matches(spec.audience, pop))
        self.panel_scores: dict[str, float] = {}
        self.copy_quality = 1.0  # the message's power: wears out on air, recovers off air
        self.ran_out_at: float | None = None  # when it first could not pay for all it planned
        self.status = "planned"  # planned -> researching -> running -> done | moved | unfunded
        self.researched = spec.research is None
        self.niche_codes = np.array([pop.categories["segment"].index(s) for s in spec.niche], dtype=np.int64)
        self._hits = np.empty(0, np.int64)  # this step's contacts; kept to avoid reallocating them

    def _buffer(self, size: int) -> np.ndarray:
        if self._hits.size < size:
            self._hits = np.empty(size, np.int64)
        return self._hits[:size]

    # --- money --------------------------------------------------------------------------
    def _pay(self, amount: float) -> bool:
        if amount > affordable(self.budget, self.brand_budget):
            self.status = "unfunded"
            return False
        charge_all(amount, self.budget, self.brand_budget)
        return True

    def _available(self) -> float:
        return affordable(self.budget, self.brand_budget)

    def _aim(self, name: str, audience: np.ndarray) -> None:
        self.aimed_at = name
        self.audience = audience
        self.targets = self.pop.members(audience & self.user_mask)
        # whom the message is written for: its audience among the channel's users. Its relevance to
        # each of them changes only when the campaign is re-aimed, so it is computed here, once; the
        # contacts that reach others are outside the audience, where relevance is 0
        prof = profile(self.targets, self.pop) if self.tailoring > 0 else None
        self.relevance_to_targets = None if prof is None else relevance_to(
            self.targets, self.spec.relevance, self.tailoring, prof, self.pop, np.empty(self.targets.size))
        share = self.targets.size / self.users.size if self.users.size else 1.0
        self.cpm = 0.0 if self.channel is None else targeted_cpm(self.channel.cpm, self.channel.targeting_premium,
                                                                 self.spec.precision, share)

    def _choose_audience(self) -> None:
        """Survey a panel of each candidate audience (the planned one and the research's
        alternatives) and aim at the one whose members most often say they would buy.

        A panel member says yes with probability equal to its true fit, so a longer research phase
        (a larger panel) tells the candidates apart more reliably; it never reads the segment label.
        """
        research = self.spec.research
        candidates = [("planned", self.audience)]
        candidates += [(alt.name, matches(alt.audience, self.pop)) for alt in research.alternatives]
        for name, mask in candidates:
            reachable = np.flatnonzero(mask & self.user_mask)
            if reachable.size == 0:
                continue
            panel = self.rng.choice(reachable, size=research.panel(), replace=True)
            self.panel_scores[name] = float((self.rng.random(panel.size) < self.fit[panel]).mean())
        if self.panel_scores:
            best = max(self.panel_scores, key=self.panel_scores.get)  # ties keep the earlier candidate
            self._aim(best, dict(candidates)[best])

    def niche_controlled(self, controlled: np.ndarray) -> bool:
        return self.niche_codes.size > 0 and bool(controlled[self.brand, self.niche_codes].all())

    # --- one step -------------------------------------------------------------------------
    def act(self, ctx: StepContext, campaigns_by_name: dict[str, Campaign]) -> Contacts | None:
        spec = self.spec
        if self.status in ("done", "moved", "unfunded") or ctx.time + ctx.dt <= spec.start:
            return None
        if not self.researched:
            self.researched = True
            if not self._pay(spec.research.cost):
                return None
            self.status = "researching"
        if ctx.time + ctx.dt <= spec.launch:
            return None
        if self.status in ("planned", "researching"):
            fixed = spec.fixed_cost + (self.channel.setup_cost if self.channel else 0.0)
            if not self._pay(fixed):
                return None
            if spec.research is not None and spec.research.alternatives and spec.research.panel() > 0:
                self._choose_audience()
            self.status = "running"
        if spec.on_control == "move" and self.niche_controlled(ctx.controlled):
            target = campaigns_by_name[spec.move_to]
            target.budget.total += self.budget.remaining
            self.budget.total = self.budget.spent
            self.status = "moved"
            return None
        if spec.type in ("event", "seeding"):
            self.status = "done"
            return self._seed(ctx) if spec.type == "seeding" else self._event(ctx)
        if ctx.time >= self.end:
            self.status = "done"
            return None
        return self._advertise(ctx) if spec.type == "ads" else None  # a referral offer makes no contact

    @property
    def offering(self) -> bool:
        """A referral offer that is running: the brand's customers recommend it more."""
        return self.spec.type == "referral" and self.status == "running"

    def pay_referrals(self, referred: int, time: float) -> None:
        """Pay the reward for each customer won by word of mouth on this step; an offer that cannot
        pay them all pays what it can and ends."""
        owed = referred * self.spec.reward
        if owed == 0:
            return
        money = self._available()
        if owed > money:
            owed = math.floor(money / self.spec.reward) * self.spec.reward
            self.ran_out_at = time
            self.status = "done"
        charge_all(owed, self.budget, self.brand_budget)

    def _where_condition_holds(self, pool: np.ndarray, ctx: StepContext) -> np.ndarray:
        if self.spec.trigger is None:
            return pool
        return pool[ctx.regions_with[self.spec.trigger][self.pop.region[pool]]]

    def _on_time(self, until: float) -> float:
        """Time spent advertising from launch to ``until``, counting only flighting's on periods."""
        elapsed = max(0.0, min(until, self.end) - self.spec.launch)
        flight = self.spec.flighting
        if flight is None:
            return elapsed
        cycles, into = divmod(elapsed, flight.on + flight.off)
        return cycles * flight.on + min(into, flight.on)

    def _age_copy(self, on_air: float, step: float, per_member: float) -> None:
        """Copy wear-out for the time the message was really on air and for how hard it aired
        (``per_member``: impressions delivered per member of the audience), restoration for the rest
        of the step (Naik, Mantrala and Sawyer 1998): dQ/dt = -(c + w u) Q on air, where u is the
        intensity. The time term is the reason pulsing can beat continuous ads; the intensity term
        makes concentrating the same impressions wear the copy as much as spreading them."""
        spec = self.spec
        rested = 1.0 - (1.0 - self.copy_quality) * 2.0 ** (-(step - on_air) / spec.copy_recovery_half_life)
        self.copy_quality = rested * math.exp(-spec.copy_wearout * on_air - spec.copy_intensity_wearout * per_member)

    def _advertise(self, ctx: StepContext) -> Contacts | None:
        active = self._on_time(ctx.time + ctx.dt) - self._on_time(ctx.time)  # part of the step on air
        quality = self.copy_quality
        contacts, delivered = self._deliver(ctx, active, quality)
        aired = 0 if contacts is None else contacts.consumers.size
        self._age_copy(active * delivered, ctx.dt, aired / max(self.targets.size or self.users.size, 1))
        return contacts

    def _deliver(self, ctx: StepContext, active: float, quality: float) -> tuple[Contacts | None, float]:
        """This step's impressions, and the share of the planned ones that were delivered."""
        spec, rng = self.spec, self.rng
        if spec.impressions is not None:
            per_unit = spec.impressions
        else:  # the loader makes sure a spend rate goes with a priced channel
            per_unit = spec.spend_rate / (self.cpm / 1000.0)
        if spec.on_control == "cut" and self.niche_controlled(ctx.controlled):
            per_unit *= spec.cut_to
        planned = stochastic_round(per_unit * active, rng)
        targets = self._where_condition_holds(self.targets, ctx)
        users = self._where_condition_holds(self.users, ctx)
        if planned == 0 or users.size == 0:
            return None, 0.0
        inside = rng.binomial(planned, spec.precision) if targets.size else 0
        hits = self._buffer(planned)
        for stream, (pool, out) in enumerate(((targets, hits[:inside]), (users, hits[inside:]))):
            whole_numbers(pool.size, self.key, ctx.step, stream, out)  # places in the pool
            if pool is not self.pop.everyone:  # else a place is a consumer already
                take(pool, out, out)
        by_segment = segment_costs(self.cpm, ctx.controlled[self.brand], ctx.reach_discount)
        money, cost = self._available(), delivery_cost(by_segment, hits, self.pop.segment)
        if cost > money:  # the budget binds: deliver a random affordable subset
            self.ran_out_at = ctx.time if self.ran_out_at is None else self.ran_out_at
            hits = hits[rng.permutation(hits.size)]
            keep, cost = affordable_prefix(by_segment, hits, self.pop.segment, money)
            hits = hits[:keep]
        if hits.size == 0:
            return None, 0.0
        charge_all(float(cost), self.budget, self.brand_budget)
        return self._contacts(hits, by_segment, quality), hits.size / planned

    def _event(self, ctx: StepContext) -> Contacts | None:
        pool = self._where_condition_holds(self.targets, ctx)
        chosen = self.rng.choice(pool, size=min(self.spec.reach, pool.size), replace=False)
        by_segment = segment_costs(self.cpm, ctx.controlled[self.brand], ctx.reach_discount)
        keep, cost = affordable_prefix(by_segment, chosen, self.pop.segment, self._available())
        charge_all(cost, self.budget, self.brand_budget)
        return self._contacts(chosen[:keep], by_segment)

    def _seed(self, ctx: StepContext) -> Contacts | None:
        spec, rng = self.spec, self.rng
        pool = self.targets[ctx.current[self.targets] != self.brand]  # free samples go to the audience
        k = spec.seeds
        money = self._available()
        if self.cost_per_seed > 0 and math.isfinite(money):
            k = min(k, int(math.floor(money / self.cost_per_seed * (1 + 1e-12))))
        k = min(k, pool.size)
        if spec.seed_by == "degree" and ctx.graph is not None:
            # most contacts first; ties broken at random so the choice does not depend on index order
            order = np.lexsort((rng.random(pool.size), -ctx.graph.degree[pool]))
            chosen = pool[order[:k]]
        else:
            chosen = rng.choice(pool, size=k, replace=False)
        charge_all(k * self.cost_per_seed, self.budget, self.brand_budget)
        contacts = self._contacts(chosen, np.full(len(self.pop.categories["segment"]), float(self.cost_per_seed)))
        contacts.seeded = True
        contacts.sample_draws = rng.random((2, k))
        contacts.refund = self._refund
        return contacts

    def _refund(self, amount: float) -> None:
        """Money back for samples another campaign of the brand gave the same consumers."""
        for budget in (self.budget, self.brand_budget):
            budget.spent -= amount

    def _contacts(self, consumers: np.ndarray, cost_by_segment: np.ndarray, quality: float = 1.0) -> Contacts:
        relevance = np.array([self.spec.relevance]) if self.relevance_to_targets is None \
            else self.relevance_to_targets
        audience = np.ones(1, np.bool_) if self.targets is self.pop.everyone else self.audience
        return Contacts(self.brand, consumers, relevance, audience, cost_by_segment, self.spec.impact * quality,
                        self.spec.buzz, channel=self.spec.channel, written_for=self.targets)
