"""The market as a Mesa model: consumer state in arrays, consumers and brands as Mesa agents.

``MarketModel.step`` reads as the funnel: each line is one phase (conditions, campaigns, seeding,
exposure, adoption and churn, referral payouts, awareness, loyalty, word of mouth, metrics), a
method below that calls the module named after the mechanism; docs/architecture.md follows one
step through them. The whole population moves at once, on arrays (``state.py``). A ``Consumer``
agent holds only its index, and reads its attributes and state from the arrays, so a user can
inspect agents (``model.agents_by_type[Consumer]``) while the hot path stays vectorised. Mesa's
view of the market (the agents, made on first access) is in ``mesa_view.py``; ``Consumer``,
``Brand`` and ``STATES`` are importable from here too.

All randomness flows from named streams spawned from the seed, one per purpose (population,
network, fit, installed base, conditions, sales (purchase occasions), each campaign), so that switching one
brand's campaigns off leaves every other draw as it was. The events of adoption and churn, each brand's
awareness and each campaign's impressions take a key instead (``draws.py``): a consumer's number on a
step is a function of the key, the step and the consumer (an impression's, of the key, the step and the
impression's place), so only those who need one compute it, on any thread. Mesa's own
``model.rng`` and ``model.random`` (seeded by ``super().__init__``) are never drawn from by the
market.
"""

from __future__ import annotations

import time
from pathlib import Path

import mesa
import numpy as np

from ..scenario.loading import load_scenario, scenario_from_dict
from ..scenario.scale import in_consumers
from ..scenario.schema import Scenario
from .adoption import adopt_and_churn, rates_of
from .awareness import update_awareness
from .campaigns import Contacts, StepContext
from .conditions import context_boost, draw_conditions
from .draws import key_of
from .buying import Buying
from .exposure import Exposure
from .loyalty import update_loyalty
from .mesa_view import Brand, Consumer, LazyConsumerAgents
from .metrics import Recorder
from .network import build_network
from .population import build_population
from .prices import Prices, step_prices
from .referrals import pay_referrals, talk_uplift
from .satisfaction import satisfied
from .seeding import resolve_samples
from .state import STATES, ConsumerState, Transitions
from .voice import crowd_out
from .wom import WordOfMouth

__all__ = ["STATES", "Brand", "Consumer", "MarketModel", "seed_from", "with_fields"]


def seed_from(rng) -> int:
    """An integer seed from what Mesa accepts as ``rng``; None draws fresh entropy."""
    if rng is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint64)[0])
    if isinstance(rng, (int, np.integer)):
        return int(rng)
    raise TypeError(f"rng must be an integer seed, a numpy SeedSequence or None, not {type(rng).__name__}")


def with_fields(scenario: Scenario | str | Path, fields: dict) -> Scenario:
    """A scenario (object or file) with dotted-path fields overridden, validated again."""
    if isinstance(scenario, Scenario):
        return scenario_from_dict(scenario.model_dump(by_alias=True, exclude_unset=True), scenario.name,
                                  overrides=fields)
    return load_scenario(scenario, fields)


class MarketModel(LazyConsumerAgents, mesa.Model):
    """A market of consumers in a social network, and brands that run campaigns.

    ``scenario`` is a validated Scenario or the path of a scenario file; ``rng`` an integer seed.
    The same scenario and seed give the same run, bit for bit. ``silent_brands`` run none of their
    campaigns: the same market without them, on the same random numbers (for lift). Keyword
    ``fields`` override scenario fields, with ``__`` for the dots of ``--set``
    (``population__size=2000``, ``campaigns__mass_tv__budget=0``), so ``mesa.batch_run`` can vary them.
    """

    def __init__(self, scenario: Scenario | str | Path, rng=None, silent_brands: frozenset[str] = frozenset(),
                 **fields):
        started = time.perf_counter()
        seed = seed_from(rng)
        super().__init__(rng=seed)
        if fields:
            sc = with_fields(scenario, {k.replace("__", "."): v for k, v in fields.items()})
        else:
            sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        people = sc
        sc = in_consumers(sc)  # the engine runs in consumers; the recorder gives people and money back
        self.seed = seed
        self.scenario_spec = sc  # the simulated market, as the Mesa view shows it (in consumers)
        # one stream per purpose, so a change in one (a brand's campaigns switched off) leaves the others
        population_seq, network_seq, fit_seq, market_seq, conditions_seq, events_seq, awareness_seq, sales_seq, \
            campaigns_seq, satisfaction_seq, order_seq, impressions_seq = np.random.SeedSequence(seed).spawn(12)
        self.conditions_rng = np.random.default_rng(conditions_seq)
        self.event_key = key_of(events_seq)  # counter-based: a consumer's number is a function of key and step
        self.awareness_keys = [key_of(s) for s in awareness_seq.spawn(len(sc.brands))]
        sales_rng = np.random.default_rng(sales_seq)
        self.population = build_population(sc, np.random.default_rng(population_seq))
        self.build_seconds = {"population": time.perf_counter() - started}
        self.graph = build_network(sc.network, self.population, np.random.default_rng(network_seq))
        self.build_seconds["network"] = time.perf_counter() - started - self.build_seconds["population"]
        pop = self.population

        fit = np.empty((len(sc.brands), pop.size))
        for b, brand in enumerate(sc.brands):
            by_segment = np.array([brand.fit.get(s, brand.default_fit) for s in sc.segment_names])
            fit[b] = by_segment[pop.segment]
        if sc.response.fit_spread > 0:
            fit = np.clip(fit + np.random.default_rng(fit_seq).normal(0.0, sc.response.fit_spread, fit.shape),
                          0.0, 1.0)
        response = sc.response
        self.state = ConsumerState(sc, fit, satisfied(fit, response.satisfaction_threshold, response.satisfaction_width,
                                                      np.random.default_rng(satisfaction_seq)), pop.segment, pop.region)
        self.rates = rates_of(sc)  # of adoption and churn, per step
        self.wom = WordOfMouth(sc.word_of_mouth, self.graph, pop.size, len(sc.brands), pop.talkativeness,
                               self.state.satisfied)
        self.state.install(self.wom, {s: i for i, s in enumerate(sc.segment_names)},
                           np.random.default_rng(market_seq))
        self.buying = Buying(sc, pop.segment, self.state.current, sales_rng)

        self.keep_consumer_ids(pop.size)  # consumer agents are made on first access (mesa_view.py)
        campaign_draws = list(zip([np.random.default_rng(s) for s in campaigns_seq.spawn(len(sc.campaigns))],
                                  [key_of(s) for s in impressions_seq.spawn(len(sc.campaigns))]))
        order_streams = [np.random.default_rng(s) for s in order_seq.spawn(len(sc.brands))]
        self.brands = [Brand(self, b, campaign_draws, order_streams[b], silent=spec.name in silent_brands)
                       for b, spec in enumerate(sc.brands)]
        self.recorder = Recorder(sc.time.steps, [b.name for b in sc.brands], sc.segment_names,
                                 self.audiences(), pop.segment, sc.niche.control_threshold, self.buying.weight,
                                 people.population.people_per_consumer)
        self._spent_recorded = np.zeros(len(sc.brands))  # each brand's spending as of the last record
        no_control = np.zeros((len(sc.brands), len(sc.segment_names)), dtype=bool)
        self.recorder.record(0, 0.0, sc.time.dt, self.state, None, self._spent_recorded,
                             self.buying.shares(self.state, step_prices(sc, no_control, sc.time.dt / 2).adoption))
        reporters = {"customers": self.customers_by_brand, "adopters": self.adopters_by_brand,
                     "spend": self.spend_by_brand}
        self.datacollector = mesa.DataCollector(model_reporters={  # scalars for batch_run: customers.<brand>
            f"{metric}.{b.name}": (lambda model, by=by, name=b.name: by()[name])
            for metric, by in reporters.items() for b in self.brands})
        self.datacollector.collect(self)
        self.build_seconds["total"] = time.perf_counter() - started

    # --- lookups ------------------------------------------------------------------------
    def brand_index(self, name: str) -> int:
        return next(b.index for b in self.brands if b.name == name)

    def customers_by_brand(self) -> dict[str, int]:
        """People (what the consumers stand for), as every output."""
        last = self.recorder.data["customer"][self.steps]
        return {b.name: int(last[b.index].sum()) * self.recorder.people_per_consumer for b in self.brands}

    def adopters_by_brand(self) -> dict[str, int]:
        last = self.recorder.data["adopters"][self.steps]
        return {b.name: int(last[b.index].sum()) * self.recorder.people_per_consumer for b in self.brands}

    def spend_by_brand(self) -> dict[str, float]:
        """Real money."""
        return {b.name: b.spent * self.recorder.people_per_consumer for b in self.brands}

    def audiences(self) -> np.ndarray:
        """(brands, N): in the audience a campaign of the brand aims at now."""
        audience = np.zeros((len(self.brands), self.population.size), dtype=bool)
        for brand in self.brands:
            for c in brand.campaigns:
                audience[brand.index] |= c.audience
        return audience

    @property
    def horizon_steps(self) -> int:
        return self.scenario_spec.time.steps

    # --- the step -----------------------------------------------------------------------
    def step(self) -> None:
        """One step of the funnel; each phase works on what the ones before it left."""
        ctx = self._conditions()
        prices = step_prices(self.scenario_spec, ctx.controlled, ctx.time + ctx.dt / 2)
        contacts = self._campaigns_act(ctx)
        crowd_out(contacts, len(self.brands), self.scenario_spec.response.competitive_interference)
        moved = Transitions.empty(len(self.brands))
        self._seeding(contacts, moved, ctx.time)
        exposure = self._expose(contacts, ctx, moved)
        self._adopt_and_churn(prices, exposure, moved, ctx.time)
        pay_referrals(self._campaigns_by_brand(), moved, ctx.time)
        self._update_awareness(exposure)
        self._update_loyalty(exposure)
        self._word_of_mouth(contacts, ctx.time)
        purchases = self._buy(prices, moved)
        self._record(prices, moved, purchases)

    def _conditions(self) -> StepContext:
        """What holds before anyone acts: which exogenous conditions hold where (drawn from the
        conditions stream) and which segments each brand controls (as the last step left them)."""
        sc, step = self.scenario_spec, self.steps  # Mesa counts this step already: 1 on the first
        dt = sc.time.dt
        controlled = self.recorder.controlled(step - 1)
        regions_with = draw_conditions(sc.conditions, self.population.categories["region"], self.conditions_rng)
        return StepContext((step - 1) * dt, dt, step, controlled, regions_with, self.state.current,
                           self.graph, sc.niche.reach_discount)

    def _campaigns_act(self, ctx: StepContext) -> list[Contacts]:
        """Every brand's campaigns make this step's paid contacts, each from its own stream. Research
        that re-aims a campaign changes the audiences whose reach the metrics count."""
        aims_before = [c.aimed_at for b in self.brands for c in b.campaigns]
        contacts = [c for brand in self.brands for c in brand.act(ctx)]
        if [c.aimed_at for b in self.brands for c in b.campaigns] != aims_before:
            self.recorder.audience = self.audiences()
        return contacts

    def _seeding(self, contacts: list[Contacts], moved: Transitions, time: float) -> None:
        """This step's free samples, all brands' at once (``seeding.py``): each recipient knows the
        brand, and those a sample converts are its customers before the hazards, which then see them
        as customers (samples are not paid impressions)."""
        samples = [c for c in contacts if c.seeded]
        if samples:
            for brand, given, kept in resolve_samples(samples, self.state, self.scenario_spec.loyalty.switching):
                self.state.sample(brand, given, kept, self.wom, moved, time)

    def _expose(self, contacts: list[Contacts], ctx: StepContext, moved: Transitions) -> list[Exposure]:
        """Each brand's paid impressions, gathered per consumer, set this step's ad hazard
        (``state.ad``) after wear-out, relevance and the context boost where a condition holds."""
        sc, st = self.scenario_spec, self.state
        boost = context_boost(sc.brands, ctx.regions_with, len(self.population.categories["region"]))
        st.pipeline.start_step(ctx.time)
        for b in range(len(self.brands)):
            paid = [c for c in contacts if c.brand == b and not c.seeded]
            exposure, first_reached = st.pipeline.expose(
                b, paid, boost[b], st.segment, st.counts.shape[2], st.region, st.satisfied[b],
                sc.response, st.wear, st.wear_step, st.reached, st.ad)
            moved.reached[b].append(first_reached)
            moved.exposure.append(exposure)
        return moved.exposure

    def _adopt_and_churn(self, prices: Prices, exposure: list[Exposure], moved: Transitions, time: float) -> None:
        """Competing hazards of adopting each brand and of churning; at most one event per consumer,
        decided by each candidate's number under the events' key (``adoption.py``). A referral offer makes customers
        talk more."""
        adopt_and_churn(self.state, self.wom, self.rates, prices, talk_uplift(self._campaigns_by_brand()),
                        exposure, self.event_key, self.steps, moved, time)

    def _update_awareness(self, exposure: list[Exposure]) -> None:
        """Paid contact and talk make the unaware aware; the aware who hear nothing forget at the
        half-life. Each brand's numbers come from its own awareness key (``awareness.py``)."""
        sc, st = self.scenario_spec, self.state
        half_life = sc.response.awareness_half_life
        forget = 0.0 if half_life is None else -np.expm1(-np.log(2.0) * sc.time.dt / half_life)
        update_awareness(st.state, st.hearing, [e.consumers for e in exposure], forget, st.segment, st.counts,
                         self.awareness_keys, self.steps, st.uniform, st.candidates, st.prospects)

    def _update_loyalty(self, exposure: list[Exposure]) -> None:
        """Loyalty heads for what satisfaction sustains; personal contact from one's own brand binds
        closer (``loyalty.py``). No random numbers."""
        st = self.state
        starts = np.cumsum([0, *(e.consumers.size for e in exposure)])
        update_loyalty(st.loyalty, st.loyalty_target, st.loyalty_keep, st.current, st.segment,
                       *st.pipeline.exposed(), starts, self.scenario_spec.loyalty.relationship_gain, st.loyalty_sum)

    def _word_of_mouth(self, contacts: list[Contacts], time: float) -> None:
        """Customers a campaign with ``buzz`` touched (a shared bottle, an event) talk more for a
        while; then all buzz fades by one step, and the next step hears half of this step's adoptions
        and churn, the talk at its middle (``wom.py``). Adoption and churn already updated who talks
        (``WordOfMouth.joined`` and ``left``)."""
        for c in contacts:
            if c.buzz > 0:
                customers = np.unique(c.consumers[self.state.current[c.consumers] == c.brand])
                self.wom.excite(c.brand, customers, c.buzz, time)
        self.wom.end_step(self.scenario_spec.time.dt)

    def _buy(self, prices: Prices, moved: Transitions) -> np.ndarray:
        """Purchases per (brand, segment): each bought adoption (a free sample is not bought) and every
        customer's purchase occasions, each choosing a brand (``buying.py``, from the sales stream);
        a period's panel measures are counted at its end."""
        first = []
        for b in range(len(self.brands)):
            adopted = Transitions.joined(moved.adopted[b])
            first.append(adopted[~np.isin(adopted, Transitions.joined(moved.seeded[b]))])
        purchases = self.buying.step(self.state, first, prices.adoption, self.scenario_spec.time.dt)
        if self.steps % self.buying.period_steps == 0:
            dt = self.scenario_spec.time.dt
            self.buying.close_period((self.steps - self.buying.period_steps) * dt, self.steps * dt)
        return purchases

    def _record(self, prices: Prices, moved: Transitions, purchases: np.ndarray) -> None:
        """The step's metrics (``metrics.py``), its purchases' revenue and margin, then Mesa's data
        collector; the run stops at the horizon."""
        sc, rec, step = self.scenario_spec, self.recorder, self.steps
        dt = sc.time.dt
        spent = np.array([b.budget.spent for b in self.brands])
        rec.record(step, step * dt, dt, self.state, moved, spent - self._spent_recorded,
                   self.buying.shares(self.state, prices.adoption))
        self._spent_recorded = spent
        d = rec.data
        unit_cost = np.array([b.unit_cost for b in sc.brands])[:, None]
        d["purchases"][step], d["revenue"][step] = purchases, purchases * prices.paid
        d["margin"][step] = purchases * (prices.paid - unit_cost)
        self.datacollector.collect(self)
        if step >= self.horizon_steps:
            self.running = False

    def replan(self, scenario: Scenario, campaigns: set[str]) -> None:
        """Go on under ``scenario`` (in people, as written): the running one with new plans for the named
        ``campaigns``, none started yet, and prices that may change from now on (a class game's next period,
        studies/game.py). The run then goes on as a run of ``scenario`` from the start would, bit for bit;
        anything else changed, or a price changed in the past, is a ValueError."""
        sc, time = in_consumers(scenario), self.steps * self.scenario_spec.time.dt

        def fixed(s: Scenario) -> dict:  # what may not change: all but the campaigns named and prices to come
            out = s.model_dump(exclude={"brands", "campaigns"})
            out["brands"] = [{**b.model_dump(exclude={"price_changes"}),
                              "past": [c.model_dump() for c in b.price_changes if c.at < time]} for b in s.brands]
            out["campaigns"] = [c.model_dump() for c in s.campaigns if c.name not in campaigns]
            return out

        if fixed(sc) != fixed(self.scenario_spec) or [c.name for c in sc.campaigns] != [
                c.name for c in self.scenario_spec.campaigns]:
            raise ValueError("a plan can change only the named campaigns and the prices to come")
        replanned = [(old, new) for old, new in zip(self.scenario_spec.campaigns, sc.campaigns)
                     if new.name in campaigns]
        late = [new.name for old, new in replanned if time > min(old.start, new.start)]
        if late:
            raise ValueError(f"{', '.join(late)} start(s) before {time:g}: too late to change the plan")
        self.scenario_spec = sc
        for brand in self.brands:
            brand.spec = sc.brands[brand.index]
        for _, spec in replanned:
            self.brands[[b.name for b in self.brands].index(spec.brand)].replan(spec)

    def _campaigns_by_brand(self) -> list[list]:
        return [b.campaigns for b in self.brands]
