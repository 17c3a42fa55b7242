"""The market as a Mesa model: consumer state in arrays, consumers and brands as Mesa agents.

Each step, every brand's campaigns deliver their paid contacts (``Brand.act``), then the whole
population responds at once (``ConsumerState.step``), then the run's metrics are recorded. A
``Consumer`` agent holds only its index, and reads its attributes and state from the arrays, so a
user can inspect agents (``model.agents_by_type[Consumer]``) while the hot path stays vectorised.
Mesa's view of the market (the agents, made on first access) is in ``mesa_view.py``; ``Consumer``,
``Brand`` and ``STATES`` are importable from here too.
"""

from __future__ import annotations

import time
from pathlib import Path

import mesa
import numpy as np

from .campaigns import StepContext
from .conditions import context_boost, draw_conditions
from .costs import sales
from ..scenario.loading import load_scenario, scenario_from_dict
from .mesa_view import Brand, Consumer, LazyConsumerAgents
from .metrics import Recorder
from .network import build_network
from .population import build_population
from .prices import step_prices
from .referrals import pay_referrals, talk_uplift
from .response import STATES, ConsumerState
from ..scenario.schema import Scenario
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
        self.seed = seed
        self.scenario_spec = sc
        # one stream per purpose, so a change in one (a brand's campaigns switched off) leaves the others
        population_seq, network_seq, fit_seq, market_seq, conditions_seq, events_seq, awareness_seq, sales_seq, \
            campaigns_seq = np.random.SeedSequence(seed).spawn(9)
        self.conditions_rng = np.random.default_rng(conditions_seq)
        self.event_rng = np.random.default_rng(events_seq)
        self.awareness_rngs = [np.random.default_rng(s) for s in awareness_seq.spawn(len(sc.brands))]
        self.sales_rng = np.random.default_rng(sales_seq)
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
        self.state = ConsumerState(sc, fit, pop.segment, pop.region)
        self.wom = WordOfMouth(sc.word_of_mouth, self.graph, pop.size, len(sc.brands), pop.talkativeness,
                               self.state.satisfied)
        self.state.install(self.wom, {s: i for i, s in enumerate(sc.segment_names)},
                           np.random.default_rng(market_seq))

        self.keep_consumer_ids(pop.size)  # consumer agents are made on first access (mesa_view.py)
        campaign_streams = [np.random.default_rng(s) for s in campaigns_seq.spawn(len(sc.campaigns))]
        self.brands = [Brand(self, b, campaign_streams, silent=spec.name in silent_brands)
                       for b, spec in enumerate(sc.brands)]
        self.recorder = Recorder(sc.time.steps, [b.name for b in sc.brands], sc.segment_names,
                                 pop.segment_sizes(), self.audiences(), pop.segment, sc.niche.control_threshold)
        self.recorder.record(0, 0.0, sc.time.dt, self.state, None, np.zeros(len(sc.brands)))
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
        last = self.recorder.data["customer"][self.steps]
        return {b.name: int(last[b.index].sum()) for b in self.brands}

    def adopters_by_brand(self) -> dict[str, int]:
        last = self.recorder.data["adopters"][self.steps]
        return {b.name: int(last[b.index].sum()) for b in self.brands}

    def spend_by_brand(self) -> dict[str, float]:
        return {b.name: b.spent for b in self.brands}

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
        sc, rec = self.scenario_spec, self.recorder
        step = self.steps  # Mesa counts this step already: 1 on the first
        dt = sc.time.dt
        controlled = rec.controlled(step - 1)
        regions = self.population.categories["region"]
        regions_with = draw_conditions(sc.conditions, regions, self.conditions_rng)
        ctx = StepContext((step - 1) * dt, dt, controlled, regions_with, self.state.current,
                          None if self.graph is None else self.graph.degree, sc.niche.reach_discount)
        spent_before = np.array([b.budget.spent for b in self.brands])
        aims_before = [c.aimed_at for b in self.brands for c in b.campaigns]
        contacts = [c for brand in self.brands for c in brand.act(ctx)]
        if [c.aimed_at for b in self.brands for c in b.campaigns] != aims_before:  # research re-aimed one
            rec.audience = self.audiences()

        boost = context_boost(sc.brands, regions_with, len(regions))
        prices = step_prices(sc, controlled)
        campaigns = [b.campaigns for b in self.brands]
        transitions = self.state.step(ctx.time, contacts, self.wom, boost, prices.churn, prices.adoption,
                                      talk_uplift(campaigns), self.event_rng, self.awareness_rngs)
        pay_referrals(campaigns, transitions, ctx.time)

        spent = np.array([b.budget.spent for b in self.brands]) - spent_before
        rec.record(step, step * dt, dt, self.state, transitions, spent)
        d = rec.data
        d["purchases"][step], d["revenue"][step], d["margin"][step] = sales(
            d["customer"][step - 1], rec.first_purchases(step), prices.paid,
            np.array([b.unit_cost for b in sc.brands]), np.array([b.purchase_rate for b in sc.brands]), dt,
            self.sales_rng)
        self.datacollector.collect(self)
        if step >= self.horizon_steps:
            self.running = False
