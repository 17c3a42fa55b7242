"""Mesa's view of the market: consumers and brands as Mesa agents, consumers made on first access.

The step never needs consumer agents (it works on the arrays of ``state.py``), so a ``Consumer``
is only a view on one row of them, made when a user first asks: ``model.consumer(i)`` makes that
one alone; ``model.agents``, ``agents_by_type`` and ``agent_types`` make all of them. Either way
consumer i has ``unique_id`` i + 1 and the agent sets list agents by ``unique_id``, consumers
first, so what a user sees does not depend on when they asked (1M consumer agents take seconds and
a quarter of a GiB, which a run that never asks does not pay).

``LazyConsumerAgents`` relies on these internals of ``mesa.Model`` (Mesa 3.5), which is why
pyproject.toml pins ``mesa<3.6``; re-check them on each Mesa minor release:

- ``agent_id_counter``: ``register_agent`` gives each new agent this id, then adds one; the model
  sets it past the consumers' ids at build and back to ``index + 1`` while making consumer ``index``;
- ``Model.agents`` returns the live set of all agents, which supports ``sort(..., inplace=True)``;
- ``Model.agents_by_type`` returns the live dict of agent sets by type, whose key order is
  ``agent_types``: the mixin sorts the consumers' set and moves the other types after it;
- ``Model.agents``, ``agents_by_type``, ``agent_types`` and ``remove_all_agents`` are what a user
  (and Mesa's own tools) reach the agents by: the mixin overrides them to make the consumers first.
"""

from __future__ import annotations

import operator

import mesa
import numpy as np
from mesa.agentset import AbstractAgentSet

from ..scenario.schema import CampaignSpec
from .campaigns import Campaign, Contacts, StepContext
from .costs import Budget
from .state import STATES


class Consumer(mesa.Agent):
    """One consumer; a view on row ``index`` of the model's arrays. Get it with
    ``model.consumer(index)`` or through ``model.agents``; its ``unique_id`` is ``index + 1``."""

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = index

    def _category(self, field: str) -> str:
        pop = self.model.population
        return pop.categories[field][int(getattr(pop, field)[self.index])]

    @property
    def segment(self) -> str:
        return self._category("segment")

    @property
    def age(self) -> int:
        return int(self.model.population.age[self.index])

    @property
    def gender(self) -> str:
        return self._category("gender")

    @property
    def region(self) -> str:
        return self._category("region")

    @property
    def occupation(self) -> str:
        return self._category("occupation")

    @property
    def income(self) -> str:
        return self._category("income")

    @property
    def interests(self) -> list[str]:
        bits = int(self.model.population.interests[self.index])
        return [tag for k, tag in enumerate(self.model.population.categories["interests"]) if bits >> k & 1]

    @property
    def talkativeness(self) -> float:
        return float(self.model.population.talkativeness[self.index])

    @property
    def brand(self) -> str | None:
        """The brand this consumer is a customer of, if any."""
        b = int(self.model.state.current[self.index])
        return None if b < 0 else self.model.scenario_spec.brands[b].name

    @property
    def loyalty(self) -> float:
        return float(self.model.state.loyalty[self.index])

    def status(self, brand: str) -> str:
        """unaware, aware, customer or lapsed, for one brand."""
        return STATES[self.model.state.state[self.model.brand_index(brand), self.index]]

    def fit(self, brand: str) -> float:
        return float(self.model.state.fit[self.model.brand_index(brand), self.index])

    @property
    def neighbours(self) -> list[Consumer]:
        graph = self.model.graph
        if graph is None:
            return []
        return [self.model.consumer(int(j)) for j in graph.neighbours(self.index)]


class Brand(mesa.Agent):
    """A brand: its product, its budget and its campaigns."""

    def __init__(self, model: mesa.Model, index: int, campaign_draws: list[tuple[np.random.Generator, np.ndarray]],
                 order_stream: np.random.Generator, silent: bool = False):
        super().__init__(model)
        sc = model.scenario_spec
        self.index = index
        self.spec = sc.brands[index]
        self.name = self.spec.name
        self.silent = silent
        self.order_stream = order_stream  # the order its campaigns act in on each step
        self.budget = Budget(self.spec.budget)
        # each campaign's stream and key (campaigns.py), in the scenario's order of campaigns
        self.campaigns = [self._campaign(c, *draws) for c, draws in zip(sc.campaigns, campaign_draws)
                          if c.brand == self.name]

    def _campaign(self, spec: CampaignSpec, rng: np.random.Generator, key: np.ndarray) -> Campaign:
        sc, model = self.model.scenario_spec, self.model
        return Campaign(spec, self.index, self.budget, sc.channel(spec.channel) if spec.channel else None,
                        model.population, self.spec.unit_cost, sc.time.horizon, model.state.fit[self.index], rng,
                        key, sc.response.tailoring)

    def replan(self, spec: CampaignSpec) -> None:
        """Give a campaign that has not started a new plan (``MarketModel.replan``). It keeps its own random
        stream, untouched so far, and its key: a campaign draws nothing before its start, so the run goes on as
        a run of the new plan from the beginning would."""
        k = next(k for k, c in enumerate(self.campaigns) if c.spec.name == spec.name)
        self.campaigns[k] = self._campaign(spec, self.campaigns[k].rng, self.campaigns[k].key)

    def act(self, ctx: StepContext) -> list[Contacts]:
        """Run this step's campaigns; returns the paid contacts they made. A silent brand (the
        counterfactual of a lift measurement) runs none. Campaigns sharing the brand's budget (or
        moving money to one another) act in an order drawn afresh on each step from the brand's own
        stream, so which one the last of the money goes to does not depend on the order of the file."""
        if self.silent:
            return []
        by_name = {c.spec.name: c for c in self.campaigns}
        campaigns = self.campaigns
        if len(campaigns) > 1:
            campaigns = [campaigns[k] for k in self.order_stream.permutation(len(campaigns))]
        made = (c.act(ctx, by_name) for c in campaigns)
        return [m for m in made if m is not None]

    @property
    def customers(self) -> int:
        return int((self.model.state.current == self.index).sum())

    @property
    def spent(self) -> float:
        return self.budget.spent

    def controls(self, segment: str) -> bool:
        s = self.model.population.categories["segment"].index(segment)
        return bool(self.model.recorder.controlled(self.model.steps)[self.index, s])


class LazyConsumerAgents:
    """A ``mesa.Model`` mixin whose consumer agents are made on first access (see the module's
    docstring for the Mesa internals it relies on). The model calls ``keep_consumer_ids`` before
    it makes any other agent."""

    def keep_consumer_ids(self, size: int) -> None:
        """Keep the ids 1..size for the consumers, so the agents made next (the brands) follow
        them, as if the consumers had been made first."""
        self._consumer_count = size
        self._consumers: list[Consumer] | None = None  # all of them, once asked for through the agent API
        self._lone_consumers: dict[int, Consumer] = {}  # those asked for one by one before that
        self.agent_id_counter = size + 1

    @property
    def agents(self) -> AbstractAgentSet:
        self._make_consumers()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], AbstractAgentSet]:
        self._make_consumers()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._make_consumers()
        return super().agent_types

    def remove_all_agents(self) -> None:
        self._make_consumers()  # so that they are removed too, not made afterwards
        super().remove_all_agents()

    def consumer(self, index: int) -> Consumer:
        """Consumer ``index`` (negative counts from the end) as a Mesa agent."""
        n = self._consumer_count
        index = operator.index(index)
        if not -n <= index < n:
            raise IndexError(f"no consumer {index}: the market has {n:,}")
        index %= n
        if self._consumers is not None:
            return self._consumers[index]
        if index not in self._lone_consumers:
            self._lone_consumers[index] = self._new_consumer(index)
        return self._lone_consumers[index]

    def _new_consumer(self, index: int) -> Consumer:
        next_id = self.agent_id_counter
        self.agent_id_counter = index + 1  # the id kept for this consumer at build
        agent = Consumer(self, index)
        self.agent_id_counter = next_id
        return agent

    def _make_consumers(self) -> None:
        """Make every consumer agent not made yet; list all agents by unique_id, consumers first."""
        if self._consumers is not None:
            return
        lone = self._lone_consumers
        self._consumers = [lone[i] if i in lone else self._new_consumer(i) for i in range(self._consumer_count)]
        self._lone_consumers = {}
        super().agents.sort("unique_id", ascending=True, inplace=True)
        by_type = super().agents_by_type
        if lone:  # made out of order
            by_type[Consumer].sort("unique_id", ascending=True, inplace=True)
        for kind in [k for k in by_type if k is not Consumer]:
            by_type[kind] = by_type.pop(kind)  # Consumer first in agent_types, as if made first
